"""Lesson, video, FAQ and path pages."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from .. import languages, urls
from ..community import Community, Item
from ..content.models import FaqMeta, ItemMeta, LessonMeta, PathMeta, Review, Verification, VideoMeta, interval_days
from ..kinds import ITEM_KINDS
from . import structured
from .player import player
from .render import GeneratedPage, date_text
from .site import Site


@dataclass(frozen=True)
class Translation:
    """Another language of an item, as its page links to it."""

    lang: str
    name: str  # the language's name in itself
    url: str
    title: str

    @property
    def dir(self) -> str:
        return languages.direction(self.lang)


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
        "item": item, "body": site.body(item), "trail": trail(site, item, c.language_of(item)),
        "credited": [c.people[p] for p in item.people if p in c.people], "byline_label": kind.byline,
        "badge": badge(item, c, c.language_of(item)),
        "experts": c.ask_experts(item), "ask_communities": site.ask_communities(item.topics),
        "related": related(site, item), "edit_url": site.edit_url(item),
    }
    context.update(_extra(site, item))
    context["translations"] = [Translation(c.language_of(t), languages.autonym(c.language_of(t)),
                                           urls.page(t.kind, t.id), t.title) for t in c.translations(item)]
    files = context.pop("_files", {})
    meta = {"description": item.summary, "jsonld": structured.for_item(site, item),
            "practica": {"kind": item.kind, "id": item.id, "topics": item.topics}}
    page = site.page(kind.template, url, item.title, meta=meta, source=item, lang=c.language_of(item), **context)
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


def trail(site: Site, item: Item, lang: str) -> list[tuple[str, str]]:
    """Home › section › item."""
    _ = languages.translations(lang).gettext
    return [(_("Home"), urls.HOME), (_(ITEM_KINDS[item.kind].title), urls.index(item.kind)),
            (item.title, urls.page(item.kind, item.id))]


def badge(item: Item, community: Community, lang: str = "en") -> Badge | None:
    """"Verified by … on …", "Reviewed by … on …", or "Due for review" when the check has lapsed."""
    _ = languages.translations(lang).gettext
    meta = item.meta
    settings = community.settings
    record = meta.last_check if isinstance(meta, ItemMeta) else None  # paths are not reviewed
    if record is None and isinstance(meta, FaqMeta):
        return Badge("unverified", _("Not yet verified by an expert"))
    if record is None:  # never reviewed: the interval counts from the item's date
        lapsed = isinstance(meta, ItemMeta) and item.date + dt.timedelta(
            days=interval_days(settings.practica.review_every)) < settings.today
        text = _("Due for review (published %(date)s)") % {"date": date_text(item.date, lang)}
        return Badge("due", text) if lapsed else None
    every = (record.every if isinstance(record, Review) else None) or settings.practica.review_every
    verified = isinstance(record, Verification)
    when = date_text(record.on, lang)
    if record.on + dt.timedelta(days=interval_days(every)) < settings.today:
        text = _("Due for review (verified %(date)s)") if verified else _("Due for review (reviewed %(date)s)")
        return Badge("due", text % {"date": when})
    person = community.people.get(record.by)
    text = _("Verified by %(name)s on %(date)s") if verified else _("Reviewed by %(name)s on %(date)s")
    return Badge("ok", text % {"name": person.title if person else record.by, "date": when})


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
