"""`open_store()`: the store for a database setting, migrated. It picks the backend (SQLite today), so the
backends can import `store.py` (the protocol and its errors) without `store.py` importing them."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from .base import Store, UnusableDatabase
from .sqlite import SqliteStore


def open_store(db: Path | str) -> Store:
    """The store at `db` (an SQLite file path), migrated; UnusableDatabase (one line) if it cannot be."""
    store = SqliteStore(Path(db))
    try:
        store.migrate()
    except sqlite3.OperationalError as exc:  # locked, unreadable, a folder in its place, a full disk…
        store.close()
        raise UnusableDatabase(f"{db}: cannot open the SQLite database: {exc}") from None
    except sqlite3.DatabaseError as exc:  # "file is not a database", "database disk image is malformed"
        store.close()
        raise UnusableDatabase(f"{db} is not a usable SQLite database: {exc}; restore it from a backup "
                               "(see README, \"Push notifications\")") from None
    return store
