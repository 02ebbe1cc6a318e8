"""Community guidelines before a first post, the stewards' tools in a discussion, the stewards' page and a busy
board's "Load more" (issue 17, "Moderation"), in Chromium: the mini site with guidelines, and the real community
service in demo mode over HTTP (first posts in `data` held for a steward; Ada is its steward and a site admin)."""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from tests.browser.conftest import Stack, running
from tests.browser.test_accessibility import Scheme, axe, tab_to
from tests.browser.test_talk import article, be, status, talk
from tests.conftest import MINI
from tests.test_guidelines import DATA, SITE_WIDE

pytestmark = pytest.mark.browser

LESSON = "learn/forecast-basics/"
HUB = "topics/data/"
HOSTILE = "<img src=x onerror=alert(1)> [x](javascript:alert(1))"


@pytest.fixture(scope="module")
def stewards_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    """The mini community with guidelines and a second community (Cy's), and a service that holds first posts in
    `data` for a steward (Ada, also an admin)."""
    folder = tmp_path_factory.mktemp("stewards-site")
    shutil.copytree(MINI, folder / "content")
    (folder / "content" / "guidelines.md").write_text(SITE_WIDE, encoding="utf-8")
    (folder / "content" / "guidelines").mkdir()
    (folder / "content" / "guidelines" / "data.md").write_text(DATA, encoding="utf-8")
    (folder / "content" / "people" / "cy.md").write_text(  # a steward of another community, not an admin
        "---\nname: Cy Okoro\nrole: Designer\ntopics: [design]\n---\nCy draws.\n", encoding="utf-8")
    (folder / "content" / "topics" / "design.md").write_text(
        "---\nname: Design\nsummary: People who make things clear.\nstewards: [cy]\n---\nWe sketch.\n",
        encoding="utf-8")
    with running(folder, auth_mode="demo", premoderate="data", admins="demo:ada",
                 talk_thread_rate_limit="100/1h", talk_rate_limit="200/1h") as started:
        yield started


@pytest.fixture
def stack(stewards_stack: Stack) -> Stack:
    stewards_stack.reset()
    return stewards_stack


def call(stack: Stack, person: str, method: str, path: str, body: Any = None) -> Any:
    """The API as a demo person (demo mode, from this loopback address), for what a test needs in place."""
    answer = httpx.request(method, stack.api + path, json=body, headers={"X-Practica-Demo-Person": person})
    assert answer.is_success, answer.text
    return answer.json() if answer.content else None


def ask(stack: Stack, person: str, title: str, body: str) -> dict[str, Any]:
    return dict(call(stack, person, "POST", "/threads", {"community": "data", "type": "question", "title": title,
                                                        "body": body, "idempotency_key": f"k-{abs(hash(title))}"}))


def test_the_guidelines_come_before_a_first_post_and_not_after(context: BrowserContext, page: Page,
                                                              stack: Stack) -> None:
    be(context, stack, "bo")
    page.goto(stack.url(LESSON))
    expect(status(page)).to_have_text("No posts yet. Start the discussion.")
    box = talk(page).locator(".pr-guidelines")
    expect(box).to_contain_text("Before your first post")
    expect(box).to_contain_text("Post made-up numbers, never a real customer's.")  # the data community's own
    expect(box.get_by_role("link", name="Read the community guidelines")).to_have_attribute(
        "href", "../../guidelines/data/")
    tab_to(page, "#pr-talk-body")
    page.keyboard.type("Is a *forecast* a promise?")
    tab_to(page, "form.pr-talk__form button[type=submit]")
    page.keyboard.press("Enter")  # not ticked: not sent
    expect(status(page)).to_contain_text("tick “I have read the guidelines”")
    checkbox = page.get_by_label("I have read the guidelines")
    expect(checkbox).to_be_focused()
    assert stack.store.db.execute("SELECT count(*) FROM posts").fetchone()[0] == 0
    page.keyboard.press("Space")
    expect(checkbox).to_be_checked()
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    expect(status(page)).to_have_text("Your post is posted.")
    expect(article(page, "promise")).to_contain_text("Waiting for a steward's approval")
    expect(talk(page).locator(".pr-guidelines")).to_have_count(0)  # posted once: no more
    page.reload()
    expect(article(page, "promise")).to_be_visible()
    expect(talk(page).locator(".pr-guidelines")).to_have_count(0)
    page.goto(stack.url(HUB))
    expect(page.get_by_label("Title")).to_be_visible()
    expect(page.locator("section.pr-board .pr-guidelines")).to_have_count(0)


