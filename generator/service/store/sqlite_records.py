"""Learning records on the SQLite file (and PostgreSQL, which runs the same SQL): the xAPI statements outbox,
mixed into `SqliteStore`. States: pending → sending → sent | rejected; sending → pending for a retry, or after a
crash (claims as the push outbox's: `claimed_by`, `claimed_until`)."""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from collections.abc import Sequence
from contextlib import AbstractContextManager
from typing import TYPE_CHECKING

from ..models import FeedItem, QueuedStatement, iso, parse_iso


class RecordsTables:
    """The learning-records half of the Store protocol."""

    if TYPE_CHECKING:
        @property
        def db(self) -> sqlite3.Connection: ...

        def transaction(self, serialised: bool = True) -> AbstractContextManager[None]: ...

        CLAIM_LOCK: str
        owner: str

        def _lease_end(self) -> dt.datetime: ...

        def _requeue(self, table: str) -> int: ...

    def feed_item(self, item_id: str) -> FeedItem | None:
        """The item of the feed with this id (what learning events may be about), or None if the site has none."""
        row = self.db.execute("SELECT id, type, url, title, summary, topics FROM items WHERE id = ?",
                              (item_id,)).fetchone()
        if row is None:
            return None
        return FeedItem(row["id"], row["type"], row["url"], row["title"], row["summary"],
                        tuple(json.loads(row["topics"])))

    def feed_items(self) -> list[FeedItem]:
        """Every ingested item (what learning figures are counted for), by id."""
        return [FeedItem(row["id"], row["type"], row["url"], row["title"], row["summary"],
                         tuple(json.loads(row["topics"])))
                for row in self.db.execute("SELECT id, type, url, title, summary, topics FROM items ORDER BY id")]

    def actor_key(self, subject: str) -> str | None:
        """The person's pseudonym (`people.pseudonym`): random, it stands for them in learning records at the
        `aggregate` level and goes with their row, after which nothing links the LRS's statements to them."""
        row = self.db.execute("SELECT pseudonym FROM people WHERE subject = ?", (subject,)).fetchone()
        return str(row[0]) if row else None

    def queue_statement(self, statement_id: str, subject: str, verb: str, obj: str, body: str,
                        at: dt.datetime) -> bool:
        """Put a statement in the outbox; False if one with this id is there already (a resend of the event)."""
        return self.db.execute(
            "INSERT INTO xapi_statements (statement_id, subject, verb, object, body, state, due_at, created_at, "
            "updated_at) VALUES (?, ?, ?, ?, ?, 'pending', ?, ?, ?) ON CONFLICT (statement_id) DO NOTHING",
            (statement_id, subject, verb, obj, body, iso(at), iso(at), iso(at))).rowcount > 0

    def claim_statements(self, now: dt.datetime, limit: int) -> list[QueuedStatement]:
        """Up to `limit` due pending statements in recording order, now 'sending' with one more attempt."""
        with self.transaction(serialised=False):
            rows = self.db.execute(
                "SELECT x.id, x.statement_id, x.body, x.attempts FROM xapi_statements x WHERE x.state = 'pending' "
                f"AND x.due_at <= ? ORDER BY x.due_at, x.id LIMIT ?{self.CLAIM_LOCK.format(table='x')}",
                (iso(now), limit)).fetchall()
            if not rows:
                return []
            ids = [row["id"] for row in rows]
            self.db.execute(f"UPDATE xapi_statements SET state = 'sending', attempts = attempts + 1, updated_at = ?, "
                            f"claimed_by = ?, claimed_until = ? WHERE id IN ({', '.join('?' for _ in ids)})",
                            (iso(now), self.owner, iso(self._lease_end()), *ids))
        return [QueuedStatement(row["id"], row["statement_id"], row["body"], row["attempts"] + 1) for row in rows]

    def finish_statements(self, ids: Sequence[int], state: str, status: int | None, error: str | None,
                          due: dt.datetime | None, at: dt.datetime) -> None:
        """'sent', 'rejected' (kept aside with the LRS's answer), or back to 'pending' until `due`."""
        if not ids:
            return
        self.db.execute(f"UPDATE xapi_statements SET state = ?, status = ?, error = ?, due_at = coalesce(?, due_at), "
                        f"updated_at = ?, claimed_by = NULL, claimed_until = NULL WHERE id IN "
                        f"({', '.join('?' for _ in ids)})",
                        (state, status, error, iso(due) if due else None, iso(at), *ids))

    def requeue_statements(self) -> int:
        """Statements left 'sending' by a sender that stopped: back to pending (see `_requeue`)."""
        return self._requeue("xapi_statements")

    def rejected_statements(self, limit: int = 100) -> list[tuple[str, str, str, int | None, str, dt.datetime]]:
        """(statement id, verb, object, LRS status, LRS answer, when) of statements the LRS refused, newest first."""
        rows = self.db.execute("SELECT statement_id, verb, object, status, error, updated_at FROM xapi_statements "
                               "WHERE state = 'rejected' ORDER BY updated_at DESC, id DESC LIMIT ?", (limit,))
        return [(r[0], r[1], r[2], r[3], r[4] or "", parse_iso(r[5])) for r in rows]

    def statement_counts(self) -> dict[str, int]:
        counts = {"pending": 0, "sending": 0, "sent": 0, "rejected": 0}
        counts.update(self.db.execute("SELECT state, count(*) FROM xapi_statements GROUP BY state").fetchall())
        return counts

    def learning_rows(self) -> list[tuple[str, str, str, str]]:
        """(verb, object, subject, body) of every statement not rejected, in recording order: the figures'
        source (`records.export`)."""
        return [(r[0], r[1], r[2], r[3]) for r in self.db.execute(
            "SELECT verb, object, subject, body FROM xapi_statements WHERE state <> 'rejected' ORDER BY id")]

    def statements_of(self, subject: str) -> list[tuple[str, str, str, dt.datetime]]:
        """A person's statements still kept here: (verb, object, state, when recorded), oldest first."""
        return [(r[0], r[1], r[2], parse_iso(r[3])) for r in self.db.execute(
            "SELECT verb, object, state, created_at FROM xapi_statements WHERE subject = ? ORDER BY id", (subject,))]

    def prune_statements(self, before: dt.datetime) -> int:
        return self.db.execute("DELETE FROM xapi_statements WHERE state IN ('sent', 'rejected') AND updated_at < ?",
                               (iso(before),)).rowcount
