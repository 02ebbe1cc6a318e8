"""The demo site on a phone: fits 360 px, every control is big enough to tap, nothing is fetched from
other sites, and search finds people, answers and words said only in a video."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import StaticServer, own_service

pytestmark = pytest.mark.browser

PAGES = ["", "people/", "people/priya-raman/", "topics/data-analytics/", "skills/forecasting/",
         "learn/forecasting-baselines/", "videos/welcome-to-harbourline-communities/",
         "videos/forecasting-peak-season/", "faq/excel-or-power-bi/", "paths/new-analyst-first-month/", "new/",
         "faq/", "offline/", "events/", "events/lunch-and-learn/"]
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
    ours = (demo_server.origin, own_service())
    phone.on("request", lambda r: None if r.url.startswith(ours) else outside.append(r.url))
    for path in PAGES:
        phone.goto(demo_server.url + path)
        phone.wait_for_load_state("networkidle")
    assert outside == []


@pytest.mark.parametrize(("query", "expected"), [
    ("who knows forecasting", "Priya Raman"),  # the expert, ahead of pages that mention the word
    ("heteroscedasticity", "Forecasting peak season"),  # said only in a video's transcript
    ("MAPE", "Measuring forecast accuracy"),
    ("Who can I ask about screen readers?", "Adé Okafor"),  # ties Jonas de Vries on evidence; names break ties
])
def test_search_finds_people_answers_and_transcripts(phone: Page, demo_server: StaticServer, query: str,
                                                     expected: str) -> None:
    phone.goto(demo_server.url + "people/")
    phone.get_by_role("button", name="Search").click()
    phone.get_by_role("searchbox", name="Search people, lessons, answers and videos").fill(query)
    results = phone.locator(".pr-search__title")
    expect(results.first).to_be_visible(timeout=10_000)
    expect(phone.locator(".pr-search__status")).to_contain_text("result")
    top = [t.strip() for t in results.all_inner_texts()[:3]]
    assert expected in top[0], f"{query!r}: top results {top}"
    results.first.click()
    expect(phone.locator("article h1").first).to_contain_text(expected)
