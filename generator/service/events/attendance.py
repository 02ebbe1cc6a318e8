"""RSVP ("I'll join"), its undo, and check-in ("I'm here"). Every RSVP goes through `register`, every check-in
through `attend`: the one place each, where a learning record ("registered", "attended") would be added."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from ..models import Event, Occurrence
from ..store.base import Store
from ..talk.policy import TalkError

CHECK_IN_EARLY = dt.timedelta(minutes=15)  # "I'm here" opens this long before the start, and closes at the end


@dataclass(frozen=True)
class Found:
    """An occurrence the service knows from the feed, with its event."""

    event: Event
    occurrence: Occurrence


def find(store: Store, occurrence_id: str) -> Found:
    """The occurrence, or 404 `unknown_occurrence`."""
    found = store.occurrence(occurrence_id)
    if found is None:
        raise TalkError(404, "unknown_occurrence", "the service knows no event date with this id (it may not have "
                        "read the site's feed since the event was published)", "occurrence")
    return Found(*found)


def check_in_window(occurrence: Occurrence) -> tuple[dt.datetime, dt.datetime]:
    """When "I'm here" is accepted: from CHECK_IN_EARLY before the start to the end."""
    return occurrence.start - CHECK_IN_EARLY, occurrence.end


def open_for_rsvp(found: Found, now: dt.datetime) -> None:
    """409 unless the occurrence takes RSVPs: not cancelled, not over (checked before anything is kept)."""
    occurrence = found.occurrence
    if occurrence.status == "cancelled":
        raise TalkError(409, "event_cancelled", "this event date is cancelled: it takes no RSVPs", "occurrence")
    if occurrence.end <= now:
        raise TalkError(409, "event_over", "this event date is over: it takes no RSVPs", "occurrence")


def open_for_check_in(found: Found, now: dt.datetime) -> None:
    """409 unless "I'm here" is accepted now: a scheduled date, within its check-in window."""
    occurrence = found.occurrence
    if occurrence.status == "cancelled":
        raise TalkError(409, "event_cancelled", "this event date is cancelled: there is nothing to check in to",
                        "occurrence")
    opens, closes = check_in_window(occurrence)
    if not opens <= now < closes:
        when = "opens 15 minutes before the start" if now < opens else "closed when the event ended"
        raise TalkError(409, "check_in_closed", f"check-in {when}", "occurrence")


def register(store: Store, subject: str, found: Found, now: dt.datetime) -> bool:
    """The person's RSVP to the occurrence; True if it is new, False if they had one. 409 if it is cancelled,
    over, or full (the capacity is checked in the same statement that adds the RSVP: never overbooked)."""
    occurrence = found.occurrence
    open_for_rsvp(found, now)
    joined = store.add_rsvp(occurrence.id, subject, found.event.capacity, now)
    if joined == "full":
        raise TalkError(409, "event_full", f"all {found.event.capacity} places are taken; try again later, someone "
                        "may cancel", "occurrence")
    return joined == "joined"


def unregister(store: Store, subject: str, found: Found) -> bool:
    """Take back the person's RSVP ("I can't make it"); False if they had none."""
    return store.remove_rsvp(found.occurrence.id, subject)


def attend(store: Store, subject: str, found: Found, now: dt.datetime) -> bool:
    """Record that the person is there; True if new, False if they had checked in already. 409 outside the
    check-in window or for a cancelled date."""
    open_for_check_in(found, now)
    return store.check_in(found.occurrence.id, subject, now)
