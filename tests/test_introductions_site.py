"""Introductions on the built site (issue 17): a community hub's "New members" section and the /me/ form are in
the HTML, hidden until intro.js fills them from the service; intro.js is loaded only on those pages; the policy
lets the service's photos in, and nothing else from elsewhere."""

from __future__ import annotations

from pathlib import Path

from bs4 import BeautifulSoup

from generator import csp
from generator.settings import Settings

from .soup import attr, one
from .test_csp import PUSH, page, secured

JS = Path(__file__).resolve().parent.parent / "pwa" / "overrides" / "assets" / "practica"


def soup_of(site: Path, path: str) -> BeautifulSoup:
    return BeautifulSoup((site / path / "index.html").read_text(encoding="utf-8"), "html.parser")


def test_a_hub_has_a_hidden_new_members_section_with_the_stewards_invitation(mini_site: Path) -> None:
    hub = soup_of(mini_site, "topics/data")
    section = one(hub, "section[data-pr-members]")
    assert attr(section, "data-pr-members") == "data" and section.has_attr("hidden")
    heading = one(section, "h2")
    assert heading.get_text(strip=True) == "New members" and attr(section, "aria-labelledby") == attr(heading, "id")
    invite = one(section, "[data-members-steward] button[data-members-invite]")
    assert invite.get_text(strip=True) == "Invite new members to introduce themselves"
    assert one(section, "[data-members-steward]").has_attr("hidden")
    assert attr(one(section, "[data-members-status]"), "role") == "status"
    assert one(section, "ul[data-members-list]").find_all(True) == []  # filled only by intro.js
    # Before the board, and kept out of the search index.
    assert section.find_next("section", attrs={"data-pr-board": True}) is not None
    assert section.find_parent(attrs={"data-pagefind-ignore": True}) is not None


def test_me_has_the_introduction_form_with_a_label_for_every_field(mini_site: Path) -> None:
    me = soup_of(mini_site, "me")
    section = one(me, "section[data-pr-intro]")
    assert section.has_attr("hidden") and section.find_parent(attrs={"data-me-signed-in": True}) is not None
    form = one(section, "form[data-intro-form]")
    assert form.has_attr("hidden")
    fields = form.find_all(["input", "textarea", "select"])
    assert [f.get("name") for f in fields] == ["photo", "motto", "learning", "workplace"]
    for field in fields:
        label = me.find("label", attrs={"for": attr(field, "id")})
        assert label is not None and label.get_text(strip=True), f"{field.get('name')} has no label"
    photo = one(form, "input[type=file]")
    assert attr(photo, "accept") == "image/jpeg,image/png,image/webp"  # never SVG
    assert [attr(one(form, f"input[name={n}]"), "maxlength") for n in ("motto", "learning", "workplace")] == [
        "120", "200", "120"]
    assert one(form, "fieldset[data-intro-communities] legend").get_text(strip=True) == "Communities you joined"
    assert one(section, "[data-intro-profile]").has_attr("hidden")


def test_intro_js_is_loaded_only_where_its_sections_are(mini_site: Path) -> None:
    for path in ("", "learn/forecast-basics", "people", "topics"):
        html = (mini_site / path / "index.html").read_text(encoding="utf-8")
        assert "data-pr-intro" not in html and "data-pr-members" not in html, path
        assert "intro.js" not in html, path  # not in extra_javascript: practica.js adds it where needed
    loader = (JS / "practica.js").read_text(encoding="utf-8")
    assert '"[data-pr-intro], [data-pr-members]"' in loader
    assert (mini_site / "assets" / "practica" / "intro.js").exists()
    # Readers' words are inserted as text only: intro.js never writes HTML.
    script = (JS / "intro.js").read_text(encoding="utf-8")
    assert "innerHTML" not in script and "insertAdjacentHTML" not in script and "outerHTML" not in script


def test_the_policy_lets_in_the_services_photos_and_nothing_else_from_elsewhere() -> None:
    _, policy = secured(page())
    assert policy["img-src"] == ["'self'", "data:", "http://127.0.0.1:8001"]
    _, without = secured(page(), Settings(root=Path(".")))
    assert without["img-src"] == ["'self'", "data:"]
    assert csp.policy(PUSH).count("http://127.0.0.1:8001") == 2  # connect-src and img-src only
