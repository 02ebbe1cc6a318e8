""""Ask an expert" on the SQLite file (items' experts, questions' routes), mixed into `SqliteStore` like
`sqlite_talk.py`."""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from collections.abc import Sequence
from typing import TYPE_CHECKING

from ..models import FeedItem, iso

# A thread's routes as `rank:person` pairs (SQLite 3.40's group_concat takes no ORDER BY): `routed()` sorts them.
ROUTED = "SELECT group_concat(r.rank || ':' || r.person, ' ') FROM routes r WHERE r.thread_id = t.id"


def routed(text: str | None) -> tuple[str, ...]:
    """The person ids of `ROUTED`'s text, in routing order."""
    pairs = (pair.split(":", 1) for pair in (text or "").split())
    return tuple(person for _, person in sorted(pairs, key=lambda p: int(p[0])))


class AskTables:
    """The AskStore protocol on the SQLite file `SqliteStore` opens."""

    if TYPE_CHECKING:
        @property
        def db(self) -> sqlite3.Connection: ...

    def set_experts(self, items: Sequence[FeedItem]) -> None:
        """Keep each ingested item's experts as the latest feed says (they change as evidence grows)."""
        self.db.executemany("UPDATE items SET experts = ?1 WHERE id = ?2 AND experts != ?1",
                            [(json.dumps(i.experts), i.id) for i in items])

    def item_experts(self, item_id: str) -> tuple[str, ...] | None:
        row = self.db.execute("SELECT experts FROM items WHERE id = ?", (item_id,)).fetchone()
        return tuple(json.loads(row[0])) if row else None

    def add_routes(self, tid: int, persons: Sequence[str], asked: bool, at: dt.datetime) -> None:
        self.db.executemany("INSERT INTO routes (thread_id, rank, person, asked, routed_at) VALUES (?, ?, ?, ?, ?)",
                            [(tid, rank, person, int(asked and rank == 0), iso(at))
                             for rank, person in enumerate(persons)])

    def routed_between(self, person: str, start: dt.datetime, end: dt.datetime) -> int:
        """How many questions were routed to the person in [start, end): the daily cap's count."""
        return int(self.db.execute("SELECT count(*) FROM routes WHERE person = ? AND routed_at >= ? AND routed_at < ?",
                                   (person, iso(start), iso(end))).fetchone()[0])

    def routes_to(self, person: str) -> list[tuple[int, bool, str]]:
        """Every question routed to the person (their export): (thread, asked by name, routed_at)."""
        return [(row[0], bool(row[1]), row[2]) for row in self.db.execute(
            "SELECT thread_id, asked, routed_at FROM routes WHERE person = ? ORDER BY routed_at, thread_id",
            (person,))]

    def forget_routes_to(self, person: str) -> int:
        """Erasure: the questions routed to the person no longer name them."""
        return self.db.execute("DELETE FROM routes WHERE person = ?", (person,)).rowcount
