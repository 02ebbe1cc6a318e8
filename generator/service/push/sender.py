"""Deliver the outbox: Web Push requests (`webpush.py`) over one shared aiohttp session, bounded concurrency.

Per row: 2xx → sent; 404/410 → the subscription is removed with its pending work; 429, 5xx and network
errors → retried with exponential backoff (or after Retry-After) until MAX_ATTEMPTS; other answers →
failed, the subscription kept. Redirects are never followed; the endpoint is re-checked before each send.
Payloads are frozen in the claim's transaction, before any request; results are committed in groups.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import email.utils
import logging
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import aiohttp

from ..config import ServiceSettings
from ..events.notices import queue_reminders
from ..models import UTC, Claim, FeedState, Finished, LockScreen, Subscription
from ..security import Allowlist, CheckedOrigins, Refused
from ..store.base import Store
from . import webpush
from .activity import queue_activity
from .notes import queue_followups
from .payload import activity_summary, encode, lock_screen, private_summary, summarise, tag_for, topic_for
from .schedule import Rules
from .vapid import VapidKey, VapidSigner

log = logging.getLogger("practica.push.sender")
MAX_BACKOFF = 6 * 3600.0
COMMIT_EVERY = 1.0  # seconds: finished rows wait at most about this long (or for a group) before being committed


@dataclass(frozen=True)
class Outcome:
    """How one push request ended: the HTTP status (None if no answer), Retry-After seconds, what went wrong."""

    status: int | None
    retry_after: float | None = None
    error: str | None = None
    refused: bool = False

    @property
    def verdict(self) -> str:
        """sent, gone, retry or fail."""
        if self.refused:
            return "fail"
        if self.status is None or self.status == 429 or self.status >= 500:
            return "retry"
        if 200 <= self.status < 300:
            return "sent"
        return "gone" if self.status in (404, 410) else "fail"


@dataclass
class Report:
    """Totals of one delivery run."""

    sent: int = 0
    retry: int = 0
    fail: int = 0
    gone: int = 0
    requeued: int = 0
    activity: int = 0  # conversation activity queued to devices in this run
    followups: int = 0  # commitments' follow-ups queued in this run
    mailed: int = 0  # reminder mails sent after it (`practica push send`)
    recorded: int = 0  # learning records sent to the LRS after it (`practica push send`)
    events: int = 0  # event reminders queued to devices in this run

    def __bool__(self) -> bool:
        return bool(self.sent or self.retry or self.fail or self.gone or self.requeued or self.activity
                    or self.events or self.followups)

    def __str__(self) -> str:
        text = (f"sent {self.sent}, will retry {self.retry}, failed {self.fail}, "
                f"removed {self.gone} expired subscriptions")
        text += f" (resent {self.requeued} left in flight by a stopped sender)" if self.requeued else ""
        text += f"; queued {self.activity} reminders of activity" if self.activity else ""
        text += f"; queued {self.events} event reminders" if self.events else ""
        text += f"; queued {self.followups} follow-ups of commitments" if self.followups else ""
        text += f"; mailed {self.mailed} reminders" if self.mailed else ""
        return text + (f"; sent {self.recorded} learning records" if self.recorded else "")


class Sender:
    """Sends push messages. Use as `async with Sender(...) as sender:` so the HTTP session is shared and closed."""

    def __init__(self, store: Store, signer: VapidSigner, allowlist: Allowlist, *, ttl: int = 86400,
                 concurrency: int = 32, timeout: float = 10, max_attempts: int = 5, backoff: float = 30,
                 lock_screen: LockScreen = "full", rules: Rules | None = None) -> None:
        self.store, self.signer, self.allowlist, self.lock_screen = store, signer, allowlist, lock_screen
        self.ttl, self.concurrency, self.max_attempts, self.backoff = ttl, concurrency, max_attempts, backoff
        self.timeout, self.origins = timeout, CheckedOrigins(allowlist)
        self.rules = rules or Rules()
        self._session: aiohttp.ClientSession | None = None
        self._slots: asyncio.Semaphore | None = None
        # The store's reads and writes of a delivery run (claims, payloads, outcomes) run in this one thread, off
        # the event loop, so pushes go on while the database answers; one thread, so never two at once.
        self._store_thread = ThreadPoolExecutor(1, thread_name_prefix="practica-sender-store")

    @classmethod
    def from_settings(cls, store: Store, settings: ServiceSettings) -> Sender:
        key, subject = settings.vapid()
        signer = VapidSigner(VapidKey.load(key), subject, settings.vapid_expiry)
        return cls(store, signer, Allowlist.build(settings.allow_hosts), ttl=settings.ttl,
                   concurrency=settings.concurrency, timeout=settings.timeout, max_attempts=settings.max_attempts,
                   backoff=settings.backoff, lock_screen=settings.lock_screen,
                   rules=Rules.of(settings))

    async def __aenter__(self) -> Sender:
        self._session = webpush.session(self.concurrency, self.timeout)
        self._slots = asyncio.Semaphore(self.concurrency)
        self._store_thread = ThreadPoolExecutor(1, thread_name_prefix="practica-sender-store")
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None
        self._store_thread.shutdown(wait=True)

    async def push(self, sub: Subscription, payload: str, topic: str, urgency: str = "normal") -> Outcome:
        """Encrypt and POST one message to the subscription's push service; never raises for HTTP trouble."""
        if self._session is None or self._slots is None:
            raise RuntimeError("use the Sender inside `async with`")
        try:
            aud = self.origins.origin(sub.endpoint)
        except Refused as exc:
            return Outcome(None, error=f"endpoint refused at send time: {exc}", refused=True)
        try:
            body = webpush.encrypt(payload.encode(), sub.p256dh, sub.auth)
        except webpush.Unencryptable as exc:
            return Outcome(None, error=_describe(exc, sub), refused=True)
        sent = webpush.headers(self.signer.for_origin(aud), self.ttl, urgency, topic)
        async with self._slots:
            try:
                status, retry_after = await webpush.post(self._session, sub.endpoint, body, sent)
            except (TimeoutError, aiohttp.ClientError, OSError) as exc:
                return Outcome(None, error=_describe(exc, sub))
        return Outcome(status, parse_retry_after(retry_after), None if 200 <= status < 300 else f"HTTP {status}")

    async def deliver_due(self, now: dt.datetime) -> Report:
        """Send every row due by `now` (the scheduling clock); retries fall due later, for a later run."""
        found = self.store.feed_state()
        state = found.state if found else FeedState("Practica", "https://invalid/", None, {}, {})
        report, queue = Report(), asyncio.Queue[tuple[Claim, Outcome | None] | None](maxsize=self.concurrency)
        done: list[tuple[Claim, Outcome]] = []
        committed = time.monotonic()

        loop = asyncio.get_running_loop()

        async def produce() -> None:
            while rows := await loop.run_in_executor(self._store_thread, self._claim, now, state):
                for claimed in rows:
                    await queue.put(claimed)
            for _ in range(self.concurrency):
                await queue.put(None)

        async def record() -> None:
            nonlocal committed
            batch = done[:]  # the rows finished so far; those finishing meanwhile wait for the next commit
            del done[:len(batch)]
            committed = time.monotonic()
            try:
                await loop.run_in_executor(self._store_thread, self._record, batch, now, report)
            except BaseException:
                done.extend(batch)  # not committed: recorded by the last attempt below, or resent after a crash
                raise

        async def work() -> None:
            while (claimed := await queue.get()) is not None:
                row, unbuilt = claimed
                done.append((row, unbuilt if unbuilt is not None else await self._deliver(row)))
                if len(done) >= self.concurrency or time.monotonic() - committed >= COMMIT_EVERY:
                    await record()

        try:
            async with asyncio.TaskGroup() as group:  # one failing task cancels the rest, none is left running
                group.create_task(produce())
                for _ in range(self.concurrency):
                    group.create_task(work())
        finally:
            # in the store thread too, after any write still running there (one thread: never two at once)
            await asyncio.shield(loop.run_in_executor(self._store_thread, self._record, done, now, report))
        return report

    def _claim(self, now: dt.datetime, state: FeedState) -> list[tuple[Claim, Outcome | None]]:
        """The next due rows, now 'sending', each payload built and stored (one statement) in the same
        transaction: committed before any request, so every attempt sends the same notification. A row whose
        payload cannot be built comes with the outcome to record instead."""
        # Not serialised with other writers: the claim locks its own rows (FOR UPDATE … SKIP LOCKED on PostgreSQL),
        # so several senders claim side by side (bench/BENCHMARKS.md, "Fan-out on PostgreSQL").
        with self.store.transaction(serialised=False):
            rows = self.store.claim(now, self.concurrency)
            claimed = [self._freeze(row, state) for row in rows]
            self.store.set_payloads([(frozen.id, frozen.payload) for row, (frozen, _) in zip(rows, claimed, strict=True)
                                     if row.payload is None and frozen.payload is not None])
        return claimed

    def _freeze(self, row: Claim, state: FeedState) -> tuple[Claim, Outcome | None]:
        if row.payload is not None:
            return row, None
        sub = row.subscription
        if not row.items and not row.activities:  # its posts were hidden or deleted before it was sent
            return row, Outcome(None, error="nothing left to tell: its posts were hidden or deleted", refused=True)
        private = lock_screen(sub.preferences.lock_screen, row.owner_lock_screen, self.lock_screen) == "private"
        try:
            if row.activities:
                built = activity_summary(row.activities, sub.preferences, state, tag_for(row.id), private)
            else:
                built = (private_summary if private else summarise)(row.items, sub.preferences, state, tag_for(row.id))
            payload = encode(built)
        except Exception as exc:  # a bug must not leave the row 'sending' forever; attempts bound the retries
            log.error("delivery %d to subscription %s failed unexpectedly: %s", row.id, sub.id, _describe(exc, sub))
            log.debug("traceback of that failure", exc_info=True)
            return row, Outcome(None, error=_describe(exc, sub))
        return Claim(row.id, sub, row.slot, row.attempts, payload, row.items, row.owner_lock_screen,
                     row.activities), None

    async def _deliver(self, row: Claim) -> Outcome:
        sub = row.subscription
        assert row.payload is not None
        try:
            urgency = "normal" if sub.preferences.frequency == "immediate" else "low"
            return await self.push(sub, row.payload, topic_for(row.id), urgency)
        except Exception as exc:  # as above: recorded as a failed attempt
            log.error("delivery %d to subscription %s failed unexpectedly: %s", row.id, sub.id, _describe(exc, sub))
            log.debug("traceback of that failure", exc_info=True)
            return Outcome(None, error=_describe(exc, sub))

    def _record(self, done: list[tuple[Claim, Outcome]], now: dt.datetime, report: Report) -> None:
        """Commit the outcomes of finished rows: one transaction, one statement for the sent rows of a group. Until
        then a row stays 'sending', so a crash before this commit resends it (the same payload, tag and Topic:
        shown once). A row this sender no longer holds (its lease ended and another sender took it back) is
        that sender's to record: its outcome here is dropped, not written over the other's."""
        if not done:
            return
        with self.store.transaction(serialised=False):  # the rows this sender claimed (and locks as it writes them)
            recorded = [(row, self._finish(row, outcome, now)) for row, outcome in done]
            written = self.store.record_outcomes([f for _, (_, f) in recorded if f is not None], now)
            self.store.renew_claims()  # still working on the rest of this run's claims
        done.clear()
        for row, (verdict, finished) in recorded:
            if finished is not None and row.id not in written:
                log.warning("delivery %d: its claim was taken over by another sender (lease ended); this sender's "
                            "outcome (%s) is not recorded", row.id, verdict)
                continue
            setattr(report, verdict, getattr(report, verdict) + 1)

    def _finish(self, row: Claim, outcome: Outcome, now: dt.datetime) -> tuple[str, Finished | None]:
        """The verdict on a row and what to record for it (None: its subscription is gone, and the row with it)."""
        verdict = outcome.verdict
        if verdict == "sent":
            return verdict, Finished(row.id, "sent", outcome.status or 201)
        sid = row.subscription.id
        if verdict == "retry" and row.attempts >= self.max_attempts:
            verdict = "fail"
        if verdict == "gone":
            dropped = self.store.delete_subscription(sid)
            log.info("subscription %s is gone (HTTP %s): removed with %d undelivered", sid, outcome.status, dropped)
            return verdict, None
        if verdict == "retry":
            due = now + dt.timedelta(seconds=retry_delay(row.attempts, outcome.retry_after, self.backoff))
            log.info("delivery %d to %s: %s; retrying at %s", row.id, sid, outcome.error, due.isoformat())
            return verdict, Finished(row.id, "pending", outcome.status, outcome.error or "", due)
        log.warning("delivery %d to %s failed after %d attempts: %s", row.id, sid, row.attempts, outcome.error)
        return verdict, Finished(row.id, "failed", outcome.status, outcome.error or "")


