"""The PostgreSQL store: the same tables and SQL as the SQLite store, on a psycopg 3 connection pool.

The store's SQL is written once, in the portable subset both databases accept (ARCHITECTURE.md, "The
store"), and run here through `_Connection`, which gives the table mixins the part of sqlite3's interface
they use: `?` placeholders become psycopg's, results are read at once, an INSERT into a table with an integer
id returns it (`lastrowid`). What differs is what one process could take for granted:
- Write transactions were written for SQLite's single writer (BEGIN IMMEDIATE): here each takes a
  transaction-scoped advisory lock first, so they stay serialised across every instance on the database,
  and commit or roll back as one. Reads outside a transaction see committed rows, as with SQLite's WAL.
- The outboxes (push and mail) are claimed with FOR UPDATE SKIP LOCKED, so several senders share the work; each
  claim names its sender and a lease (PRACTICA_PUSH_CLAIM_LEASE), renewed while it works, given back when it
  stops, and taken back by another sender only once the lease has ended (a killed instance). `sender_lock`, the
  SQLite file's guard against a second sender, has nothing to guard here.
- One instance at a time polls the feed: the holder of a session advisory lock, which PostgreSQL releases when
  that instance dies, so another takes over at its next round.
"""

from __future__ import annotations

import functools
import re
import threading
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from .migrations import MIGRATIONS
from .sqlite import SqliteStore, sender_id

# SQLite's functions the shared SQL uses that PostgreSQL spells otherwise, defined in the database (run as they
# are, not through `translate`). group_concat(value, separator): SQLite 3.40 has no string_agg.
COMPAT = (
    "CREATE OR REPLACE FUNCTION practica_concat(acc text, value text, sep text) RETURNS text LANGUAGE sql "
    "IMMUTABLE AS $$ SELECT CASE WHEN value IS NULL THEN acc WHEN acc IS NULL THEN value "
    "ELSE acc || sep || value END $$",
    "CREATE OR REPLACE AGGREGATE group_concat(text, text) (SFUNC = practica_concat, STYPE = text)",
)
# Any 64-bit key, the same in every instance: the write lock (pg_advisory_xact_lock).
WRITE_LOCK = 0x7072616374696361  # "practica"
POLL_LOCK = WRITE_LOCK + 1  # held for as long as one instance polls the feed
# seconds a caller waits for a pooled connection (psycopg_pool.PoolTimeout after): while the database is
# down, the API answers 503 after this long rather than holding the request for psycopg_pool's 30 s.
CONNECTION_WAIT = 10.0
HEALTH_TIMEOUT = 3.0  # seconds /health waits for a connection before it says the database is unreachable
_ID_TABLE = re.compile(r"CREATE TABLE (\w+) \(\s*id INTEGER PRIMARY KEY", re.IGNORECASE)
_INSERT_INTO = re.compile(r"\s*INSERT INTO (\w+)", re.IGNORECASE)
# Tables whose rows get an integer id on insert: an INSERT into one returns it, as sqlite3's lastrowid.
ID_TABLES = frozenset(m[1] for _, _, statements in MIGRATIONS for s in statements for m in _ID_TABLE.finditer(s))


class Row:
    """A result row as sqlite3.Row reads: by position and by column name."""

    __slots__ = ("_names", "_values")

    def __init__(self, names: dict[str, int], values: Sequence[Any]) -> None:
        self._names, self._values = names, values

    def __getitem__(self, key: int | str) -> Any:
        return self._values[key if isinstance(key, int) else self._names[key]]

    def __iter__(self) -> Iterator[Any]:
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)

    def keys(self) -> list[str]:
        return list(self._names)


class _Result:
    """What the mixins read from a cursor: the rows (fetched at once), rowcount and lastrowid."""

    def __init__(self, rows: list[Row], rowcount: int, lastrowid: int | None) -> None:
        self._rows, self.rowcount, self.lastrowid = rows, rowcount, lastrowid

    def fetchone(self) -> Row | None:
        return self._rows[0] if self._rows else None

    def fetchall(self) -> list[Row]:
        return list(self._rows)

    def __iter__(self) -> Iterator[Row]:
        return iter(self._rows)


