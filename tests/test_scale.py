"""Pages stay the same size as the community grows: long lists are split into pages, hubs, skill pages
and profiles show a bounded number of items with a link to the rest."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from generator.pages import indexes, topics
from tests.conftest import CliResult, write_config
from tests.soup import after, one

LESSONS = 95
TOPICS = 14  # more communities than the home page lists


def lesson(n: int) -> str:
    return (f"---\ntitle: Lesson {n:03d}\nsummary: Number {n}.\ntopics: [data]\nauthors: [bo]\n"
            f"objectives: [Count to {n}]\nskills: [sql]\ndate: 2026-{1 + n % 12:02d}-{1 + n % 28:02d}\n---\n"
            f"Lesson {n} body.\n")


@pytest.fixture(scope="module")
def big_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    import shutil

    from generator.cli import main
    from tests.conftest import MINI

    folder = tmp_path_factory.mktemp("big")
    shutil.copytree(MINI, folder / "content")
    for n in range(LESSONS):
        (folder / "content" / "learn" / f"lesson-{n:03d}.md").write_text(lesson(n))
    for n in range(TOPICS):
        (folder / "content" / "topics" / f"topic-{n:02d}.md").write_text(
            f"---\nname: Accounts {n:02d}\nsummary: Number {n}.\nstewards: [bo]\n---\n")
    config = write_config(folder, docs_dir="content")
    assert main(["build", "--config-file", str(config), "--site-dir", str(folder / "site")]) == 0
    return folder / "site"


def html(site: Path, url: str) -> BeautifulSoup:
    return BeautifulSoup((site / url / "index.html").read_text(), "html.parser")


def titles(page: BeautifulSoup) -> list[str]:
    return [a.get_text() for a in page.select("article .pr-item__title")]


def test_section_index_is_split_into_pages(big_site: Path) -> None:
    total = LESSONS + 2
    first, second, third = (html(big_site, u) for u in ("learn/", "learn/page/2/", "learn/page/3/"))
    assert [len(titles(p)) for p in (first, second, third)] == [40, 40, total - 80]
    assert not (big_site / "learn/page/4").exists()
    assert one(first, ".pr-pager a[rel=next]")["href"] == "page/2/"
    assert one(second, ".pr-pager a[rel=prev]")["href"] == "../../"
    assert "Page 2 of 3 · 97 in all" in one(second, ".pr-pager__where").get_text()
    everything = titles(first) + titles(second) + titles(third)
    assert len(set(everything)) == total, "every lesson on exactly one page"


def test_hub_skill_and_profile_are_bounded_with_links_to_the_rest(big_site: Path) -> None:
    hub = html(big_site, "topics/data/")
    more = {a.get_text(): a["href"] for a in hub.select(".pr-more a")}
    assert more["All 97 lessons →"] == "learn/"
    new, lessons = (after(one(hub, f"#{anchor}"), "ul") for anchor in ("new", "lessons"))
    assert (len(new.select(".pr-item__title")), len(lessons.select(".pr-item__title"))) == (topics.LATEST,
                                                                                           topics.PER_KIND)
    assert len(titles(html(big_site, "topics/data/learn/"))) == 40
    assert (big_site / "topics/data/learn/page/3/index.html").exists()

    skill = html(big_site, "skills/sql/")
    assert len(titles(skill)) == 12
    assert one(skill, ".pr-more a")["href"] == "all/"
    assert len(titles(html(big_site, "skills/sql/all/"))) == 40

    profile = html(big_site, "people/bo/")
    wrote = after(one(profile, "#wrote"), "ul")
    assert len(wrote.select(".pr-item__title")) == 8
    assert one(profile, ".pr-more a")["href"] == "wrote/"
    listing = html(big_site, "people/bo/wrote/")
    assert listing.select(".pr-crumbs li")[-2].get_text() == "Bo Lindqvist"


def test_home_lists_the_busiest_communities_and_links_to_all(big_site: Path) -> None:
    home = html(big_site, "")
    listed = [a.get_text() for a in home.select(".pr-topic h3 a")]
    # Data & Analytics has every lesson; twelve empty communities come before it in the alphabet.
    assert len(listed) == indexes.HOME_TOPICS and "Data & Analytics" in listed
    assert listed == sorted(listed)
    link = home.find("a", string=re.compile("All .* communities"))
    assert link is not None and link.get_text() == f"All {TOPICS + 1} communities →" and link["href"] == "topics/"


def test_list_pages_stay_under_the_budget_with_many_items(big_site: Path) -> None:
    for url in ("topics/data/", "skills/sql/", "people/bo/", "learn/", "topics/data/learn/"):
        size = (big_site / url / "index.html").stat().st_size
        assert size < 40_000, (url, size)


def test_build_cli_works_on_the_big_site(cli: Callable[..., CliResult], big_site: Path) -> None:
    content = big_site.parent / "content"
    assert cli("validate", "--content", content, "--strict").code == 0
