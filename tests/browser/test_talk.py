"""An item's discussion (issue 17), in Chromium: the mini site and the real community service in its demo mode
(the ASGI app on uvicorn, a real SQLite file). Readers are demo people chosen as me/ chooses them (the browser's
`practica:demo-person`); every call goes over HTTP to the service. Ada is the steward of the mini `data` topic."""

from __future__ import annotations

import json
import re

import pytest
from playwright.sync_api import Browser, BrowserContext, Locator, Page, expect

from tests.browser.conftest import Stack, StaticServer, controlled, landed
from tests.browser.test_accessibility import Scheme, axe, tab_to

pytestmark = pytest.mark.browser

LESSON = "learn/forecast-basics/"
HOSTILE = "<img src=x onerror=alert(1)> and [x](javascript:alert(1))"


def be(context: BrowserContext, stack: Stack, person: str | None) -> None:
    """Make this browser the demo person `person` (what me/'s picker stores), or nobody."""
    chosen = json.dumps({"api": stack.api, "id": person, "name": person}) if person else None
    context.add_init_script(f"localStorage.setItem('practica:demo-person', {json.dumps(chosen)})" if chosen
                            else "localStorage.removeItem('practica:demo-person')")


def talk(page: Page) -> Locator:
    return page.locator("section.pr-talk")


def status(page: Page) -> Locator:
    return page.locator("[data-talk-status]")


def post(page: Page, text: str) -> None:
    """Write in the composer and post; wait until the service has it."""
    page.get_by_label("Add to the discussion").fill(text)
    page.get_by_role("button", name="Post", exact=True).click()
    expect(status(page)).to_have_text("Your post is posted.")


def article(page: Page, text: str) -> Locator:
    return talk(page).locator("li.pr-post").filter(has_text=text).first


def bodies(stack: Stack) -> list[str]:
    return [row[0] for row in stack.store.db.execute("SELECT body FROM posts ORDER BY id")]


def test_read_post_reply_mark_edit_delete_flag(context: BrowserContext, page: Page, stack: Stack,
                                              browser: Browser) -> None:
    be(context, stack, "bo")
    page.goto(stack.url(LESSON))
    expect(talk(page).get_by_role("heading", name="Discussion")).to_be_visible()
    expect(status(page)).to_have_text("No posts yet. Start the discussion.")
    expect(page.locator("#pr-talk-body-hint")).to_contain_text("Markdown works")
    post(page, "Is a *forecast* a promise?")
    mine = article(page, "Is a forecast a promise?")
    expect(mine.locator("em")).to_have_text("forecast")  # the service's rendering
    expect(mine.locator(".pr-post__author")).to_have_text("Bo Lindqvist")
    expect(mine.locator("a.pr-post__author")).to_have_attribute("href", stack.url("people/bo/"))
    pid = mine.get_attribute("id")
    assert pid and re.fullmatch(r"post-\d+", pid)

    mine.get_by_role("button", name="Edit").click()
    page.get_by_label("Edit your post").fill("Is a forecast a **promise**?")
    page.get_by_role("button", name="Save").click()
    expect(status(page)).to_have_text("Your post is saved.")
    expect(article(page, "promise").locator(".pr-post__edited")).to_have_text("edited")

    context2 = browser.new_context(viewport={"width": 360, "height": 740})  # another reader on another device
    try:
        other = context2.new_page()
        be(context2, stack, "ada")
        other.goto(stack.url(LESSON))
        question = article(other, "promise")
        question.get_by_role("button", name="This helped").click()
        expect(status(other)).to_have_text("Marked as helpful.")
        expect(article(other, "promise").get_by_role("button", name="This helped (1)")).to_have_attribute(
            "aria-pressed", "true")
        article(other, "promise").get_by_role("button", name="Reply").click()
        other.get_by_label("Your reply").fill("No: a forecast is a range with a likelihood.")
        other.get_by_role("button", name="Post reply").click()
        expect(status(other)).to_have_text("Your reply is posted.")
        reply = talk(other).locator("li.pr-post--reply")
        expect(reply).to_contain_text("a range with a likelihood")
        expect(reply.get_by_role("button", name="Reply")).to_have_count(0)  # one level deep
    finally:
        context2.close()

    page.reload()
    theirs = talk(page).locator("li.pr-post--reply")
    expect(theirs).to_contain_text("Ada Okafor")
    theirs.get_by_role("button", name="Flag").click()
    page.get_by_label("Why should a steward look at this post?").select_option("wrong")
    page.get_by_role("button", name="Send flag").click()
    expect(status(page)).to_have_text("Thank you: a steward will look at it.")
    assert [row[0] for row in stack.store.db.execute("SELECT reason FROM flags")] == ["wrong"]

    article(page, "promise").get_by_role("button", name="Delete").first.click()
    page.get_by_role("button", name="Delete", exact=True).last.click()
    expect(status(page)).to_have_text("Your post is deleted.")
    expect(talk(page).locator(".pr-post__deleted")).to_have_text("This post was deleted.")  # its reply hangs on it
    page.screenshot(path="/tmp/talk-thread.png", full_page=True)


