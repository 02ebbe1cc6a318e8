"""Community guidelines as content (issue 17, "Moderation"): the site's `guidelines.md` and a community's own
`guidelines/<topic id>.md` are validated like any content file (file:line:field problems; HTML the sanitiser
would remove is refused at its line), published as pages, and named on each discussion for talk.js."""

from __future__ import annotations

from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from generator.cli import main
from generator.content.problems import Problem
from tests.conftest import write_config
from tests.soup import attr, one
from tests.test_validate import load

SITE_WIDE = """---
title: "How we talk here"
summary: "Be kind. Never post customer data. Stewards may hide a post with a reason."
---

## Be kind

Assume good intent, and answer the question that was asked.
"""
DATA = """---
title: "Data & Analytics: how we talk here"
summary: "Post made-up numbers, never a real customer's."
---

Share a query, not the data it returns.
"""


def with_guidelines(content: Path, site: str | None = SITE_WIDE, data: str | None = DATA) -> Path:
    if site is not None:
        (content / "guidelines.md").write_text(site, encoding="utf-8")
    if data is not None:
        (content / "guidelines").mkdir(exist_ok=True)
        (content / "guidelines" / "data.md").write_text(data, encoding="utf-8")
    return content


def errors(content: Path) -> list[Problem]:
    return [p for p in load(content) if p.severity == "error"]


def test_valid_guidelines_have_no_problems(mini: Path) -> None:
    assert errors(with_guidelines(mini)) == []


def test_no_guidelines_at_all_is_fine(mini: Path) -> None:
    assert errors(mini) == []


@pytest.mark.parametrize("payload", ['<script>alert(1)</script>', '<img src="x.png" alt="x" onerror="alert(1)">',
                                     '<a href="javascript:alert(1)">click</a>'])
def test_unsafe_html_is_refused_at_its_line(mini: Path, payload: str) -> None:
    with_guidelines(mini, site=SITE_WIDE + "\nFine text.\n\n" + payload + "\n")
    found = errors(mini)
    assert found, "unsafe HTML in the guidelines was not refused"
    assert {(p.file, p.line) for p in found} == {("guidelines.md", 12)}, found


def test_a_missing_summary_is_a_field_problem_with_its_file(mini: Path) -> None:
    with_guidelines(mini, site=None, data=DATA.replace('summary: "Post made-up numbers, never a real customer\'s."\n',
                                                       ""))
    found = errors(mini)
    assert [(p.file, p.field) for p in found] == [("guidelines/data.md", "summary")], found


def test_an_oversize_summary_and_an_unknown_field_are_refused(mini: Path) -> None:
    text = SITE_WIDE.replace("summary: \"Be kind.", "summary: \"" + "x" * 400 + " Be kind.").replace(
        "---\n\n", "onload: alert(1)\n---\n\n", 1)
    with_guidelines(mini, site=text, data=None)
    found = errors(mini)
    assert sorted((p.file, p.line, p.field) for p in found) == [("guidelines.md", 3, "summary"),
                                                                ("guidelines.md", 4, "onload")], found


def test_guidelines_for_a_community_that_does_not_exist_are_refused(mini: Path) -> None:
    with_guidelines(mini, data=None)
    (mini / "guidelines").mkdir()
    (mini / "guidelines" / "nope.md").write_text(DATA, encoding="utf-8")
    found = errors(mini)
    assert [(p.file, p.line, p.code) for p in found] == [("guidelines/nope.md", 1, "unknown-community")], found
    assert "data" in found[0].hint


def test_an_empty_body_is_refused(mini: Path) -> None:
    with_guidelines(mini, site=SITE_WIDE.split("## Be kind")[0], data=None)
    assert [(p.file, p.code) for p in errors(mini)] == [("guidelines.md", "empty-body")]


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    import shutil

    from tests.conftest import MINI
    folder = tmp_path_factory.mktemp("guidelines-site")
    shutil.copytree(MINI, folder / "content")
    with_guidelines(folder / "content")
    (folder / "content" / "guidelines.md").write_text(
        SITE_WIDE + "\nHTML a contributor may write stays: <strong>bold</strong>.\n", encoding="utf-8")
    config = write_config(folder, docs_dir="content", practica={"push_url": "http://127.0.0.1:9/api/v1"})
    assert main(["build", "--config-file", str(config), "--site-dir", str(folder / "site")]) == 0
    return folder / "site"


