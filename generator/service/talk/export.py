"""Conversations as JSON for the site: one question thread for `practica faq from-thread` (community, title, the
question as written, the accepted answer with its author's site person id), and the unanswered questions for
`practica report` and /health/. The site reads these shapes; it never reads the store."""

from __future__ import annotations

import datetime as dt
import statistics
from typing import Any

from ...errors import PracticaError
from ..models import Post, iso
from ..store.base import Store


def thread_export(store: Store, tid: int) -> dict[str, Any]:
    """The board thread `tid` as the site needs it to write an FAQ; `answer` is None when none is accepted."""
    thread = store.thread(tid)
    if thread is None or thread.kind != "board":
        raise PracticaError(f"no board thread {tid} in the service's database")
    posts = [p for p in store.thread_posts(tid) if p.state == "visible" and p.body is not None]
    first = next((p for p in posts if p.parent_id is None), None)
    accepted = next((p for p in posts if p.id == thread.accepted_post_id), None)
    return {"thread": tid, "community": thread.target, "type": thread.type, "title": thread.title,
            "asked_at": iso(thread.created_at), "question": first.body if first else None,
            "answer": _answer(store, accepted) if accepted else None}


def conversations_export(store: Store, now: dt.datetime, days: int, window: int = 30) -> dict[str, Any]:
    """What `practica report` and /health/ show of conversations: questions nobody but the asker has answered
    after `days` days, by community then age; and each community's boards over the last `window` days."""
    waiting = store.unanswered_questions(now - dt.timedelta(days=days))
    return {"generated_at": iso(now), "days": days, "window_days": window,
            "unanswered": [{"thread": t.id, "community": t.target, "title": t.title, "asked_at": iso(t.created_at)}
                           for t in waiting],
            "communities": community_activity(store, now - dt.timedelta(days=window))}


def community_activity(store: Store, since: dt.datetime) -> dict[str, dict[str, Any]]:
    """Per community since `since`: questions asked and answered (by someone other than the asker), the median
    hours to a first answer, and people who took part (on its board or in the discussion of one of its items)
    for the first time (new) or again (returning)."""
    found: dict[str, dict[str, Any]] = {}
    waits: dict[str, list[float]] = {}
    for community, asked, answered in store.question_times(since):
        row = found.setdefault(community, _empty())
        row["questions"] += 1
        if answered is not None:
            row["answered"] += 1
            waits.setdefault(community, []).append((answered - asked).total_seconds() / 3600)
    for community, first in _participants(store, since):
        found.setdefault(community, _empty())["new" if first >= since else "returning"] += 1
    for community, hours in waits.items():
        found[community]["median_hours_to_answer"] = round(statistics.median(hours), 1)
    return found


def _participants(store: Store, since: dt.datetime) -> list[tuple[str, dt.datetime]]:
    """(community, their first post there) of each person who posted there since `since`: an item's discussion
    counts for each of the item's communities, so one person is one participant however many threads."""
    spans: dict[tuple[str, str], tuple[dt.datetime, dt.datetime]] = {}
    topics: dict[str, tuple[str, ...]] = {}
    for kind, target, author, first, last in store.participation():
        if kind == "board":
            communities: tuple[str, ...] = (target,)
        else:
            communities = topics.setdefault(target, store.item_topics(target) or ())
        for community in communities:
            was = spans.get((community, author))
            spans[community, author] = (min(first, was[0]), max(last, was[1])) if was else (first, last)
    return sorted((community, first) for (community, _), (first, last) in spans.items() if last >= since)


def _empty() -> dict[str, Any]:
    return {"questions": 0, "answered": 0, "median_hours_to_answer": None, "new": 0, "returning": 0}


def _answer(store: Store, post: Post) -> dict[str, Any]:
    person = store.person(post.author) if post.author else None
    return {"post": post.id, "body": post.body, "answered_at": iso(post.created_at),
            "person": person.person if person else None, "name": person.name if person else None}
