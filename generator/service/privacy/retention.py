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

    def __bool__(self) -> bool:
        return bool(self.notifications or self.feedback or self.people)

    def __str__(self) -> str:
        return (f"purged {_count(self.notifications, 'finished notification')}, "
                f"{_count(self.feedback, 'feedback vote')} and {_count(self.people, 'person', 'people')} not seen "
                f"for long (with {_count(self.devices, 'linked device')})")


def _count(n: int, one: str, many: str | None = None) -> str:
    return f"{n} {one if n == 1 else many or one + 's'}"


def purge(store: Store, now: dt.datetime, settings: ServiceSettings) -> Purged:
    """Delete what has outlived its retention at `now`: finished outbox rows, feedback, people not seen."""
    keep = settings.retention
    notifications = store.prune(now - keep.notifications)
    feedback = store.prune_feedback((now - keep.feedback).date())
    people = devices = 0
    for subject in store.people_seen_before((now - keep.people).date()):
        erased = erase(store, subject)
        if erased is not None:
            people, devices = people + 1, devices + erased.devices
    return Purged(notifications, feedback, people, devices)
