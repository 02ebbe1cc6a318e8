"""Languages in Chromium (issue 22), on the demo site: an Arabic lesson reads right to left on a phone, the
scripts speak the page's language, lists show the reader's language, and search finds every language with
the page's own first."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, Route, expect

from tests.browser.conftest import StaticServer, checked_page

pytestmark = pytest.mark.browser

ARABIC = "learn/passphrases-and-mfa-ar/"
FRENCH = "learn/passphrases-and-mfa-fr/"
ENGLISH = "learn/passphrases-and-mfa/"
SITE_URL = "http://127.0.0.1:8000/"  # mkdocs.yml


@pytest.fixture
def arabic_reader(browser: Browser) -> Iterator[BrowserContext]:
    context = browser.new_context(viewport={"width": 360, "height": 740}, locale="ar-EG", is_mobile=True,
                                  has_touch=True)
    yield context
    context.close()


def box(page: Page, selector: str) -> dict[str, float]:
    found: dict[str, float] = page.locator(selector).first.evaluate(
        "(el) => { const r = el.getBoundingClientRect(); const range = document.createRange();"
        " range.selectNodeContents(el); const t = range.getBoundingClientRect();"
        " return {left: r.left, right: r.right, textLeft: t.left, textRight: t.right,"
        " width: document.documentElement.clientWidth}; }")
    return found


def test_an_arabic_lesson_reads_right_to_left_on_a_phone(phone: Page, demo_server: StaticServer) -> None:
    phone.goto(demo_server.url + ARABIC)
    assert phone.evaluate("() => [document.documentElement.lang, getComputedStyle(document.body).direction]") == \
        ["ar", "rtl"]
    for selector in ("article h1", ".pr-objectives li", ".pr-callout--action p", ".pr-check legend"):
        assert phone.locator(selector).first.evaluate("(el) => getComputedStyle(el).direction") == "rtl", selector
        text = box(phone, selector)
        # Right-aligned: the text ends at the right of its box and leaves its space on the left.
        assert abs(text["textRight"] - text["right"]) < 2 and text["textLeft"] > text["left"] - 1, (selector, text)
    # The objectives' accent border is on the right (the start of a right-to-left line).
    border = phone.locator(".pr-objectives").evaluate(
        "(el) => [getComputedStyle(el).borderRightWidth, getComputedStyle(el).borderLeftWidth]")
    assert border == ["4px", "0px"]
    # The header stays the site's (English, left to right) and nothing scrolls sideways.
    assert phone.locator("header.md-header").evaluate("(el) => getComputedStyle(el).direction") == "ltr"
    assert phone.evaluate("() => document.documentElement.scrollWidth <= document.documentElement.clientWidth")


def test_the_knowledge_check_answers_in_the_page_s_language(phone: Page, demo_server: StaticServer) -> None:
    phone.goto(demo_server.url + ARABIC)
    form = phone.locator("form.pr-check").first
    form.locator("input[type=radio]").first.check()
    form.get_by_role("button", name="تحقق من الإجابة").click()
    expect(form.locator(".pr-check__result")).to_contain_text("إجابة صحيحة!")
    phone.goto(demo_server.url + FRENCH)
    form = phone.locator("form.pr-check").first
    form.get_by_role("button", name="Vérifier la réponse").click()
    expect(form.locator(".pr-check__result")).to_have_text("Choisissez d’abord une réponse.")


def served_at_its_url(page: Page, server: StaticServer) -> None:
    """Material navigates instantly only to pages its sitemap lists, by absolute URL: the demo's sitemap names
    mkdocs.yml's site_url, so it is rewritten to the test server's, as if the site were deployed there."""
    def sitemap(route: Route) -> None:
        response = route.fetch()
        route.fulfill(response=response, body=response.text().replace(SITE_URL, server.url))
    page.route("**/sitemap.xml", sitemap)


def test_each_language_links_to_the_others(phone: Page, demo_server: StaticServer) -> None:
    served_at_its_url(phone, demo_server)
    phone.goto(demo_server.url + ENGLISH)
    phone.wait_for_function("() => navigator.serviceWorker.controller !== null", timeout=15_000)
    phone.evaluate("window.__sameDocument = true")
    phone.locator(".pr-translations").get_by_role("link", name="العربية").click()
    expect(phone).to_have_url(demo_server.url + ARABIC)
    expect(phone.locator("article h1")).to_contain_text("عبارات المرور")
    # Instant navigation swaps the content but keeps the <html> and <body> of the English page: practica.js
    # sets the page's language and direction on them.
    assert phone.evaluate("window.__sameDocument === true"), "Material's instant navigation swapped the pages"
    expect(phone.locator("html")).to_have_attribute("lang", "ar")
    assert phone.evaluate("() => [document.documentElement.dir, getComputedStyle(document.querySelector('article h1'))"
                          ".direction, document.querySelector('header.md-header').lang]") == ["rtl", "rtl", "en"]
    phone.locator(".pr-translations").get_by_role("link", name="English").click()
    expect(phone).to_have_url(demo_server.url + ENGLISH)
    assert phone.evaluate("window.__sameDocument === true"), "back by instant navigation too"
    expect(phone.locator("html")).to_have_attribute("lang", "en")
    assert phone.evaluate("() => [document.documentElement.dir, getComputedStyle(document.querySelector('article h1'))"
                          ".direction, document.querySelector('header.md-header').hasAttribute('lang')]") == \
        ["", "ltr", False]


def test_lists_show_the_reader_s_language_when_the_device_prefers_it(arabic_reader: BrowserContext,
                                                                     demo_server: StaticServer) -> None:
    with checked_page(arabic_reader) as page:
        page.goto(demo_server.url + "topics/security-awareness/")
        row = page.locator(".pr-item[data-pr-langs]").first
        title = row.locator(".pr-item__title")
        expect(title).to_have_text("عبارات المرور ومدير كلمات المرور والتحقق متعدد العوامل")
        assert title.evaluate("(a) => [a.lang, getComputedStyle(a).direction, a.getAttribute('href')]") == \
            ["ar", "rtl", "../../learn/passphrases-and-mfa-ar/"]


def test_an_english_reader_keeps_the_list_as_built(phone: Page, demo_server: StaticServer) -> None:
    phone.goto(demo_server.url + "topics/security-awareness/")
    expect(phone.locator(".pr-item[data-pr-langs] .pr-item__title").first).to_have_text(
        "Passphrases, the password manager and MFA")


def search(page: Page, url: str, query: str) -> list[tuple[str, str]]:
    """(kind label, title) of the first results for `query`, searched from the page at `url`."""
    page.goto(url)
    page.locator(".pr-search-open").first.click()
    page.locator(".pr-search__input").fill(query)
    # "3 results", "3 résultats", "النتائج: 3": the count, in the page's language (search.js uses practica.tr).
    expect(page.locator(".pr-search__status")).to_have_text(re.compile(r"\d"), timeout=10_000)
    kinds = page.locator(".pr-search__kind").all_text_contents()  # as written (CSS shows it in capitals)
    titles = page.locator(".pr-search__title").all_text_contents()
    return list(zip(kinds, titles, strict=True))


def test_search_lists_the_page_s_language_first_and_finds_the_others(phone: Page,
                                                                    demo_server: StaticServer) -> None:
    from_english = search(phone, demo_server.url + ENGLISH, "kettle")
    assert from_english[0] == ("Lesson", "Passphrases, the password manager and MFA")
    assert ("Lesson · Arabic", "عبارات المرور ومدير كلمات المرور والتحقق متعدد العوامل") in from_english
    assert ("Lesson · French", "Phrases de passe, gestionnaire de mots de passe et MFA") in from_english
    assert phone.locator(".pr-search__title[lang=ar]").evaluate("(el) => getComputedStyle(el).direction") == "rtl"
    assert search(phone, demo_server.url + FRENCH, "kettle")[0][1] == \
        "Phrases de passe, gestionnaire de mots de passe et MFA"
    expect(phone.locator(".pr-search__status")).to_have_text(re.compile(r"^\d+ résultats?\.$"))
    # An item only in another language is found by its own words, from an English page.
    found = search(phone, demo_server.url + ENGLISH, "المهاجمون")
    assert [title for _, title in found] == ["عبارات المرور ومدير كلمات المرور والتحقق متعدد العوامل"]