def test_the_guidelines_page_opens_from_the_discussion(context: BrowserContext, page: Page, stack: Stack) -> None:
    be(context, stack, "bo")
    page.goto(stack.url(HUB))
    expect(page.locator("section.pr-board .pr-guidelines")).to_contain_text("Before your first post")
    page.get_by_role("link", name="Read the community guidelines").click()
    page.wait_for_url(re.compile(r"guidelines/data/"))
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile("Data & Analytics: how we talk here"))
    expect(page.get_by_role("link", name="site's guidelines")).to_be_visible()


def test_a_steward_approves_notes_pins_and_locks_in_the_discussion(context: BrowserContext, page: Page,
                                                                  stack: Stack, browser: Browser) -> None:
    held = ask(stack, "bo", "How wide should a forecast's range be?", "Our forecasts look too sure.")
    assert held["post"]["state"] == "held"
    be(context, stack, "ada")
    page.goto(stack.url(HUB) + f"?thread={held['thread']['id']}#discussions")
    question = article(page, "too sure")
    expect(question).to_contain_text("Waiting for a steward's approval")
    expect(page.get_by_role("group", name="Stewards' tools").get_by_role(
        "link", name="Stewards' page: held posts and flags")).to_have_attribute("href", stack.url("moderation/"))
    question.get_by_role("button", name="Approve").click()
    expect(status(page)).to_have_text("The post is approved: everyone sees it now.")
    expect(article(page, "too sure")).not_to_contain_text("Waiting for a steward's approval")

    article(page, "too sure").get_by_role("button", name="Add note").click()
    note = page.get_by_label("Steward's note, shown with the post")
    expect(note).to_be_focused()
    note.fill("See the verified FAQ on [ranges](https://example.org/faq/ranges/) " + HOSTILE)
    page.get_by_role("button", name="Save note").click()
    expect(status(page)).to_have_text("The note is saved.")
    shown = article(page, "too sure").locator(".pr-post__note")
    expect(shown).to_contain_text("Steward's note")
    expect(shown.get_by_role("link", name="ranges")).to_have_attribute("href", "https://example.org/faq/ranges/")
    expect(shown).to_contain_text("<img src=x onerror=alert(1)>")  # as text, never as an element
    assert shown.locator("img").count() == 0 and shown.locator("a[href^=javascript]").count() == 0

    page.get_by_label("Add to the discussion").fill("As wide as last year's errors.")
    page.get_by_label("I have read the guidelines").check()  # her first post: stewards read them too
    page.get_by_role("button", name="Post", exact=True).click()
    expect(status(page)).to_have_text("Your post is posted.")
    article(page, "last year's errors").get_by_role("button", name="Accept as the answer").click()  # as steward
    expect(status(page)).to_have_text("Accepted as the answer.")
    expect(article(page, "last year's errors").locator(".pr-post__accepted")).to_have_text("Accepted answer")

    tools = page.get_by_role("group", name="Stewards' tools")
    tools.get_by_role("button", name="Pin thread").click()
    expect(status(page)).to_have_text("The thread is pinned to the top of the board.")
    expect(tools.get_by_role("button", name="Unpin thread")).to_be_focused()
    page.keyboard.press("Tab")  # to "Lock thread", and the keyboard locks it
    page.keyboard.press("Enter")
    expect(status(page)).to_have_text("The thread is locked: only stewards can post.")
    expect(talk(page).locator("[data-talk-state]")).to_have_text("Pinned · Locked: new posts are closed")
    log = [tuple(row) for row in stack.store.db.execute("SELECT action FROM moderation_log ORDER BY id")]
    assert log == [("approve",), ("note",), ("accept",), ("pin",), ("lock",)]

    other = browser.new_context(viewport={"width": 360, "height": 740})
    try:
        be(other, stack, "bo")
        bo = other.new_page()
        bo.goto(page.url)
        expect(talk(bo).locator("[data-talk-state]")).to_have_text("Pinned · Locked: new posts are closed")
        expect(bo.locator("[data-talk-join]")).to_have_text("Locked: new posts are closed.")
        expect(bo.get_by_role("group", name="Stewards' tools")).to_be_hidden()
        expect(bo.get_by_role("button", name="Add note")).to_have_count(0)
        bo.get_by_role("link", name="All questions and discussions").click()
        expect(bo.locator("li.pr-board__thread")).to_contain_text("pinned · locked")
    finally:
        other.close()


