"""PostgreSQL restarted in the middle of a large fan-out (`pg_ctl restart -m fast`: every session ended): the
service reconnects, retries, and every device still shows its notification exactly once; the API meanwhile
answers 503 `database_unavailable` and recovers without a restart of the service.

The cluster here is this module's own (tests/pgcluster.py), so restarting it disturbs no other test's database.
What the store does (ARCHITECTURE.md, "The store on PostgreSQL"): the pool tests a connection before lending it
and replaces those the server closed; a statement that was running when the server went away fails, which fails
that delivery run (logged); its claims stay 'sending' until their lease (PRACTICA_PUSH_CLAIM_LEASE) ends, and
the next run takes them back, resending only rows whose push went out but whose result was not committed.
"""

from __future__ import annotations

import itertools
import os
import signal
import sqlite3
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import psycopg
import pytest

from generator.service.config import load_settings
from generator.service.models import Preferences, Subscription, utcnow
from generator.service.store.backend import open_store, unreachable
from generator.service.store.postgres import PostgresStore
from generator.service.store.sqlite import SqliteStore as Store
from tests.pgcluster import Cluster

from .conftest import ReceiverClient, environment, item, run_ingest, serving, subscription_body, wait_for
from .test_crash import KILL_AFTER, SUBSCRIBERS, _exactly_once, _outbox

_names = itertools.count(1)
SECRET = "restart-s3cret"  # the cluster trusts loopback clients, so any password works: it must never be printed


def _with_password(url: str) -> str:
    return url.replace("://practica@", f"://practica:{SECRET}@")


@pytest.fixture(scope="module")
def cluster() -> Iterator[Cluster]:
    """This module's own cluster, restarted by its tests."""
    own = Cluster()
    try:
        yield own
    finally:
        own.stop()


@pytest.fixture
def url(cluster: Cluster) -> Iterator[str]:
    name = f"restart{next(_names)}"
    yield cluster.create(name)
    cluster.drop(name)


def _until(check: Callable[[], object], what: str, process: subprocess.Popen[str] | None = None,
           seconds: float = 180) -> None:
    """`wait_for`, counting a database error while the server restarts as not yet."""
    wait_for(check, what, process, seconds, passing=(psycopg.OperationalError,))


def _sending(store: Store) -> set[str]:
    return {f"practica-{row[0]}" for row in store.db.execute("SELECT id FROM outbox WHERE state = 'sending'")}


def _restart_mid_fan_out(cluster: Cluster, store: PostgresStore, remote_receiver: ReceiverClient,
                         process: subprocess.Popen[str]) -> set[str]:
    """Restart PostgreSQL once the receiver has seen KILL_AFTER pushes, while the sender is inside a statement
    (waiting for a lock on the outbox, which this test holds: its claims and records take row locks there), so
    the restart ends a session in use, not only idle ones the pool would replace unnoticed. Returns the rows in
    flight then (claimed, not recorded): the only ones that may be sent twice."""
    _until(lambda: remote_receiver.count()["accepted"] >= KILL_AFTER, "the fan-out to start", process)
    blocker = psycopg.connect(store.url)  # a transaction holding a lock every claim and record waits for
    try:
        blocker.execute("LOCK TABLE outbox IN EXCLUSIVE MODE")  # plain reads still pass; FOR UPDATE and UPDATE wait
        _until(lambda: store.db.execute("SELECT count(*) FROM pg_locks l JOIN pg_class c ON c.oid = l.relation "
                                        "WHERE c.relname = 'outbox' AND NOT l.granted").fetchall()[0][0] > 0,
               "the sender to wait for the outbox", process)
        in_flight = _sending(store)  # the sender is stuck in that statement: nothing moves until the restart
        cluster.restart()
    finally:
        blocker.close()
    assert remote_receiver.count()["accepted"] < SUBSCRIBERS, "the fan-out ended before the restart"
    assert in_flight
    return in_flight


