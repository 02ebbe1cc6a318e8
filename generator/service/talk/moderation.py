"""Moderation, by a community's stewards and the site's admins: hide a post with a reason that stays in its
place, unhide it, add a steward's note, pin and lock threads, approve held posts, resolve flags; and the
moderation log (who, what, when, why), which admins read. Every action is logged."""

from __future__ import annotations

import datetime as dt
from urllib.parse import urljoin

from pydantic import BaseModel, Field

from ..identity.principal import Principal
from ..models import Flag, FlagReason, Post, Thread
from ..privacy.people import remember
from .activity import record_post
from .markup import PostRejected
from .policy import Talk, TalkError
from .reading import Place, find_post, find_thread, post_view
from .threads import one_line
from .views import AuthorView, Names, PostView, ThreadSummary, summary

MAX_REASON = 300
MAX_NOTE = 1000


class Queued(BaseModel):
    """A post waiting for a steward (held), or one a reader flagged, with its thread."""

    thread: ThreadSummary
    post: PostView
    url: str = Field(description="The post on the site: its item's page, or its thread on the community's hub "
                     "(`?thread=<id>`), with `#post-<id>`.")


class FlagItem(BaseModel):
    """An open flag: why, and on what (who flagged is not shown)."""

    id: int
    reason: FlagReason
    text: str | None
    created_at: str
    thread: ThreadSummary
    post: PostView
    url: str = Field(description="The post on the site, as in the queue.")


class LogView(BaseModel):
    id: int
    actor: AuthorView = Field(description="Who acted; \"a former colleague\" once they were erased.")
    action: str = Field(description="hide, unhide, note, unnote, approve, reject, pin, unpin, lock, unlock, accept, "
                        "unaccept, resolve, invite (an introduction round)")
    thread: int | None
    post: int | None
    reason: str | None
    at: str


class Log(BaseModel):
    entries: list[LogView]
    next: int | None = Field(description="Pass as `before` for older entries; null when there are none.")


def hide(talk: Talk, principal: Principal, pid: int, reason: str, now: dt.datetime) -> PostView:
    post, place = _moderated_post(talk, pid, principal)
    if post.state == "deleted":
        raise TalkError(409, "post_deleted", "this post was deleted")
    why = _reason(reason)
    with talk.store.transaction():
        remember(talk.store, principal, now)
        talk.store.set_post_state(pid, "hidden", why, principal.subject)
        talk.store.resolve_flags(principal.subject, now, pid=pid)
        talk.store.log_action(principal.subject, "hide", post.thread_id, pid, why, now)
    return post_view(talk, post, place, principal)


def unhide(talk: Talk, principal: Principal, pid: int, now: dt.datetime) -> PostView:
    post, place = _moderated_post(talk, pid, principal)
    if post.state != "hidden":
        raise TalkError(409, "post_not_hidden", "this post is not hidden")
    with talk.store.transaction():
        remember(talk.store, principal, now)
        talk.store.set_post_state(pid, "visible")
        talk.store.log_action(principal.subject, "unhide", post.thread_id, pid, None, now)
    return post_view(talk, post, place, principal)


def note(talk: Talk, principal: Principal, pid: int, text: str | None, now: dt.datetime) -> PostView:
    """Set (or, with None, remove) the steward's note shown with a post."""
    post, place = _moderated_post(talk, pid, principal)
    if post.state == "deleted":
        raise TalkError(409, "post_deleted", "this post was deleted")
    if text is not None:
        if len(text) > MAX_NOTE:
            raise TalkError(422, "note_too_long", f"a note has at most {MAX_NOTE} characters", "text")
        try:
            talk.render(text, place.feed)
        except PostRejected as exc:
            raise TalkError(422, exc.code, str(exc), "text") from None
    with talk.store.transaction():
        remember(talk.store, principal, now)
        talk.store.set_note(pid, text, principal.subject)
        talk.store.log_action(principal.subject, "note" if text else "unnote", post.thread_id, pid, None, now)
    return post_view(talk, post, place, principal)


def approve(talk: Talk, principal: Principal, pid: int, now: dt.datetime) -> PostView:
    post, place = _moderated_post(talk, pid, principal)
    if post.state != "held":
        raise TalkError(409, "post_not_held", "this post is not waiting for approval")
    with talk.store.transaction():
        remember(talk.store, principal, now)
        talk.store.set_post_state(pid, "visible")
        talk.store.touch_thread(post.thread_id, now)
        talk.store.log_action(principal.subject, "approve", post.thread_id, pid, None, now)
        record_post(talk, post, place.thread, place.feed, now)
    return post_view(talk, post, place, principal)


def reject(talk: Talk, principal: Principal, pid: int, reason: str, now: dt.datetime) -> None:
    """Turn down a held post: it is deleted as its author's own delete would (nobody ever saw it), and the
    reason logged. Unlike hiding, it does not count as a post shown, so its author's next post waits too."""
    post, _ = _moderated_post(talk, pid, principal)
    if post.state != "held":
        raise TalkError(409, "post_not_held", "this post is not waiting for approval")
    why = _reason(reason)
    with talk.store.transaction():
        remember(talk.store, principal, now)
        talk.store.delete_post(pid)
        talk.store.log_action(principal.subject, "reject", post.thread_id, pid, why, now)


