"""Moderation, for a community's stewards and the site's admins: hide and unhide posts, stewards' notes, pin and
lock threads, held posts (pre-moderation) and flags to review, and the moderation log (admins only)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Response
from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from ..models import utcnow
from ..talk import moderation as talk
from ..talk.moderation import FlagItem, Log, Queued
from ..talk.views import PostView, ThreadSummary
from .auth import SignedIn
from .context import TALK_ERRORS, Ctx
from .errors import ErrorBody
from .posts import PostId
from .threads import ThreadId, without_nul

router = APIRouter(prefix="/api/v1", tags=["moderation"],
                   responses=TALK_ERRORS | {403: {"model": ErrorBody, "description": "Not a steward or admin"}})
FlagId = Annotated[int, Path(ge=1, le=2**53, description="The flag's id.")]
Community = Annotated[str | None, Query(max_length=100, description="One community's; default: all you moderate.")]


class Hide(BaseModel):
    model_config = ConfigDict(extra="forbid")
    reason: str = Field(min_length=1, max_length=300, description="Shown in the post's place, to everyone.")


class Rejection(BaseModel):
    model_config = ConfigDict(extra="forbid")
    reason: str = Field(min_length=1, max_length=300, description="Why, for the moderation log (one line).")


class Note(BaseModel):
    model_config = ConfigDict(extra="forbid")
    text: Annotated[str, AfterValidator(without_nul)] = Field(
        min_length=1, max_length=1000, description="Shown with the post (Markdown-lite), e.g. \"See the verified FAQ "
        "on [joins](https://…)\".")


@router.post("/posts/{pid}/hide", response_model=PostView, summary="Hide a post; the reason stays in its place")
def hide(pid: PostId, body: Hide, ctx: Ctx, principal: SignedIn) -> PostView:
    return talk.hide(ctx.talk, principal, pid, body.reason, utcnow())


@router.post("/posts/{pid}/unhide", response_model=PostView, summary="Show a hidden post again")
def unhide(pid: PostId, ctx: Ctx, principal: SignedIn) -> PostView:
    return talk.unhide(ctx.talk, principal, pid, utcnow())


@router.put("/posts/{pid}/note", response_model=PostView, summary="Add or change a steward's note on a post")
def note(pid: PostId, body: Note, ctx: Ctx, principal: SignedIn) -> PostView:
    return talk.note(ctx.talk, principal, pid, body.text, utcnow())


@router.delete("/posts/{pid}/note", response_model=PostView, summary="Remove the steward's note from a post")
def unnote(pid: PostId, ctx: Ctx, principal: SignedIn) -> PostView:
    return talk.note(ctx.talk, principal, pid, None, utcnow())


@router.post("/posts/{pid}/approve", response_model=PostView, summary="Approve a held post: everyone sees it")
def approve(pid: PostId, ctx: Ctx, principal: SignedIn) -> PostView:
    return talk.approve(ctx.talk, principal, pid, utcnow())


@router.post("/posts/{pid}/reject", status_code=204,
             summary="Turn down a held post: it is deleted (nobody but its author saw it), the reason logged")
def reject(pid: PostId, body: Rejection, ctx: Ctx, principal: SignedIn) -> Response:
    talk.reject(ctx.talk, principal, pid, body.reason, utcnow())
    return Response(status_code=204)


@router.post("/threads/{tid}/pin", response_model=ThreadSummary, summary="Pin a board thread to the top")
def pin(tid: ThreadId, ctx: Ctx, principal: SignedIn) -> ThreadSummary:
    return talk.set_thread(ctx.talk, principal, tid, "pin", utcnow())


@router.post("/threads/{tid}/unpin", response_model=ThreadSummary, summary="Unpin a board thread")
def unpin(tid: ThreadId, ctx: Ctx, principal: SignedIn) -> ThreadSummary:
    return talk.set_thread(ctx.talk, principal, tid, "unpin", utcnow())


@router.post("/threads/{tid}/lock", response_model=ThreadSummary, summary="Lock a thread: it takes no new posts")
def lock(tid: ThreadId, ctx: Ctx, principal: SignedIn) -> ThreadSummary:
    return talk.set_thread(ctx.talk, principal, tid, "lock", utcnow())


@router.post("/threads/{tid}/unlock", response_model=ThreadSummary, summary="Unlock a thread")
def unlock(tid: ThreadId, ctx: Ctx, principal: SignedIn) -> ThreadSummary:
    return talk.set_thread(ctx.talk, principal, tid, "unlock", utcnow())


@router.get("/moderation/queue", response_model=list[Queued], summary="Held posts waiting for a steward")
def queue(ctx: Ctx, principal: SignedIn, community: Community = None) -> list[Queued]:
    return talk.queue(ctx.talk, principal, community)


@router.get("/moderation/flags", response_model=list[FlagItem], summary="Open flags on posts")
def flags(ctx: Ctx, principal: SignedIn, community: Community = None) -> list[FlagItem]:
    return talk.open_flags(ctx.talk, principal, community)


@router.post("/flags/{fid}/resolve", status_code=204, summary="Resolve a flag (hiding its post resolves them all)")
def resolve(fid: FlagId, ctx: Ctx, principal: SignedIn) -> Response:
    talk.resolve(ctx.talk, principal, fid, utcnow())
    return Response(status_code=204)


@router.get("/moderation/log", response_model=Log, summary="Who did what, when and why (admins)")
def log(ctx: Ctx, principal: SignedIn, limit: Annotated[int, Query(ge=1, le=200)] = 50,
              before: Annotated[int | None, Query(ge=1, description="`next` of the previous page.")] = None) -> Log:
    return talk.log(ctx.talk, principal, limit, before)
