"""What every router of the API shares: the `Context` (settings, store, keys, guards, sender, conversations),
the `Ctx` dependency that hands it to a route, the error responses every route declares, `bearer()`, and
`Held`: a subscription whose holder proved it with its auth secret.

Routers import these from here, not from `api.py`, which assembles the app out of the routers."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Annotated, Any

from fastapi import Depends, Path, Request

from ..config import ServiceSettings
from ..identity.modes import Identify
from ..models import Subscription
from ..push.schedule import Rules
from ..push.sender import Sender
from ..push.vapid import VapidKey
from ..records.sender import LrsState
from ..security import Allowlist, same_secret
from ..store.base import Store
from ..talk.policy import Talk
from .errors import ApiError, ErrorBody
from .guards import RateLimiter

ERRORS: dict[int | str, dict[str, Any]] = {
    status: {"model": ErrorBody, "description": text} for status, text in {
        401: "No `Authorization: Bearer <auth secret>` header, or no or a bad identity",
        403: "Wrong auth secret or origin",
        404: "No such subscription or route", 413: "Body over the size limit", 422: "Invalid request",
        429: "Rate limited (see Retry-After)", 500: "Service failure"}.items()}
# Conversations' routes add these: a refusal because of the thread's or post's state, and no feed read yet.
TALK_ERRORS: dict[int | str, dict[str, Any]] = ERRORS | {
    status: {"model": ErrorBody, "description": text} for status, text in {
        409: "The thread or post is in a state that refuses this (locked, hidden, deleted, not a question…)",
        503: "The service has not read the site's feed yet"}.items()}


@dataclass
class Context:
    """What the routes share: settings, store, keys and guards; the sender lives while the app runs."""

    settings: ServiceSettings
    store: Store
    key: VapidKey
    subject: str
    allowlist: Allowlist
    limiter: RateLimiter
    feedback_limiter: RateLimiter
    rules: Rules
    identify: Identify
    talk: Talk
    feed: str | None = None
    sender: Sender | None = None
    lrs: LrsState = field(default_factory=LrsState)  # what the last delivery of learning records found
    # learning-event reports (of up to 20 events) per signed-in reader per hour: a video sends a few a minute
    learning_limiter: RateLimiter = field(default_factory=lambda: RateLimiter(300, 3600.0))


# Routes and dependencies are all `async def`: FastAPI would run plain `def` ones in a thread pool, and the
# rate limiter and the event loop's store connection are meant for one thread.
async def context(request: Request) -> Context:
    ctx: Context = request.app.state.ctx
    return ctx


Ctx = Annotated[Context, Depends(context)]


def bearer(request: Request, what: str) -> str:
    """The token of `Authorization: Bearer <token>`, or 401."""
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise ApiError(401, "auth_required", f"send `Authorization: Bearer <{what}>`", "authorization")
    return token.strip()


SubscriptionId = Annotated[str, Path(pattern=r"^[A-Za-z0-9_-]{16}$", description="The id the create call returned.")]


async def held(sid: SubscriptionId, request: Request, ctx: Ctx) -> Subscription:
    """The subscription `sid`, if the caller proves they hold it by sending its auth secret: 401 without one,
    404 for an unknown id, 403 for a wrong secret."""
    given = bearer(request, "the subscription's keys.auth")
    sub = ctx.store.get_subscription(sid)
    if sub is None:
        raise ApiError(404, "subscription_not_found", "no subscription has this id (it may have expired); "
                       "subscribe again")
    if not same_secret(given, sub.auth):
        raise ApiError(403, "auth_mismatch", "the auth secret does not match this subscription", "authorization")
    return sub


Held = Annotated[Subscription, Depends(held)]