async def deliver(store: Store, sender: Sender, now: dt.datetime) -> Report:
    """One delivery run as the only sender: resend rows a dead sender left in flight, queue conversation activity
    to its recipients' devices and the event reminders now due, then send everything due. Finished rows are forgotten by
    `privacy.retention.purge` (PRACTICA_RETAIN_NOTIFICATIONS), not here."""
    with store.sender_lock():
        requeued = store.requeue_sending()
        activity = queue_activity(store, now, sender.rules)
        events = queue_reminders(store, now, sender.rules)
        followups = queue_followups(store, now, sender.rules, sender.lock_screen)
        report = await sender.deliver_due(now)
        report.requeued, report.activity, report.events, report.followups = requeued, activity, events, followups
    return report


def _describe(exc: BaseException, sub: Subscription) -> str:
    """An error as text for logs and the store, with the endpoint (a capability URL) replaced by its id."""
    return f"{type(exc).__name__}: {exc}".replace(sub.endpoint, f"<endpoint {sub.id}>")[:300]


def retry_delay(attempts: int, retry_after: float | None, backoff: float) -> float:
    """Seconds until the next attempt: what Retry-After asked for, else `backoff` doubled per attempt made."""
    delay = retry_after if retry_after is not None else backoff * 2 ** (attempts - 1)
    return min(max(delay, 1.0), MAX_BACKOFF)


def parse_retry_after(value: str | None) -> float | None:
    """Seconds from a Retry-After header (delay-seconds or an HTTP date), or None."""
    if not value:
        return None
    if value.strip().isdigit():
        return float(value.strip())
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, (when - dt.datetime.now(UTC)).total_seconds())
