"""Retention (PRACTICA_RETAIN_*): the purge with a fake clock on a real SQLite file, serve's loop running it, and
the admin CLI for leavers (`practica push purge`, `practica push person export|erase`) in a subprocess."""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from generator.service.api import poller
from generator.service.api.app import create_app
from generator.service.config import Retention, ServiceSettings
from generator.service.identity.principal import Principal
from generator.service.models import Person, Preferences, Subscription, Vote, utcnow
from generator.service.privacy.people import refresh
from generator.service.privacy.retention import Purged, purge
from generator.service.store.sqlite import SqliteStore

from .conftest import T0, ReceiverClient, environment, item, run_ingest, run_send
from .forum import SQL_JOINS, ingest_talk_feed
from .test_data_map import found_in_tables

pytestmark = pytest.mark.both_backends

DAY = dt.timedelta(days=1)


def linked_device(store: SqliteStore, receiver: ReceiverClient, subject: str | None, seen: dt.date) -> str:
    """A subscription to the receiver, linked to a person `subject` last seen on `seen` (if a subject is given)."""
    sub = receiver.subscribe(1)[0]
    stored = Subscription(sub["endpoint"], sub["keys"]["p256dh"], sub["keys"]["auth"], Preferences())
    store.save_subscription(stored)
    if subject is not None:
        store.save_person(Person(subject, f"{subject}@example.org", subject.title(), None, f"key-{subject}",
                                 T0, seen))
        store.set_owner(stored.id, subject)
    return stored.id


def counts(store: SqliteStore) -> dict[str, int]:
    return {table: store.db.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
            for table in ("people", "subscriptions", "outbox", "feedback")}


def test_the_purge_forgets_each_kind_after_its_retention(store: SqliteStore, settings: ServiceSettings,
                                                         receiver: ReceiverClient) -> None:
    kept_id = linked_device(store, receiver, None, T0.date())
    linked_device(store, receiver, "leaver", T0.date())
    linked_device(store, receiver, "regular", T0.date())
    run_ingest(store)
    run_ingest(store, item("sql-joins"))
    assert run_send(store, settings).sent == 3  # finished at T0
    store.queue(kept_id, "at:2029-01-01T09:00:00Z", T0 + 1000 * DAY, ["urn:practica:lesson:sql-joins"], T0)
    for n, day in enumerate((T0.date(), T0.date() + 400 * DAY)):
        store.record_vote(Vote(f"vote-{n:012d}", "learn/sql-joins/", True, "Useful", day))
    refresh(store, Principal("regular", "regular@example.org", "Regular", "jwt"), T0 + 700 * DAY)
    assert counts(store) == {"people": 2, "subscriptions": 3, "outbox": 4, "feedback": 2}

    assert purge(store, T0 + 30 * DAY, settings) == Purged()  # exactly 30 days: not yet
    assert purge(store, T0 + 30 * DAY + dt.timedelta(seconds=1), settings) == Purged(notifications=3)
    assert purge(store, T0 + 365 * DAY, settings) == Purged()
    assert purge(store, T0 + 366 * DAY, settings) == Purged(feedback=1)
    assert purge(store, T0 + 730 * DAY, settings) == Purged()
    assert purge(store, T0 + 731 * DAY, settings) == Purged(people=1, devices=1)
    assert purge(store, T0 + 731 * DAY, settings) == Purged()  # nothing twice
    assert counts(store) == {"people": 1, "subscriptions": 2, "outbox": 1, "feedback": 1}
    assert store.person("leaver") is None and store.person("regular") is not None
    assert found_in_tables(store.path, "leaver", "key-leaver") == []
    assert store.db.execute("SELECT state FROM outbox").fetchall()[0][0] == "pending"  # unfinished rows stay


def test_retention_follows_the_settings(store: SqliteStore, settings: ServiceSettings,
                                        receiver: ReceiverClient) -> None:
    linked_device(store, receiver, "short", T0.date())
    store.record_vote(Vote("vote-000000000000", "learn/sql-joins/", False, None, T0.date()))
    week = dataclasses.replace(settings, retention=Retention(DAY, 7 * DAY, 7 * DAY))
    assert purge(store, T0 + 7 * DAY, week) == Purged()
    assert purge(store, T0 + 8 * DAY, week) == Purged(feedback=1, people=1, devices=1)
    assert str(Purged(feedback=1, people=2, devices=1)) == "purged 0 finished notifications, 1 feedback vote and " \
        "2 people not seen for long (with 1 linked device)"


def test_serve_s_loop_purges(settings: ServiceSettings, store: SqliteStore, receiver: ReceiverClient) -> None:
    linked_device(store, receiver, "long-gone", utcnow().date() - 800 * DAY)
    app = create_app(settings, store)
    asyncio.run(poller._purge(app.state.ctx))
    assert store.person("long-gone") is None and store.count_subscriptions() == 0


def cli(env: dict[str, str], cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "generator.cli", "push", *args], env=env, cwd=cwd,
                          capture_output=True, text=True, timeout=120)


