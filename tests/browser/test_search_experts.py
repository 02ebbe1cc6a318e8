"""Search tells the truth about experts: people are the build's evidence ranking, not profiles that mention
a word; a plain search lists the expert above pages; a typo is corrected; every result can be reached."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import StaticServer
from tests.browser.test_accessibility import Scheme, axe

pytestmark = pytest.mark.browser


def ask(phone: Page, server: StaticServer, query: str) -> list[str]:
    """The titles of the results first shown for `query`."""
    phone.goto(server.url + "people/")
    phone.locator(".pr-search-open").first.click()
    phone.get_by_role("searchbox", name="Search people, lessons, answers and videos").fill(query)
    expect(phone.locator(".pr-search__status")).to_contain_text("result", timeout=10_000)
    return [t.strip() for t in phone.locator(".pr-search__title").all_inner_texts()]


def ranked(site: Path, skill: str) -> list[str]:
    return [p[1] for p in json.loads((site / f"search/experts/{skill}.json").read_text())["people"]]


def test_who_knows_lists_exactly_the_evidence_ranking(phone: Page, demo_server: StaticServer,
                                                       demo_site: Path) -> None:
    experts = ranked(demo_site, "forecasting")
    assert experts[0] == "Priya Raman"
    titles = ask(phone, demo_server, "who knows forecasting")
    kinds = [k.strip().lower() for k in phone.locator(".pr-search__kind").all_inner_texts()]
    people = [t for t, k in zip(titles, kinds, strict=True) if k == "person"]
    assert titles[:len(experts)] == experts and people == experts
    assert "Ewan Campbell" not in titles  # his profile says he "uses Priya's volume forecasts"
    expect(phone.locator(".pr-search__excerpt").first).to_contain_text("declares it")


def test_a_plain_search_lists_the_expert_first(phone: Page, demo_server: StaticServer) -> None:
    assert ask(phone, demo_server, "forecasting")[0] == "Priya Raman"


def test_a_typo_is_corrected_and_said(phone: Page, demo_server: StaticServer) -> None:
    titles = ask(phone, demo_server, "forcasting")
    expect(phone.locator(".pr-search__status")).to_contain_text("Showing results for “forecasting”")
    assert titles[0] == "Priya Raman" and "Forecasting" in titles


def test_show_more_reaches_every_result(phone: Page, demo_server: StaticServer) -> None:
    ask(phone, demo_server, "forecasting")
    status = phone.locator(".pr-search__status")
    total = int(status.inner_text().split(" results")[0].split()[-1])
    results = phone.locator(".pr-search__result")
    assert results.count() == 8 < total
    more = phone.get_by_role("button", name="Show more")
    while more.is_visible():
        shown = results.count()
        more.click()
        expect(results).not_to_have_count(shown)
    expect(results).to_have_count(total)
    expect(status).not_to_contain_text("showing")
    assert len(set(phone.locator(".pr-search__result").evaluate_all("as => as.map(a => a.href)"))) == total


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_experts_correction_and_show_more_pass_axe(browser: Browser, demo_server: StaticServer, scheme: Scheme) -> None:
    context = browser.new_context(viewport={"width": 360, "height": 800}, color_scheme=scheme)
    page = context.new_page()
    ask(page, demo_server, "who knows forcasting")
    expect(page.locator(".pr-search__status")).to_contain_text("Showing results for “forecasting”")
    page.get_by_role("button", name="Show more").click()
    expect(page.locator(".pr-search__result").nth(8)).to_be_focused()
    assert axe(page) == []
    context.close()
