"""The signed-in reader's own data (ARCHITECTURE.md, "Personal data"; DATA.md): what the service holds about
them (GET /api/v1/me), all of it as a file (GET /api/v1/me/export), erasure (DELETE /api/v1/me), their
lock-screen choice (PUT /api/v1/me/preferences), and linking a device to them (POST and DELETE
/api/v1/subscriptions/{id}/owner), so what is meant for them reaches all their devices.

Reading never creates a row: only linking a device or choosing a preference does. A device is held by whoever
holds its auth secret, so linking needs that secret as well as a signed-in reader, and moves a device linked to
someone else."""

from __future__ import annotations

import dataclasses
import logging

from fastapi import APIRouter, Depends, Request, Response
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from ..identity.principal import Principal
from ..models import EmailPref, LockScreen, utcnow
from ..privacy.export import FILENAME, PersonalData, holds, personal_data
from ..privacy.people import erase, refresh, remember
from .auth import SignedIn
from .context import ERRORS, Ctx, Held
from .guards import client_address

log = logging.getLogger("practica.push.api")
router = APIRouter(prefix="/api/v1", tags=["me"], responses=ERRORS)


class DeviceView(BaseModel):
    id: str = Field(description="The subscription's id.")
    created_at: str
    lock_screen: LockScreen | None = Field(description="This device's own choice; null: yours, else the default.")


class MeView(BaseModel):
    """Who you are signed in as, and what the service holds about you."""

    subject: str = Field(description="Your single sign-on's stable id for you.")
    email: str | None
    name: str | None
    person: str | None = Field(description="The site's person id whose contact email is yours, if any.")
    demo: bool = Field(description="A demo identity, picked rather than proven.")
    since: str | None = Field(description="The day the service first kept something for you (ISO date); null: "
                              "it keeps nothing.")
    lock_screen: LockScreen | None = Field(description="Your choice for all your devices; null: the default.")
    devices: list[DeviceView] = Field(description="Your devices linked for notifications.")
    holds: list[str] = Field(description="What is held about you, in short sentences; empty when nothing.")
    unread: int = Field(0, description="Unread activity for the bell (GET /api/v1/me/activity).")
    email_reminders: EmailPref = Field("off", description="Reminders by email (PUT /me/preferences `email`): off, "
                                       "replies (one mail per reply or mention) or digest (one a day).")
    email_available: bool = Field(False, description="Whether this service can send email at all.")
    posts: int = Field(0, description="How many of your posts the service holds (held and hidden ones too): "
                       "while it is 0, the site shows the community guidelines before your first post.")


class MePreferences(BaseModel):
    """Your choices, for all your devices."""

    model_config = ConfigDict(extra="forbid")
    lock_screen: LockScreen | None = Field(description="`full` (titles and names), `private` (\"Something new in "
                                           "…\" only) or null (the deployment's default).")
    email: EmailPref | None = Field(None, description="Reminders by email: off, replies or digest; absent: unchanged.")


class OwnerLinked(BaseModel):
    id: str = Field(description="The subscription's id.")
    owner_linked: bool


async def limited(request: Request, ctx: Ctx) -> None:
    ctx.limiter.check(client_address(request.scope, ctx.settings.trusted_proxies))


@router.get("/me", response_model=MeView, summary="Who you are signed in as, and what the service holds about you")
def me(ctx: Ctx, principal: SignedIn) -> MeView:
    return view(ctx, principal)  # the Reader dependency has already refreshed what is kept (seen today)


@router.get("/me/export", response_model=PersonalData, summary="Download everything the service holds about you",
            response_description=f"A JSON file ({FILENAME}): your row, your linked devices and their notifications")
def export(ctx: Ctx, principal: SignedIn) -> Response:
    data = personal_data(ctx.store, principal.subject, utcnow())
    return JSONResponse(data.model_dump(mode="json"),
                        headers={"Content-Disposition": f'attachment; filename="{FILENAME}"'})


@router.delete("/me", status_code=204, dependencies=[Depends(limited)],
               summary="Erase what the service holds about you (your row, linked devices and their notifications, "
               "marks and flags; your posts lose your name, or go, as the site chose)")
def erase_me(ctx: Ctx, principal: SignedIn) -> Response:
    erased = erase(ctx.store, principal.subject, ctx.settings.talk.erase_posts)
    if erased is not None:
        log.info("a reader erased their data: %s", erased)  # nothing that names them
    return Response(status_code=204)


@router.put("/me/preferences", response_model=MeView, dependencies=[Depends(limited)],
            summary="Choose what notifications show on your devices' lock screens")
def choose(body: MePreferences, ctx: Ctx, principal: SignedIn) -> MeView:
    now = utcnow()
    with ctx.store.transaction():
        found = refresh(ctx.store, principal, now)
        chosen = body.lock_screen is not None or body.email not in (None, "off")
        if found is not None or chosen:  # choosing the defaults for nobody keeps nothing
            person = found or remember(ctx.store, principal, now)
            ctx.store.save_person(dataclasses.replace(person, lock_screen=body.lock_screen,
                                                      email_pref=body.email or person.email_pref))
    return view(ctx, principal)


@router.post("/subscriptions/{sid}/owner", response_model=OwnerLinked, dependencies=[Depends(limited)],
             summary="Link this device's subscription to you (needs its auth secret and a sign-in)")
def link(principal: SignedIn, sub: Held, ctx: Ctx) -> OwnerLinked:
    with ctx.store.transaction():
        remember(ctx.store, principal, utcnow())
        ctx.store.set_owner(sub.id, principal.subject)
    log.info("subscription %s linked to a signed-in reader", sub.id)
    return OwnerLinked(id=sub.id, owner_linked=True)


@router.delete("/subscriptions/{sid}/owner", status_code=204, dependencies=[Depends(limited)],
               summary="Unlink this device's subscription from whoever it is linked to (needs its auth secret)")
def unlink(sub: Held, ctx: Ctx) -> Response:
    ctx.store.set_owner(sub.id, None)
    return Response(status_code=204)


def view(ctx: Ctx, principal: Principal) -> MeView:
    data = personal_data(ctx.store, principal.subject, utcnow())
    person = data.person
    return MeView(subject=principal.subject, email=principal.email, name=principal.name, person=principal.person,
                  demo=principal.demo, since=person.created_at[:10] if person else None,
                  lock_screen=person.lock_screen if person else None,
                  devices=[DeviceView(id=d.id, created_at=d.created_at, lock_screen=d.lock_screen)
                           for d in data.devices],
                  holds=holds(data), unread=ctx.store.unread(principal.subject),
                  email_reminders=person.email_pref if person else "off",
                  email_available=bool(ctx.settings.email.host), posts=len(data.posts))
