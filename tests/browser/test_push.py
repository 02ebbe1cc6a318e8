"""Notifications in Chromium, against the real push service (the ASGI app on uvicorn, 127.0.0.1) and the
local push receiver, which checks VAPID and decrypts what it is sent.

What is simulated here, and why:
- A push reaches the site's service worker over CDP (`ServiceWorker.deliverPushMessage`): no vendor push
  service can be reached from here, and CDP hands the worker a real `push` event.
- Headless Chromium has no notification on screen to click, and `clients.openWindow()` and `focus()` need the
  user activation only a real click gives. So the test runs the body of the worker's `notificationclick`
  listener, `openNotification(notification)`, on the notification the worker showed, with a tab of the site
  open: the worker navigates that tab (`WindowClient.navigate` needs no activation) or finds it already there.
- `PushManager.prototype.subscribe` is replaced in the page (`add_init_script`), because the browser's own
  call would ask a vendor push service. The replacement returns a subscription whose endpoint is the local
  receiver and whose keys are a real P-256 key pair and auth secret the receiver (test code) generated, so the
  service really encrypts to it and the receiver really decrypts. Nothing else in the page is replaced.
"""

from __future__ import annotations

import json
import re
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, BrowserContext, CDPSession, Page, expect

from tests.browser.conftest import Stack, StaticServer, controlled

pytestmark = pytest.mark.browser

LESSON = "learn/forecast-basics/"
FAQ = "faq/what-is-mape/"

# Replaces the one call that would need a vendor push service (see the module docstring).
FAKE_SUBSCRIBE = """((subscription) => {
  PushManager.prototype.subscribe = function (options) {
    const key = String.fromCharCode(...new Uint8Array(options.applicationServerKey));
    window.__subscribedWith = { userVisibleOnly: options.userVisibleOnly,
      key: btoa(key).replace(/\\+/g, "-").replace(/\\//g, "_").replace(/=+$/, "") };
    return Promise.resolve({ endpoint: subscription.endpoint, expirationTime: null, options: options,
      toJSON: () => ({ endpoint: subscription.endpoint, expirationTime: null, keys: subscription.keys }),
      unsubscribe: () => Promise.resolve(true) });
  };
})(%s);"""


@pytest.fixture
def stack(push_stack: Stack) -> Stack:
    """The service without sign-in, as it started (test_continue.py and test_accessibility_push.py use it too)."""
    push_stack.reset()
    return push_stack


def registration_id(session: CDPSession, page: Page, scope: str) -> str:
    """The service worker registration's id for `scope`, as CDP's ServiceWorker domain names it, once its
    worker is activated and running (a push delivered to a worker still starting can be lost)."""
    found: dict[str, str] = {}
    ready: set[str] = set()
    session.on("ServiceWorker.workerRegistrationUpdated", lambda event: found.update(
        {r["scopeURL"]: r["registrationId"] for r in event["registrations"] if not r.get("isDeleted")}))
    session.on("ServiceWorker.workerVersionUpdated", lambda event: ready.update(
        v["registrationId"] for v in event["versions"]
        if v.get("status") == "activated" and v.get("runningStatus") == "running"))
    session.send("ServiceWorker.enable")
    for _ in range(200):  # bounded: the events arrive as soon as the domain is enabled and the worker runs
        if scope in found and found[scope] in ready:
            break
        page.wait_for_timeout(50)
    assert scope in found, f"no registration for {scope}: {found}"
    assert found[scope] in ready, f"the worker of {scope} is not activated and running"
    return found[scope]


NOTIFICATIONS = """async (tag) => {
    const registration = await navigator.serviceWorker.ready;
    return (await registration.getNotifications(tag ? { tag } : {})).map((n) => ({ title: n.title, body: n.body,
      tag: n.tag, icon: n.icon, url: n.data && n.data.url, renotify: n.renotify }));
}"""


