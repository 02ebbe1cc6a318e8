"""Issue 14 on a 360 px phone, measured in Chromium on the demo site: the video is on the first screen, long
chip lists collapse, no empty band above the title, knowledge-check options are cards with a retry, readers
see no repository link, and the health tables fit the screen."""

from __future__ import annotations

import itertools
import re
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import StaticServer

pytestmark = pytest.mark.browser

SCREEN = 740  # the `phone` fixture's height
HEADER_GAP = 16  # px between the header's bottom and the first thing on the page (it was 50)
TITLE_BELOW_CRUMBS = 64  # px between the header and the title when breadcrumbs come first (it was 104)


def video_pages(site: Path) -> list[str]:
    return sorted(f"videos/{p.parent.name}/" for p in (site / "videos").glob("*/index.html"))


def test_the_player_is_on_the_first_screen_of_every_video(phone: Page, demo_server: StaticServer,
                                                          demo_site: Path) -> None:
    pages = video_pages(demo_site)
    assert len(pages) >= 5
    for path in pages:
        phone.goto(demo_server.url + path)
        top = phone.locator(".pr-video").bounding_box()
        assert top is not None
        assert top["y"] < SCREEN / 2, f"{path}: the player starts at {top['y']} px"


def test_a_long_chip_list_shows_three_and_a_more_button(phone: Page, demo_server: StaticServer) -> None:
    phone.goto(demo_server.url + "faq/how-do-i-join-a-community/")
    communities = phone.get_by_role("list", name="Communities")
    expect(communities.locator(":scope > li > .pr-chip")).to_have_count(3)
    more = communities.locator("summary")
    expect(more).to_have_text("+2 more communities", use_inner_text=True)
    hidden = phone.get_by_role("link", name="Security Awareness", exact=True)
    expect(hidden).to_be_hidden()

    more.focus()
    phone.keyboard.press("Enter")
    expect(hidden).to_be_visible()
    expect(phone.get_by_role("list", name="More communities").get_by_role("link")).to_have_count(2)
    expect(more).to_have_text("Fewer communities", use_inner_text=True)
    box = more.bounding_box()
    assert box is not None and box["height"] >= 44
    phone.keyboard.press("Enter")
    expect(hidden).to_be_hidden()


def test_the_more_button_works_without_javascript(browser: Browser, demo_server: StaticServer) -> None:
    context = browser.new_context(viewport={"width": 360, "height": SCREEN}, java_script_enabled=False)
    page = context.new_page()
    page.goto(demo_server.url + "videos/welcome-to-harbourline-communities/")
    hidden = page.locator(".pr-tags .pr-chipmore li .pr-chip").first
    expect(hidden).to_be_hidden()
    page.locator(".pr-tags summary").click()
    expect(hidden).to_be_visible()
    context.close()


# Profiles and hubs open with a photo or an icon beside the title: only the first thing is measured there.
@pytest.mark.parametrize(("path", "title_first"), [
    ("", True), ("health/", True), ("people/", True), ("learn/alt-text-that-helps/", True),
    ("videos/gemba-walk-daventry-night-shift/", True), ("people/priya-raman/", False),
    ("topics/data-analytics/", False)])
def test_no_empty_band_above_the_title(phone: Page, demo_server: StaticServer, path: str,
                                       title_first: bool) -> None:
    phone.goto(demo_server.url + path)
    header = phone.locator(".md-header").bounding_box()
    title = phone.locator("article h1").first.bounding_box()
    assert header is not None and title is not None
    first = phone.locator("article .pr-crumbs, article h1").first.bounding_box()
    assert first is not None
    bottom = header["y"] + header["height"]
    assert first["y"] - bottom <= HEADER_GAP, f"{path or 'home'}: {first['y'] - bottom} px above the page"
    down = title["y"] - bottom
    assert not title_first or down <= TITLE_BELOW_CRUMBS, f"{path or 'home'}: the title is {down} px down"


