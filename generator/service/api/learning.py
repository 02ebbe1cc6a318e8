"""Learning that sticks (issue 23): commitments ("I'll try this by <day>") whose one follow-up the service sends on
that day, and thanks for an item's authors, with public counts.

A commitment is held by one device (`/subscriptions/{sid}/commitments/{cid}`, proven by its auth secret) or by the
signed-in reader (`/me/commitments/{cid}`). The service keeps only the item and the day's follow-up time; the
reader's note, the action they chose and their reflection stay on their device (DATA.md)."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from typing import Annotated, Literal
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, Path, Request, Response
from pydantic import BaseModel, ConfigDict, Field

from ..identity.principal import Principal
from ..mail.notes import mail_thanks
from ..models import Commitment, FeedItem, utcnow
from ..privacy.people import remember
from ..push.notes import due_time, thank_author
from .auth import SignedIn
from .bodies import TimeZone
from .context import ERRORS, Ctx, Held
from .errors import ApiError, ErrorBody
from .guards import client_address

log = logging.getLogger("practica.push.api")
router = APIRouter(prefix="/api/v1", tags=["learning"], responses=ERRORS)
MAX_DAYS_AHEAD = 366  # a commitment is for the coming year at most
COMMITTABLE = ("lesson", "path")  # items with a "try at work" action or an action plan
MAX_OPEN = 100  # follow-ups not yet queued, per device or reader: a list to act on, not a store to fill
THANKS_RATE = (30, 3600.0)  # thanks per reader per hour: enough to thank generously, too few to spam authors
CommitmentId = Annotated[str, Path(pattern=r"^[A-Za-z0-9_-]{16,64}$",
                                   description="Random, made by the browser for this commitment.")]
ItemId = Annotated[str, Field(max_length=200, pattern=r"^urn:practica:[a-z]+:[A-Za-z0-9_./-]+$",
                              examples=["urn:practica:lesson:sql-joins"])]


async def rate_limited(request: Request, ctx: Ctx) -> None:
    """The per-address limit the subscription routes use: a device's writes, whoever sends them."""
    ctx.limiter.check(client_address(request.scope, ctx.settings.trusted_proxies))


class CommitmentBody(BaseModel):
    """What a follow-up needs: the item, and the day the reader means to have tried it by."""

    model_config = ConfigDict(extra="forbid")
    item: ItemId = Field(description="The lesson's or path's feed id (its page names it).")
    due: dt.date = Field(description="The day (YYYY-MM-DD, the reader's own calendar): today up to a year ahead.")


class MyCommitmentBody(CommitmentBody):
    timezone: TimeZone = Field("UTC", description="The reader's time zone: the follow-up comes on `due` there.")


class CommitmentView(BaseModel):
    id: str
    item: str
    due_at: str = Field(description="When the follow-up is sent (UTC): the day's digest time, after quiet hours.")
    queued: bool = Field(description="Whether the follow-up has gone into the outbox (it cannot be moved then).")

    @classmethod
    def of(cls, c: Commitment) -> CommitmentView:
        return cls(id=c.id, item=c.item, due_at=c.due_at.isoformat(), queued=c.queued_at is not None)


class ThanksBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    item: ItemId = Field(description="The lesson's, video's, answer's or path's feed id.")


class ThanksResult(BaseModel):
    status: Literal["created", "unchanged"] = Field(description="created, or unchanged: you had thanked already")
    count: int = Field(description="How many readers have thanked for this item.")


class ThanksCounts(BaseModel):
    items: dict[str, int] = Field(description="Feed id → how many readers thanked for it (thanked items only).")
    people: dict[str, int] = Field(description="Site person id → thanks for the items they made.")


@router.put("/subscriptions/{sid}/commitments/{cid}", response_model=CommitmentView, status_code=201,
            dependencies=[Depends(rate_limited)],
            summary="Ask this device for one follow-up on the day you mean to have tried an action",
            responses={200: {"model": CommitmentView, "description": "Moved to another day, or a resend"},
                       409: {"model": ErrorBody, "description": "The id holds someone else's commitment, or its "
                             "follow-up was already queued"}})
def commit_device(cid: CommitmentId, body: CommitmentBody, sub: Held, response: Response, ctx: Ctx
                  ) -> CommitmentView:
    _item(ctx, body.item)
    prefs = sub.preferences
    due = due_time(_day(body.due, prefs.zone), prefs.zone, ctx.rules, prefs)
    return _save(ctx, Commitment(cid, sub.id, None, body.item, due, utcnow()), response)


@router.delete("/subscriptions/{sid}/commitments/{cid}", status_code=204,
               summary="Cancel this device's follow-up (done early, or changed your mind)")
def uncommit_device(cid: CommitmentId, sub: Held, ctx: Ctx) -> Response:
    _drop(ctx, cid, lambda c: c.subscription == sub.id)
    return Response(status_code=204)


@router.put("/me/commitments/{cid}", response_model=CommitmentView, status_code=201,
            dependencies=[Depends(rate_limited)],
            summary="Ask for one follow-up, on all your linked devices, on the day you mean to have tried an action",
            responses={200: {"model": CommitmentView, "description": "Moved to another day, or a resend"},
                       409: {"model": ErrorBody, "description": "The id holds someone else's commitment, or its "
                             "follow-up was already queued"}})
