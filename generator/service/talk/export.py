"""Conversations as JSON for the site: one question thread for `practica faq from-thread` (community, title, the
question as written, the accepted answer with its author's site person id), and the unanswered questions for
`practica report` and /health/. The site reads these shapes; it never reads the store."""

from __future__ import annotations

import datetime as dt
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


def conversations_export(store: Store, now: dt.datetime, days: int) -> dict[str, Any]:
    """What `practica report` and /health/ show of conversations: questions nobody but the asker has answered
    after `days` days, by community then age."""
    waiting = store.unanswered_questions(now - dt.timedelta(days=days))
    return {"generated_at": iso(now), "days": days,
            "unanswered": [{"thread": t.id, "community": t.target, "title": t.title, "asked_at": iso(t.created_at)}
                           for t in waiting]}


def _answer(store: Store, post: Post) -> dict[str, Any]:
    person = store.person(post.author) if post.author else None
    return {"post": post.id, "body": post.body, "answered_at": iso(post.created_at),
            "person": person.person if person else None, "name": person.name if person else None}
