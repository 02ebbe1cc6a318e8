"""Who is calling: the `Reader` and `SignedIn` dependencies every route that needs identity uses, and
GET /api/v1/auth, which tells the site how readers sign in here and who this one is."""

from __future__ import annotations

import asyncio
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel

from ..identity.principal import IdentityRefused, Principal
from ..models import utcnow
from ..privacy import people
from .context import ERRORS, Ctx
from .errors import ApiError
from .guards import is_trusted, socket_peer

router = APIRouter(prefix="/api/v1", responses=ERRORS)
SIGN_IN = {"none": "this service has no sign-in configured (PRACTICA_AUTH_MODE=none)",
           "demo": "choose a demo person first",
           "jwt": "sign in through your organisation's single sign-on, then reload the page",
           "header": "sign in through your organisation's single sign-on, then reload the page"}


async def reader(request: Request, ctx: Ctx) -> Principal | None:
    """The signed-in reader, None if the request carries no identity, or 401/503 if it carries a bad one."""
    if hasattr(request.state, "principal"):
        found: Principal | None = request.state.principal
        return found
    address = socket_peer(request.scope)
    # The store is read and written in a worker thread: a database across the network holds up no other request.
    state = await asyncio.to_thread(ctx.store.feed_state)
    try:
        principal = await ctx.identify(request.headers, address, is_trusted(address, ctx.settings.trusted_proxies),
                                       state.state.people if state else {})
    except IdentityRefused as exc:
        status = 503 if exc.code == "identity_unavailable" else 401
        raise ApiError(status, exc.code, str(exc), (ctx.identify.header or "").lower() or None) from None
    request.state.principal = principal
    if principal is not None:  # any signed-in call is "seen": retention counts from it
        await asyncio.to_thread(people.refresh, ctx.store, principal, utcnow())
    return principal


Reader = Annotated[Principal | None, Depends(reader)]


async def signed_in(ctx: Ctx, principal: Reader) -> Principal:
    """The signed-in reader, or 401 `sign_in_required` saying how to sign in."""
    if principal is None:
        raise ApiError(401, "sign_in_required", f"sign in first: {SIGN_IN[ctx.identify.mode]}")
    return principal


SignedIn = Annotated[Principal, Depends(signed_in)]


async def discussion_reader(ctx: Ctx, principal: Reader) -> Principal | None:
    """Who reads a discussion: anyone when PRACTICA_PUBLIC_DISCUSSIONS is true, else a signed-in reader (401)."""
    if principal is None and not ctx.settings.talk.public:
        raise ApiError(401, "sign_in_required", f"sign in to read discussions: {SIGN_IN[ctx.identify.mode]}")
    return principal


DiscussionReader = Annotated[Principal | None, Depends(discussion_reader)]


class ReaderView(BaseModel):
    name: str | None
    email: str | None
    person: str | None  # the site's person id, when the reader's email is a person's contact email
    demo: bool


class DemoPerson(BaseModel):
    id: str
    name: str


class AuthView(BaseModel):
    mode: str  # none, jwt, header or demo
    reader: ReaderView | None
    demo_people: list[DemoPerson]  # demo mode only: whom the reader may pick


@router.get("/auth", response_model=AuthView, summary="How readers sign in here, and who this one is")
def auth(ctx: Ctx, principal: Reader) -> AuthView:
    view = None if principal is None else ReaderView(name=principal.name, email=principal.email,
                                                       person=principal.person, demo=principal.demo)
    choices: list[DemoPerson] = []
    if ctx.identify.mode == "demo":
        state = ctx.store.feed_state()
        choices = [DemoPerson(id=r.id, name=r.name) for r in state.state.people.values()] if state else []
    return AuthView(mode=ctx.identify.mode, reader=view, demo_people=choices)
