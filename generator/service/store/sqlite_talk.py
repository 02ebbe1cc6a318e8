"""The conversation half of the SQLite store (threads, posts, marks, flags, the moderation log, rate limits),
mixed into `SqliteStore`: one class, one connection per thread, one transaction discipline."""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from collections.abc import Sequence
from contextlib import AbstractContextManager
from typing import TYPE_CHECKING, Any

from ..models import (
    ErasePosts,
    Flag,
    FlagReason,
    LogEntry,
    Post,
    PostState,
    Thread,
    ThreadKind,
    ThreadType,
    iso,
    parse_iso,
)
from .base import BoardCursor
from .sqlite_ask import ROUTED, routed

# A thread is listed for everyone while it has a visible post: one whose every post waits for a steward, or was
# hidden, is seen only by its authors and moderators.
SHOWN = "SELECT count(*) FROM posts p WHERE p.thread_id = t.id AND p.state = 'visible'"
THREAD = f"SELECT t.*, ({SHOWN}) AS shown, ({ROUTED}) AS routed FROM threads t "
# An item's (or, `urn:practica:event:<id>`, an event's) column: events have discussions but are not feed items.
ITEM_OR_EVENT = ("SELECT {column} FROM items WHERE id = ?1 UNION ALL SELECT {column} FROM events "
                 "WHERE 'urn:practica:event:' || id = ?1")
HELPFUL = "SELECT count(*) FROM helpful h WHERE h.post_id = posts.id"