def test_a_steward_hides_a_post_and_its_reason_shows(context: BrowserContext, page: Page, stack: Stack,
                                                     browser: Browser) -> None:
    other = browser.new_context()
    try:
        be(other, stack, "bo")
        bo = other.new_page()
        bo.goto(stack.url(LESSON))
        post(bo, "Buy cheap watches at example.com")
    finally:
        other.close()
    be(context, stack, "ada")
    page.goto(stack.url(LESSON))
    article(page, "cheap watches").get_by_role("button", name="Hide").click()
    page.get_by_label("Reason, shown in the post's place").fill("Advertising is not allowed here")
    page.get_by_role("button", name="Hide post").click()
    expect(status(page)).to_have_text("The post is hidden.")
    expect(talk(page).locator(".pr-post__hidden")).to_have_text("Hidden by a steward: Advertising is not allowed here")

    be(context, stack, None)
    reader = context.new_page()
    reader.goto(stack.url(LESSON))
    expect(talk(reader).get_by_role("link", name="Sign in to join the discussion")).to_have_attribute(
        "href", stack.url("me/"))
    reader.close()


def test_hostile_text_is_shown_as_text(context: BrowserContext, page: Page, stack: Stack) -> None:
    be(context, stack, "bo")
    page.goto(stack.url(LESSON))
    post(page, HOSTILE)
    shown = talk(page).locator(".pr-post__body")
    expect(shown).to_contain_text("<img src=x onerror=alert(1)>")
    assert shown.locator("img, script, [onerror]").count() == 0
    assert shown.locator("a[href^='javascript']").count() == 0
    page.reload()
    expect(talk(page).locator(".pr-post__body")).to_contain_text("onerror")


def test_a_post_written_offline_is_sent_once_back_online(context: BrowserContext, page: Page, stack: Stack) -> None:
    be(context, stack, "bo")
    controlled(page, stack.url(LESSON))
    post(page, "Written online first")
    page.reload()  # through the service worker, which keeps the discussion
    expect(article(page, "Written online first")).to_be_visible()

    context.set_offline(True)
    page.reload()
    expect(status(page)).to_have_text(re.compile(r"^Saved copy from .*\d{1,2}:\d{2}"))
    expect(article(page, "Written online first")).to_be_visible()
    page.get_by_label("Add to the discussion").fill("Written on the train")
    page.get_by_role("button", name="Post", exact=True).click()
    expect(status(page)).to_have_text(re.compile("your post waits on this device"))
    expect(talk(page).locator(".pr-post--waiting")).to_contain_text("Written on the train")
    page.reload()  # still offline: it is still there, still waiting
    expect(talk(page).locator(".pr-post--waiting")).to_contain_text("Waiting to send")
    page.screenshot(path="/tmp/talk-offline.png", full_page=True)
    assert bodies(stack) == ["Written online first"]

    context.set_offline(False)
    page.evaluate("window.dispatchEvent(new Event('online'))")
    expect(talk(page).locator(".pr-post--waiting")).to_have_count(0)
    expect(article(page, "Written on the train")).to_be_visible()
    page.reload()
    expect(article(page, "Written on the train")).to_be_visible()
    assert bodies(stack) == ["Written online first", "Written on the train"]  # exactly once
    assert page.evaluate("localStorage.getItem('practica:talk:outbox')") == "[]"


