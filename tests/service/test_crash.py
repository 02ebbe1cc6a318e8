"""Kill `practica push send` with SIGKILL in the middle of a large batch, run it again: nothing lost, nothing twice;
on PostgreSQL, with a second sender working on the same outbox at the same time.

The guarantee under test (ARCHITECTURE.md, "Push service"): every outbox row is delivered at least once,
and is shown exactly once, because each row is always sent with the same payload, the same notification
`tag` and the same `Topic`, so a resend replaces rather than adds. A row is sent again only if the killed
sender had it in flight ('sending' in the store); rows recorded as sent are never sent again.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest

from generator.service.models import Preferences, Subscription, utcnow
from generator.service.store.backend import open_store
from generator.service.store.sqlite import SqliteStore as Store  # and PostgresStore, which is one

from .conftest import ReceiverClient, environment, item, run_ingest

pytestmark = pytest.mark.both_backends

SUBSCRIBERS = 3000
LEASE = 5.0  # seconds: PRACTICA_PUSH_CLAIM_LEASE of the two-sender test
KILL_AFTER = 300  # deliveries seen by the receiver before the sender is killed


def _send(env: dict[str, str], cwd: Path) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-m", "generator.cli", "push", "send"], env=env, cwd=cwd,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _outbox(store: Store, remote_receiver: ReceiverClient) -> None:
    """SUBSCRIBERS devices following data, and one new lesson queued to each."""
    with store.transaction():
        for sub in remote_receiver.subscribe(SUBSCRIBERS):
            store.save_subscription(Subscription(sub["endpoint"], sub["keys"]["p256dh"], sub["keys"]["auth"],
                                                 Preferences(topics=("data",))))
    run_ingest(store, item("old"))
    report = run_ingest(store, item("old"), item("sql-joins", title="SQL joins"), now=utcnow())  # the CLI's clock
    assert report.queued == SUBSCRIBERS


def _kill_after_progress(sender: subprocess.Popen[str], remote_receiver: ReceiverClient) -> None:
    deadline = time.monotonic() + 120  # a bound for a stuck machine, not an assertion about speed
    while remote_receiver.count()["accepted"] < KILL_AFTER:
        assert sender.poll() is None, f"the sender ended before it could be killed: {sender.communicate()}"
        assert time.monotonic() < deadline, "the sender made no progress"
        time.sleep(0.01)
    sender.send_signal(signal.SIGKILL)
    sender.communicate(timeout=30)
    assert sender.returncode == -signal.SIGKILL


def test_a_killed_sender_loses_nothing_and_shows_nothing_twice(tmp_path: Path, database: Path | str,
                                                               vapid_pem: Path,
                                                               remote_receiver: ReceiverClient) -> None:
    store = open_store(database)
    assert isinstance(store, Store)
    _outbox(store, remote_receiver)
    # A restarted sender takes back the killed one's claims once their lease has ended (at once on SQLite, where
    # one sender at a time holds the file; on PostgreSQL after PRACTICA_PUSH_CLAIM_LEASE).
    env = {**os.environ, **environment(database, vapid_pem, remote_receiver.base, concurrency="16",
                                       claim_lease="1s")}

    first = _send(env, tmp_path)
    _kill_after_progress(first, remote_receiver)

    states = Counter(row[0] for row in store.db.execute("SELECT state FROM outbox"))
    in_flight = {f"practica-{row[0]}" for row in store.db.execute("SELECT id FROM outbox WHERE state = 'sending'")}
    assert 0 < states["sent"] < SUBSCRIBERS, states  # killed in the middle of the batch
    assert states["sending"] + states["pending"] > 0

    time.sleep(1.5)  # the killed sender's lease ends
    second = _send(env, tmp_path)
    _, err = second.communicate(timeout=300)
    assert second.returncode == 0, err
    assert f"resent {len(in_flight)} left in flight" in err or not in_flight
    _exactly_once(store, remote_receiver, in_flight)


@pytest.mark.parametrize("backend", ["postgresql"], indirect=True)
def test_two_senders_share_the_outbox_and_one_killed_mid_fan_out_loses_nothing(
        tmp_path: Path, database: Path | str, vapid_pem: Path, remote_receiver: ReceiverClient) -> None:
    """Two `push send` processes on one PostgreSQL database at once (several instances), one SIGKILLed in the
    middle, restarted: each claim went to one sender; every device shows its notification exactly once."""
    store = open_store(database)
    assert isinstance(store, Store)
    _outbox(store, remote_receiver)
    # A lease long enough that neither live sender stalls past it on a loaded machine: a sender starting while
    # the other's claims have outlived their lease takes them over and resends them (shown once, but not a row
    # in flight at the kill, which is what this test counts); that case is test_instances.py's takeover test.
    env = {**os.environ, **environment(database, vapid_pem, remote_receiver.base, concurrency="8",
                                       claim_lease=f"{LEASE:g}s")}
    killed, other = _send(env, tmp_path), _send(env, tmp_path)
    try:
        _kill_after_progress(killed, remote_receiver)
        in_flight = {f"practica-{row[0]}" for row in store.db.execute(
            "SELECT id FROM outbox WHERE state = 'sending' AND claimed_by LIKE ?", (f"%:{killed.pid}:%",))}
        _, err = other.communicate(timeout=300)
        assert other.returncode == 0, err
    finally:
        killed.kill()
        other.kill()
    holders = {str(row[0]).split(":")[1] for row in store.db.execute(
        "SELECT claimed_by FROM outbox WHERE state = 'sending'")}
    # the survivor finished the rest but left the killed sender's claims alone while their lease lasted
    assert holders <= {str(killed.pid)}, holders
    shared = Counter(str(row[0]).split(":")[1] for row in store.db.execute("SELECT claimed_by FROM outbox"))
    assert set(shared) == {str(killed.pid), str(other.pid)}, shared  # both senders took part of the outbox
    time.sleep(LEASE + 0.5)  # the killed sender's lease ends
    restarted = _send(env, tmp_path)
    _, err = restarted.communicate(timeout=300)
    assert restarted.returncode == 0, err
    _exactly_once(store, remote_receiver, in_flight)


def _exactly_once(store: Store, remote_receiver: ReceiverClient, in_flight: set[str]) -> None:
    """Every row sent; every device shows its notification once; a second copy only of a row left in flight."""
    rows = {row[0]: f"practica-{row[1]}" for row in store.db.execute(
        "SELECT s.endpoint, o.id FROM outbox o JOIN subscriptions s ON s.id = o.subscription_id")}
    assert Counter(row[0] for row in store.db.execute("SELECT state FROM outbox")) == {"sent": SUBSCRIBERS}
    store.close()

    result = remote_receiver.report()
    assert result["rejections"] == []
    assert len(result["devices"]) == SUBSCRIBERS
    resent = 0
    for endpoint, device in result["devices"].items():
        # The browser's view: exactly one notification, the right one.
        assert list(device["shown"]) == [rows[endpoint]], endpoint
        assert device["shown"][rows[endpoint]]["title"] == "New lesson in Data & Analytics"
        assert device["shown"][rows[endpoint]]["url"] == "https://learn.example.org/learn/sql-joins/"
        # The push service's view: a second copy only for a row the killed sender had in flight,
        # and identical to the first (same plaintext, same Topic), so it replaced rather than added.
        copies = device["received"]
        if len(copies) > 1:
            resent += 1
            assert rows[endpoint] in in_flight
            assert len(copies) == 2 and copies[0]["payload"] == copies[1]["payload"]
            assert copies[0]["topic"] == copies[1]["topic"] == rows[endpoint]
    assert resent <= len(in_flight)
    shown = Counter(len(device["shown"]) for device in result["devices"].values())
    received = Counter(len(device["received"]) for device in result["devices"].values())
    print(f"\n{SUBSCRIBERS} devices: shown {dict(shown)} (notifications: devices); received {dict(received)}; "
          f"rows in flight at the kill {len(in_flight)}, sent twice {resent}")
