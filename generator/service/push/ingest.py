"""Turn a feed into outbox rows: new items (ids never seen) become one batch, matched per subscriber."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from ..events import notices as events
from ..models import Feed, FeedItem, Subscription
from ..store.base import Store
from . import schedule
from .feed import read_feed
from .schedule import Rules, Slot


@dataclass(frozen=True)
class IngestReport:
    """What one ingest did. `batch` is None when the feed had nothing new."""

    items: int
    new: int
    batch: int | None
    initial: bool
    queued: int
    announced: int = 0  # devices queued an announcement about an event (new, changed, cancelled)

    def __str__(self) -> str:
        if self.initial:
            return f"first ingest: recorded {self.new} existing items without notifying anyone"
        events = f"; queued {self.announced} event announcements" if self.announced else ""
        if self.batch is None:
            return f"feed has {self.items} items, none new{events}"
        return (f"feed has {self.items} items, {self.new} new (batch {self.batch}); queued {self.queued} "
                f"notifications{events}")


def ingest(store: Store, feed: Feed, now: dt.datetime, rules: Rules) -> IngestReport:
    """Record the feed's new items as one batch and queue one row per matching subscriber, atomically.

    The first ingest into an empty store only records what exists, so subscribers are not flooded with
    the site's whole history. Events are stored and announced as `events.notices.sync` says. A crash
    mid-way rolls everything back; running again does the same work.
    """
    with store.transaction():
        seen = store.seen([item.id for item in feed.items])
        new = [item for item in feed.items if item.id not in seen]
        initial = not store.has_batches()
        store.save_feed_state(feed.state, now)
        store.set_experts([item for item in feed.items if item.id in seen])  # new items are written with theirs
        announced = events.sync(store, feed.events, feed.state, now, rules, initial)
        if not new and not initial:
            report = IngestReport(len(feed.items), 0, None, False, 0, announced)
        else:
            batch = store.add_batch(now, new, initial)
            queued = 0 if initial else sum(_queue(store, sub, new, batch, now, rules) for sub in store.subscriptions())
            report = IngestReport(len(feed.items), len(new), batch, initial, queued, announced)
    return report


def _queue(store: Store, sub: Subscription, new: list[FeedItem], batch: int, now: dt.datetime, rules: Rules) -> int:
    """1 if the subscriber matched anything in the batch (and a row now holds it), else 0."""
    matched = [item.id for item in new if sub.preferences.matches(item)]
    if not matched:
        return 0
    slot = _within_cap(store, sub, schedule.plan(sub.preferences, now, batch, rules), rules)
    if store.queue(sub.id, slot.key, slot.due, matched, now) is None:
        # The shared row was claimed meanwhile (only with clocks out of step): this batch gets its own.
        store.queue(sub.id, f"batch:{batch}", max(slot.due, now), matched, now)
    return 1


def _within_cap(store: Store, sub: Subscription, slot: Slot, rules: Rules) -> Slot:
    """`slot`, or the first later day's digest slot that keeps the subscriber under the daily cap."""
    prefs = sub.preferences
    for _ in range(schedule.MAX_CAP_DAYS):
        if not rules.daily_cap or store.slot_open(sub.id, slot.key):
            return slot  # joining a row that is already planned adds no notification
        if store.count_planned(sub.id, *schedule.local_day(prefs, slot.due)) < rules.daily_cap:
            return slot
        slot = schedule.next_day(prefs, slot.due, rules)
    return slot


def ingest_source(store: Store, source: str, now: dt.datetime, rules: Rules) -> IngestReport:
    """Read and validate the feed at `source` (path or URL), then ingest it."""
    return ingest(store, read_feed(source), now, rules)
