"""One JSON error shape for every error the API can give, and hostile input refused with nothing stored."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from generator.service.security import b64url
from generator.service.store.sqlite import SqliteStore

from .conftest import ReceiverClient, api_with, item, proof, run_ingest, serving, subscription_body

pytestmark = pytest.mark.both_backends

World = tuple[httpx.Client, dict[str, Any], str, ReceiverClient]
Call = Callable[[httpx.Client, dict[str, Any], str, ReceiverClient], httpx.Response]


def _crash() -> None:
    raise RuntimeError("a bug")


@pytest.fixture
def world(app: FastAPI, store: SqliteStore, receiver: ReceiverClient) -> Iterator[World]:
    """A running API with one subscription, plus a route that fails the way a bug would."""
    app.add_api_route("/api/v1/crash", _crash)
    run_ingest(store, item("sql-joins"))
    sub = receiver.subscribe(1)[0]
    with serving(app) as base, httpx.Client(base_url=f"{base}/api/v1") as api:
        sid = api.post("/subscriptions", json=subscription_body(sub)).json()["id"]
        yield api, sub, sid, receiver


def _oversized(api: httpx.Client, sub: dict[str, Any], sid: str, receiver: ReceiverClient) -> httpx.Response:
    return api.post("/subscriptions", json=subscription_body(sub, topics=["data"] * 2000))


def _chunked(api: httpx.Client, sub: dict[str, Any], sid: str, receiver: ReceiverClient) -> httpx.Response:
    # No Content-Length to trust: the limit must count what actually arrives.
    def body() -> Iterator[bytes]:
        yield b'{"endpoint": "'
        for _ in range(20):
            yield b"x" * 1000
        yield b'"}'
    return api.post("/subscriptions", content=body(), headers={"Content-Type": "application/json"})


def _flood(api: httpx.Client, sub: dict[str, Any], sid: str, receiver: ReceiverClient) -> httpx.Response:
    for _ in range(40):  # the default limit is 30 per 10 minutes
        response = api.put(f"/subscriptions/{sid}", headers=proof(sub), json={"preferences": {}})
        if response.status_code != 200:
            return response
    raise AssertionError("never rate limited")


def _refused_push(api: httpx.Client, sub: dict[str, Any], sid: str, receiver: ReceiverClient) -> httpx.Response:
    receiver.script(sub["endpoint"], {"status": 400})
    return api.post(f"/subscriptions/{sid}/test", headers=proof(sub))


def _expired(api: httpx.Client, sub: dict[str, Any], sid: str, receiver: ReceiverClient) -> httpx.Response:
    receiver.script(sub["endpoint"], {"status": 404})
    return api.post(f"/subscriptions/{sid}/test", headers=proof(sub))


CASES: dict[str, tuple[Call, int, str]] = {
    "rate limited": (_flood, 429, "rate_limited"),
    "push service refused": (_refused_push, 502, "push_failed"),
    "subscription expired": (_expired, 410, "subscription_gone"),
    "unknown route": (lambda api, s, i, r: api.get("/nope"), 404, "not_found"),
    "unknown subscription": (lambda api, s, i, r: api.get("/subscriptions/AAAAAAAAAAAAAAAA", headers=proof(s)), 404,
                             "subscription_not_found"),
    "wrong method": (lambda api, s, i, r: api.delete("/health"), 405, "method_not_allowed"),
    "no proof": (lambda api, s, i, r: api.get(f"/subscriptions/{i}"), 401, "auth_required"),
    "wrong proof": (lambda api, s, i, r: api.get(f"/subscriptions/{i}", headers={"Authorization": "Bearer x"}), 403,
                    "auth_mismatch"),
    "not JSON": (lambda api, s, i, r: api.post("/subscriptions", content=b"{oops",
                                               headers={"Content-Type": "application/json"}), 422, "invalid_json"),
    "missing field": (lambda api, s, i, r: api.post("/subscriptions", json={"endpoint": s["endpoint"]}), 422,
                      "missing"),
    "bad id": (lambda api, s, i, r: api.get("/subscriptions/../../etc", headers=proof(s)), 404, "not_found"),
    "bad id format": (lambda api, s, i, r: api.get("/subscriptions/short", headers=proof(s)), 422, "invalid"),
    "too large": (_oversized, 413, "payload_too_large"),
    "too large, chunked": (_chunked, 413, "payload_too_large"),
    "admin off": (lambda api, s, i, r: api.get("/admin/stats"), 403, "admin_disabled"),
    "a bug": (lambda api, s, i, r: api.get("/crash"), 500, "internal"),
}


@pytest.mark.parametrize("case", CASES)
def test_every_error_has_the_one_shape(world: World, case: str) -> None:
    call, status, code = CASES[case]
    response = call(*world)
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/json"
    body = response.json()
    assert set(body) == {"error"} and set(body["error"]) == {"code", "message", "field"}
    assert body["error"]["code"] == code and body["error"]["message"]


def test_the_openapi_document_declares_the_error_shape(api: httpx.Client) -> None:
    spec = api.get("/openapi.json").json()
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            for status, response in operation["responses"].items():
                if status.startswith(("4", "5")):
                    schema = response["content"]["application/json"]["schema"]
                    assert schema == {"$ref": "#/components/schemas/ErrorBody"}, (method, path, status)
    assert "HTTPValidationError" not in spec["components"]["schemas"]


def _point() -> str:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec

    raw = ec.generate_private_key(ec.SECP256R1()).public_key().public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)
    return b64url(raw)


def _with(endpoint: str | None = None, p256dh: str | None = None, auth: str | None = None,
          **preferences: Any) -> Callable[[dict[str, Any]], dict[str, Any]]:
    def make(sub: dict[str, Any]) -> dict[str, Any]:
        keys = {"p256dh": p256dh or sub["keys"]["p256dh"], "auth": auth or sub["keys"]["auth"]}
        return subscription_body({"endpoint": endpoint or sub["endpoint"], "keys": keys}, **preferences)
    return make


HOSTILE: dict[str, tuple[Callable[[dict[str, Any]], dict[str, Any]], str, str]] = {
    "http endpoint": (_with("http://fcm.googleapis.com/fcm/send/abc"), "endpoint_not_https", "endpoint"),
    "private address": (_with("https://10.1.2.3/push/abc"), "endpoint_not_allowed", "endpoint"),
    "metadata IP trick": (_with("https://169.254.169.254/.google.com/"), "endpoint_not_allowed", "endpoint"),
    "IPv6 literal": (_with("https://[fd00::1]/push"), "endpoint_not_allowed", "endpoint"),
    "decimal IP": (_with("https://2852039166/push"), "endpoint_not_allowed", "endpoint"),
    "user-info": (_with("https://fcm.googleapis.com@evil.example/push"), "endpoint_not_allowed", "endpoint"),
    "look-alike host": (_with("https://fcm.googleapis.com.evil.example/x"), "endpoint_not_allowed", "endpoint"),
    "unknown host": (_with("https://push.evil.example/x"), "endpoint_not_allowed", "endpoint"),
    "p256dh too short": (_with(p256dh=b64url(b"\x04" + os.urandom(40))), "invalid_key", "keys.p256dh"),
    "p256dh off the curve": (_with(p256dh=b64url(b"\x04" + b"\x07" * 64)), "invalid_key", "keys.p256dh"),
    "p256dh not base64": (_with(p256dh="B" + "%" * 86), "invalid_key", "keys.p256dh"),
    "auth too long": (_with(auth=b64url(os.urandom(32))), "invalid_key", "keys.auth"),
    "auth not base64": (_with(auth="$$$$$$$$$$$$$$$$$$$$$$"), "invalid_key", "keys.auth"),
    "unknown topic": (_with(topics=["data", "astrology"]), "unknown_topic", "preferences.topics[1]"),
    "unknown person": (_with(people=["nobody"]), "unknown_person", "preferences.people[0]"),
    "bad time zone": (_with(timezone="Mars/Olympus_Mons"), "invalid_timezone", "preferences.timezone"),
    "path as time zone": (_with(timezone="../../etc/passwd"), "invalid_timezone", "preferences.timezone"),
    "bad quiet hours": (_with(quiet_hours={"start": "25:00", "end": "07:00"}), "invalid_time",
                        "preferences.quiet_hours.start"),
    "empty quiet hours": (_with(quiet_hours={"start": "07:00", "end": "07:00"}), "invalid_time",
                          "preferences.quiet_hours"),
    "unknown type": (_with(types=["podcast"]), "invalid", "preferences.types[0]"),
    "unknown frequency": (_with(frequency="hourly"), "invalid", "preferences.frequency"),
    "unknown field": (_with(admin=True), "invalid", "preferences.admin"),
}


@pytest.mark.parametrize("case", HOSTILE)
def test_hostile_input_is_refused_and_nothing_is_stored(tmp_path: Path, vapid_pem: Path, receiver: ReceiverClient,
                                                        case: str) -> None:
    make, code, field = HOSTILE[case]
    sub = receiver.subscribe(1)[0]
    with api_with(tmp_path / "db.sqlite3", vapid_pem, receiver, rate_limit="1000/1m") as (api, store):
        run_ingest(store, item("sql-joins"))
        response = api.post("/subscriptions", json=make(sub))
        assert response.status_code == 422, response.text
        assert response.json() == {"error": {"code": code, "message": response.json()["error"]["message"],
                                             "field": field}}
        assert store.count_subscriptions() == 0
    assert receiver.report()["requests"] == 0


def test_valid_keys_from_a_real_key_pair_are_accepted(api: httpx.Client, store: SqliteStore,
                                                      receiver: ReceiverClient) -> None:
    sub = receiver.subscribe(1)[0]
    assert api.post("/subscriptions", json=_with(p256dh=_point())(sub)).status_code == 201
