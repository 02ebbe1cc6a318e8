"""The render phase: from the validated community, every output of a build, each with what it depends on.

One function (`render`) says what a build produces: the generated pages (their Markdown skeleton, HTML blocks
and metadata), the companion files pages carry (save-for-offline lists), feeds, the expertise files search
uses, the web app manifest, the icon stylesheet, resized photos and app icons. The MkDocs adapter only hands
these to MkDocs and Material; `practica serve` keeps each output's digest and dependencies to re-render only
what a change touches.

Dependencies are two-level. Every output depends on the community's *facts*: each entry's front matter and
what is derived from it or shown of it elsewhere (title, summary, dates, people, topics, skills, reading
time), plus the content's problems. Beyond that, an output depends on the bodies it shows (`depends`,
recorded by `Site.body` as the page is made). A change that leaves the facts as they were re-renders only the
outputs showing the changed bodies; one that changes a fact re-renders every output and keeps those whose
bytes did not change.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import expertise, feeds, languages, pwa
from .community import AnyEntry, Community
from .images import PHOTO_WIDTHS, square_webp
from .pages import GeneratedPage, Site, iter_pages
from .pages import icons as page_icons
from .pages.items import item_page
from .pages.people import profile
from .pages.topics import hub
from .settings import Settings
from .urls import MANIFEST


@dataclass
class Output:
    """One thing a build writes: a generated page, a text file, or a file copied as it is."""

    path: str  # where it goes, as a path of the site's sources (`lessons/x.md` for the page lessons/x/)
    depends: frozenset[str] = frozenset()  # content files whose body it shows (beyond every entry's facts)
    page: GeneratedPage | None = None
    text: str | None = None
    file: Path | None = None  # a file published as it is (a resized photo, an app icon)

    @property
    def digest(self) -> str:
        """What the output is, in 16 hex digits: two renders with the same digest write the same bytes."""
        hashed = hashlib.blake2b(digest_size=8)
        if self.page is not None:
            page = self.page
            hashed.update(json.dumps([page.url, page.title, page.markdown, sorted(page.blocks.items()),
                                      page.meta, page.source], sort_keys=True, default=str).encode())
        elif self.text is not None:
            hashed.update(self.text.encode())
        elif self.file is not None:
            hashed.update(str(self.file).encode())
        return hashed.hexdigest()


def render(site: Site, settings: Settings) -> Iterator[Output]:
    """Every output of the site, one at a time (a page's HTML is not kept once the caller lets it go)."""
    yield from render_pages(site)
    yield from files(site, settings)


def render_pages(site: Site) -> Iterator[Output]:
    for page in iter_pages(site):
        yield from page_outputs(page)


def page_outputs(page: GeneratedPage) -> Iterator[Output]:
    yield Output(page.src_uri, page.depends, page=page)
    for companion, text in page.files.items():
        yield Output(companion, page.depends, text=text)


def files(site: Site, settings: Settings) -> Iterator[Output]:
    """Everything that is not a page: feeds, expertise lists, the manifest, icons and photos."""
    community = site.community
    for path, content in feeds.files(community, site).items():
        yield Output(path, text=content)
    for path, content in expertise.files(community).items():
        yield Output(path, text=content)
    for lang in sorted({settings.language, *(community.language_of(i) for i in community.published)}):
        if languages.script_strings(lang):  # the scripts' strings in a page's language (languages.py)
            yield Output(languages.strings_file(lang), text=languages.strings_script(lang))
    yield Output(MANIFEST, text=pwa.manifest(settings))
    yield Output(page_icons.CSS_FILE, text=page_icons.stylesheet())
    cache = settings.cache_dir
    for photo in site.photos.values():  # a photo's file changing means a full build (serve.py)
        for width in PHOTO_WIDTHS:
            yield Output(photo.url(width), file=square_webp(photo.source, width, cache / "photos", photo.digest))
    for path, icon in pwa.icon_files(settings, cache / "icons").items():
        yield Output(path, file=icon)
    if community.media is not None:  # images on other hosts, downloaded (media.py)
        for path, copy in community.media.published().items():
            yield Output(path, file=copy)


def entry_at(community: Community, rel: str) -> AnyEntry | None:
    """The person, community or item loaded from the content file `rel`."""
    for collection in _collections(community):
        found: AnyEntry | None = next((e for e in collection.values() if e.rel == rel), None)
        if found is not None:
            return found
    return None


def _collections(community: Community) -> tuple[dict[str, Any], ...]:
    return (community.people, community.topics, community.lessons, community.videos, community.faqs,
            community.paths)


def own_page(site: Site, entry: AnyEntry) -> GeneratedPage | None:
    """The one page made from `entry` (an item's page, a profile, a community's hub), made again on its own."""
    c = site.community
    if entry.kind == "person" and entry.id in c.people:
        return profile(site, c.people[entry.id])
    if entry.kind == "topic" and entry.id in c.topics:
        return hub(site, c.topics[entry.id])
    item = c.item(entry.id) if entry.kind not in ("person", "topic") else None
    if item is not None and item.kind == entry.kind and item.status != "draft":
        return item_page(site, item)
    return None


@dataclass
class Facts:
    """What every output may show of the community except the bodies: per content file, a digest."""

    entries: dict[str, str] = field(default_factory=dict)  # rel → digest of the entry's facts
    common: str = ""  # the community's problems and reminders

    def changed(self, other: Facts) -> bool:
        return self.common != other.common or self.entries != other.entries


def facts(community: Community) -> Facts:
    found = Facts()
    for collection in _collections(community):
        for entry in collection.values():
            found.entries[entry.rel] = _entry_facts(entry)
    found.common = _hash([repr(p) for p in (*community.problems, *community.reminders)])
    return found


def _entry_facts(entry: AnyEntry) -> str:
    meta: Any = entry.meta
    dumped = meta.model_dump(mode="json") if hasattr(meta, "model_dump") else repr(meta)
    return _hash([entry.kind, entry.id, dumped, str(entry.date), str(entry.updated), entry.skills, entry.topics,
                  entry.minutes, entry.summary, entry.status, entry.body_line, bool(entry.body.strip())])


def _hash(value: Any) -> str:
    return hashlib.blake2b(json.dumps(value, sort_keys=True, default=str).encode(), digest_size=8).hexdigest()
