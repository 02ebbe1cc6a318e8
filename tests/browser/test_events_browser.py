"""Event pages in Chromium: the reader's own time beside the event's, the calendar download, and no script
errors under the page's Content-Security-Policy (the demo site, built with today's date)."""

from __future__ import annotations

import re

import icalendar
import pytest
from playwright.sync_api import Browser, expect

from tests.browser.conftest import StaticServer, checked_page

pytestmark = pytest.mark.browser


def test_a_reader_in_another_zone_sees_their_own_time(browser: Browser, demo_server: StaticServer) -> None:
    context = browser.new_context(viewport={"width": 360, "height": 740}, timezone_id="America/New_York",
                                  locale="en-GB")
    with checked_page(context) as page:
        page.goto(demo_server.url + "events/lunch-and-learn/")
        mine = page.locator("[data-pr-when]")
        expect(mine).to_be_visible()
        # The series is at 12:30 in London: 07:30 in New York (both on winter or both on summer time).
        expect(mine).to_have_text(re.compile(r"Your time: .*07:30.*EST|Your time: .*07:30.*GMT-5|"
                                             r"Your time: .*07:30.*EDT|Your time: .*07:30.*GMT-4"))
    context.close()


def test_a_reader_in_the_event_zone_sees_no_second_time(browser: Browser, demo_server: StaticServer) -> None:
    context = browser.new_context(viewport={"width": 360, "height": 740}, timezone_id="Europe/London")
    with checked_page(context) as page:
        page.goto(demo_server.url + "events/lunch-and-learn/")
        expect(page.locator(".pr-event-when__next")).to_be_visible()
        expect(page.locator("[data-pr-when]")).to_be_hidden()
    context.close()


def test_add_to_calendar_downloads_the_event_ics(browser: Browser, demo_server: StaticServer) -> None:
    context = browser.new_context(accept_downloads=True)
    with checked_page(context) as page:
        page.goto(demo_server.url + "events/lunch-and-learn/")
        with page.expect_download() as download:
            page.get_by_role("link", name="Add to calendar (.ics)").click()
        path = download.value.path()
        cal = icalendar.Calendar.from_ical(path.read_bytes())
        uids = [str(e["uid"]) for e in cal.walk("VEVENT")]
        assert uids and all(u.startswith("lunch-and-learn@") for u in uids)
    context.close()
