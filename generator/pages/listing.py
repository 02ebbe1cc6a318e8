"""Lists of items split into pages of a fixed size, so no page grows with the community.

Used by the section indexes (/learn/, /faq/, …), each community's lists (/topics/<id>/learn/, …), the
"all items" pages of skills and the "everything they did" pages of profiles.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from .. import urls
from ..community import Item
from ..content.skills import slugify
from .render import GeneratedPage
from .site import Site

PER_PAGE = 40


@dataclass(frozen=True)
class Listing:
    url: str  # of the first page
    heading: str
    lead: str
    items: list[Item]
    trail: list[tuple[str, str]]
    show_date: bool = True
    group: Callable[[Item], str] | None = None  # heading each run of items is shown under, if any
    searchable: bool = True


def pages(site: Site, listing: Listing) -> Iterator[GeneratedPage]:
    """The listing's pages: the first at `listing.url`, then `…/page/2/` and so on."""
    count = max(1, math.ceil(len(listing.items) / PER_PAGE))
    for number in range(1, count + 1):
        chunk = listing.items[(number - 1) * PER_PAGE:number * PER_PAGE]
        url = urls.numbered(listing.url, number)
        title = listing.heading if number == 1 else site.gettext("%(heading)s (page %(number)s of %(count)s)") % {
            "heading": listing.heading, "number": number, "count": count}
        pager = {"number": number, "count": count, "total": len(listing.items),
                 "previous": urls.numbered(listing.url, number - 1) if number > 1 else None,
                 "next": urls.numbered(listing.url, number + 1) if number < count else None}
        meta: dict[str, Any] = {"description": listing.lead}
        if number > 1 or not listing.searchable:
            meta["search"] = {"exclude": True}
        trail = [*listing.trail, (title, url)] if listing.trail else []
        yield site.page("listing.md.j2", url, title, heading=title, lead=listing.lead, groups=_groups(listing, chunk),
                        show_date=listing.show_date, feed=False, pager=pager, trail=trail, meta=meta)


def by_topic(site: Site) -> Callable[[Item], str]:
    """Group items under their first community's name."""
    topics = site.community.topics
    other = site.gettext("Other")
    return lambda item: topics[item.topics[0]].title if item.topics and item.topics[0] in topics else other


def topic_order(site: Site, items: list[Item]) -> list[Item]:
    """Items ordered by their first community's name, newest first within each."""
    group = by_topic(site)
    return sorted(items, key=lambda i: (group(i), -i.date.toordinal(), i.id))


def _groups(listing: Listing, chunk: list[Item]) -> list[tuple[str | None, str | None, list[Item]]]:
    if listing.group is None:
        return [(None, None, chunk)] if chunk else []
    groups: list[tuple[str | None, str | None, list[Item]]] = []
    for item in chunk:
        name = listing.group(item)
        if not groups or groups[-1][0] != name:
            groups.append((name, slugify(name), []))
        groups[-1][2].append(item)
    return groups