def test_the_keyboard_alone_posts_and_replies(context: BrowserContext, page: Page, stack: Stack) -> None:
    be(context, stack, "bo")
    page.goto(stack.url(LESSON))
    expect(status(page)).to_have_text("No posts yet. Start the discussion.")
    tab_to(page, "#pr-talk-body")
    page.keyboard.type("Typed with the keyboard")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    expect(status(page)).to_have_text("Your post is posted.")
    be(context, stack, "ada")
    page.reload()
    tab_to(page, "li.pr-post [data-talk-action=reply]")
    page.keyboard.press("Enter")
    expect(page.get_by_label("Your reply")).to_be_focused()
    page.keyboard.type("A keyboard reply")
    page.keyboard.press("Tab")  # to "Post reply"
    page.keyboard.press("Enter")
    expect(status(page)).to_have_text("Your reply is posted.")
    assert bodies(stack) == ["Typed with the keyboard", "A keyboard reply"]


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_discussion_has_no_violations_at_360_px(browser: Browser, stack: Stack, scheme: Scheme) -> None:
    context = browser.new_context(viewport={"width": 360, "height": 900}, color_scheme=scheme)
    try:
        be(context, stack, "ada")
        page = context.new_page()
        page.goto(stack.url(LESSON))
        post(page, "A question with `code` and a [link](https://example.org)")
        article(page, "A question").get_by_role("button", name="Edit").click()
        expect(page.get_by_label("Edit your post")).to_have_value(  # its Markdown, not the words as shown
            "A question with `code` and a [link](https://example.org)")
        talk(page).scroll_into_view_if_needed()
        assert axe(page) == []
        scroll = page.evaluate("document.documentElement.scrollWidth")
        assert scroll <= 360, f"the page is {scroll} px wide at 360 px"
        page.screenshot(path=f"/tmp/talk-{scheme}.png", full_page=True)
    finally:
        context.close()


def test_with_the_service_down_the_discussion_says_so(browser: Browser, service_down: StaticServer) -> None:
    context = browser.new_context(viewport={"width": 360, "height": 740})
    try:
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.goto(service_down.url + LESSON)
        expect(status(page)).to_have_text("Discussion is unavailable right now.")
        expect(page.get_by_role("heading", name="Forecast basics", level=1)).to_be_visible()
        expect(page.locator(".pr-check").first).to_be_visible()  # the rest of the page works
        page.screenshot(path="/tmp/talk-down.png", full_page=True)
        assert errors == []
    finally:
        context.close()


