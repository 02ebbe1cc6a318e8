"""The phone experience in Chromium: "Continue where you left off" on the home page, one-tap follow on hubs and
profiles, and the settings page's time zone. Against the real push service and local receiver (see test_push.py,
whose stack, fixtures and stand-in for the vendor's `PushManager.subscribe` these tests reuse)."""

from __future__ import annotations

import json
import re

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from tests.browser.conftest import Stack, controlled
from tests.browser.test_push import FAKE_SUBSCRIBE, FAQ, LESSON, stack

pytestmark = pytest.mark.browser
__all__ = ["stack"]  # the fixture, shared with test_push.py: the service without sign-in

HUB = "topics/data/"


def continued(page: Page, group: str) -> list[str]:
    """The links' texts in one group of the home page's "Continue where you left off", once it is shown."""
    box = page.locator(f'section.pr-continue [data-continue="{group}"]')
    expect(box).to_be_visible()
    return box.locator("a").all_text_contents()


def test_home_continues_with_opened_items_and_a_path_in_progress(page: Page, stack: Stack) -> None:
    page.goto(stack.url())
    expect(page.get_by_role("heading", name="Continue where you left off")).to_be_hidden()  # nothing opened yet
    page.goto(stack.url(LESSON))
    page.goto(stack.url("paths/first-week/"))
    page.locator(".pr-step__done input").first.check()
    page.goto(stack.url())
    page.locator("article").get_by_role("link", name="What does MAPE mean?").first.click()  # instant navigation
    page.wait_for_url(stack.url(FAQ))
    expect(page.locator("h1")).to_have_text(re.compile("What does MAPE mean"))
    page.goto(stack.url())

    expect(page.get_by_role("heading", name="Continue where you left off")).to_be_visible()
    assert continued(page, "recent") == ["What does MAPE mean?", "Forecast basics"]  # newest first
    assert continued(page, "paths") == ["Your first week with data"]
    expect(page.locator('[data-continue="paths"] li')).to_contain_text(re.compile(r"1 of \d+ steps done"))
    expect(page.locator('[data-continue="followed"]')).to_be_hidden()  # this device follows nothing
    recent = json.loads(page.evaluate("localStorage.getItem('practica:recent')"))
    assert [(r["kind"], r["url"]) for r in recent] == [("faq", "/" + FAQ), ("path", "/paths/first-week/"),
                                                       ("lesson", "/" + LESSON)]


def test_one_tap_follows_and_unfollows_a_community_and_a_person(context: BrowserContext, page: Page,
                                                                 stack: Stack) -> None:
    device = stack.receiver.subscribe(1)[0]
    context.add_init_script(FAKE_SUBSCRIBE % json.dumps(device))
    controlled(page, stack.url(FAQ))
    page.goto(stack.url(HUB))
    follow = page.locator("a.pr-follow")
    status = page.locator(".pr-follow__status")
    follow.click()
    expect(status).to_have_text("Following Data & Analytics · Undo")
    expect(follow).to_have_text("Following Data & Analytics")
    assert page.url == stack.url(HUB)  # not sent to the settings form
    [sub] = list(stack.store.subscriptions())
    assert (sub.endpoint, sub.preferences.topics, sub.preferences.people, sub.preferences.timezone) == \
        (device["endpoint"], ("data",), (), "Europe/Berlin")

    page.goto(stack.url())  # what is new there, less what this device has opened
    news = continued(page, "followed")
    assert news[0] == "Your first week with data" and "What does MAPE mean?" not in news and len(news) == 5

    page.goto(stack.url("people/bo/"))  # already subscribed: the person is added to the same subscription
    page.locator("a.pr-follow").click()
    expect(page.locator(".pr-follow__status")).to_have_text("Following Bo · Undo")
    [sub] = list(stack.store.subscriptions())
    assert (sub.preferences.topics, sub.preferences.people) == (("data",), ("bo",))

    page.goto(stack.url(HUB))
    expect(follow).to_have_text("Following Data & Analytics")
    follow.click()  # the second tap unfollows
    expect(status).to_have_text("Stopped following Data & Analytics. · Undo")
    expect(follow).to_have_text("Follow Data & Analytics")
    [sub] = list(stack.store.subscriptions())
    assert (sub.preferences.topics, sub.preferences.people) == ((), ("bo",))
    status.get_by_role("button", name="Undo").click()
    expect(status).to_have_text("Following Data & Analytics · Undo")
    [sub] = list(stack.store.subscriptions())
    assert sub.preferences.topics == ("data",)

    page.goto(stack.url("people/bo/"))
    page.locator("a.pr-follow").click()
    expect(page.locator(".pr-follow__status")).to_have_text(re.compile("Stopped following Bo"))  # saved, then on
    page.goto(stack.url(HUB))
    follow.click()  # the last one followed: following nothing would mean everything, so notifications stop
    expect(status).to_have_text(re.compile("Stopped following Data & Analytics. Notifications are now off"))
    assert list(stack.store.subscriptions()) == []


def test_following_with_notifications_blocked_says_where_to_allow_them(browser: Browser, stack: Stack) -> None:
    context = browser.new_context()
    try:
        page = context.new_page()
        controlled(page, stack.url(HUB))
        cdp = context.new_cdp_session(page)
        ident = cdp.send("Target.getTargetInfo")["targetInfo"]["browserContextId"]
        cdp.send("Browser.setPermission", {"permission": {"name": "notifications"}, "setting": "denied",
                                           "origin": stack.server.origin, "browserContextId": ident})
        assert page.evaluate("Notification.permission") == "denied"
        page.locator("a.pr-follow").click()
        expect(page.locator(".pr-follow__status")).to_have_text(re.compile(
            "Notifications are blocked for this site in your browser's settings. Allow them there"))
        expect(page.locator("a.pr-follow")).to_have_text("Follow Data & Analytics")
        assert list(stack.store.subscriptions()) == []
    finally:
        context.close()


def test_without_javascript_follow_opens_the_settings_form(browser: Browser, stack: Stack) -> None:
    context = browser.new_context(java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(stack.url(HUB))
        href = page.locator("a.pr-follow").get_attribute("href")
        assert href is not None and href.endswith("notifications/?topic=data")
    finally:
        context.close()


def test_the_time_zone_defaults_to_the_devices_and_is_searchable(browser: Browser, stack: Stack) -> None:
    context = browser.new_context(timezone_id="Pacific/Auckland")  # not Asia/Kolkata: Chromium says Asia/Calcutta
    try:
        page = context.new_page()
        controlled(page, stack.url("notifications/"))
        zone = page.get_by_role("combobox", name="Time zone")
        expect(zone).to_have_value("Pacific/Auckland")
        assert page.locator("datalist#pr-push-zones option[value='America/New_York']").count() == 1
        zone.fill("Atlantis/Nowhere")
        page.get_by_role("button", name="Turn on notifications").click()
        expect(page.locator("[data-push-status]")).to_have_text(re.compile("is not a time zone in the list"))
        assert list(stack.store.subscriptions()) == []
    finally:
        context.close()
