"""The Content-Security-Policy in Chromium: nothing the site does is blocked by it (every page, instant
navigation between pages of different depth, search, the video player, notifications, the service worker),
and a script the theme did not write is."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, ConsoleMessage, Page, expect

from generator.cli import main
from tests.browser.conftest import StaticServer, landed
from tests.conftest import write_config

pytestmark = pytest.mark.browser

LISTEN = """document.addEventListener("securitypolicyviolation", (e) => window.__cspViolation(
  `${e.effectiveDirective} blocked ${e.blockedURI || "inline"} at ${location.pathname}: ${e.sample}`));"""


class Watched:
    """A page whose CSP violations (events and console errors) are collected across navigations."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self.violations: list[str] = []
        page.expose_function("__cspViolation", self._violation)
        page.add_init_script(LISTEN)
        page.on("console", self._console)

    def _violation(self, text: str) -> None:
        self.violations.append(text)

    def _console(self, message: ConsoleMessage) -> None:
        if message.type == "error" and "Content Security Policy" in message.text:
            self.violations.append(message.text)


@pytest.fixture
def watched(browser: Browser) -> Iterator[Watched]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    yield Watched(page)
    context.close()
    assert errors == [], f"JavaScript errors: {errors}"


def test_no_page_of_the_site_breaks_its_policy(watched: Watched, mini_site: Path, mini_server: StaticServer) -> None:
    pages = sorted(p.relative_to(mini_site).as_posix().removesuffix("index.html") for p in mini_site.rglob("*.html"))
    for path in pages:
        watched.page.goto(mini_server.url + path, wait_until="load")
    assert len(pages) > 20
    assert watched.violations == []


@pytest.fixture(scope="module")
def mini_at_its_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[StaticServer]:
    """The mini community built with site_url = where it is served (Material navigates instantly only then)."""
    folder = tmp_path_factory.mktemp("csp-mini")
    server = StaticServer(folder / "site")
    config = write_config(folder, site_url=server.url)
    assert main(["build", "--config-file", str(config), "--site-dir", str(folder / "site")]) == 0
    yield server
    server.stop()


def test_instant_navigation_search_video_and_notifications_run_under_the_policy(
        watched: Watched, mini_at_its_url: StaticServer) -> None:
    mini_server = mini_at_its_url
    page = watched.page
    page.goto(mini_server.url)
    # A function, not an expression: Playwright polls an expression with eval, which the policy forbids.
    page.wait_for_function("() => navigator.serviceWorker.controller !== null", timeout=15_000)
    page.evaluate("window.__sameDocument = true")
    page.locator('article a[href$="learn/reading-charts/"]').first.click()
    page.wait_for_url(landed("learn/reading-charts/"))
    page.locator('article a[href$="people/ada/"]').first.click()
    page.wait_for_url(landed("people/ada/"))
    assert page.evaluate("window.__sameDocument === true"), "Material's instant navigation swapped the pages"

    page.get_by_role("button", name="Search").click()
    page.locator("#pr-search-input").fill("forecast")
    expect(page.locator(".pr-search__result").first).to_be_visible()

    page.route("**/*", lambda route: route.abort() if not route.request.url.startswith(mini_server.origin)
               else route.continue_())
    page.goto(mini_server.url + "videos/external-talk/")
    page.locator(".pr-facade__play").click()
    expect(page.locator(".pr-facade iframe")).to_have_count(1)

    page.goto(mini_server.url + "notifications/")
    page.wait_for_load_state("networkidle")
    assert watched.violations == []


def test_a_script_injected_into_a_page_does_not_run(watched: Watched, mini_site: Path, tmp_path: Path) -> None:
    lesson = (mini_site / "learn" / "forecast-basics" / "index.html").read_text(encoding="utf-8")
    site = tmp_path / "site"
    (site / "learn" / "forecast-basics").mkdir(parents=True)
    injected = lesson.replace("</article>", "<script>window.__injected = true</script><img src=x "
                              'onerror="window.__injected = true"></article>', 1)
    (site / "learn" / "forecast-basics" / "index.html").write_text(injected, encoding="utf-8")
    server = StaticServer(site)
    try:
        watched.page.goto(server.url + "learn/forecast-basics/", wait_until="load")
        assert watched.page.evaluate("window.__injected === undefined")
    finally:
        server.stop()
    assert any("script-src" in v for v in watched.violations)
