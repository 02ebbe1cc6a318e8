"""The store interface the API, ingest and sender use; `backend.open_store` picks the backend.

SQLite (`sqlite.py`) is the default. A PostgreSQL backend implements the same Protocol: `claim` becomes
`UPDATE … WHERE id IN (SELECT … FOR UPDATE SKIP LOCKED)`, `sender_lock` a `pg_try_advisory_lock`, and
nothing above this module changes.

Outbox states: pending → sending → sent | failed; sending → pending (retry later, or requeued after a
crash); a subscription's deletion removes its rows. See ARCHITECTURE.md, "Push service".
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager
from typing import Protocol

from ...errors import PracticaError
from ..models import Claim, FeedItem, FeedState, IngestedFeed, Subscription, Vote


class SenderBusy(PracticaError):
    """Another process is delivering from this database right now."""


class UnusableDatabase(PracticaError):
    """The database file cannot be opened or is not an SQLite database (corrupt, truncated, not ours)."""


class Store(Protocol):
    """Subscriptions, the feed's history and the outbox. Methods outside `transaction()` commit on return."""

    def migrate(self) -> int:
        """Bring the schema up to date; return its version."""

    def transaction(self) -> AbstractContextManager[None]:
        """Group calls into one atomic unit (re-entrant); writers are serialised."""

    def close(self) -> None:
        """Release the database; afterwards its main file alone holds everything (a backup may copy it)."""

    def write_problem(self) -> str | None:
        """Why the store cannot write right now (e.g. a read-only file), or None if it can."""

    # Subscriptions
    def get_subscription(self, sid: str) -> Subscription | None: ...

    def save_subscription(self, sub: Subscription) -> bool:
        """Insert or update by endpoint; True if it was new."""

    def delete_subscription(self, sid: str) -> int:
        """Remove a subscription and its undelivered outbox rows; the number of rows removed (-1: none)."""

    def subscriptions(self) -> Iterator[Subscription]: ...

    def count_subscriptions(self) -> int: ...

    # The feed
    def feed_state(self) -> IngestedFeed | None:
        """What the last ingested feed said, and when it was ingested."""

    def save_feed_state(self, state: FeedState, at: dt.datetime) -> None: ...

    def has_batches(self) -> bool: ...

    def seen(self, item_ids: Sequence[str]) -> set[str]:
        """Which of these feed ids were ingested before."""

    def add_batch(self, at: dt.datetime, items: Sequence[FeedItem], initial: bool) -> int:
        """Record new items as one batch; its id."""

    # The outbox
    def slot_open(self, sid: str, slot: str) -> bool:
        """Whether the subscriber's row for `slot` exists and can still take items (pending, never tried)."""

    def count_planned(self, sid: str, start: dt.datetime, end: dt.datetime) -> int:
        """Outbox rows of the subscriber due in [start, end), whatever their state."""

    def queue(self, sid: str, slot: str, due: dt.datetime, item_ids: Sequence[str], at: dt.datetime) -> int | None:
        """Add items to the subscriber's row for `slot` (created if needed); None if that row is closed."""

    def claim(self, now: dt.datetime, limit: int) -> list[Claim]:
        """Up to `limit` pending rows due by `now`, now marked 'sending' with one more attempt counted."""

    def requeue_sending(self) -> int:
        """Rows left 'sending' by a sender that died: back to pending. Only call holding `sender_lock`."""

    def set_payload(self, row_id: int, payload: str) -> None:
        """Freeze what the row sends, so a resend after a crash is byte-for-byte the same notification."""

    def mark_sent(self, row_id: int, status: int, at: dt.datetime) -> None: ...

    def mark_retry(self, row_id: int, status: int | None, error: str, due: dt.datetime, at: dt.datetime) -> None:
        """Back to pending, due again at `due`."""

    def mark_failed(self, row_id: int, status: int | None, error: str, at: dt.datetime) -> None: ...

    def next_due(self) -> dt.datetime | None:
        """When the earliest pending row falls due."""

    def outbox_counts(self) -> dict[str, int]: ...

    def prune(self, before: dt.datetime) -> int:
        """Forget finished rows last touched before `before`."""

    def sender_lock(self) -> AbstractContextManager[None]:
        """Be the only sender on this database while inside; SenderBusy if another one is."""

    # Reader feedback
    def record_vote(self, vote: Vote) -> str:
        """Store a vote by its id: 'created'; 'commented' (a comment added to a vote that had none);
        'unchanged' (a resend); or 'conflict' (that id already holds another page or answer)."""

    def votes(self) -> Iterator[Vote]:
        """Every vote, oldest first."""

