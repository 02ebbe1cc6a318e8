"""The retention purge (PRACTICA_RETAIN_*): what is older than its kind's limit is deleted. serve's loop runs it
(at most hourly), and `practica push purge` runs it from cron; `now` is a parameter, so tests move the clock."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from ..config import ServiceSettings
from ..store.base import Store
from .people import erase


@dataclass(frozen=True)
class Purged:
    """What one purge deleted."""

    notifications: int = 0
    feedback: int = 0
    people: int = 0
    devices: int = 0
    threads: int = 0
    moderation: int = 0
    flags: int = 0
    activity: int = 0
    rsvps: int = 0
    attendance: int = 0
    commitments: int = 0

    def __bool__(self) -> bool:
        return bool(self.notifications or self.feedback or self.people or self.threads or self.moderation
                    or self.flags or self.activity or self.rsvps or self.attendance or self.commitments)

    def __str__(self) -> str:
        text = (f"purged {_count(self.notifications, 'finished notification')}, "
                f"{_count(self.feedback, 'feedback vote')} and {_count(self.people, 'person', 'people')} not seen "
                f"for long (with {_count(self.devices, 'linked device')})")
        if self.threads or self.moderation or self.flags:
            entries = _count(self.moderation, "moderation log entry", "moderation log entries")
            text += f"; {_count(self.threads, 'quiet thread')}, {entries} and {_count(self.flags, 'resolved flag')}"
        if self.activity:
            text += f"; {_count(self.activity, 'old reminder')}"
        if self.rsvps or self.attendance:
            text += f"; {_count(self.rsvps, 'RSVP')} and {_count(self.attendance, 'check-in')} to past events"
        if self.commitments:
            text += f"; {_count(self.commitments, 'followed-up commitment')}"
        return text


def _count(n: int, one: str, many: str | None = None) -> str:
    return f"{n} {one if n == 1 else many or one + 's'}"


def purge(store: Store, now: dt.datetime, settings: ServiceSettings) -> Purged:
    """Delete what has outlived its retention at `now`: finished outbox rows, feedback, people not seen (erased
    as PRACTICA_ERASE_POSTS says), threads whose last post is old (with their posts, marks and flags), moderation
    log entries, resolved flags, old activity, RSVPs to dates long over, old check-ins, the ledger of event notices,
    commitments followed up long ago, and rate-limit windows that have ended."""
    keep = settings.retention
    notifications = store.prune(now - keep.notifications) + store.prune_mail(now - keep.notifications)
    feedback = store.prune_feedback((now - keep.feedback).date())
    people = devices = 0
    for subject in store.people_seen_before((now - keep.people).date()):
        erased = erase(store, subject, settings.talk.erase_posts)
        if erased is not None:
            people, devices = people + 1, devices + erased.devices
    threads = store.prune_threads(now - keep.posts)
    moderation = store.prune_log(now - keep.moderation)
    flags = store.prune_flags(now - keep.flags)
    activity = store.prune_activity(now - keep.activity)
    store.prune_statements(now - keep.records)  # learning records the LRS took or refused; it keeps its own
    rsvps = store.prune_rsvps(now - keep.rsvps)
    attendance = store.prune_attendance(now - keep.attendance)
    store.prune_notices(now - keep.notifications)
    commitments = store.prune_commitments(now - keep.activity)  # followed up: kept as long as reminders are
    store.prune_limits(now)
    return Purged(notifications, feedback, people, devices, threads, moderation, flags, activity, rsvps, attendance,
                  commitments)
