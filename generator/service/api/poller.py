"""The loop inside `serve`: poll the feed, ingest, deliver what is due, purge what outlived its retention; so a
deployment needs no cron."""

from __future__ import annotations

import asyncio
import logging
import time

from ...errors import PracticaError
from ..mail.mailer import mail, mailer_for
from ..models import utcnow
from ..privacy.retention import purge
from ..push.ingest import ingest_source
from ..push.sender import deliver
from ..records.sender import deliver_statements
from ..store.base import SenderBusy
from .context import Context

log = logging.getLogger("practica.push.poller")
PURGE_EVERY = 3600.0  # seconds: retention is counted in days, so hourly keeps every limit to within the hour


async def poll_forever(ctx: Context, every: float) -> None:
    """Every `every` seconds read the feed (if one is set) and deliver; wake earlier when a retry or digest is due.
    With several instances on one database, only the one leading polling reads the feed (`Store.lead_polling`);
    every instance delivers, sharing the outbox.

    A feed, push service or database that is down is logged and tried again next round; the loop itself never
    stops. A database restart fails the run in progress (its claims stay 'sending' until their lease ends, then
    any run takes them back); the store's pool replaces the broken connections, so the next round works.
    """
    assert ctx.sender is not None
    mailer = mailer_for(ctx.settings.email, ctx.rules)
    next_poll = next_purge = 0.0
    while True:
        if ctx.feed and time.monotonic() >= next_poll and await asyncio.to_thread(ctx.store.lead_polling):
            next_poll = time.monotonic() + every
            try:
                found = await asyncio.to_thread(ingest_source, ctx.store, ctx.feed, utcnow(), ctx.rules)
                log.log(logging.INFO if found.batch or found.announced else logging.DEBUG, "%s", found)
            except PracticaError as exc:
                log.warning("could not ingest the feed (will try again in %.0f s): %s", every, exc)
            except Exception:  # the database went away mid-ingest (a restart): its transaction rolled back
                log.exception("ingesting the feed failed; trying again in %.0f s", every)
        try:
            report = await deliver(ctx.store, ctx.sender, utcnow())
            log.log(logging.INFO if report else logging.DEBUG, "%s", report)
        except SenderBusy as exc:
            log.info("%s", exc)
        except Exception:
            log.exception("a delivery run failed; trying again in %.0f s", every)
        if mailer is not None:
            try:
                queued, sent = await mail(ctx.store, mailer, utcnow())
                log.log(logging.INFO if queued or sent else logging.DEBUG, "mail: queued %d, sent %d", queued, sent)
            except SenderBusy as exc:
                log.info("%s", exc)
            except Exception:
                log.exception("a mail run failed; trying again in %.0f s", every)
        if ctx.settings.xapi.on:
            try:
                delivered = await deliver_statements(ctx.store, ctx.settings.xapi, backoff=ctx.settings.backoff,
                                                     timeout=ctx.settings.timeout, health=ctx.lrs)
                log.log(logging.INFO if delivered.sent or delivered.rejected else logging.DEBUG, "%s", delivered)
            except Exception:
                log.exception("a learning-records run failed; trying again in %.0f s", every)
        if time.monotonic() >= next_purge:
            next_purge = time.monotonic() + PURGE_EVERY
            await _purge(ctx)
        await asyncio.sleep(_pause(ctx, every, next_poll))


async def _purge(ctx: Context) -> None:
    try:
        purged = await asyncio.to_thread(purge, ctx.store, utcnow(), ctx.settings)
        log.log(logging.INFO if purged else logging.DEBUG, "%s", purged)
    except Exception:
        log.exception("the retention purge failed; trying again in %.0f s", PURGE_EVERY)


def _pause(ctx: Context, every: float, next_poll: float) -> float:
    """Seconds until the next round: the next poll, or sooner if an outbox row falls due first."""
    wait = max(next_poll - time.monotonic(), 1.0) if ctx.feed else every
    try:
        due = ctx.store.next_due()
    except Exception as exc:  # the database is unreachable: the next round tries it again (and logs a failure)
        log.warning("could not read when the next delivery is due (trying again in %.0f s): %s", wait, exc)
        return wait
    if due is not None:
        wait = min(wait, max((due - utcnow()).total_seconds(), 1.0))
    return wait
