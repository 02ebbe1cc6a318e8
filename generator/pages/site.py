"""What every page builder gets: the community plus build-time facts (photos, topic icons)."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from functools import cached_property, partial
from typing import Any

from markupsafe import Markup

from .. import languages, urls
from ..community import AnyEntry, Community, Item, LearningPath
from ..content.guidelines import Guidelines
from ..content.models import PathMeta, VideoMeta
from ..images import PHOTO_WIDTHS, Photo
from ..settings import Settings
from .fragments import Fragments
from .render import GeneratedPage, clock, markdown_block, minutes, render, split


@dataclass
class Site:
    community: Community
    photos: dict[str, Photo] = field(default_factory=dict)
    topic_icons: dict[str, Markup] = field(default_factory=dict)
    feedback: dict[str, Any] | None = None  # a reader-feedback export, when the build is given one
    conversations: dict[str, Any] | None = None  # a conversations export (unanswered questions), likewise
    learning: dict[str, Any] | None = None  # a learning-records export (per item and community), likewise
    # Bodies rendered since the last page was made (`body`): the next page made depends on them.
    _bodies: set[str] = field(default_factory=set, repr=False)

    @property
    def settings(self) -> Settings:
        return self.community.settings

    @cached_property
    def shared(self) -> dict[str, Any]:
        """What every template (and every fragment) can use."""
        return {"community": self.community, "photos": self.photos, "PHOTO_WIDTHS": PHOTO_WIDTHS,
                "initials": initials, "item_time": item_time,
                "site_name": self.settings.site_name}

    @cached_property
    def fragments(self) -> Fragments:
        return Fragments(self.shared)

    def gettext(self, text: str) -> str:
        """`text` (an interface string) in the site's language."""
        return languages.translations(self.settings.language).gettext(text)

    def page(self, template: str, url: str, title: str, *, meta: dict[str, Any] | None = None,
             source: AnyEntry | None = None, lang: str | None = None, **context: Any) -> GeneratedPage:
        """Render `template` into the page at `url`, with the shared context every template can use, in `lang`
        (the site's language unless the page's content is in another)."""
        lang = lang or self.settings.language
        shared = {**self.shared, "item_time": partial(item_time, lang=lang)}
        markdown = render(template, lang, here=url, frag=self.fragments.at(url, lang), **shared, **context)
        page_meta = {"title": title, **(meta or {})}
        if lang != self.settings.language:
            page_meta["lang"], page_meta["dir"] = lang, languages.direction(lang)
        if languages.script_strings(lang):
            page_meta["strings"] = languages.strings_file(lang)
        skeleton, blocks = split(markdown)
        depends = frozenset(self._bodies | ({source.rel} if source else set()))
        self._bodies.clear()
        return GeneratedPage(url, title, skeleton, page_meta, source.rel if source else None, blocks=blocks,
                             depends=depends)

    def body(self, entry: AnyEntry | Guidelines) -> Markup:
        """An entry's Markdown body for the page being made (which then depends on its file)."""
        self._bodies.add(entry.rel)
        return markdown_block(entry.body)

    def ask_communities(self, topic_ids: list[str]) -> list[tuple[str, str]]:
        """(id, name) of the communities a question may go to, in the order the community service takes its
        default (the first): what the ask form's community select offers. A target in no community may go to
        any (the service then needs one chosen)."""
        topics = self.community.topics
        ids = [t for t in topic_ids if t in topics] or sorted(topics)
        return [(t, topics[t].title) for t in ids]

    def edit_url(self, entry: AnyEntry) -> str | None:
        return self.settings.edit_url(entry.rel)

    def offline_list(self, page_url: str, pages: list[str]) -> tuple[str, dict[str, str]]:
        """A companion file listing `pages` (relative to the page) for "save for offline", and its link.

        A list file rather than an attribute keeps the hub's HTML the same size however big it grows."""
        listing = {"pages": [urls.relative(page_url, p) for p in pages]}
        path = urls.offline_list(page_url)
        return urls.relative(page_url, path), {path: json.dumps(listing, separators=(",", ":"))}

    def featured(self, topic_id: str | None) -> list[tuple[Item, str | None]]:
        """Items featured today on the home page (None) or on one community's hub, in curated order."""
        return self.community.featured_in(topic_id or "home")

    def path_minutes(self, path: LearningPath) -> int:
        """The sum of its steps' times, set when the community is loaded (feeds and pages agree)."""
        return path.minutes


def item_time(item: Item, lang: str = "en") -> str:
    """How long it takes: a video's running time, a path's total, or a lesson's or answer's reading time."""
    if isinstance(item.meta, VideoMeta):
        return clock(item.meta.duration)
    if isinstance(item.meta, PathMeta):
        return minutes(item.minutes, lang)
    return languages.translations(lang).gettext("%(time)s read") % {"time": minutes(item.minutes, lang)}


def initials(name: str) -> str:
    parts = [p for p in re.split(r"[\s-]+", name) if p]
    letters = (parts[0][:1] + (parts[-1][:1] if len(parts) > 1 else "")) if parts else "?"
    return letters.upper()
