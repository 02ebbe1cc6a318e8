"""Reader feedback: POST /api/v1/feedback (stored once, without personal data; bad input refused with the
error shape and nothing stored; rate limited), `practica push export-feedback`, and the local API docs."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

from generator.health import read_feedback
from generator.service.api.feedback import redact
from generator.service.store.sqlite import SqliteStore
from tests.conftest import CliResult, write_config

from .conftest import ORIGIN, ReceiverClient, api_with, item, run_ingest, subscription_body

pytestmark = pytest.mark.both_backends

PAGE = "learn/sql-joins/"
VOTE_ID = "a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6"


def vote(**changes: Any) -> dict[str, Any]:
    return {"id": VOTE_ID, "page": PAGE, "helpful": True} | changes


@pytest.fixture
def fed(store: SqliteStore) -> SqliteStore:
    run_ingest(store, item("sql-joins"), item("mape", kind="faq"))
    return store


def test_a_vote_is_stored_once_and_a_later_comment_joins_it(api: httpx.Client, fed: SqliteStore) -> None:
    first = api.post("/feedback", json=vote())
    assert (first.status_code, first.json()) == (201, {"status": "created"})
    again = api.post("/feedback", json=vote())  # the browser resends when it never saw the answer
    assert (again.status_code, again.json()) == (200, {"status": "unchanged"})
    comment = "Needs an example. Call me on +44 20 7946 0958 or write to kim.lee@example.org (not before 2026-03-01)"
    joined = api.post("/feedback", json=vote(comment=comment))
    assert (joined.status_code, joined.json()) == (200, {"status": "commented"})
    [stored] = list(fed.votes())
    assert (stored.page, stored.helpful, stored.comment) == (
        PAGE, True, "Needs an example. Call me on [phone removed] or write to [email removed] (not before 2026-03-01)")
    row = fed.db.execute("SELECT * FROM feedback").fetchone()
    assert list(row.keys()) == ["id", "page", "helpful", "comment", "day"]  # no address, agent or time of day


@pytest.mark.parametrize(("body", "status", "code", "field"), [
    (vote(page="learn/not-on-the-site/"), 422, "unknown_page", "page"),
    (vote(page="https://learn.example.org/learn/sql-joins/"), 422, "unknown_page", "page"),
    (vote(page="topics/data/"), 422, "unknown_page", "page"),  # a hub is not an item
    (vote(comment="x" * 501), 422, "invalid", "comment"),
    (vote(helpful="maybe"), 422, "invalid", "helpful"),
    ({"id": VOTE_ID, "page": PAGE}, 422, "missing", "helpful"),
    (vote(id="short"), 422, "invalid", "id"),
    (vote(id="../../etc/passwd-0123456789"), 422, "invalid", "id"),
    (vote(email="kim@example.org"), 422, "invalid", "email"),
    (vote(comment="y" * 9000), 413, "payload_too_large", None),
], ids=["unknown page", "absolute URL", "not an item", "long comment", "not a boolean", "no answer", "short id",
        "odd id", "extra field", "oversized"])
def test_bad_feedback_is_refused_with_the_error_shape_and_nothing_is_stored(
        api: httpx.Client, fed: SqliteStore, body: dict[str, Any], status: int, code: str, field: str | None) -> None:
    response = api.post("/feedback", json=body)
    assert response.status_code == status, response.text
    assert response.json() == {"error": {"code": code, "message": response.json()["error"]["message"], "field": field}}
    assert response.json()["error"]["message"]
    assert list(fed.votes()) == []


def test_not_json_another_origin_and_a_conflicting_id_are_refused(api: httpx.Client, fed: SqliteStore) -> None:
    broken = api.post("/feedback", content=b"{not json", headers={"Content-Type": "application/json"})
    assert (broken.status_code, broken.json()["error"]["code"]) == (422, "invalid_json")
    foreign = api.post("/feedback", json=vote(), headers={"Origin": "https://evil.example.net"})
    assert (foreign.status_code, foreign.json()["error"]["code"]) == (403, "origin_not_allowed")
    assert list(fed.votes()) == []
    assert api.post("/feedback", json=vote(), headers={"Origin": ORIGIN}).status_code == 201
    other = api.post("/feedback", json=vote(page="faq/mape/", helpful=False))
    assert other.status_code == 409 and other.json()["error"] == {
        "code": "feedback_conflict", "message": other.json()["error"]["message"], "field": "id"}
    assert [(v.page, v.helpful) for v in fed.votes()] == [(PAGE, True)]


def test_feedback_waits_until_the_service_has_read_the_feed(api: httpx.Client, store: SqliteStore) -> None:
    response = api.post("/feedback", json=vote())
    assert (response.status_code, response.json()["error"]["code"]) == (503, "feed_not_read")
    assert response.headers["Retry-After"] == "60"  # the browser keeps the vote and tries again later


def test_feedback_is_rate_limited_apart_from_subscriptions(tmp_path: Path, vapid_pem: Path,
                                                           receiver: ReceiverClient) -> None:
    with api_with(tmp_path / "limited.sqlite3", vapid_pem, receiver, feedback_rate_limit="3/1h") as (api, store):
        run_ingest(store, item("sql-joins"))
        answers = [api.post("/feedback", json=vote(id=f"{n:032d}")).status_code for n in range(4)]
        assert answers == [201, 201, 201, 429]
        limited = api.post("/feedback", json=vote(id="f" * 32))
        assert limited.json()["error"]["code"] == "rate_limited" and int(limited.headers["Retry-After"]) > 0
        assert len(list(store.votes())) == 3
        sub = receiver.subscribe(1)[0]  # subscribing has its own allowance
        assert api.post("/subscriptions", json=subscription_body(sub)).status_code == 201


@pytest.mark.parametrize(("text", "expected"), [
    ("mail ada.o+cop@harbourline.example", "mail [email removed]"),
    ("ring 0151 496 0123 please", "ring [phone removed] please"),
    ("(030) 1234-5678", "[phone removed]"),
    ("see step 3 of 12 on 12.03.2026 or 2026-03-12", "see step 3 of 12 on 12.03.2026 or 2026-03-12"),
    ("version 1.2.3, 45 minutes, 100%", "version 1.2.3, 45 minutes, 100%"),
    ("tab\there\x00", "tab here "),
])
def test_comments_lose_emails_and_phone_numbers(text: str, expected: str) -> None:
    assert redact(text) == expected


def test_export_feedback_writes_what_the_report_reads(api: httpx.Client, fed: SqliteStore, tmp_path: Path,
                                                      cli: Callable[..., CliResult]) -> None:
    answers = [(PAGE, True, None), (PAGE, False, "Too long"), (PAGE, False, None), ("faq/mape/", True, "Spot on")]
    for n, (page, helpful, comment) in enumerate(answers):
        body = {"id": f"{n:032d}", "page": page, "helpful": helpful} | ({"comment": comment} if comment else {})
        assert api.post("/feedback", json=body).status_code == 201
    out = tmp_path / "reports" / "feedback.json"
    result = cli("push", "export-feedback", "--db", fed.path, "--out", out, "--env-file", tmp_path / "none.env")
    assert result.code == 0, result.err
    data = json.loads(out.read_text(encoding="utf-8"))
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", data["generated_at"])
    assert data["pages"] == {"faq/mape/": {"helpful": 1, "not_helpful": 0, "comments": ["Spot on"]},
                             PAGE: {"helpful": 1, "not_helpful": 2, "comments": ["Too long"]}}
    assert read_feedback(out) == data["pages"]
    printed = cli("push", "export-feedback", "--db", fed.path, "--env-file", tmp_path / "none.env")
    assert json.loads(printed.out)["pages"] == data["pages"]


def test_the_report_shows_an_exported_file(tmp_path: Path, mini: Path, cli: Callable[..., CliResult]) -> None:
    from generator.service.api.feedback import export_text
    from generator.service.models import Vote, utcnow

    day = utcnow().date()
    votes = [Vote(f"{n:032d}", "learn/forecast-basics/", n == 0, "Needs a chart" if n else None, day)
             for n in range(3)]
    (tmp_path / "feedback.json").write_text(export_text(votes), encoding="utf-8")
    config = write_config(tmp_path, docs_dir="content")
    result = cli("report", "--config-file", config, "--content", mini, "--format", "json",
                 "--feedback", tmp_path / "feedback.json", "--only", "feedback")
    assert result.code in (0, 1), result.err
    assert "1 helpful, 2 not helpful: “Needs a chart” | “Needs a chart”" in result.out


def test_the_api_docs_load_nothing_from_elsewhere(api: httpx.Client) -> None:
    page = api.get("/docs")
    assert page.status_code == 200 and "swagger" in page.text.lower()
    assets = re.findall(r'(?:src|href)="([^"]+)"', page.text)
    assert assets and all(a.startswith("/api/v1/docs/assets/") for a in assets), assets
    assert not re.search(r"https?://", page.text)  # FastAPI's own page would load Swagger UI from a CDN
    origin = str(api.base_url).split("/api/v1")[0]
    for asset in assets:
        assert httpx.get(origin + asset).status_code == 200, asset
    assert api.get("/openapi.json").json()["paths"]["/api/v1/feedback"]["post"]
