"""The SQLite store: one file in WAL mode, a connection per thread, versioned migrations. Conversations' tables
are in `sqlite_talk.py`, mixed into the one `SqliteStore`."""

from __future__ import annotations

import datetime as dt
import fcntl
import functools
import json
import logging
import os
import secrets
import socket
import sqlite3
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from time import monotonic
from typing import Any

from ...errors import ConfigError
from ..models import (
    Check,
    Claim,
    Delivery,
    Erased,
    ErasePosts,
    FeedItem,
    FeedState,
    Finished,
    IngestedFeed,
    Person,
    Preferences,
    QuietHours,
    Ref,
    SkillRef,
    Subscription,
    Vote,
    iso,
    parse_iso,
    utcnow,
)
from .base import SenderBusy
from .migrations import LATEST, MIGRATIONS
from .sqlite_activity import ActivityTables
from .sqlite_ask import AskTables
from .sqlite_events import EventTables
from .sqlite_intro import IntroTables
from .sqlite_learning import LearningTables
from .sqlite_mail import MailTables
from .sqlite_records import RecordsTables
from .sqlite_talk import TalkTables

CHUNK = 500  # ids per IN (…) list
CLAIM_LEASE = 120.0
CLAIMED = ("outbox", "emails", "xapi_statements")  # the outboxes whose rows senders claim
log = logging.getLogger("practica.push")