def test_the_stewards_page_lists_a_flag_and_resolves_it(context: BrowserContext, page: Page, stack: Stack) -> None:
    mine = ask(stack, "ada", "Meetup slides", "Slides are on the hub.")
    call(stack, "bo", "POST", f"/posts/{mine['post']['id']}/flags", {"reason": "off_topic", "text": HOSTILE})
    held = ask(stack, "bo", "Held first question", "Hello all")
    be(context, stack, "ada")
    page.goto(stack.url("moderation/"))
    flags = page.locator("[data-mod-list=flags] > li")
    expect(flags).to_have_count(1)
    expect(flags).to_contain_text("Flagged: Off topic")
    expect(flags).to_contain_text("The reader wrote: " + HOSTILE)  # text, never markup
    assert flags.locator("img").count() == 0
    expect(flags.get_by_role("link", name="Go to the post")).to_have_attribute(
        "href", stack.url(f"{HUB}?thread={mine['thread']['id']}#post-{mine['post']['id']}"))
    queue = page.locator("[data-mod-list=queue] > li")
    expect(queue).to_contain_text("Held first question")
    expect(page.get_by_role("heading", name="Moderation log")).to_be_visible()  # Ada is an admin too

    tab_to(page, "[data-mod-list=flags] button")
    expect(page.locator(":focus")).to_have_text("Resolve: no action needed")
    page.keyboard.press("Enter")
    expect(page.locator("[data-mod-status]")).to_have_text("The flag is resolved.")
    expect(page.locator("[data-mod-list=flags]")).to_have_text("No open flags.")
    expect(page.locator("#pr-mod-flags")).to_be_focused()
    assert [row[0] for row in stack.store.db.execute("SELECT resolved_at IS NOT NULL FROM flags")] == [1]

    tab_to(page, "[data-mod-list=queue] button")
    expect(page.locator(":focus")).to_have_text("Approve")
    page.keyboard.press("Tab")  # Reject: a reason for the log, typed
    page.keyboard.press("Enter")
    reason = page.get_by_label("Why is it rejected? (for the moderation log)")
    expect(reason).to_be_focused()
    page.keyboard.type("Duplicate of the pinned question")
    page.keyboard.press("Enter")
    expect(page.locator("[data-mod-status]")).to_have_text("The post is rejected.")
    expect(page.locator("[data-mod-list=queue]")).to_have_text("No posts are waiting.")
    assert stack.store.post(held["post"]["id"]) is None
    rows = page.locator("[data-mod-list=log] tr")
    expect(rows.first).to_contain_text("rejected a held post")
    expect(rows.first).to_contain_text("Duplicate of the pinned question")
    expect(rows.nth(1)).to_contain_text("resolved a flag")


def test_a_steward_who_is_not_an_admin_sees_the_lists_of_their_communities_only(context: BrowserContext, page: Page,
                                                                                stack: Stack) -> None:
    mine = ask(stack, "ada", "In data only", "Flag me")
    call(stack, "bo", "POST", f"/posts/{mine['post']['id']}/flags", {"reason": "spam"})
    be(context, stack, "cy")
    page.goto(stack.url("moderation/"))
    expect(page.locator("[data-mod-list=queue]")).to_have_text("No posts are waiting.")
    expect(page.locator("[data-mod-list=flags]")).to_have_text("No open flags.")  # data's flag is not Cy's
    expect(page.get_by_role("heading", name="Moderation log")).to_be_hidden()
    assert axe(page) == []


