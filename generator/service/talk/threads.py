"""Taking part: open a thread, post and reply (one level deep), edit and delete your own posts, mark a post as
helpful, accept an answer, flag a post.

Every write is one transaction: the reader's row is remembered (posting is an explicit action), their rate
limit counted, and the change made; a refusal rolls all of it back. A client's idempotency key makes a resend
return the post it already made."""

from __future__ import annotations

import datetime as dt
import re

from pydantic import BaseModel, Field

from ..identity.principal import Principal
from ..models import FlagReason, IngestedFeed, Post, ThreadType
from ..privacy.people import remember
from .activity import record_flag, record_post
from .markup import PostRejected
from .policy import Talk, TalkError, shown_to
from .reading import Place, find_post, find_thread, post_view
from .views import Names, PostView, ThreadSummary, summary

MAX_TITLE = 150
MAX_FLAG_TEXT = 500
_UNWANTED = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


class Opened(BaseModel):
    """A post made (or found again by its idempotency key) and the thread it is in."""

    thread: ThreadSummary
    post: PostView


class Helpful(BaseModel):
    post: int
    helpful: int = Field(description="How many readers marked it now.")
    helped_by_me: bool


class FlagView(BaseModel):
    id: int
    post: int
    reason: FlagReason
    text: str | None
    created_at: str
    resolved_at: str | None


def open_thread(talk: Talk, principal: Principal, body: str, key: str, now: dt.datetime, *,
                community: str | None = None, item: str | None = None, type: ThreadType | None = None,
                title: str | None = None) -> tuple[Opened, bool]:
    """A new board thread with its first post, or a post on an item's discussion (made if it has none):
    the result, and whether it was made now (False: a resend)."""
    feed = talk.feed()
    if item is not None:
        communities = talk.store.item_topics(item)
        if communities is None:
            raise TalkError(404, "unknown_item", "the service knows no lesson, video, answer, path or event with "
                            "this id", "item")
    elif community in feed.state.topics:
        communities = (community,)
    else:
        raise TalkError(404, "unknown_community", "there is no community with this id on the site", "community")
    moderator = talk.moderates(principal, communities, feed)
    clean_title = None if item else checked_title(title or "")
    if item is None and type is None:
        raise TalkError(422, "missing", "a board thread needs a type: question, insight or applied", "type")
    with talk.store.transaction():
        remember(talk.store, principal, now)
        again = talk.store.post_by_key(principal.subject, key)
        if again is not None:
            place = find_thread(talk, again.thread_id, principal)
            if (place.thread.kind, place.thread.target) != (("item", item) if item else ("board", community)):
                raise _reused()
            return _opened(talk, again, place, principal), False
        existing = talk.store.item_thread(item) if item else None
        if existing is not None and existing.locked and not moderator:
            raise _locked()
        _check(talk, body, feed)
        talk.limit(principal, "post" if item else "thread", now)
        thread = talk.store.create_thread("item" if item else "board", item or community or "", None if item else type,
                                          clean_title, principal.subject, now)
        held = not moderator and talk.held(principal, communities)
        post = talk.store.add_post(thread.id, None, principal.subject, body, "held" if held else "visible", key, now)
        if not held:
            record_post(talk, post, thread, feed, now)
    place = Place(talk.store.thread(thread.id) or thread, feed, communities, moderator)
    return _opened(talk, post, place, principal), True


def add_post(talk: Talk, principal: Principal, tid: int, body: str, parent: int | None, key: str,
             now: dt.datetime) -> tuple[PostView, bool]:
    """A post in the thread (a reply when `parent` is a top-level post), and whether it was made now."""
    place = find_thread(talk, tid, principal)
    with talk.store.transaction():
        remember(talk.store, principal, now)
        again = talk.store.post_by_key(principal.subject, key)
        if again is not None:
            if (again.thread_id, again.parent_id) != (tid, parent):
                raise _reused()
            return post_view(talk, again, place, principal), False
        if place.thread.locked and not place.moderator:
            raise _locked()
        if parent is not None:
            _check_parent(talk, tid, parent, principal, place)
        _check(talk, body, place.feed)
        talk.limit(principal, "post", now)
        held = not place.moderator and talk.held(principal, place.communities)
        post = talk.store.add_post(tid, parent, principal.subject, body, "held" if held else "visible", key, now)
        if not held:
            record_post(talk, post, place.thread, place.feed, now)
    return post_view(talk, post, place, principal), True


def edit_post(talk: Talk, principal: Principal, pid: int, body: str, now: dt.datetime) -> PostView:
    post, place = _own(talk, pid, principal)
    if post.state == "hidden":
        raise TalkError(409, "post_hidden", "a steward hid this post; it cannot be edited")
    if place.thread.locked and not place.moderator:
        raise _locked()
    _check(talk, body, place.feed)
    with talk.store.transaction():
        remember(talk.store, principal, now)
        talk.limit(principal, "post", now)
        if body != post.body:
            talk.store.edit_post(pid, body, now)
    return post_view(talk, post, place, principal)


def delete_post(talk: Talk, principal: Principal, pid: int) -> None:
    """Your post's text goes; its place stays while others' replies hang on it."""
    post, _ = _own(talk, pid, principal)
    talk.store.delete_post(post.id)


