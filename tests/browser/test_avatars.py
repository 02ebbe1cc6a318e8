"""Every avatar renders square (a flex row once stretched photos into 48×304 px ovals), on phone and desktop."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser

from tests.browser.conftest import StaticServer

PAGES = ["", "learn/forecasting-baselines/", "videos/forecasting-peak-season/",
         "faq/what-wcag-level-do-we-aim-for/", "paths/new-analyst-first-month/", "people/", "people/ade-okafor/",
         "topics/accessibility/", "skills/"]
MEASURE = """() => Array.from(document.querySelectorAll('.pr-avatar')).map(e => {
    const r = e.getBoundingClientRect();
    return {what: e.getAttribute('alt') || e.getAttribute('aria-label'), width: r.width, height: r.height};
})"""


@pytest.mark.parametrize("width", [360, 1280])
def test_every_avatar_on_every_page_type_is_square(browser: Browser, demo_server: StaticServer, width: int) -> None:
    context = browser.new_context(viewport={"width": width, "height": 800})
    page = context.new_page()
    try:
        for path in PAGES:
            response = page.goto(demo_server.url + path)
            assert response is not None and response.ok, path
            avatars = page.evaluate(MEASURE)
            if path not in ("skills/",):
                assert avatars, f"{path} shows no avatar"
            bad = [a for a in avatars if abs(a["width"] - a["height"]) > 0.5 or a["width"] < 16]
            assert not bad, f"{path} at {width} px: {bad[:5]}"
    finally:
        context.close()