class TalkTables:
    """The TalkStore protocol on the SQLite file `SqliteStore` opens."""

    if TYPE_CHECKING:
        @property
        def db(self) -> sqlite3.Connection: ...

        def transaction(self) -> AbstractContextManager[None]: ...

    def item_topics(self, item_id: str) -> tuple[str, ...] | None:
        row = self.db.execute(ITEM_OR_EVENT.format(column="topics"), (item_id,)).fetchone()
        return tuple(json.loads(row[0])) if row else None

    def item_url(self, item_id: str) -> str | None:
        row = self.db.execute(ITEM_OR_EVENT.format(column="url"), (item_id,)).fetchone()
        return str(row[0]) if row else None

    # Threads

    def thread(self, tid: int) -> Thread | None:
        row = self.db.execute(THREAD + "WHERE t.id = ?", (tid,)).fetchone()
        return _thread(row) if row else None

    def item_thread(self, item_id: str) -> Thread | None:
        row = self.db.execute(THREAD + "WHERE t.kind = 'item' "
                              "AND t.target = ?", (item_id,)).fetchone()
        return _thread(row) if row else None

    def unanswered_questions(self, before: dt.datetime) -> list[Thread]:
        rows = self.db.execute(
            THREAD + "WHERE t.kind = 'board' AND t.type = 'question' "
            "AND t.created_at < ? AND EXISTS (SELECT 1 FROM posts p WHERE p.thread_id = t.id AND p.state = "
            "'visible') AND NOT EXISTS (SELECT 1 FROM posts p WHERE p.thread_id = t.id AND p.state = 'visible' "
            "AND p.author IS NOT t.author) ORDER BY t.target, t.created_at, t.id", (iso(before),))
        return [_thread(row) for row in rows.fetchall()]

    def question_times(self, since: dt.datetime) -> list[tuple[str, dt.datetime, dt.datetime | None]]:
        rows = self.db.execute(
            "SELECT t.target, t.created_at, (SELECT min(p.created_at) FROM posts p WHERE p.thread_id = t.id AND "
            "p.state = 'visible' AND p.author IS NOT t.author) FROM threads t WHERE t.kind = 'board' AND "
            "t.type = 'question' AND t.created_at >= ? ORDER BY t.target, t.created_at", (iso(since),))
        return [(row[0], parse_iso(row[1]), _time(row[2])) for row in rows.fetchall()]

    def participation(self) -> list[tuple[str, str, str, dt.datetime, dt.datetime]]:
        rows = self.db.execute(
            "SELECT t.kind, t.target, p.author, min(p.created_at), max(p.created_at) FROM posts p JOIN threads t ON "
            "t.id = p.thread_id WHERE p.state = 'visible' AND p.author IS NOT NULL GROUP BY t.kind, t.target, "
            "p.author ORDER BY t.kind, t.target")
        return [(row[0], row[1], row[2], parse_iso(row[3]), parse_iso(row[4])) for row in rows.fetchall()]

    def create_thread(self, kind: ThreadKind, target: str, type: ThreadType | None, title: str | None,
                      author: str, at: dt.datetime) -> Thread:
        with self.transaction():
            found = self.item_thread(target) if kind == "item" else None
            if found is not None:
                return found
            tid = self.db.execute("INSERT INTO threads (kind, target, type, title, author, created_at, last_post_at) "
                                  "VALUES (?, ?, ?, ?, ?, ?, ?)", (kind, target, type, title, author, iso(at),
                                                                   iso(at))).lastrowid
            created = self.thread(int(tid or 0))
        assert created is not None
        return created

    def board(self, community: str, viewer: str | None, everything: bool, limit: int,
              after: BoardCursor | None) -> list[Thread]:
        page, args = "", []
        if after is not None:
            page, args = "AND (t.pinned, t.last_post_at, t.id) < (?, ?, ?)", [int(after[0]), after[1], after[2]]
        rows = self.db.execute(
            THREAD + f"WHERE t.kind = 'board' AND t.target = ? "
            f"AND (? = 1 OR t.author = ? OR ({SHOWN}) > 0) "
            f"{page} ORDER BY t.pinned DESC, t.last_post_at DESC, t.id DESC LIMIT ?",
            [community, int(everything), viewer, *args, limit]).fetchall()
        return [_thread(row) for row in rows]

    def set_thread(self, tid: int, *, pinned: bool | None = None, locked: bool | None = None) -> None:
        for column, value in (("pinned", pinned), ("locked", locked)):
            if value is not None:
                self.db.execute(f"UPDATE threads SET {column} = ? WHERE id = ?", (int(value), tid))

    def accept(self, tid: int, post_id: int | None) -> None:
        self.db.execute("UPDATE threads SET accepted_post_id = ? WHERE id = ?", (post_id, tid))

    def touch_thread(self, tid: int, at: dt.datetime) -> None:
        self.db.execute("UPDATE threads SET last_post_at = CASE WHEN last_post_at > ?1 THEN last_post_at ELSE ?1 END "
                        "WHERE id = ?2", (iso(at), tid))

    def delete_thread(self, tid: int) -> None:
        self.db.execute("DELETE FROM threads WHERE id = ?", (tid,))

    def threads_by(self, subject: str) -> list[Thread]:
        rows = self.db.execute(THREAD + "WHERE t.author = ? ORDER BY t.id",
                               (subject,)).fetchall()
        return [_thread(row) for row in rows]

    # Posts

    def post(self, pid: int) -> Post | None:
        row = self.db.execute(f"SELECT *, ({HELPFUL}) AS marks FROM posts WHERE id = ?", (pid,)).fetchone()
        return _post(row) if row else None

    def thread_posts(self, tid: int) -> list[Post]:
        rows = self.db.execute(f"SELECT *, ({HELPFUL}) AS marks FROM posts WHERE thread_id = ? ORDER BY id", (tid,))
        return [_post(row) for row in rows.fetchall()]

    def post_by_key(self, author: str, key: str) -> Post | None:
        row = self.db.execute(f"SELECT *, ({HELPFUL}) AS marks FROM posts WHERE author = ? AND idempotency_key = ?",
                              (author, key)).fetchone()
        return _post(row) if row else None

    def add_post(self, thread_id: int, parent_id: int | None, author: str, body: str, state: PostState,
                 key: str, at: dt.datetime) -> Post:
        pid = self.db.execute("INSERT INTO posts (thread_id, parent_id, author, body, state, created_at, "
                              "idempotency_key) VALUES (?, ?, ?, ?, ?, ?, ?)",
                              (thread_id, parent_id, author, body, state, iso(at), key)).lastrowid
        if state == "visible":
            self.touch_thread(thread_id, at)
        added = self.post(int(pid or 0))
        assert added is not None
        return added

    def edit_post(self, pid: int, body: str, at: dt.datetime) -> None:
        self.db.execute("UPDATE posts SET body = ?, edited_at = ? WHERE id = ?", (body, iso(at), pid))

    def set_post_state(self, pid: int, state: PostState, reason: str | None = None, by: str | None = None) -> None:
        hidden = state == "hidden"
        self.db.execute("UPDATE posts SET state = ?, hidden_reason = ?, hidden_by = ? WHERE id = ?",
                        (state, reason if hidden else None, by if hidden else None, pid))

    def set_note(self, pid: int, note: str | None, by: str | None) -> None:
        self.db.execute("UPDATE posts SET steward_note = ?, steward_note_by = ? WHERE id = ?",
                        (note, by if note else None, pid))

    def delete_post(self, pid: int) -> None:
        with self.transaction():
            post = self.post(pid)
            if post is None:
                return
            self.db.execute("UPDATE threads SET accepted_post_id = NULL WHERE accepted_post_id = ?", (pid,))
            if self._holds_others(post):
                self.db.execute("DELETE FROM helpful WHERE post_id = ?", (pid,))
                self.db.execute("UPDATE posts SET body = NULL, state = 'deleted', hidden_reason = NULL, "
                                "hidden_by = NULL, steward_note = NULL, steward_note_by = NULL, edited_at = NULL "
                                "WHERE id = ?", (pid,))
                return
            self.db.execute("DELETE FROM posts WHERE id = ?", (pid,))
            parent = self.post(post.parent_id) if post.parent_id else None
            if parent is not None and parent.state == "deleted" and not self._holds_others(parent):
                self.db.execute("DELETE FROM posts WHERE id = ?", (parent.id,))
            self._tidy_thread(post.thread_id)

    def _holds_others(self, post: Post) -> bool:
        """Whether others' posts hang on this one: its replies, or, for a board's opening post, the thread."""
        if self.replies(post.id):
            return True
        first = self.db.execute("SELECT min(p.id), t.kind FROM posts p JOIN threads t ON t.id = p.thread_id "
                                "WHERE p.thread_id = ? GROUP BY t.kind", (post.thread_id,)).fetchone()
        if first[0] != post.id or first[1] != "board":
            return False
        count: int = self.db.execute("SELECT count(*) FROM posts WHERE thread_id = ?", (post.thread_id,)).fetchone()[0]
        return count > 1

    def _tidy_thread(self, tid: int) -> None:
        """A thread left with only deleted placeholders, or nothing, goes."""
        live = self.db.execute("SELECT count(*) FROM posts WHERE thread_id = ? AND state != 'deleted'",
                               (tid,)).fetchone()[0]
        if not live:
            self.delete_thread(tid)

    def replies(self, pid: int) -> int:
        return int(self.db.execute("SELECT count(*) FROM posts WHERE parent_id = ?", (pid,)).fetchone()[0])

    def posts_by(self, subject: str) -> list[Post]:
        rows = self.db.execute(f"SELECT *, ({HELPFUL}) AS marks FROM posts WHERE author = ? ORDER BY id", (subject,))
        return [_post(row) for row in rows.fetchall()]

    def published_in(self, subject: str) -> list[tuple[ThreadKind, str]]:
        rows = self.db.execute("SELECT DISTINCT t.kind, t.target FROM posts p JOIN threads t ON t.id = p.thread_id "
                               "WHERE p.author = ? AND p.state IN ('visible', 'hidden')", (subject,)).fetchall()
        return [(row[0], row[1]) for row in rows]

    def held_posts(self) -> list[Post]:
        rows = self.db.execute(f"SELECT *, ({HELPFUL}) AS marks FROM posts WHERE state = 'held' ORDER BY id")
        return [_post(row) for row in rows.fetchall()]

    # Marks and flags

    def mark(self, pid: int, subject: str, helpful: bool) -> None:
        if helpful:
            self.db.execute("INSERT INTO helpful VALUES (?, ?) ON CONFLICT DO NOTHING", (pid, subject))
        else:
            self.db.execute("DELETE FROM helpful WHERE post_id = ? AND subject = ?", (pid, subject))

    def marked(self, subject: str, post_ids: Sequence[int]) -> set[int]:
        found: set[int] = set()
        for start in range(0, len(post_ids), 500):
            chunk = list(post_ids[start:start + 500])
            rows = self.db.execute(f"SELECT post_id FROM helpful WHERE subject = ? AND post_id IN "
                                   f"({', '.join('?' * len(chunk))})", [subject, *chunk])
            found.update(row[0] for row in rows)
        return found

    def marks_by(self, subject: str) -> list[int]:
        rows = self.db.execute("SELECT post_id FROM helpful WHERE subject = ? ORDER BY post_id", (subject,))
        return [row[0] for row in rows.fetchall()]

    def add_flag(self, pid: int, subject: str, reason: FlagReason, text: str | None, at: dt.datetime
                 ) -> tuple[Flag, bool]:
        with self.transaction():
            new = self.db.execute("INSERT INTO flags (post_id, subject, reason, text, created_at) VALUES "
                                  "(?, ?, ?, ?, ?) ON CONFLICT (post_id, subject) DO NOTHING",
                                  (pid, subject, reason, text, iso(at))).rowcount == 1
            row = self.db.execute("SELECT * FROM flags WHERE post_id = ? AND subject = ?", (pid, subject)).fetchone()
        return _flag(row), new

    def flag(self, fid: int) -> Flag | None:
        row = self.db.execute("SELECT * FROM flags WHERE id = ?", (fid,)).fetchone()
        return _flag(row) if row else None

    def open_flags(self) -> list[Flag]:
        rows = self.db.execute("SELECT * FROM flags WHERE resolved_at IS NULL ORDER BY id").fetchall()
        return [_flag(row) for row in rows]

    def resolve_flags(self, by: str, at: dt.datetime, *, fid: int | None = None, pid: int | None = None) -> int:
        column, value = ("id", fid) if fid is not None else ("post_id", pid)
        return self.db.execute(f"UPDATE flags SET resolved_at = ?, resolved_by = ? WHERE {column} = ? "
                               "AND resolved_at IS NULL", (iso(at), by, value)).rowcount

    def flags_by(self, subject: str) -> list[Flag]:
        rows = self.db.execute("SELECT * FROM flags WHERE subject = ? ORDER BY id", (subject,)).fetchall()
        return [_flag(row) for row in rows]

    # The moderation log

    def log_action(self, actor: str, action: str, thread_id: int | None, post_id: int | None, reason: str | None,
                   at: dt.datetime) -> None:
        self.db.execute("INSERT INTO moderation_log (actor, action, thread_id, post_id, reason, at) "
                        "VALUES (?, ?, ?, ?, ?, ?)", (actor, action, thread_id, post_id, reason, iso(at)))

    def log_entries(self, limit: int, before: int | None = None) -> list[LogEntry]:
        rows = self.db.execute("SELECT * FROM moderation_log WHERE id < ? ORDER BY id DESC LIMIT ?",
                               (before if before is not None else 2**62, limit)).fetchall()
        return [_entry(row) for row in rows]

    def log_by(self, subject: str) -> list[LogEntry]:
        rows = self.db.execute("SELECT * FROM moderation_log WHERE actor = ? ORDER BY id", (subject,)).fetchall()
        return [_entry(row) for row in rows]

    # Rate limits

    def hit(self, subject: str, action: str, limit: int, window: float, now: dt.datetime) -> float | None:
        with self.transaction():
            row = self.db.execute("SELECT window_end, count FROM limits WHERE subject = ? AND action = ?",
                                  (subject, action)).fetchone()
            if row is None or row[0] <= iso(now):
                self.db.execute("INSERT INTO limits VALUES (?, ?, ?, 1) ON CONFLICT (subject, action) DO UPDATE "
                                "SET window_end = excluded.window_end, count = 1",
                                (subject, action, iso(now + dt.timedelta(seconds=window))))
                return None
            if row[1] >= limit:
                return (parse_iso(row[0]) - now).total_seconds()
            self.db.execute("UPDATE limits SET count = count + 1 WHERE subject = ? AND action = ?", (subject, action))
        return None

    # Retention and erasure

    def prune_threads(self, before: dt.datetime) -> int:
        return self.db.execute("DELETE FROM threads WHERE last_post_at < ?", (iso(before),)).rowcount

    def prune_log(self, before: dt.datetime) -> int:
        return self.db.execute("DELETE FROM moderation_log WHERE at < ?", (iso(before),)).rowcount

    def prune_flags(self, before: dt.datetime) -> int:
        return self.db.execute("DELETE FROM flags WHERE resolved_at < ?", (iso(before),)).rowcount

    def prune_limits(self, now: dt.datetime) -> int:
        return self.db.execute("DELETE FROM limits WHERE window_end <= ?", (iso(now),)).rowcount

    def _forget_talk(self, subject: str, posts: ErasePosts) -> tuple[int, int, int]:
        """Before the person's row goes (whose foreign keys then delete their marks, flags and limits, and take
        their name off threads, posts and the log): their idempotency keys, and with `remove` their text.
        (posts, marks, flags) counted."""
        counts = [self.db.execute(f"SELECT count(*) FROM {table} WHERE {column} = ?", (subject,)).fetchone()[0]
                  for table, column in (("posts", "author"), ("helpful", "subject"), ("flags", "subject"))]
        if posts == "remove":
            for post in self.posts_by(subject):
                self.delete_post(post.id)
            self.db.execute("UPDATE threads SET title = NULL WHERE author = ? AND kind = 'board'", (subject,))
            self.db.execute("UPDATE posts SET steward_note = NULL WHERE steward_note_by = ?", (subject,))
        self.db.execute("UPDATE posts SET idempotency_key = NULL WHERE author = ?", (subject,))
        return counts[0], counts[1], counts[2]


def _time(value: str | None) -> dt.datetime | None:
    return parse_iso(value) if value else None


def _thread(row: sqlite3.Row) -> Thread:
    return Thread(row["id"], row["kind"], row["target"], row["type"], row["title"], row["author"],
                  parse_iso(row["created_at"]), parse_iso(row["last_post_at"]), bool(row["pinned"]),
                  bool(row["locked"]), row["accepted_post_id"], row["shown"], routed(row["routed"]))


def _post(row: sqlite3.Row) -> Post:
    return Post(row["id"], row["thread_id"], row["parent_id"], row["author"], row["body"], row["state"],
                parse_iso(row["created_at"]), _time(row["edited_at"]), row["hidden_reason"], row["hidden_by"],
                row["steward_note"], row["steward_note_by"], row["idempotency_key"], row["marks"])


def _flag(row: sqlite3.Row) -> Flag:
    return Flag(row["id"], row["post_id"], row["subject"], row["reason"], row["text"], parse_iso(row["created_at"]),
                _time(row["resolved_at"]), row["resolved_by"])


def _entry(row: Any) -> LogEntry:
    return LogEntry(row["id"], row["actor"], row["action"], row["thread_id"], row["post_id"], row["reason"],
                    parse_iso(row["at"]))
