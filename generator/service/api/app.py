"""The HTTP API under /api/v1 (FastAPI): VAPID key, subscriptions with preferences, test push, health; the
reader's own data, and conversations (threads, posts, moderation).

Changing, testing, reading or deleting a subscription needs `Authorization: Bearer <its auth secret>`:
only the browser that holds the subscription knows it. Every error has the shape in `apierrors`.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator

from fastapi import APIRouter, Depends, FastAPI, Request, Response

from ... import __version__
from ..config import ServiceSettings
from ..identity import modes as identity_modes
from ..models import FREQUENCIES, ITEM_TYPES, Preferences, Subscription, utcnow
from ..push.payload import encode, trial_notification
from ..push.schedule import Rules
from ..push.sender import Sender
from ..push.vapid import VapidKey, VapidSigner
from ..security import Allowlist, Refused, same_secret
from ..store.base import Store
from ..talk.photos import MAX_BYTES
from ..talk.policy import Talk
from .activity import router as activity_router
from .admin import router as admin_router
from .auth import router as auth_router
from .bodies import (
    Choice,
    Health,
    Options,
    PreferencesUpdate,
    PublicKey,
    SubscriptionBody,
    SubscriptionView,
    TrialResult,
)
from .context import ERRORS, Context, Ctx, Held
from .docs import ASSETS, add_docs
from .errors import ApiError, ErrorBody, install
from .events import router as events_router
from .feedback import router as feedback_router
from .guards import BodyLimit, Cors, RateLimiter, client_address
from .headers import SecurityHeaders
from .introductions import PHOTO_PATH, PHOTOS
from .introductions import router as introductions_router
from .learning import router as learning_router
from .me import router as me_router
from .moderation import router as moderation_router
from .poller import poll_forever
from .posts import router as posts_router
from .questions import router as questions_router
from .records import router as records_router
from .threads import router as threads_router

log = logging.getLogger("practica.push.api")
TALK_MAX_BODY = 65536
router = APIRouter(prefix="/api/v1", responses=ERRORS)


async def rate_limited(request: Request, ctx: Ctx) -> None:
    ctx.limiter.check(client_address(request.scope, ctx.settings.trusted_proxies))


@router.get("/vapid-public-key", response_model=PublicKey, summary="The key browsers subscribe with")
def public_key(ctx: Ctx) -> PublicKey:
    return PublicKey(public_key=ctx.key.public_key)


@router.get("/health", response_model=Health, summary="Is the service up, can it store, has it read the feed?",
            responses={503: {"model": ErrorBody, "description": "The database cannot be written"}})
def health(ctx: Ctx) -> Health:  # not async: FastAPI runs it in a worker thread, so a slow database blocks no one
    problem = ctx.store.write_problem()  # a store that only reads would lose every subscription: not healthy
    if problem is not None:
        log.error("health: the database cannot be written: %s", problem)
        raise ApiError(503, "database_unwritable", "the service cannot write to its database; its log says why")
    found = ctx.store.feed_state()
    lrs = ctx.lrs.state if ctx.settings.xapi.on else None
    if lrs == "credentials_refused":
        log.error("health: %s", ctx.lrs.detail)
    return Health(status="ok", version=__version__, feed_ingested_at=found.ingested_at.isoformat() if found else None,
                  learning_records=lrs, learning_records_problem=ctx.lrs.detail or None if lrs else None)


@router.get("/options", response_model=Options, summary="Topics, people, types and frequencies one can follow")
def options(ctx: Ctx) -> Options:
    found = ctx.store.feed_state()
    refs = (found.state.topics, found.state.people) if found else ({}, {})
    return Options(topics=[Choice(id=r.id, name=r.name, url=r.url) for r in refs[0].values()],
                   people=[Choice(id=r.id, name=r.name, url=r.url) for r in refs[1].values()],
                   types=list(ITEM_TYPES), frequencies=list(FREQUENCIES))


@router.post("/subscriptions", response_model=SubscriptionView, status_code=201,
             dependencies=[Depends(rate_limited)], summary="Subscribe, or update a subscription you hold",
             responses={200: {"model": SubscriptionView, "description": "Updated an existing subscription"}})
def subscribe(body: SubscriptionBody, response: Response, ctx: Ctx) -> SubscriptionView:
    try:
        endpoint = ctx.allowlist.check(body.endpoint)
    except Refused as exc:
        raise ApiError(422, exc.code, str(exc), "endpoint") from None
    prefs = check_follows(body.preferences.value(), ctx)
    now = utcnow()
    sub = Subscription(endpoint, body.keys.p256dh, body.keys.auth, prefs, now, now)
    existing = ctx.store.get_subscription(sub.id)
    if existing is not None:
        if not same_secret(body.keys.auth, existing.auth):
            raise ApiError(403, "auth_mismatch", "this endpoint is subscribed with another auth secret", "keys.auth")
        sub = Subscription(endpoint, sub.p256dh, sub.auth, prefs, existing.created_at, now)
    created = ctx.store.save_subscription(sub)
    response.status_code = 201 if created else 200
    log.info("subscription %s %s", sub.id, "created" if created else "updated")
    return SubscriptionView.of(sub)


@router.get("/subscriptions/{sid}", response_model=SubscriptionView, summary="Read your subscription's preferences")
def read(sub: Held) -> SubscriptionView:
    return SubscriptionView.of(sub)


@router.put("/subscriptions/{sid}", response_model=SubscriptionView, dependencies=[Depends(rate_limited)],
            summary="Change your subscription's preferences")
def update(body: PreferencesUpdate, sub: Held, ctx: Ctx) -> SubscriptionView:
    prefs = check_follows(body.preferences.value(), ctx)
    changed = Subscription(sub.endpoint, sub.p256dh, sub.auth, prefs, sub.created_at, utcnow())
    ctx.store.save_subscription(changed)
    log.info("subscription %s updated", sub.id)
    return SubscriptionView.of(changed)


@router.delete("/subscriptions/{sid}", status_code=204, summary="Unsubscribe (pending notifications are dropped)")
def unsubscribe(sub: Held, ctx: Ctx) -> Response:
    ctx.store.delete_subscription(sub.id)
    log.info("subscription %s deleted by its holder", sub.id)
    return Response(status_code=204)


@router.post("/subscriptions/{sid}/test", response_model=TrialResult, dependencies=[Depends(rate_limited)],
             summary="Send a test notification to your subscription now",
             responses={410: {"model": ErrorBody, "description": "The push service says it expired"},
                        502: {"model": ErrorBody, "description": "The push service refused or failed"}})
async def send_test(sub: Held, ctx: Ctx) -> TrialResult:
    assert ctx.sender is not None, "the app's lifespan starts the sender"
    found = ctx.store.feed_state()
    payload = encode(trial_notification(found.state if found else None, "practica-test"))
    outcome = await ctx.sender.push(sub, payload, topic="practica-test")
    if outcome.verdict == "sent":
        return TrialResult(status="sent", push_status=outcome.status or 201)
    if outcome.verdict == "gone":
        ctx.store.delete_subscription(sub.id)
        raise ApiError(410, "subscription_gone", "the push service says this subscription expired; it was removed, "
                       "so subscribe again")
    raise ApiError(502, "push_failed", f"the push service did not accept the test: {outcome.error}")


def check_follows(prefs: Preferences, ctx: Ctx) -> Preferences:
    """`prefs`, if every topic and person it follows is in the last feed the service read; else 422."""
    found = ctx.store.feed_state()
    for field, ids, kind in (("topics", prefs.topics, "topic"), ("people", prefs.people, "person")):
        known = getattr(found.state, field) if found else {}
        for n, ref in enumerate(ids):
            if ref not in known:
                why = f"there is no {kind} {ref!r} on the site" if found else \
                    f"the service has not read the site's feed yet, so it cannot check {kind} {ref!r}"
                raise ApiError(422, f"unknown_{kind}", why, f"preferences.{field}[{n}]")
    return prefs


def create_app(settings: ServiceSettings, store: Store, *, feed: str | None = None, poll_every: float | None = None
               ) -> FastAPI:
    """The ASGI app. With `poll_every`, it also polls `feed` (if any) and delivers what is due, every so often."""
    key_setting, subject = settings.vapid()
    key = VapidKey.load(key_setting)
    ctx = Context(settings, store, key, subject, Allowlist.build(settings.allow_hosts),
                  RateLimiter(*settings.rate_limit), RateLimiter(*settings.feedback_rate_limit),
                  Rules.of(settings),
                  identity_modes.for_settings(settings.auth), Talk(store, settings.talk), feed or settings.feed)

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        signer = VapidSigner(key, subject, settings.vapid_expiry)
        store.claim_lease = settings.claim_lease
        async with Sender(store, signer, ctx.allowlist, ttl=settings.ttl, concurrency=settings.concurrency,
                          timeout=settings.timeout, max_attempts=settings.max_attempts,
                          backoff=settings.backoff, lock_screen=settings.lock_screen, rules=ctx.rules) as sender:
            ctx.sender = sender
            task = None
            if poll_every:
                task = asyncio.create_task(poll_forever(ctx, poll_every))
            try:
                yield
            finally:
                if task:
                    task.cancel()
                    with contextlib.suppress(asyncio.CancelledError):
                        await task
                    # Stopping: what this instance claimed and did not finish goes back for another sender now,
                    # not when its lease ends (a row in flight may then be sent twice: the same payload and
                    # tag, so it is shown once).
                    released = store.release()
                    if released:
                        log.info("released %d unfinished claims for another sender", released)

    # docs_url=None: FastAPI's own docs page loads Swagger UI from a CDN; `docs.py` serves a local copy.
    app = FastAPI(title="Practica push service", version=__version__, lifespan=lifespan, redoc_url=None,
                  docs_url=None, openapi_url="/api/v1/openapi.json", description=__doc__)
    app.state.ctx = ctx
    install(app)
    app.include_router(router)
    app.include_router(auth_router)
    app.include_router(feedback_router)
    app.include_router(me_router)
    app.include_router(threads_router)
    app.include_router(questions_router)
    app.include_router(posts_router)
    app.include_router(moderation_router)
    app.include_router(admin_router)
    app.include_router(activity_router)
    app.include_router(introductions_router)
    app.include_router(learning_router)
    app.include_router(events_router)
    app.include_router(records_router)
    add_docs(app)
    # A post may have 10,000 characters (talk/markup.py): 64 KiB holds them JSON-encoded in any script.
    talk_body = max(settings.max_body, TALK_MAX_BODY)
    app.add_middleware(BodyLimit, limit=settings.max_body, wider={"/api/v1/threads": talk_body,
                                                                  "/api/v1/posts": talk_body,
                                                                  "/api/v1/questions": talk_body,
                                                                  PHOTO_PATH: max(settings.max_body, MAX_BYTES)})
    app.add_middleware(Cors, origins=settings.site_origins, trusted=settings.trusted_proxies,
                       headers=tuple(h for h in (ctx.identify.header,) if h and ctx.identify.mode == "demo"))
    # Outside even Starlette's ServerErrorMiddleware (which add_middleware cannot wrap), so a 500 has them too.
    build = app.build_middleware_stack
    app.build_middleware_stack = lambda: SecurityHeaders(build(), cacheable=(ASSETS, PHOTOS))  # type: ignore[method-assign]
    return app
