"""Learning records over real HTTP: the site's learning events and readers' posts become statements in a real LRS
(Ralph); a reader sees their learning record; hostile input is refused in the one error shape and records
nothing; with no LRS configured nothing is recorded; erasure leaves nothing of the reader."""

from __future__ import annotations

import asyncio
import datetime as dt
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest

from generator.service.api.app import create_app
from generator.service.api.context import Context
from generator.service.api.guards import RateLimiter
from generator.service.config import ServiceSettings, load_settings
from generator.service.models import utcnow
from generator.service.records.sender import deliver_statements
from generator.service.store.backend import open_store
from generator.service.store.sqlite import SqliteStore

from .conftest import SITE, ReceiverClient, environment, item, run_ingest, serving
from .ralph import PASSWORD, USER, Ralph
from .test_data_map import found_in_tables
from .test_me import HEADERS, MALLORY, ROBERT

CHECK = [{"question": "Which join keeps every row of the left table?", "options": ["INNER", "LEFT"], "answer": 2}]


@contextmanager
def service(tmp_path: Path, pem: Path, receiver: ReceiverClient, **extra: str
            ) -> Iterator[tuple[httpx.Client, SqliteStore, ServiceSettings, dict[str, Any], Context]]:
    """The API with header sign-in, a lesson with a check and a video; (client, store, settings, lesson, the
    app's context)."""
    settings = load_settings(environment(tmp_path / "learn.sqlite3", pem, receiver.base, **(HEADERS | extra)),
                             env_file=None)
    store = open_store(settings.db)
    assert isinstance(store, SqliteStore)
    lesson = item(f"sql-joins-{uuid.uuid4().hex[:8]}", title="SQL joins")
    lesson["_practica"]["check"] = CHECK
    try:
        run_ingest(store, lesson, item("window-functions", "video"))
        app = create_app(settings, store)
        with serving(app) as base, httpx.Client(base_url=f"{base}/api/v1") as api:
            yield api, store, settings, lesson, app.state.ctx
    finally:
        store.close()


def lrs(ralph: Ralph) -> dict[str, str]:
    return {"xapi_endpoint": ralph.endpoint, "xapi_username": USER, "xapi_password": PASSWORD}


def event(kind: str, item_id: str, **fields: Any) -> dict[str, Any]:
    return {"kind": kind, "item": item_id, "visit": "visit-0001", "at": utcnow().isoformat(), **fields}


def test_learning_and_posts_arrive_in_the_lrs_and_in_my_record(tmp_path: Path, vapid_pem: Path,
                                                              receiver: ReceiverClient, ralph: Ralph) -> None:
    with service(tmp_path, vapid_pem, receiver, **lrs(ralph)) as (api, store, settings, lesson, _):
        events = {"events": [event("read", lesson["id"]), event("answered", lesson["id"], question=1, choice=2),
                             event("checked", lesson["id"], correct=1), event("completed", lesson["id"])]}
        first = api.post("/learning", json=events, headers=ROBERT)
        assert first.status_code == 200, first.text
        assert first.json() == {"recorded": 4, "unchanged": 0}
        assert api.post("/learning", json=events, headers=ROBERT).json() == {"recorded": 0, "unchanged": 4}
        asked = api.post("/threads", headers=ROBERT, json={"community": "data", "type": "question", "title": "Joins?",
                                                           "body": "How do I keep every row?",
                                                           "idempotency_key": "ask-000001"})
        assert asked.status_code == 201, asked.text
        tid = asked.json()["thread"]["id"]
        reply = api.post(f"/threads/{tid}/posts", headers=MALLORY, json={"body": "Use a LEFT JOIN.",
                                                                          "idempotency_key": "reply-00001"})
        assert reply.status_code == 201, reply.text
        delivered = asyncio.run(deliver_statements(store, settings.xapi))
        assert (delivered.sent, delivered.rejected) == (6, 0)
        thread_url = f"{SITE}topics/data/?thread={tid}"
        in_lrs = ralph.statements(activity=lesson["url"], related=True) + ralph.statements(activity=thread_url)
        assert sorted(s["verb"]["id"].rsplit("/", 1)[1] for s in in_lrs) == [
            "answered", "answered", "asked", "attempted", "completed", "experienced"]
        mine = api.get("/me/learning", headers=ROBERT).json()
        assert (mine["on"], mine["level"]) == (True, "aggregate")
        assert [(s["verb"], s["state"]) for s in mine["statements"]] == [
            ("experienced", "sent"), ("answered", "sent"), ("attempted", "sent"), ("completed", "sent"),
            ("asked", "sent")]
        assert api.get("/health").json()["learning_records"] == "unknown"  # this app's own loop has not run


