"""Introductions on the SQLite file (a reader's motto, learning, workplace, communities and photo; a community's
new members; introduction rounds), mixed into `SqliteStore` like `sqlite_talk.py`."""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from collections.abc import Sequence
from contextlib import AbstractContextManager
from typing import TYPE_CHECKING

from ..models import Introduction, iso, parse_iso

# Threads of a community: its board's, and the discussions of items published in it. `{has}` is the store's
# JSON-array membership test (JSON_HAS), the one spelling SQLite and PostgreSQL do not share.
IN_COMMUNITY = ("(t.kind = 'board' AND t.target = ?1) OR (t.kind = 'item' AND t.target IN (SELECT i.id FROM items i "
                "WHERE {has}))")


class IntroTables:
    """The introductions half of the Store protocol."""

    # Whether the JSON array in column {array} holds the value {value}.
    JSON_HAS = "EXISTS (SELECT 1 FROM json_each({array}) WHERE value = {value})"

    if TYPE_CHECKING:
        @property
        def db(self) -> sqlite3.Connection: ...

        def transaction(self) -> AbstractContextManager[None]: ...

    def introduction(self, subject: str) -> Introduction | None:
        row = self.db.execute("SELECT * FROM introductions WHERE subject = ?", (subject,)).fetchone()
        return _introduction(row) if row else None

    def introductions(self, subjects: Sequence[str]) -> dict[str, Introduction]:
        if not subjects:
            return {}
        marks = ", ".join("?" for _ in subjects)
        rows = self.db.execute(f"SELECT * FROM introductions WHERE subject IN ({marks})", tuple(subjects))
        return {row["subject"]: _introduction(row) for row in rows}

    def save_introduction(self, intro: Introduction) -> None:
        """Insert or replace the text and communities (the photo is kept: `set_photo` changes it)."""
        self.db.execute(
            "INSERT INTO introductions (subject, motto, learning, workplace, communities, created_at, updated_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (subject) DO UPDATE SET motto = excluded.motto, "
            "learning = excluded.learning, workplace = excluded.workplace, communities = excluded.communities, "
            "updated_at = excluded.updated_at",
            (intro.subject, intro.motto, intro.learning, intro.workplace, json.dumps(list(intro.communities)),
             iso(intro.created_at), iso(intro.updated_at)))

    def set_photo(self, subject: str, photo: bytes | None, photo_id: str | None, at: dt.datetime) -> bool:
        """Replace (or with None remove) the photo of an existing introduction; False when there is none."""
        return self.db.execute("UPDATE introductions SET photo = ?, photo_id = ?, updated_at = ? WHERE subject = ?",
                               (photo, photo_id, iso(at), subject)).rowcount > 0

    def photo(self, photo_id: str) -> bytes | None:
        row = self.db.execute("SELECT photo FROM introductions WHERE photo_id = ?", (photo_id,)).fetchone()
        return bytes(row[0]) if row and row[0] is not None else None

    def own_photo(self, subject: str) -> bytes | None:
        row = self.db.execute("SELECT photo FROM introductions WHERE subject = ?", (subject,)).fetchone()
        return bytes(row[0]) if row and row[0] is not None else None

    def delete_introduction(self, subject: str) -> bool:
        return self.db.execute("DELETE FROM introductions WHERE subject = ?", (subject,)).rowcount > 0

    def new_members(self, community: str, since: dt.datetime, limit: int) -> list[tuple[str, dt.datetime]]:
        """(subject, when they joined) of people who introduced themselves into the community, or first had a
        visible post in its discussions, at or after `since`: newest first, at most `limit`."""
        in_community = IN_COMMUNITY.format(has=self.JSON_HAS.format(array="i.topics", value="?1"))
        introduced = self.JSON_HAS.format(array="n.communities", value="?1")
        rows = self.db.execute(
            "WITH firsts AS (SELECT p.author AS subject, min(p.created_at) AS at FROM posts p JOIN threads t "
            f"ON t.id = p.thread_id WHERE p.author IS NOT NULL AND p.state = 'visible' AND ({in_community}) "
            "GROUP BY p.author), intros AS (SELECT n.subject, n.created_at AS at FROM introductions n WHERE "
            f"{introduced}), joined AS (SELECT subject, at FROM firsts UNION ALL "
            "SELECT subject, at FROM intros) SELECT subject, min(at) AS at FROM joined GROUP BY subject "
            "HAVING min(at) >= ?2 ORDER BY at DESC, subject LIMIT ?3", (community, iso(since), limit))
        return [(row["subject"], parse_iso(row["at"])) for row in rows]

    def open_round(self, community: str) -> int | None:
        """The thread of the community's latest introduction round, while it exists and is not locked."""
        row = self.db.execute(
            "SELECT r.thread_id FROM introduction_rounds r JOIN threads t ON t.id = r.thread_id AND t.locked = 0 "
            "WHERE r.community = ? ORDER BY r.id DESC LIMIT 1", (community,)).fetchone()
        return int(row[0]) if row else None

    def add_round(self, community: str, tid: int, at: dt.datetime) -> None:
        self.db.execute("INSERT INTO introduction_rounds (community, thread_id, opened_at) VALUES (?, ?, ?)",
                        (community, tid, iso(at)))


def _introduction(row: sqlite3.Row) -> Introduction:
    return Introduction(row["subject"], row["motto"], row["learning"], row["workplace"],
                        tuple(json.loads(row["communities"])), row["photo_id"], parse_iso(row["created_at"]),
                        parse_iso(row["updated_at"]))
