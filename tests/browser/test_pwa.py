"""The built demo site as an app, in Chromium: installable, works offline, saves a community for offline
reading, and offers an update after a rebuild — served at the root and under a sub-path."""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urljoin

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, Playwright, expect

from generator.cli import main
from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, StaticServer
from tests.conftest import ROOT, write_config

pytestmark = pytest.mark.browser

LESSON = "learn/forecasting-baselines/"
LESSON_TITLE = "Start every forecast with a naive baseline"


@dataclass
class Demo:
    folder: Path
    config: Path
    server: StaticServer

    @property
    def site(self) -> Path:
        return self.folder / "site"

    @property
    def content(self) -> Path:
        return self.folder / "content"

    def url(self, path: str = "") -> str:
        return self.server.url + path

    def build(self) -> None:
        assert main(["build", "--config-file", str(self.config), "--site-dir", str(self.site)]) == 0


@pytest.fixture(scope="module", params=["/", "/cop/"], ids=["root", "sub-path"])
def demo(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Demo]:
    """The demo community, built (from a copy, so tests can change it) and served under the mount."""
    mount: str = request.param
    folder = tmp_path_factory.mktemp("demo")
    shutil.copytree(ROOT / "content", folder / "content")
    server = StaticServer(folder / "site", mount)
    config = write_config(folder, docs_dir="content", site_url=server.origin + mount)
    demo = Demo(folder, config, server)
    demo.build()
    yield demo
    server.stop()


def ready(page: Page) -> None:
    """Wait until the service worker controls the page (it claims pages when it first activates)."""
    page.wait_for_function("() => navigator.serviceWorker.controller !== null", timeout=15_000)


def go_offline(context: BrowserContext) -> None:
    context.set_offline(True)  # the page and its service worker both lose the network


@pytest.fixture
def context(browser: Browser) -> Iterator[BrowserContext]:
    context = browser.new_context(viewport={"width": 360, "height": 740}, is_mobile=True, has_touch=True)
    yield context
    context.close()


def test_installable_with_icons_that_load(playwright: Playwright, demo: Demo, tmp_path: Path) -> None:
    context = playwright.chromium.launch_persistent_context(str(tmp_path / "profile"), executable_path=CHROMIUM,
                                                            args=CHROMIUM_ARGS)
    try:
        page = context.new_page()
        page.goto(demo.url())
        ready(page)
        session = context.new_cdp_session(page)
        assert session.send("Page.getInstallabilityErrors")["installabilityErrors"] == []
        manifest = session.send("Page.getAppManifest")
        assert manifest["errors"] == [], manifest["errors"]
        data = json.loads(manifest["data"])
        assert data["display"] == "standalone" and data["start_url"] == "./" and data["scope"] == "./"
        assert {s["name"] for s in data["shortcuts"]} == {"Search", "What's new", "People"}
        for icon in data["icons"]:
            size = page.evaluate("""async (src) => {
                const response = await fetch(new URL(src, document.querySelector('link[rel=manifest]').href));
                const bitmap = await createImageBitmap(await response.blob());
                return [response.status, response.headers.get('content-type'), bitmap.width];
            }""", icon["src"])
            assert size == [200, "image/png", int(icon["sizes"].split("x")[0])], icon
        assert any(i["purpose"] == "maskable" for i in data["icons"])
    finally:
        context.close()


def test_visited_pages_work_offline_and_unvisited_ones_show_the_offline_page(context: BrowserContext,
                                                                             demo: Demo) -> None:
    page = context.new_page()
    page.goto(demo.url())
    ready(page)
    visited = {"people/": "People", LESSON: LESSON_TITLE, "people/priya-raman/": "Priya Raman"}
    for path in visited:
        page.goto(demo.url(path))
    # One more, reached the way readers move around: Material's instant navigation (a fetch, not a load).
    page.goto(demo.url("people/priya-raman/"))
    page.locator("article a[href$='topics/data-analytics/']").first.click()
    expect(page.locator("article h1")).to_contain_text("Data & Analytics")
    visited["topics/data-analytics/"] = "Data & Analytics"

    go_offline(context)
    for path, title in visited.items():
        page.goto(demo.url(path))
        expect(page.locator("article h1").first).to_contain_text(title)
        expect(page.locator(".pr-offline-copy")).to_contain_text("Offline copy from")
    page.goto(demo.url("faq/excel-or-power-bi/"))
    expect(page.locator("article h1")).to_contain_text("You are offline")
    # Instant navigation offline, between saved pages.
    page.goto(demo.url("people/priya-raman/"))
    page.locator("article a[href$='topics/data-analytics/']").first.click()
    expect(page.locator("article h1")).to_contain_text("Data & Analytics")


def test_an_event_page_and_its_calendar_work_offline(context: BrowserContext, demo: Demo) -> None:
    page = context.new_page()
    page.goto(demo.url())
    ready(page)
    page.goto(demo.url("events/lunch-and-learn/"))
    fetch = "async (u) => { const r = await fetch(u); return [r.status, await r.text()]; }"
    assert page.evaluate(fetch, "../lunch-and-learn.ics")[0] == 200  # the reader opened it once (or subscribed)
    go_offline(context)
    page.goto(demo.url("events/lunch-and-learn/"))
    expect(page.locator("article h1").first).to_contain_text("Data lunch & learn")
    status, text = page.evaluate(fetch, "../lunch-and-learn.ics")
    assert status == 200 and text.startswith("BEGIN:VCALENDAR") and "UID:lunch-and-learn@" in text