def test_a_hub_board_asks_opens_in_place_answers_and_accepts(context: BrowserContext, page: Page, stack: Stack,
                                                             browser: Browser) -> None:
    be(context, stack, "bo")
    page.goto(stack.url("topics/data/"))
    board = page.locator("section.pr-board")
    expect(board.get_by_role("heading", name="Questions and discussions")).to_be_visible()
    expect(status(page)).to_have_text("No questions or discussions yet. Start one.")
    page.get_by_label("Kind").select_option("question")
    page.get_by_label("Title").fill("How wide should a forecast's range be?")
    page.get_by_label("Your text").fill("Our *weekly* forecasts look too sure.")
    board.get_by_role("button", name="Post").click()
    expect(status(page)).to_have_text("Your question is posted.")
    row = board.locator("li.pr-board__thread")
    expect(row).to_contain_text("Question")
    expect(row).to_contain_text("0 replies")
    page.evaluate("window.__sameDocument = true")
    row.get_by_role("link", name="How wide should a forecast's range be?").click()
    page.wait_for_url(re.compile(r"topics/data/\?thread=\d+"))
    expect(board.get_by_role("heading", name="Question: How wide should a forecast's range be?")).to_be_visible()
    expect(article(page, "look too sure").locator("em")).to_have_text("weekly")
    assert page.evaluate("window.__sameDocument === true"), "opened in place by instant navigation"

    other = browser.new_context(viewport={"width": 360, "height": 740})
    try:
        be(other, stack, "ada")
        ada = other.new_page()
        ada.goto(page.url)
        ada.get_by_label("Add to the discussion").fill("As wide as last year's errors.")
        ada.get_by_role("button", name="Post", exact=True).click()
        expect(status(ada)).to_have_text("Your post is posted.")
    finally:
        other.close()
    page.reload()
    article(page, "last year's errors").get_by_role("button", name="Accept as the answer").click()
    expect(status(page)).to_have_text("Accepted as the answer.")
    expect(article(page, "last year's errors").locator(".pr-post__accepted")).to_have_text("Accepted answer")
    page.screenshot(path="/tmp/talk-board-thread.png", full_page=True)
    page.get_by_role("link", name="All questions and discussions").click()
    expect(board.locator("li.pr-board__thread")).to_contain_text("1 reply")
    expect(board.locator("li.pr-board__thread")).to_contain_text("answered")
    page.screenshot(path="/tmp/talk-board.png", full_page=True)
    assert axe(page) == []


def test_instant_navigation_loads_the_discussion_and_a_post_link_lands_on_it(context: BrowserContext, page: Page,
                                                                              stack: Stack) -> None:
    be(context, stack, "bo")
    page.goto(stack.url(""))
    assert page.locator("script[src$='talk.js']").count() == 0, "no discussion here: its script is not loaded"
    page.evaluate("window.__sameDocument = true")
    page.locator('article a[href$="learn/reading-charts/"]').first.click()
    page.wait_for_url(landed("learn/reading-charts/"))
    expect(status(page)).to_have_text("No posts yet. Start the discussion.")
    post(page, "Landing here from a notification")
    assert page.evaluate("window.__sameDocument === true"), "Material's instant navigation swapped the pages"
    pid = article(page, "Landing here").get_attribute("id")
    page.goto(stack.url("faq/what-is-mape/"))  # another item: its own, empty discussion
    expect(status(page)).to_have_text("No posts yet. Start the discussion.")
    page.goto(stack.url(f"learn/reading-charts/#{pid}"))  # a notification's link
    expect(page.locator(f"#{pid}")).to_be_in_viewport()


def test_a_board_thread_started_offline_waits_and_is_sent_once(context: BrowserContext, page: Page,
                                                               stack: Stack) -> None:
    be(context, stack, "bo")
    controlled(page, stack.url("topics/data/"))
    expect(status(page)).to_have_text("No questions or discussions yet. Start one.")
    page.reload()  # through the service worker, which keeps the board
    expect(status(page)).to_have_text("No questions or discussions yet. Start one.")  # asked and kept: then go offline
    context.set_offline(True)
    page.reload()
    expect(status(page)).to_have_text(re.compile(r"^Saved copy from"))
    page.get_by_label("Title").fill("Asked on the train")
    page.get_by_label("Your text").fill("Which error measure should a weekly forecast use?")
    page.locator("section.pr-board").get_by_role("button", name="Post").click()
    expect(status(page)).to_have_text(re.compile("your post waits on this device"))
    expect(page.locator("li.pr-post--waiting")).to_contain_text("Asked on the train")
    assert bodies(stack) == []
    context.set_offline(False)
    page.evaluate("window.dispatchEvent(new Event('online'))")
    expect(page.locator("li.pr-post--waiting")).to_have_count(0)
    expect(page.locator("li.pr-board__thread")).to_contain_text("Asked on the train")
    page.reload()
    expect(page.locator("li.pr-board__thread")).to_have_count(1)
    assert bodies(stack) == ["Which error measure should a weekly forecast use?"]  # exactly once