def set_thread(talk: Talk, principal: Principal, tid: int, action: str, now: dt.datetime) -> ThreadSummary:
    """pin, unpin, lock or unlock a thread (only a board's threads are pinned)."""
    place = find_thread(talk, tid, principal)
    _require(place.moderator)
    if action in ("pin", "unpin") and place.thread.kind != "board":
        raise TalkError(409, "not_a_board_thread", "only a community board's threads are pinned")
    on = not action.startswith("un")
    with talk.store.transaction():
        remember(talk.store, principal, now)
        if action.endswith("pin"):
            talk.store.set_thread(tid, pinned=on)
        else:
            talk.store.set_thread(tid, locked=on)
        talk.store.log_action(principal.subject, action, tid, None, None, now)
    thread = talk.store.thread(tid) or place.thread
    return summary(thread, Names(talk, place.feed, [thread.author]))


def queue(talk: Talk, principal: Principal, community: str | None) -> list[Queued]:
    """Held posts in the communities the reader moderates (or in `community`), oldest first."""
    allowed = _scope(talk, principal, community)
    out = []
    for post in talk.store.held_posts():
        place = _place_in(talk, post, principal, allowed)
        if place is not None:
            out.append(Queued(thread=_summary(talk, place), post=post_view(talk, post, place, principal),
                              url=post_url(talk, place, post.id)))
    return out


def open_flags(talk: Talk, principal: Principal, community: str | None) -> list[FlagItem]:
    allowed = _scope(talk, principal, community)
    out = []
    for found in talk.store.open_flags():
        post = talk.store.post(found.post_id)
        place = _place_in(talk, post, principal, allowed) if post else None
        if post is not None and place is not None:
            out.append(_flag_item(talk, found, post, place, principal))
    return out


def resolve(talk: Talk, principal: Principal, fid: int, now: dt.datetime) -> None:
    found = talk.store.flag(fid)
    post = talk.store.post(found.post_id) if found else None
    if found is None or post is None:
        raise TalkError(404, "flag_not_found", "there is no such flag")
    _moderated_post(talk, post.id, principal)
    with talk.store.transaction():
        remember(talk.store, principal, now)
        if talk.store.resolve_flags(principal.subject, now, fid=fid):
            talk.store.log_action(principal.subject, "resolve", post.thread_id, post.id, found.reason, now)


def log(talk: Talk, principal: Principal, limit: int, before: int | None) -> Log:
    if not talk.is_admin(principal):
        raise TalkError(403, "not_an_admin", "only the site's admins (PRACTICA_ADMINS) read the moderation log")
    entries = talk.store.log_entries(limit + 1, before)
    more, entries = len(entries) > limit, entries[:limit]
    names = Names(talk, talk.feed(), [e.actor for e in entries])
    return Log(entries=[LogView(id=e.id, actor=names(e.actor), action=e.action, thread=e.thread_id, post=e.post_id,
                                reason=e.reason, at=e.at.isoformat()) for e in entries],
               next=entries[-1].id if more and entries else None)


def post_url(talk: Talk, place: Place, pid: int) -> str:
    """The post on the site: the item's page, or the board thread opened on its community's hub."""
    thread, state = place.thread, place.feed.state
    if thread.kind == "item":
        page = talk.store.item_url(thread.target) or state.site_url
        return urljoin(state.site_url, page).split("#")[0] + f"#post-{pid}"
    hub = state.topics[thread.target].url if thread.target in state.topics else state.site_url
    return urljoin(state.site_url, hub).split("#")[0].split("?")[0] + f"?thread={thread.id}#post-{pid}"


def _moderated_post(talk: Talk, pid: int, principal: Principal) -> tuple[Post, Place]:
    post, place = find_post(talk, pid, principal)
    _require(place.moderator)
    return post, place


def _require(moderator: bool) -> None:
    if not moderator:
        raise TalkError(403, "not_a_steward", "only the community's stewards and the site's admins may do this")


def _reason(reason: str) -> str:
    clean = one_line(reason)
    if not clean or len(clean) > MAX_REASON:
        raise TalkError(422, "invalid_reason", f"say why in one line of at most {MAX_REASON} characters", "reason")
    return clean


def _scope(talk: Talk, principal: Principal, community: str | None) -> set[str] | None:
    """The communities to list (None: all, for an admin); 403 for a reader who moderates none of them."""
    feed = talk.feed()
    mine = talk.stewarded(principal, feed)
    if community is not None:
        if community not in feed.state.topics:
            raise TalkError(404, "unknown_community", "there is no community with this id on the site", "community")
        _require(mine is None or community in mine)
        return {community}
    _require(mine is None or bool(mine))
    return mine


def _place_in(talk: Talk, post: Post, principal: Principal, allowed: set[str] | None) -> Place | None:
    thread: Thread | None = talk.store.thread(post.thread_id)
    if thread is None:
        return None
    communities = talk.communities(thread)
    if allowed is not None and not allowed & set(communities):
        return None
    return Place(thread, talk.feed(), communities, True)


def _summary(talk: Talk, place: Place) -> ThreadSummary:
    return summary(place.thread, Names(talk, place.feed, [place.thread.author]))


def _flag_item(talk: Talk, found: Flag, post: Post, place: Place, principal: Principal) -> FlagItem:
    return FlagItem(id=found.id, reason=found.reason, text=found.text, created_at=found.created_at.isoformat(),
                    thread=_summary(talk, place), post=post_view(talk, post, place, principal),
                    url=post_url(talk, place, post.id))
