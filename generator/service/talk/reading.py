"""Reading: an item's discussion, a community's board, one thread; and finding a thread or post as one reader
may see it (404 otherwise), which every write starts with."""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..identity.principal import Principal
from ..models import IngestedFeed, Post, Thread
from .policy import Talk, TalkError, shown_to
from .views import Board, Discussion, Names, PostView, Reading, summary

_CURSOR = re.compile(r"([01])\.(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ)\.(\d{1,18})")


@dataclass(frozen=True)
class Place:
    """A thread as one reader may see it: its feed, its communities, and whether the reader moderates it."""

    thread: Thread
    feed: IngestedFeed
    communities: tuple[str, ...]
    moderator: bool


def item_discussion(talk: Talk, item: str, principal: Principal | None) -> Discussion:
    """The item's discussion, or an empty one if nobody has posted yet; 404 for an item never ingested."""
    feed = talk.feed()
    communities = talk.store.item_topics(item)
    if communities is None:
        raise TalkError(404, "unknown_item", "the service knows no lesson, video, answer, path or event with this id "
                        "(it may not have read the site's feed since it was published)", "item")
    thread = talk.store.item_thread(item)
    if thread is not None:
        try:
            return discussion(talk, thread.id, principal)
        except TalkError as exc:  # nothing of it is shown to this reader: as good as no discussion yet
            if exc.code != "thread_not_found":
                raise
    moderator = talk.moderates(principal, communities, feed)
    return Discussion(thread=None, item=item, communities=list(communities), moderator=moderator,
                      can_post=principal is not None, posts=[])


def discussion(talk: Talk, tid: int, principal: Principal | None) -> Discussion:
    place = find_thread(talk, tid, principal)
    thread = place.thread
    posts = talk.store.thread_posts(tid)
    reading = Reading(talk, place.feed, thread, principal, place.moderator, posts)
    return Discussion(thread=summary(thread, reading.names), item=thread.target if thread.kind == "item" else None,
                      communities=list(place.communities), moderator=place.moderator,
                      can_post=principal is not None and (not thread.locked or place.moderator),
                      following=principal is not None and talk.store.following(principal.subject, tid),
                      posts=reading.tree(posts))


def board(talk: Talk, community: str, principal: Principal | None, limit: int, cursor: str | None) -> Board:
    feed = talk.feed()
    if community not in feed.state.topics:
        raise TalkError(404, "unknown_community", "there is no community with this id on the site", "community")
    moderator = talk.moderates(principal, (community,), feed)
    after = _cursor(cursor) if cursor else None
    threads = talk.store.board(community, principal.subject if principal else None, moderator, limit + 1, after)
    more, threads = len(threads) > limit, threads[:limit]
    names = Names(talk, feed, [t.author for t in threads])
    last = threads[-1] if more else None
    return Board(community=community, threads=[summary(t, names) for t in threads], moderator=moderator,
                 next=f"{int(last.pinned)}.{last.last_post_at.strftime('%Y-%m-%dT%H:%M:%SZ')}.{last.id}" if last
                 else None)


def find_thread(talk: Talk, tid: int, principal: Principal | None) -> Place:
    """The thread, if this reader may see it (one whose posts all wait for a steward is its author's and the
    stewards' only); else 404."""
    feed = talk.feed()
    thread = talk.store.thread(tid)
    if thread is None:
        raise TalkError(404, "thread_not_found", "there is no such thread (it may have been deleted)")
    communities = talk.communities(thread)
    moderator = talk.moderates(principal, communities, feed)
    if not (thread.posts or moderator or (principal and _took_part(talk, thread, principal.subject))):
        raise TalkError(404, "thread_not_found", "there is no such thread (it may have been deleted)")
    return Place(thread, feed, communities, moderator)


def _took_part(talk: Talk, thread: Thread, subject: str) -> bool:
    return thread.author == subject or any(p.author == subject for p in talk.store.thread_posts(thread.id))


def find_post(talk: Talk, pid: int, principal: Principal | None) -> tuple[Post, Place]:
    post = talk.store.post(pid)
    missing = TalkError(404, "post_not_found", "there is no such post (it may have been deleted)")
    if post is None:
        raise missing
    try:
        place = find_thread(talk, post.thread_id, principal)
    except TalkError:
        raise missing from None
    if not shown_to(post, principal, place.moderator):
        raise missing
    return post, place


def post_view(talk: Talk, post: Post, place: Place, principal: Principal | None) -> PostView:
    """One post as this reader sees it (with its replies, for a top-level post)."""
    fresh = talk.store.post(post.id) or post
    posts = talk.store.thread_posts(post.thread_id)
    thread = talk.store.thread(post.thread_id) or place.thread
    reading = Reading(talk, place.feed, thread, principal, place.moderator, posts)
    replies = [reading.post(p) for p in posts if p.parent_id == post.id and shown_to(p, principal, place.moderator)]
    return reading.post(fresh, replies)


def _cursor(text: str) -> tuple[bool, str, int]:
    match = _CURSOR.fullmatch(text)
    if match is None:
        raise TalkError(422, "invalid_cursor", "pass the `next` value of the previous page", "cursor")
    return match[1] == "1", match[2], int(match[3])
