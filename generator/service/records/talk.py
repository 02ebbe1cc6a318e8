"""Conversations as learning records: asking a question on a board (`asked`), answering someone else's
question (`answered`), and any other post (`commented`), each once per post."""

from __future__ import annotations

import datetime as dt
from urllib.parse import urljoin

from ..config import XapiSettings
from ..identity.principal import Principal
from ..models import Thread
from ..store.base import Store
from .events import item_target
from .record import record
from .statements import Target


def record_post(store: Store, xapi: XapiSettings, principal: Principal, tid: int, post_id: int, at: dt.datetime,
                *, opened: bool = False) -> str | None:
    """Record the post `post_id` that `principal` made in thread `tid` (`opened`: the post that opened it); the
    statement's id or None."""
    if not xapi.on:
        return None
    thread = store.thread(tid)
    target = thread_target(store, thread) if thread else None
    if thread is None or target is None:
        return None
    question = thread.kind == "board" and thread.type == "question"
    if question and opened:
        verb = "asked"
    else:
        verb = "answered" if question and thread.author != principal.subject else "commented"
    return record(store, xapi, principal, verb, target, attempt=f"post:{post_id}", at=at)  # type: ignore[arg-type]


def thread_target(store: Store, thread: Thread) -> Target | None:
    """An item's discussion is about the item (its URL); a board thread is its own page, the hub's ?thread=<id>."""
    if thread.kind == "item":
        item = store.feed_item(thread.target)
        return item_target(item) if item else None
    found = store.feed_state()
    community = found.state.topics.get(thread.target) if found else None
    if found is None or community is None:
        return None
    hub = urljoin(found.state.site_url, community.url).split("#")[0].split("?")[0]
    kind = "question" if thread.type == "question" else "discussion"
    return Target(f"{hub}?thread={thread.id}", kind, thread.title or f"A discussion in {community.name}",
                  f"In {community.name}")
