"""Issue 14's phone fixes that the HTML itself shows (parsed, no browser): the player right after a video's
title, long chip lists behind "+N more", no repository link in the header or drawer, a profile's "member of"
sentence in one piece, and health-table cells that name their column."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from bs4 import BeautifulSoup, Tag

from generator.cli import main
from tests.conftest import MINI, write_config
from tests.soup import one


def page(site: Path, url: str) -> BeautifulSoup:
    return BeautifulSoup((site / url / "index.html").read_text(encoding="utf-8"), "html.parser")


def words(element: Tag) -> str:
    return " ".join(element.get_text(" ", strip=True).split())


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The mini community with a lesson of five skills and four authors (names with markup in them)."""
    folder = tmp_path_factory.mktemp("phone")
    content = folder / "content"
    shutil.copytree(MINI, content)
    with (content / "skills.yml").open("a", encoding="utf-8") as skills:
        skills.write("- id: budgeting\n  name: Budgeting\n- id: excel\n  name: Excel\n"
                     "- id: statistics\n  name: <b>Statistics</b>\n")
    for person in ("cy", "di"):
        (content / "people" / f"{person}.md").write_text(
            f"---\nname: <i>{person.title()}</i> Example\nrole: Analyst\n---\n", encoding="utf-8")
    lesson = content / "learn" / "forecast-basics.md"
    text = lesson.read_text(encoding="utf-8")
    text = text.replace("skills: [forecasting]",
                        "skills: [forecasting, sql, data-visualisation, budgeting, statistics]")
    text = text.replace("authors: [ada]", "authors: [ada, bo, cy, di]")
    lesson.write_text(text, encoding="utf-8")
    config = write_config(folder, docs_dir=str(content))
    assert main(["build", "--config-file", str(config), "--site-dir", str(folder / "site")]) == 0
    return folder / "site"


def test_the_player_comes_right_after_a_video_title(site: Path) -> None:
    for url in ("videos/intro-video", "videos/external-talk"):
        title = page(site, url).select_one("article h1")
        assert title is not None
        after = title.find_next_sibling(True)
        assert after is not None and after.name == "figure" and "pr-video" in after["class"], url


def test_a_long_chip_list_shows_three_and_the_rest_behind_more(site: Path) -> None:
    body = page(site, "learn/forecast-basics")
    skills = body.select_one('.pr-tags ul[aria-label="Skills"]')
    assert skills is not None
    shown = skills.find_all("li", recursive=False)
    assert len(shown) == 4 and "pr-chips__more" in shown[-1]["class"]
    summary = shown[-1].select_one("details > summary")
    assert summary is not None
    assert words(one(summary, ".pr-chipmore__closed")) == "+2 more skills"
    rest = shown[-1].select_one('ul[aria-label="More skills"]')
    assert rest is not None
    assert [words(a) for a in rest.select("a.pr-chip")] == ["Budgeting", "<b>Statistics</b>"]  # text, not markup
    assert body.select_one(".pr-tags b") is None

    byline = body.select_one(".pr-byline .pr-people")
    assert byline is not None
    assert len(byline.find_all("a", class_="pr-person-chip", recursive=False)) == 3
    hidden = byline.select(".pr-chipmore .pr-person-chip")
    assert [words(one(a, ":scope > span:not(.pr-avatar)")) for a in hidden] == ["<i>Di</i> Example"]
    assert body.select_one(".pr-byline i") is None


def test_a_short_chip_list_is_shown_whole(site: Path) -> None:
    body = page(site, "learn/reading-charts")
    assert body.select_one(".pr-tags .pr-chipmore") is None
    assert body.select_one(".pr-byline .pr-chipmore") is None


def test_no_repository_link_in_the_header_or_drawer(site: Path) -> None:
    for url in ("", "learn/forecast-basics", "people/ada", "health"):
        body = page(site, url)
        assert body.select(".md-header .md-source, .md-sidebar .md-source, .md-nav__source") == [], url
        footer = body.select_one(".md-footer .pr-footer-links")
        assert footer is not None
        assert "Contribute (source)" in [words(a) for a in footer.select("a")]


def test_member_of_is_one_sentence(site: Path) -> None:
    member = page(site, "people/ada").select_one(".pr-member")
    assert member is not None
    parts = [c for c in member.children if isinstance(c, Tag)]
    # An icon and one span: links and punctuation are not separate flex items (a gap used to open before ";").
    assert [c.name for c in parts] == ["span", "span"]
    assert " ;" not in parts[1].get_text() and " ," not in parts[1].get_text()


def test_health_cells_name_their_column(site: Path) -> None:
    body = page(site, "health")
    tables = body.select("table.pr-health")
    assert tables
    for table in tables:
        headers = [words(th) for th in table.select("thead th")]
        for row in table.select("tbody tr"):
            assert [td.get("data-label") for td in row.find_all("td")] == headers
