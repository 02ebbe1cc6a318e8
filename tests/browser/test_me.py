"""Who you are and your data (issue 16), in Chromium: the mini site and the real community service in its demo
mode (the ASGI app on uvicorn, 127.0.0.1, a real SQLite file), the local push receiver behind it.

As in test_push.py, only `PushManager.subscribe` is replaced (it would need a vendor push service); the demo
person is picked on the page as a reader would, and every identity call goes over HTTP to the service."""

from __future__ import annotations

import json
import re
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser, BrowserContext, Locator, Page, expect

from generator.service.api.app import create_app
from generator.service.config import load_settings
from generator.service.push.vapid import write_keys
from generator.service.store.backend import open_store
from tests.browser.conftest import Stack, StaticServer, build, controlled
from tests.browser.test_accessibility import Scheme, axe, tab_to
from tests.browser.test_push import FAKE_SUBSCRIBE
from tests.service.conftest import environment, serving

pytestmark = pytest.mark.browser

ADA = "demo:ada"  # the service's subject for the demo person Ada Okafor (mini content: a photo and an email)


def header(page: Page) -> Locator:
    """Who you are, in the header."""
    return page.locator("a.pr-me-link")


def be(page: Page, name: str) -> None:
    """Pick a demo person on me/, as a reader does: type part of the name, choose it, press the button."""
    page.get_by_role("combobox", name="Choose a demo person").fill(name)
    page.get_by_role("button", name="Be this person").click()
    expect(page.locator("[data-me-status]")).to_have_text(f"You are now {name} (demo).")


def subscribe_this_device(context: BrowserContext, page: Page, stack: Stack, lock: bool = False) -> None:
    device = stack.receiver.subscribe(1)[0]
    context.add_init_script(FAKE_SUBSCRIBE % json.dumps(device))
    controlled(page, stack.url("notifications/"))
    if lock:
        page.get_by_role("checkbox", name="Hide names and text on this device's lock screen").check()
    page.get_by_role("button", name="Turn on notifications").click()
    expect(page.locator("[data-push-status]")).to_have_text(re.compile("Notifications are on"))


def test_the_site_publishes_a_card_per_person_and_keeps_me_out_of_search(stack: Stack) -> None:
    ada = httpx.get(stack.url("me/people/ada.json")).json()
    assert ada["url"] == "people/ada/" and re.fullmatch(r"assets/people/ada-\w+-64\.webp", ada["photo"])
    assert httpx.get(stack.url(ada["photo_large"])).status_code == 200
    assert httpx.get(stack.url("me/people/bo.json")).json() == {"url": "people/bo/"}  # no photo
    me = httpx.get(stack.url("me/")).text
    assert "data-pagefind-body" not in me and 'class="md-header__button pr-me-link" hidden' in me


def test_a_demo_person_sees_downloads_and_erases_what_the_service_holds(context: BrowserContext, page: Page,
                                                                        stack: Stack) -> None:
    subscribe_this_device(context, page, stack)
    page.goto(stack.url("me/"))
    expect(header(page)).to_have_accessible_name("Sign in demo")
    expect(page.get_by_role("heading", name="You are not signed in")).to_be_visible()
    be(page, "Ada Okafor")

    expect(header(page)).to_have_accessible_name("Ada Okafor demo")
    expect(header(page).locator("img.pr-me-link__photo")).to_have_attribute("src", re.compile(r"ada-\w+-64\.webp$"))
    facts = page.locator(".pr-me__facts")
    expect(facts).to_contain_text("Ada Okafor")
    expect(facts).to_contain_text("ada.okafor@example.org")
    profile = facts.get_by_role("link", name="Your profile on this site")
    expect(profile).to_have_attribute("href", stack.url("people/ada/"))
    expect(page.locator("[data-me-demo-badge]")).to_contain_text("A demo identity")
    expect(page.locator("[data-me-holds]")).to_have_text("Nothing. The service holds nothing about you.")
    assert stack.store.person(ADA) is None, "reading what is held keeps nothing"

    page.get_by_role("button", name="Get my reminders on this device too").click()
    expect(page.locator("[data-me-status]")).to_have_text(re.compile("^Linked"))
    expect(page.locator("[data-me-devices]")).to_contain_text("This device, linked on")
    [sub] = list(stack.store.subscriptions())
    assert sub.owner == ADA

    page.get_by_role("checkbox", name="Hide names and text on my lock screen").check()
    expect(page.locator("[data-me-status]")).to_have_text(re.compile("^Saved"))
    person = stack.store.person(ADA)
    assert person is not None and person.lock_screen == "private"
    page.reload()  # what the page shows is what the service holds
    expect(page.get_by_role("checkbox", name="Hide names and text on my lock screen")).to_be_checked()
    expect(page.locator("[data-me-holds] li").first).to_contain_text("sign-in id")

    with page.expect_download() as download:
        page.get_by_role("button", name="Download my data").click()
    exported = json.loads(Path(download.value.path()).read_text(encoding="utf-8"))
    assert exported["subject"] == ADA and [d["id"] for d in exported["devices"]] == [sub.id]
    assert download.value.suggested_filename.endswith(".json")

    page.get_by_role("button", name="Erase my data").click()
    confirm = page.get_by_role("button", name="Yes, erase my data")
    expect(confirm).to_be_focused()
    expect(page.locator("[data-me-confirm]")).to_contain_text("It erases your sign-in id")
    expect(page.locator("[data-me-confirm]")).to_contain_text("Devices linked to you get no more notifications")
    confirm.click()
    expect(page.locator("[data-me-status]")).to_have_text(re.compile("^Erased.*its notifications stopped too"))
    expect(page.get_by_role("link", name="Turn on notifications on this device")).to_be_visible()
    expect(page.locator("[data-me-holds]")).to_have_text("Nothing. The service holds nothing about you.")
    expect(page.locator("[data-me-devices]")).to_have_text("No device is linked to you.")
    assert stack.store.person(ADA) is None and list(stack.store.subscriptions()) == []

    page.get_by_role("button", name="Stop being Ada Okafor").click()
    expect(header(page)).to_have_accessible_name("Sign in demo")
    expect(page.get_by_role("heading", name="You are not signed in")).to_be_visible()


