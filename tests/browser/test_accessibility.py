"""WCAG 2.2 AA on the built demo site, in Chromium: axe-core on every page type (light and dark, phone
and desktop), the keyboard alone, structure for screen readers, reduced motion and 400 % zoom."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from pathlib import Path
from typing import Literal

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from tests.browser.conftest import StaticServer
from tests.conftest import ROOT

pytestmark = pytest.mark.browser

AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
Scheme = Literal["light", "dark"]  # the colour schemes every page is checked in
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"]
PAGES = {
    "home": "",
    "directory": "people/",
    "profile": "people/priya-raman/",
    "community hub": "topics/data-analytics/",
    "skill": "skills/forecasting/",
    "lesson with a knowledge check": "learn/forecasting-baselines/",
    "lesson in Arabic (right to left)": "learn/passphrases-and-mfa-ar/",
    "lesson in French": "learn/passphrases-and-mfa-fr/",
    "local video": "videos/welcome-to-harbourline-communities/",
    "external video facade": "videos/forecasting-peak-season/",
    "faq": "faq/excel-or-power-bi/",
    "path": "paths/new-analyst-first-month/",
    "what's new": "new/",
    "event series": "events/lunch-and-learn/",
    "events": "events/",
    "cancelled event": "events/accessibility-demo-day/",
    "offline page": "offline/",
    "notifications page (service not running)": "notifications/",
    "content health": "health/",
}


def axe(page: Page) -> list[str]:
    """WCAG A/AA violations (plus the dialog-name rule Material's own pages failed), one line each."""
    if not AXE.exists():
        pytest.fail(f"{AXE} is missing: `make test` installs axe-core from the npm registry")
    # Evaluated through DevTools, not added as an inline <script>: the pages' Content-Security-Policy blocks those.
    page.evaluate(AXE.read_text(encoding="utf-8") + "\n;undefined")
    # Judge the page at rest: a colour or opacity transition still running (a result fading in, a link's
    # hover colour) would be measured half way. At most two seconds.
    page.evaluate("""() => Promise.race([
        Promise.all(document.getAnimations().map((a) => a.finished.catch(() => null))),
        new Promise((done) => setTimeout(done, 2000))])""")
    result = page.evaluate("""(tags) => axe.run(document, {runOnly: {type: 'tag', values: tags}})
        .then(async (r) => ({wcag: r.violations,
                             dialog: (await axe.run(document, {runOnly: ['aria-dialog-name']})).violations}))""",
                           WCAG_TAGS)
    return [f"{v['id']} ({v['impact']}): {n['target']} {n['failureSummary'][:200]}"
            for v in result["wcag"] + result["dialog"] for n in v["nodes"]]


@pytest.fixture(scope="module", params=[("light", 360), ("dark", 360), ("light", 1280), ("dark", 1280)],
                ids=["light-phone", "dark-phone", "light-desktop", "dark-desktop"])
def looking(request: pytest.FixtureRequest, browser: Browser) -> Iterator[Page]:
    scheme, width = request.param
    context = browser.new_context(viewport={"width": width, "height": 900}, color_scheme=scheme)
    yield context.new_page()
    context.close()


@pytest.mark.parametrize("name", list(PAGES))
def test_axe_finds_no_wcag_violations(looking: Page, demo_server: StaticServer, name: str) -> None:
    looking.goto(demo_server.url + PAGES[name])
    assert axe(looking) == []


def test_axe_after_interacting(looking: Page, demo_server: StaticServer) -> None:
    """States that only exist after a reader does something: answered checks, a filtered directory, a
    loaded video player, the search dialog open."""
    looking.goto(demo_server.url + "learn/forecasting-baselines/")
    for form in looking.locator("form.pr-check").all():
        form.locator("input[type=radio]").first.check()
        form.get_by_role("button", name="Check answer").click()
    assert axe(looking) == []
    looking.goto(demo_server.url + "people/")
    looking.get_by_label("Name, skill, place or team").fill("zzz")
    assert axe(looking) == []
    looking.goto(demo_server.url + "videos/forecasting-peak-season/")
    looking.route("**/*", lambda route: route.abort() if "127.0.0.1" not in route.request.url else route.continue_())
    looking.locator(".pr-facade__play").click()
    assert axe(looking) == []
    looking.goto(demo_server.url + "faq/")
    looking.get_by_role("button", name="Search").click()
    looking.locator("#pr-search-input").fill("forecast")
    looking.locator(".pr-search__result").first.wait_for()
    assert axe(looking) == []


@pytest.fixture
def keyboard(browser: Browser) -> Iterator[Page]:
    context: BrowserContext = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    yield page
    context.close()


def tab_to(page: Page, selector: str, limit: int = 250) -> None:
    """Press Tab until the focused element matches `selector`; every stop on the way must show focus."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        visible = page.evaluate("""async () => {
            let el = document.activeElement;
            if (!el || el === document.body) return true;
            // Let a focus transition (e.g. of the outline's width) finish before judging it, within a second.
            const settled = Promise.all(el.getAnimations().map((a) => a.finished.catch(() => null)));
            await Promise.race([settled, new Promise((done) => setTimeout(done, 1000))]);
            // Material hides some inputs (palette toggles) and draws their focus on the label instead.
            const hidden = el.offsetWidth === 0 || getComputedStyle(el).opacity === '0';
            if (hidden) {
                const near = [el.nextElementSibling, ...(el.labels || [])];
                el = near.find(l => l && l.tagName === 'LABEL' && l.offsetWidth) || el;
            }
            const ring = (node) => {
                const style = getComputedStyle(node);
                const outline = style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0;
                return outline || style.boxShadow !== 'none';
            };
            // The ring may be drawn by the element or, for composite controls such as a video, its container.
            for (let node = el, depth = 0; node && depth < 3; node = node.parentElement, depth += 1) {
                if (ring(node)) return true;
            }
            return false;
        }""")
        described = page.evaluate("document.activeElement.outerHTML.slice(0, 120)")
        assert visible, f"focus is not visible on {described}"
        if page.evaluate("(s) => document.activeElement.matches(s)", selector):
            return
    raise AssertionError(f"Tab never reached {selector}")


def test_keyboard_directory_filter(keyboard: Page, demo_server: StaticServer) -> None:
    keyboard.goto(demo_server.url + "people/")
    tab_to(keyboard, "#pr-filter-q")
    keyboard.keyboard.type("forecast")
    expect(keyboard.locator(".pr-filter__count")).to_contain_text("match")
    tab_to(keyboard, "#pr-filter-skill")
    keyboard.keyboard.press("ArrowDown")
    expect(keyboard.locator(".pr-filter__count")).to_have_attribute("role", "status")


def test_keyboard_knowledge_check(keyboard: Page, demo_server: StaticServer) -> None:
    keyboard.goto(demo_server.url + "learn/forecasting-baselines/")
    tab_to(keyboard, "form.pr-check input[type=radio]")
    keyboard.keyboard.press("ArrowDown")  # radio groups move with arrow keys
    tab_to(keyboard, "form.pr-check button.pr-check__submit")
    keyboard.keyboard.press("Enter")
    expect(keyboard.locator("form.pr-check .pr-check__result").first).not_to_be_empty()


def test_keyboard_path_progress_and_save_for_offline(keyboard: Page, demo_server: StaticServer) -> None:
    keyboard.goto(demo_server.url + "paths/new-analyst-first-month/")
    tab_to(keyboard, ".pr-step__done input")
    keyboard.keyboard.press("Space")
    expect(keyboard.locator(".pr-path__count")).to_contain_text("1 of")
    keyboard.wait_for_function("() => navigator.serviceWorker.controller !== null", timeout=15_000)
    tab_to(keyboard, ".pr-save__button")
    keyboard.keyboard.press("Enter")
    expect(keyboard.locator(".pr-save__status")).to_contain_text("Saved for offline", timeout=30_000)


def test_keyboard_video_facade_and_chapters(keyboard: Page, demo_server: StaticServer) -> None:
    keyboard.route("**/*", lambda route: route.abort() if "127.0.0.1" not in route.request.url else route.continue_())
    keyboard.goto(demo_server.url + "videos/forecasting-peak-season/")
    tab_to(keyboard, ".pr-facade__play")
    keyboard.keyboard.press("Enter")
    expect(keyboard.locator(".pr-facade iframe")).to_have_count(1)
    keyboard.goto(demo_server.url + "videos/welcome-to-harbourline-communities/")
    tab_to(keyboard, '.pr-chapter:not([data-seek="0"])')
    keyboard.keyboard.press("Enter")
    keyboard.wait_for_function("() => document.querySelector('.pr-video video').currentTime > 0", timeout=10_000)


def test_keyboard_install_button(keyboard: Page, demo_server: StaticServer) -> None:
    keyboard.goto(demo_server.url)
    # Chromium only offers installation to a real user over time; stand in for its event to test our button.
    keyboard.evaluate("""() => {
        const event = new Event('beforeinstallprompt');
        event.prompt = () => { window.__prompted = true; };
        event.userChoice = Promise.resolve({outcome: 'accepted'});
        window.dispatchEvent(event);
    }""")
    tab_to(keyboard, ".pr-install__button")
    keyboard.keyboard.press("Enter")
    assert keyboard.evaluate("window.__prompted === true")


@pytest.mark.parametrize("name", list(PAGES))
def test_structure_for_screen_readers(keyboard: Page, demo_server: StaticServer, name: str) -> None:
    keyboard.goto(demo_server.url + PAGES[name])
    assert keyboard.locator("main").count() == 1 and keyboard.locator("header").count() >= 1
    assert keyboard.locator("article h1").count() == 1, "one page title"
    levels = keyboard.evaluate("[...document.querySelectorAll('article h1, article h2, article h3, article h4')]"
                               ".map(h => +h.tagName[1])")
    assert all(b - a <= 1 for a, b in itertools.pairwise(levels)), f"skipped heading level: {levels}"
    unlabelled_svgs = keyboard.evaluate("""[...document.querySelectorAll('article svg')]
        .filter(s => s.getAttribute('aria-hidden') !== 'true' && !s.getAttribute('aria-label')
                     && !s.closest('[aria-hidden=true]')).length""")
    assert unlabelled_svgs == 0, "decorative icons are hidden from assistive technology"
    photos = keyboard.evaluate("[...document.querySelectorAll('article img.pr-avatar')].map(i => i.alt)")
    assert all(photos), "every photo is named"


def test_live_regions_announce_changes(keyboard: Page, demo_server: StaticServer) -> None:
    for path, selector in (("people/", ".pr-filter__count"), ("learn/forecasting-baselines/", ".pr-check__result"),
                           ("topics/data-analytics/", ".pr-save__status"),
                           ("paths/new-analyst-first-month/", ".pr-path__progress")):
        keyboard.goto(demo_server.url + path)
        region = keyboard.locator(selector).first
        assert region.get_attribute("aria-live") == "polite" or region.get_attribute("role") == "status", path


def test_reduced_motion_is_honoured(browser: Browser, demo_server: StaticServer) -> None:
    context = browser.new_context(reduced_motion="reduce")
    page = context.new_page()
    page.goto(demo_server.url + "learn/forecasting-baselines/")
    durations = page.evaluate("""[...document.querySelectorAll('.md-button, .md-header, .md-nav__link')]
        .map(el => parseFloat(getComputedStyle(el).transitionDuration) || 0)""")
    context.close()
    assert durations and max(durations) <= 0.001


@pytest.mark.parametrize("name", list(PAGES))
def test_reflows_at_400_percent_zoom(browser: Browser, demo_server: StaticServer, name: str) -> None:
    """1280 px at 400 % is 320 CSS px: everything must fit without scrolling sideways."""
    context = browser.new_context(viewport={"width": 320, "height": 256})
    page = context.new_page()
    page.goto(demo_server.url + PAGES[name])
    overflow = page.evaluate("document.documentElement.scrollWidth")
    clipped = page.evaluate("""[...document.querySelectorAll('article *')]
        .filter(el => el.getBoundingClientRect().right > 321 && getComputedStyle(el).position !== 'fixed'
                      && !el.closest('.pr-table-wrap, .highlight, pre, .md-typeset__scrollwrap, table'))
        .map(el => el.tagName + '.' + el.className).slice(0, 5)""")
    context.close()
    assert overflow <= 320 and clipped == [], (overflow, clipped)


def test_contributing_lists_the_accessibility_checks() -> None:
    text = (Path(ROOT) / "CONTRIBUTING.md").read_text(encoding="utf-8")
    assert "every image has alt text" in text and "captions or a transcript" in text
