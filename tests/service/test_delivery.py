"""Delivery to a real (local) push service: summaries, size, answers 201/404/410/429/5xx/4xx/3xx, VAPID reuse."""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from generator.service.config import ServiceSettings, load_settings
from generator.service.models import FeedItem, Preferences, Subscription
from generator.service.push.sender import Sender, deliver
from generator.service.store.sqlite import SqliteStore

from .conftest import T0, ReceiverClient, environment, item, run_ingest, run_send
from .receiver import ThreadedReceiver

pytestmark = pytest.mark.both_backends


def subscribe(store: SqliteStore, sub: dict[str, Any], **prefs: Any) -> Subscription:
    """Store a browser's subscription as the API would (the API's own checks are tested in test_api)."""
    stored = Subscription(sub["endpoint"], sub["keys"]["p256dh"], sub["keys"]["auth"], Preferences(**prefs))
    store.save_subscription(stored)
    return stored


def states(store: SqliteStore) -> list[tuple[str, int, str]]:
    return [(r["state"], r["attempts"], r["due_at"]) for r in store.db.execute(
        "SELECT state, attempts, due_at FROM outbox ORDER BY id")]


def test_one_notification_per_subscriber_per_batch_summarising_what_matched(
        store: SqliteStore, settings: ServiceSettings, receiver: ReceiverClient) -> None:
    data, grace, videos, everything, nothing = receiver.subscribe(5)
    subscribe(store, data, topics=("data",))
    subscribe(store, grace, people=("grace",))
    subscribe(store, videos, types=("video",))
    subscribe(store, everything)
    subscribe(store, nothing, topics=("ux",))
    run_ingest(store, item("old-news"))
    run_ingest(store, item("old-news"), item("sql-joins", title="SQL joins"),
               item("window-functions", title="Window functions"), item("dashboards", title="Dashboards"),
               item("threat-models", "video", ("security",), ("grace",), title="Threat models"))
    report = run_send(store, settings)
    assert (report.sent, report.fail, report.retry) == (4, 0, 0)
    devices = receiver.report()
    assert devices["rejections"] == []
    shown = {e: list(d["shown"].values()) for e, d in devices["devices"].items()}
    assert [n["title"] for n in shown[data["endpoint"]]] == ["3 new in Data & Analytics"]
    assert shown[data["endpoint"]][0]["body"] == "SQL joins · Window functions · Dashboards"
    assert shown[data["endpoint"]][0]["url"] == "https://learn.example.org/topics/data/"
    assert shown[grace["endpoint"]][0] == {**shown[grace["endpoint"]][0], "title": "New video by Grace Hopper",
                                           "url": "https://learn.example.org/videos/threat-models/"}
    assert shown[videos["endpoint"]][0]["title"] == "New video in Security"
    assert shown[everything["endpoint"]][0]["title"] == "4 new in Data & Analytics and 1 more"
    assert shown[everything["endpoint"]][0]["url"] == "https://learn.example.org/new/"
    assert shown[nothing["endpoint"]] == []
    assert run_send(store, settings).sent == 0  # a rerun sends nothing twice


def test_payload_fits_one_record_even_with_huge_titles(store: SqliteStore, settings: ServiceSettings,
                                                       receiver: ReceiverClient) -> None:
    one, many = receiver.subscribe(2)
    subscribe(store, one, topics=("ux",))
    subscribe(store, many, topics=("data",))
    run_ingest(store)
    url_slug = "a-" + "long-" * 300 + "slug"
    run_ingest(store, item(url_slug, topics=("ux",), title="Ü" * 10_000, summary="€" * 20_000),
               *(item(f"huge-{n}", title="🙂" * 5_000) for n in range(5)))
    assert run_send(store, settings).sent == 2
    report = receiver.report()
    assert report["rejections"] == []
    for sub in (one, many):
        received = report["devices"][sub["endpoint"]]["received"][0]
        assert received["size"] <= 3993
        assert received["payload"]["body"].endswith("…")
    assert report["devices"][one["endpoint"]]["received"][0]["payload"]["url"].endswith(f"/learn/{url_slug}/")


