"""Introductions (ARCHITECTURE.md, "Introductions"): the reader's own (GET, PUT, DELETE /api/v1/me/introduction;
PUT, DELETE /api/v1/me/introduction/photo), photos (GET /api/v1/photos/{id}), a community's new members
(GET /api/v1/communities/{id}/new-members) and a steward's introduction round
(POST /api/v1/communities/{id}/introduction-round)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Request, Response
from pydantic import BaseModel, ConfigDict, Field

from ..models import utcnow
from ..talk import introductions as intro
from ..talk.introductions import Introduced, NewMembers, Round
from ..talk.photos import CONTENT_TYPES, MAX_BYTES, MAX_PIXELS, SERVED_AS
from .auth import DiscussionReader, SignedIn
from .context import TALK_ERRORS, Ctx
from .errors import ApiError, ErrorBody

router = APIRouter(prefix="/api/v1", tags=["introductions"], responses=TALK_ERRORS)
PHOTO_PATH = "/api/v1/me/introduction/photo"
PHOTOS = "/api/v1/photos/"
CommunityId = Annotated[str, Path(pattern=r"^[a-z0-9][a-z0-9_.-]{0,99}$", description="The community's id.")]
PhotoId = Annotated[str, Path(pattern=r"^[A-Za-z0-9_-]{22}$", description="The photo's id (from a `photo` path).")]
PROFILE: dict[int | str, dict[str, Any]] = {409: {"model": ErrorBody, "description": "`has_profile`: you have a "
                                                  "profile on the site; edit it by pull request"}}
UPLOAD_TEXT = (f"The photo's bytes: JPEG, PNG or WebP, at most {MAX_BYTES // (1024 * 1024)} MB and "
               f"{MAX_PIXELS // 1_000_000} million pixels. It is re-encoded (256 px square WebP, no metadata); the "
               "bytes sent are not kept.")
UPLOAD: dict[str, Any] = {"requestBody": {"required": True, "description": UPLOAD_TEXT, "content": {
    t: {"schema": {"type": "string", "format": "binary"}} for t in sorted(CONTENT_TYPES)}}}


class IntroductionBody(BaseModel):
    """Each text is one line (line breaks, control and bidi characters are removed); all may be empty."""

    model_config = ConfigDict(extra="forbid")
    motto: str = Field("", max_length=1000, description="At most 120 characters.")
    learning: str = Field("", max_length=1000, description="What you are learning; at most 200 characters.")
    workplace: str = Field("", max_length=1000, description="Where you work (team, site); at most 120 characters.")
    communities: list[Annotated[str, Field(max_length=100)]] = Field(default=[], max_length=100, description="The "
                                                                     "communities (topic ids) you joined; at most 20.")


@router.get("/me/introduction", response_model=Introduced, summary="Your introduction, or why you have none")
def get_mine(ctx: Ctx, principal: SignedIn) -> Introduced:
    return intro.mine(ctx.talk, principal)


@router.put("/me/introduction", response_model=Introduced, responses=PROFILE,
            summary="Introduce yourself, or change your introduction (its photo stays)")
def put_mine(body: IntroductionBody, ctx: Ctx, principal: SignedIn) -> Introduced:
    texts = {"motto": body.motto, "learning": body.learning, "workplace": body.workplace}
    return intro.introduce(ctx.talk, principal, texts, body.communities, utcnow())


@router.delete("/me/introduction", status_code=204, summary="Delete your introduction and its photo, at once")
def delete_mine(ctx: Ctx, principal: SignedIn) -> Response:
    intro.remove(ctx.talk, principal)
    return Response(status_code=204)


@router.put("/me/introduction/photo", response_model=Introduced, openapi_extra=UPLOAD,
            responses=PROFILE | {415: {"model": ErrorBody, "description": "Not sent as image/jpeg, png or webp"}},
            summary="Add or replace your introduction's photo")
async def put_photo(request: Request, ctx: Ctx, principal: SignedIn) -> Introduced:
    declared = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if declared not in CONTENT_TYPES:
        raise ApiError(415, "photo_unsupported", "send the photo as image/jpeg, image/png or image/webp",
                       "content-type")
    return intro.set_photo(ctx.talk, principal, await request.body(), utcnow())


@router.delete("/me/introduction/photo", status_code=204, summary="Remove your introduction's photo")
def delete_photo(ctx: Ctx, principal: SignedIn) -> Response:
    intro.remove_photo(ctx.talk, principal, utcnow())
    return Response(status_code=204)


@router.get("/photos/{photo_id}", response_class=Response, summary="An introduction's photo",
            responses={200: {"content": {SERVED_AS: {}}, "description": "The photo as the service re-encoded it"},
                       304: {"description": "Not modified (If-None-Match)"}})
def photo(photo_id: PhotoId, request: Request, ctx: Ctx) -> Response:
    """No sign-in: an `<img>` cannot send one. The id is random (128 bits) and changes with every photo, so only
    those shown a post or a member list know it; it stops working once the photo or its person is deleted."""
    etag = f'"{photo_id}"'
    headers = {"ETag": etag, "Cache-Control": "private, no-cache", "Cross-Origin-Resource-Policy": "cross-origin"}
    data = ctx.store.photo(photo_id)
    if data is None:
        raise ApiError(404, "not_found", "no photo has this id (it may have been replaced or deleted)")
    if etag in request.headers.get("if-none-match", ""):
        return Response(status_code=304, headers=headers)
    return Response(data, media_type=SERVED_AS, headers=headers)


@router.get("/communities/{community}/new-members", response_model=NewMembers,
            summary="A community's new members: who introduced themselves into it or first posted in it lately")
def new_members(community: CommunityId, ctx: Ctx, principal: DiscussionReader) -> NewMembers:
    return intro.new_members(ctx.talk, community, principal, utcnow())


@router.post("/communities/{community}/introduction-round", response_model=Round,
             summary="Invite new members to introduce themselves (a steward)",
             responses={403: {"model": ErrorBody, "description": "Not a steward of the community"}})
def introduction_round(community: CommunityId, ctx: Ctx, principal: SignedIn) -> Round:
    return intro.invite(ctx.talk, principal, community, utcnow())
