"""Reader feedback: `POST /api/v1/feedback` ("was this page helpful?") and the export `practica report` reads.

A vote names a page of the site (an item URL path from the last feed), yes or no, and maybe a short comment.
The browser makes a random id for each vote, so a resend after a lost answer stores nothing twice and a
comment typed after the vote joins it. Nothing about the reader is kept: no address, no user agent, no
time of day; emails and phone numbers in comments are replaced before anything is stored.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterable
from typing import Any

from fastapi import APIRouter, Depends, Request, Response
from pydantic import BaseModel, ConfigDict, Field, field_validator

from ..models import Vote, iso, utcnow
from .context import ERRORS, Ctx
from .errors import ApiError, ErrorBody
from .guards import client_address

MAX_COMMENT = 500
EMAIL = re.compile(r"[\w.+%-]+@[\w-]+(?:\.[\w-]+)+")
# 7 to 15 digits with the usual separators, e.g. +44 20 7946 0958, (030) 1234-5678, 0151.123.4567
PHONE = re.compile(r"(?<![\w+])\+?\(?\d(?:[\s().\-/]{0,2}\d){6,14}(?!\w)")
DATE = re.compile(r"\d{4}-\d\d-\d\d|\d\d?[./-]\d\d?[./-]\d{2,4}")
CONTROL = re.compile(r"[\x00-\x09\x0b-\x1f\x7f]")


def redact(text: str) -> str:
    """`text` with emails and phone numbers replaced by placeholders, and control characters by spaces."""
    text = EMAIL.sub("[email removed]", CONTROL.sub(" ", text))
    return PHONE.sub(lambda m: m[0] if DATE.fullmatch(m[0].strip()) else "[phone removed]", text)


class FeedbackBody(BaseModel):
    """One reader's answer to "Was this helpful?" on one page."""

    model_config = ConfigDict(extra="forbid")
    id: str = Field(pattern=r"^[A-Za-z0-9_-]{16,64}$",
                    description="Random, made by the browser for this vote; resend it with a comment to add one.")
    page: str = Field(max_length=300, examples=["learn/sql-joins/"],
                      description="The item's URL path relative to the site, as its feedback form names it.")
    helpful: bool
    comment: str | None = Field(None, description=f"Optional, at most {MAX_COMMENT} characters; emails and phone "
                                "numbers are removed before it is stored.")

    @field_validator("comment")
    @classmethod
    def _short(cls, value: str | None) -> str | None:
        value = (value or "").strip()
        if len(value) > MAX_COMMENT:
            raise ValueError(f"a comment has at most {MAX_COMMENT} characters (this one has {len(value)})")
        return value or None


class FeedbackResult(BaseModel):
    status: str = Field(description="created, commented (added to the vote with this id) or unchanged (a resend)")


async def feedback_limited(request: Request, ctx: Ctx) -> None:
    ctx.feedback_limiter.check(client_address(request.scope, ctx.settings.trusted_proxies))


router = APIRouter(prefix="/api/v1", tags=["feedback"], responses=ERRORS)


@router.post("/feedback", response_model=FeedbackResult, status_code=201, dependencies=[Depends(feedback_limited)],
             summary="Say whether a page helped (and optionally why)",
             responses={200: {"model": FeedbackResult, "description": "A resend, or a comment added to the vote"},
                        409: {"model": ErrorBody, "description": "This id is another page's or answer's vote"},
                        503: {"model": ErrorBody, "description": "The service has not read the site's feed yet"}})
def give_feedback(body: FeedbackBody, response: Response, ctx: Ctx) -> FeedbackResult:
    found = ctx.store.feed_state()
    if found is None:
        raise ApiError(503, "feed_not_read", "the service has not read the site's feed yet; try again later",
                       headers={"Retry-After": "60"})
    if body.page not in found.state.pages:
        raise ApiError(422, "unknown_page", f"{body.page[:80]!r} is not a lesson, video, answer or path on the site",
                       "page")
    vote = Vote(body.id, body.page, body.helpful, redact(body.comment) if body.comment else None, utcnow().date())
    outcome = ctx.store.record_vote(vote)
    if outcome == "conflict":
        raise ApiError(409, "feedback_conflict", "this id already holds a vote about another page or answer", "id")
    response.status_code = 201 if outcome == "created" else 200
    return FeedbackResult(status=outcome)


def export(votes: Iterable[Vote], now: dt.datetime | None = None) -> dict[str, Any]:
    """`{"generated_at", "pages": {page: {"helpful", "not_helpful", "comments"}}}`, the shape health.py reads."""
    pages: dict[str, dict[str, Any]] = {}
    for vote in votes:
        counts = pages.setdefault(vote.page, {"helpful": 0, "not_helpful": 0, "comments": []})
        counts["helpful" if vote.helpful else "not_helpful"] += 1
        if vote.comment:
            counts["comments"].append(vote.comment)
    return {"generated_at": iso(now or utcnow()), "pages": dict(sorted(pages.items()))}


def export_text(votes: Iterable[Vote], now: dt.datetime | None = None) -> str:
    return json.dumps(export(votes, now), ensure_ascii=False, indent=1) + "\n"