@functools.lru_cache(maxsize=1024)
def translate(sql: str) -> tuple[str, tuple[int, ...] | None, bool]:
    """SQLite SQL as psycopg runs it: (text with %s placeholders, the parameter order for numbered `?N`
    placeholders or None, whether the statement returns a new row's id)."""
    out, order, i, n = [], [], 0, len(sql)
    numbered = False
    while i < n:
        c = sql[i]
        if sql.startswith("--", i):  # a comment, to the end of its line
            end = sql.find("\n", i)
            end = n if end < 0 else end
            out.append(sql[i:end].replace("%", "%%"))
            i = end
        elif c == "'":  # a string literal, copied as it is (its % doubled)
            end = sql.index("'", i + 1)
            while end + 1 < n and sql[end + 1] == "'":
                end = sql.index("'", end + 2)
            out.append(sql[i:end + 1].replace("%", "%%"))
            i = end + 1
        elif c == "?":
            j = i + 1
            while j < n and sql[j].isdigit():
                j += 1
            if j > i + 1:
                numbered = True
                order.append(int(sql[i + 1:j]) - 1)
            else:
                order.append(len(order))
            out.append("%s")
            i = j
        elif c == "%":
            out.append("%%")
            i += 1
        else:
            out.append(c)
            i += 1
    text = "".join(out)
    insert = _INSERT_INTO.match(text)
    returning = bool(insert and insert[1].lower() in ID_TABLES and "RETURNING" not in text.upper())
    if returning:
        text += " RETURNING id"
    return text, tuple(order) if numbered else None, returning


def ddl(statement: str) -> str:
    """A migration statement as PostgreSQL spells it: ids are identity columns, integers 64-bit."""
    statement = re.sub(r"\bid INTEGER PRIMARY KEY\b", "id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY",
                       statement)
    statement = re.sub(r"\bBLOB\b", "BYTEA", statement)
    return re.sub(r"\bINTEGER\b", "BIGINT", statement)


class _Connection:
    """sqlite3.Connection's execute/executemany over the store's pool (or its open transaction)."""

    def __init__(self, store: PostgresStore) -> None:
        self._store = store

    def execute(self, sql: str, params: Sequence[Any] = ()) -> _Result:
        text, order, returning = translate(sql)
        args = [params[k] for k in order] if order is not None else list(params)
        with self._store._connection() as conn:
            cur = conn.execute(text.encode(), args or None)
            rows: list[Row] = []
            if cur.description is not None:
                names = {col.name: k for k, col in enumerate(cur.description)}
                rows = [Row(names, values) for values in cur.fetchall()]
            lastrowid = int(rows[0][0]) if returning and rows else None
            return _Result([] if returning else rows, cur.rowcount, lastrowid)

    def executemany(self, sql: str, seq: Iterable[Sequence[Any]]) -> _Result:
        text, order, _ = translate(sql)
        rows = [[p[k] for k in order] if order is not None else list(p) for p in seq]
        with self._store._connection() as conn, conn.cursor() as cur:
            if rows:
                cur.executemany(text.encode(), rows)
            return _Result([], cur.rowcount, None)


