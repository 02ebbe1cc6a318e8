"""The bell (issue 17, "Reminders for responses"), in Chromium: the mini site and the real community service in its
demo mode. A demo person posts, another replies over HTTP from another browser, and the first sees the unread
count on the header's bell and the reply listed on the notifications page, which opens the post and marks it read."""

from __future__ import annotations

import re
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Locator, Page, expect

from tests.browser.conftest import Stack, running
from tests.browser.test_accessibility import Scheme, axe
from tests.browser.test_talk import LESSON, article, be, post, status, talk

pytestmark = pytest.mark.browser


def new_page(browser: Browser, stack: Stack, person: str | None,
             scheme: Scheme = "light") -> tuple[BrowserContext, Page, list[str]]:
    context = browser.new_context(viewport={"width": 360, "height": 740}, color_scheme=scheme)
    be(context, stack, person)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    return context, page, errors


@pytest.fixture
def reader(browser: Browser, stack: Stack) -> Iterator[Page]:
    """Bo, who asks; no JavaScript error on any page he opens."""
    context, page, errors = new_page(browser, stack, "bo")
    yield page
    context.close()
    assert errors == [], f"JavaScript errors: {errors}"


def bell(page: Page) -> Locator:
    return page.locator("a.pr-bell")


def activity(page: Page) -> Locator:
    return page.locator("[data-activity-page]")


def ada_replies(browser: Browser, stack: Stack, to: str, text: str) -> None:
    """Ada, on another device, replies to the post that says `to`."""
    context, other, errors = new_page(browser, stack, "ada")
    try:
        other.goto(stack.url(LESSON))
        article(other, to).get_by_role("button", name="Reply").click()
        other.get_by_label("Your reply").fill(text)
        other.get_by_role("button", name="Post reply").click()
        expect(status(other)).to_have_text("Your reply is posted.")
        assert errors == []
    finally:
        context.close()


def test_a_reply_rings_the_bell_and_opening_it_marks_it_read(reader: Page, browser: Browser, stack: Stack) -> None:
    reader.goto(stack.url(LESSON))
    post(reader, "How wide should a forecast range be?")
    expect(bell(reader)).to_have_attribute("aria-label", "Notifications")
    expect(bell(reader).locator(".pr-bell__count")).to_have_count(0)
    ada_replies(browser, stack, "How wide", "As wide as the errors you have seen.")

    reader.goto(stack.url(""))
    expect(bell(reader)).to_have_attribute("aria-label", "Notifications: 1 unread reply")
    expect(bell(reader).locator(".pr-bell__count")).to_have_text("1")
    bell(reader).click()
    entry = activity(reader).get_by_role("link", name=re.compile("^Ada Okafor replied in “"))
    expect(entry).to_be_visible()
    expect(activity(reader).locator(".pr-activity__new")).to_have_text("New")
    expect(activity(reader).locator("time")).to_have_count(1)
    href = entry.get_attribute("href") or ""
    assert re.search(r"#post-\d+$", href), href
    entry.click()
    reader.wait_for_url(re.compile(r"#post-\d+$"))
    expect(talk(reader).locator(href[href.index("#"):])).to_contain_text("As wide as the errors")
    expect(bell(reader)).to_have_attribute("aria-label", "Notifications")
    expect(bell(reader).locator(".pr-bell__count")).to_have_count(0)
    assert [row[0] is not None for row in stack.store.db.execute("SELECT read_at FROM activity")] == [True]


def test_mark_all_as_read(reader: Page, browser: Browser, stack: Stack) -> None:
    reader.goto(stack.url(LESSON))
    post(reader, "First question")
    ada_replies(browser, stack, "First question", "One answer")
    ada_replies(browser, stack, "First question", "Another answer")
    reader.goto(stack.url("notifications/"))
    expect(activity(reader).locator(".pr-activity__new")).to_have_count(2)
    expect(bell(reader)).to_have_attribute("aria-label", "Notifications: 2 unread replies")
    reader.get_by_role("button", name="Mark all as read").click()
    expect(activity(reader).locator("[data-activity-status]")).to_have_text("All marked as read.")
    expect(activity(reader).locator(".pr-activity__new")).to_have_count(0)
    expect(reader.get_by_role("button", name="Mark all as read")).to_be_hidden()
    expect(bell(reader).locator(".pr-bell__count")).to_have_count(0)