def mark(talk: Talk, principal: Principal, pid: int, helpful: bool, now: dt.datetime) -> Helpful:
    post, _ = find_post(talk, pid, principal)
    if post.state != "visible":
        raise TalkError(409, "post_not_visible", "only a post shown to everyone can be marked")
    if post.author == principal.subject:
        raise TalkError(409, "own_post", "you cannot mark your own post as helpful")
    with talk.store.transaction():
        remember(talk.store, principal, now)
        talk.limit(principal, "mark", now)
        talk.store.mark(pid, principal.subject, helpful)
    marked = talk.store.post(pid)
    return Helpful(post=pid, helpful=marked.helpful if marked else 0, helped_by_me=helpful)


def accept(talk: Talk, principal: Principal, tid: int, pid: int | None, now: dt.datetime) -> ThreadSummary:
    """The asker or a moderator accepts an answer to a question (None: none accepted)."""
    place = find_thread(talk, tid, principal)
    thread = place.thread
    if thread.type != "question":
        raise TalkError(409, "not_a_question", "only a question has an accepted answer")
    asker = thread.author == principal.subject
    if not (asker or place.moderator):
        raise TalkError(403, "not_the_asker", "only the person who asked and the community's stewards may accept "
                        "an answer")
    if pid is not None:
        post = talk.store.post(pid)
        first = min(p.id for p in talk.store.thread_posts(tid))
        if post is None or post.thread_id != tid or post.parent_id is not None or post.id == first or \
                post.state != "visible":
            raise TalkError(422, "not_an_answer", "accept a top-level answer shown in this thread", "post")
    with talk.store.transaction():
        remember(talk.store, principal, now)
        talk.store.accept(tid, pid)
        if not asker:
            talk.store.log_action(principal.subject, "accept" if pid else "unaccept", tid, pid, None, now)
    accepted = talk.store.thread(tid) or thread
    return summary(accepted, Names(talk, place.feed, [accepted.author]))


def flag(talk: Talk, principal: Principal, pid: int, reason: FlagReason, text: str | None,
         now: dt.datetime) -> tuple[FlagView, bool]:
    """Your flag on a post (one per person per post), and whether it is new."""
    post, _ = find_post(talk, pid, principal)
    if post.state != "visible":
        raise TalkError(409, "post_not_visible", "only a post shown to everyone can be flagged")
    if post.author == principal.subject:
        raise TalkError(409, "own_post", "you cannot flag your own post; edit or delete it")
    note = one_line(text or "")[:MAX_FLAG_TEXT] or None
    with talk.store.transaction():
        remember(talk.store, principal, now)
        found, new = talk.store.add_flag(pid, principal.subject, reason, note, now)
        if new:
            talk.limit(principal, "flag", now)
            record_flag(talk, post, principal.subject, talk.feed(), now)
    return FlagView(id=found.id, post=pid, reason=found.reason, text=found.text,
                    created_at=found.created_at.isoformat(),
                    resolved_at=found.resolved_at.isoformat() if found.resolved_at else None), new


def one_line(text: str) -> str:
    """`text` without controls or bidi overrides, its whitespace folded into single spaces."""
    return " ".join(_UNWANTED.sub(" ", text).split())


def checked_title(title: str) -> str:
    """A board thread's title: one line of at most 150 characters, not empty."""
    if "\n" in title or "\r" in title:
        raise TalkError(422, "invalid_title", "a title is one line", "title")
    clean = one_line(title)
    if not clean:
        raise TalkError(422, "invalid_title", "a board thread needs a title", "title")
    if len(clean) > MAX_TITLE:
        raise TalkError(422, "invalid_title", f"a title has at most {MAX_TITLE} characters", "title")
    return clean


def _own(talk: Talk, pid: int, principal: Principal) -> tuple[Post, Place]:
    post, place = find_post(talk, pid, principal)
    if post.author != principal.subject:
        raise TalkError(403, "not_your_post", "you can change only your own posts")
    if post.state == "deleted":
        raise TalkError(409, "post_deleted", "this post was deleted")
    return post, place


def _check_parent(talk: Talk, tid: int, parent: int, principal: Principal, place: Place) -> None:
    found = talk.store.post(parent)
    if found is None or found.thread_id != tid or not shown_to(found, principal, place.moderator):
        raise TalkError(422, "unknown_parent", "reply to a post of this thread", "parent")
    if found.parent_id is not None:
        raise TalkError(422, "reply_too_deep", "replies go one level deep: reply to the post this one answers",
                        "parent")
    if found.state in ("deleted", "hidden"):
        raise TalkError(409, "post_not_visible", "this post was deleted or hidden; reply in the thread instead")


def _check(talk: Talk, body: str, feed: IngestedFeed) -> None:
    try:
        talk.render(body, feed)
    except PostRejected as exc:
        raise TalkError(422, exc.code, str(exc), "body") from None


def _opened(talk: Talk, post: Post, place: Place, principal: Principal) -> Opened:
    thread = talk.store.thread(place.thread.id) or place.thread
    return Opened(thread=summary(thread, Names(talk, place.feed, [thread.author])),
                  post=post_view(talk, post, place, principal))


def _locked() -> TalkError:
    return TalkError(409, "thread_locked", "a steward locked this thread: it takes no new posts")


def _reused() -> TalkError:
    return TalkError(409, "idempotency_key_reused", "this idempotency key was used for a post elsewhere; make a "
                     "new key for each new post", "idempotency_key")
