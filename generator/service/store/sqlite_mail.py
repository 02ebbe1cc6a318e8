"""Reminders by email on the SQLite file: the `emails` outbox and its activity links, mixed into `SqliteStore`.
States as the push outbox's: pending → sending → sent | failed; sending → pending after a crash."""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Sequence
from contextlib import AbstractContextManager
from typing import TYPE_CHECKING

from ..models import Activity, Mail, iso
from .sqlite_activity import ACTIVITY, _activity


class MailTables:
    """The mail half of the Store protocol."""

    if TYPE_CHECKING:
        @property
        def db(self) -> sqlite3.Connection: ...

        def transaction(self) -> AbstractContextManager[None]: ...

        CLAIM_LOCK: str
        owner: str

        def _lease_end(self) -> dt.datetime: ...

        def _requeue(self, table: str) -> int: ...

    def unmailed(self, limit: int) -> list[tuple[Activity, str]]:
        """Activity not yet considered for mail, oldest first, with its recipient's email choice."""
        rows = self.db.execute(ACTIVITY.replace("SELECT a.*", "SELECT a.*, r.email_pref") +
                               "JOIN people r ON r.subject = a.subject WHERE a.mailed_at IS NULL ORDER BY a.id "
                               "LIMIT ?", (limit,))
        return [(_activity(row), row["email_pref"]) for row in rows]

    def queue_mail(self, aid: int, subject: str, slot: str, due: dt.datetime, at: dt.datetime) -> None:
        """Put an activity into the person's mail for `slot` (made if needed) and mark it considered."""
        self.db.execute("INSERT INTO emails (subject, slot, due_at, state, created_at, updated_at) VALUES "
                        "(?, ?, ?, 'pending', ?, ?) ON CONFLICT (subject, slot) DO NOTHING",
                        (subject, slot, iso(due), iso(at), iso(at)))
        row = self.db.execute("SELECT id FROM emails WHERE subject = ? AND slot = ? AND state = 'pending' AND "
                              "message IS NULL", (subject, slot)).fetchone()
        if row is not None:
            self.db.execute("INSERT INTO email_activity VALUES (?, ?) ON CONFLICT DO NOTHING", (row[0], aid))
        self.skip_mail(aid, at)

    def queue_written_mail(self, subject: str, slot: str, due: dt.datetime, message: str, at: dt.datetime) -> bool:
        """A mail already written (a thank-you) into the person's mail outbox; False if `slot` has one already."""
        return self.db.execute(
            "INSERT INTO emails (subject, slot, due_at, state, message, created_at, updated_at) VALUES (?, ?, ?, "
            "'pending', ?, ?, ?) ON CONFLICT (subject, slot) DO NOTHING",
            (subject, slot, iso(due), message, iso(at), iso(at))).rowcount > 0

    def skip_mail(self, aid: int, at: dt.datetime) -> None:
        self.db.execute("UPDATE activity SET mailed_at = ? WHERE id = ?", (iso(at), aid))

    def claim_mail(self, now: dt.datetime, limit: int) -> list[Mail]:
        """Up to `limit` due pending mails, now 'sending' with one more attempt counted."""
        with self.transaction():
            rows = self.db.execute("SELECT e.*, p.email AS address FROM emails e JOIN people p ON p.subject = "
                                   "e.subject WHERE e.state = 'pending' AND e.due_at <= ? ORDER BY e.due_at, e.id "
                                   f"LIMIT ?{self.CLAIM_LOCK.format(table='e')}", (iso(now), limit)).fetchall()
            ids = [row["id"] for row in rows]
            marks = ", ".join("?" for _ in ids)
            if not ids:
                return []
            self.db.execute(f"UPDATE emails SET state = 'sending', attempts = attempts + 1, updated_at = ?, "
                            f"claimed_by = ?, claimed_until = ? WHERE id IN ({marks})",
                            (iso(now), self.owner, iso(self._lease_end()), *ids))
            found: dict[int, list[Activity]] = {i: [] for i in ids}
            for row in self.db.execute(ACTIVITY.replace("SELECT a.*", "SELECT ea.email_id, a.*") +
                                       f"JOIN email_activity ea ON ea.activity_id = a.id WHERE ea.email_id IN "
                                       f"({marks}) ORDER BY a.id", ids):
                found[row["email_id"]].append(_activity(row))
        return [Mail(row["id"], row["subject"], row["address"], row["slot"], row["attempts"] + 1, row["message"],
                     tuple(found[row["id"]])) for row in rows]

    def set_message(self, mid: int, message: str) -> None:
        # as the outbox's payloads and outcomes: only a mail this mailer still holds (its lease not taken over)
        self.db.execute("UPDATE emails SET message = ? WHERE id = ? AND state = 'sending' AND claimed_by = ?",
                        (message, mid, self.owner))

    def finish_mail(self, mid: int, state: str, error: str | None, due: dt.datetime | None, at: dt.datetime) -> None:
        """sent, failed, or back to pending (due again at `due`)."""
        self.db.execute("UPDATE emails SET state = ?, error = ?, due_at = coalesce(?, due_at), updated_at = ? "
                        "WHERE id = ? AND state = 'sending' AND claimed_by = ?",
                        (state, error, iso(due) if due else None, iso(at), mid, self.owner))

    def requeue_mail(self) -> int:
        """Mails left 'sending' by a mailer that stopped: back to pending (see `_requeue`)."""
        return self._requeue("emails")

    def prune_mail(self, before: dt.datetime) -> int:
        return self.db.execute("DELETE FROM emails WHERE state IN ('sent', 'failed') AND updated_at < ?",
                               (iso(before),)).rowcount

    def set_email_pref(self, subject: str, pref: str) -> bool:
        return self.db.execute("UPDATE people SET email_pref = ? WHERE subject = ?", (pref, subject)).rowcount > 0

    def mail_ids(self, subject: str) -> Sequence[int]:
        return [row[0] for row in self.db.execute("SELECT id FROM emails WHERE subject = ?", (subject,))]
