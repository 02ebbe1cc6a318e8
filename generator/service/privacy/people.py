"""A person's row: created only by an explicit action (linking a device, choosing a preference), refreshed when
they are seen, erased on request, by an admin or by the retention purge."""

from __future__ import annotations

import dataclasses
import datetime as dt

from ..identity.principal import Principal
from ..models import Erased, ErasePosts, Person, new_pseudonym
from ..store.base import Store


def refresh(store: Store, principal: Principal, now: dt.datetime) -> Person | None:
    """The stored person for `principal`, with email, name, person and the day last seen brought up to date
    (written only when one of them changed, so at most once a day for a reader who changes nothing); None if
    the service keeps nothing for them (reading never creates a row)."""
    found = store.person(principal.subject)
    if found is None:
        return None
    seen = dataclasses.replace(found, email=principal.email, name=principal.name, person=principal.person,
                               seen_on=max(found.seen_on, now.date()))
    if seen != found:
        store.save_person(seen)
    return seen


def remember(store: Store, principal: Principal, now: dt.datetime) -> Person:
    """The stored person for `principal`, created (with a new pseudonym) if there is none."""
    with store.transaction():
        found = refresh(store, principal, now)
        if found is None:
            found = Person(principal.subject, principal.email, principal.name, principal.person, new_pseudonym(),
                           now, now.date())
            store.save_person(found)
    return found


def erase(store: Store, subject: str, posts: ErasePosts = "anonymise") -> Erased | None:
    """Erase the person, their linked devices and those devices' notifications, their helpful marks, flags and
    rate-limit counts; their posts and moderation stay without their name, or (`posts="remove"`) their posts'
    text and their threads' titles go too, a post others replied to keeping its place. None if nothing was
    kept. Their pseudonym goes with their row, so learning records sent under it can no longer be tied to them."""
    return store.delete_person(subject, posts)
