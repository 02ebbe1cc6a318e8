"""Lesson, video, FAQ and path pages."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from .. import urls
from ..community import Community, Entry
from ..content.models import interval_days
from . import structured
from .player import player
from .render import GeneratedPage
from .site import Site

TEMPLATES = {"lesson": "lesson.md.j2", "video": "video.md.j2", "faq": "faq.md.j2", "path": "path.md.j2"}
BYLINE = {"lesson": "Written by", "video": "Presented by", "faq": "Answered by", "path": "Curated by"}


@dataclass(frozen=True)
class Badge:
    state: str  # ok | due | unverified
    text: str


def build(site: Site) -> Iterator[GeneratedPage]:
    for item in site.community.published:
        yield item_page(site, item)


def item_page(site: Site, item: Entry[Any]) -> GeneratedPage:
    c = site.community
    url = urls.page(item.kind, item.id)
    context: dict[str, Any] = {
        "item": item, "body": site.body(item), "trail": trail(site, item),
        "credited": [c.people[p] for p in item.people if p in c.people], "byline_label": BYLINE[item.kind],
        "badge": badge(item, c),
        "experts": c.ask_experts(item), "related": related(site, item), "edit_url": site.edit_url(item),
    }
    context.update(_extra(site, item))
    files = context.pop("_files", {})
    meta = {"description": item.summary, "jsonld": structured.for_item(site, item),
            "practica": {"kind": item.kind, "id": item.id, "topics": item.topics}}
    page = site.page(TEMPLATES[item.kind], url, item.title, meta=meta, source=item, **context)
    page.files.update(files)
    return page


def _extra(site: Site, item: Entry[Any]) -> dict[str, Any]:
    c = site.community
    if item.kind == "lesson":
        prereqs = [c.item(p) for p in item.meta.prerequisites]
        return {"prerequisites": [p for p in prereqs if p is not None], "paths": c.paths_containing(item.id)}
    if item.kind == "video":
        return {"player": player(item), "body_present": bool(item.body.strip())}
    if item.kind == "path":
        steps = c.steps(item)
        here = urls.page(item.kind, item.id)
        pages = [here, *(urls.page(s.kind, s.id) for s, _ in steps)]
        save_list, files = site.offline_list(here, pages)
        return {"steps": steps, "item_minutes": site.path_minutes(item), "save_list": save_list, "_files": files}
    return {}


def trail(site: Site, item: Entry[Any]) -> list[tuple[str, str]]:
    """Home › section › item."""
    return [("Home", urls.HOME), (urls.SECTION_TITLES[item.kind], urls.index(item.kind)),
            (item.title, urls.page(item.kind, item.id))]


def badge(item: Entry[Any], community: Community) -> Badge | None:
    """"Verified by … on …", "Reviewed by … on …", or "Due for review" when the check has lapsed."""
    meta: Any = item.meta
    settings = community.settings
    record = getattr(meta, "verified", None) or getattr(meta, "review", None)
    if record is None and item.kind == "faq":
        return Badge("unverified", "Not yet verified by an expert")
    if record is None:  # never reviewed: the interval counts from the item's date
        lapsed = hasattr(meta, "review") and item.date + dt.timedelta(
            days=interval_days(settings.practica.review_every)) < settings.today
        return Badge("due", f"Due for review (published {item.date.day} {item.date:%b %Y})") if lapsed else None
    every = getattr(record, "every", None) or settings.practica.review_every
    verb = "Verified" if getattr(meta, "verified", None) else "Reviewed"
    when = f"{record.on.day} {record.on:%b %Y}"
    if record.on + dt.timedelta(days=interval_days(every)) < settings.today:
        return Badge("due", f"Due for review ({verb.lower()} {when})")
    person = community.people.get(record.by)
    return Badge("ok", f"{verb} by {person.title if person else record.by} on {when}")


def related(site: Site, item: Entry[Any], limit: int = 5) -> list[Entry[Any]]:
    """Explicitly related items first, then items sharing skills, then items sharing a topic."""
    c = site.community
    chosen: list[Entry[Any]] = []
    explicit = [c.item(r) for r in getattr(item.meta, "related", [])]
    candidates = [e for e in explicit if e is not None and e.status != "draft"]
    for sid in item.skills:
        candidates.extend(c.items_by_skill.get(sid, []))
    for tid in item.topics:
        candidates.extend(c.items_by_topic.get(tid, [])[:20])
    for candidate in candidates:
        if candidate is not item and candidate not in chosen and candidate.kind != "path":
            chosen.append(candidate)
        if len(chosen) == limit:
            break
    return chosen