class SqliteStore(TalkTables, ActivityTables, IntroTables, MailTables, AskTables, EventTables, LearningTables,
                  RecordsTables):
    """The Store protocol on an SQLite file. Safe to share between threads; each gets its own connection."""

    EXCLUSIVE_SENDER = True  # one sender at a time (`sender_lock`): whatever is 'sending' at its start was left
    CLAIM_LOCK = ""  # what a claim's SELECT adds to lock its rows ({table}: the outbox's alias)
    claim_lease = CLAIM_LEASE  # seconds a claim stays this sender's without being renewed (PRACTICA_PUSH_CLAIM_LEASE)
    _lease_started: float | None = None  # monotonic time the oldest lease this sender holds began (renew_claims)

    def __init__(self, path: Path, *, read_only: bool = False) -> None:
        """`read_only` opens the file as SQLite opens one it may not write (reads work, writes fail)."""
        self.path, self.read_only = path, read_only
        self.owner = sender_id()
        path.parent.mkdir(parents=True, exist_ok=True)
        self._local = threading.local()
        self._connections: list[sqlite3.Connection] = []
        self._guard = threading.Lock()

    @property
    def db(self) -> sqlite3.Connection:
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is None:
            target = f"file:{self.path.resolve().as_posix()}?mode=ro" if self.read_only else self.path
            conn = sqlite3.connect(target, isolation_level=None, check_same_thread=False, timeout=30,
                                   uri=self.read_only)
            conn.row_factory = sqlite3.Row
            conn.execute("PRAGMA journal_mode=WAL")
            # NORMAL survives a killed process (WAL is in the OS's hands at commit); only power loss may drop
            # the last commits, which the outbox then resends: duplicates by tag, never losses.
            conn.execute("PRAGMA synchronous=NORMAL")
            conn.execute("PRAGMA foreign_keys=ON")
            # Erasure means erased from the file too: deleted rows are overwritten, not left in free pages.
            conn.execute("PRAGMA secure_delete=ON")
            self._local.conn, self._local.depth = conn, 0
            with self._guard:
                self._connections.append(conn)
        return conn

    @contextmanager
    def transaction(self, serialised: bool = True) -> Iterator[None]:  # SQLite has one writer at a time anyway
        db = self.db
        if self._local.depth:
            self._local.depth += 1
            try:
                yield
            finally:
                self._local.depth -= 1
            return
        db.execute("BEGIN IMMEDIATE")  # take the write lock now, not at the first write (no upgrade deadlocks)
        self._local.depth = 1
        try:
            yield
        except BaseException:
            db.execute("ROLLBACK")
            raise
        else:
            db.execute("COMMIT")
        finally:
            self._local.depth = 0

    def close(self) -> None:
        with self._guard:
            for conn in self._connections[1:]:
                conn.close()
            if self._connections:
                _checkpoint(self._connections[0], self.path)
                self._connections[0].close()
            self._connections.clear()
        self._local = threading.local()

    def write_problem(self) -> str | None:
        # BEGIN IMMEDIATE takes the write lock; the update that matches nothing still needs the file writable.
        db = self.db
        try:
            db.execute("BEGIN IMMEDIATE")
            try:
                db.execute("UPDATE schema_migrations SET version = version WHERE 0")
            finally:
                db.execute("ROLLBACK")
        except sqlite3.Error as exc:
            return str(exc)
        return None

    def migrate(self) -> list[int]:
        """The migrations this database has not had yet, applied in one transaction; their versions. (On
        PostgreSQL the transaction holds the write lock, so instances migrating at once apply each step once.)"""
        applied: list[int] = []
        with self.transaction():
            self._prepare()
            self.db.execute("CREATE TABLE IF NOT EXISTS schema_migrations "
                            "(version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)")
            current = int(self.db.execute("SELECT coalesce(max(version), 0) FROM schema_migrations").fetchall()[0][0])
            if current > LATEST:
                raise ConfigError(f"{self.path} has schema version {current}, newer than this Practica knows "
                                  f"({LATEST}); upgrade Practica")
            for version, name, statements in MIGRATIONS:
                if version > current:
                    for statement in statements:
                        self.db.execute(self._spelled(statement))
                    self.db.execute("INSERT INTO schema_migrations VALUES (?, ?, ?)",
                                    (version, name, iso(dt.datetime.now(dt.UTC))))
                    applied.append(version)
        return applied

    def _prepare(self) -> None:
        """What the database needs before the migrations run (nothing, on SQLite)."""

    @staticmethod
    def _spelled(statement: str) -> str:
        """A migration statement as this database spells it (the list is written in SQLite's)."""
        return statement

    def schema_version(self) -> int:
        if self.db.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'"
                           ).fetchone() is None:
            return 0
        return int(self.db.execute("SELECT coalesce(max(version), 0) FROM schema_migrations").fetchone()[0])

    # Subscriptions

    def get_subscription(self, sid: str) -> Subscription | None:
        row = self.db.execute("SELECT * FROM subscriptions WHERE id = ?", (sid,)).fetchone()
        return _subscription(row) if row else None

    def save_subscription(self, sub: Subscription) -> bool:
        prefs = sub.preferences
        quiet = prefs.quiet_hours
        with self.transaction():
            new = self.get_subscription(sub.id) is None
            # `owner` only on insert: linking and unlinking are `set_owner`'s, so saving preferences keeps the link
            self.db.execute(
                "INSERT INTO subscriptions (id, endpoint, p256dh, auth, topics, people, types, frequency, quiet_start,"
                " quiet_end, timezone, created_at, updated_at, lock_screen, owner)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO UPDATE"
                " SET p256dh = excluded.p256dh, auth = excluded.auth, topics = excluded.topics,"
                " people = excluded.people, types = excluded.types, frequency = excluded.frequency,"
                " quiet_start = excluded.quiet_start, quiet_end = excluded.quiet_end, timezone = excluded.timezone,"
                " updated_at = excluded.updated_at, lock_screen = excluded.lock_screen",
                (sub.id, sub.endpoint, sub.p256dh, sub.auth, json.dumps(prefs.topics), json.dumps(prefs.people),
                 json.dumps(prefs.types), prefs.frequency, quiet and quiet.start.strftime("%H:%M"),
                 quiet and quiet.end.strftime("%H:%M"), prefs.timezone, iso(sub.created_at), iso(sub.updated_at),
                 prefs.lock_screen, sub.owner))
        return new

    def delete_subscription(self, sid: str) -> int:
        with self.transaction():
            pending = self.db.execute("SELECT count(*) FROM outbox WHERE subscription_id = ? AND state IN "
                                      "('pending', 'sending')", (sid,)).fetchone()[0]
            gone = self.db.execute("DELETE FROM subscriptions WHERE id = ?", (sid,)).rowcount
        return int(pending) if gone else -1

    def subscriptions(self) -> Iterator[Subscription]:
        yield from map(_subscription, self.db.execute("SELECT * FROM subscriptions ORDER BY id").fetchall())

    def count_subscriptions(self) -> int:
        return int(self.db.execute("SELECT count(*) FROM subscriptions").fetchone()[0])

    def set_owner(self, sid: str, subject: str | None) -> bool:
        return self.db.execute("UPDATE subscriptions SET owner = ? WHERE id = ?", (subject, sid)).rowcount == 1

    def owned_subscriptions(self, subject: str) -> list[Subscription]:
        rows = self.db.execute("SELECT * FROM subscriptions WHERE owner = ? ORDER BY created_at, id", (subject,))
        return [_subscription(row) for row in rows.fetchall()]

    # People

    def person(self, subject: str) -> Person | None:
        row = self.db.execute("SELECT * FROM people WHERE subject = ?", (subject,)).fetchone()
        return _person(row) if row else None

    def people_with_email(self, email: str) -> list[Person]:
        rows = self.db.execute("SELECT * FROM people WHERE lower(email) = lower(?) ORDER BY subject", (email,))
        return [_person(row) for row in rows.fetchall()]

    def save_person(self, person: Person) -> None:
        self.db.execute(
            "INSERT INTO people (subject, email, name, person, lock_screen, pseudonym, created_at, seen_on, email_pref)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (subject) DO UPDATE SET email = excluded.email,"
            " name = excluded.name, person = excluded.person, lock_screen = excluded.lock_screen,"
            " seen_on = excluded.seen_on, email_pref = excluded.email_pref",
            (person.subject, person.email, person.name, person.person, person.lock_screen, person.pseudonym,
             iso(person.created_at), person.seen_on.isoformat(), person.email_pref))

    def people_seen_before(self, day: dt.date) -> list[str]:
        rows = self.db.execute("SELECT subject FROM people WHERE seen_on < ? ORDER BY subject", (day.isoformat(),))
        return [row[0] for row in rows.fetchall()]

    def people_by_subject(self, subjects: Sequence[str]) -> dict[str, Person]:
        found: dict[str, Person] = {}
        unique = sorted(set(subjects))
        for start in range(0, len(unique), CHUNK):
            chunk = unique[start:start + CHUNK]
            rows = self.db.execute(f"SELECT * FROM people WHERE subject IN ({_marks(chunk)})", chunk)
            found.update((row["subject"], _person(row)) for row in rows)
        return found

    def delete_person(self, subject: str, posts: ErasePosts = "anonymise") -> Erased | None:
        with self.transaction():
            if self.person(subject) is None:
                return None
            devices = self.db.execute("SELECT count(*) FROM subscriptions WHERE owner = ?", (subject,)).fetchone()[0]
            rows = self.db.execute("SELECT count(*) FROM outbox o JOIN subscriptions s ON s.id = o.subscription_id "
                                   "WHERE s.owner = ?", (subject,)).fetchone()[0]
            talk = self._forget_talk(subject, posts)
            site_person = self.db.execute("SELECT person FROM people WHERE subject = ?", (subject,)).fetchone()[0]
            if site_person:
                self.forget_routes_to(site_person)
            # The foreign keys do the rest: devices (and their outbox rows), marks, flags and limits go; threads,
            # posts and the moderation log keep what happened without the name.
            self.db.execute("DELETE FROM people WHERE subject = ?", (subject,))
        return Erased(int(devices), int(rows), *talk, removed=posts == "remove")

    def deliveries(self, sid: str) -> list[Delivery]:
        rows = self.db.execute("SELECT * FROM outbox WHERE subscription_id = ? ORDER BY due_at, id", (sid,)).fetchall()
        items: dict[int, list[str]] = {row["id"]: [] for row in rows}
        for link in self.db.execute("SELECT outbox_id, item_id FROM outbox_items WHERE subscription_id = ? "
                                    "ORDER BY item_id", (sid,)):
            items.setdefault(link[0], []).append(link[1])
        return [Delivery(row["id"], sid, row["state"], parse_iso(row["due_at"]), parse_iso(row["created_at"]),
                         parse_iso(row["updated_at"]), row["attempts"], row["status"], row["payload"],
                         tuple(items[row["id"]])) for row in rows]

    # The feed

    def feed_state(self) -> IngestedFeed | None:
        row = self.db.execute("SELECT data, ingested_at FROM feed_state WHERE id = 1").fetchone()
        if row is None:
            return None
        data = json.loads(row["data"])
        # [id, name, url, stewards] per topic (states saved before stewards were published have three)
        topics = {t[0]: Ref(t[0], t[1], t[2], None, tuple(t[3] if len(t) > 3 else ())) for t in data["topics"]}
        # [id, name, url, email, available_for, topics] per person (older states have four); [id, name, url,
        # topics, experts] per skill (older states have none)
        people = {p[0]: Ref(p[0], p[1], p[2], p[3], (), *(tuple(x) for x in (p[4:6] if len(p) > 4 else ((), ()))))
                  for p in data["people"]}
        skills = {k[0]: SkillRef(k[0], k[1], k[2], tuple(k[3]), tuple(k[4])) for k in data.get("skills", ())}
        checks = {item: tuple(Check(c[0], tuple(c[1]), c[2]) for c in found)
                  for item, found in data.get("checks", {}).items()}
        state = FeedState(data["title"], data["site_url"], data["icon"], topics, people,
                          frozenset(data.get("pages", ())), skills, data.get("language", "en"), checks)
        return IngestedFeed(state, parse_iso(row["ingested_at"]))

    def save_feed_state(self, state: FeedState, at: dt.datetime) -> None:
        data = {"title": state.title, "site_url": state.site_url, "icon": state.icon,
                "topics": [[r.id, r.name, r.url, list(r.stewards)] for r in state.topics.values()],
                "people": [[r.id, r.name, r.url, r.email, list(r.available_for), list(r.topics)]
                           for r in state.people.values()],
                "pages": sorted(state.pages),
                "skills": [[k.id, k.name, k.url, list(k.topics), list(k.experts)] for k in state.skills.values()],
                "language": state.language,
                "checks": {item: [[c.question, list(c.options), c.answer] for c in found]
                           for item, found in state.checks.items()}}
        self.db.execute("INSERT INTO feed_state VALUES (1, ?, ?) ON CONFLICT (id) DO UPDATE "
                        "SET data = excluded.data, ingested_at = excluded.ingested_at", (json.dumps(data), iso(at)))

    def has_batches(self) -> bool:
        return self.db.execute("SELECT 1 FROM batches LIMIT 1").fetchone() is not None

    def seen(self, item_ids: Sequence[str]) -> set[str]:
        found: set[str] = set()
        for start in range(0, len(item_ids), CHUNK):
            chunk = item_ids[start:start + CHUNK]
            rows = self.db.execute(f"SELECT id FROM items WHERE id IN ({_marks(chunk)})", chunk)
            found.update(row[0] for row in rows)
        return found

    def add_batch(self, at: dt.datetime, items: Sequence[FeedItem], initial: bool) -> int:
        with self.transaction():
            batch = self.db.execute("INSERT INTO batches (created_at, items, initial) VALUES (?, ?, ?)",
                                    (iso(at), len(items), int(initial))).lastrowid
            self.db.executemany("INSERT INTO items (id, batch_id, position, type, url, title, summary, topics, "
                                "people, experts) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", [
                (i.id, batch, n, i.type, i.url, i.title, i.summary, json.dumps(i.topics), json.dumps(i.people),
                 json.dumps(i.experts)) for n, i in enumerate(items)])
        assert batch is not None
        return batch

    # The outbox

    def slot_open(self, sid: str, slot: str) -> bool:
        row = self.db.execute("SELECT 1 FROM outbox WHERE subscription_id = ? AND slot = ? AND state = 'pending' "
                              "AND attempts = 0 AND payload IS NULL", (sid, slot)).fetchone()
        return row is not None

    def count_planned(self, sid: str, start: dt.datetime, end: dt.datetime) -> int:
        return int(self.db.execute("SELECT count(*) FROM outbox WHERE subscription_id = ? AND due_at >= ? "
                                   "AND due_at < ?", (sid, iso(start), iso(end))).fetchone()[0])

    def queue(self, sid: str, slot: str, due: dt.datetime, item_ids: Sequence[str], at: dt.datetime) -> int | None:
        with self.transaction():
            self.db.execute("INSERT INTO outbox (subscription_id, slot, due_at, state, created_at, updated_at) "
                            "VALUES (?, ?, ?, 'pending', ?, ?) ON CONFLICT (subscription_id, slot) DO NOTHING",
                            (sid, slot, iso(due), iso(at), iso(at)))
            if not self.slot_open(sid, slot):
                return None
            row_id = int(self.db.execute("SELECT id FROM outbox WHERE subscription_id = ? AND slot = ?",
                                         (sid, slot)).fetchone()[0])
            self.db.executemany("INSERT INTO outbox_items VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
                                [(sid, item, row_id) for item in item_ids])
        return row_id

    def claim(self, now: dt.datetime, limit: int) -> list[Claim]:
        with self.transaction():
            rows = self.db.execute(
                "SELECT o.id AS row_id, o.slot, o.attempts, o.payload, s.*, p.lock_screen AS owner_lock_screen "
                "FROM outbox o JOIN subscriptions s ON s.id = o.subscription_id LEFT JOIN people p "
                "ON p.subject = s.owner WHERE o.state = 'pending' AND o.due_at <= ? ORDER BY o.due_at, o.id "
                f"LIMIT ?{self.CLAIM_LOCK.format(table='o')}", (iso(now), limit)).fetchall()
            ids = [row["row_id"] for row in rows]
            if not ids:
                return []
            self.db.execute(f"UPDATE outbox SET state = 'sending', attempts = attempts + 1, updated_at = ?, "
                            f"claimed_by = ?, claimed_until = ? WHERE id IN ({_marks(ids)})",
                            (iso(now), self.owner, iso(self._lease_end()), *ids))
            items: dict[int, list[FeedItem]] = {i: [] for i in ids}
            known: dict[str, FeedItem] = {}  # a batch's items are shared by most rows: read each once
            for row in self.db.execute(
                    f"SELECT oi.outbox_id, i.* FROM outbox_items oi JOIN items i ON i.id = oi.item_id "
                    f"WHERE oi.outbox_id IN ({_marks(ids)}) ORDER BY i.batch_id DESC, i.position", ids):
                items[row["outbox_id"]].append(known.get(row["id"]) or known.setdefault(row["id"], _item(row)))
            activities = self.row_activities(ids)
        return [Claim(row["row_id"], _subscription(row), row["slot"], row["attempts"] + 1, row["payload"],
                      tuple(items[row["row_id"]]), row["owner_lock_screen"], tuple(activities[row["row_id"]]))
                for row in rows]

    def requeue_sending(self) -> int:
        return self._requeue("outbox")

    def release(self) -> int:
        """This sender's claims it did not finish (it is stopping): back to pending for another sender."""
        return sum(self._unclaim(table, "claimed_by = ?", (self.owner,)) for table in CLAIMED)

    def renew_claims(self) -> None:
        """Keep this sender's claims its own while it is still working on them: once a third of a lease has gone
        by since the oldest claim not yet renewed. Renewing rewrites every row this sender holds, so renewing on
        every commit of a fan-out wrote each row once more for nothing (bench/BENCHMARKS.md, "Fan-out on
        PostgreSQL"); a third leaves two thirds of a lease for the commits between renewals."""
        started = self._lease_started
        if started is not None and monotonic() - started < self.claim_lease / 3:
            return
        self._lease_started = None
        for table in CLAIMED:
            self.db.execute(f"UPDATE {table} SET claimed_until = ? WHERE state = 'sending' AND claimed_by = ?",
                            (iso(self._lease_end()), self.owner))

    def _requeue(self, table: str) -> int:
        """Rows left 'sending' by a sender that stopped: back to pending. With one sender at a time (SQLite's
        `sender_lock`), every such row; with several (PostgreSQL), only those whose claim's lease has ended."""
        if self.EXCLUSIVE_SENDER:
            return self._unclaim(table, "1 = 1", ())
        return self._unclaim(table, "(claimed_until IS NULL OR claimed_until <= ?)", (iso(utcnow()),))

    def _unclaim(self, table: str, which: str, args: tuple[str, ...]) -> int:
        """Rows of `table` (one of CLAIMED) 'sending' and matching `which`: back to pending, unclaimed."""
        return int(self.db.execute(f"UPDATE {table} SET state = 'pending', claimed_by = NULL, claimed_until = NULL "
                                   f"WHERE state = 'sending' AND {which}", args).rowcount)

    def lead_polling(self) -> bool:
        return True  # one process polls an SQLite file's feed (`make demo`, one `serve`)

    def _lease_end(self) -> dt.datetime:
        """The end of a lease starting now (a claim's or a renewal's), noting when the oldest one still held began."""
        if self._lease_started is None:
            self._lease_started = monotonic()
        return utcnow() + dt.timedelta(seconds=self.claim_lease)

    # Payloads and outcomes touch a row only while this sender still holds it ('sending', claimed_by = owner): a
    # sender whose lease ended (it stalled) and whose row another sender took back must not overwrite that
    # sender's payload or result (ARCHITECTURE.md, "The outbox"). Each is one statement for a whole batch.
    HELD = "state = 'sending' AND claimed_by = ?"

    def set_payloads(self, payloads: Sequence[tuple[int, str]]) -> int:
        if not payloads:
            return 0
        rows = ", ".join("(?, ?)" for _ in payloads)
        return int(self.db.execute(
            f"UPDATE outbox SET payload = v.column2 FROM (VALUES {rows}) AS v WHERE outbox.id = v.column1 "
            f"AND outbox.payload IS NULL AND outbox.{self.HELD.replace(' AND ', ' AND outbox.')}",
            (*(value for pair in payloads for value in pair), self.owner)).rowcount)

    def record_outcomes(self, outcomes: Sequence[Finished], at: dt.datetime) -> set[int]:
        written: set[int] = set()
        sent: dict[int | None, list[int]] = {}
        for outcome in outcomes:
            if outcome.state == "sent":
                sent.setdefault(outcome.status, []).append(outcome.id)
            elif outcome.state == "pending":  # a retry
                written.update(row[0] for row in self.db.execute(
                    f"UPDATE outbox SET state = 'pending', status = ?, error = ?, updated_at = ?, due_at = ? "
                    f"WHERE id = ? AND {self.HELD} RETURNING id",
                    (outcome.status, outcome.error, iso(at), iso(outcome.due or at), outcome.id, self.owner)))
            else:
                written.update(row[0] for row in self.db.execute(
                    f"UPDATE outbox SET state = ?, status = ?, error = ?, updated_at = ? WHERE id = ? AND {self.HELD} "
                    "RETURNING id", (outcome.state, outcome.status, outcome.error, iso(at), outcome.id, self.owner)))
        # due_at stays out of the SET list of finished rows: naming it would rewrite its index entries for nothing
        for status, ids in sent.items():
            written.update(row[0] for row in self.db.execute(
                f"UPDATE outbox SET state = 'sent', status = ?, error = NULL, updated_at = ? WHERE id IN "
                f"({_marks(ids)}) AND {self.HELD} RETURNING id", (status, iso(at), *ids, self.owner)))
        return written

    def next_due(self) -> dt.datetime | None:
        # A commitment's follow-up is queued when it falls due, so its time counts as one (issue 23).
        row = self.db.execute("SELECT min(d) FROM (SELECT min(due_at) AS d FROM outbox WHERE state = 'pending' "
                              "UNION ALL SELECT min(due_at) AS d FROM commitments WHERE queued_at IS NULL) AS due"
                              ).fetchone()
        return parse_iso(row[0]) if row[0] else None

    def outbox_counts(self) -> dict[str, int]:
        counts = {"pending": 0, "sending": 0, "sent": 0, "failed": 0}
        counts.update(self.db.execute("SELECT state, count(*) FROM outbox GROUP BY state").fetchall())
        return counts

    def prune(self, before: dt.datetime) -> int:
        return self.db.execute("DELETE FROM outbox WHERE state IN ('sent', 'failed') AND updated_at < ?",
                               (iso(before),)).rowcount

    @contextmanager
    def sender_lock(self) -> Iterator[None]:
        # An OS lock dies with its process, even on SIGKILL, so a crashed sender never blocks the next one.
        fd = os.open(f"{self.path}.sender-lock", os.O_RDWR | os.O_CREAT, 0o600)
        try:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                raise SenderBusy(f"another sender (`practica push send` or `serve`) is delivering from {self.path}; "
                                 "try again when it has finished") from None
            yield
        finally:
            os.close(fd)

    # Reader feedback

    def record_vote(self, vote: Vote) -> str:
        with self.transaction():
            row = self.db.execute("SELECT page, helpful, comment FROM feedback WHERE id = ?", (vote.id,)).fetchone()
            if row is None:
                self.db.execute("INSERT INTO feedback VALUES (?, ?, ?, ?, ?)", (vote.id, vote.page, int(vote.helpful),
                                                                                vote.comment, vote.day.isoformat()))
                return "created"
            if (row["page"], bool(row["helpful"])) != (vote.page, vote.helpful):
                return "conflict"
            if row["comment"] is None and vote.comment:
                self.db.execute("UPDATE feedback SET comment = ? WHERE id = ?", (vote.comment, vote.id))
                return "commented"
            return "unchanged"

    def votes(self) -> Iterator[Vote]:
        for row in self.db.execute("SELECT * FROM feedback ORDER BY day, id").fetchall():
            yield Vote(row["id"], row["page"], bool(row["helpful"]), row["comment"], dt.date.fromisoformat(row["day"]))

    def prune_feedback(self, before: dt.date) -> int:
        return self.db.execute("DELETE FROM feedback WHERE day < ?", (before.isoformat(),)).rowcount


