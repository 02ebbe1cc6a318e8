"""Events (ARCHITECTURE.md, "Events"): each date's RSVP count and capacity, "I'll join" (RSVP) and "I can't make
it" (its undo), "I'm here" (check-in, during the date's window), and a reader's own RSVPs and check-ins. Reading
counts needs no sign-in; everything else does. The service knows dates only from the feed's `_practica.events`."""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Request, Response
from pydantic import BaseModel, Field

from ..events import attendance
from ..events.attendance import Found
from ..identity.principal import Principal
from ..models import iso, utcnow
from ..privacy.people import remember
from ..records.attendance import record_attendance
from ..talk.policy import TalkError
from .auth import Reader, SignedIn
from .context import TALK_ERRORS, Ctx
from .guards import client_address

router = APIRouter(prefix="/api/v1/events", tags=["events"], responses=TALK_ERRORS)
OCCURRENCE = r"^[a-z0-9][a-z0-9_.-]{0,99}@\d{4}-\d{2}-\d{2}$"
OccurrenceId = Annotated[str, Path(pattern=OCCURRENCE, max_length=111, examples=["lunch-and-learn@2026-12-08"],
                                   description="The date's id: `<event id>@<local start date>`, as the feed lists it.")]
ID = re.compile(OCCURRENCE[1:-1])
MAX_IDS = 50  # dates per GET /events/occurrences (an event page's series)


async def write_limited(request: Request, ctx: Ctx) -> None:
    """RSVPs and check-ins are writes: limited per client like the other writes (PRACTICA_PUSH_RATE_LIMIT)."""
    ctx.limiter.check(client_address(request.scope, ctx.settings.trusted_proxies))


class OccurrenceView(BaseModel):
    id: str
    event: str = Field(description="The event's id.")
    title: str
    url: str = Field(description="The date on the event's page.")
    start: str
    end: str
    status: str = Field(description="scheduled or cancelled")
    capacity: int | None = Field(description="Places in all; null: no limit.")
    going: int = Field(description="How many RSVP'd (\"I'll join\").")
    full: bool
    check_in_opens: str = Field(description="\"I'm here\" is accepted from this time to `end`.")
    check_in_open: bool = Field(description="Whether \"I'm here\" is accepted now.")
    joined: bool | None = Field(description="Whether you RSVP'd; null when not signed in.")
    checked_in: bool | None = Field(description="Whether you checked in; null when not signed in.")


class Occurrences(BaseModel):
    occurrences: list[OccurrenceView]


class Mine(BaseModel):
    occurrence: str
    at: str


class MyEvents(BaseModel):
    rsvps: list[Mine] = Field(description="Your RSVPs, oldest first.")
    attendance: list[Mine] = Field(description="Your check-ins, oldest first.")


def view(ctx: Ctx, found: Found, principal: Principal | None, now: dt.datetime) -> OccurrenceView:
    occurrence, event = found.occurrence, found.event
    going = ctx.store.rsvp_counts([occurrence.id])[occurrence.id]
    opens, closes = attendance.check_in_window(occurrence)
    joined = checked_in = None
    if principal is not None:
        joined = any(oid == occurrence.id for oid, _ in ctx.store.rsvps_of(principal.subject))
        checked_in = any(oid == occurrence.id for oid, _ in ctx.store.attendance_of(principal.subject))
    return OccurrenceView(id=occurrence.id, event=event.id, title=event.title, url=occurrence.url,
                          start=iso(occurrence.start), end=iso(occurrence.end), status=occurrence.status,
                          capacity=event.capacity, going=going,
                          full=event.capacity is not None and going >= event.capacity, check_in_opens=iso(opens),
                          check_in_open=occurrence.status == "scheduled" and opens <= now < closes, joined=joined,
                          checked_in=checked_in)


def _limit(ctx: Ctx, principal: Principal, now: dt.datetime) -> None:
    """Per person too, in the database (every instance shares it): PRACTICA_TALK_MARK_RATE_LIMIT's rate."""
    rate = ctx.settings.talk.marks
    wait = ctx.store.hit(principal.subject, "event", rate[0], rate[1], now)
    if wait is not None:
        seconds = max(1, int(wait) + 1)
        raise TalkError(429, "rate_limited", f"too many RSVPs and check-ins for now; try again in {seconds} s",
                        retry_after=seconds)


