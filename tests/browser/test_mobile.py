"""The demo site on a phone: fits 360 px, every control is big enough to tap, nothing is fetched from
other sites, and Material's search finds people, answers and words said only in a video."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

from tests.browser.conftest import StaticServer

pytestmark = pytest.mark.browser

PAGES = ["", "people/", "people/priya-raman/", "topics/data-analytics/", "skills/forecasting/",
         "learn/forecasting-baselines/", "videos/welcome-to-harbourline-communities/",
         "videos/forecasting-peak-season/", "faq/excel-or-power-bi/", "paths/new-analyst-first-month/", "new/",
         "faq/", "offline/"]
# Practica's own controls; inline links inside running text are exempt, as in WCAG 2.5.8.
CONTROLS = (".pr-chip, .pr-item__title, .pr-person-chip, .md-typeset .md-button, .pr-crumbs a, .pr-filter input, "
            ".pr-filter select, .pr-check__option, .pr-chapter, .pr-step__done, .pr-step__title, .pr-person__name a, "
            ".pr-expert__name, .pr-transcript summary, .pr-facade__play, .pr-topic h2 a, .pr-topic h3 a, "
            ".pr-ranked__person a, .pr-edit")


@pytest.mark.parametrize("path", PAGES)
def test_fits_the_screen_and_controls_are_big_enough_to_tap(phone: Page, demo_server: StaticServer,
                                                            path: str) -> None:
    response = phone.goto(demo_server.url + path)
    assert response is not None and response.ok, path
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
    small = phone.evaluate("""(selector) => [...document.querySelectorAll(selector)]
        .filter((el) => el.offsetParent !== null)
        .map((el) => [el.className || el.tagName, el.textContent.trim().slice(0, 30),
                      el.getBoundingClientRect().height])
        .filter(([, , h]) => h < 43.5)""", CONTROLS)
    assert small == [], f"{path or 'home'}: tap targets under 44 px: {small[:5]}"


def test_nothing_is_requested_from_other_sites(phone: Page, demo_server: StaticServer) -> None:
    outside: list[str] = []
    phone.on("request", lambda r: outside.append(r.url) if not r.url.startswith(demo_server.origin) else None)
    for path in PAGES:
        phone.goto(demo_server.url + path)
        phone.wait_for_load_state("networkidle")
    assert outside == []


@pytest.mark.parametrize(("query", "expected"), [
    ("who knows forecasting", "Priya Raman"),  # the expert, ahead of pages that mention the word
    ("heteroscedasticity", "Forecasting peak season"),  # said only in a video's transcript
    ("MAPE", "Measuring forecast accuracy"),
    ("accessibility", "Adé Okafor"),
])
def test_search_finds_people_answers_and_transcripts(phone: Page, demo_server: StaticServer, query: str,
                                                     expected: str) -> None:
    phone.goto(demo_server.url + "people/")
    phone.locator("label.md-header__button[for=__search]").click()
    box = phone.locator("input.md-search__input")
    results = phone.locator(".md-search-result__item > a .md-search-result__article h1")
    for _ in range(5):  # typing before the search worker has loaded its index is ignored: type again
        box.fill("")
        box.press_sequentially(query)
        try:
            results.first.wait_for(state="visible", timeout=3_000)
            break
        except PlaywrightTimeoutError:
            continue
    expect(results.first).to_be_visible()
    top = [t.strip() for t in results.all_inner_texts()[:3]]
    assert expected in top[0], f"{query!r}: top results {top}"
