"""Several instances on one PostgreSQL database: one polls the feed at a time and another takes over when it
dies; claims are a sender's own until their lease ends, renewed while it works and given back when it stops."""

from __future__ import annotations

import asyncio
import datetime as dt
import time

import psycopg
import pytest

from generator.service.config import ServiceSettings
from generator.service.models import Claim, Finished, Preferences, Subscription, utcnow
from generator.service.push.sender import Outcome, Report, Sender
from generator.service.store.backend import open_store
from generator.service.store.postgres import PostgresStore
from generator.service.store.sqlite import SqliteStore
from tests.pgcluster import Cluster

from .conftest import item, run_ingest

pytestmark = pytest.mark.parametrize("backend", ["postgresql"], indirect=True)


def _two(database: str) -> tuple[SqliteStore, SqliteStore]:
    first, second = open_store(database), open_store(database)
    assert isinstance(first, SqliteStore) and isinstance(second, SqliteStore)
    return first, second


def _queued(store: SqliteStore, devices: int) -> None:
    with store.transaction():
        for n in range(devices):
            store.save_subscription(Subscription(f"https://push.example.net/d/{n}", "p" * 87, "a" * 22,
                                                 Preferences(topics=("data",))))
    run_ingest(store, item("old"))
    run_ingest(store, item("old"), item("new"), now=utcnow())


def test_one_instance_polls_and_another_takes_over_when_it_dies(database: str) -> None:
    first, second = _two(database)
    try:
        assert first.lead_polling() and first.lead_polling()  # kept, not taken again
        assert not second.lead_polling()
        first.close()  # the instance is gone: PostgreSQL releases its session lock
        for _ in range(50):  # bounded: the server notices the closed connection at once
            if second.lead_polling():
                break
            time.sleep(0.1)
        assert second.lead_polling()
    finally:
        second.close()


def test_claims_are_shared_not_doubled_and_taken_back_only_after_their_lease(database: str) -> None:
    first, second = _two(database)
    try:
        _queued(first, 10)
        now = utcnow() + dt.timedelta(minutes=1)
        with first.transaction():
            mine = first.claim(now, 6)
        with second.transaction():
            theirs = second.claim(now, 6)
        ids = [c.id for c in mine] + [c.id for c in theirs]
        assert len(mine) == 6 and len(theirs) == 4 and len(set(ids)) == 10  # every row claimed once
        assert second.requeue_sending() == 0  # the first sender's lease holds
        first.claim_lease = 0.0
        first.renew_claims()  # renewing with a lease of 0: it ends now
        assert second.requeue_sending() == 6  # a stopped sender's rows come back once the lease has ended
        assert second.release() == 4  # a stopping sender gives its own back, and only its own
        states = {row[0]: row[1] for row in first.db.execute("SELECT state, count(*) FROM outbox GROUP BY state")}
        assert states == {"pending": 10}
    finally:
        first.close()
        second.close()


