"""The store interface the API, ingest and sender use; `backend.open_store` picks the backend.

SQLite (`sqlite.py`) is the default. A PostgreSQL backend implements the same Protocol: `claim` becomes
`UPDATE … WHERE id IN (SELECT … FOR UPDATE SKIP LOCKED)`, `sender_lock` a `pg_try_advisory_lock`, and
nothing above this module changes.

Outbox states: pending → sending → sent | failed; sending → pending (retry later, or requeued after a
crash); a subscription's deletion removes its rows, and a person's deletion their linked subscriptions. See
ARCHITECTURE.md, "The community service".
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager
from typing import Protocol

from ...errors import PracticaError
from ..models import Claim, Delivery, Erased, FeedItem, FeedState, IngestedFeed, Person, Subscription, Vote


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

    def set_owner(self, sid: str, subject: str | None) -> bool:
        """Link the subscription to a stored person (moving it from anyone else), or unlink it (None);
        False if there is no such subscription."""

    def owned_subscriptions(self, subject: str) -> list[Subscription]:
        """The subscriptions linked to this person, oldest first."""

    # People (ARCHITECTURE.md, "Personal data"; DATA.md)
    def person(self, subject: str) -> Person | None: ...

    def people_with_email(self, email: str) -> list[Person]:
        """Stored people whose email is `email` (ASCII case ignored): how an admin finds a leaver."""

    def save_person(self, person: Person) -> None:
        """Insert, or update everything but `pseudonym` and `created_at`."""

    def people_seen_before(self, day: dt.date) -> list[str]:
        """Subjects of the people last seen before `day`."""

    def delete_person(self, subject: str) -> Erased | None:
        """Erase the person with their linked subscriptions and those subscriptions' outbox rows, atomically;
        None if nobody has this subject."""

    def deliveries(self, sid: str) -> list[Delivery]:
        """The subscription's outbox rows (queued, in flight, sent or failed), by due time."""

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

    def prune_feedback(self, before: dt.date) -> int:
        """Forget votes (and their comments) given before `before`."""

