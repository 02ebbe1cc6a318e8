"""Learning records in Chromium (issue 21): the mini site and the real community service (demo sign-in, a real
SQLite file) with a real LRS (Ralph). A signed-in reader's page read and knowledge-check answers reach the
service; answers given offline wait on the device (practica:learning:queue) and are sent once, when it is back
online; then they arrive in the LRS. A reader nobody signed in as leaves nothing, and where records are off the
device keeps nothing."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from generator.service.config import Secret, XapiSettings
from generator.service.records.sender import Delivered, deliver_statements
from tests.browser.conftest import Stack, checked_page, controlled, reader_context, running
from tests.browser.test_talk import be
from tests.service.ralph import PASSWORD, USER, Ralph

pytestmark = pytest.mark.browser

LESSON = "learn/forecast-basics/"
VIDEO = "videos/intro-video/"
PATH = "paths/first-week/"
QUEUE = "practica:learning:queue"


@pytest.fixture(scope="module")
def records_stack(tmp_path_factory: pytest.TempPathFactory, ralph: Ralph) -> Iterator[Stack]:
    """The service in demo mode, sending signed-in readers' learning records to the run's LRS."""
    with running(tmp_path_factory.mktemp("records-site"), auth_mode="demo", xapi_endpoint=ralph.endpoint,
                 xapi_username=USER, xapi_password=PASSWORD, xapi_level="person",
                 xapi_homepage="https://sso.example.org") as started:
        yield started


@pytest.fixture
def stack(records_stack: Stack) -> Stack:
    records_stack.reset()
    return records_stack


def recorded(stack: Stack) -> list[tuple[str, str]]:
    return [(r[0], r[1]) for r in stack.store.db.execute("SELECT verb, object FROM xapi_statements ORDER BY id")]


def answer(page: Page, option: str) -> None:
    check = page.locator("form.pr-check").first
    check.get_by_label(option).check()
    check.get_by_role("button", name="Check answer").click()


def test_answers_given_offline_are_sent_once_back_online(context: BrowserContext, page: Page, stack: Stack,
                                                          ralph: Ralph) -> None:
    be(context, stack, "ada")
    controlled(page, stack.url(LESSON))
    lesson = stack.url(LESSON)
    page.wait_for_function(f"() => localStorage.getItem('{QUEUE}') === '[]'")
    assert ("experienced", lesson) in recorded(stack)

    context.set_offline(True)
    page.reload()  # the saved copy, through the service worker
    answer(page, "An estimate with uncertainty")
    expect(page.locator("form.pr-check").first.locator(".pr-check__result")).to_contain_text("Correct")
    waiting = json.loads(page.evaluate(f"localStorage.getItem('{QUEUE}')"))
    kinds = [e["event"]["kind"] for e in waiting]  # "completed" too, once the lesson's end was in view
    assert kinds[0] == "read" and kinds[-2:] == ["answered", "checked"] and set(kinds) <= {"read", "completed",
                                                                                         "answered", "checked"}
    assert [e["event"].get("choice") for e in waiting if e["event"]["kind"] == "answered"] == [2]
    assert ("answered", lesson + "#check-1") not in recorded(stack)

    context.set_offline(False)
    page.evaluate("window.dispatchEvent(new Event('online'))")
    page.wait_for_function(f"() => localStorage.getItem('{QUEUE}') === '[]'")
    got = recorded(stack)
    assert got.count(("answered", lesson + "#check-1")) == 1 and got.count(("attempted", lesson + "#check")) == 1
    assert got.count(("experienced", lesson)) == 1  # read online, then offline the same day: one statement
    assert got.count(("completed", lesson)) == 1  # once per person and lesson, however often its end is seen

    delivered = deliver(stack, ralph)
    assert delivered.rejected == 0 and delivered.sent == len(got)
    in_lrs = ralph.statements(activity=lesson + "#check-1")
    assert len(in_lrs) == 1 and in_lrs[0]["result"]["success"] is True


def deliver(stack: Stack, ralph: Ralph) -> Delivered:
    xapi = XapiSettings(ralph.endpoint, USER, Secret(PASSWORD), "person", "https://sso.example.org")
    with ThreadPoolExecutor(1) as other:  # Playwright's sync API holds this thread's event loop
        return other.submit(asyncio.run, deliver_statements(stack.store, xapi)).result()


WATCH = """async () => {
    const video = document.querySelector(".pr-video video");
    video.muted = true;
    await video.play();
    await new Promise((done) => setTimeout(done, 600));
    video.pause();
    video.currentTime = 6;
    await new Promise((done) => video.addEventListener("seeked", done, { once: true }));
    await video.play();
    await new Promise((done) => video.addEventListener("ended", done, { once: true }));
}"""


def test_a_local_video_watched_to_the_end_follows_the_video_profile(context: BrowserContext, page: Page,
                                                                    stack: Stack, ralph: Ralph) -> None:
    be(context, stack, "ada")
    page.goto(stack.url(VIDEO))
    page.evaluate(WATCH)
    page.wait_for_function(f"() => localStorage.getItem('{QUEUE}') === '[]'")
    video = stack.url(VIDEO)
    verbs = [v for v, o in recorded(stack) if o == video]
    # Every verb of the profile, in its order, both plays. Under load the video may not have moved before the pause
    # nor the seek landed past 0 s: the two plays are then at the same position, and are still two statements.
    assert verbs == ["experienced", "initialized", "played", "paused", "seeked", "played", "completed"]
    assert deliver(stack, ralph).rejected == 0
    ext = "https://w3id.org/xapi/video/extensions/"
    [done] = [s for s in ralph.statements(activity=video) if s["verb"]["id"].endswith("/completed")]
    assert done["result"]["completion"] is True and done["result"]["extensions"][ext + "progress"] > 0.2
    assert done["result"]["extensions"][ext + "played-segments"].endswith("[.]8.000")
    assert done["context"]["extensions"][ext + "length"] == 8.0
    assert done["actor"]["account"] == {"homePage": "https://sso.example.org", "name": "demo:ada"}


def test_a_path_is_completed_when_its_last_step_is_ticked(context: BrowserContext, page: Page,
                                                          stack: Stack) -> None:
    be(context, stack, "ada")
    page.goto(stack.url(PATH))
    steps = page.locator(".pr-step__done input")
    for n in range(steps.count()):
        steps.nth(n).check()
    page.wait_for_function(f"() => localStorage.getItem('{QUEUE}') === '[]'")
    assert [v for v, o in recorded(stack) if o == stack.url(PATH)] == ["experienced", "completed"]


def test_nobody_signed_in_leaves_nothing(context: BrowserContext, page: Page, stack: Stack) -> None:
    be(context, stack, None)
    page.goto(stack.url(LESSON))
    answer(page, "A target")
    expect(page.locator("form.pr-check").first.locator(".pr-check__result")).to_contain_text("Not quite")
    page.wait_for_timeout(500)  # time for a report that must not come
    assert page.evaluate(f"localStorage.getItem('{QUEUE}')") in (None, "[]")
    assert recorded(stack) == []



def test_where_records_are_off_the_device_keeps_nothing(browser: Browser, demo_stack: Stack) -> None:
    demo_stack.reset()  # the demo stack sends no records
    context = reader_context(browser)
    try:
        be(context, demo_stack, "ada")
        with checked_page(context) as page:
            page.goto(demo_stack.url(LESSON))
            answer(page, "An estimate with uncertainty")
            expect(page.locator("form.pr-check").first.locator(".pr-check__result")).to_contain_text("Correct")
            # the service answers 404 learning_records_off: what waited is dropped, and nothing more is queued
            page.wait_for_function(f"() => localStorage.getItem('{QUEUE}') === '[]'")
            page.reload()
            page.wait_for_timeout(500)
            assert page.evaluate(f"localStorage.getItem('{QUEUE}')") in ("[]", None)
        assert demo_stack.store.statement_counts() == {"pending": 0, "sending": 0, "sent": 0, "rejected": 0}
    finally:
        context.close()