HOSTILE: list[tuple[Any, int, str]] = [
    ({"events": []}, 422, "invalid"),
    ({"events": [event("read", "urn:practica:lesson:sql-joins")] * 21}, 422, "invalid"),
    ({"events": [event("read", "urn:practica:lesson:no-such-lesson")]}, 422, "unknown_item"),
    ({"events": [event("read", "urn:practica:lesson:../../etc")]}, 422, "invalid"),
    ({"events": [event("read", "https://evil.example/")]}, 422, "invalid"),
    ({"events": [event("answered", "{lesson}", question=9, choice=1)]}, 422, "unknown_question"),
    ({"events": [event("answered", "{lesson}", question=1, choice=6)]}, 422, "unknown_choice"),
    ({"events": [event("answered", "{lesson}", question=1)]}, 422, "invalid"),
    ({"events": [event("read", "{lesson}", question=1)]}, 422, "invalid"),
    ({"events": [event("read", "{lesson}", extra="x")]}, 422, "invalid"),
    ({"events": [event("read", "{lesson}") | {"visit": "a\u0000b\u202ecd-long"}]}, 422, "invalid"),
    ({"events": [event("read", "{lesson}") | {"at": "2026-03-02T12:00:00"}]}, 422, "invalid"),
    ({"events": [event("read", "{lesson}") | {"at": "1999-01-01T00:00:00Z"}]}, 422, "invalid_time"),
    ({"events": [event("read", "{lesson}") | {"at": (utcnow() + dt.timedelta(days=1)).isoformat()}]}, 422,
     "invalid_time"),
    ({"events": [event("video", "urn:practica:video:window-functions",
                       video={"event": "played", "session": "s" * 8, "length": -1})]}, 422, "invalid"),
    ({"events": [event("video", "{lesson}", video={"event": "played", "session": "s" * 8, "length": 9})]}, 422,
     "not_a_video"),
    *[({"events": [event("video", "urn:practica:video:window-functions",
                         video={"event": "played", "session": "s" * 8, "length": 9, "seq": seq})]}, 422, "invalid")
      for seq in (-1, 100_001, "1; DROP TABLE", 1.5)],
    ({"events": "read"}, 422, "invalid"),
    ([1, 2, 3], 422, "invalid"),
]


@pytest.mark.parametrize(("body", "status", "code"), HOSTILE)
def test_hostile_learning_events_are_refused_and_record_nothing(tmp_path: Path, vapid_pem: Path,
                                                               receiver: ReceiverClient, ralph: Ralph, body: Any,
                                                               status: int, code: str) -> None:
    with service(tmp_path, vapid_pem, receiver, **lrs(ralph)) as (api, store, _, lesson, _):
        raw = httpx.Request("POST", "/", json=body).content.replace(b"{lesson}", lesson["id"].encode())
        sent = api.post("/learning", headers=ROBERT | {"Content-Type": "application/json"}, content=raw)
        assert sent.status_code == status, sent.text
        assert set(sent.json()) == {"error"} and sent.json()["error"]["code"] == code
        assert set(sent.json()["error"]) == {"code", "message", "field"}
        assert store.statement_counts()["pending"] == 0


