"""`practica push copy-store`: an installation's SQLite store moved into an empty PostgreSQL database (the
session's throwaway cluster), every table and row, ids kept, counts verified; a service started on the copy
serves the same thread and delivers the notification that was pending; refusals leave the target as it was."""

from __future__ import annotations

import socket
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

import psycopg
import pytest

from generator.service.models import Preferences, Subscription, utcnow
from generator.service.push.feed import parse_feed
from generator.service.push.ingest import ingest
from generator.service.push.schedule import Rules
from generator.service.store.backend import open_store
from generator.service.store.migrations import LATEST
from tests.pgcluster import Cluster

from ..conftest import CliResult
from .conftest import ReceiverClient, item, run_send, subscription_body
from .forum import READERS, Forum, ok, running, talk_feed
from .test_introductions import introduce, jpeg_with_exif, upload

NEW_ITEM = item("window-functions", topics=("data",))


def tables_and_counts(db: Path) -> dict[str, int]:
    with sqlite3.connect(db) as conn:
        names = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' "
                                             "AND name NOT LIKE 'sqlite_%' AND name != 'schema_migrations'")]
        return {name: conn.execute(f"SELECT count(*) FROM {name}").fetchone()[0] for name in names}


def pg_counts(url: str, tables: list[str]) -> dict[str, int]:
    with psycopg.connect(url) as conn:
        return {t: int(conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0]) for t in tables}  # type: ignore[index]


def pg_tables(url: str) -> set[str]:
    with psycopg.connect(url) as conn:
        return {r[0] for r in conn.execute("SELECT table_name FROM information_schema.tables "
                                           "WHERE table_schema = current_schema()")}


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def linked_device(forum: Forum, receiver: ReceiverClient, name: str) -> str:
    """A device subscribed at the receiver and linked to the reader (who first makes a choice, so is kept)."""
    ok(forum.send("PUT", "/me/preferences", name, {"lock_screen": "full"}))
    [sub] = receiver.subscribe(1)
    stored = Subscription(sub["endpoint"], sub["keys"]["p256dh"], sub["keys"]["auth"], Preferences())
    forum.store.save_subscription(stored)
    assert forum.store.set_owner(stored.id, READERS[name]["sub"])
    return str(sub["endpoint"])


def populate(forum: Forum, receiver: ReceiverClient) -> dict[str, Any]:
    """A used installation: subscriptions (the API's and a reader's device), a sent and a pending notification,
    a question with an answer, a reply, a helpful mark and a flag, an introduction with a photo, feedback."""
    [sub] = receiver.subscribe(1)
    ok(forum.api.post("/subscriptions", json=subscription_body(sub, topics=["data"])), 201)
    alans = linked_device(forum, receiver, "alan")
    opened = ok(forum.ask("alan", "How do I join two tables?", "Which join keeps unmatched rows?"), 201)
    tid = opened["thread"]["id"]
    answer = ok(forum.reply("robert", tid, "A LEFT JOIN keeps them."), 201)
    ok(forum.reply("grace", tid, "And a FULL JOIN keeps both.", parent=answer["id"]), 201)
    ok(forum.send("PUT", f"/posts/{answer['id']}/helpful", "alan"))
    ok(forum.send("POST", f"/posts/{answer['id']}/flags", "mallory", {"reason": "spam"}), 201)
    ok(forum.send("PUT", f"/threads/{tid}/follow", "ada"))
    ok(forum.send("POST", f"/threads/{tid}/pin", "ada"))  # a steward's action: the moderation log
    ok(introduce(forum, "robert"))
    ok(upload(forum, "robert", jpeg_with_exif()))
    ok(forum.api.post("/feedback", json={"id": "f" * 32, "page": "learn/sql-joins/", "helpful": True}), 201)
    report = run_send(forum.store, forum.settings, utcnow())  # the reminders of the answer and the reply: sent
    assert report.sent >= 1, report
    ingest(forum.store, parse_feed(talk_feed(NEW_ITEM)), utcnow(), Rules())  # queued, not yet sent
    pending = forum.store.db.execute("SELECT count(*) FROM outbox WHERE state = 'pending'").fetchone()[0]
    assert pending == 2  # the new item, to both devices
    return {"tid": tid, "endpoints": [sub["endpoint"], alans],
            "thread": forum.thread(tid, "grace")}