def page(site: Path, url: str) -> BeautifulSoup:
    return BeautifulSoup((site / url / "index.html").read_text(encoding="utf-8"), "html.parser")


def test_the_guidelines_are_pages(built: Path) -> None:
    site_wide = page(built, "guidelines")
    assert one(site_wide, "article h1").get_text(strip=True).rstrip("¶") == "How we talk here"
    assert "Never post customer data" in one(site_wide, ".pr-guidelines__summary").get_text()
    assert one(site_wide, "article h2").get_text(strip=True).rstrip("¶").startswith("Be kind")
    assert one(site_wide, "article strong").get_text() == "bold"
    data = page(built, "guidelines/data")
    assert one(data, "article h1").get_text(strip=True).rstrip("¶") == "Data & Analytics: how we talk here"
    links = {a.get_text(strip=True): attr(a, "href") for a in data.select(".pr-guidelines__more a")}
    assert links == {"Data & Analytics": "../../topics/data/", "site's guidelines": "../"}, links


def test_discussions_name_the_guidelines_that_apply(built: Path) -> None:
    lesson = one(page(built, "learn/forecast-basics"), "section[data-pr-talk]")  # in data: its own
    assert attr(lesson, "data-pr-guidelines") == "../../guidelines/data/"
    assert attr(lesson, "data-pr-guidelines-summary") == "Post made-up numbers, never a real customer's."
    board = one(page(built, "topics/data"), "section[data-pr-board]")
    assert attr(board, "data-pr-guidelines") == "../../guidelines/data/"
    link = one(board, ".pr-board__guidelines a")  # and a link above the board
    assert (link.get_text(), attr(link, "href")) == ("Data & Analytics: how we talk here", "../../guidelines/data/")


def test_the_stewards_page_is_built_for_search_engines_to_leave_alone(built: Path) -> None:
    stewards = page(built, "moderation")
    assert attr(one(stewards, 'meta[name="robots"]'), "content") == "noindex"
    assert one(stewards, "article h1").get_text(strip=True).rstrip("¶") == "Stewards' page"
    assert stewards.select_one("[data-pagefind-body]") is None
    assert one(stewards, "[data-pr-moderation] [data-mod-status]").get_text(strip=True) == "Loading…"
    assert page(built, "learn/forecast-basics").select_one('meta[name="robots"]') is None


def test_a_link_to_a_missing_page_is_a_warning_at_its_line(mini: Path) -> None:
    with_guidelines(mini, site=SITE_WIDE + "\nSee [the FAQ](faq/nope.md).\n", data=None)
    assert [(p.file, p.line, p.severity, p.code) for p in load(mini)] == [("guidelines.md", 10, "warning",
                                                                          "broken-link")]


def test_a_hostile_summary_stays_text_on_the_discussion(tmp_path: Path) -> None:
    import shutil

    from tests.conftest import MINI
    shutil.copytree(MINI, tmp_path / "content")
    hostile = '"><script>alert(1)</script><img src=x onerror=alert(1)> {{ 7*7 }} # heading'
    with_guidelines(tmp_path / "content", site=SITE_WIDE.replace(
        "Be kind. Never post customer data. Stewards may hide a post with a reason.", hostile.replace('"', '\\"')),
        data=None)
    config = write_config(tmp_path, docs_dir="content", practica={"push_url": "http://127.0.0.1:9/api/v1"})
    assert main(["build", "--config-file", str(config), "--site-dir", str(tmp_path / "site")]) == 0
    lesson = page(tmp_path / "site", "learn/forecast-basics")
    section = one(lesson, "section[data-pr-talk]")
    assert attr(section, "data-pr-guidelines") == "../../guidelines/"  # no community of its own: the site's
    assert attr(section, "data-pr-guidelines-summary") == hostile
    assert not any("alert" in script.get_text() for script in lesson.find_all("script"))
    assert section.find("img") is None and section.find("script") is None
    summary = one(page(tmp_path / "site", "guidelines"), ".pr-guidelines__summary")
    assert summary.get_text() == hostile and summary.find("script") is None