def sender_id() -> str:
    """Who claims outbox rows from this store object: host, process and a random part (a restarted process, or
    a second store in one process, is another sender)."""
    return f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(4)}"


def _checkpoint(conn: sqlite3.Connection, path: Path) -> None:
    """Copy the WAL into the database file and empty it, so the .sqlite3 file alone is a complete copy."""
    # SQLite does this itself when the last connection of all processes closes; another process (a `send`
    # beside `serve`) keeps it from happening, and a copy of the .sqlite3 file would then miss recent rows.
    try:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    except sqlite3.Error as exc:
        log.warning("could not checkpoint %s on close (the -wal file still holds recent changes): %s",
                    path, exc)


def _marks(values: Sequence[Any]) -> str:
    return ", ".join("?" * len(values))


def _subscription(row: sqlite3.Row) -> Subscription:
    quiet = None
    if row["quiet_start"]:
        quiet = QuietHours(dt.time.fromisoformat(row["quiet_start"]), dt.time.fromisoformat(row["quiet_end"]))
    prefs = Preferences(_ids(row["topics"]), _ids(row["people"]), _ids(row["types"]), row["frequency"], quiet,
                        row["timezone"], row["lock_screen"])
    return Subscription(row["endpoint"], row["p256dh"], row["auth"], prefs, parse_iso(row["created_at"]),
                        parse_iso(row["updated_at"]), row["owner"])


def _person(row: sqlite3.Row) -> Person:
    return Person(row["subject"], row["email"], row["name"], row["person"], row["pseudonym"],
                  parse_iso(row["created_at"]), dt.date.fromisoformat(row["seen_on"]), row["lock_screen"],
                  row["email_pref"])


@functools.lru_cache(maxsize=512)
def _ids(text: str) -> tuple[Any, ...]:
    """A stored JSON list of ids; subscribers and items share a few lists, so each is parsed once."""
    return tuple(json.loads(text))


def _item(row: sqlite3.Row) -> FeedItem:
    return FeedItem(row["id"], row["type"], row["url"], row["title"], row["summary"], _ids(row["topics"]),
                    _ids(row["people"]))