def test_an_admin_exports_and_erases_a_leaver_from_the_cli(tmp_path: Path, vapid_pem: Path, store: SqliteStore,
                                                           settings: ServiceSettings,
                                                           receiver: ReceiverClient) -> None:
    env = {**os.environ, **environment(store.path, vapid_pem, receiver.base)}
    sid = linked_device(store, receiver, "sso|robert", utcnow().date())
    robert = store.person("sso|robert")
    assert robert is not None
    store.save_person(dataclasses.replace(robert, email="Robert@Example.org"))
    other = linked_device(store, receiver, "sso|ada", utcnow().date())
    run_ingest(store)
    run_ingest(store, item("sql-joins"))
    store.close()

    shown = cli(env, tmp_path, "person", "export", "--email", "robert@example.org")
    assert shown.returncode == 0, shown.stderr
    data = json.loads(shown.stdout)
    assert data["person"]["pseudonym"] == "key-sso|robert" and [d["id"] for d in data["devices"]] == [sid]
    assert data["devices"][0]["notifications"][0]["state"] == "pending"
    out = tmp_path / "leaver" / "robert.json"
    assert cli(env, tmp_path, "person", "export", "--subject", "sso|robert", "--out", str(out)).returncode == 0
    assert json.loads(out.read_text())["subject"] == "sso|robert"
    assert stat.S_IMODE(out.stat().st_mode) == 0o600

    erased = cli(env, tmp_path, "person", "erase", "--email", "ROBERT@example.org")
    assert erased.returncode == 0, erased.stderr
    assert erased.stdout == "erased sso|robert: removed the person, 1 linked device and 1 notification queued or " \
                            "sent to them\n"
    assert found_in_tables(store.path, "sso|robert", "Robert@Example.org", sid) == []
    assert found_in_tables(store.path, "sso|ada", other) != []

    again = cli(env, tmp_path, "person", "erase", "--email", "robert@example.org")
    assert again.returncode == 1 and "holds nothing about email 'robert@example.org'" in again.stderr
    assert "Traceback" not in again.stderr
    nobody = cli(env, tmp_path, "person", "export", "--subject", "nobody")
    assert nobody.returncode == 1 and "holds nothing about subject 'nobody'" in nobody.stderr
    both = cli(env, tmp_path, "person", "erase", "--email", "a@example.org", "--subject", "x")
    assert both.returncode == 2 and "not allowed with argument" in both.stderr


def test_purge_runs_from_cron(tmp_path: Path, vapid_pem: Path, store: SqliteStore, receiver: ReceiverClient) -> None:
    env = {**os.environ, **environment(store.path, vapid_pem, receiver.base), "PRACTICA_RETAIN_PEOPLE": "30d"}
    linked_device(store, receiver, "idle", utcnow().date() - 31 * DAY)
    linked_device(store, receiver, "active", utcnow().date())
    store.close()
    result = cli(env, tmp_path, "purge")
    assert result.returncode == 0, result.stderr
    assert result.stdout == "purged 0 finished notifications, 0 feedback votes and 1 person not seen for long " \
                            "(with 1 linked device)\n"
    assert found_in_tables(store.path, "idle") == [] and found_in_tables(store.path, "active") != []


def test_the_purge_forgets_quiet_threads_old_moderation_and_resolved_flags(store: SqliteStore,
                                                                           settings: ServiceSettings) -> None:
    ingest_talk_feed(store)
    for subject in ("ada", "alan"):
        store.save_person(Person(subject, None, subject.title(), None, f"key-{subject}", T0, T0.date() + 3000 * DAY))
    old = store.create_thread("board", "data", "question", "Old", "alan", T0)
    old_post = store.add_post(old.id, None, "alan", "An old question", "visible", "key-00000001", T0)
    fresh = store.create_thread("board", "data", "insight", "Fresh", "alan", T0 + 1000 * DAY)
    fresh_post = store.add_post(fresh.id, None, "alan", "A fresh insight", "visible", "key-00000002",
                                T0 + 1000 * DAY)
    store.mark(old_post.id, "ada", True)
    store.add_flag(old_post.id, "ada", "wrong", None, T0)
    store.resolve_flags("ada", T0 + 10 * DAY, pid=old_post.id)
    store.add_flag(fresh_post.id, "ada", "spam", None, T0 + 1000 * DAY)  # open: kept whatever its age
    store.log_action("ada", "pin", old.id, None, None, T0)
    assert store.hit("alan", "post", 20, 3600, T0) is None

    assert purge(store, T0 + 190 * DAY, settings) == Purged()  # the limit's window is gone, quietly
    assert store.db.execute("SELECT count(*) FROM limits").fetchone()[0] == 0
    assert purge(store, T0 + 190 * DAY + dt.timedelta(seconds=1), settings) == Purged(flags=1)
    assert purge(store, T0 + 730 * DAY + dt.timedelta(seconds=1), settings) == Purged(moderation=1)
    assert purge(store, T0 + 1825 * DAY, settings) == Purged()
    purged = purge(store, T0 + 1825 * DAY + dt.timedelta(seconds=1), settings)
    assert purged == Purged(threads=1)
    assert str(purged).endswith("; 1 quiet thread, 0 moderation log entries and 0 resolved flags")
    assert store.thread(old.id) is None and store.post(old_post.id) is None and store.thread(fresh.id) is not None
    assert found_in_tables(store.path, "An old question") == []
    assert store.db.execute("SELECT count(*) FROM helpful").fetchone()[0] == 0
    assert [f.post_id for f in store.open_flags()] == [fresh_post.id]


def test_a_person_purged_for_not_being_seen_leaves_their_posts_as_the_setting_says(
        store: SqliteStore, settings: ServiceSettings) -> None:
    ingest_talk_feed(store)
    store.save_person(Person("gone", "gone@example.org", "Gone Person", None, "key-gone", T0, T0.date()))
    thread = store.create_thread("item", SQL_JOINS, None, None, "gone", T0 + 700 * DAY)
    post = store.add_post(thread.id, None, "gone", "Still useful advice", "visible", "key-00000003", T0 + 700 * DAY)
    assert purge(store, T0 + 731 * DAY, settings) == Purged(people=1)
    kept = store.post(post.id)
    assert kept is not None and (kept.author, kept.body, kept.idempotency_key) == (None, "Still useful advice", None)
    assert found_in_tables(store.path, "gone@example.org", "Gone Person", "key-gone") == []
