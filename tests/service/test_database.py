"""The database file: complete on its own after a clean stop, refused in one line when corrupt, and a
database the service cannot write makes /health fail."""

from __future__ import annotations

import shutil
import sqlite3
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest

from generator.service.api.app import create_app
from generator.service.config import ServiceSettings
from generator.service.models import utcnow
from generator.service.store.backend import open_store
from generator.service.store.sqlite import SqliteStore

from ..conftest import CliResult
from .conftest import ReceiverClient, environment, serving, subscription_body


def _sub(receiver: ReceiverClient) -> dict[str, object]:
    return receiver.subscribe(1)[0]


def test_after_close_the_sqlite_file_alone_holds_every_row(tmp_path: Path, receiver: ReceiverClient,
                                                           settings: ServiceSettings) -> None:
    from generator.service.models import Preferences, Subscription

    # Another process's idle connection (a `send` beside `serve`): SQLite's own checkpoint-on-last-close
    # then never happens, so only an explicit checkpoint puts the rows into the main file.
    store = open_store(settings.db)
    other = sqlite3.connect(settings.db)
    assert other.execute("PRAGMA journal_mode").fetchone() == ("wal",)
    browser = _sub(receiver)
    keys = browser["keys"]
    assert isinstance(keys, dict)
    now = utcnow()
    sub = Subscription(str(browser["endpoint"]), keys["p256dh"], keys["auth"], Preferences(topics=("data",)),
                       now, now)
    store.save_subscription(sub)
    store.close()
    copy = tmp_path / "backup" / "copy.sqlite3"
    copy.parent.mkdir()
    shutil.copyfile(settings.db, copy)  # the .sqlite3 file only, as a naive backup takes it
    other.close()
    backup = sqlite3.connect(f"file:{copy}?mode=ro", uri=True)
    try:
        rows = backup.execute("SELECT id, endpoint FROM subscriptions").fetchall()
        tables = {r[0] for r in backup.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    finally:
        backup.close()
    assert rows == [(sub.id, sub.endpoint)]
    assert {"subscriptions", "outbox", "feedback", "schema_migrations"} <= tables


def _random_bytes(db: Path) -> None:
    db.write_bytes(bytes(range(256)) * 64)


def _truncated(db: Path) -> None:
    open_store(db).close()
    data = db.read_bytes()
    db.write_bytes(data[:len(data) // 3])


def _empty_header(db: Path) -> None:
    db.write_bytes(b"SQLite format 3\x00" + b"\x00" * 84)


@pytest.mark.parametrize("damage", [_random_bytes, _truncated, _empty_header])
@pytest.mark.parametrize("command", [["serve", "--port", "0"], ["send"], ["ingest", "--feed", "feed.json"]])
def test_a_corrupt_database_ends_each_command_with_one_clear_line(
        command: list[str], damage: Callable[[Path], None], cli: Callable[..., CliResult], tmp_path: Path,
        vapid_pem: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    db = tmp_path / "push-data" / "push.sqlite3"
    db.parent.mkdir()
    damage(db)
    for key, value in environment(db, vapid_pem, "http://127.0.0.1:9").items():
        monkeypatch.setenv(key, value)
    monkeypatch.chdir(tmp_path)
    result = cli("push", *command, "--env-file", tmp_path / "none.env")
    assert result.code == 1
    lines = result.err.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in result.err, result.err
    assert lines[0].startswith(f"practica: {db} is not a usable SQLite database: ")
    assert "restore it from a backup" in lines[0]


def test_a_database_path_that_is_a_folder_is_one_line_too(cli: Callable[..., CliResult], tmp_path: Path,
                                                          vapid_pem: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    db = tmp_path / "push.sqlite3"
    db.mkdir()
    for key, value in environment(db, vapid_pem, "http://127.0.0.1:9").items():
        monkeypatch.setenv(key, value)
    result = cli("push", "send", "--env-file", tmp_path / "none.env")
    assert result.code == 1
    assert result.err.strip().splitlines() == [f"practica: {db}: cannot open the SQLite database: "
                                               "unable to open database file"]


def test_health_fails_when_the_database_cannot_be_written(settings: ServiceSettings, store: SqliteStore,
                                                          receiver: ReceiverClient) -> None:
    # Tests run as root, where a 0444 file or a read-only folder still gets written. A read-only
    # connection (mode=ro) is what SQLite gives a process that may not write the file, so it stands in for
    # those, and for a read-only mount.
    assert isinstance(settings.db, Path)
    read_only = SqliteStore(settings.db, read_only=True)
    try:
        with serving(create_app(settings, read_only)) as base, httpx.Client(base_url=f"{base}/api/v1") as api:
            health = api.get("/health")
            refused = api.post("/subscriptions", json=subscription_body(_sub(receiver)))
    finally:
        read_only.close()
    assert health.status_code == 503
    assert health.json() == {"error": {"code": "database_unwritable", "field": None,
                                       "message": "the service cannot write to its database; its log says why"}}
    assert refused.status_code == 500  # and a write through the API does fail, as health said
    with serving(create_app(settings, store)) as base, httpx.Client(base_url=f"{base}/api/v1") as api:
        assert api.get("/health").json()["status"] == "ok"
    assert store.count_subscriptions() == 0