def copy(cli: Callable[..., CliResult], source: Path | str, target: str) -> CliResult:
    return cli("push", "copy-store", "--from", source, "--to", target)


def one_line(result: CliResult) -> str:
    assert result.code == 1, result
    assert "Traceback" not in result.err and result.out == "", result
    lines = result.err.strip().splitlines()
    assert len(lines) == 1, result.err
    return lines[0]


def test_an_installation_moves_to_postgresql_and_carries_on_there(
        tmp_path: Path, vapid_pem: Path, receiver: ReceiverClient, pg_cluster: Cluster,
        cli: Callable[..., CliResult]) -> None:
    with running(tmp_path, vapid_pem, receiver, talk_thread_rate_limit="100/1h") as forum:
        before = populate(forum, receiver)
        source = Path(forum.store.path)
        ids = {t: forum.store.db.execute(f"SELECT max(id) FROM {t}").fetchone()[0] for t in ("threads", "posts")}
    counts = tables_and_counts(source)
    original = source.read_bytes()  # complete after the clean stop
    assert all(counts[t] > 0 for t in ("subscriptions", "outbox", "outbox_items", "outbox_activity", "items",
                                       "batches", "feed_state", "feedback", "people", "threads", "posts", "helpful",
                                       "flags", "activity", "follows", "moderation_log", "introductions", "limits")), (
        sorted(t for t, n in counts.items() if n == 0))
    target = pg_cluster.create("copy_moves")
    try:
        result = copy(cli, source, target)
        assert result.code == 0, result
        line = result.out.strip()
        assert line.startswith(f"copied {len(counts)} tables: ") and line.endswith("; counts verified"), line
        printed = dict(part.rsplit(" ", 1) for part in line.split(": ", 1)[1].split("; ")[0].split(", "))
        assert {t: int(n) for t, n in printed.items()} == counts
        assert pg_counts(target, list(counts)) == counts  # every table, row for row
        assert source.read_bytes() == original  # the source was only read
        assert list(printed).index("people") < list(printed).index("subscriptions")  # foreign-key order
        assert list(printed).index("posts") < list(printed).index("helpful")
        with sqlite3.connect(source) as conn, psycopg.connect(target) as pg:
            photo = conn.execute("SELECT photo FROM introductions").fetchone()[0]
            assert pg.execute("SELECT photo FROM introductions").fetchone() == (photo,)  # the bytes themselves
            assert photo[:4] == b"RIFF"
            assert pg.execute("SELECT max(version) FROM schema_migrations").fetchone() == (LATEST,)

        with running(target, vapid_pem, receiver, talk_thread_rate_limit="100/1h") as moved:
            assert moved.thread(before["tid"], "grace") == before["thread"]  # the same thread over HTTP
            report = run_send(moved.store, moved.settings, utcnow())
            assert report.sent == 2, report  # the pending notifications, from the copy
            for endpoint in before["endpoints"]:
                received = receiver.device(endpoint)["received"]
                assert [r["payload"]["url"] for r in received].count(NEW_ITEM["url"]) == 1, received
            assert run_send(moved.store, moved.settings, utcnow()).sent == 0  # and only once
            # New rows get new ids, past the copied ones (the identity sequences moved).
            reply = ok(moved.reply("ada", before["tid"], "Also a RIGHT JOIN."), 201)
            assert reply["id"] > ids["posts"]
            opened = ok(moved.ask("grace", "Window functions?", "Where do I start?"), 201)
            assert opened["thread"]["id"] > ids["threads"] and opened["post"]["id"] > reply["id"]
    finally:
        pg_cluster.drop("copy_moves")


@pytest.fixture
def small(tmp_path: Path) -> Path:
    """A small SQLite installation: one subscription."""
    db = tmp_path / "small.sqlite3"
    store = open_store(db)
    store.save_subscription(Subscription("https://push.example/1", "k", "a", Preferences()))
    store.close()
    return db


def test_a_target_that_is_not_empty_is_refused_naming_a_table_and_left_as_it_was(
        small: Path, pg_cluster: Cluster, cli: Callable[..., CliResult]) -> None:
    target = pg_cluster.create("copy_not_empty")
    try:
        assert copy(cli, small, target).code == 0
        line = one_line(copy(cli, small, target))
        assert line.startswith("practica: postgresql://") and "table subscriptions is not empty (1 rows)" in line
        assert pg_counts(target, ["subscriptions", "outbox"]) == {"subscriptions": 1, "outbox": 0}
    finally:
        pg_cluster.drop("copy_not_empty")


