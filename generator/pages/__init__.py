"""Page builders: pure functions from the Community to GeneratedPages. None of them imports MkDocs."""

from __future__ import annotations

from collections.abc import Iterator

from . import events, guidelines, health, indexes, items, people, skills, system, topics
from .render import GeneratedPage
from .site import Site

__all__ = ["GeneratedPage", "Site", "build_pages", "iter_pages"]

BUILDERS = (indexes, people, topics, skills, items, events, system, health, guidelines)


def iter_pages(site: Site) -> Iterator[GeneratedPage]:
    """Every page of the site, one at a time, rendered after the whole community is loaded and checked."""
    for builder in BUILDERS:
        yield from builder.build(site)


def build_pages(site: Site) -> list[GeneratedPage]:
    """Every page of the site, at once (for tests and tools; a build renders them one at a time)."""
    return list(iter_pages(site))
