"""DATA.md stays true: every column of a freshly migrated database is listed, nothing listed is missing, and
every column holding personal data names how long it is kept. `found_in_tables` is how the erasure and
retention tests look for what is left of a person."""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path

from generator.service.config import SETTINGS
from generator.service.store.sqlite import SqliteStore
from tests.conftest import ROOT

SECTION = "## What the service keeps"
ROW = re.compile(r"^\| `(\w+)` \| `(\w+)` \| (yes|no) \|(.*)\|\s*$")


def found_in_tables(db: Path | str, *needles: str) -> list[str]:
    """Every table.column of the database (an SQLite file or a PostgreSQL URL) whose text holds any of
    `needles`."""
    if isinstance(db, str):
        return _found_in_postgres(db, *needles)
    conn = sqlite3.connect(db)
    try:
        tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        hits = []
        for table in tables:
            for column in [r[1] for r in conn.execute(f"PRAGMA table_info({table})")]:
                for needle in needles:
                    query = f"SELECT count(*) FROM {table} WHERE instr(CAST({column} AS TEXT), ?) > 0"
                    if conn.execute(query, (needle,)).fetchone()[0]:
                        hits.append(f"{table}.{column} holds {needle!r}")
        return hits
    finally:
        conn.close()


def _found_in_postgres(url: str, *needles: str) -> list[str]:
    import psycopg

    with psycopg.connect(url) as conn:
        columns = conn.execute("SELECT table_name, column_name FROM information_schema.columns WHERE "
                               "table_schema = 'public' ORDER BY table_name, ordinal_position").fetchall()
        hits = []
        for table, column in columns:
            for needle in needles:
                query = f'SELECT count(*) FROM "{table}" WHERE position(%s in CAST("{column}" AS TEXT)) > 0'
                if conn.execute(query.encode(), (needle,)).fetchone()[0]:  # type: ignore[index]
                    hits.append(f"{table}.{column} holds {needle!r}")
        return hits


def mapped() -> dict[tuple[str, str], tuple[bool, list[str]]]:
    """(table, column) → (personal data?, the row's other cells) from DATA.md's table of the service."""
    text = (ROOT / "DATA.md").read_text(encoding="utf-8")
    section = text.split(SECTION, 1)[1].split("\n## ", 1)[0]
    rows: dict[tuple[str, str], tuple[bool, list[str]]] = {}
    for line in section.splitlines():
        if match := ROW.match(line):
            key = (match[1], match[2])
            assert key not in rows, f"DATA.md lists {key[0]}.{key[1]} twice"
            rows[key] = (match[3] == "yes", [cell.strip() for cell in match[4].split(" | ")])
    return rows


def columns(tmp_path: Path) -> set[tuple[str, str]]:
    store = SqliteStore(tmp_path / "map.sqlite3")
    try:
        store.migrate()
        tables = [row[0] for row in store.db.execute("SELECT name FROM sqlite_master WHERE type = 'table' "
                                                     "AND name NOT LIKE 'sqlite_%'")]
        return {(table, row[1]) for table in tables for row in store.db.execute(f"PRAGMA table_info({table})")}
    finally:
        store.close()


def test_every_column_of_the_store_is_in_the_data_map(tmp_path: Path) -> None:
    stored, listed = columns(tmp_path), set(mapped())
    assert len(stored) > 50
    missing = sorted(f"{t}.{c}" for t, c in stored - listed)
    absent = sorted(f"{t}.{c}" for t, c in listed - stored)
    assert not missing, f"DATA.md does not list these columns (add rows: what, why, basis, retention): {missing}"
    assert not absent, f"DATA.md lists columns the database does not have: {absent}"


def test_every_column_with_personal_data_says_why_on_what_basis_and_for_how_long() -> None:
    known = {s.env for s in SETTINGS}
    for (table, column), (personal, (why, basis, retention)) in mapped().items():
        if not personal:
            continue
        assert why and basis not in ("", "—") and retention not in ("", "—"), f"{table}.{column}: say why, on what " \
            "basis and for how long"
        named = set(re.findall(r"PRACTICA_[A-Z_]+", retention))
        assert named <= known, f"{table}.{column} names settings that do not exist: {sorted(named - known)}"


def test_the_retention_settings_are_in_the_data_map_with_their_defaults() -> None:
    text = (ROOT / "DATA.md").read_text(encoding="utf-8")
    for setting in (s for s in SETTINGS if s.name.startswith("RETAIN_")):
        assert f"`{setting.env}` (default `{setting.default}`)" in text, setting.env


def test_the_browser_keys_in_the_data_map_are_the_site_s() -> None:
    shared = (ROOT / "pwa/overrides/assets/practica/shared.js").read_text(encoding="utf-8")
    storage = shared.split("storage: Object.freeze({", 1)[1].split("})", 1)[0]
    text = (ROOT / "DATA.md").read_text(encoding="utf-8")
    for key in re.findall(r'"(practica:[\w:-]+)"', storage):
        assert f"`{key}" in text, f"DATA.md does not say what localStorage key {key} holds"