def test_signed_out_there_is_no_count_and_no_list(browser: Browser, stack: Stack) -> None:
    context, page, errors = new_page(browser, stack, None)
    try:
        page.goto(stack.url("notifications/"))
        expect(page.locator("[data-push-page]")).to_be_visible()
        page.wait_for_timeout(500)  # time for the service to answer /auth
        expect(activity(page)).to_be_hidden()
        expect(bell(page).locator(".pr-bell__count")).to_have_count(0)
        assert errors == []
    finally:
        context.close()


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_activity_list_has_no_violations_at_360_px(browser: Browser, stack: Stack, scheme: Scheme) -> None:
    context, page, errors = new_page(browser, stack, "bo", scheme)
    try:
        page.goto(stack.url(LESSON))
        post(page, "Which error measure first?")
        ada_replies(browser, stack, "Which error", "Start with the mean absolute error.")
        page.goto(stack.url("notifications/"))
        expect(activity(page).locator(".pr-activity__new")).to_have_count(1)
        expect(bell(page).locator(".pr-bell__count")).to_have_text("1")
        assert axe(page) == []
        scroll = page.evaluate("document.documentElement.scrollWidth")
        assert scroll <= 360, f"the page is {scroll} px wide at 360 px"
        page.screenshot(path=f"/tmp/bell-{scheme}.png", full_page=True)
        assert errors == []
    finally:
        context.close()


def test_follow_and_stop_following_a_discussion(reader: Page, browser: Browser, stack: Stack) -> None:
    reader.goto(stack.url(LESSON))
    expect(talk(reader).get_by_role("button", name="Follow")).to_have_count(0)  # nothing to follow yet
    post(reader, "Do you round forecasts?")
    follow = talk(reader).get_by_role("button", name="Follow", exact=True)  # one stable name, pressed or not
    expect(follow).to_have_attribute("aria-pressed", "true")  # posting follows
    follow.click()
    expect(status(reader)).to_have_text("You no longer follow this discussion.")
    expect(follow).to_have_attribute("aria-pressed", "false")
    expect(follow).to_have_text("Follow")
    expect(follow).to_be_focused()
    assert [tuple(row) for row in stack.store.db.execute("SELECT subject, following FROM follows")] == [("demo:bo", 0)]
    reader.keyboard.press("Enter")  # the keyboard alone: focus stayed on it
    expect(status(reader)).to_have_text("You follow this discussion: its new posts reach your bell.")
    expect(follow).to_have_attribute("aria-pressed", "true")
    expect(follow).to_have_text("Follow")
    assert [row[0] for row in stack.store.db.execute("SELECT following FROM follows")] == [1]


def test_email_reminders_are_not_offered_without_a_mail_server(reader: Page, stack: Stack) -> None:
    reader.goto(stack.url("me/"))
    expect(reader.locator("[data-me-signed-in]")).to_be_visible()
    expect(reader.locator("[data-me-reminders]")).to_be_hidden()


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_email_reminders_can_be_chosen_when_the_service_mails(browser: Browser, tmp_path: Path) -> None:
    with running(tmp_path, auth_mode="demo", smtp_host="127.0.0.1", smtp_port=str(_closed_port()),
                 smtp_from="Practica <learning@example.org>", smtp_starttls="false",
                 smtp_service_url="https://community.example.org",
                 smtp_secret="a-test-secret-of-at-least-32-characters!") as mailing:
        context, page, errors = new_page(browser, mailing, "bo")
        try:
            page.goto(mailing.url("me/"))
            choices = page.get_by_role("group", name=re.compile("^When someone replies to you"))
            expect(choices.get_by_label("Never")).to_be_checked()
            choices.get_by_label("Once a day, in a digest").check()
            expect(page.locator("[data-me-status]")).to_have_text(
                "Saved. You get one email a day with what was new for you.")
            page.reload()
            expect(choices.get_by_label("Once a day, in a digest")).to_be_checked()
            assert [row[0] for row in mailing.store.db.execute("SELECT email_pref FROM people")] == ["digest"]
            assert errors == []
        finally:
            context.close()
