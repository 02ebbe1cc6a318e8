"""What a reader needs first, on pages that stay short on a phone (issue 14): a hub opens with what the
community is for, who looks after it, when it meets and how to join; /new/ is grouped by week with type
filters that are links without JavaScript; home lists communities and people compactly."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from bs4 import Tag

from generator.pages.indexes import period
from tests.conftest import HostileSite
from tests.soup import attr, one
from tests.test_site import article, resolve, texts

TODAY = dt.date(2026, 12, 1)  # a Tuesday


def test_a_hub_opens_with_what_the_community_is_and_how_to_join(mini_site: Path) -> None:
    body = article(mini_site, "topics/data/")
    headings = [h.get("id") for h in body.select("h2")]
    assert headings[0] == "about", headings
    about = body.select_one("#about")
    first = body.select_one("#new")
    for part in (".pr-goal", ".pr-stewards", ".pr-meets", "a.pr-follow", "details.pr-about"):
        found = body.select_one(part)
        assert isinstance(found, Tag), part
        assert about in found.find_all_previous("h2") and first not in found.find_all_previous("h2"), part
    more = one(body, "details.pr-about")
    assert not more.has_attr("open") and one(more, "summary").get_text() == "More about Data & Analytics"
    assert "Every team can read a forecast" in one(body, ".pr-goal").get_text()


def test_new_is_grouped_by_week_with_type_links(mini_site: Path) -> None:
    body = article(mini_site, "new/")
    chips = body.select("nav.pr-kinds a")
    assert texts(chips) == ["All", "Lessons", "Videos", "FAQs", "Paths"]
    assert chips[0]["aria-current"] == "true"
    for chip, folder in zip(chips, ["new", "learn", "videos", "faq", "paths"], strict=True):
        assert resolve(mini_site, "new/", attr(chip, "href")) == mini_site / folder / "index.html", chip["href"]
    weeks = body.select(".pr-week")
    assert weeks and all(one(w, "h2")["id"] == w["aria-labelledby"] for w in weeks)
    dates = [t["datetime"] for w in weeks for t in w.select("time")]
    assert dates == sorted(dates, reverse=True), "newest first, and each item once"


def test_periods_name_recent_weeks_then_months() -> None:
    assert period(dt.date(2026, 12, 1), TODAY) == ("This week", "week-2026-11-30")
    assert period(dt.date(2026, 11, 29), TODAY) == ("Last week", "week-2026-11-23")
    assert period(dt.date(2026, 11, 11), TODAY) == ("Week of 9 Nov", "week-2026-11-09")
    assert period(dt.date(2026, 10, 20), TODAY) == ("October", "month-2026-10")
    assert period(dt.date(2025, 12, 30), dt.date(2026, 1, 14)) == ("Week of 29 Dec 2025", "week-2025-12-29")
    assert period(dt.date(2025, 10, 20), TODAY) == ("October 2025", "month-2025-10")


def test_home_lists_communities_and_people_compactly(mini_site: Path) -> None:
    body = article(mini_site, "")
    community = one(body, ".pr-topic-list li.pr-topic")
    assert one(community, "h3 a").get_text() == "Data & Analytics"
    assert one(community, ".pr-topic__counts").get_text().endswith("items")
    assert texts(body.select(".pr-ask .pr-person-chip > span:last-child"))[0] == "Ada Okafor"


def test_hostile_names_stay_text_in_the_directory_row(hostile_site: HostileSite) -> None:
    ada = one(article(hostile_site.site, "people/"), ".pr-directory > li.pr-person")
    assert one(ada, ".pr-person__name").get_text() == "Ada <img src=x onerror=alert(1)>"
    assert one(ada, ".pr-person__team").get_text() == "Planning <img src=x onerror=alert(1)>"
    assert ada.select("img:not(.pr-avatar)") == [] and ada.select(".pr-person__text img") == []
