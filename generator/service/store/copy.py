"""`copy_store()`: move an installation from its SQLite file to an empty PostgreSQL database
(`practica push copy-store`).

The tables are read from the source's schema, not listed here, so a table a new migration adds is copied
too (and the target, at the same version, must have the same tables). Rows keep their ids; the target's
identity sequences then move past them. Everything on the target (its migrations included) is one
transaction: a failure leaves it as it was.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from ...errors import ConfigError, PracticaError
from .backend import is_postgres, one_line
from .migrations import LATEST
from .postgres import PostgresStore, redacted
from .sqlite import SqliteStore

BATCH = 500  # rows per executemany


def table_order(source: SqliteStore) -> list[str]:
    """The source's tables (its bookkeeping aside) in foreign-key order: every table after those it refers to."""
    names = [row[0] for row in source.db.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
        "AND name != 'schema_migrations' ORDER BY name")]
    refers = {name: {row["table"] for row in source.db.execute(f"PRAGMA foreign_key_list({_q(name)})")} - {name}
              for name in names}
    ordered: list[str] = []
    while len(ordered) < len(names):  # bounded: each pass places at least one table, or raises
        ready = [name for name in names if name not in ordered and refers[name] <= set(ordered)]
        if not ready:
            raise PracticaError(f"the source's foreign keys form a cycle among {sorted(set(names) - set(ordered))}")
        ordered.extend(ready)
    return ordered


def copy_store(source_path: Path, target_url: str) -> list[tuple[str, int]]:
    """Copy every row of the SQLite store at `source_path` into the empty PostgreSQL database at `target_url`
    (migrated first); (table, rows) in the order copied, counts verified on the target."""
    import psycopg
    import psycopg_pool

    if not is_postgres(target_url):
        raise ConfigError(f"--to {target_url}: copy-store moves an installation to PostgreSQL; give a "
                          "postgresql://user@host/database URL")
    if not source_path.is_file():
        raise ConfigError(f"--from {source_path}: no such SQLite file; give the file PRACTICA_PUSH_DB names")
    name = redacted(target_url)
    source = SqliteStore(source_path, read_only=True)
    try:
        try:
            version = source.schema_version()
            if version != LATEST:
                raise ConfigError(f"{source_path} has schema version {version}, not this Practica's ({LATEST}): "
                                  + (f"run `practica push migrate --db {source_path}` first" if version < LATEST
                                     else "upgrade Practica"))
            tables = table_order(source)
            source.db.execute("BEGIN")  # one snapshot of the source, whatever else reads it meanwhile
            counts = {table: int(source.db.execute(f"SELECT count(*) FROM {_q(table)}").fetchone()[0])
                      for table in tables}
        except sqlite3.DatabaseError as exc:
            raise ConfigError(f"--from {source_path}: cannot read it as an SQLite store: {exc}") from None
        try:  # one attempt first: the pool would retry an address where nothing answers for half a minute
            psycopg.connect(target_url, connect_timeout=10).close()
            target = PostgresStore(target_url)
        except (psycopg.Error, psycopg_pool.PoolTimeout) as exc:
            raise ConfigError(f"{name}: cannot connect to PostgreSQL: {one_line(exc)}") from None
        step = "migrating it"
        try:
            with target.transaction():
                target.migrate()
                _check_target(target, name, tables)
                for table in tables:
                    step = f"copying {table}"
                    _copy_table(source, target, table)
                step = "moving its id sequences"
                _move_sequences(target, tables)
                copied = {table: int(target.db.execute(f"SELECT count(*) FROM {_q(table)}").fetchall()[0][0])
                          for table in tables}
                wrong = [f"{t} {counts[t]} → {copied[t]}" for t in tables if copied[t] != counts[t]]
                if wrong:
                    raise PracticaError(f"{name}: row counts differ after copying ({', '.join(wrong)}); nothing "
                                        "was kept")
        except (psycopg.Error, sqlite3.Error) as exc:  # the target refused a row, the connection or file failed
            raise PracticaError(f"{name}: {step} failed, nothing was kept: {one_line(exc)}") from None
        finally:
            target.close()
        source.db.execute("COMMIT")
    finally:
        source.close()
    return [(table, counts[table]) for table in tables]


def _q(name: str) -> str:
    """An identifier from the source's own schema, quoted."""
    return '"' + name.replace('"', '""') + '"'


def _check_target(target: PostgresStore, name: str, tables: list[str]) -> None:
    """A ConfigError unless the target (migrated) has exactly the source's tables, every one empty."""
    present = {row[0] for row in target.db.execute(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() "
        "AND table_type = 'BASE TABLE' AND table_name != 'schema_migrations'")}
    if present != set(tables):
        raise ConfigError(f"{name}: its tables differ from the source's (only in the source: "
                          f"{sorted(set(tables) - present)}; only in the target: {sorted(present - set(tables))})")
    for table in tables:
        rows = int(target.db.execute(f"SELECT count(*) FROM {_q(table)}").fetchall()[0][0])
        if rows:
            raise ConfigError(f"{name}: table {table} is not empty ({rows} rows); copy-store fills an empty "
                              "database only: give a new database, or drop and re-create this one")


def _copy_table(source: SqliteStore, target: PostgresStore, table: str) -> None:
    """Every row of `table`, ids kept, in rowid order (a reply after the post it answers)."""
    names = [_q(row["name"]) for row in source.db.execute(f"PRAGMA table_info({_q(table)})")]
    columns = ", ".join(names)
    insert = f"INSERT INTO {_q(table)} ({columns}) VALUES ({', '.join('?' for _ in names)})"
    cursor = source.db.execute(f"SELECT {columns} FROM {_q(table)} ORDER BY rowid")
    while batch := cursor.fetchmany(BATCH):  # ends with the table's last row
        target.db.executemany(insert, [tuple(row) for row in batch])


def _move_sequences(target: PostgresStore, tables: list[str]) -> None:
    """Each identity sequence past the largest copied id, so the next row gets a new one."""
    identity = {row[0] for row in target.db.execute(
        "SELECT table_name FROM information_schema.columns WHERE table_schema = current_schema() "
        "AND column_name = 'id' AND is_identity = 'YES'")}
    for table in tables:
        if table in identity:
            target.db.execute(f"SELECT setval(pg_get_serial_sequence(?, 'id'), max(id)) FROM {_q(table)} "
                              "HAVING max(id) IS NOT NULL", (table,))