def shown(page: Page, tag: str | None = None, until: Any = bool) -> list[dict[str, Any]]:
    """The notifications the service worker shows (with `tag`, if given), once `until(them)` holds."""
    for _ in range(150):  # bounded: 150 × 100 ms; showNotification runs as soon as the push event arrives
        found: list[dict[str, Any]] = page.evaluate(NOTIFICATIONS, tag)
        if until(found):
            return found
        page.wait_for_timeout(100)
    raise AssertionError(f"notifications never matched: {found}")


def test_a_push_shows_a_notification_and_a_tap_opens_its_page(context: BrowserContext, page: Page,
                                                              stack: Stack) -> None:
    controlled(page, stack.url())
    cdp = context.new_cdp_session(page)
    rid = registration_id(cdp, page, stack.url())
    lesson = stack.url(LESSON)
    payload = {"title": "New lesson in Data & Analytics", "body": "Forecast basics: start simple.",
               "url": lesson, "icon": stack.url("assets/icons/icon-192.png"), "tag": "practica-42"}

    def deliver(data: str) -> None:
        cdp.send("ServiceWorker.deliverPushMessage", {"origin": stack.server.origin, "registrationId": rid,
                                                      "data": data})

    deliver(json.dumps(payload))
    [note] = shown(page, "practica-42")
    assert note == {"title": payload["title"], "body": payload["body"], "tag": "practica-42", "icon": payload["icon"],
                    "url": lesson, "renotify": False}

    # A resend (the outbox's at-least-once delivery) replaces the notification: still one with that tag.
    deliver(json.dumps({**payload, "body": "Forecast basics (resent)."}))
    resent = shown(page, "practica-42", until=lambda ns: any(n["body"].endswith("(resent).") for n in ns))
    assert len(resent) == 1

    # An unreadable payload still shows a notification (a push that shows none costs the permission).
    deliver("this is not JSON")
    fallback = [n for n in shown(page, until=lambda ns: len(ns) == 2) if n["tag"] == ""]
    assert [(n["title"], n["url"]) for n in fallback] == [("New on the site", stack.url())]

    # The tap: the notificationclick listener's body, run on the notification the worker showed.
    worker = context.service_workers[0] if context.service_workers else context.wait_for_event("serviceworker")
    tap = "async (tag) => openNotification((await self.registration.getNotifications({ tag }))[0])"
    assert worker.evaluate(tap, "practica-42") == "navigated"  # the open tab of the site goes to the lesson
    page.wait_for_url(lesson)
    assert worker.evaluate(tap, "practica-42") == "focused"  # now a tab is on that page: it is focused
    assert page.url == lesson


