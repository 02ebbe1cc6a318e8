"""RSVP and check-in (events.js) in Chromium against the real community service in its demo mode: a page of the
built mini site with two event-date mounts (the events contract's `[data-pr-rsvp]`) and events.js, the service
having read a feed that lists those dates. "I'll join" toggles with aria-pressed and the live count follows; "I
can't make it" takes it back; "I'm here" during the window; a cancelled date has no buttons; offline, the buttons
are disabled with a note; signed out, a link to sign in."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Locator, Page, expect

from generator.service.models import iso, utcnow
from generator.service.push.feed import parse_feed
from generator.service.push.ingest import ingest
from generator.service.push.schedule import Rules
from tests.browser.conftest import Stack, checked_page, reader_context, running
from tests.browser.test_accessibility import axe
from tests.browser.test_talk import LESSON, be

pytestmark = pytest.mark.browser
PAGE = "events/rsvp-test/"
START = utcnow() + dt.timedelta(minutes=10)  # check-in is open from 15 minutes before the start
SOON = f"clinic@{START.date().isoformat()}"
CANCELLED = f"clinic@{(START + dt.timedelta(days=7)).date().isoformat()}"


def mount(oid: str, start: dt.datetime, capacity: int | None) -> str:
    extra = f' data-capacity="{capacity}"' if capacity else ""
    return (f'<div class="pr-rsvp" data-pr-rsvp data-occurrence="{oid}" data-start="{iso(start)}" '
            f'data-end="{iso(start + dt.timedelta(hours=1))}"{extra}></div>')


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    folder = tmp_path_factory.mktemp("events-site")
    with running(folder, auth_mode="demo") as started:
        site = folder / "site"
        assert (site / "assets" / "practica" / "events.js").is_file(), "the build publishes events.js"
        lesson = (site / LESSON / "index.html").read_text(encoding="utf-8")
        mounts = mount(SOON, START, 2) + mount(CANCELLED, START + dt.timedelta(days=7), 2)
        script = '<script src="../../assets/practica/events.js"></script>'
        page = lesson.replace("</article>", mounts + "</article>", 1).replace("</body>", script + "</body>", 1)
        (site / PAGE).mkdir(parents=True)
        (site / PAGE / "index.html").write_text(page, encoding="utf-8")
        feed = json.loads((site / "feed.json").read_text(encoding="utf-8"))
        base = feed["_practica"]["site_url"]
        dates = [(SOON, START, "scheduled"), (CANCELLED, START + dt.timedelta(days=7), "cancelled")]
        feed["_practica"]["events"] = [{
            "id": "clinic", "url": f"{base}{PAGE}", "title": "Clinic", "summary": "", "topics": [], "hosts": [],
            "timezone": "UTC", "capacity": 2, "sequence": 0,
            "occurrences": [{"id": oid, "start": iso(at), "end": iso(at + dt.timedelta(hours=1)), "status": status,
                             "url": f"{base}{PAGE}#{oid[7:]}"} for oid, at, status in dates]}]
        ingest(started.store, parse_feed(feed), utcnow(), Rules())
        yield started


def rsvp(page: Page, oid: str) -> Locator:
    return page.locator(f'[data-pr-rsvp][data-occurrence="{oid}"]')


def test_join_undo_and_check_in(browser: Browser, stack: Stack) -> None:
    context = reader_context(browser)
    be(context, stack, "bo")
    with checked_page(context, dialogs=True) as page:
        page.goto(stack.url(PAGE))
        soon = rsvp(page, SOON)
        join = soon.get_by_role("button", name="I'll join")
        expect(join).to_have_attribute("aria-pressed", "false")
        count = soon.locator(".pr-rsvp__count")
        expect(count).to_have_attribute("aria-live", "polite")
        expect(count).to_have_text("0 people going; 2 of 2 places left.")
        join.click()
        expect(join).to_have_attribute("aria-pressed", "true")
        expect(count).to_have_text("1 person going; 1 of 2 places left.")
        assert stack.store.rsvp_counts([SOON]) == {SOON: 1}
        expect(soon.get_by_role("button", name="I'm here")).to_be_visible()
        assert axe(page) == []  # joined (a pressed button), "I can't make it" and "I'm here" shown
        soon.get_by_role("button", name="I can't make it").click()
        expect(join).to_have_attribute("aria-pressed", "false")
        expect(count).to_have_text("0 people going; 2 of 2 places left.")
        here = soon.get_by_role("button", name="I'm here")
        expect(here).to_have_attribute("aria-pressed", "false")
        here.click()
        expect(here).to_have_attribute("aria-pressed", "true")
        assert stack.store.attendance_counts([SOON]) == {SOON: 1}
        cancelled = rsvp(page, CANCELLED)
        expect(cancelled.locator(".pr-rsvp__count")).to_have_text("Cancelled.")
        expect(cancelled.get_by_role("button")).to_have_count(0)
        # Offline: the buttons stay, disabled, and say why.
        context.set_offline(True)
        expect(join).to_be_disabled()
        expect(soon.locator(".pr-rsvp__note")).to_have_text("You are offline: RSVPs and check-ins need a connection.")
        context.set_offline(False)
        expect(join).to_be_enabled()
    context.close()


def test_signed_out_readers_are_asked_to_sign_in(browser: Browser, stack: Stack) -> None:
    context = reader_context(browser)
    be(context, stack, None)
    with checked_page(context) as page:
        page.goto(stack.url(PAGE))
        soon = rsvp(page, SOON)
        expect(soon.get_by_role("link", name="Sign in to join")).to_be_visible()
        expect(soon.get_by_role("button", name="I'll join")).to_be_disabled()
    context.close()