def _pending(store: Store) -> int:
    return int(store.db.execute("SELECT count(*) FROM outbox WHERE state <> 'sent'").fetchall()[0][0])


def _queued(url: str, vapid_pem: Path, remote_receiver: ReceiverClient) -> tuple[PostgresStore, dict[str, str]]:
    """The fan-out queued at `url`, and the environment of a sender on it (a password in its URL, short leases)."""
    store = open_store(url)
    assert isinstance(store, PostgresStore)
    _outbox(store, remote_receiver)
    return store, {**os.environ, **environment(_with_password(url), vapid_pem, remote_receiver.base,
                                               concurrency="16", claim_lease="1s")}


def test_serve_survives_a_restart_mid_fan_out_and_sends_each_notification_once(
        tmp_path: Path, cluster: Cluster, url: str, vapid_pem: Path, remote_receiver: ReceiverClient) -> None:
    store, env = _queued(url, vapid_pem, remote_receiver)
    server = subprocess.Popen([sys.executable, "-m", "generator.cli", "push", "serve", "--port", "0",
                               "--every", "1s"], cwd=tmp_path, env=env, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True)
    try:
        in_flight = _restart_mid_fan_out(cluster, store, remote_receiver, server)
        _until(lambda: _pending(store) == 0, "every row to be sent after the restart", server)
        assert server.poll() is None  # the instance survived the restart
    finally:
        server.send_signal(signal.SIGINT)
        _, err = server.communicate(timeout=60)
    assert server.returncode == 0, err
    assert "a delivery run failed" in err and "AdminShutdown" in err  # logged, and the next round went on
    assert "push service stopped" in err and SECRET not in err
    _exactly_once(store, remote_receiver, in_flight)


def test_push_send_through_a_restart_finishes_the_job_once(
        tmp_path: Path, cluster: Cluster, url: str, vapid_pem: Path, remote_receiver: ReceiverClient) -> None:
    store, env = _queued(url, vapid_pem, remote_receiver)

    def send() -> subprocess.Popen[str]:
        return subprocess.Popen([sys.executable, "-m", "generator.cli", "push", "send"], env=env, cwd=tmp_path,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)

    first = send()
    try:
        in_flight = _restart_mid_fan_out(cluster, store, remote_receiver, first)
        _, first_err = first.communicate(timeout=300)
    finally:
        first.kill()
    # The run failed with the database: one line saying what to do (its claims given back once it was back)
    assert first.returncode == 1, first_err
    assert "Traceback" not in first_err, first_err
    assert "the database went away during the run" in first_err, first_err
    assert "run `practica push send` again" in first_err, first_err
    second = send()
    _, err = second.communicate(timeout=300)
    assert second.returncode == 0, err
    assert SECRET not in first_err + err
    assert _pending(store) == 0
    _exactly_once(store, remote_receiver, in_flight)


