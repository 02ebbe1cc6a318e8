"""Who may do what in a conversation, and the limits (ARCHITECTURE.md, "Conversations").

A community's stewards are the person ids the feed lists for its topic; a signed-in reader is one when their
`person` is among them. Site admins are PRACTICA_ADMINS (emails or subjects). A thread belongs to its board's
community, or to every community of its item: a steward of any of them moderates it. Rate limits are counted
in the database per person, so every instance of the service shares them."""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field

from ...errors import PracticaError
from ..config import Rate, TalkSettings
from ..identity.principal import Principal
from ..models import IngestedFeed, Post, Thread, iso
from ..store.base import Store
from .markup import Rendered, Renderer

FORMER = "a former colleague"  # who wrote a post once its author was erased
UNNAMED = "a colleague"  # a signed-in reader whose sign-in carries no name and who has no profile


class TalkError(PracticaError):
    """A refused conversation request; the API answers it in the one error shape."""

    def __init__(self, status: int, code: str, message: str, field: str | None = None,
                 retry_after: int | None = None) -> None:
        super().__init__(message)
        self.status, self.code, self.field, self.retry_after = status, code, field, retry_after


@dataclass
class Talk:
    """What conversations need: the store, the settings, and the renderer (with its cache)."""

    store: Store
    settings: TalkSettings
    renderer: Renderer = field(default_factory=Renderer)

    def feed(self) -> IngestedFeed:
        found = self.store.feed_state()
        if found is None:
            raise TalkError(503, "feed_not_read", "the service has not read the site's feed yet; try again later",
                            retry_after=60)
        return found

    def render(self, text: str, feed: IngestedFeed) -> Rendered:
        return self.renderer(text, feed.state.people, feed.state.site_url, iso(feed.ingested_at))

    def communities(self, thread: Thread) -> tuple[str, ...]:
        """The board's community, or the item's communities."""
        if thread.kind == "board":
            return (thread.target,)
        return self.store.item_topics(thread.target) or ()

    def is_admin(self, principal: Principal | None) -> bool:
        if principal is None:
            return False
        emails = {a.casefold() for a in self.settings.admins if "@" in a}
        return principal.subject in self.settings.admins or (principal.email or "").casefold() in emails

    def moderates(self, principal: Principal | None, communities: tuple[str, ...], feed: IngestedFeed) -> bool:
        """Whether the reader is a steward of one of these communities, or a site admin."""
        if principal is None:
            return False
        if self.is_admin(principal):
            return True
        topics = feed.state.topics
        return principal.person is not None and any(
            principal.person in topics[c].stewards for c in communities if c in topics)

    def stewarded(self, principal: Principal, feed: IngestedFeed) -> set[str] | None:
        """The communities the reader moderates; None for an admin (all of them)."""
        if self.is_admin(principal):
            return None
        return {c for c, ref in feed.state.topics.items() if principal.person and principal.person in ref.stewards}

    def held(self, principal: Principal, communities: tuple[str, ...]) -> bool:
        """Whether a new post by the reader waits for a steward: in a pre-moderated community where none of
        their posts was ever shown."""
        premoderated = self.settings.premoderate
        watched = set(communities) if "*" in premoderated else set(communities) & premoderated
        if not watched:
            return False
        shown: set[str] = set()
        for kind, target in self.store.published_in(principal.subject):
            shown.update((target,) if kind == "board" else self.store.item_topics(target) or ())
        return not watched <= shown

    def limit(self, principal: Principal, action: str, now: dt.datetime) -> None:
        """Count one `action` (post, thread, flag, mark) by the reader, or 429 if they are over its limit."""
        rate: Rate = getattr(self.settings, {"post": "posts", "thread": "threads", "flag": "flags",
                                             "mark": "marks"}[action])
        wait = self.store.hit(principal.subject, action, rate[0], rate[1], now)
        if wait is not None:
            seconds = max(1, math.ceil(wait))
            raise TalkError(429, "rate_limited", f"too many {action}s for now ({rate[0]} per {_span(rate[1], 'a')}); "
                            f"try again in {_span(seconds)}", retry_after=seconds)


def shown_to(post: Post, principal: Principal | None, moderator: bool) -> bool:
    """Held posts are seen only by their author and the thread's moderators; every other state by all."""
    return post.state != "held" or moderator or (principal is not None and post.author == principal.subject)


def _span(seconds: float, one: str = "1") -> str:
    """`2 hours`, `1 day` (or `a day` with `one="a"`), `90 s`."""
    for unit, size in (("day", 86400), ("hour", 3600), ("minute", 60)):
        if seconds >= size and seconds % size == 0:
            count = int(seconds // size)
            return f"{one} {unit}" if count == 1 else f"{count} {unit}s"
    return f"{math.ceil(seconds)} s"