def test_knowledge_check_options_are_cards(phone: Page, demo_server: StaticServer) -> None:
    phone.goto(demo_server.url + "learn/alt-text-that-helps/")
    options = phone.locator("form.pr-check").first.locator(".pr-check__option")
    boxes = [options.nth(i).bounding_box() for i in range(options.count())]
    assert len(boxes) == 3
    for box in boxes:
        assert box is not None and box["height"] >= 48
    for above, below in itertools.pairwise(boxes):
        assert above is not None and below is not None
        assert below["y"] - (above["y"] + above["height"]) >= 6, "options touch"


def test_knowledge_check_retry_then_reveal(phone: Page, demo_server: StaticServer) -> None:
    phone.goto(demo_server.url + "learn/alt-text-that-helps/")
    check = phone.locator("form.pr-check").first
    result = check.locator(".pr-check__result")
    explain = check.locator(".pr-check__explain")
    submit = check.get_by_role("button", name="Check answer")

    check.get_by_label("image.jpg").check()
    submit.click()
    expect(result).to_have_text("✗ Not quite — try again.")
    expect(explain).to_be_hidden()
    expect(check.get_by_role("radio", name="image.jpg Not quite", exact=True)).to_be_visible()  # said in the label
    expect(check.locator(".pr-check__option--answer")).to_have_count(0)

    check.get_by_label("Photo of a person").check()
    submit.click()
    answer = "A Harbourline driver smiling beside her electric van"
    expect(result).to_have_text(f"✗ Not quite. The answer is: {answer}.")
    expect(explain).to_be_visible()
    expect(check.get_by_role("radio", name=f"{answer} Right answer", exact=True)).to_be_visible()
    expect(check.get_by_role("button", name="Show answer")).to_be_hidden()


def test_knowledge_check_show_answer_and_right_first_time(phone: Page, demo_server: StaticServer) -> None:
    phone.goto(demo_server.url + "learn/alt-text-that-helps/")
    first, second = phone.locator("form.pr-check").nth(0), phone.locator("form.pr-check").nth(1)

    first.get_by_role("button", name="Show answer").click()
    expect(first.locator(".pr-check__result")).to_have_text(
        "The answer is: A Harbourline driver smiling beside her electric van.")
    expect(first.locator(".pr-check__explain")).to_be_visible()
    expect(first.locator(".pr-check__option--answer .pr-check__mark")).to_have_text("✓ Right answer")

    second.get_by_label("Search", exact=True).check()
    second.get_by_role("button", name="Check answer").click()
    expect(second.locator(".pr-check__result")).to_have_text("✓ Correct!")
    expect(second.locator(".pr-check__option--right .pr-check__mark")).to_have_text("✓ Correct")
    expect(second).to_have_class(re.compile(r"\bpr-check--right\b"))


@pytest.mark.parametrize("width", [360, 1280])
def test_readers_see_no_repository_link(browser: Browser, demo_server: StaticServer, width: int) -> None:
    context = browser.new_context(viewport={"width": width, "height": 800})
    page = context.new_page()
    page.goto(demo_server.url + "learn/alt-text-that-helps/")
    if width == 360:
        page.locator("label.md-header__button[for=__drawer]").click()
        expect(page.locator(".md-sidebar--primary")).to_be_visible()
    expect(page.locator(".md-source")).to_have_count(0)
    expect(page.locator(".md-header, .md-sidebar").get_by_role("link", name="Git")).to_have_count(0)
    # Contributors keep the page's own "Suggest a change" and the footer's link to the repository.
    expect(page.get_by_role("link", name="Suggest a change to this page")).to_have_count(1)
    expect(page.locator(".md-footer").get_by_role("link", name="Contribute (source)")).to_have_count(1)
    context.close()


def test_health_tables_fit_a_phone(phone: Page, demo_server: StaticServer) -> None:
    phone.goto(demo_server.url + "health/")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
    wide = phone.evaluate("""() => [...document.querySelectorAll('.pr-table-wrap')]
        .filter((w) => w.scrollWidth > w.clientWidth).length""")
    assert wide == 0, "a health table scrolls sideways"
    cell = phone.locator("table.pr-health td[data-label=File]").first
    box = cell.bounding_box()
    assert box is not None and box["height"] <= 3 * 24, f"a file path takes {box and box['height']} px"