def test_save_a_community_for_offline(context: BrowserContext, demo: Demo) -> None:
    page = context.new_page()
    page.goto(demo.url("topics/accessibility/"))
    ready(page)
    save = page.locator(".pr-save")
    expect(save).to_be_visible()
    page.get_by_role("button", name="Save this community for offline").click()
    expect(save.locator(".pr-save__status")).to_contain_text("Saved for offline on", timeout=30_000)
    expect(save.locator(".pr-save__status")).to_contain_text(" pages · ")
    listing = demo.site / "topics/accessibility" / (save.get_attribute("data-list") or "")
    urls = json.loads(listing.read_text())["pages"]
    assert len(urls) > 5

    go_offline(context)
    hub = page.url
    for url in urls:
        page.goto(urljoin(hub, url))
        heading = page.locator("article h1").first
        expect(heading).not_to_contain_text("You are offline")
        assert page.locator("article h1").count() == 1
    # Images of saved pages come from the device too.
    page.goto(hub)
    broken = page.evaluate("""async () => {
        const images = [...document.querySelectorAll('article img')];
        const failed = [];
        for (const img of images) {
            img.loading = 'eager';  // lazy images below the fold have not been asked for yet
            try { await img.decode(); } catch (e) { failed.push(img.currentSrc || img.src); }
        }
        return [images.length, failed];
    }""")
    assert broken[0] > 0 and broken[1] == [], broken

    context.set_offline(False)
    page.goto(hub)
    page.get_by_role("button", name="Remove offline copy").click()
    expect(save.locator(".pr-save__status")).to_have_text("Offline copy removed.")


def test_a_rebuild_offers_an_update_that_shows_the_new_content(context: BrowserContext, demo: Demo) -> None:
    page = context.new_page()
    page.goto(demo.url(LESSON))
    ready(page)
    expect(page.locator("article h1")).to_contain_text(LESSON_TITLE)
    old = json.loads((demo.site / "precache.json").read_text())["version"]
    assert active_version(page) == old

    lesson = demo.content / "learn" / "forecasting-baselines.md"
    text = lesson.read_text()
    assert f'title: "{LESSON_TITLE}"' in text
    lesson.write_text(text.replace(f'title: "{LESSON_TITLE}"', "title: Always start with a baseline"))
    demo.build()
    new = json.loads((demo.site / "precache.json").read_text())["version"]
    assert new != old

    page.evaluate("window.practica.registration.update()")
    prompt = page.locator(".pr-update")
    expect(prompt).to_contain_text("New content is available", timeout=15_000)
    page.get_by_role("button", name="Not now").click()
    expect(prompt).to_have_count(0)
    expect(page.locator("article h1")).to_contain_text(LESSON_TITLE)  # declining keeps the reader where they are
    assert active_version(page) == old

    page.reload()  # on the next visit the offer is made again
    expect(prompt).to_be_visible(timeout=15_000)
    with page.expect_navigation():
        page.get_by_role("button", name="Reload").click()
    expect(page.locator("article h1")).to_contain_text("Always start with a baseline")
    ready(page)
    assert active_version(page) == new
    expect(page.locator(".pr-update")).to_have_count(0)


def active_version(page: Page) -> str:
    """The version of the service worker controlling the page, asked over a message channel."""
    return str(page.evaluate("""() => new Promise((resolve) => {
        const channel = new MessageChannel();
        channel.port1.onmessage = (event) => resolve(event.data.version);
        navigator.serviceWorker.controller.postMessage({type: 'VERSION'}, [channel.port2]);
    })"""))


def search(page: Page, query: str) -> None:
    if not page.locator("#pr-search").evaluate("d => d.open"):
        page.get_by_role("button", name="Search").click()
    page.locator("#pr-search-input").fill(query)


def test_search_works_offline_for_what_was_searched_and_everything_once_saved(context: BrowserContext,
                                                                             demo: Demo) -> None:
    page = context.new_page()
    page.goto(demo.url())
    ready(page)
    search(page, "kanban")  # the kanban expert comes first, then the pages
    expect(page.locator(".pr-search__title").filter(has_text="Kanban").first).to_be_visible()

    go_offline(context)
    page.reload()
    search(page, "kanban")  # the index chunks, results and ranking of experts this device already fetched
    expect(page.locator(".pr-search__title").filter(has_text="Kanban").first).to_be_visible()
    expect(page.locator(".pr-search__status")).to_contain_text("You are offline")

    context.set_offline(False)
    page.reload()
    search(page, "x")
    page.get_by_role("button", name=re.compile(r"Save search for offline \(\d+\.\d MB\)")).click()
    expect(page.locator(".pr-search__save-status")).to_have_text("Search works offline on this device.",
                                                                 timeout=30_000)
    go_offline(context)
    page.reload()
    search(page, "heteroscedasticity")  # never searched before: answered from the saved index
    expect(page.locator(".pr-search__title").first).to_contain_text("Forecasting peak season")
