"""`practica push migrate` and the schema check at start: PostgreSQL is migrated only by the command (two
instances migrating at once apply each step once), and `serve` and `send` refuse an older or a newer schema in
one line without the password; SQLite, the embedded default, is still migrated on open."""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import psycopg
import pytest

import generator.service.store.sqlite as sqlite_module
from generator.service.store.migrations import LATEST, MIGRATIONS
from generator.service.store.postgres import PostgresStore
from tests.pgcluster import Cluster

from ..conftest import ROOT, CliResult
from .conftest import environment

ALL = ", ".join(str(m[0]) for m in MIGRATIONS)


@pytest.fixture
def url(pg_cluster: Cluster) -> Iterator[str]:
    """A fresh database, named with a password (the test cluster trusts loopback, so it is never checked)."""
    plain = pg_cluster.create("migrate_test")
    yield plain.replace("://practica@", "://practica:pa55-secret@")
    pg_cluster.drop("migrate_test")


@pytest.fixture
def env(vapid_pem: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """PRACTICA_* settings for a command (the database comes with --db), in a folder of its own."""
    values = environment(tmp_path / "unused.sqlite3", vapid_pem, "http://127.0.0.1:9")
    for key, value in values.items():
        monkeypatch.setenv(key, value)
    monkeypatch.chdir(tmp_path)
    return values


def at_version(db: Path | str, version: int, monkeypatch: pytest.MonkeyPatch) -> None:
    """Create the store at `db` as a Practica that knew migrations up to `version` would have."""
    older = tuple(m for m in MIGRATIONS if m[0] <= version)
    with monkeypatch.context() as patch:  # both stores migrate through SqliteStore.migrate
        patch.setattr(sqlite_module, "MIGRATIONS", older)
        patch.setattr(sqlite_module, "LATEST", version)
        store = PostgresStore(db) if isinstance(db, str) else sqlite_module.SqliteStore(db)
        assert store.migrate() == [m[0] for m in older]
        store.close()


def from_the_future(url: str) -> None:
    store = PostgresStore(url)
    store.migrate()
    store.db.execute("INSERT INTO schema_migrations VALUES (?, 'from a newer Practica', '2027-01-01T00:00:00Z')",
                     (LATEST + 1,))
    store.close()


def versions(url: str) -> list[int]:
    with psycopg.connect(url) as conn:
        return [int(r[0]) for r in conn.execute("SELECT version FROM schema_migrations ORDER BY version")]


def one_line(result: CliResult) -> str:
    assert result.code == 1, result
    assert "Traceback" not in result.err, result.err
    lines = result.err.strip().splitlines()
    assert len(lines) == 1, result.err
    assert "pa55-secret" not in result.err + result.out
    return lines[0]


def shown(url: str) -> str:
    return url.replace("pa55-secret", "***")


def test_migrate_says_what_it_applied_then_that_there_was_nothing_to_do(
        url: str, env: dict[str, str], cli: Callable[..., CliResult], tmp_path: Path) -> None:
    first = cli("push", "migrate", "--db", url)
    assert (first.code, first.out) == (0, f"schema at version {LATEST}; applied {ALL}\n"), first
    assert "pa55-secret" not in first.out + first.err
    again = cli("push", "migrate", "--db", url)
    assert (again.code, again.out) == (0, f"already at version {LATEST}\n"), again
    assert versions(url) == [m[0] for m in MIGRATIONS]
    sqlite = cli("push", "migrate", "--db", tmp_path / "push.sqlite3")  # the same command for the SQLite file
    assert (sqlite.code, sqlite.out) == (0, f"schema at version {LATEST}; applied {ALL}\n"), sqlite


def test_migrate_brings_an_older_schema_up_and_refuses_a_newer_one(
        url: str, env: dict[str, str], cli: Callable[..., CliResult], monkeypatch: pytest.MonkeyPatch,
        pg_cluster: Cluster) -> None:
    at_version(url, 6, monkeypatch)
    result = cli("push", "migrate", "--db", url)
    applied = ", ".join(str(m[0]) for m in MIGRATIONS if m[0] >= 7)  # numbers may skip (another branch's)
    assert (result.code, result.out) == (0, f"schema at version {LATEST}; applied {applied}\n"), result
    newer = pg_cluster.create("migrate_newer")
    try:
        from_the_future(newer)
        line = one_line(cli("push", "migrate", "--db", newer))
        assert line == (f"practica: {newer} has schema version {LATEST + 1}, newer than this Practica knows "
                        f"({LATEST}); upgrade Practica")
    finally:
        pg_cluster.drop("migrate_newer")


def test_migrate_on_an_unreachable_database_is_one_line_without_the_password(
        env: dict[str, str], cli: Callable[..., CliResult]) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    line = one_line(cli("push", "migrate", "--db", f"postgresql://practica:pa55-secret@127.0.0.1:{port}/gone"))
    assert line.startswith(f"practica: postgresql://practica:***@127.0.0.1:{port}/gone: cannot connect to "
                           "PostgreSQL: "), line


def test_send_refuses_an_older_postgresql_schema_and_runs_once_it_is_migrated(
        url: str, env: dict[str, str], cli: Callable[..., CliResult], monkeypatch: pytest.MonkeyPatch) -> None:
    at_version(url, 6, monkeypatch)
    line = one_line(cli("push", "send", "--db", url))
    assert line == (f"practica: {shown(url)} has schema version 6, older than this Practica's ({LATEST}): run "
                    f"`practica push migrate --db {shown(url)}` first")
    assert versions(url) == [1, 2, 3, 4, 5, 6]  # refused, not migrated behind the operator's back
    assert cli("push", "migrate", "--db", url).code == 0
    sent = cli("push", "send", "--db", url)
    assert sent.code == 0, sent


def test_send_refuses_a_newer_postgresql_schema(url: str, env: dict[str, str], cli: Callable[..., CliResult]) -> None:
    from_the_future(url)
    line = one_line(cli("push", "send", "--db", url))
    assert line == (f"practica: {shown(url)} has schema version {LATEST + 1}, newer than this Practica knows "
                    f"({LATEST}): upgrade Practica")


@pytest.mark.parametrize("schema", ["older", "newer"])
def test_serve_refuses_an_older_or_newer_postgresql_schema_before_listening(
        schema: str, url: str, env: dict[str, str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    if schema == "older":
        at_version(url, 6, monkeypatch)
    else:
        from_the_future(url)
    # A process of its own: were the check missing, serve would run until the timeout ends it (and fail).
    done = subprocess.run([sys.executable, "-m", "generator.cli", "push", "serve", "--db", url, "--port", "9",
                           "--env-file", str(tmp_path / "none.env")], capture_output=True, text=True, timeout=120,
                          cwd=tmp_path, env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT)} | env)
    assert done.returncode == 1, done
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "pa55-secret" not in done.stderr + done.stdout, done.stderr
    assert lines[0].startswith(f"practica: {shown(url)} has schema version "), lines
    assert lines[0].endswith("upgrade Practica" if schema == "newer" else
                             f"run `practica push migrate --db {shown(url)}` first"), lines


def test_send_still_migrates_an_older_sqlite_file_on_open(
        env: dict[str, str], cli: Callable[..., CliResult], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    db = tmp_path / "push.sqlite3"
    at_version(db, 6, monkeypatch)
    result = cli("push", "send", "--db", db)
    assert result.code == 0, result
    store = sqlite_module.SqliteStore(db)
    assert store.schema_version() == LATEST
    store.close()


def test_two_instances_migrating_one_fresh_database_apply_each_step_once(url: str) -> None:
    stores = [PostgresStore(url), PostgresStore(url)]
    start = threading.Barrier(2, timeout=30)
    applied: list[list[int]] = []
    failures: list[BaseException] = []

    def migrate(store: PostgresStore) -> None:
        try:
            start.wait()
            applied.append(store.migrate())
        except BaseException as exc:  # reported below, with the other thread's result
            failures.append(exc)

    threads = [threading.Thread(target=migrate, args=(store,)) for store in stores]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    for store in stores:
        store.close()
    assert not failures, failures
    assert sorted(applied) == [[], [m[0] for m in MIGRATIONS]]  # one applied every step, the other none
    assert versions(url) == [m[0] for m in MIGRATIONS]  # each recorded once
    fresh = PostgresStore(url)
    assert fresh.schema_version() == LATEST
    fresh.close()


def test_serve_runs_on_a_migrated_postgresql_database_and_logs_it_without_the_password(
        url: str, env: dict[str, str], cli: Callable[..., CliResult], tmp_path: Path) -> None:
    assert cli("push", "migrate", "--db", url).code == 0
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = subprocess.Popen([sys.executable, "-m", "generator.cli", "push", "serve", "--db", url, "--port",
                               str(port), "--env-file", str(tmp_path / "none.env")], cwd=tmp_path,
                              env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT)} | env,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    healthy = False
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}/api/v1", timeout=10) as api:
            for _ in range(300):  # bounded: 30 s at most
                assert server.poll() is None, server.communicate()
                try:
                    healthy = api.get("/health").status_code == 200
                except httpx.TransportError:
                    healthy = False
                if healthy:
                    break
                time.sleep(0.1)
    finally:
        server.send_signal(signal.SIGINT)
        out, err = server.communicate(timeout=30)
    assert healthy, err
    assert f"database {shown(url)}" in err, err
    assert "pa55-secret" not in out + err
