"""Accessibility of the parts that need the push service: the notifications page (its form, shown once the
service answers) and the "Was this helpful?" form — axe-core in light and dark, and the keyboard alone.

The site, the push service and the receiver are test_push.py's (its `stack`); as there, only the
browser's `pushManager.subscribe` is replaced, because it would need a vendor push service."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from tests.browser.conftest import Stack
from tests.browser.test_accessibility import axe, tab_to
from tests.browser.test_push import FAKE_SUBSCRIBE, LESSON, stack  # noqa: F401 (the fixture: the service without sign-in)

pytestmark = pytest.mark.browser


@pytest.fixture(params=[("light", 360), ("dark", 1280)], ids=["light-phone", "dark-desktop"])
def looking(request: pytest.FixtureRequest, browser: Browser, stack: Stack) -> Iterator[Page]:  # noqa: F811
    scheme, width = request.param
    ctx = browser.new_context(viewport={"width": width, "height": 900}, color_scheme=scheme)
    ctx.grant_permissions(["notifications"], origin=stack.server.origin)
    yield ctx.new_page()
    ctx.close()


def test_notifications_page_has_no_violations(looking: Page, stack: Stack) -> None:  # noqa: F811
    looking.goto(stack.url("notifications/?topic=data"))
    expect(looking.locator("form.pr-push__form")).to_be_visible()
    assert axe(looking) == []


def test_feedback_form_has_no_violations(looking: Page, stack: Stack) -> None:  # noqa: F811
    looking.goto(stack.url(LESSON))
    form = looking.locator("form.pr-feedback")
    expect(form).to_be_visible()
    assert axe(looking) == []
    form.get_by_role("button", name="No").click()
    expect(form.locator("textarea")).to_be_visible()
    assert axe(looking) == []


def test_notifications_with_the_keyboard(context: BrowserContext, page: Page, stack: Stack) -> None:  # noqa: F811
    device = stack.receiver.subscribe(1)[0]
    context.add_init_script(FAKE_SUBSCRIBE % json.dumps(device))
    page.goto(stack.url("notifications/"))
    page.wait_for_function("() => navigator.serviceWorker.controller !== null", timeout=15_000)
    expect(page.locator("form.pr-push__form")).to_be_visible()
    tab_to(page, "input[type=checkbox]")
    page.keyboard.press("Space")
    tab_to(page, "input[type=radio]")
    page.keyboard.press("ArrowDown")
    tab_to(page, "button[data-push-action=save]")
    page.keyboard.press("Enter")
    expect(page.locator("[data-push-status]")).to_have_text(re.compile("Notifications are on"))
    tab_to(page, "button[data-push-action=unsubscribe]")
    page.keyboard.press("Enter")
    expect(page.locator("[data-push-status]")).to_have_text(re.compile("Unsubscribed"))


def test_feedback_with_the_keyboard(page: Page, stack: Stack) -> None:  # noqa: F811
    page.goto(stack.url("faq/which-chart/"))
    tab_to(page, "form.pr-feedback button[data-helpful=yes]")
    page.keyboard.press("Enter")
    tab_to(page, "form.pr-feedback textarea")
    page.keyboard.type("Clear, thank you")
    tab_to(page, "form.pr-feedback button[type=submit]")
    page.keyboard.press("Enter")
    expect(page.locator(".pr-feedback__status")).to_have_text(re.compile("Thanks"))
