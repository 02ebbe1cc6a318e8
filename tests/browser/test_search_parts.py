"""Search over an index in parts (generator/search.py), in Chromium: the demo community built with parts of at most
12 pages finds what one index finds, people first for a skill, pages that live in other parts, every result
through "Show more", and, once saved, works offline in every part."""

from __future__ import annotations

import gzip
import json
import re
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from generator import search as practica_search
from generator.cli import main
from tests.browser.conftest import StaticServer
from tests.browser.test_pwa import go_offline, ready, search
from tests.conftest import ROOT, write_config

pytestmark = pytest.mark.browser

MOST = 12


@dataclass
class Parted:
    site: Path
    server: StaticServer


@pytest.fixture(scope="module")
def parted(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Parted]:
    folder = tmp_path_factory.mktemp("parted-demo")
    shutil.copytree(ROOT / "content", folder / "content")
    server = StaticServer(folder / "site")
    config = write_config(folder, docs_dir="content", site_url=server.url, practica={"search_part_pages": MOST})
    assert main(["build", "--config-file", str(config), "--site-dir", str(folder / "site")]) == 0
    yield Parted(folder / "site", server)
    server.stop()


@pytest.fixture
def context(browser: Browser) -> Iterator[BrowserContext]:
    context = browser.new_context(viewport={"width": 360, "height": 740}, is_mobile=True, has_touch=True)
    yield context
    context.close()


def part_titles(site: Path, part: str) -> list[str]:
    """The titles of a part's lessons and answers (not people: a name is no better a query than a title)."""
    titles = []
    for fragment in sorted((site / practica_search.BUNDLE / part / "fragment").glob("*.pf_fragment")):
        data = gzip.decompress(fragment.read_bytes())
        page = json.loads(data[data.index(b"{"):])
        if re.fullmatch(r"/(learn|faq)/[^/]+/", page["url"]):
            titles.append(page["meta"]["title"])
    return titles


def watched(context: BrowserContext) -> tuple[Page, list[str]]:
    """A page that records JavaScript errors and Content-Security-Policy refusals."""
    page = context.new_page()
    problems: list[str] = []
    page.on("pageerror", lambda exc: problems.append(str(exc)))
    page.on("console", lambda m: problems.append(m.text) if "Content Security Policy" in m.text else None)
    return page, problems


def results(page: Page, query: str) -> tuple[int, list[str]]:
    """The number of results for `query`, and every result's path after "Show more" until none is left."""
    search(page, query)
    status = page.locator(".pr-search__status")
    expect(status).to_contain_text("result", timeout=15_000)
    counted = re.search(r"(\d+) results?", status.inner_text())
    assert counted, status.inner_text()
    more = page.get_by_role("button", name="Show more")
    while more.is_visible():
        shown = page.locator(".pr-search__result").count()
        more.click()
        expect(page.locator(".pr-search__result")).not_to_have_count(shown)
    return int(counted.group(1)), page.locator(".pr-search__result").evaluate_all(
        "as => as.map(a => new URL(a.href).pathname)")


def test_parts_find_what_one_index_finds(context: BrowserContext, parted: Parted, demo_server: StaticServer,
                                         demo_site: Path) -> None:
    """The same pages for a query, people first by the experts lookup, every result reachable, no CSP refusal."""
    assert json.loads((demo_site / practica_search.PARTS_LIST).read_text()) == {"parts": []}
    assert len(json.loads((parted.site / practica_search.PARTS_LIST).read_text())["parts"]) >= 3
    page, problems = watched(context)
    found = {}
    for server in (demo_server, parted.server):
        page.goto(server.url + "people/")
        total, links = results(page, "forecasting")
        assert len(links) == len(set(links)) == total
        expect(page.locator(".pr-search__title").first).to_have_text("Priya Raman")
        found[server.url] = sorted(links)
    assert found[parted.server.url] == found[demo_server.url]
    assert problems == []


def test_a_page_in_another_part_is_found_and_offline_once_saved(context: BrowserContext, parted: Parted) -> None:
    parts = json.loads((parted.site / practica_search.PARTS_LIST).read_text())["parts"]
    second, last = part_titles(parted.site, parts[0]), part_titles(parted.site, parts[-1])
    assert second and last
    page, problems = watched(context)
    page.goto(parted.server.url)
    ready(page)
    search(page, second[0])
    expect(page.locator(".pr-search__title").filter(has_text=second[0]).first).to_be_visible(timeout=15_000)

    page.get_by_role("button", name=re.compile(r"Save search for offline \(\d+\.\d MB\)")).click()
    expect(page.locator(".pr-search__save-status")).to_have_text("Search works offline on this device.",
                                                                 timeout=30_000)
    go_offline(context)
    page.reload()
    search(page, last[-1])  # never searched before, in the last part: answered from what was saved
    expect(page.locator(".pr-search__title").filter(has_text=last[-1]).first).to_be_visible(timeout=15_000)
    expect(page.locator(".pr-search__status")).to_contain_text("You are offline")
    assert problems == []
