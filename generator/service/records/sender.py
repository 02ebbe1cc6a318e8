"""Delivery of the statements outbox to the LRS: batches by POST, and when the LRS refuses a batch (all-or-nothing
in xAPI) its statements one by one by PUT ?statementId=, so a bad statement is kept aside with the LRS's answer
and does not hold back good ones. LRS down: the batch waits with backoff. Every request says
`X-Experience-API-Version: 1.0.3`; the Basic credentials never leave the service."""

from __future__ import annotations

import base64
import datetime as dt
import logging
from dataclasses import dataclass, field

import aiohttp

from ..config import XapiSettings
from ..models import QueuedStatement, utcnow
from ..store.base import Store

log = logging.getLogger("practica.records")
VERSION = "1.0.3"
BATCH = 50  # statements per POST
MAX_BACKOFF = 6 * 3600.0
ANSWER = 2000  # characters of an LRS's answer kept with a rejected statement
REFUSED = frozenset({400, 409, 413, 422})  # the LRS refuses the content: try each statement alone
DENIED = frozenset({401, 403})  # the LRS refuses us: wrong credentials or rights


@dataclass
class LrsState:
    """What the last delivery learnt about the LRS, for /api/v1/health: ok, unreachable or credentials_refused."""

    state: str = "unknown"
    detail: str = ""


@dataclass
class Delivered:
    sent: int = 0
    rejected: int = 0
    waiting: int = 0
    problems: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        return f"learning records: sent {self.sent}, rejected {self.rejected}, waiting {self.waiting}"


class Lrs:
    """An LRS's statements resource, over one aiohttp session."""

    def __init__(self, xapi: XapiSettings, session: aiohttp.ClientSession) -> None:
        password = xapi.password.reveal() if xapi.password else ""
        token = base64.b64encode(f"{xapi.username}:{password}".encode()).decode()
        self.url, self.session = xapi.endpoint + "statements", session
        self.headers = {"Authorization": f"Basic {token}", "X-Experience-API-Version": VERSION,
                        "Content-Type": "application/json"}

    async def post(self, bodies: list[str]) -> tuple[int, str]:
        return await self._send("POST", self.url, "[" + ",".join(bodies) + "]")

    async def put(self, statement: QueuedStatement) -> tuple[int, str]:
        return await self._send("PUT", self.url, statement.body, {"statementId": statement.statement_id})

    async def _send(self, method: str, url: str, data: str, params: dict[str, str] | None = None) -> tuple[int, str]:
        async with self.session.request(method, url, data=data.encode(), params=params, headers=self.headers,
                                        allow_redirects=False) as response:
            return response.status, (await response.text(errors="replace"))[:ANSWER]


async def deliver_statements(store: Store, xapi: XapiSettings, now: dt.datetime | None = None, *,
                             backoff: float = 30.0, timeout: float = 10.0, health: LrsState | None = None,
                             batch: int = BATCH) -> Delivered:
    """Send every due statement (in recording order, `batch` at a time) until the outbox is empty or the LRS stops
    taking them; what could not be sent waits with backoff."""
    report, health = Delivered(), health or LrsState()
    if not xapi.on:
        return report
    with store.sender_lock():  # SQLite: the only sender, so whatever is 'sending' was left by one that died
        store.requeue_statements()
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=timeout)) as session:
            lrs = Lrs(xapi, session)
            while claimed := store.claim_statements(now or utcnow(), batch):
                if not await _one_batch(store, lrs, claimed, report, health, backoff):
                    break
    return report


async def _one_batch(store: Store, lrs: Lrs, claimed: list[QueuedStatement], report: Delivered, health: LrsState,
                     backoff: float) -> bool:
    """Deliver one claimed batch; False if the LRS could not be used (the batch waits)."""
    try:
        status, answer = await lrs.post([c.body for c in claimed])
    except (aiohttp.ClientError, TimeoutError) as exc:
        return _wait(store, claimed, None, f"the LRS is unreachable: {exc or type(exc).__name__}", report, health,
                     backoff, "unreachable")
    if 200 <= status < 300:
        _finish(store, claimed, "sent", status, None, report)
        health.state, health.detail = "ok", ""
        return True
    if status in REFUSED:
        log.warning("the LRS refused a batch of %d statements (%d: %s); sending them one by one", len(claimed),
                    status, answer[:200])
        return await _one_by_one(store, lrs, claimed, report, health, backoff)
    return _denied_or_down(store, claimed, status, answer, report, health, backoff)


async def _one_by_one(store: Store, lrs: Lrs, claimed: list[QueuedStatement], report: Delivered, health: LrsState,
                      backoff: float) -> bool:
    for n, one in enumerate(claimed):
        try:
            status, answer = await lrs.put(one)
        except (aiohttp.ClientError, TimeoutError) as exc:
            return _wait(store, claimed[n:], None, f"the LRS is unreachable: {exc or type(exc).__name__}", report,
                         health, backoff, "unreachable")
        if 200 <= status < 300:
            _finish(store, [one], "sent", status, None, report)
        elif status in REFUSED:
            log.error("the LRS rejected statement %s (%d): %s; kept aside (`practica push xapi-rejected`)",
                      one.statement_id, status, answer[:200])
            _finish(store, [one], "rejected", status, answer, report)
        else:
            return _denied_or_down(store, claimed[n:], status, answer, report, health, backoff)
    health.state, health.detail = "ok", ""
    return True


def _denied_or_down(store: Store, claimed: list[QueuedStatement], status: int, answer: str, report: Delivered,
                    health: LrsState, backoff: float) -> bool:
    if status in DENIED:
        return _wait(store, claimed, status, f"the LRS refused the credentials ({status}): check "
                     "PRACTICA_XAPI_USERNAME and PRACTICA_XAPI_PASSWORD", report, health, backoff,
                     "credentials_refused")
    return _wait(store, claimed, status, f"the LRS answered {status}: {answer[:200]}", report, health, backoff,
                 "unreachable")


def _wait(store: Store, claimed: list[QueuedStatement], status: int | None, why: str, report: Delivered,
          health: LrsState, backoff: float, state: str) -> bool:
    now = utcnow()
    log.error("learning records: %s; %d statements wait", why, len(claimed))
    health.state, health.detail = state, why
    report.problems.append(why)
    for one in claimed:
        delay = min(backoff * 2 ** max(one.attempts - 1, 0), MAX_BACKOFF)
        store.finish_statements([one.id], "pending", status, why, now + dt.timedelta(seconds=delay), now)
    report.waiting += len(claimed)
    return False


def _finish(store: Store, claimed: list[QueuedStatement], state: str, status: int, answer: str | None,
            report: Delivered) -> None:
    store.finish_statements([c.id for c in claimed], state, status, answer, None, utcnow())
    if state == "sent":
        report.sent += len(claimed)
    else:
        report.rejected += len(claimed)

