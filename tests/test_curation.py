"""Curation for L&D: the content-health report and page, featured content, CODEOWNERS."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from generator.codeowners import codeowners
from generator.content.load import load_community
from generator.settings import load_settings
from tests.conftest import CliResult, write_config
from tests.soup import after, attr, one
from tests.test_site import section

TODAY = "2026-11-23"


def replace(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, (path, old)
    path.write_text(text.replace(old, new, 1))


@pytest.fixture
def unhealthy(mini: Path) -> Path:
    """The mini community with exactly one of each problem (it already has one unverified FAQ and one
    video with a transcript but no captions)."""
    replace(mini / "learn/forecast-basics.md", "on: 2026-09-01", "on: 2025-06-01")
    replace(mini / "learn/reading-charts.md", "date: 2026-06-10", "date: 2026-06-10\nminutes: 25")
    replace(mini / "learn/reading-charts.md", "Check the axis",
            "See [the style guide](../style-guide.pdf). Check the axis")
    (mini / "topics/safety.md").write_text("---\nname: Safety\nsummary: Everyone home safe.\nstewards: []\n---\nHi.\n")
    (mini / "people/carol.md").write_text("---\nname: Carol Diaz\nrole: Data engineer\nexpertise: [SQL]\n---\nHi.\n")
    (mini / "events").mkdir()
    (mini / "events/meetup.md").write_text("---\ntitle: Meetup\nsummary: Drinks.\ntopics: [data]\nhosts: [ada]\n"
                                          "start: 2026-10-01 18:00\ntimezone: Europe/London\nduration: 90\n"
                                          "where: {room: Café}\n---\nHi.\n")
    feedback = {"generated_at": "2026-11-20T10:00:00Z", "pages": {
        "learn/forecast-basics/": {"helpful": 1, "not_helpful": 3, "comments": ["Needs a worked example"]},
        "faq/what-is-mape/": {"helpful": 5, "not_helpful": 0, "comments": []}}}
    (mini.parent / "feedback.json").write_text(json.dumps(feedback))
    return mini


def run_report(cli: Callable[..., CliResult], content: Path, fmt: str) -> CliResult:
    return cli("report", "--config-file", content.parent / "mkdocs.yml", "--content", content, "--format", fmt,
               "--feedback", content.parent / "feedback.json")


def test_report_finds_each_problem_and_nothing_else(cli: Callable[..., CliResult], unhealthy: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(unhealthy.parent)
    result = run_report(cli, unhealthy, "json")
    assert result.code == 0, result.err
    sections = json.loads(result.out)["sections"]
    found = {key: sorted((row["file"], row["line"]) for row in rows) for key, rows in sections.items()}
    assert found == {
        "due_for_review": [("learn/forecast-basics.md", 20)],
        "unverified_faqs": [("faq/which-chart.md", 1)],
        "videos_without_captions": [("videos/external-talk.md", 1)],
        "long_lessons": [("learn/reading-charts.md", 1)],
        "communities_without_stewards": [("topics/safety.md", 1)],
        "communities_without_experts": [("topics/safety.md", 1)],
        "people_to_invite": [("people/carol.md", 1)],
        "broken_links": [("learn/reading-charts.md", 12)],
        "events_without_recording": [("events/meetup.md", 1)],  # over, and nobody added its video
        "feedback": [("faq/what-is-mape.md", None), ("learn/forecast-basics.md", None)],
        "unanswered_questions": [],  # no conversations export given
        "new_contributors": [],  # everyone's first item is from before this quarter (tests/test_recognition.py)
        "found_helpful": [("people/ada.md", 1)],  # 6 "helpful" on Ada's items: thank her
        "learning": [],  # no learning-records export given
    }
    due = sections["due_for_review"][0]
    assert due["who"] == ["Ada Okafor"] and "last reviewed on 2025-06-01" in due["detail"]
    assert sections["people_to_invite"][0]["detail"] == "declares SQL but has not shared anything yet"
    assert sections["feedback"][0]["detail"] == "1 helpful, 3 not helpful: “Needs a worked example”", \
        "least helpful first"


def test_report_as_text_and_markdown_points_at_the_files(cli: Callable[..., CliResult], unhealthy: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(unhealthy.parent)
    text = run_report(cli, unhealthy, "text").out
    assert "content/learn/forecast-basics.md:20  Forecast basics: due for review" in text
    assert "Safety: 0 items" in text and "Data & Analytics: 7 items; newest “Your first week with data”" in text
    markdown = run_report(cli, unhealthy, "markdown").out
    assert "### Due for review (1)" in markdown
    assert "- [ ] [Which chart should I use for a trend?](content/faq/which-chart.md)" in markdown


def test_health_page_lists_the_same_rows_with_links(cli: Callable[..., CliResult], unhealthy: Path,
                                                    tmp_path: Path) -> None:
    folder = unhealthy.parent
    config = write_config(folder, docs_dir="content", practica={"feedback_file": "feedback.json"})
    assert cli("build", "--config-file", config, "--site-dir", folder / "site").code == 0
    html = BeautifulSoup((folder / "site/health/index.html").read_text(), "html.parser")
    tables = {h2["id"]: after(h2, "table") for h2 in html.select("article h2[id]")}
    long_rows = tables["long-lessons"].select("tbody tr")
    assert len(long_rows) == 1
    assert one(long_rows[0], "td a").get_text() == "Reading charts on a phone"
    edit = attr(long_rows[0].select("td a")[-1], "href")
    assert edit.endswith("/content/learn/reading-charts.md")
    assert "1 helpful, 3 not helpful" in tables["feedback"].get_text()
    footer = one(BeautifulSoup((folder / "site/index.html").read_text(), "html.parser"), ".pr-footer-links a")
    assert footer.get_text(strip=True) == "Content health" and footer["href"] == "health/"
    nav = {a["href"] for a in html.select(".md-nav--primary a")}
    assert not any("health" in href for href in nav), "linked from the footer, not the main navigation"


def test_featured_items_come_first_in_curated_order_within_their_dates(mini: Path) -> None:
    (mini / "featured.yml").write_text(
        "- item: first-week\n  where: [home, data]\n  note: Start here\n"
        "- item: external-talk\n  where: data\n"
        "- item: reading-charts\n  start: 2026-12-01\n"
        "- item: which-chart\n  end: 2026-11-01\n"
        "- item: forecast-basics\n  start: 2026-11-01\n  end: 2026-11-30\n")
    settings = load_settings(mini.parent / "mkdocs.yml", content_dir=mini, today=dt.date(2026, 11, 23))
    community = load_community(settings)
    assert community.problems == []
    assert [(i.id, n) for i, n in community.featured_in("home")] == [("first-week", "Start here"),
                                                                      ("forecast-basics", None)]
    assert [i.id for i, _ in community.featured_in("data")] == ["first-week", "external-talk"]


LISTS = {"featured", "new", "communities", "paths", "people", "lessons", "videos", "faq"}


def test_featured_show_first_on_home_and_hub(cli: Callable[..., CliResult], mini: Path) -> None:
    (mini / "featured.yml").write_text("- item: which-chart\n  where: [home, data]\n  note: Asked every week\n")
    config = write_config(mini.parent, docs_dir="content")
    assert cli("build", "--config-file", config, "--site-dir", mini.parent / "site").code == 0
    for url in ("index.html", "topics/data/index.html"):
        html = BeautifulSoup((mini.parent / "site" / url).read_text(), "html.parser")
        # Featured leads the lists (a hub's About comes before them; the home page's "Continue" is hidden
        # until the device has something to show).
        lists = [h for h in html.select("article h2[id]") if h["id"] in LISTS and not h.find_parent(hidden=True)]
        assert lists[0]["id"] == "featured", url
        featured = after(lists[0], "ul")
        assert [a.get_text() for a in featured.select(".pr-item__title")] == ["Which chart should I use for a trend?"]
        assert "Asked every week" in one(featured, ".pr-item__note").get_text()
    hub = BeautifulSoup((mini.parent / "site/topics/data/index.html").read_text(), "html.parser")
    latest = [a.get_text() for a in section(hub, "new").select(".pr-item__title")]
    assert "Which chart should I use for a trend?" not in latest


def test_codeowners_asks_authors_and_stewards(mini: Path) -> None:
    replace(mini / "people/bo.md", "role: Analyst", "role: Analyst\nhandle: bo-l")
    settings = load_settings(mini.parent / "mkdocs.yml", content_dir=mini)
    text = codeowners(load_community(settings))
    lines = dict(line.rsplit(maxsplit=0)[0].split(None, 1) for line in text.splitlines()
                 if line and not line.startswith("#"))
    assert lines["/content/learn/reading-charts.md"] == "@bo-l @ada-o", "author, then the community's steward"
    assert lines["/content/learn/forecast-basics.md"] == "@ada-o"
    assert lines["/content/videos/intro.mp4"] == "@ada-o", "media files belong with their page"
    assert lines["/content/topics/data.md"] == "@ada-o"
    assert lines["/content/people/bo.md"] == "@bo-l"
    assert text.startswith("# Generated by `practica codeowners`")


def test_codeowners_command_writes_the_file(cli: Callable[..., CliResult], mini: Path) -> None:
    out = mini.parent / ".github" / "CODEOWNERS"
    assert cli("codeowners", "--content", mini, "--out", out).code == 0
    assert "/content/faq/what-is-mape.md @ada-o" in " ".join(out.read_text().split())