def test_a_device_can_hide_names_on_its_own_lock_screen(context: BrowserContext, page: Page, stack: Stack) -> None:
    subscribe_this_device(context, page, stack, lock=True)
    [sub] = list(stack.store.subscriptions())
    assert sub.preferences.lock_screen == "private"
    page.reload()
    box = page.get_by_role("checkbox", name="Hide names and text on this device's lock screen")
    expect(box).to_be_checked()
    box.uncheck()
    page.get_by_role("button", name="Save changes").click()
    expect(page.locator("[data-push-status]")).to_have_text(re.compile("^Saved"))
    [sub] = list(stack.store.subscriptions())
    assert sub.preferences.lock_screen is None  # follow the reader's choice, or the deployment's
    expect(page.locator(".pr-lead")).to_contain_text("Following needs no account")


def test_offline_the_page_shows_the_saved_copy_and_nothing_once_erased(context: BrowserContext, page: Page,
                                                                        stack: Stack) -> None:
    controlled(page, stack.url("me/"))
    be(page, "Ada Okafor")
    page.get_by_role("checkbox", name="Hide names and text on my lock screen").check()
    expect(page.locator("[data-me-status]")).to_have_text(re.compile("^Saved"))
    page.reload()  # through the service worker, which keeps this reader's answers
    expect(page.locator(".pr-me__facts")).to_contain_text("Ada Okafor")
    expect(page.locator("[data-me-saved]")).to_be_hidden()

    context.set_offline(True)  # the page and its service worker both lose the network
    page.reload()
    expect(page.locator("[data-me-saved]")).to_have_text(re.compile(r"^Saved copy from .*\d{1,2}:\d{2}"))
    expect(page.locator(".pr-me__facts")).to_contain_text("Ada Okafor")
    expect(header(page)).to_have_accessible_name("Ada Okafor demo")
    expect(page.get_by_role("checkbox", name="Hide names and text on my lock screen")).to_be_checked()
    expect(page.get_by_role("button", name="Erase my data")).to_be_disabled()  # changes need the service

    context.set_offline(False)
    page.reload()
    expect(page.locator("[data-me-saved]")).to_be_hidden()
    page.get_by_role("button", name="Erase my data").click()
    page.get_by_role("button", name="Yes, erase my data").click()
    expect(page.locator("[data-me-status]")).to_have_text(re.compile("^Erased"))

    context.set_offline(True)
    page.reload()
    expect(page.locator('[data-me-view="unreachable"]')).to_contain_text("no saved copy")
    expect(header(page)).to_be_hidden()
    assert "Ada Okafor" not in page.locator("body").inner_text()
    kept = page.evaluate("""async () => (await (await caches.open("practica-service")).keys()).length""")
    assert kept == 0
    context.set_offline(False)


