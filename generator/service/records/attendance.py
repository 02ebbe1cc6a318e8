"""Events as learning records: an RSVP ("I'll join") is `registered`, a check-in ("I'm here") is `attended`, each
once per person and event date; the date's URL is the activity, its event's page the parent."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from ..config import XapiSettings
from ..identity.principal import Principal
from ..models import Event, Occurrence
from ..store.base import Store
from .record import record
from .statements import Target


def record_attendance(store: Store, xapi: XapiSettings, principal: Principal,
                      verb: Literal["registered", "attended"], event: Event, occurrence: Occurrence,
                      at: dt.datetime) -> str | None:
    """Record the RSVP or check-in; the statement's id, or None (off, or recorded before)."""
    page = Target(event.url, "event", event.title, event.summary)
    return record(store, xapi, principal, verb, Target(occurrence.url, "event", event.title, event.summary),
                  attempt=f"occurrence:{occurrence.id}", at=at, parents=(page,))