def test_claims_are_renewed_once_a_third_of_their_lease_has_gone_by(database: str,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    store = open_store(database)
    assert isinstance(store, SqliteStore)
    clock = [1000.0]
    monkeypatch.setattr("generator.service.store.sqlite.monotonic", lambda: clock[0])  # the store's clock only

    def lease_ends() -> set[str]:
        return {str(r[0]) for r in store.db.execute("SELECT claimed_until FROM outbox WHERE state = 'sending'")}

    try:
        _queued(store, 4)
        store.claim_lease = 90.0
        with store.transaction():
            store.claim(utcnow() + dt.timedelta(minutes=1), 4)
        marked = "2000-01-01T00:00:00Z"  # a lease end no renewal writes: shows whether one was written
        store.db.execute("UPDATE outbox SET claimed_until = ? WHERE state = 'sending'", (marked,))
        clock[0] += 29  # under a third of the lease: renewing would rewrite every held row for nothing
        store.renew_claims()
        assert lease_ends() == {marked}
        clock[0] += 2  # past a third: every held row's lease starts again
        store.renew_claims()
        renewed = lease_ends()
        assert len(renewed) == 1 and renewed.pop() > marked
        store.db.execute("UPDATE outbox SET claimed_until = ? WHERE state = 'sending'", (marked,))
        clock[0] += 29  # counted from the renewal now, not from the claim
        store.renew_claims()
        assert lease_ends() == {marked}
    finally:
        store.close()


def test_health_says_when_the_database_takes_no_writes(database: str, pg_cluster: Cluster) -> None:
    open_store(database).close()  # migrated
    name = database.rsplit("/", 1)[1]
    with psycopg.connect(pg_cluster.url(), autocommit=True) as admin:
        admin.execute(f'ALTER DATABASE "{name}" SET default_transaction_read_only = on')
    read_only = PostgresStore(database)
    try:
        assert read_only.write_problem() == ("the database is read-only for this role or database "
                                             "(transaction_read_only is on)")
    finally:
        read_only.close()
    with psycopg.connect(pg_cluster.url(), autocommit=True) as admin:
        admin.execute(f'ALTER DATABASE "{name}" SET default_transaction_read_only = off')
    writable = PostgresStore(database)
    try:
        assert writable.write_problem() is None
        pg_cluster.drop(name)  # the database goes away under a running instance
        problem = writable.write_problem()
        assert problem is not None and "password" not in problem
    finally:
        writable.close()


def test_a_sender_whose_claim_was_taken_over_writes_neither_payload_nor_outcome_over_the_new_holder(
        database: str, settings: ServiceSettings) -> None:
    first, second = _two(database)
    try:
        _queued(first, 3)
        now = utcnow() + dt.timedelta(minutes=1)
        with first.transaction():
            mine = [c.id for c in first.claim(now, 3)]
        first.claim_lease = 0.0
        first.renew_claims()  # the first sender stalls past its lease...
        assert second.requeue_sending() == 3  # ...and the second takes its rows back and claims them
        with second.transaction():
            assert sorted(c.id for c in second.claim(now, 3)) == sorted(mine)
            assert second.set_payloads([(i, f'{{"by": "second", "id": {i}}}') for i in mine]) == 3
        assert first.set_payloads([(i, '{"by": "first"}') for i in mine]) == 0  # the first wakes up: not its rows
        later = now + dt.timedelta(hours=1)
        assert second.record_outcomes([Finished(mine[0], "sent", 201),
                                       Finished(mine[1], "pending", 503, "HTTP 503", later)], now) == set(mine[:2])
        assert first.record_outcomes([Finished(i, "failed", 400, "HTTP 400") for i in mine], now) == set()
        assert first.record_outcomes([Finished(mine[2], "sent", 201)], now) == set()

        async def stalled_sender_records() -> Report:  # the whole sender, as `_record` runs after its pushes
            report = Report()
            async with Sender.from_settings(first, settings) as sender:
                claims = [Claim(i, Subscription("https://push.example.net/d/x", "p" * 87, "a" * 22, Preferences()),
                                "now", 1, "{}", ()) for i in mine]
                sender._record([(c, Outcome(201)) for c in claims], now, report)
            return report

        assert asyncio.run(stalled_sender_records()).sent == 0  # not counted as its own sends either
        rows = {r[0]: tuple(r)[1:] for r in first.db.execute(
            "SELECT id, state, status, payload, claimed_by FROM outbox WHERE id IN (?, ?, ?)", mine)}
        assert rows[mine[0]] == ("sent", 201, f'{{"by": "second", "id": {mine[0]}}}', second.owner)
        assert rows[mine[1]] == ("pending", 503, f'{{"by": "second", "id": {mine[1]}}}', second.owner)
        assert rows[mine[2]] == ("sending", None, f'{{"by": "second", "id": {mine[2]}}}', second.owner)
    finally:
        first.close()
        second.close()
