"""Pages the app itself needs: the offline fallback and the notification settings."""

from __future__ import annotations

from collections.abc import Iterator

from .. import urls
from .render import GeneratedPage
from .site import Site


def build(site: Site) -> Iterator[GeneratedPage]:
    yield site.page("offline.md.j2", urls.OFFLINE, "Offline",
                    meta={"search": {"exclude": True}, "hide": ["navigation", "toc"]})
    # The choices (communities, people) come from the push service at run time, so only what it can deliver
    # is offered; the page itself is the same on every build.
    yield site.page("notifications.md.j2", urls.NOTIFICATIONS, "Notifications",
                    meta={"search": {"exclude": True}, "hide": ["navigation", "toc"]})