def test_someone_who_moderates_nothing_is_told_so(context: BrowserContext, page: Page, stack: Stack) -> None:
    be(context, stack, "bo")
    page.goto(stack.url("moderation/"))
    expect(page.locator("[data-mod-status]")).to_have_text(re.compile("You are not a steward of any community"))
    expect(page.locator("[data-mod-section]:visible")).to_have_count(0)
    be(context, stack, None)
    page.reload()
    expect(page.locator("[data-mod-status]")).to_contain_text("Sign in to see the stewards' page")


def test_load_more_on_a_busy_board_moves_focus_to_the_first_new_thread(context: BrowserContext, page: Page,
                                                                       stack: Stack) -> None:
    for n in range(1, 26):
        ask(stack, "ada", f"Board thread {n:02d}", f"Body {n}")
    be(context, stack, "bo")
    page.goto(stack.url(HUB))
    rows = page.locator("li.pr-board__thread")
    expect(rows).to_have_count(20)
    expect(rows.first).to_contain_text("Board thread 25")  # newest first
    more = page.get_by_role("button", name="Load more")
    tab_to(page, "[data-talk-action=more]")
    page.keyboard.press("Enter")
    expect(rows).to_have_count(25)
    expect(page.get_by_role("link", name="Board thread 05")).to_be_focused()
    expect(status(page)).to_have_text("5 more threads loaded.")
    expect(more).to_be_hidden()  # the last page
    titles = [t.strip() for t in page.locator("a.pr-board__link").all_inner_texts()]
    assert titles == [f"Board thread {n:02d}" for n in range(25, 0, -1)]  # none twice, none missing


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_stewards_page_has_no_violations_at_360_px(browser: Browser, stack: Stack, scheme: Scheme) -> None:
    mine = ask(stack, "ada", "A flagged thread", "Some text with `code`.")
    call(stack, "bo", "POST", f"/posts/{mine['post']['id']}/flags", {"reason": "wrong", "text": "Out of date"})
    ask(stack, "bo", "A held thread", "Waiting for Ada")
    call(stack, "ada", "POST", f"/threads/{mine['thread']['id']}/pin")
    context = browser.new_context(viewport={"width": 360, "height": 900}, color_scheme=scheme)
    try:
        be(context, stack, "ada")
        page = context.new_page()
        page.goto(stack.url("moderation/"))
        expect(page.locator("[data-mod-list=log] tr")).to_have_count(1)
        page.locator("[data-mod-list=queue] button", has_text="Reject").click()  # its form open too
        assert axe(page) == []
        scroll = page.evaluate("document.documentElement.scrollWidth")
        assert scroll <= 360, f"the page is {scroll} px wide at 360 px"
        page.screenshot(path=f"/tmp/stewards-{scheme}.png", full_page=True)
    finally:
        context.close()


def test_an_admin_pages_through_the_log_with_the_keyboard(context: BrowserContext, page: Page,
                                                           stack: Stack) -> None:
    tid = ask(stack, "ada", "A thread pinned and unpinned", "Body")["thread"]["id"]
    for n in range(22):
        call(stack, "ada", "POST", f"/threads/{tid}/{'unpin' if n % 2 else 'pin'}")
    be(context, stack, "ada")
    page.goto(stack.url("moderation/"))
    rows = page.locator("[data-mod-list=log] tr")
    expect(rows).to_have_count(20)
    expect(rows.first).to_contain_text("unpinned a thread")  # newest first
    tab_to(page, "[data-mod-action=older]")
    page.keyboard.press("Enter")
    expect(rows).to_have_count(22)
    expect(page.locator("[data-mod-status]")).to_have_text("2 older entries shown.")
    expect(rows.nth(20).locator("td").first).to_be_focused()
    expect(page.get_by_role("button", name="Older entries")).to_be_hidden()
    ids = [row[0] for row in stack.store.db.execute("SELECT count(DISTINCT id) FROM moderation_log")]
    assert ids == [22]
