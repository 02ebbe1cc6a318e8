"""Who hears of a post once it is shown to everyone: the person it replies to, the thread's followers, the people
it mentions; of a flag, the community's stewards; of an introduction round, the new members it invites. Never its
own author. Recorded once per person and post (the store's unique key), in the caller's transaction; pushing and
mailing it is `push/activity.py`'s and `mail/mailer.py`'s work."""

from __future__ import annotations

import datetime as dt

from ..models import ActivityKind, IngestedFeed, Post, Thread
from .policy import Talk


def record_post(talk: Talk, post: Post, thread: Thread, feed: IngestedFeed, now: dt.datetime) -> int:
    """Record who should hear of a post that just became visible; how many activities are new."""
    rows: dict[str, ActivityKind] = {}
    for subject in talk.store.followers(thread.id):
        rows[subject] = "thread_post"
    if post.body:
        mentioned = talk.render(post.body, feed).mentions
        for subject in talk.store.subjects_of(mentioned):
            rows[subject] = "mention"
    if thread.routed and post.parent_id is None and (post.author, post.created_at) == (thread.author,
                                                                                       thread.created_at):
        for subject in talk.store.subjects_of(thread.routed):
            rows[subject] = "question"  # the question itself, to those it was routed to
    addressed = _addressed(talk, post, thread)
    if addressed is not None:
        rows[addressed] = "reply"
    rows.pop(post.author or "", None)
    return talk.store.add_activity(sorted(rows.items()), thread.id, post.id, now)


def record_flag(talk: Talk, post: Post, flagger: str, feed: IngestedFeed, now: dt.datetime) -> int:
    """Tell the stewards of the post's communities that it was flagged (once per post, whoever flags it)."""
    thread = talk.store.thread(post.thread_id)
    if thread is None:
        return 0
    topics = feed.state.topics
    stewards = {p for c in talk.communities(thread) if c in topics for p in topics[c].stewards}
    subjects = talk.store.subjects_of(sorted(stewards)) - {flagger}
    return talk.store.add_activity([(s, "flag") for s in sorted(subjects)], thread.id, post.id, now)


def record_invitations(talk: Talk, subjects: list[str], thread: Thread, post: Post, now: dt.datetime) -> int:
    """Invite these people to introduce themselves in a round's thread: once per person and round (its opening
    post is the activity's post), however often a steward asks; how many are new."""
    return talk.store.add_activity([(s, "invitation") for s in subjects], thread.id, post.id, now)


def _addressed(talk: Talk, post: Post, thread: Thread) -> str | None:
    """Whom the post answers: its parent's author, or for an answer the question's asker."""
    if post.parent_id is not None:
        parent = talk.store.post(post.parent_id)
        return parent.author if parent else None
    return thread.author if thread.type == "question" else None
