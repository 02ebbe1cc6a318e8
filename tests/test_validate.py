"""Bad content, one case per row: each must be reported with its file, exact line and a clear message."""

from __future__ import annotations

import datetime as dt
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from generator.content.load import load_community
from generator.content.problems import Problem
from generator.settings import load_settings
from tests.conftest import line_of

TODAY = dt.date(2026, 11, 23)


def load(content: Path) -> list[Problem]:
    settings = load_settings(content.parent / "mkdocs.yml", content_dir=content, today=TODAY)
    return load_community(settings).problems


def edit(rel: str, old: str, new: str) -> Callable[[Path], None]:
    def apply(content: Path) -> None:
        path = content / rel
        text = path.read_text(encoding="utf-8")
        assert old in text, f"{old!r} not in {rel}"
        path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return apply


def write(rel: str, data: str | bytes) -> Callable[[Path], None]:
    def apply(content: Path) -> None:
        path = content / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(data, bytes):
            path.write_bytes(data)
        else:
            path.write_text(data, encoding="utf-8")
    return apply


def copy(src: str, dst: str) -> Callable[[Path], None]:
    def apply(content: Path) -> None:
        (content / dst).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(content / src, content / dst)
    return apply


@dataclass
class Case:
    name: str
    change: Callable[[Path], None]
    file: str
    line: int | str  # a number, or text on the expected line
    message: str
    hint: str = ""
    severity: str = "error"