def test_the_settings_page_subscribes_tests_changes_and_unsubscribes(context: BrowserContext, page: Page,
                                                                     stack: Stack) -> None:
    device = stack.receiver.subscribe(1)[0]
    context.add_init_script(FAKE_SUBSCRIBE % json.dumps(device))
    controlled(page, stack.url("notifications/?topic=data"))
    status = page.locator("[data-push-status]")
    expect(page.get_by_role("checkbox", name="Data & Analytics")).to_be_checked()  # what the follow link asked
    expect(page.locator("input[name=timezone]")).to_have_value("Europe/Berlin")    # the device's own zone
    page.get_by_role("checkbox", name="Bo Lindqvist").check()
    page.get_by_role("checkbox", name="Lessons").check()
    page.get_by_role("radio", name="A daily digest").check()
    page.get_by_role("checkbox", name=re.compile("Nothing between")).check()
    page.get_by_role("button", name="Turn on notifications").click()
    expect(status).to_have_text(re.compile("Notifications are on"))

    key = httpx.get(f"{stack.api}/vapid-public-key").json()["public_key"]
    assert page.evaluate("window.__subscribedWith") == {"userVisibleOnly": True, "key": key}
    [sub] = list(stack.store.subscriptions())
    prefs = sub.preferences
    assert (sub.endpoint, prefs.topics, prefs.people, prefs.types, prefs.frequency, prefs.timezone) == \
        (device["endpoint"], ("data",), ("bo",), ("lesson",), "daily", "Europe/Berlin")
    assert prefs.quiet_hours is not None and str(prefs.quiet_hours.start) == "22:00:00"

    page.get_by_role("button", name="Send me a test notification").click()
    expect(status).to_have_text(re.compile("Test sent"))
    [received] = stack.receiver.device(device["endpoint"])["received"]  # decrypted by the receiver
    assert received["payload"]["title"].endswith("notifications work")
    assert received["payload"]["url"] == stack.url("notifications/")

    page.get_by_role("checkbox", name="Bo Lindqvist").uncheck()
    page.get_by_role("radio", name="As soon as something is published").check()
    page.get_by_role("button", name="Save changes").click()
    expect(status).to_have_text(re.compile("Saved"))
    [sub] = list(stack.store.subscriptions())
    assert (sub.preferences.people, sub.preferences.frequency) == ((), "immediate")

    page.goto(stack.url("topics/data/"))  # the device remembers: the hub says it is followed
    expect(page.locator("a.pr-follow")).to_have_text("Following Data & Analytics")
    page.goto(stack.url("notifications/"))
    expect(page.locator("[data-push-summary]")).to_have_text("Notifications are on for this device.")
    page.get_by_role("button", name="Unsubscribe").click()
    expect(status).to_have_text(re.compile("Unsubscribed"))
    assert list(stack.store.subscriptions()) == []
    expect(page.get_by_role("button", name="Turn on notifications")).to_be_visible()


def test_the_settings_page_says_when_the_service_cannot_be_reached(context: BrowserContext, page: Page,
                                                                   stack: Stack) -> None:
    controlled(page, stack.url("notifications/"))
    expect(page.locator("form.pr-push__form")).to_be_visible()
    context.set_offline(True)  # the service goes away after the page loaded
    page.get_by_role("button", name="Turn on notifications").click()
    expect(page.locator("[data-push-status]")).to_have_text(re.compile("cannot be reached"))
    context.set_offline(False)


@pytest.mark.parametrize("push", ["unreachable", "not configured"])
def test_the_page_explains_a_missing_service(browser: Browser, request: pytest.FixtureRequest, push: str) -> None:
    server: StaticServer = request.getfixturevalue("service_down" if push == "unreachable" else "no_service")
    page = browser.new_page()
    page.goto(server.url + "notifications/")
    if push == "unreachable":
        expect(page.locator('[data-push-view="unreachable"]')).to_contain_text("cannot be reached right now")
    else:
        expect(page.locator('[data-push-view="off"]')).to_contain_text("not set up for this site")
        page.goto(server.url + "topics/data/")  # no service: no follow button, no feedback form
        expect(page.locator("a.pr-follow")).to_be_hidden()
        page.goto(server.url + LESSON)
        expect(page.locator("form.pr-feedback")).to_be_hidden()
    expect(page.locator("a.pr-bell")).to_have_attribute("href", re.compile("notifications/$"))
    page.close()


def test_feedback_given_offline_is_sent_once_when_back_online(context: BrowserContext, page: Page,
                                                              stack: Stack) -> None:
    controlled(page, stack.url(LESSON))
    posted: list[int] = []
    page.on("requestfinished", lambda r: posted.append(1) if r.method == "POST" and r.url.endswith("/feedback")
            else None)
    form = page.locator("form.pr-feedback")
    status = form.locator(".pr-feedback__status")
    assert stack.votes(LESSON) == []
    context.set_offline(True)
    form.get_by_role("button", name="Yes").click()
    expect(status).to_have_text(re.compile("Saved on this device"))
    assert stack.votes(LESSON) == []
    context.set_offline(False)  # the browser's `online` event sends it
    expect(status).to_have_text("Sent. Thanks for your feedback.")
    page.goto(stack.url(FAQ))  # the next page view finds nothing left to send
    page.goto(stack.url(LESSON))
    expect(status).to_have_text(re.compile("answered this one already"))
    [vote] = stack.votes(LESSON)
    assert (vote.helpful, vote.comment, len(posted)) == (True, None, 1)


