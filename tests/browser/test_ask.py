""""Ask an expert" in Chromium: the mini site and the real community service in demo mode (uvicorn, a real SQLite
file). Bo asks Ada (available for questions) from her profile with the keyboard alone; the question lands on the
Data & Analytics board, routed to Ada, whose name the board shows; axe finds nothing on the open form at 360 px."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from generator.service.identity.principal import Principal
from generator.service.models import utcnow
from generator.service.privacy.people import remember
from tests.browser.conftest import Stack, StaticServer, controlled
from tests.browser.test_accessibility import axe, tab_to
from tests.browser.test_bell import activity, bell
from tests.browser.test_talk import be

pytestmark = pytest.mark.browser


def test_ask_from_a_profile_with_the_keyboard_lands_on_the_board_routed_to_them(
        browser: Browser, context: BrowserContext, page: Page, stack: Stack) -> None:
    remember(stack.store, Principal("demo:ada", None, "Ada Okafor", "demo", "ada"), utcnow())  # Ada signed in once
    be(context, stack, "bo")
    page.goto(stack.url("people/ada/"))
    ask = page.get_by_role("button", name="Ask Ada")
    expect(ask).to_be_visible()  # shown by ask.js: the site has a community service
    tab_to(page, ".pr-ask__open")
    page.keyboard.press("Enter")
    expect(ask).to_have_attribute("aria-expanded", "true")
    expect(page.get_by_label("Title")).to_be_focused()
    assert page.locator("[data-pr-ask] select").count() == 0  # one community: nothing to choose
    page.locator("[data-pr-ask]").scroll_into_view_if_needed()
    assert axe(page) == []
    scroll = page.evaluate("document.documentElement.scrollWidth")
    assert scroll <= 360, f"the page is {scroll} px wide at 360 px"
    page.keyboard.type("How do you pick a forecast horizon?")
    page.keyboard.press("Tab")
    expect(page.get_by_label("Your question")).to_be_focused()
    page.keyboard.type("Weekly or monthly, and <b>why</b>?")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    done = page.locator(".pr-ask__done")
    expect(done).to_have_text("Your question is on the Data & Analytics board, sent to Ada Okafor. See your question")
    link = page.get_by_role("link", name="See your question")
    expect(link).to_be_focused()
    [(tid, person)] = stack.store.db.execute("SELECT thread_id, person FROM routes").fetchall()
    assert person == "ada"
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/topics/data/?thread={tid}#discussions")
    expect(page.locator(".pr-board__routed")).to_have_text("Sent to Ada Okafor")
    expect(page.locator("#discussions")).to_contain_text("Weekly or monthly, and <b>why</b>?")  # text, not HTML
    page.goto(stack.url("topics/data/"))
    row = page.locator("li.pr-board__thread").filter(has_text="How do you pick a forecast horizon?")
    expect(row).to_contain_text("Sent to Ada Okafor")

    ada = browser.new_context(viewport={"width": 360, "height": 740})  # Ada's bell: tapping it opens the question
    try:
        be(ada, stack, "ada")
        reader = ada.new_page()
        reader.goto(stack.url(""))
        bell(reader).click()
        entry = activity(reader).get_by_role("link", name=re.compile("^Bo Lindqvist asked you: “How do you pick"))
        href = entry.get_attribute("href") or ""
        assert re.search(rf"\?thread={tid}#post-\d+$", href), href
        entry.click()
        reader.wait_for_url(re.compile(r"#post-\d+$"))
        expect(reader.locator(href[href.index("#"):])).to_contain_text("Weekly or monthly")
    finally:
        ada.close()


def test_signed_out_the_ask_control_offers_sign_in(context: BrowserContext, page: Page, stack: Stack) -> None:
    be(context, stack, None)
    page.goto(stack.url("skills/forecasting/"))
    page.get_by_role("button", name="Ask someone who knows Forecasting").click()
    expect(page.get_by_role("link", name="Sign in to ask someone who knows Forecasting")).to_be_visible()


def test_a_question_asked_offline_waits_and_is_sent_once(context: BrowserContext, page: Page, stack: Stack) -> None:
    be(context, stack, "bo")
    controlled(page, stack.url("people/ada/"))
    page.reload()  # through the service worker, which keeps the page and who is signed in
    expect(page.get_by_role("button", name="Ask Ada")).to_be_visible()
    context.set_offline(True)
    page.reload()
    page.get_by_role("button", name="Ask Ada").click()
    page.get_by_label("Title").fill("Asked on the train")
    page.get_by_label("Your question").fill("Which horizon for a new product?")
    page.get_by_role("button", name="Send question").click()
    expect(page.locator("[data-pr-ask]")).to_contain_text("your question waits on this device")
    assert stack.store.db.execute("SELECT count(*) FROM threads").fetchone()[0] == 0
    context.set_offline(False)
    page.evaluate("window.dispatchEvent(new Event('online'))")
    page.wait_for_function("() => localStorage.getItem('practica:talk:outbox') === '[]'")
    page.reload()  # a later page sends nothing again
    page.wait_for_function("() => localStorage.getItem('practica:talk:outbox') === '[]'")
    titles = [row[0] for row in stack.store.db.execute("SELECT title FROM threads")]
    assert titles == ["Asked on the train"]  # exactly once
    assert [row[0] for row in stack.store.db.execute("SELECT person FROM routes")] == ["ada"]


def test_with_the_service_down_asking_says_so_and_without_one_no_control_shows(
        browser: Browser, service_down: StaticServer, no_service: StaticServer) -> None:
    context = browser.new_context(viewport={"width": 360, "height": 740})
    try:
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.goto(service_down.url + "people/ada/")
        page.get_by_role("button", name="Ask Ada").click()
        expect(page.locator("[data-pr-ask]")).to_contain_text(
            "Asking is unavailable right now: the community service cannot be reached.")
        page.goto(no_service.url + "people/ada/")  # no community service: the contact actions stay, no ask control
        expect(page.locator("[data-pr-ask]")).to_be_hidden()
        expect(page.locator(".pr-available")).to_be_visible()
        assert page.locator("script[src$='ask.js']").count() == 0
        assert errors == []
    finally:
        context.close()