class PostgresStore(SqliteStore):
    """The Store protocol on PostgreSQL (`postgresql://…`), sharing the SQLite store's tables and SQL."""

    JSON_HAS = "jsonb_exists(CAST({array} AS jsonb), {value})"
    EXCLUSIVE_SENDER = False  # several senders: a 'sending' row is taken back only when its lease has ended
    CLAIM_LOCK = " FOR UPDATE OF {table} SKIP LOCKED"  # a row another sender is claiming is skipped, not waited for

    def __init__(self, url: str, *, min_size: int = 1, max_size: int = 10) -> None:
        from psycopg_pool import ConnectionPool

        self.url = url
        self.path = redacted(url)  # type: ignore[assignment]  # messages name the database, never its password
        self.read_only = False
        self._local = threading.local()
        # check: a pooled connection is tested (one round trip) before it is lent out, so those the server
        # closed while they sat idle (a restart, a failover) are discarded and replaced, not handed to a request.
        self._pool = ConnectionPool(url, min_size=min_size, max_size=max_size, open=True,
                                    kwargs={"autocommit": True}, name="practica", timeout=CONNECTION_WAIT,
                                    check=ConnectionPool.check_connection)
        self._pool.wait(timeout=30)
        self.owner = sender_id()
        self._poll_lock: Any = None  # the connection holding the polling lock, while this instance polls

    @property
    def db(self) -> _Connection:  # type: ignore[override]
        return _Connection(self)

    @contextmanager
    def _connection(self) -> Iterator[Any]:
        conn = getattr(self._local, "conn", None)
        if conn is not None:
            yield conn
            return
        with self._pool.connection() as conn:
            yield conn

    @contextmanager
    def transaction(self, serialised: bool = True) -> Iterator[None]:
        if getattr(self._local, "conn", None) is not None:
            yield
            return
        with self._pool.connection() as conn, conn.transaction():
            if serialised:
                conn.execute("SELECT pg_advisory_xact_lock(%s)", (WRITE_LOCK,))
            self._local.conn = conn
            try:
                yield
            finally:
                self._local.conn = None

    def lead_polling(self) -> bool:
        """Hold (or take) the session advisory lock POLL_LOCK on a connection of its own: released by PostgreSQL
        when this process dies or loses the connection, so another instance takes over polling."""
        import psycopg

        if self._poll_lock is not None:
            try:
                self._poll_lock.execute("SELECT 1")
                return True
            except psycopg.Error:
                self._drop_poll_lock()
        try:
            conn = psycopg.connect(self.url, autocommit=True)
        except psycopg.Error:
            return False
        row = conn.execute("SELECT pg_try_advisory_lock(%s)", (POLL_LOCK,)).fetchone()
        if row is not None and row[0]:
            self._poll_lock = conn
            return True
        conn.close()
        return False

    def _drop_poll_lock(self) -> None:
        if self._poll_lock is not None:
            self._poll_lock.close()
            self._poll_lock = None

    def close(self) -> None:
        self._drop_poll_lock()
        self._pool.close()
        self._local = threading.local()

    def write_problem(self) -> str | None:
        """Why this database cannot take writes now, or None: unreachable (within HEALTH_TIMEOUT), a standby, or
        read-only for this role or database (`default_transaction_read_only`)."""
        import psycopg
        import psycopg_pool

        try:
            with self._pool.connection(timeout=HEALTH_TIMEOUT) as conn:
                if _value(conn, "SELECT pg_is_in_recovery()") is True:
                    return "the database is a read-only standby"
                if _value(conn, "SHOW transaction_read_only") == "on":
                    return "the database is read-only for this role or database (transaction_read_only is on)"
                conn.execute("SELECT 1 FROM schema_migrations LIMIT 1")
        except psycopg_pool.PoolTimeout:
            return f"no connection to the database within {HEALTH_TIMEOUT:g} s"
        except psycopg.Error as exc:
            return str(exc).strip()
        return None

    def _prepare(self) -> None:
        with self._connection() as conn:  # run as they are, not through `translate`
            for statement in COMPAT:
                conn.execute(statement.encode())

    @staticmethod
    def _spelled(statement: str) -> str:
        return ddl(statement)

    def schema_version(self) -> int:
        if self.db.execute("SELECT to_regclass('schema_migrations')").fetchall()[0][0] is None:
            return 0
        return int(self.db.execute("SELECT coalesce(max(version), 0) FROM schema_migrations").fetchall()[0][0])

    @contextmanager
    def sender_lock(self) -> Iterator[None]:
        yield  # several senders share the outbox: claims skip rows another sender has locked


def redacted(url: str) -> str:
    """A database URL as messages show it: without the password."""
    return re.sub(r"://([^:/@]*):[^@/]*@", r"://\1:***@", url)


def _value(conn: Any, sql: str) -> Any:
    row = conn.execute(sql).fetchone()
    return row[0] if row else None
