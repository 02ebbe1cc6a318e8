"""Community hubs and the list of communities."""

from __future__ import annotations

from collections.abc import Iterator

from .. import recognition, urls
from ..community import Topic
from ..kinds import ITEM_KINDS, PATH, TOPIC
from . import events, listing
from .render import GeneratedPage
from .site import Site

LATEST = 5
PER_KIND = 4
EXPERTS = 6


def build(site: Site) -> Iterator[GeneratedPage]:
    c = site.community
    rows = [(t, len(c.items_by_topic.get(t.id, [])), len(c.experts_for_topic(t.id)))
            for t in sorted(c.topics.values(), key=lambda t: t.title)]
    yield site.page("topics.md.j2", urls.index("topic"), TOPIC.title, topics=rows,
                    meta={"description": "The communities of practice and what they share."})
    for topic in c.topics.values():
        yield hub(site, topic)
        yield from in_topic(site, topic)


# A hub lists each kind on its own, newest first; paths have their own section, above the others.
HUB_LISTS = [kind for kind in ITEM_KINDS.values() if kind is not PATH]


def in_topic(site: Site, topic: Topic) -> Iterator[GeneratedPage]:
    """Every lesson, video, answer and path of one community, a page of them at a time."""
    items = site.community.items_by_topic.get(topic.id, [])
    hub_url = urls.page("topic", topic.id)
    for kind in ITEM_KINDS.values():
        mine = [i for i in items if i.kind == kind.name]
        if mine:
            trail = [("Home", urls.HOME), (TOPIC.title, urls.index("topic")), (topic.title, hub_url)]
            yield from listing.pages(site, listing.Listing(
                urls.in_topic(topic.id, kind.name), f"{kind.hub_title} in {topic.title}",
                f"Newest first, from {topic.title}.", mine, trail, searchable=False))


def hub(site: Site, topic: Topic) -> GeneratedPage:
    c = site.community
    items = c.items_by_topic.get(topic.id, [])
    featured = site.featured(topic.id)
    url = urls.page("topic", topic.id)
    shown = {f for f, _ in featured}
    latest = [i for i in items if i not in shown][:LATEST]
    shown.update(latest)
    # Each list is bounded, so a hub's page weighs the same however big its community grows; the rest is
    # one tap away in the community's own lists.
    by_kind = []
    for kind in HUB_LISTS:
        mine = [i for i in items if i.kind == kind.name]
        by_kind.append((kind.hub_title, kind.hub_anchor, [i for i in mine if i not in shown][:PER_KIND], len(mine),
                        urls.in_topic(topic.id, kind.name)))
    save_list, files = site.offline_list(url, [url, *(urls.page(i.kind, i.id) for i in items)])
    trail = [("Home", urls.HOME), (TOPIC.title, urls.index("topic")), (topic.title, url)]
    meta = {"description": topic.meta.summary,
            "practica": {"kind": topic.kind, "id": topic.id, "topics": [topic.id]}}
    paths = [i for i in items if i.kind == PATH.name]
    stewards = [c.people[s] for s in topic.meta.stewards if s in c.people]
    experts = [p for p in c.experts_for_topic(topic.id) if p not in stewards][:EXPERTS]
    contributors = recognition.contributors_this_quarter(c, topic, site.settings.today)
    page = site.page(TOPIC.template, url, topic.title, meta=meta, source=topic, topic=topic, trail=trail,
                     body=site.body(topic) if topic.body.strip() else None,
                     topic_icon=site.topic_icons.get(topic.id), featured=featured,
                     latest=latest, paths=paths[:PER_KIND], paths_total=len(paths),
                     paths_url=urls.in_topic(topic.id, "path"),
                     stewards=stewards, experts=experts, by_kind=by_kind, save_list=save_list,
                     contributors=contributors, quarter=recognition.quarter_name(site.settings.today),
                     next_events=events.next_rows(site, topic.id),
                     events_webcal=urls.webcal(urls.absolute(site.settings.site_url, urls.topic_events_ics(topic.id))))
    page.files.update(files)
    return page