def test_one_demo_persons_saved_copy_is_never_shown_to_another(context: BrowserContext, page: Page,
                                                                stack: Stack) -> None:
    controlled(page, stack.url("me/"))
    be(page, "Ada Okafor")
    page.reload()
    expect(page.locator(".pr-me__facts")).to_contain_text("Ada Okafor")
    be(page, "Bo Lindqvist")  # on a shared device: the next reader picks themselves
    expect(header(page)).to_have_accessible_name("Bo Lindqvist demo")
    expect(header(page).locator(".pr-me-link__face")).to_have_text("BL")  # Bo has no photo: his initials
    expect(page.locator("[data-me-profile] a")).to_have_attribute("href", stack.url("people/bo/"))
    context.set_offline(True)
    page.reload()
    expect(page.locator(".pr-me__facts")).to_contain_text("Bo Lindqvist")
    assert "Ada Okafor" not in page.locator("body").inner_text()
    context.set_offline(False)


def test_me_with_the_keyboard_alone(context: BrowserContext, page: Page, stack: Stack) -> None:
    subscribe_this_device(context, page, stack)
    page.goto(stack.url("me/"))
    tab_to(page, "#pr-me-person")
    page.keyboard.type("Ada")  # part of a name that only one demo person has
    page.keyboard.press("Enter")
    expect(header(page)).to_have_accessible_name("Ada Okafor demo")
    tab_to(page, "[data-me-action=link]")
    page.keyboard.press("Enter")
    expect(page.locator("[data-me-status]")).to_have_text(re.compile("^Linked"))
    tab_to(page, "[data-me-lock]")
    page.keyboard.press("Space")
    expect(page.locator("[data-me-status]")).to_have_text(re.compile("^Saved"))
    tab_to(page, "[data-me-action=erase]")
    page.keyboard.press("Enter")
    expect(page.locator("[data-me-action=erase-confirm]")).to_be_focused()
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")  # "Keep my data"
    expect(page.locator("[data-me-status]")).to_have_text("Nothing was erased.")
    expect(page.locator("[data-me-action=erase]")).to_be_focused()
    page.keyboard.press("Enter")
    page.keyboard.press("Enter")  # the confirmation has the focus
    expect(page.locator("[data-me-status]")).to_have_text(re.compile("^Erased"))
    assert stack.store.person(ADA) is None


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_me_has_no_violations_at_360_px(browser: Browser, stack: Stack, scheme: Scheme) -> None:
    context = browser.new_context(viewport={"width": 360, "height": 900}, color_scheme=scheme)
    try:
        page = context.new_page()
        page.goto(stack.url("me/"))
        expect(page.get_by_role("heading", name="Demo mode")).to_be_visible()
        expect(header(page)).to_be_visible()
        assert axe(page) == []
        be(page, "Ada Okafor")
        page.get_by_role("checkbox", name="Hide names and text on my lock screen").check()
        expect(page.locator("[data-me-status]")).to_have_text(re.compile("^Saved"))
        page.get_by_role("button", name="Erase my data").click()
        expect(page.locator("[data-me-confirm]")).to_be_visible()
        assert axe(page) == []
        scroll = page.evaluate("document.documentElement.scrollWidth")
        assert scroll <= 360, f"the page is {scroll} px wide at 360 px"
        page.get_by_role("button", name="Yes, erase my data").click()
        expect(page.locator("[data-me-status]")).to_have_text(re.compile("^Erased"))
    finally:
        context.close()


def test_with_the_service_down_there_is_no_header_control_and_no_error(phone: Page,
                                                                      service_down: StaticServer) -> None:
    for path in ("", "me/", "people/ada/"):
        phone.goto(service_down.url + path)
        phone.wait_for_load_state("networkidle")
        expect(header(phone)).to_be_hidden()
        expect(header(phone)).to_have_text("")
    expect(phone.locator('[data-me-view="unreachable"]')).to_be_hidden()  # people/ada/ is not me/
    phone.goto(service_down.url + "me/")
    expect(phone.locator('[data-me-view="unreachable"]')).to_contain_text("cannot be reached")


def test_a_service_without_sign_in_shows_no_header_control(phone: Page, tmp_path: Path) -> None:
    pem = write_keys(tmp_path / "keys")[0]
    server = StaticServer(tmp_path / "site")
    settings = load_settings(environment(tmp_path / "service.sqlite3", pem, "", site_origin=server.origin),
                             env_file=None)  # PRACTICA_AUTH_MODE unset: none
    store = open_store(settings.db)
    try:
        with serving(create_app(settings, store)) as base:
            build(tmp_path, server, f"{base}/api/v1")
            phone.goto(server.url + "me/")
            expect(phone.locator('[data-me-view="none"]')).to_contain_text("does not sign readers in")
            expect(header(phone)).to_be_hidden()
    finally:
        store.close()
        server.stop()
