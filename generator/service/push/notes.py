"""Notes written ahead into the outbox (issue 23): a commitment's one follow-up on its day ("How did '…' go?"),
and "a reader thanked you" to an item's authors. Each is a single outbox row per device, its payload written when
queued, at a time the device's quiet hours and daily cap allow; the outbox's UNIQUE (device, slot) and the
commitment's `queued_at`, set in the same transaction, make each one queued at most once."""

from __future__ import annotations

import datetime as dt
from urllib.parse import urljoin

from ..models import Commitment, FeedItem, FeedState, LockScreen, Preferences, Subscription
from ..store.base import Store
from . import schedule
from .payload import encode, lock_screen
from .schedule import Rules

BATCH = 500


def queue_followups(store: Store, now: dt.datetime, rules: Rules, default: LockScreen = "full") -> int:
    """Queue the follow-up of every commitment due by `now`; how many outbox rows were made."""
    found = store.feed_state()
    if found is None:
        return 0
    queued = 0
    while due := store.due_commitments(now, BATCH):
        with store.transaction():
            for commitment in due:
                if store.set_queued(commitment.id, now):
                    queued += _follow_up(store, commitment, found.state, now, rules, default)
    return queued


def due_time(day: dt.date, zone: dt.tzinfo, rules: Rules, prefs: Preferences | None = None) -> dt.datetime:
    """When a commitment for `day` is followed up: the digest time of that local day (after the device's quiet
    hours, if the commitment is one device's)."""
    moment = dt.datetime.combine(day, rules.digest_time, tzinfo=zone).astimezone(dt.UTC)
    return schedule.after_quiet(prefs, moment) if prefs else moment


def thank_author(store: Store, item: FeedItem, count: int, state: FeedState, now: dt.datetime, rules: Rules,
                 default: LockScreen = "full") -> int:
    """Tell the item's signed-in authors, on each of their devices, that a reader thanked them; how many rows."""
    queued = 0
    for subject in sorted(store.subjects_of(item.people)):
        for sub in store.owned_subscriptions(subject):
            private = _private(store, sub, default)
            payload = {"title": state.title if private else "A reader thanked you",
                       "body": "Someone thanked you for your work" if private else
                       f"Someone thanked you for “{item.title}”.",
                       "url": item.url, "icon": state.icon, "tag": f"practica-thanks-{_short(item.id)}"}
            queued += store.queue_notice(sub.id, f"thanks:{item.id}:{count}", _within_cap(store, sub, now, rules),
                                       encode(payload), now)
    return queued


def _follow_up(store: Store, c: Commitment, state: FeedState, now: dt.datetime, rules: Rules,
               default: LockScreen) -> int:
    item = store.learning_item(c.item)
    if item is None:
        return 0
    devices = [s for s in [store.get_subscription(c.subscription)] if s] if c.subscription else \
        store.owned_subscriptions(c.subject or "")
    queued = 0
    for sub in devices:
        private = _private(store, sub, default)
        payload = {"title": state.title if private else f"How did “{item.title}” go?",
                   "body": "A follow-up you asked for" if private else
                   "You planned to try it by today. Take a minute to note how it went.",
                   "url": urljoin(state.site_url, f"me/?reflect={c.id}"), "icon": state.icon,
                   "tag": f"practica-followup-{c.id}"}
        queued += store.queue_notice(sub.id, f"followup:{c.id}", _within_cap(store, sub, now, rules), encode(payload),
                                   now)
    return queued


def _within_cap(store: Store, sub: Subscription, now: dt.datetime, rules: Rules) -> dt.datetime:
    """Now, or after quiet hours, or the first later day's digest time that keeps the device under its cap."""
    prefs = sub.preferences
    due = schedule.after_quiet(prefs, now)
    for _ in range(schedule.MAX_CAP_DAYS):
        if not rules.daily_cap or store.count_planned(sub.id, *schedule.local_day(prefs, due)) < rules.daily_cap:
            return due
        due = schedule.next_day(prefs, due, rules).due
    return due


def _private(store: Store, sub: Subscription, default: LockScreen) -> bool:
    person = store.person(sub.owner) if sub.owner else None
    return lock_screen(sub.preferences.lock_screen, person.lock_screen if person else None, default) == "private"


def _short(item_id: str) -> str:
    return item_id.rsplit(":", 1)[-1][:60]
