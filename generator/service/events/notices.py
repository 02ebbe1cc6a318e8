"""What the service tells people about events, by push through the outbox, each notice exactly once:

- followers of an event's communities (or its hosts): one announcement when the event first appears in the feed,
  one when its times change (or dates are added), one when dates are cancelled (`sync`, run by each ingest, which
  compares the feed with what the store holds: a re-poll or a restart finds nothing new to say);
- people who RSVP'd: a reminder before each date (PRACTICA_EVENT_REMINDERS, e.g. a day and 15 minutes before;
  `queue_reminders`, run by each delivery run) and a notice when their date is cancelled.

Each notice is written to `event_notices` (its key says what and for whom) in the transaction that queues it, and
goes to each device in an outbox row of its own (slot `event:<key>`, unique per device) with its notification
written at once; quiet hours apply, and announcements count against the daily cap. Cancelled dates get no
reminders."""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
from collections.abc import Iterable

from ..models import Event, FeedState, Occurrence, Subscription, iso
from ..push import schedule
from ..push.payload import encode, lock_screen
from ..push.schedule import Rules
from ..store.base import Store


def sync(store: Store, events: Iterable[Event], state: FeedState, now: dt.datetime, rules: Rules,
         initial: bool) -> int:
    """Store the feed's events and queue what changed to the devices that hear of it; the number of devices
    queued. The first ingest into an empty store (`initial`) only records them, as it does items."""
    queued = 0
    for event in events:
        before = store.event(event.id)
        if before is not None and _same(before, event):
            continue  # nothing changed since the last poll: no write, nothing to tell
        store.save_event(event, now)
        if initial:
            continue
        for key, kind, dates in _changes(before, event, now):
            if store.note_notice(key, None, now):
                skip = set()
                if kind == "cancelled":
                    for occurrence in dates:
                        skip |= set(store.rsvp_subjects(occurrence.id))
                        queued += _notify_rsvps(store, event, occurrence, state, now, rules)
                queued += _announce(store, key, kind, event, dates, state, now, rules, skip)
    return queued


def _same(before: Event, event: Event) -> bool:
    """Whether the store holds the event as the feed lists it (its stored dates may include some the feed dropped)."""
    return (dataclasses.replace(before, occurrences=()) == dataclasses.replace(event, occurrences=())
            and set(event.occurrences) <= set(before.occurrences))


def _changes(before: Event | None, event: Event, now: dt.datetime) -> list[tuple[str, str, list[Occurrence]]]:
    """(ledger key, kind, the dates concerned) of what followers hear about: a new event, changed or added
    dates, cancelled dates; only dates that have not ended."""
    coming = [o for o in event.occurrences if o.end > now]
    scheduled = [o for o in coming if o.status == "scheduled"]
    if before is None:
        return [(f"new:{event.id}", "new", scheduled)] if scheduled else []
    old = {o.id: o for o in before.occurrences}
    moved = [o for o in scheduled if o.id not in old or (old[o.id].start, old[o.id].end) != (o.start, o.end)]
    cancelled = [o for o in coming if o.status == "cancelled" and (o.id not in old or old[o.id].status != "cancelled")]
    found = []
    if moved:
        found.append((f"changed:{event.id}:{_signature(moved)}", "changed", moved))
    if cancelled:
        found.append((f"cancelled:{event.id}:{_signature(cancelled)}", "cancelled", cancelled))
    return found


def _signature(dates: list[Occurrence]) -> str:
    text = ";".join(f"{o.id},{iso(o.start)},{iso(o.end)},{o.status}" for o in dates)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def _hears(sub: Subscription, event: Event) -> bool:
    prefs = sub.preferences
    return bool(set(prefs.topics) & set(event.topics) or set(prefs.people) & set(event.hosts))


def _announce(store: Store, key: str, kind: str, event: Event, dates: list[Occurrence], state: FeedState,
              now: dt.datetime, rules: Rules, skip: set[str]) -> int:
    queued = 0
    for sub in store.subscriptions():
        if not _hears(sub, event) or (sub.owner is not None and sub.owner in skip):
            continue
        payload = _payload(sub, store, rules, state, event, _announcement(kind, event, dates, sub), dates[0].url, key)
        due = _within_cap(store, sub, schedule.after_quiet(sub.preferences, now), rules)
        queued += store.queue_notice(sub.id, f"event:{key}", due, payload, now)
    return queued


def _announcement(kind: str, event: Event, dates: list[Occurrence], sub: Subscription) -> tuple[str, str]:
    when = when_text(dates[0], sub)
    more = f" (and {len(dates) - 1} more dates)" if len(dates) > 1 else ""
    if kind == "new":
        return f"New event: {event.title}", f"{when}{more}. {event.summary}".strip()
    if kind == "changed":
        return f"New time: {event.title}", f"Now {when}{more}."
    return f"Cancelled: {event.title}", f"{when}{more} is cancelled."


