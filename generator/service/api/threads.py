"""Conversations' threads (ARCHITECTURE.md, "Conversations"): an item's discussion and a community's board,
one thread with its posts, opening a thread (or posting first on an item), posting in a thread, accepting an
answer. Reading needs a sign-in unless PRACTICA_PUBLIC_DISCUSSIONS is true; writing always does."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Response
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator
from pydantic_core import PydanticCustomError

from ..models import ThreadType, utcnow
from ..records.talk import record_post
from ..talk import reading
from ..talk import threads as talk
from ..talk.threads import Opened
from ..talk.views import Board, Discussion, PostView, ThreadSummary
from .auth import DiscussionReader, SignedIn
from .context import TALK_ERRORS, Ctx
from .errors import ApiError, ErrorBody

router = APIRouter(prefix="/api/v1", tags=["conversations"], responses=TALK_ERRORS)

ItemId = Annotated[str, Field(pattern=r"^urn:practica:(lesson|video|faq|path|event):[a-z0-9][a-z0-9_.-]{0,150}$",
                              examples=["urn:practica:lesson:sql-joins"], description="The item's feed id (an "
                              "event's discussion: `urn:practica:event:<event id>`).")]
CommunityId = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9_.-]{0,99}$", examples=["data"],
                                   description="The community's (topic's) id.")]
Key = Annotated[str, Field(pattern=r"^[A-Za-z0-9_-]{8,64}$", description="Made by the client for this post (8–64 "
                           "of A-Z a-z 0-9 _ -): a resend with the same key returns the same post, never a second.")]
def without_nul(text: str) -> str:
    """Readers' text without NUL characters: the renderer drops them anyway, and PostgreSQL cannot store them."""
    return text.replace("\x00", "")


Text = Annotated[str, Field(max_length=20_000, description="Markdown-lite: paragraphs, *emphasis*, lists, `code`, "
                            "[links](https://…), @person-id; at most 10,000 characters."), AfterValidator(without_nul)]
ThreadId = Annotated[int, Path(ge=1, le=2**53, description="The thread's id.")]
CREATED: dict[int | str, dict[str, Any]] = {200: {"description": "A resend: the post this idempotency key made before"}}


class NewThread(BaseModel):
    """A board thread with its first post (`community`, `type`, `title`), or a post on an item's discussion
    (`item`; the discussion is made by its first post)."""

    model_config = ConfigDict(extra="forbid")
    community: CommunityId | None = None
    item: ItemId | None = None
    type: ThreadType | None = Field(None, description="Board threads: question, insight or applied.")
    title: str | None = Field(None, max_length=1000, description="Board threads: one line, at most 150 characters.")
    body: Text
    idempotency_key: Key

    @model_validator(mode="after")
    def _one_place(self) -> NewThread:
        if (self.community is None) == (self.item is None):
            raise PydanticCustomError("invalid", "give either `community` (a board thread) or `item` (a post on "
                                      "its discussion)")
        if self.item is not None and (self.type is not None or self.title is not None):
            raise PydanticCustomError("invalid", "an item's discussion has no type or title")
        return self


class NewPost(BaseModel):
    model_config = ConfigDict(extra="forbid")
    body: Text
    parent: int | None = Field(None, ge=1, le=2**53, description="A top-level post of this thread, to reply to it "
                               "(replies go one level deep).")
    idempotency_key: Key


class Acceptance(BaseModel):
    model_config = ConfigDict(extra="forbid")
    post: int | None = Field(ge=1, le=2**53, description="The answer to accept; null: none.")


@router.get("/threads", response_model=Discussion | Board,
            summary="An item's discussion (`item`), or a community's board of threads (`community`)",
            response_description="With `item`: the Discussion (`thread` null while nobody has posted). With "
            "`community`: the Board, pinned threads first, then by last activity, `limit` at a time.")
def threads(ctx: Ctx, principal: DiscussionReader,
                  item: Annotated[str | None, Query(max_length=200, description="An item's feed id.")] = None,
                  community: Annotated[str | None, Query(max_length=100, description="A community's id.")] = None,
                  limit: Annotated[int, Query(ge=1, le=50)] = 20,
                  cursor: Annotated[str | None, Query(max_length=60, description="`next` of the previous page.")] = None
                  ) -> Discussion | Board:
    if (item is None) == (community is None):
        raise ApiError(422, "invalid", "give either `item` (its discussion) or `community` (its board)")
    if item is not None:
        return reading.item_discussion(ctx.talk, item, principal)
    return reading.board(ctx.talk, community or "", principal, limit, cursor)


@router.get("/threads/{tid}", response_model=Discussion, summary="A thread with its posts")
def thread(tid: ThreadId, ctx: Ctx, principal: DiscussionReader) -> Discussion:
    return reading.discussion(ctx.talk, tid, principal)


@router.post("/threads", response_model=Opened, status_code=201, responses=CREATED,
             summary="Open a board thread, or post on an item's discussion (made by its first post)")
def open_thread(body: NewThread, response: Response, ctx: Ctx, principal: SignedIn) -> Opened:
    now = utcnow()
    opened, created = talk.open_thread(ctx.talk, principal, body.body, body.idempotency_key, now,
                                       community=body.community, item=body.item, type=body.type, title=body.title)
    response.status_code = 201 if created else 200
    if created:
        record_post(ctx.store, ctx.settings.xapi, principal, opened.thread.id, opened.post.id, now,
                    opened=opened.thread.posts <= 1 and body.community is not None)
    return opened


@router.post("/threads/{tid}/posts", response_model=PostView, status_code=201, responses=CREATED,
             summary="Post in a thread, or reply to one of its top-level posts")
def post(tid: ThreadId, body: NewPost, response: Response, ctx: Ctx, principal: SignedIn) -> PostView:
    now = utcnow()
    made, created = talk.add_post(ctx.talk, principal, tid, body.body, body.parent, body.idempotency_key, now)
    response.status_code = 201 if created else 200
    if created:
        record_post(ctx.store, ctx.settings.xapi, principal, tid, made.id, now)
    return made


@router.post("/threads/{tid}/accept", response_model=ThreadSummary,
             summary="Accept an answer to a question (the asker, or a steward)",
             responses={403: {"model": ErrorBody, "description": "Neither the asker nor a steward"}})
def accept(tid: ThreadId, body: Acceptance, ctx: Ctx, principal: SignedIn) -> ThreadSummary:
    return talk.accept(ctx.talk, principal, tid, body.post, utcnow())
