"""When a subscriber hears about new items: now, after their quiet hours, or at their digest time.

Pure functions of the preferences and an explicit `now` (UTC), so tests need no clock and no sleeping.
Local times are wall-clock times in the subscriber's zone; in a DST gap zoneinfo's fold=0 reading applies.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..models import UTC, LockScreen, Preferences, iso

if TYPE_CHECKING:
    from ..config import ServiceSettings

MAX_CAP_DAYS = 7


@dataclass(frozen=True)
class Rules:
    """Service-wide delivery rules (from settings): digest time and weekday, the daily cap (0: none), how long
    before an event its reminders go (PRACTICA_EVENT_REMINDERS), and the default lock screen."""

    digest_time: dt.time = dt.time(9, 0)
    digest_weekday: int = 0
    daily_cap: int = 3
    event_reminders: tuple[dt.timedelta, ...] = (dt.timedelta(days=1), dt.timedelta(minutes=15))
    lock_screen: LockScreen = "full"

    @classmethod
    def of(cls, settings: ServiceSettings) -> Rules:
        return cls(settings.digest_time, settings.digest_weekday, settings.daily_cap, settings.event_reminders,
                   settings.lock_screen)


@dataclass(frozen=True)
class Slot:
    """Where a match goes in the outbox: `key` is unique per subscriber, `due` when to deliver (UTC)."""

    key: str
    due: dt.datetime


def plan(prefs: Preferences, now: dt.datetime, batch_id: int, rules: Rules) -> Slot:
    """The slot for matches found at `now`: this batch's own row, or a shared row at a later time.

    Matches delayed to the same moment (quiet hours, a digest, the cap) share one row, so they become one
    notification rather than a burst when the moment comes.
    """
    if prefs.frequency == "immediate":
        due = after_quiet(prefs, now)
        return Slot(f"batch:{batch_id}", now) if due == now else at(due)
    return at(next_digest(prefs, now, rules))


def at(due: dt.datetime) -> Slot:
    """The shared slot for everything delivered at `due`."""
    return Slot(f"at:{iso(due)}", due)


def after_quiet(prefs: Preferences, moment: dt.datetime) -> dt.datetime:
    """`moment`, or the end of the quiet window it falls in."""
    quiet = prefs.quiet_hours
    if quiet is None:
        return moment
    local = moment.astimezone(prefs.zone)
    now = local.time().replace(tzinfo=None)
    if quiet.start < quiet.end:
        inside, end_day = quiet.start <= now < quiet.end, local.date()
    else:
        inside = now >= quiet.start or now < quiet.end
        end_day = local.date() + dt.timedelta(days=1 if now >= quiet.start else 0)
    return _utc(prefs, end_day, quiet.end) if inside else moment


def next_digest(prefs: Preferences, now: dt.datetime, rules: Rules) -> dt.datetime:
    """The subscriber's next daily or weekly digest time strictly after `now`, outside quiet hours."""
    local = now.astimezone(prefs.zone).date()
    step = 1 if prefs.frequency == "daily" else 7
    if prefs.frequency == "weekly":
        local += dt.timedelta(days=(rules.digest_weekday - local.weekday()) % 7)
    due = _utc(prefs, local, rules.digest_time)
    while due <= now:
        local += dt.timedelta(days=step)
        due = _utc(prefs, local, rules.digest_time)
    return after_quiet(prefs, due)


def next_day(prefs: Preferences, moment: dt.datetime, rules: Rules) -> Slot:
    """The shared slot at the digest time of the local day after `moment` (where over-cap matches go)."""
    tomorrow = moment.astimezone(prefs.zone).date() + dt.timedelta(days=1)
    return at(after_quiet(prefs, _utc(prefs, tomorrow, rules.digest_time)))


def local_day(prefs: Preferences, moment: dt.datetime) -> tuple[dt.datetime, dt.datetime]:
    """UTC bounds [start, end) of the subscriber's local calendar day containing `moment`."""
    day = moment.astimezone(prefs.zone).date()
    return _utc(prefs, day, dt.time(0)), _utc(prefs, day + dt.timedelta(days=1), dt.time(0))


def _utc(prefs: Preferences, day: dt.date, clock: dt.time) -> dt.datetime:
    return dt.datetime.combine(day, clock, tzinfo=prefs.zone).astimezone(UTC)