def _notify_rsvps(store: Store, event: Event, occurrence: Occurrence, state: FeedState, now: dt.datetime,
                  rules: Rules) -> int:
    """Tell everyone who RSVP'd to a now cancelled date."""
    queued = 0
    for subject in store.rsvp_subjects(occurrence.id):
        key = f"cancelled:{occurrence.id}:{subject}"
        if not store.note_notice(key, subject, now):
            continue
        for sub in store.owned_subscriptions(subject):
            text = (f"Cancelled: {event.title}", f"{when_text(occurrence, sub)}, which you joined, is cancelled.")
            payload = _payload(sub, store, rules, state, event, text, occurrence.url, key)
            queued += store.queue_notice(sub.id, f"event:{key}", schedule.after_quiet(sub.preferences, now), payload,
                                         now)
    return queued


def queue_reminders(store: Store, now: dt.datetime, rules: Rules) -> int:
    """Queue the reminders due by `now` to people who RSVP'd to scheduled dates; the number of devices queued.
    When several reminders of one date are due at once (an RSVP made late, a service that was down), only the
    nearest is sent."""
    if not rules.event_reminders:
        return 0
    found = store.feed_state()
    if found is None:
        return 0
    queued = 0
    with store.transaction():
        seen: dict[str, tuple[Event, Occurrence] | None] = {}
        for oid, subject in store.upcoming_rsvps(now, now + max(rules.event_reminders)):
            if oid not in seen:
                seen[oid] = store.occurrence(oid)
            known = seen[oid]
            if known is None:
                continue
            event, occurrence = known
            due = [offset for offset in rules.event_reminders if occurrence.start - offset <= now]
            if not due:
                continue
            keys = [f"remind:{oid}:{iso(occurrence.start)}:{int(o.total_seconds())}:{subject}" for o in due]
            if not store.note_notice(keys[-1], subject, now):  # the nearest one (the list is longest first)
                continue
            for key in keys[:-1]:  # the earlier ones have nothing left to say
                store.note_notice(key, subject, now)
            for sub in store.owned_subscriptions(subject):
                at = schedule.after_quiet(sub.preferences, now)
                if at >= occurrence.start:
                    continue  # quiet hours last past the start: a reminder then would come too late
                starts = f"Starts {_until(occurrence.start - now)}: {when_text(occurrence, sub)}."
                text = (f"Soon: {event.title}", starts)
                payload = _payload(sub, store, rules, found.state, event, text, occurrence.url, keys[-1])
                queued += store.queue_notice(sub.id, f"event:{keys[-1]}", at, payload, now)
    return queued


def when_text(occurrence: Occurrence, sub: Subscription) -> str:
    """The date's start in the device's time zone, e.g. `Tue 8 Dec, 12:00 (Europe/Berlin)`."""
    local = occurrence.start.astimezone(sub.preferences.zone)
    return f"{local:%a} {local.day} {local:%b}, {local:%H:%M} ({sub.preferences.timezone})"


def _until(delta: dt.timedelta) -> str:
    """`in 1 day`, `in 3 hours`, `in 14 minutes`: rounded, as the delivery run comes a little after the moment."""
    minutes = max(1, round(delta.total_seconds() / 60))
    for unit, size in (("day", 1440), ("hour", 60)):
        if minutes >= size - size // 48:  # 23 h 30 is "1 day", 59 minutes "1 hour"
            count = max(1, round(minutes / size))
            return f"in {count} {unit}{'s' if count != 1 else ''}"
    return f"in {minutes} minute{'s' if minutes != 1 else ''}"


def _payload(sub: Subscription, store: Store, rules: Rules, state: FeedState, event: Event, text: tuple[str, str],
             url: str, key: str) -> str:
    """The notification, as `push.payload` writes others: on a `private` lock screen only "Something new in
    <community>" under the site's title."""
    owner = store.person(sub.owner) if sub.owner else None
    title, body = text
    if lock_screen(sub.preferences.lock_screen, owner.lock_screen if owner else None, rules.lock_screen) == "private":
        community = next((state.topics[t].name for t in event.topics if t in state.topics), None)
        title, body = state.title, f"Something new in {community}" if community else "Something new"
    tag = "practica-event-" + hashlib.sha256(key.encode()).hexdigest()[:16]
    return encode({"title": title, "body": body, "url": url, "icon": state.icon, "tag": tag})


def _within_cap(store: Store, sub: Subscription, due: dt.datetime, rules: Rules) -> dt.datetime:
    """`due`, or the first later day's digest time that keeps the device under the daily cap."""
    prefs = sub.preferences
    for _ in range(schedule.MAX_CAP_DAYS):
        if not rules.daily_cap or store.count_planned(sub.id, *schedule.local_day(prefs, due)) < rules.daily_cap:
            return due
        due = schedule.next_day(prefs, due, rules).due
    return due
