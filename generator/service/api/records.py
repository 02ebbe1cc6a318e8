"""Learning records (ARCHITECTURE.md, "Learning records"): POST /api/v1/learning takes the learning events a
signed-in reader's device reports (records.js, queued while offline) and records them as xAPI statements;
GET /api/v1/me/learning shows a reader what is recorded about them. Off (404 `learning_records_off`) unless
PRACTICA_XAPI_ENDPOINT is set."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field, model_validator
from pydantic_core import PydanticCustomError

from ..models import utcnow
from ..records.events import Event, LearningRefused, Video, record_event
from .auth import SignedIn
from .context import ERRORS, Ctx
from .errors import ApiError, ErrorBody
from .threads import ItemId

router = APIRouter(prefix="/api/v1", tags=["learning records"], responses=ERRORS)
MAX_EVENTS = 20  # per request: a device sends its queue in chunks
MAX_AGE = dt.timedelta(days=7)  # an event queued offline longer than this is not recorded (refused)
Seconds = Annotated[float, Field(ge=0, le=86_400)]
Token = Annotated[str, Field(pattern=r"^[A-Za-z0-9_-]{8,64}$")]
OFF: dict[int | str, dict[str, Any]] = {
    404: {"model": ErrorBody, "description": "Learning records are off here (`learning_records_off`)"}}


class VideoBody(BaseModel):
    """One xAPI Video Profile event, in seconds."""

    model_config = ConfigDict(extra="forbid")
    event: Literal["initialized", "played", "paused", "seeked", "completed"]
    session: Token = Field(description="Random per playback (8–64 of A-Z a-z 0-9 _ -).")
    length: Seconds
    time: Seconds = 0.0
    start: Seconds = Field(0.0, description="seeked: where the seek started.")
    progress: float = Field(0.0, ge=0, le=1)
    segments: list[tuple[Seconds, Seconds]] = Field([], max_length=200, description="Played segments [from, to].")
    seq: int | None = Field(None, ge=0, le=100_000, description="The event's number in its playback session, from 0: "
                            "two plays at the same position are two statements, a resend of one is the same.")


class EventBody(BaseModel):
    """A learning event: `read` (a page read), `completed` (a lesson or path), `answered` (a knowledge-check
    question: `question`, `choice`), `checked` (the check's score: `correct`) or `video` (`video`)."""

    model_config = ConfigDict(extra="forbid")
    kind: Literal["read", "completed", "answered", "checked", "video"]
    item: ItemId
    visit: Token = Field(description="Random per page visit: one answer per question and visit is recorded.")
    at: dt.datetime = Field(description="When it happened (ISO 8601 with a zone); within the last 7 days.")
    question: int | None = Field(None, ge=1, le=50)
    choice: int | None = Field(None, ge=1, le=6)
    correct: int | None = Field(None, ge=0, le=50)
    video: VideoBody | None = None

    @model_validator(mode="after")
    def _fields_of_its_kind(self) -> EventBody:
        needs = {"answered": ("question", "choice"), "checked": ("correct",), "video": ("video",)}.get(self.kind, ())
        for name in ("question", "choice", "correct", "video"):
            if (getattr(self, name) is not None) != (name in needs):
                raise PydanticCustomError("invalid", f"a `{self.kind}` event " +
                                          ("needs" if name in needs else "has no") + f" `{name}`")
        if self.at.tzinfo is None:
            raise PydanticCustomError("invalid", "`at` needs a time zone (e.g. 2026-03-02T12:00:00Z)")
        return self

    def event(self, now: dt.datetime) -> Event:
        at = self.at.astimezone(dt.UTC)
        if not now - MAX_AGE <= at <= now + dt.timedelta(minutes=5):
            raise ApiError(422, "invalid_time", "`at` must be within the last 7 days, and not in the future", "at")
        v = self.video
        video = Video(v.event, v.session, v.length, v.time, v.start, v.progress, tuple(v.segments), v.seq) \
            if v else None
        return Event(self.kind, self.item, self.visit, at, self.question, self.choice, self.correct, video)


class Events(BaseModel):
    model_config = ConfigDict(extra="forbid")
    events: list[EventBody] = Field(min_length=1, max_length=MAX_EVENTS)


class Recorded(BaseModel):
    recorded: int = Field(description="Statements recorded now.")
    unchanged: int = Field(description="Events recorded before (a resend), or left out at this deployment's level.")


class Entry(BaseModel):
    verb: str
    object: str = Field(description="The activity: the item's URL (a question's ends in #check-<n>).")
    state: str = Field(description="pending, sending, sent (to the LRS) or rejected (by it).")
    recorded_at: str


class MyLearning(BaseModel):
    on: bool = Field(description="Whether this site records learning (false: nothing is recorded).")
    level: str | None = Field(description="aggregate (a pseudonymous key stands for you in the LRS) or person.")
    statements: list[Entry] = Field(description="What is recorded about you and still kept here, oldest first.")


@router.post("/learning", response_model=Recorded, responses=OFF,
             summary="Report learning events (lesson read or completed, knowledge-check answers, video events, "
             "path completed); recorded as xAPI statements for the organisation's LRS")
def learning(body: Events, ctx: Ctx, principal: SignedIn) -> Recorded:
    xapi = ctx.settings.xapi
    if not xapi.on:
        raise ApiError(404, "learning_records_off", "this site does not record learning")
    ctx.learning_limiter.check(principal.subject)
    now, made = utcnow(), 0
    events = [one.event(now) for one in body.events]
    for n, event in enumerate(events):
        try:
            made += record_event(ctx.store, xapi, principal, event) is not None
        except LearningRefused as exc:
            raise ApiError(422, exc.code, f"events[{n}]: {exc}", f"events.{n}.{exc.field}") from None
    return Recorded(recorded=made, unchanged=len(events) - made)


@router.get("/me/learning", response_model=MyLearning, summary="My learning record: what is recorded about me")
def my_learning(ctx: Ctx, principal: SignedIn) -> MyLearning:
    xapi = ctx.settings.xapi
    kept = ctx.store.statements_of(principal.subject) if xapi.on else []
    return MyLearning(on=xapi.on, level=xapi.level if xapi.on else None, statements=[
        Entry(verb=v, object=o, state=s, recorded_at=at.isoformat()) for v, o, s, at in kept])
