"""`open_store()`: the store for a database setting, migrated or checked. It picks the backend (an SQLite file
path, or a `postgresql://` URL), so the backends can import `base.py` (the protocol and its errors) without
`base.py` importing them.

The rule on migrations at start (`migrates_on_open`): the embedded SQLite file is migrated by whoever opens
it, as it always was; a PostgreSQL database is shared by several instances, so it is migrated only by
`practica push migrate`, and an instance refuses a schema older or newer than its own (`check_schema`)."""

from __future__ import annotations

import sqlite3
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from ...errors import ConfigError
from .base import Store, UnusableDatabase
from .migrations import LATEST
from .sqlite import SqliteStore

T = TypeVar("T")


def is_postgres(db: Path | str) -> bool:
    return isinstance(db, str) and db.startswith(("postgresql://", "postgres://"))


# sqlite3.OperationalError messages that say the file cannot be used now (its disk or mount, another writer),
# as opposed to a bug in the SQL, which is an OperationalError too ("no such table").
SQLITE_UNREACHABLE = ("unable to open database file", "disk I/O error", "database is locked")


def unreachable(exc: BaseException) -> bool:
    """Whether `exc` says the database cannot be reached now rather than that the code is wrong: PostgreSQL down,
    restarting or refusing connections, no pooled connection free within its wait, a session ended by the server
    (every psycopg OperationalError, psycopg_pool.PoolTimeout among them); an SQLite file that cannot be opened or
    stays locked. The API answers these 503 with a Retry-After; the next request may succeed."""
    if isinstance(exc, sqlite3.OperationalError):
        return str(exc).startswith(SQLITE_UNREACHABLE)
    psycopg = sys.modules.get("psycopg")  # not imported: no PostgreSQL store, so none of its errors
    return psycopg is not None and isinstance(exc, psycopg.OperationalError)


def database_errors() -> tuple[type[Exception], ...]:
    """The exception types `unreachable` may accept, for the API's handler: sqlite3's, and psycopg's once a
    PostgreSQL store has imported it (the app is created with its store open)."""
    psycopg = sys.modules.get("psycopg")
    return (sqlite3.OperationalError, *((psycopg.OperationalError,) if psycopg is not None else ()))


def unreachable_in(exc: BaseException) -> BaseException | None:
    """The error in `exc` (an ExceptionGroup from a task group, or its cause) that says the database cannot be
    reached now, if any (`unreachable`)."""
    if unreachable(exc):
        return exc
    inner = list(exc.exceptions) if isinstance(exc, BaseExceptionGroup) else []
    if exc.__cause__ is not None:
        inner.append(exc.__cause__)
    return next((found for e in inner if (found := unreachable_in(e)) is not None), None)


def migrates_on_open(db: Path | str) -> bool:
    """Whether the service's commands migrate `db` when they open it (SQLite), or only check its schema
    version and leave migrating to `practica push migrate` (PostgreSQL: several instances share it)."""
    return not is_postgres(db)


def open_store(db: Path | str, *, migrate: bool = True) -> Store:
    """The store at `db` (an SQLite file path or a PostgreSQL URL), migrated, or with `migrate=False` checked
    to be at this Practica's schema version (`check_schema`); UnusableDatabase or ConfigError (one line) if it
    cannot be used."""
    name = redacted(db) if is_postgres(db) else str(db)
    return _prepared(db, (lambda store: store.migrate()) if migrate else (lambda store: check_schema(store, name)))[0]


def migrate_database(db: Path | str) -> list[int]:
    """`practica push migrate`: apply what is missing of the schema to `db`; the versions applied (none if it
    was current)."""
    store, applied = _prepared(db, lambda store: store.migrate())
    store.close()
    return applied


def redacted(db: Path | str) -> str:
    """The database as messages show it: a URL without its password."""
    from .postgres import redacted as without_password

    return without_password(str(db)) if is_postgres(db) else str(db)


def one_line(exc: BaseException) -> str:
    """A database error's message (psycopg adds hints on further lines) as one line."""
    return " ".join(str(exc).split())


def check_schema(store: Store, name: str) -> None:
    """A ConfigError unless `store`'s schema is at this Practica's version: an older one names the command that
    migrates it, a newer one asks for a newer Practica."""
    version = store.schema_version()
    if version > LATEST:
        raise ConfigError(f"{name} has schema version {version}, newer than this Practica knows ({LATEST}): "
                          "upgrade Practica")
    if version < LATEST:
        raise ConfigError(f"{name} has schema version {version}, older than this Practica's ({LATEST}): run "
                          f"`practica push migrate --db {name}` first")


def _prepared(db: Path | str, prepare: Callable[[Store], T]) -> tuple[Store, T]:
    """The store at `db` and what `prepare` made of it; closed again, and one line raised, if that fails."""
    if is_postgres(db):
        return _prepared_postgres(str(db), prepare)
    store = SqliteStore(Path(db))
    try:
        return store, prepare(store)
    except sqlite3.OperationalError as exc:  # locked, unreadable, a folder in its place, a full disk…
        store.close()
        raise UnusableDatabase(f"{db}: cannot open the SQLite database: {exc}") from None
    except sqlite3.DatabaseError as exc:  # "file is not a database", "database disk image is malformed"
        store.close()
        raise UnusableDatabase(f"{db} is not a usable SQLite database: {exc}; restore it from a backup "
                               "(see README, \"Push notifications\")") from None
    except BaseException:
        store.close()
        raise


def _prepared_postgres(url: str, prepare: Callable[[Store], T]) -> tuple[Store, T]:
    import psycopg
    import psycopg_pool

    from .postgres import PostgresStore

    try:  # one attempt first: the pool would retry an address where nothing answers for half a minute
        psycopg.connect(url, connect_timeout=10).close()
        store = PostgresStore(url)
    except (psycopg.Error, psycopg_pool.PoolTimeout) as exc:
        raise UnusableDatabase(f"{redacted(url)}: cannot connect to PostgreSQL: {one_line(exc)}") from None
    try:
        return store, prepare(store)
    except psycopg.Error as exc:
        store.close()
        raise UnusableDatabase(f"{redacted(url)}: cannot prepare the database: {one_line(exc)}") from None
    except BaseException:
        store.close()
        raise
