"""Home, what's new, and the lesson, video, FAQ and path indexes."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from .. import urls
from ..community import Community, Entry
from . import listing
from .render import GeneratedPage
from .site import Site

NEW_LIMIT = 60
HOME_LATEST = 6
HOME_TOPICS = 12  # the busiest communities, so the home page weighs the same however many there are


SECTIONS = {
    "lesson": ("Lessons", "Short lessons you can finish on a break, newest first.", True),
    "video": ("Videos", "Talks and walkthroughs from people in the community, newest first.", True),
    "faq": ("FAQ", "Questions people asked, answered by someone who knows, grouped by community.", False),
    "path": ("Learning paths", "Curated sequences of lessons, videos and answers.", False),
}


def build(site: Site) -> Iterator[GeneratedPage]:
    yield home(site)
    yield new(site)
    c = site.community
    for kind, (title, lead, dated) in SECTIONS.items():
        items = [i for i in c.listed if i.kind == kind]
        grouped = kind == "faq"
        yield from listing.pages(site, listing.Listing(
            urls.index(kind), title, lead, listing.topic_order(site, items) if grouped else items, [],
            show_date=dated, group=listing.by_topic(site) if grouped else None))


def home(site: Site) -> GeneratedPage:
    c = site.community
    people = sorted(c.people.values(), key=lambda p: (-c.contributions_of(p.id).count(), p.title))
    lead = site.settings.site_description or "Learn from the people around you: short lessons, answers and experts."
    return site.page("home.md.j2", urls.HOME, site.settings.site_name, lead=lead,
                     featured=site.featured(None), latest=c.listed[:HOME_LATEST],
                     topics=_busiest(c), topics_total=len(c.topics),
                     paths=[i for i in c.listed if i.kind == "path"][:4], people=people[:4],
                     people_total=len(c.people),
                     meta={"description": lead, "hide": ["toc"], "search": {"exclude": True}})


def _busiest(c: Community) -> list[Entry[Any]]:
    """Up to HOME_TOPICS communities, those with the most items, in alphabetical order."""
    busiest = sorted(c.topics.values(), key=lambda t: (-len(c.items_by_topic.get(t.id, [])), t.title))
    return sorted(busiest[:HOME_TOPICS], key=lambda t: t.title)


def new(site: Site) -> GeneratedPage:
    items = site.community.listed[:NEW_LIMIT]
    return site.page("listing.md.j2", urls.NEW, "What's new", heading="What's new", show_date=True, feed=True,
                     lead="The latest lessons, videos, answers and paths, newest first.",
                     groups=[(None, None, items)], meta={"search": {"exclude": True}})
