"""Conversations' posts: edit and delete your own, "this helped" marks, flags. Every route needs a sign-in."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Response
from pydantic import BaseModel, ConfigDict, Field

from ..models import FlagReason, utcnow
from ..talk import threads as talk
from ..talk.threads import FlagView, Helpful
from ..talk.views import PostView
from .auth import SignedIn
from .context import TALK_ERRORS, Ctx
from .errors import ErrorBody
from .threads import Text

router = APIRouter(prefix="/api/v1", tags=["conversations"], responses=TALK_ERRORS)
PostId = Annotated[int, Path(ge=1, le=2**53, description="The post's id.")]
NOT_YOURS: dict[int | str, dict[str, Any]] = {403: {"model": ErrorBody, "description": "Not your post"}}


class Edit(BaseModel):
    model_config = ConfigDict(extra="forbid")
    body: Text


class FlagBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    reason: FlagReason = Field(description="spam, rude, off_topic, personal_data (it shares someone's private "
                               "details), wrong (misleading or unsafe advice) or other")
    text: str | None = Field(None, max_length=500, description="Optional: what a steward should know.")


@router.patch("/posts/{pid}", response_model=PostView, responses=NOT_YOURS,
              summary="Edit your post (it is shown as edited)")
def edit(pid: PostId, body: Edit, ctx: Ctx, principal: SignedIn) -> PostView:
    return talk.edit_post(ctx.talk, principal, pid, body.body, utcnow())


@router.delete("/posts/{pid}", status_code=204, responses=NOT_YOURS,
               summary="Delete your post (its place stays, without text, while others' replies hang on it)")
def delete(pid: PostId, ctx: Ctx, principal: SignedIn) -> Response:
    talk.delete_post(ctx.talk, principal, pid)
    return Response(status_code=204)


@router.put("/posts/{pid}/helpful", response_model=Helpful, summary="Mark a post: this helped")
def mark(pid: PostId, ctx: Ctx, principal: SignedIn) -> Helpful:
    return talk.mark(ctx.talk, principal, pid, True, utcnow())


@router.delete("/posts/{pid}/helpful", response_model=Helpful, summary="Take back your \"this helped\" mark")
def unmark(pid: PostId, ctx: Ctx, principal: SignedIn) -> Helpful:
    return talk.mark(ctx.talk, principal, pid, False, utcnow())


@router.post("/posts/{pid}/flags", response_model=FlagView, status_code=201,
             responses={200: {"model": FlagView, "description": "You had flagged it already: that flag"}},
             summary="Flag a post for the community's stewards (once per post)")
def flag(pid: PostId, body: FlagBody, response: Response, ctx: Ctx, principal: SignedIn) -> FlagView:
    found, created = talk.flag(ctx.talk, principal, pid, body.reason, body.text, utcnow())
    response.status_code = 201 if created else 200
    return found
