"""Pages the app itself needs: the offline fallback."""

from __future__ import annotations

from collections.abc import Iterator

from .. import urls
from .render import GeneratedPage
from .site import Site


def build(site: Site) -> Iterator[GeneratedPage]:
    yield site.page("offline.md.j2", urls.OFFLINE, "Offline",
                    meta={"search": {"exclude": True}, "hide": ["navigation", "toc"]})
