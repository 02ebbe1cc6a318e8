""""Ask an expert" in the built site: the feed tells the community service who knows what (people's availability
and communities, skills with their ranked experts, items' experts), and profiles, skill pages and items carry the
ask control (hidden until ask.js, which runs only with a community service), checked in the parsed HTML."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from bs4 import BeautifulSoup, Tag

from tests.soup import attr, one


def feed(site: Path) -> dict[str, Any]:
    return dict(json.loads((site / "feed.json").read_text(encoding="utf-8")))


def ask_control(site: Path, url: str) -> Tag | None:
    html = BeautifulSoup((site / url / "index.html").read_text(encoding="utf-8"), "html.parser")
    found = one(html, "article.md-content__inner").select(".pr-ask")
    assert len(found) <= 1
    return found[0] if found else None


def test_the_feed_says_who_is_available_for_what_and_where(mini_site: Path) -> None:
    people = {p["id"]: p for p in feed(mini_site)["_practica"]["people"]}
    assert (people["ada"]["available_for"], people["ada"]["topics"]) == (["questions", "mentoring"], ["data"])
    assert (people["bo"]["available_for"], people["bo"]["topics"]) == ([], ["data"])


def test_the_feed_lists_skills_with_their_communities_and_experts_ranked_as_their_pages(mini_site: Path) -> None:
    skills = {s["id"]: s for s in feed(mini_site)["_practica"]["skills"]}
    assert skills["forecasting"]["name"] == "Forecasting"
    assert skills["forecasting"]["url"] == "http://127.0.0.1:8000/skills/forecasting/"
    assert skills["forecasting"]["topics"] == ["data"]
    for sid, skill in skills.items():
        html = BeautifulSoup((mini_site / "skills" / sid / "index.html").read_text(encoding="utf-8"), "html.parser")
        ranked = [attr(a, "href").rstrip("/").split("/")[-1] for a in html.select(".pr-ranked__person > div > a")]
        assert skill["experts"][:len(ranked)] == ranked, sid  # the page shows the first twelve


def test_each_item_names_its_experts_by_id(mini_site: Path) -> None:
    items = feed(mini_site)["items"]
    people = {p["id"] for p in feed(mini_site)["_practica"]["people"]}
    assert all(set(i["_practica"]["experts"]) <= people for i in items)
    basics = next(i for i in items if i["id"] == "urn:practica:lesson:forecast-basics")
    html = BeautifulSoup((mini_site / "learn/forecast-basics/index.html").read_text(encoding="utf-8"), "html.parser")
    shown = [attr(a, "href").rstrip("/").split("/")[-1] for a in html.select(".pr-expert__name")]
    assert shown and basics["_practica"]["experts"][:len(shown)] == shown


def test_a_profile_offers_ask_only_when_the_person_takes_questions(mini_site: Path) -> None:
    control = ask_control(mini_site, "people/ada")
    assert control is not None and control.has_attr("hidden")  # until ask.js runs with a community service
    assert (attr(control, "data-pr-ask"), attr(control, "data-ask-target")) == ("person", "ada")
    assert json.loads(attr(control, "data-ask-communities")) == [["data", "Data & Analytics"]]
    button = one(control, "button.pr-ask__open")
    assert (button.get_text(strip=True), attr(button, "type"), attr(button, "aria-expanded")) == (
        "Ask Ada", "button", "false")
    assert ask_control(mini_site, "people/bo") is None  # Bo is not available for questions


def test_a_skill_page_with_experts_and_an_item_with_experts_offer_ask(mini_site: Path) -> None:
    skill = ask_control(mini_site, "skills/forecasting")
    assert skill is not None and (attr(skill, "data-pr-ask"), attr(skill, "data-ask-target")) == (
        "skill", "forecasting")
    assert one(skill, "button").get_text(strip=True) == "Ask someone who knows Forecasting"
    item = ask_control(mini_site, "learn/forecast-basics")
    assert item is not None
    assert (attr(item, "data-pr-ask"), attr(item, "data-ask-target")) == ("item", "urn:practica:lesson:forecast-basics")
    assert one(item, "button").get_text(strip=True) == "Ask a question"
    assert item.find_parent(attrs={"data-pagefind-ignore": True}) is not None  # not in search results
