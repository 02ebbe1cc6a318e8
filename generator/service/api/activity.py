"""Reminders for responses (ARCHITECTURE.md, "Reminders for responses"): the bell (GET /api/v1/me/activity,
POST /api/v1/me/activity/read), following a thread (PUT and DELETE /api/v1/threads/{id}/follow) and the
one-click unsubscribe of reminder mail (POST /api/v1/unsubscribe/{token}, RFC 8058: no sign-in, a signed token)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Response
from pydantic import BaseModel, ConfigDict, Field, model_validator
from pydantic_core import PydanticCustomError

from ..mail.unsubscribe import subject_of
from ..models import ActivityKind, FeedState, utcnow
from ..privacy.people import remember
from ..talk import notices
from ..talk.reading import find_thread
from .auth import SignedIn
from .context import TALK_ERRORS, Ctx
from .errors import ApiError

router = APIRouter(prefix="/api/v1", tags=["activity"], responses=TALK_ERRORS)
ThreadId = Annotated[int, Path(ge=1, le=2**53, description="The thread's id.")]


class ActivityView(BaseModel):
    id: int
    kind: ActivityKind = Field(description="reply, thread_post (in a thread you follow), mention, question "
                              "(a question routed to you), flag (stewards) or invitation (to introduce yourself).")
    who: str = Field(description="Who posted: their name, or \"a former colleague\".")
    person: str | None = Field(description="Their site person id, if they have a profile.")
    thread: int
    title: str = Field(description="The thread's title (a board thread's, else its item's).")
    url: str = Field(description="The post: its item's page or its community's hub, with #post-<id>.")
    created_at: str
    read: bool


class Bell(BaseModel):
    unread: int
    activity: list[ActivityView] = Field(description="Newest first.")


class ReadBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    ids: list[Annotated[int, Field(ge=1, le=2**53)]] | None = Field(None, max_length=500)
    all: bool = False

    @model_validator(mode="after")
    def _one(self) -> ReadBody:
        if (self.ids is None) == (not self.all):
            raise PydanticCustomError("invalid", "give either `ids` or `all: true`")
        return self


class Following(BaseModel):
    thread: int
    following: bool


@router.get("/me/activity", response_model=Bell, summary="The bell: replies, posts in threads you follow, "
            "mentions and (stewards) flags")
def bell(ctx: Ctx, principal: SignedIn, unread: Annotated[bool, Query()] = False,
               limit: Annotated[int, Query(ge=1, le=100)] = 30) -> Bell:
    found = ctx.store.feed_state()
    state = found.state if found else FeedState("Practica", "https://invalid/", None, {}, {})
    rows = ctx.store.activity_for(principal.subject, unread, limit)
    return Bell(unread=ctx.store.unread(principal.subject), activity=[ActivityView(
        id=a.id, kind=a.kind, who=notices.who(a, state), person=a.actor_person if a.actor else None,
        thread=a.thread_id, title=notices.where(a, state), url=notices.url(a, state),
        created_at=a.created_at.isoformat(), read=a.read_at is not None) for a in rows])


@router.post("/me/activity/read", status_code=204, summary="Mark activity read: these `ids`, or `all`")
def read(body: ReadBody, ctx: Ctx, principal: SignedIn) -> Response:
    ctx.store.mark_read(principal.subject, None if body.all else body.ids, utcnow())
    return Response(status_code=204)


@router.put("/threads/{tid}/follow", response_model=Following, summary="Follow a thread: hear of its new posts")
def follow(tid: ThreadId, ctx: Ctx, principal: SignedIn) -> Following:
    return _follow(ctx, principal, tid, True)


@router.delete("/threads/{tid}/follow", response_model=Following,
               summary="Unfollow a thread (even one you opened or posted in)")
def unfollow(tid: ThreadId, ctx: Ctx, principal: SignedIn) -> Following:
    return _follow(ctx, principal, tid, False)


class Unsubscribed(BaseModel):
    unsubscribed: bool = Field(description="Reminder mail is off for the person the link was made for.")


@router.post("/unsubscribe/{value}", response_model=Unsubscribed,
             summary="One-click unsubscribe from reminder mail (RFC 8058); the link in every mail, no sign-in")
def unsubscribe(value: Annotated[str, Path(max_length=600, description="The mail's signed token.")],
                      ctx: Ctx) -> Unsubscribed:
    secret = ctx.settings.email.secret
    subject = subject_of(value, secret) if secret is not None else None
    if subject is None:
        raise ApiError(403, "bad_token", "this unsubscribe link is not valid (it may have been changed)")
    ctx.store.set_email_pref(subject, "off")  # someone erased meanwhile has nothing left to turn off
    return Unsubscribed(unsubscribed=True)


def _follow(ctx: Ctx, principal: SignedIn, tid: int, on: bool) -> Following:
    find_thread(ctx.talk, tid, principal)  # 404 for a thread the reader cannot see
    with ctx.store.transaction():
        remember(ctx.store, principal, utcnow())
        ctx.store.follow(principal.subject, tid, on)
    return Following(thread=tid, following=on)
