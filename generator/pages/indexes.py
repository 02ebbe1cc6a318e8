"""Home, what's new, and the lesson, video, FAQ and path indexes."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from .. import urls
from ..community import Community, Item, Topic
from ..content.models import PathMeta
from ..kinds import ITEM_KINDS
from . import events, listing
from .render import GeneratedPage
from .site import Site

NEW_LIMIT = 60
HOME_LATEST = 6
HOME_TOPICS = 12  # the busiest communities, so the home page weighs the same however many there are


def build(site: Site) -> Iterator[GeneratedPage]:
    yield home(site)
    yield new(site)
    c = site.community
    for kind in ITEM_KINDS.values():
        items = [i for i in c.listed if i.kind == kind.name]
        yield from listing.pages(site, listing.Listing(
            urls.index(kind.name), kind.title, kind.lead, listing.topic_order(site, items) if kind.grouped else items,
            [], show_date=kind.dated, group=listing.by_topic(site) if kind.grouped else None))


def home(site: Site) -> GeneratedPage:
    c = site.community
    people = sorted(c.people.values(), key=lambda p: (-c.contributions_of(p.id).count(), p.title))
    lead = site.settings.site_description or "Learn from the people around you: short lessons, answers and experts."
    return site.page("home.md.j2", urls.HOME, site.settings.site_name, lead=lead,
                     featured=site.featured(None), latest=c.listed[:HOME_LATEST],
                     topics=_busiest(c), topics_total=len(c.topics),
                     paths=[i for i in c.listed if isinstance(i.meta, PathMeta)][:4], people=people[:4],
                     people_total=len(c.people), next_events=events.next_rows(site),
                     events_webcal=urls.webcal(urls.absolute(site.settings.site_url, urls.EVENTS_ICS)),
                     meta={"description": lead, "hide": ["toc"], "search": {"exclude": True}})


def _busiest(c: Community) -> list[tuple[Topic, int]]:
    """Up to HOME_TOPICS communities, those with the most items, in alphabetical order: (community, items)."""
    counted = [(t, len(c.items_by_topic.get(t.id, []))) for t in c.topics.values()]
    busiest = sorted(counted, key=lambda tc: (-tc[1], tc[0].title))
    return sorted(busiest[:HOME_TOPICS], key=lambda tc: tc[0].title)


# The filter chips on /new/ ("Lessons", "FAQs"): without JavaScript each is a link to that kind's own list.
NEW_KINDS = (("All", ""), *((kind.nouns[:1].upper() + kind.nouns[1:], kind.name) for kind in ITEM_KINDS.values()))


def new(site: Site) -> GeneratedPage:
    items = site.community.listed[:NEW_LIMIT]
    return site.page("new.md.j2", urls.NEW, "What's new", kinds=NEW_KINDS,
                     weeks=by_week(items, site.settings.today),
                     lead="The latest lessons, videos, answers and paths, newest first.",
                     meta={"search": {"exclude": True}})


def by_week(items: list[Item], today: dt.date) -> list[tuple[str, str, list[Item]]]:
    """Items (newest first) in runs by the week (Monday to Sunday) they are dated, and by the month once older
    than WEEKS weeks, so a quiet community does not get a heading per item: (heading, anchor, items)."""
    groups: list[tuple[str, str, list[Item]]] = []
    for item in items:
        name, anchor = period(item.date, today)
        if not groups or groups[-1][1] != anchor:
            groups.append((name, anchor, []))
        groups[-1][2].append(item)
    return groups


WEEKS = 4  # weeks shown one by one on /new/; older items are grouped by month


def period(day: dt.date, today: dt.date) -> tuple[str, str]:
    """("This week" | "Last week" | "Week of 3 Nov" | "October" | "October 2025", anchor) for a date."""
    monday = day - dt.timedelta(days=day.weekday())
    this_monday = today - dt.timedelta(days=today.weekday())
    weeks_ago = (this_monday - monday).days // 7
    year = f" {day.year}" if day.year != today.year else ""
    if weeks_ago >= WEEKS:
        return f"{day:%B}{year}", f"month-{day:%Y-%m}"
    names = {0: "This week", 1: "Last week"}
    return names.get(max(weeks_ago, 0), f"Week of {monday.day} {monday:%b}{year}"), f"week-{monday.isoformat()}"