LESSON = "learn/forecast-basics.md"
CASES = [
    Case("yaml syntax error", edit(LESSON, "level: beginner", "level: [beginner"), LESSON, "level: [beginner",
         "YAML syntax error"),
    Case("yaml value with colon", edit(LESSON, "level: beginner", "level: a: b"), LESSON, "level: a: b",
         "YAML syntax error", "quotes"),
    Case("no front matter", write("learn/plain.md", "Just some text.\n"), "learn/plain.md", 1,
         "does not start with front matter"),
    Case("empty front matter", write("learn/empty.md", "---\n---\nBody.\n"), "learn/empty.md", 1,
         "front matter is empty"),
    Case("front matter never closed", write("learn/open.md", "---\ntitle: x\n"), "learn/open.md", 1, "never closed"),
    Case("missing required field", edit(LESSON, "summary: What a forecast is, and what it is not.\n", ""), LESSON, 1,
         "required field 'summary' is missing", "add a line 'summary: …'"),
    Case("unknown field", edit(LESSON, "level: beginner", "level: beginner\ntitel: Oops"), LESSON, "titel:",
         "unknown field 'titel'", "did you mean 'title'?"),
    Case("wrong type (number)", edit(LESSON, "level: beginner", "level: beginner\nminutes: five"), LESSON,
         "minutes: five", "'minutes' should be a whole number"),
    Case("wrong type (list)", edit(LESSON, "objectives:\n  - Tell a forecast from a target",
                                   "objectives:\n  one: two"), LESSON, "objectives:", "'objectives' should be a list"),
    Case("wrong value", edit(LESSON, "level: beginner", "level: expert"), LESSON, "level: expert",
         "'level' cannot be 'expert'", "beginner"),
    Case("id not a slug", copy(LESSON, "learn/Forecast Basics.md"), "learn/Forecast Basics.md", 1,
         "is not a valid id", "forecast-basics.md"),
    Case("duplicate id", copy(LESSON, "learn/more/forecast-basics.md"), "learn/more/forecast-basics.md", 1,
         "id 'forecast-basics' is already used by learn/forecast-basics.md"),
    Case("unknown author", edit(LESSON, "authors: [ada]", "authors: [adaa]"), LESSON, "authors:",
         "no person with id 'adaa'", "did you mean 'ada'?"),
    Case("unknown topic", edit(LESSON, "topics: [data]", "topics: [dta]"), LESSON, "topics:",
         "no community with id 'dta'", "did you mean 'data'?"),
    Case("unknown path step", edit("paths/first-week.md", "item: reading-charts", "item: reading-chart"),
         "paths/first-week.md", "item: reading-chart", "no lesson, video, FAQ or path with id 'reading-chart'",
         "did you mean 'reading-charts'?"),
    Case("unknown verifier", edit("faq/what-is-mape.md", "  by: ada", "  by: bob"), "faq/what-is-mape.md", "by: bob",
         "no person with id 'bob'", "did you mean 'bo'?"),
    Case("photo missing", edit("people/ada.md", "photo: ada.png", "photo: ada.jpg"), "people/ada.md", "photo:",
         "photo file 'ada.jpg' does not exist"),
    Case("local video missing", edit("videos/intro-video.md", "src: intro.mp4", "src: gone.mp4"),
         "videos/intro-video.md", "src:", "video file 'gone.mp4' does not exist"),
    Case("poster missing", edit("videos/intro-video.md", "poster: intro.png", "poster: nope.png"),
         "videos/intro-video.md", "poster:", "poster file 'nope.png' does not exist"),
    Case("captions missing", edit("videos/intro-video.md", "captions: intro.vtt", "captions: intro.en.vtt"),
         "videos/intro-video.md", "captions:", "captions file 'intro.en.vtt' does not exist"),
    Case("neither captions nor transcript",
         edit("videos/external-talk.md", "In this talk we forecast parcel volumes for every depot, with seasonality "
              "and holidays.", ""), "videos/external-talk.md", "src:", "neither captions nor a transcript"),
    Case("image without alt text", edit("learn/reading-charts.md", "![A bar chart with a truncated axis]", "![]"),
         "learn/reading-charts.md", "![](truncated.png)", "image without alt text"),
    Case("html image without alt", edit(LESSON, "## Why it matters", '<img src="x.png">\n\n## Why it matters'),
         LESSON, '<img src="x.png">', "image without alt text"),
    Case("html image with a blank alt",
         edit(LESSON, "## Why it matters", '<img src="x.png" alt=" ">\n\n## Why it matters'),
         LESSON, '<img src="x.png" alt=" ">', "image without alt text", 'mark it decorative with an empty alt'),
    Case("markdown image with empty brackets and no alt attribute",
         edit("learn/reading-charts.md", "![A bar chart with a truncated axis](truncated.png)",
              "![](truncated.png){: .wide }"),
         "learn/reading-charts.md", "![](truncated.png){: .wide }", "image without alt text", '{: alt=""}'),
    Case("raw script", edit(LESSON, "## Why it matters", "<script>alert('hi')</script>\n\n## Why it matters"),
         LESSON, "<script>", "<script> element is not allowed"),
    Case("lesson too long (warning)", edit(LESSON, "level: beginner", "level: beginner\nminutes: 25"), LESSON,
         "minutes: 25", "over the 10-minute microlearning limit", severity="warning"),
    # An overdue review or verification is a reminder, not a problem: see tests/test_freshness.py.
    Case("answer out of range", edit(LESSON, "answer: 2", "answer: 3"), LESSON, "answer: 3",
         "answer 3 is not one of the 2 options", "from 1 to 2"),
    Case("unknown skill", edit(LESSON, "skills: [forecasting]", "skills: [forcasting]"), LESSON, "skills:",
         "unknown skill 'forcasting'", "did you mean 'Forecasting'?"),
    Case("bad utf-8", write("learn/latin1.md", b"---\ntitle: Caf\xe9\n---\n"), "learn/latin1.md", 2,
         "byte 0xe9 is not valid UTF-8"),
    Case("binary file named .md", write("learn/picture.md", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"),
         "learn/picture.md", 1, "binary file"),
    Case("field written twice", edit(LESSON, "level: beginner", "level: beginner\nlevel: advanced"), LESSON,
         "level: advanced", "field 'level' is written twice"),
    Case("bad email", edit("people/ada.md", "email: ada.okafor@example.org", "email: ada at example"),
         "people/ada.md", "email:", "'contact.email' is not an email address"),
    Case("http chat link", edit("people/ada.md", "chat: https://chat", "chat: http://chat"), "people/ada.md", "chat:",
         "must be an https:// link"),
    Case("motto too long", edit("people/ada.md", "motto: A forecast is a conversation, not a number.",
                                "motto: " + "long " * 40), "people/ada.md", "motto:", "'motto' is too long"),
    Case("bad review interval", edit(LESSON, "every: 1 year", "every: often"), LESSON, "every: often",
         "is not an interval"),
    Case("chapter after the end", edit("videos/intro-video.md", 'at: "0:04"', 'at: "0:09"'), "videos/intro-video.md",
         'at: "0:09"', "chapter starts after the video ends"),
    Case("draft referenced", edit("learn/reading-charts.md", "date: 2026-06-10", "date: 2026-06-10\nstatus: draft"),
         "paths/first-week.md", "item: reading-charts", "'reading-charts' is a draft"),
    Case("body image missing", edit("learn/reading-charts.md", "(truncated.png)", "(missing.png)"),
         "learn/reading-charts.md", "(missing.png)", "image 'missing.png' does not exist"),
    Case("broken link (warning)", edit(LESSON, "## Why it matters", "See [the glossary](../glossary.md).\n\n## Why"),
         LESSON, "the glossary", "link to '../glossary.md' leads nowhere", severity="warning"),
    Case("featured item unknown",
         write("featured.yml", "- item: forecast-basics\n- item: forcast-basic\n  where: home\n"),
         "featured.yml", 2, "no lesson, video, FAQ or path with id 'forcast-basic'", "did you mean 'forecast-basics'?"),
    Case("featured where unknown", write("featured.yml", "- item: forecast-basics\n  where: [home, dat]\n"),
         "featured.yml", 2, "'dat' is neither 'home' nor a community id", "did you mean 'data'?"),
    Case("featured dates reversed", write("featured.yml", "- item: forecast-basics\n  start: 2026-12-01\n"
                                          "  end: 2026-11-01\n"), "featured.yml", 1, "'end' is before 'start'"),
    Case("impossible date", edit(LESSON, "date: 2026-05-04", "date: 2026-02-30"), LESSON, "date: 2026-02-30",
         "a value cannot be read: day is out of range for month"),
    Case("list used as a key", edit(LESSON, "level: beginner", "level: beginner\n? [a, b]\n: c"), LESSON, "? [a, b]",
         "a value cannot be read: found unhashable key"),
    Case("unknown YAML tag", edit(LESSON, "level: beginner", "level: !shout beginner"), LESSON, "level: !shout",
         "a value cannot be read: could not determine a constructor for the tag '!shout'"),
    Case("alias inside itself", edit(LESSON, "level: beginner", "reflect: &a [*a]"), LESSON, 2,
         "a value refers to itself"),
    Case("date not a date", edit(LESSON, "date: 2026-05-04", "date: last May"), LESSON, "date: last May",
         "'date' should be a date"),
]


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_bad_content_is_reported_with_file_line_and_message(mini: Path, case: Case) -> None:
    case.change(mini)
    problems = load(mini)
    expected_line = case.line if isinstance(case.line, int) else line_of(mini / case.file, case.line)
    found = [p for p in problems if p.file == case.file and case.message in p.message]
    assert found, f"no problem matching {case.message!r} in {case.file}; got:\n" + "\n".join(map(str, problems))
    problem = found[0]
    assert problem.line == expected_line, problem
    assert problem.severity == case.severity
    assert problem.hint, "every problem says how to fix it"
    if case.hint:
        assert case.hint in problem.hint, problem.hint


def test_the_valid_fixture_has_no_problems(mini: Path) -> None:
    assert load(mini) == []


@pytest.mark.parametrize("image", ['<img src="truncated.png" alt="">', "<img src='truncated.png' alt=''>",
                                   '![](truncated.png){: alt=""}', "![](truncated.png){alt=''}"])
def test_an_explicitly_empty_alt_marks_a_decorative_image_which_is_valid(mini: Path, image: str) -> None:
    """WCAG technique H67: `alt=""` says "decoration, skip it"; only a missing alt is an error."""
    edit("learn/reading-charts.md", "![A bar chart with a truncated axis](truncated.png)", image)(mini)
    assert load(mini) == []


def test_every_problem_in_every_file_is_reported_in_one_run(mini: Path) -> None:
    for name in ("unknown author", "photo missing", "raw script", "bad utf-8", "unknown field"):
        next(c for c in CASES if c.name == name).change(mini)
    messages = {p.message for p in load(mini)}
    for expected in ("no person with id 'adaa'", "photo file 'ada.jpg' does not exist",
                     "<script> element is not allowed",
                     "byte 0xe9 is not valid UTF-8", "unknown field 'titel'"):
        assert any(expected in m for m in messages), (expected, messages)


def test_a_broken_file_does_not_make_its_references_look_broken(mini: Path) -> None:
    edit("people/ada.md", "role: Senior Demand Planner\n", "")(mini)
    problems = load(mini)
    assert [p.file for p in problems] == ["people/ada.md"], problems
    assert "required field 'role'" in problems[0].message


def test_a_misspelt_required_field_is_one_problem(mini: Path) -> None:
    edit(LESSON, "objectives:", "objectivs:")(mini)
    problems = load(mini)
    assert [(p.file, p.line, p.message, p.hint) for p in problems] == [
        (LESSON, 6, "unknown field 'objectivs'", "did you mean 'objectives'?")], problems


def test_a_misnamed_file_is_one_problem_not_one_per_reference(mini: Path) -> None:
    (mini / LESSON).rename(mini / "learn/Forecast Basics.md")  # referenced as forecast-basics three times
    problems = load(mini)
    assert [(p.file, p.code) for p in problems] == [("learn/Forecast Basics.md", "not-a-slug")], problems


def test_yes_and_no_stay_text_in_front_matter(mini: Path) -> None:
    edit(LESSON, "options: [A target, An estimate with uncertainty]", "options: [Yes, No]")(mini)
    settings = load_settings(mini.parent / "mkdocs.yml", content_dir=mini, today=TODAY)
    community = load_community(settings)
    assert community.problems == []
    assert community.lessons["forecast-basics"].meta.check[0].options == ["Yes", "No"]
