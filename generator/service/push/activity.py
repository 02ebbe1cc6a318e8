"""Activity into the outbox: each activity not yet queued goes, in one transaction with marking it queued, to every
device linked to its recipient, at the time that device's quiet hours, frequency and daily cap allow. The rows
are ordinary outbox rows (their links in `outbox_activity`), so the sender's guarantee holds for them too."""

from __future__ import annotations

import datetime as dt

from ..models import Activity, Subscription
from ..store.base import Store
from . import schedule
from .schedule import Rules, Slot

BATCH = 500


def queue_activity(store: Store, now: dt.datetime, rules: Rules) -> int:
    """Queue every activity not queued yet; how many outbox links were made."""
    queued = 0
    while found := store.unpushed(BATCH):
        with store.transaction():
            for activity in found:
                queued += sum(_queue(store, sub, activity, now, rules) for sub in store.owned_subscriptions(
                    activity.subject))
                store.set_pushed(activity.id, now)
    return queued


def _queue(store: Store, sub: Subscription, activity: Activity, now: dt.datetime, rules: Rules) -> int:
    slot = _within_cap(store, sub, plan(sub, activity, now, rules), rules)
    if store.queue_activity(sub.id, slot.key, slot.due, activity.id, now) is None:
        store.queue_activity(sub.id, f"activity:{activity.id}", max(slot.due, now), activity.id, now)
    return 1


def plan(sub: Subscription, activity: Activity, now: dt.datetime, rules: Rules) -> Slot:
    """Now in its own row, or a shared activity row after quiet hours or at the device's digest time."""
    prefs = sub.preferences
    if prefs.frequency == "immediate":
        due = schedule.after_quiet(prefs, now)
        return Slot(f"activity:{activity.id}", now) if due == now else _shared(schedule.at(due))
    return _shared(schedule.at(schedule.next_digest(prefs, now, rules)))


def _shared(slot: Slot) -> Slot:
    """Delayed activity shares a row with other activity, never with items (each row says one kind of thing)."""
    return Slot(f"activity-{slot.key}", slot.due)


def _within_cap(store: Store, sub: Subscription, slot: Slot, rules: Rules) -> Slot:
    """`slot`, or the first later day's digest slot that keeps the device under the daily cap."""
    prefs = sub.preferences
    for _ in range(schedule.MAX_CAP_DAYS):
        if not rules.daily_cap or store.slot_open(sub.id, slot.key):
            return slot
        if store.count_planned(sub.id, *schedule.local_day(prefs, slot.due)) < rules.daily_cap:
            return slot
        slot = _shared(schedule.next_day(prefs, slot.due, rules))
    return slot