@pytest.mark.parametrize("status", [404, 410])
def test_gone_subscriptions_are_removed_with_their_pending_work(store: SqliteStore, settings: ServiceSettings,
                                                               receiver: ReceiverClient, status: int) -> None:
    gone, kept = receiver.subscribe(2)
    stored = subscribe(store, gone)
    subscribe(store, kept)
    run_ingest(store)
    run_ingest(store, item("sql-joins"))
    store.queue(stored.id, "at:2026-03-03T09:00:00Z", T0 + dt.timedelta(days=1), ["urn:practica:lesson:sql-joins"], T0)
    receiver.script(gone["endpoint"], always={"status": status})
    report = run_send(store, settings)
    assert (report.gone, report.sent) == (1, 1)
    assert store.get_subscription(stored.id) is None
    assert store.db.execute("SELECT count(*) FROM outbox WHERE subscription_id = ?", (stored.id,)).fetchone()[0] == 0
    assert run_send(store, settings, T0 + dt.timedelta(days=2)).sent == 0


def test_429_waits_for_retry_after_then_succeeds(store: SqliteStore, settings: ServiceSettings,
                                                 receiver: ReceiverClient) -> None:
    sub = receiver.subscribe(1)[0]
    subscribe(store, sub)
    run_ingest(store)
    run_ingest(store, item("sql-joins"))
    receiver.script(sub["endpoint"], {"status": 429, "retry_after": "120"})
    assert run_send(store, settings).retry == 1
    assert states(store) == [("pending", 1, "2026-03-02T12:02:00Z")]  # exactly Retry-After later
    assert run_send(store, settings, T0 + dt.timedelta(seconds=119)).sent == 0
    assert run_send(store, settings, T0 + dt.timedelta(seconds=120)).sent == 1
    device = receiver.device(sub["endpoint"])
    assert device["requests"] == 2 and list(device["shown"]) == ["practica-1"]


def test_5xx_backs_off_exponentially_then_gives_up(store: SqliteStore, settings: ServiceSettings,
                                                   receiver: ReceiverClient) -> None:
    sub = receiver.subscribe(1)[0]
    stored = subscribe(store, sub)
    run_ingest(store)
    run_ingest(store, item("sql-joins"))
    receiver.script(sub["endpoint"], always={"status": 503})
    now = T0
    for delay in (30, 60):  # PRACTICA_PUSH_BACKOFF 30s, doubled per attempt
        assert run_send(store, settings, now).retry == 1
        now += dt.timedelta(seconds=delay)
        assert states(store)[-1][2] == now.strftime("%Y-%m-%dT%H:%M:%SZ")
    assert run_send(store, settings, now).fail == 1  # PRACTICA_PUSH_MAX_ATTEMPTS is 3 in these tests
    assert states(store) == [("failed", 3, "2026-03-02T12:01:30Z")]
    assert receiver.device(sub["endpoint"])["requests"] == 3
    assert store.get_subscription(stored.id) is not None
    assert run_send(store, settings, now + dt.timedelta(days=1)).sent == 0


def test_a_500_then_success(store: SqliteStore, settings: ServiceSettings, receiver: ReceiverClient) -> None:
    sub = receiver.subscribe(1)[0]
    subscribe(store, sub)
    run_ingest(store)
    run_ingest(store, item("sql-joins"))
    receiver.script(sub["endpoint"], {"status": 500})
    assert run_send(store, settings).retry == 1
    assert run_send(store, settings, T0 + dt.timedelta(seconds=30)).sent == 1
    assert len(receiver.device(sub["endpoint"])["shown"]) == 1


@pytest.mark.parametrize("status", [400, 403, 413])
def test_other_4xx_are_recorded_as_failures_without_deleting(store: SqliteStore, settings: ServiceSettings,
                                                            receiver: ReceiverClient, status: int) -> None:
    sub = receiver.subscribe(1)[0]
    stored = subscribe(store, sub)
    run_ingest(store)
    run_ingest(store, item("sql-joins"))
    receiver.script(sub["endpoint"], {"status": status})
    assert run_send(store, settings).fail == 1
    row = store.db.execute("SELECT state, status, error FROM outbox").fetchone()
    assert (row["state"], row["status"], row["error"]) == ("failed", status, f"HTTP {status}")
    assert store.get_subscription(stored.id) is not None


