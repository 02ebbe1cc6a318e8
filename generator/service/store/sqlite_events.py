"""Events on the SQLite file (and PostgreSQL, which shares this SQL): the events and occurrences the feed lists,
RSVPs, attendance (check-ins) and the ledger of notices queued about them; mixed into `SqliteStore` like
`sqlite_talk.py`. ARCHITECTURE.md, "Events"."""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from collections.abc import Sequence
from contextlib import AbstractContextManager
from typing import TYPE_CHECKING, Literal

from ..models import Event, Occurrence, iso, parse_iso

Joined = Literal["joined", "again", "full"]
NO_LIMIT = 2**62  # the capacity of an event without one
EVENT_ITEM = "urn:practica:event:"  # an event's discussion is the item thread of `urn:practica:event:<id>`


class EventTables:
    """The events half of the Store protocol."""

    if TYPE_CHECKING:
        @property
        def db(self) -> sqlite3.Connection: ...

        def transaction(self) -> AbstractContextManager[None]: ...

    def event(self, event_id: str) -> Event | None:
        row = self.db.execute("SELECT * FROM events WHERE id = ?", (event_id,)).fetchone()
        if row is None:
            return None
        occurrences = self.db.execute("SELECT * FROM occurrences WHERE event_id = ? ORDER BY start_at, id",
                                      (event_id,)).fetchall()
        return _event(row, tuple(_occurrence(o) for o in occurrences))

    def event_ids(self) -> set[str]:
        return {row[0] for row in self.db.execute("SELECT id FROM events")}

    def save_event(self, event: Event, at: dt.datetime) -> None:
        """Insert or update the event and its occurrences as the feed lists them (an occurrence the feed no longer
        lists is kept: the contract never drops one, and RSVPs name it)."""
        with self.transaction():
            self.db.execute(
                "INSERT INTO events (id, url, title, summary, topics, hosts, timezone, capacity, sequence, updated_at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET url = excluded.url, "
                "title = excluded.title, summary = excluded.summary, topics = excluded.topics, hosts = excluded.hosts, "
                "timezone = excluded.timezone, capacity = excluded.capacity, sequence = excluded.sequence, "
                "updated_at = excluded.updated_at",
                (event.id, event.url, event.title, event.summary, json.dumps(list(event.topics)),
                 json.dumps(list(event.hosts)), event.timezone, event.capacity, event.sequence, iso(at)))
            self.db.executemany(
                "INSERT INTO occurrences (id, event_id, start_at, end_at, status, url) VALUES (?, ?, ?, ?, ?, ?) "
                "ON CONFLICT (id) DO UPDATE SET event_id = excluded.event_id, start_at = excluded.start_at, "
                "end_at = excluded.end_at, status = excluded.status, url = excluded.url",
                [(o.id, event.id, iso(o.start), iso(o.end), o.status, o.url) for o in event.occurrences])

    def occurrence(self, occurrence_id: str) -> tuple[Event, Occurrence] | None:
        """The occurrence and its event, as the last feed said; None if the feed never listed it."""
        row = self.db.execute("SELECT event_id FROM occurrences WHERE id = ?", (occurrence_id,)).fetchone()
        event = self.event(row[0]) if row else None
        if event is None:
            return None
        return event, next(o for o in event.occurrences if o.id == occurrence_id)

    # RSVPs

    def add_rsvp(self, occurrence_id: str, subject: str, capacity: int | None, at: dt.datetime) -> Joined:
        """The person's RSVP: "joined" (new), "again" (they had one) or "full" (none made: `capacity` reached).
        The count and the insert are one statement in one write transaction, so concurrent calls never overbook."""
        with self.transaction():
            if self.db.execute("SELECT 1 FROM rsvps WHERE occurrence_id = ? AND subject = ?",
                               (occurrence_id, subject)).fetchone():
                return "again"
            made = self.db.execute(
                "INSERT INTO rsvps (occurrence_id, subject, created_at) SELECT ?1, ?2, ?3 WHERE "
                "(SELECT count(*) FROM rsvps WHERE occurrence_id = ?1) < ?4 ON CONFLICT DO NOTHING",
                (occurrence_id, subject, iso(at), NO_LIMIT if capacity is None else capacity)).rowcount
        return "joined" if made else "full"

    def remove_rsvp(self, occurrence_id: str, subject: str) -> bool:
        return self.db.execute("DELETE FROM rsvps WHERE occurrence_id = ? AND subject = ?",
                               (occurrence_id, subject)).rowcount > 0

    def rsvp_counts(self, occurrence_ids: Sequence[str]) -> dict[str, int]:
        if not occurrence_ids:
            return {}
        marks = ", ".join("?" for _ in occurrence_ids)
        found = {oid: 0 for oid in occurrence_ids}
        found.update({row[0]: int(row[1]) for row in self.db.execute(
            f"SELECT occurrence_id, count(*) FROM rsvps WHERE occurrence_id IN ({marks}) GROUP BY occurrence_id",
            tuple(occurrence_ids))})
        return found

    def rsvp_subjects(self, occurrence_id: str) -> list[str]:
        return [row[0] for row in self.db.execute(
            "SELECT subject FROM rsvps WHERE occurrence_id = ? ORDER BY created_at, subject", (occurrence_id,))]

    def rsvps_of(self, subject: str) -> list[tuple[str, dt.datetime]]:
        """(occurrence id, when) of the person's RSVPs, oldest first."""
        return [(row[0], parse_iso(row[1])) for row in self.db.execute(
            "SELECT occurrence_id, created_at FROM rsvps WHERE subject = ? ORDER BY created_at, occurrence_id",
            (subject,))]

    # Attendance

    def check_in(self, occurrence_id: str, subject: str, at: dt.datetime) -> bool:
        """Record that the person is there; False if they had checked in already (the first time is kept)."""
        return self.db.execute("INSERT INTO attendance (occurrence_id, subject, at) VALUES (?, ?, ?) "
                               "ON CONFLICT DO NOTHING", (occurrence_id, subject, iso(at))).rowcount > 0

    def attendance_of(self, subject: str) -> list[tuple[str, dt.datetime]]:
        """(occurrence id, when they checked in) for the person, oldest first."""
        return [(row[0], parse_iso(row[1])) for row in self.db.execute(
            "SELECT occurrence_id, at FROM attendance WHERE subject = ? ORDER BY at, occurrence_id", (subject,))]

    def attendance_counts(self, occurrence_ids: Sequence[str]) -> dict[str, int]:
        if not occurrence_ids:
            return {}
        marks = ", ".join("?" for _ in occurrence_ids)
        found = {oid: 0 for oid in occurrence_ids}
        found.update({row[0]: int(row[1]) for row in self.db.execute(
            f"SELECT occurrence_id, count(*) FROM attendance WHERE occurrence_id IN ({marks}) "
            "GROUP BY occurrence_id", tuple(occurrence_ids))})
        return found

    # Reminders and the ledger of notices

    def upcoming_rsvps(self, now: dt.datetime, until: dt.datetime) -> list[tuple[str, str]]:
        """(occurrence id, subject) of RSVPs to scheduled occurrences starting after `now` and by `until`."""
        return [(row[0], row[1]) for row in self.db.execute(
            "SELECT r.occurrence_id, r.subject FROM rsvps r JOIN occurrences o ON o.id = r.occurrence_id "
            "WHERE o.status = 'scheduled' AND o.start_at > ? AND o.start_at <= ? ORDER BY o.start_at, r.subject",
            (iso(now), iso(until)))]

    def note_notice(self, key: str, subject: str | None, at: dt.datetime) -> bool:
        """Record that the notice `key` is being queued; False if it was before (then queue nothing)."""
        return self.db.execute("INSERT INTO event_notices (key, subject, at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
                               (key, subject, iso(at))).rowcount > 0

    def queue_notice(self, sid: str, slot: str, due: dt.datetime, payload: str, at: dt.datetime) -> bool:
        """An outbox row of its own for the device, its notification written now (the sender sends it as it is);
        False if the device has a row for `slot` already."""
        return self.db.execute(
            "INSERT INTO outbox (subscription_id, slot, due_at, state, payload, created_at, updated_at) "
            "VALUES (?, ?, ?, 'pending', ?, ?, ?) ON CONFLICT (subscription_id, slot) DO NOTHING",
            (sid, slot, iso(due), payload, iso(at), iso(at))).rowcount > 0

    # Retention

    def prune_rsvps(self, before: dt.datetime) -> int:
        """Forget RSVPs to occurrences that ended before `before` (or, for one the feed no longer lists, made
        before it)."""
        return self.db.execute(
            "DELETE FROM rsvps WHERE occurrence_id IN (SELECT id FROM occurrences WHERE end_at < ?1) OR "
            "(created_at < ?1 AND occurrence_id NOT IN (SELECT id FROM occurrences))", (iso(before),)).rowcount

    def prune_attendance(self, before: dt.datetime) -> int:
        return self.db.execute("DELETE FROM attendance WHERE at < ?", (iso(before),)).rowcount

    def prune_notices(self, before: dt.datetime) -> int:
        """Forget the ledger's entries made before `before` (what they guard against is a re-poll or a restart
        within minutes; the stored events keep an announcement from being made again)."""
        return self.db.execute("DELETE FROM event_notices WHERE at < ?", (iso(before),)).rowcount


def _event(row: sqlite3.Row, occurrences: tuple[Occurrence, ...]) -> Event:
    capacity = row["capacity"]
    return Event(row["id"], row["url"], row["title"], row["summary"], tuple(json.loads(row["topics"])),
                 tuple(json.loads(row["hosts"])), row["timezone"], None if capacity is None else int(capacity),
                 int(row["sequence"]), occurrences)


def _occurrence(row: sqlite3.Row) -> Occurrence:
    return Occurrence(row["id"], parse_iso(row["start_at"]), parse_iso(row["end_at"]), row["status"], row["url"])
