"""Introductions in Chromium (issue 17): a reader without a profile introduces themselves on /me/ with a photo, then
their post shows their face and the community hub lists them under New members; axe on the form at 360 px.

The service runs in `header` mode behind a "proxy": the test's route adds the identity headers to every request to
the service, as an SSO proxy would (demo mode signs in only site people, who have profiles and no introduction)."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from PIL import Image
from playwright.sync_api import Browser, BrowserContext, Page, Route, expect

from tests.browser.conftest import Stack, running
from tests.browser.test_accessibility import axe

pytestmark = pytest.mark.browser

LESSON = "learn/forecast-basics/"
ROBIN = {"X-Forwarded-User": "sso|robin-7", "X-Forwarded-Email": "robin@example.org",
         "X-Forwarded-Name": "Robin Newcomer"}


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    with running(tmp_path_factory.mktemp("intro-site"), auth_mode="header", auth_header="X-Forwarded-Email",
                 auth_subject_header="X-Forwarded-User", auth_name_header="X-Forwarded-Name",
                 trusted_proxies="127.0.0.1/32") as started:
        yield started


ADA = {"X-Forwarded-User": "sso|ada-1", "X-Forwarded-Email": "ada.okafor@example.org", "X-Forwarded-Name": "Ada"}


@contextmanager
def signed_in(browser: Browser, stack: Stack, who: dict[str, str]) -> Iterator[Page]:
    """A phone-sized page whose requests to the service carry `who`'s identity headers, as an SSO proxy adds them.
    Workers are blocked: the route (the "proxy") must see every request to the service."""
    context: BrowserContext = browser.new_context(viewport={"width": 360, "height": 740}, service_workers="block")

    def proxy(route: Route) -> None:
        route.continue_(headers=route.request.headers | who)

    context.route(stack.api + "/**", proxy)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    yield page
    context.close()
    assert errors == [], f"JavaScript errors: {errors}"


@pytest.fixture
def page(browser: Browser, stack: Stack) -> Iterator[Page]:
    with signed_in(browser, stack, ROBIN) as robin:
        yield robin


def photo_file(folder: Path) -> Path:
    image = Image.new("RGB", (400, 300), (30, 140, 90))
    out = io.BytesIO()
    exif = Image.Exif()
    exif[0x010F] = "RobinCam"
    image.save(out, "JPEG", exif=exif.tobytes())
    path = folder / "robin.jpg"
    path.write_bytes(out.getvalue())
    return path


def test_introduce_yourself_then_your_face_is_beside_your_post_and_among_new_members(
        page: Page, stack: Stack, tmp_path: Path, browser: Browser) -> None:
    page.goto(stack.url("me/"))
    section = page.locator("section[data-pr-intro]")
    expect(section.get_by_role("heading", name="Introduce yourself")).to_be_visible()
    form = section.locator("form")
    expect(form).to_be_visible()
    assert axe(page) == []  # the form at 360 px, as a reader first sees it

    form.get_by_label("Photo (JPEG, PNG or WebP, up to 2 MB)").set_input_files(photo_file(tmp_path))
    form.get_by_label("Your motto").fill("Small steps, <b>every</b> day")
    form.get_by_label("What you are learning").fill("Forecasting")
    form.get_by_label("Where you work (team, site)").fill("Planning, Rotterdam")
    form.get_by_label("Data & Analytics").check()
    form.get_by_role("button", name="Save my introduction").click()
    expect(section.locator("[data-intro-status]")).to_have_text("Your introduction is saved.")
    photo = section.locator("img[data-intro-photo]")
    expect(photo).to_be_visible()
    assert "/api/v1/photos/" in (photo.get_attribute("src") or "")
    assert page.evaluate("(img) => img.naturalWidth", photo.element_handle()) == 256
    expect(form.get_by_role("button", name="Delete my introduction")).to_be_visible()
    assert axe(page) == []

    page.goto(stack.url(LESSON))
    page.get_by_label("Add to the discussion").fill("Hello, I am new here.")
    page.get_by_role("button", name="Post", exact=True).click()
    mine = page.locator("section.pr-talk li.pr-post").filter(has_text="Hello, I am new here.").first
    expect(mine.locator(".pr-post__author")).to_have_text("Robin Newcomer")
    face = mine.locator("img.pr-post__face")
    expect(face).to_be_visible()
    assert "/api/v1/photos/" in (face.get_attribute("src") or "")

    page.goto(stack.url("topics/data/"))
    members = page.locator("section[data-pr-members]")
    expect(members.get_by_role("heading", name="New members")).to_be_visible()
    robin = members.locator("li.pr-member").filter(has_text="Robin Newcomer")
    expect(robin).to_contain_text("“Small steps, <b>every</b> day”")  # text, never markup
    expect(robin).to_contain_text("Learning: Forecasting")
    expect(robin.locator("img.pr-member__face")).to_be_visible()
    assert members.locator("b").count() == 0
    expect(members.get_by_role("button", name="Invite new members to introduce themselves")).to_be_hidden()

    # Ada, the community's steward (a site person: no introduction form for her), invites the new members.
    with signed_in(browser, stack, ADA) as ada:
        ada.goto(stack.url("me/"))
        expect(ada.locator("[data-intro-profile]")).to_have_text(re.compile("You have a profile on the site"))
        expect(ada.locator("form[data-intro-form]")).to_be_hidden()
        ada.goto(stack.url("topics/data/"))
        invite = ada.get_by_role("button", name="Invite new members to introduce themselves")
        invite.click()
        expect(ada.locator("[data-members-status]")).to_have_text(
            "Opened “Introduce yourself”. Everyone new has been invited already, or has introduced themselves.")
        assert [e.action for e in stack.store.log_entries(10)][:2] == ["invite", "pin"]
