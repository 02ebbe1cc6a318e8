"""Every answer of the push service carries the security headers: successes, errors, 404/405, docs."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import httpx
import pytest
from fastapi import FastAPI

from generator.service.api.headers import JSON_POLICY

from .conftest import ORIGIN, ReceiverClient, serving, subscription_body

pytestmark = pytest.mark.both_backends

Call = Callable[[httpx.Client, ReceiverClient], httpx.Response]


def _crash() -> None:
    raise RuntimeError("a bug")


@pytest.fixture
def client(app: FastAPI) -> Iterator[httpx.Client]:
    app.add_api_route("/api/v1/crash", _crash)
    with serving(app) as base, httpx.Client(base_url=base, timeout=30) as http:
        yield http


def _subscribe(api: httpx.Client, receiver: ReceiverClient) -> httpx.Response:
    return api.post("/api/v1/subscriptions", json=subscription_body(receiver.subscribe(1)[0]))


CASES: dict[str, tuple[Call, int]] = {
    "health": (lambda api, r: api.get("/api/v1/health"), 200),
    "public key": (lambda api, r: api.get("/api/v1/vapid-public-key"), 200),
    "subscribe": (_subscribe, 201),
    "read without proof": (lambda api, r: api.get("/api/v1/subscriptions/AAAAAAAAAAAAAAAA"), 401),
    "invalid body": (lambda api, r: api.post("/api/v1/subscriptions", json={"endpoint": 1}), 422),
    "not json": (lambda api, r: api.post("/api/v1/subscriptions", content=b"{", headers={
        "Content-Type": "application/json"}), 422),
    "too large": (lambda api, r: api.post("/api/v1/subscriptions", content=b"x" * 100_000), 413),
    "other origin": (lambda api, r: api.post("/api/v1/feedback", json={}, headers={"Origin": "https://evil.example"}),
                     403),
    "preflight": (lambda api, r: api.options("/api/v1/subscriptions", headers={
        "Origin": ORIGIN, "Access-Control-Request-Method": "POST"}), 204),
    "no such route": (lambda api, r: api.get("/api/v1/nothing"), 404),
    "no such page": (lambda api, r: api.get("/"), 404),
    "wrong method": (lambda api, r: api.delete("/api/v1/health"), 405),
    "a bug": (lambda api, r: api.get("/api/v1/crash"), 500),
    "openapi": (lambda api, r: api.get("/api/v1/openapi.json"), 200),
}


@pytest.mark.parametrize("case", CASES)
def test_every_json_answer_carries_the_headers(client: httpx.Client, receiver: ReceiverClient, case: str) -> None:
    call, status = CASES[case]
    answer = call(client, receiver)
    assert answer.status_code == status, answer.text
    assert answer.headers["x-content-type-options"] == "nosniff"
    assert answer.headers["referrer-policy"] == "no-referrer"
    assert answer.headers["x-frame-options"] == "DENY"
    assert answer.headers["content-security-policy"] == JSON_POLICY
    assert answer.headers["cache-control"] == "no-store"
    assert len(answer.headers.get_list("content-security-policy")) == 1


def test_the_docs_page_has_its_own_strict_policy(client: httpx.Client) -> None:
    page = client.get("/api/v1/docs")
    assert page.status_code == 200 and "SwaggerUIBundle" in page.text
    policy = dict(part.strip().split(" ", 1) for part in page.headers["content-security-policy"].split(";"))
    assert policy["default-src"] == "'none'" and policy["frame-ancestors"] == "'none'"
    assert policy["script-src"].startswith("'self' 'sha256-") and "unsafe" not in policy["script-src"]
    assert policy["connect-src"] == "'self'"
    assert page.headers["x-frame-options"] == "DENY" and page.headers["x-content-type-options"] == "nosniff"
    asset = client.get("/api/v1/docs/assets/swagger-ui-bundle.js")
    assert asset.status_code == 200 and asset.headers["x-content-type-options"] == "nosniff"
    assert "cache-control" not in asset.headers  # the static assets may be cached; they hold nothing personal
