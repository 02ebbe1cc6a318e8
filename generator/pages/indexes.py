"""Home, what's new, and the lesson, video, FAQ and path indexes."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from .. import urls
from ..community import Entry
from ..content.skills import slugify
from .render import GeneratedPage
from .site import Site

NEW_LIMIT = 60
HOME_LATEST = 6


def build(site: Site) -> Iterator[GeneratedPage]:
    yield home(site)
    yield new(site)
    c = site.community
    yield listing(site, "lesson", "Lessons", "Short lessons you can finish on a break, newest first.",
                  _by_topic(site, [i for i in c.listed if i.kind == "lesson"]))
    yield listing(site, "video", "Videos", "Talks and walkthroughs from people in the community.",
                  [(None, None, [i for i in c.listed if i.kind == "video"])])
    yield listing(site, "faq", "FAQ", "Questions people asked, answered by someone who knows, grouped by community.",
                  _by_topic(site, [i for i in c.listed if i.kind == "faq"]), show_date=False)
    yield listing(site, "path", "Learning paths", "Curated sequences of lessons, videos and answers.",
                  [(None, None, [i for i in c.listed if i.kind == "path"])], show_date=False)


def home(site: Site) -> GeneratedPage:
    c = site.community
    people = sorted(c.people.values(), key=lambda p: (-c.contributions_of(p.id).count(), p.title))
    lead = site.settings.site_description or "Learn from the people around you: short lessons, answers and experts."
    return site.page("home.md.j2", urls.HOME, site.settings.site_name, lead=lead,
                     featured=site.featured(None), latest=c.listed[:HOME_LATEST],
                     topics=sorted(c.topics.values(), key=lambda t: t.title),
                     paths=[i for i in c.listed if i.kind == "path"][:4], people=people[:4],
                     people_total=len(c.people),
                     meta={"description": lead, "hide": ["toc"], "search": {"exclude": True}})


def new(site: Site) -> GeneratedPage:
    items = site.community.listed[:NEW_LIMIT]
    return site.page("listing.md.j2", urls.NEW, "What's new", heading="What's new", show_date=True, feed=True,
                     lead="The latest lessons, videos, answers and paths, newest first.",
                     groups=[(None, None, items)], meta={"search": {"exclude": True}})


def listing(site: Site, kind: str, title: str, lead: str, groups: list[Any], show_date: bool = True
            ) -> GeneratedPage:
    return site.page("listing.md.j2", urls.index(kind), title, heading=title, lead=lead, groups=groups,
                     show_date=show_date, feed=False, meta={"description": lead})


def _by_topic(site: Site, items: list[Entry[Any]]) -> list[tuple[str, str, list[Entry[Any]]]]:
    c = site.community
    groups = []
    for topic in sorted(c.topics.values(), key=lambda t: t.title):
        mine = [i for i in items if i.topics and i.topics[0] == topic.id]
        if mine:
            groups.append((topic.title, slugify(topic.title), mine))
    return groups