def test_oversized_unsigned_and_off(tmp_path: Path, vapid_pem: Path, receiver: ReceiverClient, ralph: Ralph) -> None:
    with service(tmp_path, vapid_pem, receiver, **lrs(ralph)) as (api, store, _, lesson, _):
        huge = {"events": [event("read", lesson["id"]) | {"visit": "v" * 64}] * 20, "pad": "x" * 20000}
        assert api.post("/learning", json=huge, headers=ROBERT).status_code == 413
        unsigned = api.post("/learning", json={"events": [event("read", lesson["id"])]})
        assert (unsigned.status_code, unsigned.json()["error"]["code"]) == (401, "sign_in_required")
        assert store.statement_counts()["pending"] == 0
    with service(tmp_path / "off", vapid_pem, receiver) as (api, store, _, lesson, _):
        off = api.post("/learning", json={"events": [event("read", lesson["id"])]}, headers=ROBERT)
        assert (off.status_code, off.json()["error"]["code"]) == (404, "learning_records_off")
        assert api.get("/me/learning", headers=ROBERT).json() == {"on": False, "level": None, "statements": []}
        asked = api.post("/threads", headers=ROBERT, json={"community": "data", "type": "question", "title": "Joins?",
                                                           "body": "Anyone?", "idempotency_key": "ask-000002"})
        assert asked.status_code == 201
        assert store.statement_counts() == {"pending": 0, "sending": 0, "sent": 0, "rejected": 0}
        assert api.get("/health").json()["learning_records"] is None


def test_erasure_takes_the_queued_records_and_the_pseudonym(tmp_path: Path, vapid_pem: Path,
                                                            receiver: ReceiverClient, ralph: Ralph) -> None:
    with service(tmp_path, vapid_pem, receiver, **lrs(ralph)) as (api, store, settings, lesson, _):
        api.post("/learning", json={"events": [event("read", lesson["id"])]}, headers=ROBERT)
        pseudonym = store.actor_key("sso|robert-1001")
        assert pseudonym and store.statement_counts()["pending"] == 1
        assert "1 learning record (what you read, completed, answered or watched here, and your posts), sent to " \
            "your organisation's learning record store" in api.get("/me", headers=ROBERT).json()["holds"]
        exported = api.get("/me/export", headers=ROBERT).json()
        assert [(r["verb"], r["object"], r["state"]) for r in exported["learning_records"]] == [
            ("experienced", lesson["url"], "pending")]
        assert exported["person"]["pseudonym"] == pseudonym
        assert api.delete("/me", headers=ROBERT).status_code == 204
        assert found_in_tables(settings.db, "sso|robert-1001", pseudonym) == []


def test_wrong_credentials_show_in_health(tmp_path: Path, vapid_pem: Path, receiver: ReceiverClient,
                                          ralph: Ralph) -> None:
    wrong = lrs(ralph) | {"xapi_password": "not-the-password"}
    with service(tmp_path, vapid_pem, receiver, **wrong) as (api, store, settings, lesson, ctx):
        assert api.post("/learning", json={"events": [event("read", lesson["id"])]}, headers=ROBERT).status_code == 200
        delivered = asyncio.run(deliver_statements(store, settings.xapi, health=ctx.lrs))
        assert (delivered.sent, delivered.waiting) == (0, 1)
        health = api.get("/health").json()
        assert health["status"] == "ok" and health["learning_records"] == "credentials_refused"
        assert "PRACTICA_XAPI_PASSWORD" in health["learning_records_problem"]
        assert "not-the-password" not in str(health)


def test_a_reader_reporting_too_often_is_rate_limited(tmp_path: Path, vapid_pem: Path, receiver: ReceiverClient,
                                                      ralph: Ralph) -> None:
    with service(tmp_path, vapid_pem, receiver, **lrs(ralph)) as (api, _store, _, lesson, ctx):
        ctx.learning_limiter = RateLimiter(2, 3600.0)
        report = {"events": [event("read", lesson["id"])]}
        assert [api.post("/learning", json=report, headers=ROBERT).status_code for _ in range(2)] == [200, 200]
        third = api.post("/learning", json=report, headers=ROBERT)
        assert (third.status_code, third.json()["error"]["code"]) == (429, "rate_limited")
        assert int(third.headers["retry-after"]) > 0
        assert api.post("/learning", json=report, headers=MALLORY).status_code == 200  # per reader, not global
