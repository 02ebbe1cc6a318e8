"""The API over real HTTP: subscribe, prove you hold it, change, test, unsubscribe; CORS, limits, admin."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from generator.service.push.vapid import VapidKey
from generator.service.store.sqlite import SqliteStore

from .conftest import ORIGIN, ReceiverClient, api_with, item, proof, run_ingest, run_send, subscription_body

pytestmark = pytest.mark.both_backends


@pytest.fixture
def fed(store: SqliteStore) -> SqliteStore:
    """The store after the site's feed was read once (so topics and people can be followed)."""
    run_ingest(store, item("sql-joins"))
    return store


@pytest.fixture
def sub(receiver: ReceiverClient) -> dict[str, Any]:
    return receiver.subscribe(1)[0]


def test_public_key_health_options_and_docs(api: httpx.Client, store: SqliteStore, vapid_pem: Path) -> None:
    from generator.service.config import Secret

    assert api.get("/vapid-public-key").json() == {"public_key": VapidKey.load(Secret(str(vapid_pem))).public_key}
    assert api.get("/health").json()["feed_ingested_at"] is None
    run_ingest(store, item("sql-joins"))
    health = api.get("/health").json()
    assert health["status"] == "ok" and health["feed_ingested_at"].startswith("2026-03-02")
    options = api.get("/options").json()
    data = {"id": "data", "name": "Data & Analytics", "url": "https://learn.example.org/topics/data/"}
    assert data in options["topics"]
    assert options["types"] == ["lesson", "video", "faq", "path"]
    spec = api.get("/openapi.json").json()
    assert {"/api/v1/subscriptions", "/api/v1/subscriptions/{sid}", "/api/v1/subscriptions/{sid}/test",
            "/api/v1/vapid-public-key", "/api/v1/health"} <= set(spec["paths"])
    assert "swagger" in api.get("/docs").text.lower()


def test_subscribe_read_update_and_unsubscribe(api: httpx.Client, fed: SqliteStore, sub: dict[str, Any]) -> None:
    created = api.post("/subscriptions", json=subscription_body(sub, topics=["data"], people=["ada"],
                                                                 frequency="daily", timezone="Europe/Berlin",
                                                                 quiet_hours={"start": "22:00", "end": "07:00"}))
    assert created.status_code == 201, created.text
    sid = created.json()["id"]
    assert created.json()["preferences"]["quiet_hours"] == {"start": "22:00", "end": "07:00"}
    again = api.post("/subscriptions", json=subscription_body(sub, topics=["security"]))
    assert again.status_code == 200 and again.json()["id"] == sid  # re-subscribing updates, never duplicates
    assert fed.count_subscriptions() == 1

    assert api.get(f"/subscriptions/{sid}", headers=proof(sub)).json()["preferences"]["topics"] == ["security"]
    changed = api.put(f"/subscriptions/{sid}", headers=proof(sub),
                      json={"preferences": {"types": ["video", "faq"], "frequency": "weekly"}})
    assert changed.status_code == 200
    stored = fed.get_subscription(sid)
    assert stored is not None and stored.preferences.types == ("video", "faq")
    assert stored.preferences.frequency == "weekly" and stored.preferences.topics == ()

    assert api.delete(f"/subscriptions/{sid}", headers=proof(sub)).status_code == 204
    assert fed.count_subscriptions() == 0
    assert api.get(f"/subscriptions/{sid}", headers=proof(sub)).json()["error"]["code"] == "subscription_not_found"


def test_without_the_auth_secret_nothing_changes(api: httpx.Client, fed: SqliteStore, sub: dict[str, Any],
                                                 receiver: ReceiverClient) -> None:
    sid = api.post("/subscriptions", json=subscription_body(sub, topics=["data"])).json()["id"]
    stranger = {"Authorization": f"Bearer {receiver.subscribe(1)[0]['keys']['auth']}"}
    attempts = [api.get(f"/subscriptions/{sid}", headers=stranger),
                api.put(f"/subscriptions/{sid}", headers=stranger, json={"preferences": {"topics": []}}),
                api.post(f"/subscriptions/{sid}/test", headers=stranger),
                api.delete(f"/subscriptions/{sid}", headers=stranger)]
    assert [(r.status_code, r.json()["error"]["code"]) for r in attempts] == [(403, "auth_mismatch")] * 4
    hijack = {**sub, "keys": {**sub["keys"], "auth": stranger["Authorization"][7:]}}
    refused = api.post("/subscriptions", json=subscription_body(hijack, topics=["ux"]))
    assert (refused.status_code, refused.json()["error"]["field"]) == (403, "keys.auth")
    missing = api.delete(f"/subscriptions/{sid}")
    assert (missing.status_code, missing.json()["error"]["code"]) == (401, "auth_required")
    stored = fed.get_subscription(sid)
    assert stored is not None and stored.preferences.topics == ("data",)
    assert receiver.device(sub["endpoint"])["requests"] == 0


def test_test_notification_arrives_decrypted(api: httpx.Client, fed: SqliteStore, sub: dict[str, Any],
                                             receiver: ReceiverClient) -> None:
    sid = api.post("/subscriptions", json=subscription_body(sub)).json()["id"]
    answer = api.post(f"/subscriptions/{sid}/test", headers=proof(sub))
    assert answer.json() == {"status": "sent", "push_status": 201}
    device = receiver.device(sub["endpoint"])
    assert receiver.report()["rejections"] == []
    shown = device["shown"]["practica-test"]
    assert shown["title"] == "Acme Communities: notifications work"
    assert shown["url"] == "https://learn.example.org/notifications/"
    assert device["received"][0]["ttl"] == "86400" and device["received"][0]["urgency"] == "normal"


