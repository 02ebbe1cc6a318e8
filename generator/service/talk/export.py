"""A question thread as JSON for `practica faq from-thread`: its community, title, the question as written and
the accepted answer with its author's site person id. The site reads this shape; it never reads the store."""

from __future__ import annotations

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


def _answer(store: Store, post: Post) -> dict[str, Any]:
    person = store.person(post.author) if post.author else None
    return {"post": post.id, "body": post.body, "answered_at": iso(post.created_at),
            "person": person.person if person else None, "name": person.name if person else None}
