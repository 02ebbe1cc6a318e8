"""The directory and /new/ on a phone, in Chromium: the filter matches what a card says (place, team,
availability, community), a person's local time is computed in the browser, and /new/'s type chips filter
in place."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import StaticServer

pytestmark = pytest.mark.browser


@pytest.fixture
def london_clock(browser: Browser) -> Iterator[Page]:
    """A phone in New York whose clock reads 1 December 2026, 14:05 in London."""
    context = browser.new_context(viewport={"width": 360, "height": 740}, is_mobile=True, has_touch=True,
                                  locale="en-GB", timezone_id="America/New_York")
    page = context.new_page()
    page.clock.set_fixed_time(dt.datetime(2026, 12, 1, 14, 5, tzinfo=dt.UTC))
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    yield page
    context.close()
    assert errors == []


@pytest.mark.parametrize(("query", "who"), [("leeds", ["Ada Okafor"]), ("mentoring", ["Ada Okafor"]),
                                            ("planning", ["Ada Okafor"]), ("data & analytics", ["Ada Okafor",
                                                                                                "Bo Lindqvist"]),
                                            ("analyst", ["Bo Lindqvist"])])
def test_directory_filter_matches_place_team_availability_and_community(phone: Page, mini_server: StaticServer,
                                                                        query: str, who: list[str]) -> None:
    phone.goto(mini_server.url + "people/")
    phone.get_by_label("Name, skill, place or team").fill(query)
    expect(phone.locator(".pr-directory > li.pr-person").filter(visible=True).locator(".pr-person__name")
           ).to_have_text(who)


def test_directory_filters_by_team(phone: Page, mini_server: StaticServer) -> None:
    phone.goto(mini_server.url + "people/?team=Planning")
    expect(phone.get_by_label("Team", exact=True)).to_have_value("Planning")
    cards = phone.locator(".pr-directory > li.pr-person").filter(visible=True)
    expect(cards.locator(".pr-person__name")).to_have_text(["Ada Okafor"])
    phone.get_by_label("Team", exact=True).select_option("")
    expect(cards).to_have_count(2)


def test_local_time_is_computed_from_the_timezone(london_clock: Page, mini_server: StaticServer) -> None:
    london_clock.goto(mini_server.url + "people/")
    ada = london_clock.locator(".pr-directory > li.pr-person").first
    expect(ada.locator(".pr-localtime")).to_have_text("14:05 local time")
    # The separator is CSS generated content (so a card without a place has none); screen readers read it.
    expect(ada.locator(".pr-person__where")).to_match_aria_snapshot("- paragraph: Leeds · 14:05 local time")


def test_local_time_after_instant_navigation(london_clock: Page, demo_server: StaticServer) -> None:
    london_clock.goto(demo_server.url)
    london_clock.get_by_role("link", name="Find an expert").click()
    london_clock.wait_for_url("**/people/")
    priya = london_clock.locator(".pr-directory > li.pr-person", has_text="Priya Raman")
    expect(priya.locator(".pr-localtime")).to_have_text("14:05 local time")


def test_new_type_chips_filter_in_place(phone: Page, mini_server: StaticServer) -> None:
    phone.goto(mini_server.url + "new/")
    chips = phone.locator("nav.pr-kinds a")
    expect(chips).to_have_text(["All", "Lessons", "Videos", "FAQs", "Paths"])
    items = phone.locator(".pr-new li.pr-item")
    total = items.count()
    chips.filter(has_text="Videos").click()
    expect(phone).to_have_url(mini_server.url + "new/")
    expect(chips.filter(has_text="Videos")).to_have_attribute("aria-current", "true")
    shown = items.filter(visible=True)
    expect(shown.first).to_be_visible()
    assert all("pr-item--video" in (c or "") for c in shown.evaluate_all("els => els.map(e => e.className)"))
    for week in phone.locator(".pr-week").all():
        if week.is_visible():
            expect(week.locator("li.pr-item--video").first).to_be_visible()
    chips.filter(has_text="All").click()
    expect(items.filter(visible=True)).to_have_count(total)
