"""Learning that sticks (issue 23), in Chromium against the mini site and the real community service in its demo
mode: "I'll try this by …" on a lesson, kept on the device and followed up by the service only through the item and
the day; "My learning" on me/ (offline, printable, as Markdown, cleared with one control); a reflection kept or
shared in the discussion; "Thank the author" with its counts on the item and the profile; axe on the controls."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from tests.browser.conftest import Stack, controlled
from tests.browser.test_accessibility import Scheme, axe
from tests.browser.test_me import be, subscribe_this_device

pytestmark = pytest.mark.browser
LESSON = "learn/forecast-basics/"
LESSON_ID = "urn:practica:lesson:forecast-basics"
BO = "demo:bo"


def kept(page: Page) -> dict[str, Any]:
    return dict(page.evaluate("() => JSON.parse(localStorage.getItem('practica:learning') || '{}')"))


def commit(page: Page, choice: str = "In two weeks", note: str = "") -> None:
    form = page.locator("form[data-commit]")
    form.get_by_role("radio", name=choice).check()
    if note:
        form.get_by_role("textbox", name=re.compile("A note for yourself")).fill(note)
    form.get_by_role("button", name="I'll try this").click()
    expect(form.locator("[data-commit-status]")).to_contain_text("Saved on this device")


def in_days(n: int) -> str:
    return (dt.datetime.now(dt.UTC).astimezone(dt.timezone(dt.timedelta(hours=1))).date()
            + dt.timedelta(days=n)).isoformat()


def test_a_commitment_stays_on_the_device_and_the_service_gets_only_the_item_and_day(
        context: BrowserContext, page: Page, stack: Stack) -> None:
    subscribe_this_device(context, page, stack)
    page.goto(stack.url(LESSON))
    expect(page.locator("form[data-commit]")).to_be_visible()
    commit(page, note="Ask Priya first: she owns the planning sheet")
    expect(page.locator("[data-commit-status]")).to_contain_text("You'll get one reminder that day.")
    [c] = kept(page)["commitments"]
    assert (c["item"], c["title"], c["note"]) == (LESSON_ID, "Forecast basics",
                                                  "Ask Priya first: she owns the planning sheet")
    assert c["action"] == "Ask your planner for last month's forecast error." and c["due"] == in_days(14)
    [sub] = list(stack.store.subscriptions())
    held = stack.store.commitments_of(subscription=sub.id)
    assert [(h.id, h.item) for h in held] == [(c["id"], LESSON_ID)]
    local = held[0].due_at.astimezone(dt.timezone(dt.timedelta(hours=1)))  # Berlin (the reader's zone), winter
    assert local.date().isoformat() == c["due"]
    row = stack.store.db.execute("SELECT * FROM commitments").fetchone()
    assert "Priya" not in json.dumps(list(row))  # the note never left the device

    # The follow-up opens me/ on this commitment's reflection; writing it closes the commitment and its reminder.
    page.goto(stack.url(f"me/?reflect={c['id']}"))
    reflection = page.get_by_role("textbox", name=re.compile("How did “Forecast basics” go"))
    expect(reflection).to_be_focused()
    reflection.fill("The error was 12%. I'll show it in our weekly.")
    page.get_by_role("button", name="Save to my journal").click()
    expect(page.locator("[data-learning-status]")).to_have_text("Saved to your journal.")
    journal = page.locator('[data-learning-list="journal"]')
    expect(journal).to_contain_text("The error was 12%.")
    expect(page.locator('[data-learning-list="commitments"]')).to_contain_text("Done")
    for _ in range(50):
        if not stack.store.commitments_of(subscription=sub.id):
            break
        page.wait_for_timeout(100)
    assert stack.store.commitments_of(subscription=sub.id) == []


def test_a_reflection_can_be_shared_in_the_discussion(context: BrowserContext, page: Page, stack: Stack) -> None:
    page.goto(stack.url("me/"))
    be(page, "Bo Lindqvist")
    page.goto(stack.url(LESSON))
    commit(page, "In a week")
    expect(page.locator("[data-commit-status]")).to_contain_text("You'll get one reminder that day.")  # signed in
    [held] = stack.store.commitments_of(subject=BO)
    page.goto(stack.url("me/"))
    page.get_by_role("button", name="How did it go?").click()
    page.get_by_role("textbox", name=re.compile("How did")).fill("Asked on Monday; the planner walked me through it.")
    page.get_by_role("checkbox", name=re.compile("Also share it in the discussion")).check()
    page.get_by_role("button", name="Save to my journal").click()
    expect(page.locator("[data-learning-status]")).to_have_text("Saved to your journal and shared in the discussion.")
    expect(page.locator('[data-learning-list="journal"]')).to_contain_text("shared in the discussion")
    thread = stack.store.item_thread(LESSON_ID)
    assert thread is not None
    [post] = stack.store.thread_posts(thread.id)
    assert post.author == BO and post.body and post.body.startswith("**How I applied it**")
    assert "the planner walked me through it" in post.body
    assert stack.store.commitment(held.id) is None


def test_my_learning_works_offline_exports_markdown_prints_and_clears(context: BrowserContext, page: Page,
                                                                      stack: Stack) -> None:
    controlled(page, stack.url(LESSON))
    page.get_by_role("button", name="Yes").first.click()  # "Was this helpful?"
    commit(page, "In a week", note="Bring the numbers")
    controlled(page, stack.url("me/"))
    context.set_offline(True)
    page.reload()
    mine = page.locator('[data-learning-list="commitments"]')
    expect(mine).to_contain_text("Forecast basics")
    expect(mine).to_contain_text("Open")
    expect(mine).to_contain_text("Note: Bring the numbers")
    expect(page.locator('[data-learning-list="helpful"]')).to_contain_text("Forecast basics")
    page.get_by_role("button", name="How did it go?").click()
    page.get_by_role("textbox", name=re.compile("How did")).fill("Went well")
    page.get_by_role("button", name="Save to my journal").click()
    expect(page.locator('[data-learning-list="journal"]')).to_contain_text("Went well")

    with page.expect_download() as download:
        page.get_by_role("button", name="Download as Markdown").click()
    text = Path(download.value.path()).read_text(encoding="utf-8")
    assert download.value.suggested_filename.startswith("my-learning-")
    assert text.startswith("# My learning\n")
    assert "- [x] **Forecast basics** (done, by " in text
    assert "Ask your planner for last month's forecast error." in text
    assert "  - Note: Bring the numbers" in text and "## My journal" in text and "Went well" in text

    page.emulate_media(media="print")
    expect(page.locator("section.pr-learning")).to_be_visible()
    expect(page.locator(".pr-me")).to_be_hidden()
    expect(page.get_by_role("button", name="Print")).to_be_hidden()
    page.emulate_media(media="screen")
    context.set_offline(False)

    clear = page.get_by_role("button", name="Clear everything", exact=True)
    clear.click()
    confirm = page.get_by_role("button", name="Yes, clear everything")
    expect(confirm).to_be_focused()
    expect(clear).to_have_attribute("aria-expanded", "true")
    confirm.click()
    expect(page.locator("[data-learning-status]")).to_have_text(re.compile("^Cleared"))
    expect(clear).to_be_focused()
    expect(mine).to_have_text(re.compile("^Nothing yet"))
    expect(page.locator('[data-learning-list="helpful"]')).to_have_text(re.compile("^Pages you mark"))
    left = page.evaluate("""() => Object.keys(localStorage)
        .filter((k) => /^practica:(learning|recent|paths|path:|feedback:votes)/.test(k))""")
    assert left == []


def test_hostile_dates_and_notes_are_held_back_on_the_device(context: BrowserContext, page: Page,
                                                             stack: Stack) -> None:
    page.goto(stack.url(LESSON))
    form = page.locator("form[data-commit]")
    form.get_by_role("radio", name="On a date:").check()
    form.get_by_label("The date you'll try it by").fill("2001-01-01")
    form.get_by_role("button", name="I'll try this").click()
    expect(form.locator("[data-commit-status]")).to_have_text("Choose a day from today to a year ahead.")
    form.get_by_label("The date you'll try it by").fill("2999-12-31")
    form.get_by_role("button", name="I'll try this").click()
    expect(form.locator("[data-commit-status]")).to_have_text("Choose a day from today to a year ahead.")
    assert kept(page) == {}
    form.get_by_label("The date you'll try it by").fill(in_days(3))
    page.evaluate("""() => { document.querySelector('[data-commit] textarea').removeAttribute('maxlength'); }""")
    note = form.get_by_role("textbox", name=re.compile("A note for yourself"))
    note.fill("<img src=x onerror=alert(1)>" + "x" * 5000)
    form.get_by_role("button", name="I'll try this").click()
    expect(form.locator("[data-commit-status]")).to_contain_text("Saved on this device")
    [c] = kept(page)["commitments"]
    assert len(c["note"]) == 500 and c["due"] == in_days(3)
    page.goto(stack.url("me/"))
    expect(page.locator('[data-learning-list="commitments"]')).to_contain_text("<img src=x onerror=alert(1)>")
    assert page.locator('[data-learning-list="commitments"] img').count() == 0


def test_thanks_reach_the_count_on_the_item_and_the_profile(context: BrowserContext, page: Page, stack: Stack) -> None:
    page.goto(stack.url(LESSON))
    expect(page.locator("[data-thanks-action]")).to_be_hidden()  # not signed in: no button
    page.goto(stack.url("me/"))
    be(page, "Bo Lindqvist")
    page.goto(stack.url(LESSON))
    thank = page.get_by_role("button", name="Thank the author")
    thank.click()
    expect(page.locator("[data-thanks-status]")).to_have_text("Thank you: the author will hear of it.")
    expect(page.locator("[data-thanks-count]")).to_have_text("Readers thanked the author once.")
    thank.click()
    expect(page.locator("[data-thanks-status]")).to_have_text("You have thanked the author already.")
    assert stack.store.thanks_counts() == {LESSON_ID: 1}
    page.goto(stack.url("people/ada/"))
    expect(page.locator("[data-thanks-person]")).to_have_text("Readers thanked them for their work once.")
    assert axe(page) == []


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_new_controls_have_no_violations_at_360_px(browser: Browser, stack: Stack, scheme: Scheme) -> None:
    context = browser.new_context(viewport={"width": 360, "height": 900}, color_scheme=scheme)
    try:
        page = context.new_page()
        page.goto(stack.url("me/"))
        be(page, "Bo Lindqvist")
        page.goto(stack.url(LESSON))
        expect(page.get_by_role("button", name="Thank the author")).to_be_visible()
        commit(page)
        assert axe(page) == []
        page.goto(stack.url("paths/first-week/"))
        expect(page.locator("form[data-commit]")).to_be_visible()
        assert axe(page) == []
        page.goto(stack.url("me/"))
        page.get_by_role("button", name="How did it go?").click()
        page.get_by_role("button", name="Clear everything", exact=True).click()
        assert axe(page) == []
        assert page.evaluate("document.documentElement.scrollWidth") <= 360
    finally:
        context.close()
