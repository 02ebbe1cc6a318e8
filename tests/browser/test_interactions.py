"""What readers do on a page, in Chromium: filter the directory, take a knowledge check, tick off path
steps, play an external video only when asked."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, Request, expect

from tests.browser.conftest import StaticServer, own_service

pytestmark = pytest.mark.browser


def test_directory_filters_by_text_skill_and_community(phone: Page, mini_server: StaticServer) -> None:
    phone.goto(mini_server.url + "people/")
    cards = phone.locator(".pr-directory > li.pr-person")
    count = phone.locator(".pr-filter__count")
    expect(phone.locator("form.pr-filter")).to_be_visible()
    expect(count).to_have_text("Showing all 2 people")

    phone.get_by_label("Name, skill, place or team").fill("forecast")
    expect(cards.filter(visible=True)).to_have_count(1)
    expect(cards.filter(visible=True).locator(".pr-person__name")).to_have_text("Ada Okafor")
    expect(count).to_have_text("1 person matches")

    phone.get_by_label("Name, skill, place or team").fill("")
    phone.get_by_label("Skill", exact=True).select_option("data-visualisation")
    expect(cards.filter(visible=True).locator(".pr-person__name")).to_have_text("Bo Lindqvist")

    phone.get_by_label("Name, skill, place or team").fill("nobody-has-this")
    expect(cards.filter(visible=True)).to_have_count(0)
    expect(count).to_have_text("0 people match")
    expect(phone.locator(".pr-filter__empty")).to_be_visible()


def test_directory_filter_comes_from_the_link(phone: Page, mini_server: StaticServer) -> None:
    phone.goto(mini_server.url + "people/?skill=sql")
    expect(phone.locator(".pr-directory > li.pr-person").filter(visible=True)).to_have_count(1)


def test_knowledge_check_with_the_keyboard(phone: Page, mini_server: StaticServer) -> None:
    phone.goto(mini_server.url + "learn/forecast-basics/")
    check = phone.locator("form.pr-check").first
    result = check.locator(".pr-check__result")
    explain = check.locator(".pr-check__explain")
    expect(explain).to_be_hidden()

    check.get_by_role("button", name="Check answer").click()
    expect(result).to_have_text("Choose an answer first.")

    check.get_by_label("A target").focus()
    phone.keyboard.press("Space")
    check.get_by_role("button", name="Check answer").focus()
    phone.keyboard.press("Enter")
    expect(result).to_have_text("✗ Not quite — try again.")  # a first wrong answer may be retried
    expect(explain).to_be_hidden()
    phone.keyboard.press("Enter")  # the same answer again: now the right one is shown, and why
    expect(result).to_have_text("✗ Not quite. The answer is: An estimate with uncertainty.")
    expect(explain).to_be_visible()
    expect(check.get_by_role("radio", name="An estimate with uncertainty Right answer", exact=True)).to_be_visible()

    check.get_by_role("radio", name="A target Not quite", exact=True).focus()
    phone.keyboard.press("ArrowDown")  # arrow keys move between the options and choose
    phone.keyboard.press("Enter")  # Enter in a radio group submits the form
    expect(result).to_have_text("✓ Correct!")
    expect(check).to_have_class(re.compile(r"\bpr-check--right\b"))


def test_path_progress_is_kept_on_the_device(phone: Page, mini_server: StaticServer) -> None:
    phone.goto(mini_server.url + "paths/first-week/")
    progress = phone.locator(".pr-path__count")
    expect(progress).to_have_text("0 of 4 steps done")
    phone.locator('.pr-step[data-step="forecast-basics"]').get_by_label("Done").check()
    phone.locator('.pr-step[data-step="what-is-mape"]').get_by_label("Done").check()
    expect(progress).to_have_text("2 of 4 steps done")
    expect(phone.locator(".pr-path__bar")).to_have_attribute("value", "2")

    phone.reload()
    expect(progress).to_have_text("2 of 4 steps done")
    expect(phone.locator('.pr-step[data-step="forecast-basics"]')).to_have_class("pr-step pr-step--done")
    phone.locator('.pr-step[data-step="what-is-mape"]').get_by_label("Done").uncheck()
    expect(progress).to_have_text("1 of 4 steps done")


def test_external_video_loads_nothing_until_play(phone: Page, mini_server: StaticServer) -> None:
    outside: list[str] = []
    ours = (mini_server.origin, own_service())

    def record(request: Request) -> None:
        if not request.url.startswith(ours):
            outside.append(request.url)

    phone.on("request", record)
    phone.route("**/*", lambda route: route.abort() if not route.request.url.startswith(mini_server.origin)
                else route.continue_())
    phone.goto(mini_server.url + "videos/external-talk/")
    phone.wait_for_load_state("networkidle")
    assert outside == [], "nothing is fetched from the video host before the reader asks"
    expect(phone.locator("iframe")).to_have_count(0)

    play = "Play video: “Forecasting at scale” (loads the player from youtube-nocookie.com)"
    phone.get_by_role("button", name=play).click()
    frame = phone.locator(".pr-facade iframe")
    expect(frame).to_have_attribute("src", "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ?autoplay=1")
    expect(frame).to_have_attribute("title", "Forecasting at scale")
    phone.wait_for_timeout(200)
    assert any(url.startswith("https://www.youtube-nocookie.com/") for url in outside)


def test_chapters_seek_the_local_video(phone: Page, mini_server: StaticServer) -> None:
    phone.goto(mini_server.url + "videos/intro-video/")
    phone.get_by_role("button", name="0:04 How to join").click()
    phone.wait_for_function("() => document.querySelector('.pr-video video').currentTime >= 4", timeout=10_000)


def test_pages_fit_a_360_px_screen(phone: Page, mini_server: StaticServer) -> None:
    for url in ("", "people/", "people/ada/", "topics/data/", "learn/forecast-basics/", "videos/intro-video/",
                "paths/first-week/", "faq/what-is-mape/", "skills/forecasting/"):
        phone.goto(mini_server.url + url)
        width = phone.evaluate("document.documentElement.scrollWidth")
        assert width <= 360, f"{url or 'home'} scrolls sideways ({width} px)"