def test_a_source_at_an_older_schema_is_refused_before_the_target_is_touched(
        tmp_path: Path, pg_cluster: Cluster, cli: Callable[..., CliResult], monkeypatch: pytest.MonkeyPatch) -> None:
    import generator.service.store.sqlite as sqlite_module
    from generator.service.store.migrations import MIGRATIONS

    old = tmp_path / "old.sqlite3"
    with monkeypatch.context() as patch:
        patch.setattr(sqlite_module, "MIGRATIONS", tuple(m for m in MIGRATIONS if m[0] <= 6))
        patch.setattr(sqlite_module, "LATEST", 6)
        store = sqlite_module.SqliteStore(old)
        assert store.migrate() == [1, 2, 3, 4, 5, 6]
        store.close()
    target = pg_cluster.create("copy_old_source")
    try:
        line = one_line(copy(cli, old, target))
        assert line == (f"practica: {old} has schema version 6, not this Practica's ({LATEST}): run "
                        f"`practica push migrate --db {old}` first")
        assert pg_tables(target) == set()
        with sqlite3.connect(old) as conn:  # read-only: not migrated behind the user's back
            assert conn.execute("SELECT max(version) FROM schema_migrations").fetchone() == (6,)
    finally:
        pg_cluster.drop("copy_old_source")


def test_an_unreachable_target_is_one_line_without_its_password(small: Path, cli: Callable[..., CliResult]) -> None:
    port = closed_port()
    result = copy(cli, small, f"postgresql://practica:s3cret-pw@127.0.0.1:{port}/moved")
    line = one_line(result)
    assert line.startswith(f"practica: postgresql://practica:***@127.0.0.1:{port}/moved: cannot connect to "
                           "PostgreSQL: "), line
    assert "s3cret-pw" not in result.err + result.out


def test_a_copy_that_fails_midway_leaves_the_target_as_it_was(
        small: Path, pg_cluster: Cluster, cli: Callable[..., CliResult]) -> None:
    """PostgreSQL refuses a NUL in text, which SQLite kept: the copy fails in `outbox`, after `subscriptions`
    was filled, and everything (the migrations too) is rolled back."""
    t = "2026-03-02T12:00:00Z"
    with sqlite3.connect(small) as conn:
        conn.execute("INSERT INTO outbox (subscription_id, slot, due_at, state, error, created_at, updated_at) "
                     "SELECT id, 'batch:1', ?, 'failed', ?, ?, ? FROM subscriptions", (t, "nul \x00 here", t, t))
    target = pg_cluster.create("copy_fails")
    try:
        line = one_line(copy(cli, small, target))
        assert line.startswith("practica: postgresql://") and "copying outbox failed, nothing was kept: " in line, line
        assert "0x00" in line, line
        assert pg_tables(target) == set()
    finally:
        pg_cluster.drop("copy_fails")


@pytest.mark.parametrize(("source", "target", "says"), [
    ("missing.sqlite3", "postgresql://practica@127.0.0.1:1/x", "no such SQLite file"),
    ("small", "other.sqlite3", "copy-store moves an installation to PostgreSQL"),
    ("folder", "postgresql://practica@127.0.0.1:1/x", "no such SQLite file"),
    ("junk.sqlite3", "postgresql://practica@127.0.0.1:1/x", "cannot read it as an SQLite store: file is not a "),
    ("small", "postgresql://practica:s3cret-pw@127.0.0.1:notaport/x", "cannot connect to PostgreSQL: "),
    ("small", "postgresql://practica:s3cret-pw@127.0.0.1/x?sslmode=sometimes", "cannot connect to PostgreSQL: "),
])
def test_a_source_or_target_that_cannot_be_is_one_line(
        source: str, target: str, says: str, small: Path, tmp_path: Path, cli: Callable[..., CliResult]) -> None:
    (tmp_path / "folder").mkdir()
    (tmp_path / "junk.sqlite3").write_bytes(b"not a database, " * 512)
    path = small if source == "small" else tmp_path / source
    result = copy(cli, path, target)
    line = one_line(result)
    assert says in line and "s3cret-pw" not in result.err, line