def test_the_api_answers_503_while_the_database_is_down_and_recovers_without_a_restart(
        cluster: Cluster, url: str, vapid_pem: Path, receiver: ReceiverClient) -> None:
    from generator.service.api.app import create_app

    settings = load_settings(environment(url, vapid_pem, receiver.base), env_file=None)
    store = open_store(url)
    assert isinstance(store, Store)
    run_ingest(store, item("sql-joins"))  # the feed's topics, which subscriptions name
    sub = receiver.subscribe(1)[0]
    try:
        with serving(create_app(settings, store)) as base, httpx.Client(base_url=f"{base}/api/v1",
                                                                        timeout=60) as api:
            created = api.post("/subscriptions", json=subscription_body(sub, topics=["data"]))
            assert created.status_code == 201
            assert api.get("/options").status_code == 200
            # A restart between two requests goes unnoticed: the pool tests the connection the server closed
            # while it sat idle, and replaces it, before lending it out.
            cluster.restart()
            assert api.get("/options").status_code == 200
            assert api.post("/subscriptions", json=subscription_body(receiver.subscribe(1)[0])).status_code == 201
            cluster.halt()
            try:
                down = api.get("/options")
                health = api.get("/health")
                write = api.post("/subscriptions", json=subscription_body(receiver.subscribe(1)[0]))
            finally:
                cluster.start()
            assert down.status_code == 503, down.text
            assert down.json() == {"error": {"code": "database_unavailable", "field": None,
                                             "message": "the service cannot reach its database; try again shortly"}}
            assert int(down.headers["Retry-After"]) > 0
            assert write.status_code == 503 and write.json()["error"]["code"] == "database_unavailable"
            assert health.status_code == 503 and health.json()["error"]["code"] == "database_unwritable"
            for response in (down, health, write):
                assert "127.0.0.1" not in response.text and "psycopg" not in response.text.lower()
            # back at once, on the same service: the pool replaced the connections the server closed
            assert api.get("/options").status_code == 200
            assert api.get("/health").status_code == 200
            again = api.post("/subscriptions", json=subscription_body(receiver.subscribe(1)[0]))
            assert again.status_code == 201, again.text
    finally:
        store.close()


def test_which_errors_mean_the_database_is_unreachable() -> None:
    """503 for a database that cannot be reached now; a bug in the SQL stays a 500."""
    assert unreachable(psycopg.OperationalError("connection refused"))
    assert unreachable(psycopg.errors.AdminShutdown("terminating connection due to administrator command"))
    assert unreachable(sqlite3.OperationalError("unable to open database file"))
    assert unreachable(sqlite3.OperationalError("database is locked"))
    assert not unreachable(sqlite3.OperationalError("no such table: outbox"))
    assert not unreachable(psycopg.errors.UndefinedTable("relation \"outbox\" does not exist"))
    assert not unreachable(psycopg.errors.UniqueViolation("duplicate key"))
    assert not unreachable(ValueError("database is locked"))



def test_the_delivery_loop_outlives_an_outage_longer_than_the_connection_wait(
        cluster: Cluster, url: str, vapid_pem: Path, receiver: ReceiverClient,
        caplog: pytest.LogCaptureFixture) -> None:
    """The database down for longer than a caller waits for a connection: each round's delivery run, and the
    loop's own look at when the next row falls due, fail with PoolTimeout; the loop logs them and goes on, and
    delivers once the database is back."""
    from generator.service.api.app import create_app

    settings = load_settings(environment(url, vapid_pem, receiver.base), env_file=None)
    store = open_store(url)
    assert isinstance(store, PostgresStore)
    run_ingest(store, item("old"))
    sub = receiver.subscribe(1)[0]
    with store.transaction():
        store.save_subscription(Subscription(sub["endpoint"], sub["keys"]["p256dh"], sub["keys"]["auth"],
                                             Preferences(topics=("data",))))

    def failed_runs() -> int:
        return sum("a delivery run failed" in record.getMessage() for record in caplog.records)

    try:
        with serving(create_app(settings, store, poll_every=1.0)):
            cluster.halt()
            try:
                # a second failed run: the loop went on past the first (and its own look at the outbox, between)
                _until(lambda: failed_runs() >= 2, "two delivery runs to fail", seconds=90)
            finally:
                cluster.start()
            # The pool reconnects with a backoff that grew during the outage: the first writes after it may still
            # time out (PoolTimeout); ingesting again is harmless (an item is queued to a subscriber once).
            _until(lambda: run_ingest(store, item("old"), item("sql-joins", title="SQL joins"), now=utcnow()) or True,
                   "the store to reconnect after the outage")
            _until(lambda: receiver.device(sub["endpoint"])["shown"], "the delivery after the outage")
        assert [n["title"] for n in receiver.device(sub["endpoint"])["shown"].values()] == [
            "New lesson in Data & Analytics"]
    finally:
        store.close()