def commit_person(cid: CommitmentId, body: MyCommitmentBody, principal: SignedIn, response: Response, ctx: Ctx
                  ) -> CommitmentView:
    _item(ctx, body.item)
    zone = ZoneInfo(body.timezone)
    remember(ctx.store, principal, utcnow())
    due = due_time(_day(body.due, zone), zone, ctx.rules)
    return _save(ctx, Commitment(cid, None, principal.subject, body.item, due, utcnow()), response)


@router.delete("/me/commitments/{cid}", status_code=204, summary="Cancel one of your follow-ups")
def uncommit_person(cid: CommitmentId, principal: SignedIn, ctx: Ctx) -> Response:
    _drop(ctx, cid, lambda c: c.subject == principal.subject)
    return Response(status_code=204)


@router.post("/thanks", response_model=ThanksResult, status_code=201,
             summary="Thank an item's authors (once per reader per item); they get a note",
             responses={200: {"model": ThanksResult, "description": "You had thanked for it already"}})
def thank(body: ThanksBody, principal: SignedIn, response: Response, ctx: Ctx) -> ThanksResult:
    item = _item(ctx, body.item, committable=False)
    if principal.person is not None and principal.person in item.people:
        raise ApiError(422, "own_item", "you made this item: thanks are for its readers to give", "item")
    now = utcnow()
    with ctx.store.transaction():
        remember(ctx.store, principal, now)
        _limit(ctx, principal, now)
        created = ctx.store.add_thanks(principal.subject, item.id, now)
        count = ctx.store.thanks_counts().get(item.id, 0)
        found = ctx.store.feed_state()
        if created and found is not None:
            thank_author(ctx.store, item, count, found.state, now, ctx.rules, ctx.settings.lock_screen)
            mail_thanks(ctx.store, item, count, found.state, ctx.settings.email, ctx.rules, now)
    response.status_code = 201 if created else 200
    return ThanksResult(status="created" if created else "unchanged", count=count)


@router.get("/thanks", response_model=ThanksCounts, summary="How many readers thanked for each item and person")
def thanks_counts(response: Response, ctx: Ctx) -> ThanksCounts:
    counts: dict[str, int] = {}
    people: dict[str, int] = {}
    for item_id, n, made_by in ctx.store.thanked_items():
        counts[item_id] = n
        for person in made_by:
            people[person] = people.get(person, 0) + n
    response.headers["Cache-Control"] = "public, max-age=300"
    return ThanksCounts(items=counts, people=dict(sorted(people.items())))


def _item(ctx: Ctx, item_id: str, committable: bool = True) -> FeedItem:
    item = ctx.store.learning_item(item_id)
    if item is None:
        raise ApiError(422, "unknown_item", f"{item_id[:80]!r} is not a lesson, video, answer or path the service "
                       "has read from the site's feed", "item")
    if committable and item.type not in COMMITTABLE:
        raise ApiError(422, "not_committable", f"a {item.type} has no action to try: commit to a lesson's "
                       "\"try at work\" or a path's action plan", "item")
    return item


def _day(day: dt.date, zone: dt.tzinfo) -> dt.date:
    today = utcnow().astimezone(zone).date()
    if day < today:
        raise ApiError(422, "due_in_past", f"{day.isoformat()} has passed where you are (today is "
                       f"{today.isoformat()}): choose today or a later day", "due")
    if day > today + dt.timedelta(days=MAX_DAYS_AHEAD):
        raise ApiError(422, "due_too_far", f"{day.isoformat()} is more than {MAX_DAYS_AHEAD} days ahead: choose a "
                       "day within the coming year", "due")
    return day


def _save(ctx: Ctx, c: Commitment, response: Response) -> CommitmentView:
    with ctx.store.transaction():
        existing = ctx.store.commitment(c.id)
        if existing is not None and (existing.subscription, existing.subject) != (c.subscription, c.subject):
            raise ApiError(409, "commitment_conflict", "this id holds another reader's commitment: make a new id",
                           "cid")
        if existing is not None and existing.queued_at is not None:
            raise ApiError(409, "already_followed_up", "this commitment's follow-up was already sent or queued; "
                           "make a new commitment to be reminded again", "cid")
        if existing is not None and existing.item != c.item:
            raise ApiError(409, "commitment_conflict", "this id holds a commitment to another item: make a new id",
                           "item")
        held = ctx.store.commitments_of(subject=c.subject) if c.subject else \
            ctx.store.commitments_of(subscription=c.subscription)
        if existing is None and sum(h.queued_at is None for h in held) >= MAX_OPEN:
            raise ApiError(422, "too_many_commitments", f"you have {MAX_OPEN} follow-ups waiting already: mark some "
                           "done or remove them on your \"My learning\" page first", "cid")
        ctx.store.save_commitment(c)
    response.status_code = 200 if existing else 201
    saved = ctx.store.commitment(c.id)
    assert saved is not None
    return CommitmentView.of(saved)


def _drop(ctx: Ctx, cid: str, mine: Callable[[Commitment], bool]) -> None:
    found = ctx.store.commitment(cid)
    if found is None or not mine(found):
        raise ApiError(404, "commitment_not_found", "you hold no commitment with this id", "cid")
    ctx.store.delete_commitment(cid)


def _limit(ctx: Ctx, principal: Principal, now: dt.datetime) -> None:
    wait = ctx.store.hit(principal.subject, "thanks", THANKS_RATE[0], THANKS_RATE[1], now)
    if wait is not None:
        seconds = max(1, int(wait + 0.999))
        raise ApiError(429, "rate_limited", f"too many thanks for now ({THANKS_RATE[0]} an hour); try again in "
                       f"{seconds} s", headers={"Retry-After": str(seconds)})

