"""Recognition from evidence: the rules on the mini community (dates fixed in its front matter), the profile and
hub as built, and the report's contributors sections."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from generator import recognition
from generator.commands.report import report
from generator.community import Community
from generator.content.load import load_community
from generator.settings import load_settings
from tests.conftest import write_config

TODAY = dt.date(2026, 11, 23)  # Q4 2026: the mini path (10 Oct) and FAQ (2 Oct) are this quarter's


def community(mini: Path, today: dt.date = TODAY) -> Community:
    return load_community(load_settings(mini.parent / "mkdocs.yml", content_dir=mini, today=today))


def lessons_by(mini: Path, person: str, count: int, start: dt.date) -> None:
    """`count` more lessons by `person`, a week apart from `start` (copies of one, with their own ids)."""
    text = (mini / "learn" / "reading-charts.md").read_text(encoding="utf-8")
    for n in range(count):
        day = start + dt.timedelta(days=7 * n)
        copy = re.sub(r"authors: \[?bo\]?", f"authors: [{person}]", text)
        copy = re.sub(r"date: \d{4}-\d\d-\d\d", f"date: {day.isoformat()}", copy)
        copy = copy.replace("title: ", f"title: Extra {n} ", 1)
        (mini / "learn" / f"extra-{n}.md").write_text(copy, encoding="utf-8")


def labels(c: Community, person: str) -> dict[str, tuple[str, int, list[str]]]:
    return {r.ladder: (r.label, r.count, [i.id for i in r.evidence])
            for r in recognition.recognitions(c, c.people[person])}


def test_each_ladder_shows_its_highest_step_with_the_newest_evidence(mini: Path) -> None:
    c = community(mini)
    assert labels(c, "ada") == {
        "lessons": ("First lesson", 1, ["forecast-basics"]),
        "videos": ("First video", 2, ["external-talk", "intro-video"]),  # 2 videos: still the first step
        "paths": ("Learning path curator", 1, ["first-week"]),
        "answers": ("First verified answer", 1, ["what-is-mape"]),
    }
    assert labels(c, "bo") == {"lessons": ("First lesson", 1, ["reading-charts"])}  # an unverified answer: no


def test_a_step_is_dated_when_it_was_reached_and_evidence_is_bounded(mini: Path) -> None:
    lessons_by(mini, "bo", 5, dt.date(2026, 1, 5))  # with reading-charts (10 Jun): 6 lessons
    found = {r.ladder: r for r in recognition.recognitions(community(mini), community(mini).people["bo"])}
    lessons = found["lessons"]
    assert (lessons.label, lessons.count) == ("5 lessons", 6)
    assert lessons.since == dt.date(2026, 2, 2)  # the fifth, by date: 5 Jan + 4 weeks
    assert [i.id for i in lessons.evidence] == ["reading-charts", "extra-4", "extra-3"]


def check(mini: Path, rel: str, field: str, by: str, on: str) -> None:
    """Set an item's review (or an FAQ's verification) to `by` on `on`."""
    path = mini / rel
    text = re.sub(rf"\n{field}:\n  by: \w+\n  on: [\d-]+", "", path.read_text(encoding="utf-8"))
    path.write_text(text.replace("\n---\n", f"\n{field}:\n  by: {by}\n  on: {on}\n---\n", 1), encoding="utf-8")


def test_reviews_count_checks_of_others_work_and_drafts_count_for_nothing(mini: Path) -> None:
    check(mini, "videos/intro-video.md", "review", "bo", "2026-11-02")
    check(mini, "videos/external-talk.md", "review", "bo", "2026-11-04")
    check(mini, "faq/what-is-mape.md", "review", "bo", "2026-11-05")
    check(mini, "faq/which-chart.md", "verified", "bo", "2026-11-06")  # bo's own answer: not a review
    check(mini, "learn/reading-charts.md", "review", "bo", "2026-11-07")  # bo's own lesson: not a review
    c = community(mini)
    assert not c.problems, c.problems
    found = {r.ladder: r for r in recognition.recognitions(c, c.people["bo"])}
    assert (found["reviews"].label, found["reviews"].count, found["reviews"].since) == ("Reviewer", 3,
                                                                                        dt.date(2026, 11, 5))
    assert [i.id for i in found["reviews"].evidence] == ["what-is-mape", "external-talk", "intro-video"]
    path = mini / "videos" / "intro-video.md"
    path.write_text(path.read_text(encoding="utf-8").replace("\n---\n", "\nstatus: draft\n---\n", 1), encoding="utf-8")
    assert "reviews" not in labels(community(mini), "bo"), "a draft is not evidence"


def test_this_quarter_s_contributors_of_a_community(mini: Path) -> None:
    c = community(mini)
    assert [p.id for p in recognition.contributors_this_quarter(c, c.topics["data"], TODAY)] == ["ada"]
    spring = dt.date(2026, 6, 30)  # Q2: reading-charts (10 Jun, bo); forecast-basics (4 May, ada)
    assert [p.id for p in recognition.contributors_this_quarter(community(mini, spring), c.topics["data"],
                                                                spring)] == ["ada", "bo"]


def test_new_contributors_are_people_whose_first_contribution_is_this_quarter(mini: Path) -> None:
    assert recognition.new_contributors(community(mini), TODAY) == []  # both started before Q4
    c = community(mini, dt.date(2026, 6, 30))
    assert [(p.id, day.isoformat(), i.id) for p, day, i in recognition.new_contributors(c, dt.date(2026, 6, 30))] == [
        ("ada", "2026-05-04", "forecast-basics"), ("bo", "2026-06-10", "reading-charts")]


def test_the_report_has_a_contributors_section_and_helpful_people_from_feedback(tmp_path: Path, mini: Path) -> None:
    feedback = tmp_path / "feedback.json"
    feedback.write_text(json.dumps({"pages": {
        "/learn/forecast-basics/": {"helpful": 4, "not_helpful": 0, "comments": []},
        "/videos/intro-video/": {"helpful": 2, "not_helpful": 1, "comments": []},
        "/learn/reading-charts/": {"helpful": 1, "not_helpful": 0, "comments": []}}}), encoding="utf-8")
    settings = load_settings(write_config(tmp_path / "site", docs_dir=str(mini)), content_dir=mini,
                             today=dt.date(2026, 6, 30))
    out = report(settings, feedback=feedback, only=["new_contributors", "found_helpful"])
    assert "New contributors this quarter (thank them) (2)" in out
    assert "Ada Okafor: first contribution on 2026-05-04: “Forecast basics” (Ada Okafor)" in out
    assert "Bo Lindqvist: first contribution on 2026-06-10: “Reading charts on a phone”" in out
    assert "People whose content readers found helpful (invite them to do more) (1)" in out
    assert "Ada Okafor: 6 “helpful” on “Forecast basics”, “Welcome to the data community”" in out  # bo's 1: under 3


@pytest.mark.parametrize("person", ["ada"])
def test_the_profile_shows_recognition_with_its_evidence_linked(mini_site: Path, person: str) -> None:
    page = BeautifulSoup((mini_site / "people" / person / "index.html").read_text(encoding="utf-8"), "html.parser")
    heading = page.find(id="recognised")
    assert heading is not None and heading.get_text(strip=True).rstrip("¶") == "Recognised for"
    rows = [li.get_text(" ", strip=True) for li in page.select(".pr-recognition li")]
    assert any(row.startswith("First video (since") for row in rows), rows
    links = {a["href"] for a in page.select(".pr-recognition a")}
    assert "../../videos/intro-video/" in links
