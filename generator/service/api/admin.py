"""Admin routes (`Authorization: Bearer <PRACTICA_PUSH_ADMIN_TOKEN>`): ingest the configured feed, deliver, stats."""

from __future__ import annotations

import asyncio
import dataclasses
import hmac
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request

from ..models import utcnow
from ..push.feed import FeedError
from ..push.ingest import ingest_source
from ..push.sender import deliver
from ..store.base import SenderBusy
from .context import ERRORS, Ctx, bearer
from .errors import ApiError


async def admin(request: Request, ctx: Ctx) -> None:
    """Pass only with the configured admin token (compared in constant time)."""
    if ctx.settings.admin_token is None:
        raise ApiError(403, "admin_disabled", "the admin API is off; set PRACTICA_PUSH_ADMIN_TOKEN to use it")
    given = bearer(request, "the admin token")
    if not hmac.compare_digest(given.encode(), ctx.settings.admin_token.reveal().encode()):
        raise ApiError(403, "forbidden", "wrong admin token", "authorization")


Admin = Annotated[None, Depends(admin)]
router = APIRouter(prefix="/api/v1/admin", tags=["admin"], responses=ERRORS)


@router.post("/ingest", summary="Read the configured feed now and queue notifications for what is new")
async def run_ingest(_: Admin, ctx: Ctx) -> dict[str, Any]:
    if not ctx.feed:
        raise ApiError(409, "no_feed", "no feed is configured: set PRACTICA_PUSH_FEED or serve --poll-feed")
    try:
        report = await asyncio.to_thread(ingest_source, ctx.store, ctx.feed, utcnow(), ctx.rules)
    except FeedError as exc:
        raise ApiError(502, "feed_error", str(exc)) from None
    return dataclasses.asdict(report)


@router.post("/send", summary="Deliver every notification that is due now")
async def run_send(_: Admin, ctx: Ctx) -> dict[str, Any]:
    assert ctx.sender is not None, "the app's lifespan starts the sender"
    try:
        report = await deliver(ctx.store, ctx.sender, utcnow())
    except SenderBusy as exc:
        raise ApiError(409, "sender_busy", str(exc)) from None
    return dataclasses.asdict(report)


@router.get("/stats", summary="Counts: subscriptions, outbox rows by state, last ingest")
def stats(_: Admin, ctx: Ctx) -> dict[str, Any]:
    found = ctx.store.feed_state()
    return {"subscriptions": ctx.store.count_subscriptions(), "outbox": ctx.store.outbox_counts(),
            "feed_ingested_at": found.ingested_at.isoformat() if found else None}