@router.get("/occurrences", response_model=Occurrences, summary="Counts, capacity and your RSVP for event dates")
def occurrences(ctx: Ctx, principal: Reader,
                ids: Annotated[str, Query(max_length=MAX_IDS * 112, description="Date ids, comma-separated (at "
                                          f"most {MAX_IDS}).")]) -> Occurrences:
    wanted = [part for part in ids.split(",") if part]
    if not wanted or len(wanted) > MAX_IDS:
        raise TalkError(422, "invalid", f"give 1 to {MAX_IDS} date ids, comma-separated", "ids")
    now, found = utcnow(), []
    for n, oid in enumerate(wanted):
        if len(oid) > 111 or not ID.fullmatch(oid):
            raise TalkError(422, "invalid", f"{oid[:120]!r} is not an event date id (<event id>@YYYY-MM-DD)",
                            f"ids[{n}]")
        found.append(view(ctx, attendance.find(ctx.store, oid), principal, now))
    return Occurrences(occurrences=found)


@router.get("/occurrences/{oid}", response_model=OccurrenceView, summary="One event date: counts and your RSVP")
def occurrence(oid: OccurrenceId, ctx: Ctx, principal: Reader) -> OccurrenceView:
    return view(ctx, attendance.find(ctx.store, oid), principal, utcnow())


@router.put("/occurrences/{oid}/rsvp", response_model=OccurrenceView, status_code=201,
            dependencies=[Depends(write_limited)], summary="\"I'll join\": RSVP to an event date",
            responses={200: {"model": OccurrenceView, "description": "You had RSVP'd already"}})
def join(oid: OccurrenceId, response: Response, ctx: Ctx, principal: SignedIn) -> OccurrenceView:
    now = utcnow()
    found = attendance.find(ctx.store, oid)
    attendance.open_for_rsvp(found, now)  # refused before anything is kept for the person
    remember(ctx.store, principal, now)  # the limit's count and the RSVP hang on the person's row
    _limit(ctx, principal, now)
    response.status_code = 201 if attendance.register(ctx.store, principal.subject, found, now) else 200
    if response.status_code == 201:
        record_attendance(ctx.store, ctx.settings.xapi, principal, "registered", found.event, found.occurrence, now)
    return view(ctx, found, principal, now)


@router.delete("/occurrences/{oid}/rsvp", response_model=OccurrenceView, dependencies=[Depends(write_limited)],
               summary="\"I can't make it\": take back your RSVP")
def leave(oid: OccurrenceId, ctx: Ctx, principal: SignedIn) -> OccurrenceView:
    now = utcnow()
    found = attendance.find(ctx.store, oid)
    if ctx.store.person(principal.subject) is not None:  # else there is nothing to take back, nor to count
        _limit(ctx, principal, now)
        attendance.unregister(ctx.store, principal.subject, found)
    return view(ctx, found, principal, now)


@router.post("/occurrences/{oid}/check-in", response_model=OccurrenceView, status_code=201,
             dependencies=[Depends(write_limited)],
             summary="\"I'm here\": check in, from 15 minutes before the start to the end",
             responses={200: {"model": OccurrenceView, "description": "You had checked in already"}})
def check_in(oid: OccurrenceId, response: Response, ctx: Ctx, principal: SignedIn) -> OccurrenceView:
    now = utcnow()
    found = attendance.find(ctx.store, oid)
    attendance.open_for_check_in(found, now)
    remember(ctx.store, principal, now)
    _limit(ctx, principal, now)
    response.status_code = 201 if attendance.attend(ctx.store, principal.subject, found, now) else 200
    if response.status_code == 201:
        record_attendance(ctx.store, ctx.settings.xapi, principal, "attended", found.event, found.occurrence, now)
    return view(ctx, found, principal, now)


@router.get("/me", response_model=MyEvents, summary="Your RSVPs and check-ins")
def mine(ctx: Ctx, principal: SignedIn) -> MyEvents:
    return MyEvents(rsvps=[Mine(occurrence=oid, at=iso(at)) for oid, at in ctx.store.rsvps_of(principal.subject)],
                    attendance=[Mine(occurrence=oid, at=iso(at))
                                for oid, at in ctx.store.attendance_of(principal.subject)])
