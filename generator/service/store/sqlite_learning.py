"""Learning that sticks on the SQLite file (issue 23): commitments awaiting their one follow-up, the follow-up
and thank-you notes in the outbox, and thanks; mixed into `SqliteStore` like `sqlite_talk.py`."""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from contextlib import AbstractContextManager
from typing import TYPE_CHECKING

from ..models import Commitment, FeedItem, iso, parse_iso


class LearningTables:
    """The commitments-and-thanks half of the Store protocol."""

    if TYPE_CHECKING:
        @property
        def db(self) -> sqlite3.Connection: ...

        def transaction(self) -> AbstractContextManager[None]: ...

    def learning_item(self, item_id: str) -> FeedItem | None:
        """An ingested item (its title, page and people), or None if the service never ingested it."""
        row = self.db.execute("SELECT id, type, url, title, people FROM items WHERE id = ?", (item_id,)).fetchone()
        return FeedItem(row["id"], row["type"], row["url"], row["title"], people=tuple(json.loads(row["people"]))
                        ) if row else None

    def commitment(self, cid: str) -> Commitment | None:
        row = self.db.execute("SELECT * FROM commitments WHERE id = ?", (cid,)).fetchone()
        return _commitment(row) if row else None

    def save_commitment(self, c: Commitment) -> None:
        """Insert, or move the day of a commitment whose follow-up was not queued yet."""
        self.db.execute(
            "INSERT INTO commitments (id, subscription_id, subject, item, due_at, created_at) "
            "VALUES (?, ?, ?, ?, ?, ?) "
            "ON CONFLICT (id) DO UPDATE SET due_at = excluded.due_at WHERE commitments.queued_at IS NULL",
            (c.id, c.subscription, c.subject, c.item, iso(c.due_at), iso(c.created_at)))

    def delete_commitment(self, cid: str) -> bool:
        return self.db.execute("DELETE FROM commitments WHERE id = ?", (cid,)).rowcount > 0

    def commitments_of(self, *, subject: str | None = None, subscription: str | None = None) -> list[Commitment]:
        """A person's commitments, or one device's, by due time."""
        column, value = ("subject", subject) if subject is not None else ("subscription_id", subscription)
        rows = self.db.execute(f"SELECT * FROM commitments WHERE {column} = ? ORDER BY due_at, id", (value,))
        return [_commitment(row) for row in rows.fetchall()]

    def due_commitments(self, now: dt.datetime, limit: int) -> list[Commitment]:
        rows = self.db.execute("SELECT * FROM commitments WHERE queued_at IS NULL AND due_at <= ? "
                               "ORDER BY due_at, id LIMIT ?", (iso(now), limit))
        return [_commitment(row) for row in rows.fetchall()]

    def set_queued(self, cid: str, at: dt.datetime) -> bool:
        """Mark the follow-up queued; False if it already was (another sender got there first)."""
        return self.db.execute("UPDATE commitments SET queued_at = ? WHERE id = ? AND queued_at IS NULL",
                               (iso(at), cid)).rowcount > 0

    def prune_commitments(self, before: dt.datetime) -> int:
        """Forget commitments whose follow-up was queued before `before`."""
        return self.db.execute("DELETE FROM commitments WHERE queued_at < ?", (iso(before),)).rowcount

    def add_thanks(self, subject: str, item: str, at: dt.datetime) -> bool:
        """Record the reader's thanks for the item; False if they had thanked for it already."""
        return self.db.execute("INSERT INTO thanks VALUES (?, ?, ?) ON CONFLICT (subject, item) DO NOTHING",
                               (subject, item, iso(at))).rowcount > 0

    def thanks_counts(self) -> dict[str, int]:
        """How many readers thanked for each item thanked at all."""
        rows = self.db.execute("SELECT item, count(*) FROM thanks GROUP BY item ORDER BY item")
        return {row[0]: int(row[1]) for row in rows.fetchall()}

    def thanked_items(self) -> list[tuple[str, int, tuple[str, ...]]]:
        """(item, how many thanked for it, its people) of every thanked item, in one query."""
        rows = self.db.execute("SELECT t.item, count(*) AS n, i.people FROM thanks t "
                               "LEFT JOIN items i ON i.id = t.item GROUP BY t.item, i.people ORDER BY t.item")
        return [(row[0], int(row[1]), tuple(json.loads(row[2])) if row[2] else ()) for row in rows.fetchall()]

    def thanks_by(self, subject: str) -> list[tuple[str, str]]:
        """(item, created_at) of the reader's thanks."""
        rows = self.db.execute("SELECT item, created_at FROM thanks WHERE subject = ? ORDER BY created_at, item",
                               (subject,))
        return [(row[0], row[1]) for row in rows.fetchall()]


def _commitment(row: sqlite3.Row) -> Commitment:
    return Commitment(row["id"], row["subscription_id"], row["subject"], row["item"], parse_iso(row["due_at"]),
                      parse_iso(row["created_at"]), parse_iso(row["queued_at"]) if row["queued_at"] else None)
