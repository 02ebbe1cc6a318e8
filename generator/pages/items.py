"""Lesson, video, FAQ and path pages."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from .. import urls
from ..community import Community, Item
from ..content.models import FaqMeta, ItemMeta, LessonMeta, PathMeta, Review, Verification, VideoMeta, interval_days
from ..kinds import ITEM_KINDS
from . import structured
from .player import player
from .render import GeneratedPage
from .site import Site


@dataclass(frozen=True)
class Badge:
    state: str  # ok | due | unverified
    text: str


def build(site: Site) -> Iterator[GeneratedPage]:
    for item in site.community.published:
        yield item_page(site, item)


def item_page(site: Site, item: Item) -> GeneratedPage:
    c = site.community
    kind = ITEM_KINDS[item.kind]
    url = urls.page(item.kind, item.id)
    context: dict[str, Any] = {
        "item": item, "body": site.body(item), "trail": trail(site, item),
        "credited": [c.people[p] for p in item.people if p in c.people], "byline_label": kind.byline,
        "badge": badge(item, c),
        "experts": c.ask_experts(item), "ask_communities": site.ask_communities(item.topics),
        "related": related(site, item), "edit_url": site.edit_url(item),
    }
    context.update(_extra(site, item))
    files = context.pop("_files", {})
    meta = {"description": item.summary, "jsonld": structured.for_item(site, item),
            "practica": {"kind": item.kind, "id": item.id, "topics": item.topics}}
    page = site.page(kind.template, url, item.title, meta=meta, source=item, **context)
    page.files.update(files)
    return page


def _extra(site: Site, item: Item) -> dict[str, Any]:
    """What one kind's template needs beyond what every item page has."""
    c = site.community
    if isinstance(item.meta, LessonMeta):
        prereqs = [c.item(p) for p in item.meta.prerequisites]
        return {"prerequisites": [p for p in prereqs if p is not None], "paths": c.paths_containing(item.id)}
    if isinstance(item.meta, VideoMeta):
        return {"player": player(item), "body_present": bool(item.body.strip())}
    if isinstance(item.meta, PathMeta):
        steps = c.steps(item)
        here = urls.page(item.kind, item.id)
        pages = [here, *(urls.page(s.kind, s.id) for s, _ in steps)]
        save_list, files = site.offline_list(here, pages)
        return {"steps": steps, "item_minutes": site.path_minutes(item), "save_list": save_list, "_files": files}
    return {}


def trail(site: Site, item: Item) -> list[tuple[str, str]]:
    """Home › section › item."""
    return [("Home", urls.HOME), (ITEM_KINDS[item.kind].title, urls.index(item.kind)),
            (item.title, urls.page(item.kind, item.id))]


def badge(item: Item, community: Community) -> Badge | None:
    """"Verified by … on …", "Reviewed by … on …", or "Due for review" when the check has lapsed."""
    meta = item.meta
    settings = community.settings
    record = meta.last_check if isinstance(meta, ItemMeta) else None  # paths are not reviewed
    if record is None and isinstance(meta, FaqMeta):
        return Badge("unverified", "Not yet verified by an expert")
    if record is None:  # never reviewed: the interval counts from the item's date
        lapsed = isinstance(meta, ItemMeta) and item.date + dt.timedelta(
            days=interval_days(settings.practica.review_every)) < settings.today
        return Badge("due", f"Due for review (published {item.date.day} {item.date:%b %Y})") if lapsed else None
    every = (record.every if isinstance(record, Review) else None) or settings.practica.review_every
    verb = "Verified" if isinstance(record, Verification) else "Reviewed"
    when = f"{record.on.day} {record.on:%b %Y}"
    if record.on + dt.timedelta(days=interval_days(every)) < settings.today:
        return Badge("due", f"Due for review ({verb.lower()} {when})")
    person = community.people.get(record.by)
    return Badge("ok", f"{verb} by {person.title if person else record.by} on {when}")


def related(site: Site, item: Item, limit: int = 5) -> list[Item]:
    """Explicitly related items first, then items sharing skills, then items sharing a topic (never paths)."""
    c = site.community
    chosen: list[Item] = []
    explicit = [c.item(r) for r in (item.meta.related if isinstance(item.meta, FaqMeta) else [])]
    candidates = [e for e in explicit if e is not None and e.status != "draft"]
    for sid in item.skills:
        candidates.extend(c.items_by_skill.get(sid, []))
    for tid in item.topics:
        candidates.extend(c.items_by_topic.get(tid, [])[:20])
    for candidate in candidates:
        if candidate is not item and candidate not in chosen and not isinstance(candidate.meta, PathMeta):
            chosen.append(candidate)
        if len(chosen) == limit:
            break
    return chosen
