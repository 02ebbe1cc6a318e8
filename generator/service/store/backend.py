"""`open_store()`: the store for a database setting, migrated. It picks the backend (an SQLite file path, or a
`postgresql://` URL), so the backends can import `base.py` (the protocol and its errors) without `base.py`
importing them."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from .base import Store, UnusableDatabase
from .sqlite import SqliteStore


def is_postgres(db: Path | str) -> bool:
    return isinstance(db, str) and db.startswith(("postgresql://", "postgres://"))


def open_store(db: Path | str) -> Store:
    """The store at `db` (an SQLite file path or a PostgreSQL URL), migrated; UnusableDatabase (one line) if it
    cannot be."""
    if is_postgres(db):
        return _open_postgres(str(db))
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


def _open_postgres(url: str) -> Store:
    import psycopg
    import psycopg_pool

    from .postgres import PostgresStore, redacted

    try:
        store = PostgresStore(url)
    except (psycopg.Error, psycopg_pool.PoolTimeout) as exc:
        raise UnusableDatabase(f"{redacted(url)}: cannot connect to PostgreSQL: {exc}") from None
    try:
        store.migrate()
    except psycopg.Error as exc:
        store.close()
        raise UnusableDatabase(f"{redacted(url)}: cannot prepare the database: {exc}".strip()) from None
    return store