def test_a_notification_that_cannot_be_built_is_retried_later_without_a_request(
        store: SqliteStore, settings: ServiceSettings, receiver: ReceiverClient) -> None:
    stored = subscribe(store, receiver.subscribe(1)[0])
    run_ingest(store)
    huge = FeedItem("urn:practica:lesson:huge", "lesson", "https://learn.example.org/" + "x" * 5000, "Huge")
    store.add_batch(T0, [huge], initial=False)
    store.queue(stored.id, "batch:2", T0, [huge.id], T0)
    assert run_send(store, settings).retry == 1
    assert receiver.report()["requests"] == 0
    row = store.db.execute("SELECT state, attempts, payload, error FROM outbox").fetchone()
    assert (row["state"], row["attempts"], row["payload"]) == ("pending", 1, None)
    assert "cannot fit in 3993 bytes" in row["error"]


def test_keys_that_cannot_encrypt_fail_the_row_without_a_request(store: SqliteStore, settings: ServiceSettings,
                                                                 receiver: ReceiverClient) -> None:
    sub = receiver.subscribe(1)[0]
    stored = subscribe(store, {**sub, "keys": {**sub["keys"], "p256dh": "BAAA"}})  # stored behind the API's back
    run_ingest(store)
    run_ingest(store, item("sql-joins"))
    assert run_send(store, settings).fail == 1
    assert receiver.report()["requests"] == 0
    row = store.db.execute("SELECT state, error FROM outbox").fetchone()
    assert row["state"] == "failed" and row["error"].startswith("Unencryptable")
    assert store.get_subscription(stored.id) is not None


def test_redirects_are_never_followed(store: SqliteStore, settings: ServiceSettings, receiver: ReceiverClient) -> None:
    sub, elsewhere = receiver.subscribe(2)
    subscribe(store, sub)
    run_ingest(store)
    run_ingest(store, item("sql-joins"))
    receiver.script(sub["endpoint"], {"status": 307, "location": elsewhere["endpoint"]})
    assert run_send(store, settings).fail == 1
    assert receiver.device(elsewhere["endpoint"])["requests"] == 0


def test_the_endpoint_is_checked_again_at_send_time(store: SqliteStore, settings: ServiceSettings,
                                                    receiver: ReceiverClient) -> None:
    sub = receiver.subscribe(1)[0]
    subscribe(store, sub)
    run_ingest(store)
    run_ingest(store, item("sql-joins"))
    stricter = dataclasses.replace(settings, allow_hosts=())
    assert run_send(store, stricter).fail == 1
    assert receiver.report()["requests"] == 0
    assert "endpoint refused at send time" in store.db.execute("SELECT error FROM outbox").fetchone()[0]


def test_vapid_header_is_signed_once_per_origin_and_reused(tmp_path: Path, vapid_pem: Path,
                                                           receiver: ReceiverClient, store: SqliteStore) -> None:
    other_server = ThreadedReceiver()
    other = ReceiverClient(other_server.start())
    try:
        both = load_settings(environment(store.path, vapid_pem, f"{receiver.base},{other.base}", ttl="600"),
                             env_file=None)
        subs = receiver.subscribe(4) + other.subscribe(4)
        for sub in subs:
            subscribe(store, sub)
        run_ingest(store)
        run_ingest(store, item("sql-joins"))

        async def go() -> int:
            async with Sender.from_settings(store, both) as sender:
                assert (await deliver(store, sender, T0)).sent == 8
                return sender.signer.signatures

        assert asyncio.run(go()) == 2
        for client in (receiver, other):
            report = client.report()
            assert report["rejections"] == []  # the receiver checked aud, exp, sub and the signature
            received = [r for d in report["devices"].values() for r in d["received"]]
            assert len(received) == 4 and len({r["authorization"] for r in received}) == 1
            assert {r["ttl"] for r in received} == {"600"}
        assert receiver.report()["devices"][subs[0]["endpoint"]]["received"][0]["authorization"] != \
            other.report()["devices"][subs[4]["endpoint"]]["received"][0]["authorization"]
    finally:
        other.http.close()
        other_server.stop()


def test_one_shared_session_with_bounded_concurrency(store: SqliteStore, settings: ServiceSettings,
                                                     receiver: ReceiverClient) -> None:
    subs = receiver.subscribe(40)
    for sub in subs:
        subscribe(store, sub)
    run_ingest(store)
    run_ingest(store, item("sql-joins"))
    receiver.slow_down(0.05)
    assert run_send(store, settings).sent == 40
    report = receiver.report()
    assert 1 < report["max_in_flight"] <= settings.concurrency == 8
    assert report["connections"] <= settings.concurrency  # connections are pooled and reused, not one per message