def test_test_notification_to_an_expired_subscription_removes_it(api: httpx.Client, fed: SqliteStore,
                                                                 sub: dict[str, Any], receiver: ReceiverClient) -> None:
    sid = api.post("/subscriptions", json=subscription_body(sub)).json()["id"]
    receiver.script(sub["endpoint"], always={"status": 410})
    gone = api.post(f"/subscriptions/{sid}/test", headers=proof(sub))
    assert (gone.status_code, gone.json()["error"]["code"]) == (410, "subscription_gone")
    assert fed.count_subscriptions() == 0


def test_a_refused_test_notification_is_reported_and_the_subscription_kept(
        api: httpx.Client, fed: SqliteStore, sub: dict[str, Any], receiver: ReceiverClient) -> None:
    sid = api.post("/subscriptions", json=subscription_body(sub)).json()["id"]
    receiver.script(sub["endpoint"], {"status": 400})
    failed = api.post(f"/subscriptions/{sid}/test", headers=proof(sub))
    assert (failed.status_code, failed.json()["error"]["code"]) == (502, "push_failed")
    assert fed.count_subscriptions() == 1


def test_cors_answers_the_site_and_refuses_other_origins(api: httpx.Client, fed: SqliteStore,
                                                         sub: dict[str, Any]) -> None:
    preflight = {"Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "content-type"}
    ok = api.options("/subscriptions", headers={"Origin": ORIGIN, **preflight})
    assert ok.status_code == 204 and ok.headers["access-control-allow-origin"] == ORIGIN
    assert "POST" in ok.headers["access-control-allow-methods"]
    evil = api.options("/subscriptions", headers={"Origin": "https://evil.example", **preflight})
    assert evil.status_code == 403 and "access-control-allow-origin" not in evil.headers
    assert evil.json()["error"]["code"] == "origin_not_allowed"

    posted = api.post("/subscriptions", json=subscription_body(sub), headers={"Origin": "https://evil.example"})
    assert posted.status_code == 403 and fed.count_subscriptions() == 0
    read = api.get("/health", headers={"Origin": "https://evil.example"})
    assert read.status_code == 200 and "access-control-allow-origin" not in read.headers
    mine = api.post("/subscriptions", json=subscription_body(sub), headers={"Origin": ORIGIN})
    assert mine.status_code == 201 and mine.headers["access-control-allow-origin"] == ORIGIN


@pytest.fixture
def limited(tmp_path: Path, vapid_pem: Path, receiver: ReceiverClient) -> Iterator[tuple[httpx.Client, SqliteStore]]:
    with api_with(tmp_path / "limited.sqlite3", vapid_pem, receiver, rate_limit="3/1h", admin_token="s3cret-token",
                  feed=str(tmp_path / "feed.json")) as pair:
        yield pair


def test_create_update_and_test_are_rate_limited_per_client(limited: tuple[httpx.Client, SqliteStore],
                                                            receiver: ReceiverClient) -> None:
    api, store = limited
    subs = receiver.subscribe(4)
    answers = [api.post("/subscriptions", json=subscription_body(s)) for s in subs]
    assert [a.status_code for a in answers] == [201, 201, 201, 429]
    assert answers[3].json()["error"]["code"] == "rate_limited"
    assert 1 <= int(answers[3].headers["Retry-After"]) <= 3600
    assert store.count_subscriptions() == 3
    assert api.get("/health").status_code == 200  # reading is not limited


def test_admin_routes_need_the_token(limited: tuple[httpx.Client, SqliteStore], api: httpx.Client,
                                     tmp_path: Path) -> None:
    from .conftest import write_feed

    assert api.get("/admin/stats").json()["error"]["code"] == "admin_disabled"  # no token configured there
    admin_api, _ = limited
    assert admin_api.get("/admin/stats").status_code == 401
    assert admin_api.get("/admin/stats", headers={"Authorization": "Bearer wrong"}).status_code == 403
    token = {"Authorization": "Bearer s3cret-token"}
    write_feed(tmp_path / "feed.json", item("sql-joins"))
    assert admin_api.post("/admin/ingest", headers=token).json()["initial"] is True
    stats = admin_api.get("/admin/stats", headers=token).json()
    assert stats["subscriptions"] == 0 and stats["feed_ingested_at"]
    assert admin_api.post("/admin/send", headers=token).json()["sent"] == 0


def test_logs_show_endpoints_only_as_hashes(api: httpx.Client, fed: SqliteStore, sub: dict[str, Any],
                                            receiver: ReceiverClient, settings: Any, vapid_pem: Path,
                                            caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    sid = api.post("/subscriptions", json=subscription_body(sub)).json()["id"]
    api.post(f"/subscriptions/{sid}/test", headers=proof(sub))
    run_ingest(fed, item("sql-joins"), item("window-functions"))
    receiver.script(sub["endpoint"], {"status": 500})
    run_send(fed, settings)
    api.delete(f"/subscriptions/{sid}", headers=proof(sub))
    text = caplog.text
    assert sid in text
    for secret in (sub["endpoint"], sub["endpoint"].rsplit("/", 1)[1], sub["keys"]["auth"], sub["keys"]["p256dh"],
                   vapid_pem.read_text().splitlines()[1]):
        assert secret not in text
