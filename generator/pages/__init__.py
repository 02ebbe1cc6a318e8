"""Page builders: pure functions from the Community to GeneratedPages. None of them imports MkDocs."""

from __future__ import annotations

from . import events, guidelines, health, indexes, items, people, skills, system, topics
from .render import GeneratedPage
from .site import Site

__all__ = ["GeneratedPage", "Site", "build_pages"]

BUILDERS = (indexes, people, topics, skills, items, events, system, health, guidelines)


def build_pages(site: Site) -> list[GeneratedPage]:
    """Every page of the site, rendered after the whole community is loaded and checked."""
    return [page for builder in BUILDERS for page in builder.build(site)]
