"""Activity on the SQLite file (who hears of a post, thread follows, the outbox's activity rows), mixed into
`SqliteStore` like `sqlite_talk.py`."""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Sequence
from contextlib import AbstractContextManager
from typing import TYPE_CHECKING

from ..models import Activity, ActivityKind, iso, parse_iso

# An activity with what the bell and a notification show, read from the thread, post and author as they are now:
# a post hidden or deleted since drops out of the bell and of anything not yet sent.
ACTIVITY = ("SELECT a.*, p.author AS actor, p.body, pe.name AS actor_name, pe.person AS actor_person, "
            "t.kind AS thread_kind, t.target, t.title AS board_title, coalesce(i.title, ev.title) AS item_title, "
            "coalesce(i.url, ev.url) AS item_url "
            "FROM activity a JOIN posts p ON p.id = a.post_id AND p.state = 'visible' "
            "JOIN threads t ON t.id = a.thread_id "
            "LEFT JOIN people pe ON pe.subject = p.author LEFT JOIN items i ON t.kind = 'item' AND i.id = t.target "
            "LEFT JOIN events ev ON t.kind = 'item' AND 'urn:practica:event:' || ev.id = t.target ")
GROUP = {"reply": "post", "thread_post": "post", "mention": "post", "question": "post", "flag": "flag",
         "invitation": "invitation"}