def test_feedback_vote_then_comment_is_one_answer(context: BrowserContext, page: Page, stack: Stack) -> None:
    controlled(page, stack.url(FAQ))
    form = page.locator("form.pr-feedback")
    form.get_by_role("button", name="No").click()
    expect(form.get_by_role("button", name="No")).to_have_attribute("aria-pressed", "true")
    form.get_by_role("textbox").fill("Needs a worked example — write to me at kim@example.org or +44 20 7946 0958")
    form.get_by_role("button", name="Send").click()
    expect(form.locator(".pr-feedback__status")).to_have_text("Thanks for your comment.")
    [vote] = stack.votes(FAQ)
    assert (vote.helpful, vote.comment) == \
        (False, "Needs a worked example — write to me at [email removed] or [phone removed]")


def test_a_renewed_subscription_is_handed_to_the_service(context: BrowserContext, page: Page, stack: Stack) -> None:
    """`pushsubscriptionchange`: the browser cannot be made to fire it, so the test runs the listener's body,
    `resubscribe(old, new)`, in the worker with the renewed subscription the browser would pass."""
    old, new = stack.receiver.subscribe(2)
    context.add_init_script(FAKE_SUBSCRIBE % json.dumps(old))
    controlled(page, stack.url("notifications/?person=ada"))
    page.get_by_role("button", name="Turn on notifications").click()
    expect(page.locator("[data-push-status]")).to_have_text(re.compile("Notifications are on"))
    [before] = list(stack.store.subscriptions())

    worker = context.service_workers[0] if context.service_workers else context.wait_for_event("serviceworker")
    renewed = worker.evaluate("(sub) => resubscribe(null, { endpoint: sub.endpoint, toJSON: () => sub })", new)
    [after] = list(stack.store.subscriptions())  # the old one was deleted with its stored auth secret
    assert (after.id, after.endpoint, after.preferences) == (renewed, new["endpoint"], before.preferences)
    page.reload()  # the page reads what the worker stored: the renewed subscription is this device's
    expect(page.locator("[data-push-summary]")).to_have_text("Notifications are on for this device.")
    page.get_by_role("button", name="Unsubscribe").click()
    expect(page.locator("[data-push-status]")).to_have_text(re.compile("Unsubscribed"))
    assert list(stack.store.subscriptions()) == []


IPHONE = ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
          "Version/17.4 Mobile/15E148 Safari/604.1")


def test_on_an_iphone_outside_the_home_screen_app_it_explains_installing(browser: Browser, stack: Stack) -> None:
    context = browser.new_context(user_agent=IPHONE, viewport={"width": 390, "height": 844}, is_mobile=True)
    try:
        page = context.new_page()
        page.goto(stack.url("notifications/"))
        ios = page.locator('[data-push-view="ios"]')
        expect(ios).to_contain_text("install the app first")
        expect(ios.locator(".pr-install__ios")).to_contain_text("Add to Home Screen")
        expect(page.locator("form.pr-push__form")).to_be_hidden()
    finally:
        context.close()


def test_nothing_asks_for_permission_before_a_tap(browser: Browser, stack: Stack) -> None:
    context = browser.new_context()  # permission neither granted nor denied
    try:
        page = context.new_page()
        controlled(page, stack.url("notifications/?topic=data"))
        expect(page.locator("form.pr-push__form")).to_be_visible()
        assert page.evaluate("Notification.permission") == "default"
        expect(page.locator("[data-push-summary]")).to_contain_text("Notifications are off on this device")
    finally:
        context.close()