class ActivityTables:
    """The activity half of the Store protocol."""

    if TYPE_CHECKING:
        @property
        def db(self) -> sqlite3.Connection: ...

        def transaction(self) -> AbstractContextManager[None]: ...

    def follow(self, subject: str, tid: int, following: bool) -> None:
        self.db.execute("INSERT INTO follows VALUES (?, ?, ?) ON CONFLICT (subject, thread_id) DO UPDATE "
                        "SET following = excluded.following", (subject, tid, int(following)))

    def followers(self, tid: int) -> set[str]:
        """The thread's opener, everyone with a visible post in it, whom its question was routed to and who asked to
        follow, less who unfollowed."""
        rows = self.db.execute(
            "SELECT author FROM threads WHERE id = ?1 AND author IS NOT NULL UNION SELECT author FROM posts "
            "WHERE thread_id = ?1 AND author IS NOT NULL AND state = 'visible' UNION SELECT pe.subject FROM routes r "
            "JOIN people pe ON pe.person = r.person WHERE r.thread_id = ?1 UNION SELECT subject FROM follows "
            "WHERE thread_id = ?1 AND following = 1 EXCEPT SELECT subject FROM follows WHERE thread_id = ?1 "
            "AND following = 0", (tid,))
        return {row[0] for row in rows}

    def following(self, subject: str, tid: int) -> bool:
        return subject in self.followers(tid)

    def subjects_of(self, persons: Sequence[str]) -> set[str]:
        """Signed-in people whose profile is one of these site person ids."""
        if not persons:
            return set()
        marks = ", ".join("?" for _ in persons)
        return {row[0] for row in self.db.execute(f"SELECT subject FROM people WHERE person IN ({marks})",
                                                  tuple(persons))}

    def add_activity(self, rows: Sequence[tuple[str, ActivityKind]], tid: int, pid: int, at: dt.datetime) -> int:
        """Record (subject, kind) activity about a post; one per person per post and group. How many are new."""
        added = 0
        for subject, kind in rows:
            added += self.db.execute(
                "INSERT INTO activity (subject, kind, grp, thread_id, post_id, created_at) VALUES (?, ?, ?, ?, ?, ?) "
                "ON CONFLICT (subject, post_id, grp) DO NOTHING",
                (subject, kind, GROUP[kind], tid, pid, iso(at))).rowcount
        return added

    def activity_for(self, subject: str, unread: bool, limit: int) -> list[Activity]:
        """The person's activity, newest first."""
        only = "AND a.read_at IS NULL " if unread else ""
        rows = self.db.execute(ACTIVITY + f"WHERE a.subject = ? {only}ORDER BY a.id DESC LIMIT ?", (subject, limit))
        return [_activity(row) for row in rows]

    def activity_held(self, subject: str) -> list[tuple[int, str, int, int, str, str | None]]:
        """Every activity row kept for the person (their export), whatever became of its post:
        (id, kind, thread, post, created_at, read_at)."""
        return [tuple(row) for row in self.db.execute(
            "SELECT id, kind, thread_id, post_id, created_at, read_at FROM activity WHERE subject = ? ORDER BY id",
            (subject,))]

    def unread(self, subject: str) -> int:
        return int(self.db.execute("SELECT count(*) FROM activity a JOIN posts p ON p.id = a.post_id AND p.state = "
                                   "'visible' WHERE a.subject = ? AND a.read_at IS NULL", (subject,)).fetchone()[0])

    def mark_read(self, subject: str, ids: Sequence[int] | None, at: dt.datetime) -> int:
        """Mark the person's activity read: these ids, or all of it (None)."""
        if ids is None:
            return self.db.execute("UPDATE activity SET read_at = ? WHERE subject = ? AND read_at IS NULL",
                                   (iso(at), subject)).rowcount
        marks = ", ".join("?" for _ in ids)
        return self.db.execute(f"UPDATE activity SET read_at = ? WHERE subject = ? AND read_at IS NULL "
                               f"AND id IN ({marks})", (iso(at), subject, *ids)).rowcount

    def unpushed(self, limit: int) -> list[Activity]:
        return [_activity(row) for row in self.db.execute(
            ACTIVITY + "WHERE a.pushed_at IS NULL ORDER BY a.id LIMIT ?", (limit,))]

    def set_pushed(self, aid: int, at: dt.datetime) -> None:
        self.db.execute("UPDATE activity SET pushed_at = ? WHERE id = ?", (iso(at), aid))

    def queue_activity(self, sid: str, slot: str, due: dt.datetime, aid: int, at: dt.datetime) -> int | None:
        """Add an activity to the device's row for `slot` (created if needed); None if that row is closed."""
        with self.transaction():
            self.db.execute("INSERT INTO outbox (subscription_id, slot, due_at, state, created_at, updated_at) "
                            "VALUES (?, ?, ?, 'pending', ?, ?) ON CONFLICT (subscription_id, slot) DO NOTHING",
                            (sid, slot, iso(due), iso(at), iso(at)))
            row = self.db.execute("SELECT id FROM outbox WHERE subscription_id = ? AND slot = ? AND state = 'pending' "
                                  "AND attempts = 0 AND payload IS NULL", (sid, slot)).fetchone()
            if row is None:
                return None
            self.db.execute("INSERT INTO outbox_activity VALUES (?, ?, ?) ON CONFLICT DO NOTHING", (sid, aid, row[0]))
        return int(row[0])

    def row_activities(self, row_ids: Sequence[int]) -> dict[int, list[Activity]]:
        """The activities each outbox row holds."""
        found: dict[int, list[Activity]] = {i: [] for i in row_ids}
        if not row_ids:
            return found
        marks = ", ".join("?" for _ in row_ids)
        for row in self.db.execute(
                ACTIVITY.replace("SELECT a.*", "SELECT oa.outbox_id, a.*") +
                f"JOIN outbox_activity oa ON oa.activity_id = a.id WHERE oa.outbox_id IN ({marks}) ORDER BY a.id",
                tuple(row_ids)):
            found[row["outbox_id"]].append(_activity(row))
        return found

    def prune_activity(self, before: dt.datetime) -> int:
        """Forget activity recorded before `before` (its outbox links go with it)."""
        return self.db.execute("DELETE FROM activity WHERE created_at < ?", (iso(before),)).rowcount


def _activity(row: sqlite3.Row) -> Activity:
    item = row["thread_kind"] == "item"
    return Activity(row["id"], row["subject"], row["kind"], row["thread_id"], row["post_id"],
                    parse_iso(row["created_at"]), parse_iso(row["read_at"]) if row["read_at"] else None,
                    row["actor"], row["actor_name"], row["actor_person"], row["thread_kind"], row["target"],
                    row["item_title"] if item else row["board_title"], row["item_url"] if item else None, row["body"])
