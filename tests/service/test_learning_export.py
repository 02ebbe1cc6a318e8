"""L&D reading learning records back (`practica push export-learning`): figures per item and per community from the
real LRS (Ralph) — distinct people, a resend counted once, statements about other sites' pages left out — the local
fallback when the LRS is unreachable, and hostile LRS answers (another origin's `more` link, invalid or huge JSON,
endless pages, refused credentials) met with a clear error."""

from __future__ import annotations

import asyncio
import datetime as dt
import http.server
import json
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from generator.service.config import Secret, XapiSettings
from generator.service.identity.principal import Principal
from generator.service.models import utcnow
from generator.service.records import lrs_read
from generator.service.records.events import Event, Video, record_event
from generator.service.records.export import learning_export
from generator.service.records.lrs_read import LrsReadError, read_statements
from generator.service.records.sender import Lrs, deliver_statements
from generator.service.store.backend import open_store
from generator.service.store.sqlite import SqliteStore

from .conftest import SITE, item, run_ingest
from .ralph import PASSWORD, USER, Ralph

READERS = [Principal(f"sso|reader-{n}", None, None, "header") for n in range(3)]
SEGMENTS = ((0.0, 90.0),)


@pytest.fixture
def store(database: Path | str) -> Iterator[SqliteStore]:
    opened = open_store(database)
    assert isinstance(opened, SqliteStore)
    yield opened
    opened.close()


def lrs(endpoint: str, password: str = PASSWORD) -> XapiSettings:
    return XapiSettings(endpoint, USER, Secret(password))


def site_of(store: SqliteStore) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
    """A lesson with a check and a video in `data`, and a lesson in `data` and `security`, on URLs of their own."""
    tag = uuid.uuid4().hex[:10]
    joins = item(f"joins-{tag}", title="SQL joins")
    joins["_practica"]["check"] = [{"question": "Which join keeps every left row?", "options": ["INNER", "LEFT"],
                                    "answer": 2}, {"question": "Which clause filters groups?",
                                                   "options": ["WHERE", "HAVING"], "answer": 2}]
    video = item(f"windows-{tag}", "video", title="Window functions")
    secrets = item(f"secrets-{tag}", topics=("data", "security"), title="Secrets in SQL")
    run_ingest(store, joins, video, secrets)
    return joins, video, secrets


def learn(store: SqliteStore, xapi: XapiSettings, joins: dict[str, Any], video: dict[str, Any],
          secrets: dict[str, Any]) -> None:
    """Reader 0 reads the lesson on two days, answers its first question right and completes it, and watches the
    video to its end; reader 1 reads it, answers wrong then right; reader 2 starts the video and reads and
    completes the other lesson."""
    a, b, c = READERS
    today = utcnow()
    yesterday = today - dt.timedelta(days=1)
    done = [(a, Event("read", joins["id"], "visit-a1", yesterday)), (a, Event("read", joins["id"], "visit-a2", today)),
            (a, Event("answered", joins["id"], "visit-a2", today, question=1, choice=2)),
            (a, Event("completed", joins["id"], "visit-a2", today)),
            (a, Event("video", video["id"], "visit-a3", today, video=Video("initialized", "s-a", 90.0))),
            (a, Event("video", video["id"], "visit-a3", today,
                      video=Video("completed", "s-a", 90.0, 90.0, 0.0, 1.0, SEGMENTS))),
            (b, Event("read", joins["id"], "visit-b1", today)),
            (b, Event("answered", joins["id"], "visit-b1", today, question=1, choice=1)),
            (b, Event("answered", joins["id"], "visit-b1", today, question=2, choice=2)),
            (c, Event("video", video["id"], "visit-c1", today, video=Video("initialized", "s-c", 90.0))),
            (c, Event("read", secrets["id"], "visit-c2", today)),
            (c, Event("completed", secrets["id"], "visit-c2", today))]
    for who, event in done:
        assert record_event(store, xapi, who, event)


def path(entry: dict[str, Any]) -> str:
    return str(entry["url"]).removeprefix(SITE)


def env(monkeypatch: pytest.MonkeyPatch, vapid_pem: Path, endpoint: str) -> None:
    for name, value in {"XAPI_ENDPOINT": endpoint, "XAPI_USERNAME": USER, "XAPI_PASSWORD": PASSWORD,
                        "PUSH_VAPID_PRIVATE_KEY": str(vapid_pem), "PUSH_VAPID_SUBJECT": "mailto:l@example.org"}.items():
        monkeypatch.setenv("PRACTICA_" + name, value)


def test_export_from_the_lrs_counts_people_per_item_and_community(store: SqliteStore, ralph: Ralph, database: Path,
                                                                  cli: Callable[..., Any], vapid_pem: Path,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    joins, video, secrets = site_of(store)
    xapi = lrs(ralph.endpoint)
    learn(store, xapi, joins, video, secrets)
    assert asyncio.run(deliver_statements(store, xapi, utcnow() + dt.timedelta(days=1))).sent == 12
    bodies = [r[0] for r in store.db.execute("SELECT body FROM xapi_statements ORDER BY id")]
    asyncio.run(_post_again(xapi, bodies))  # a resend of every statement: the LRS keeps one of each id
    # Another site's page in the same LRS, from the same kind of reader: not one of ours, so not counted.
    stranger = json.loads(bodies[0])
    stranger |= {"id": str(uuid.uuid4()), "object": {**stranger["object"], "id": "https://elsewhere.example/x/"}}
    asyncio.run(_post_again(xapi, [json.dumps(stranger)]))
    store.db.execute("DELETE FROM xapi_statements")  # the LRS's figures, not what this service still keeps
    env(monkeypatch, vapid_pem, ralph.endpoint)
    out = database.parent / "learning.json"
    done = cli("push", "export-learning", "--db", database, "--out", out)
    assert done.code == 0, done.err
    data = json.loads(out.read_text())
    assert data["source"] == "lrs" and "lrs_problem" not in data
    assert data["pages"] == {
        path(joins): {"title": "SQL joins", "read": 2, "completed": 1, "answers": 3, "answers_right": 2,
                      "video_started": 0, "video_completed": 0},
        path(video): {"title": "Window functions", "read": 0, "completed": 0, "answers": 0, "answers_right": 0,
                      "video_started": 2, "video_completed": 1},
        path(secrets): {"title": "Secrets in SQL", "read": 1, "completed": 1, "answers": 0, "answers_right": 0,
                        "video_started": 0, "video_completed": 0}}
    assert data["communities"] == {
        "data": {"read": 3, "completed": 2, "answers": 3, "answers_right": 2, "video_started": 2,
                 "video_completed": 1},
        "security": {"read": 1, "completed": 1, "answers": 0, "answers_right": 0, "video_started": 0,
                     "video_completed": 0}}
    assert "sso|reader" not in out.read_text()
    strict = cli("push", "export-learning", "--db", database, "--from-lrs")
    assert strict.code == 0 and json.loads(strict.out)["pages"] == data["pages"]


async def _post_again(xapi: XapiSettings, bodies: list[str]) -> None:
    async with aiohttp.ClientSession() as session:
        status, answer = await Lrs(xapi, session).post(bodies)
    assert status in (200, 204, 409), answer


def test_an_unreachable_lrs_fails_from_lrs_and_falls_back_by_default(store: SqliteStore, ralph: Ralph,
                                                                     database: Path, cli: Callable[..., Any],
                                                                     vapid_pem: Path,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    joins, video, secrets = site_of(store)
    learn(store, lrs(ralph.endpoint), joins, video, secrets)
    env(monkeypatch, vapid_pem, "http://127.0.0.1:9/xAPI/")
    strict = cli("push", "export-learning", "--db", database, "--from-lrs")
    assert strict.code == 1 and strict.out == ""
    assert "the LRS at http://127.0.0.1:9/xAPI/ is unreachable" in strict.err
    fallback = cli("push", "export-learning", "--db", database)
    assert fallback.code == 0, fallback.err
    data = json.loads(fallback.out)
    assert data["source"] == "local" and "unreachable" in data["lrs_problem"]
    assert data["pages"][path(joins)]["read"] == 2 and data["communities"]["data"]["read"] == 3
    local = cli("push", "export-learning", "--db", database, "--local")
    assert local.code == 0 and json.loads(local.out)["source"] == "local" and "lrs_problem" not in local.out
    monkeypatch.delenv("PRACTICA_XAPI_ENDPOINT")
    unset = cli("push", "export-learning", "--db", database, "--from-lrs")
    assert unset.code == 1 and "PRACTICA_XAPI_ENDPOINT is not set" in unset.err


@pytest.mark.both_backends
def test_local_export_has_the_same_shape(store: SqliteStore, ralph: Ralph) -> None:
    joins, video, secrets = site_of(store)
    learn(store, lrs(ralph.endpoint), joins, video, secrets)
    thread = f"{SITE}topics/data/?thread=7"  # an answer on a board is not an answer to a knowledge check
    sid = str(uuid.uuid4())
    board = {"id": sid, "object": {"id": thread, "definition": {"name": {"en": "A question"}}}}
    store.queue_statement(sid, READERS[0].subject, "answered", thread, json.dumps(board), utcnow())
    data = learning_export(store, utcnow())
    assert set(data["pages"]) == {path(joins), path(video), path(secrets)}
    assert data["source"] == "local"
    assert data["pages"][path(video)] == {"title": "Window functions", "read": 0, "completed": 0, "answers": 0,
                                          "answers_right": 0, "video_started": 2, "video_completed": 1}
    assert data["communities"]["data"] == {"read": 3, "completed": 2, "answers": 3, "answers_right": 2,
                                           "video_started": 2, "video_completed": 1}


class FakeLrs:
    """An HTTP server on 127.0.0.1 that answers every GET with what `answer(path)` gives: (status, body bytes);
    it records the paths it was asked for."""

    def __init__(self, answer: Callable[[str], tuple[int, bytes]]) -> None:
        asked: list[str] = []
        self.asked = asked

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                asked.append(self.path)
                status, body = answer(self.path)
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: object) -> None:
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.endpoint = f"http://127.0.0.1:{self.server.server_address[1]}/xAPI/"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def fake() -> Iterator[Callable[[Callable[[str], tuple[int, bytes]]], FakeLrs]]:
    made: list[FakeLrs] = []

    def start(answer: Callable[[str], tuple[int, bytes]]) -> FakeLrs:
        made.append(FakeLrs(answer))
        return made[-1]
    yield start
    for one in made:
        one.close()


def page(more: str = "", statements: list[Any] | None = None) -> tuple[int, bytes]:
    return 200, json.dumps({"statements": statements or [], "more": more}).encode()


def test_a_more_link_to_another_origin_is_not_followed(fake: Callable[..., FakeLrs]) -> None:
    other = fake(lambda _: page())
    for more in (other.endpoint + "statements?page=2", "//127.0.0.1:1/xAPI/statements", "https://" +
                 other.endpoint.removeprefix("http://")):
        lrs_server = fake(lambda _, more=more: page(more))
        with pytest.raises(LrsReadError, match=r"'more' link leads to another origin.*not followed"):
            read_statements(lrs(lrs_server.endpoint), verbs=("experienced",))
    assert other.asked == []  # the credentials never went there


def test_same_origin_more_links_are_followed_within_the_page_limit(fake: Callable[..., FakeLrs]) -> None:
    read = {"actor": {"account": {"homePage": "https://sso", "name": "k1"}, "name": "Never Read"},
            "verb": {"id": "http://adlnet.gov/expapi/verbs/experienced"}, "object": {"id": "https://s/learn/a/"}}
    server = fake(lambda p: page("/xAPI/statements?page=2" if "page=2" not in p else "",
                                 [read | {"id": str(uuid.uuid5(uuid.NAMESPACE_URL, p))}]))
    seen = read_statements(lrs(server.endpoint), verbs=("experienced",))
    assert len(seen) == 2 and len(server.asked) == 2 and "verb=http" in server.asked[0]
    assert all("Never Read" not in s.actor and s.actor == seen[0].actor for s in seen)  # a key, never a name
    endless = fake(lambda p: page(f"/xAPI/statements?after={len(p)}"))
    with pytest.raises(LrsReadError, match="more than 5 pages of 'experienced' statements"):
        read_statements(lrs(endless.endpoint), verbs=("experienced",), pages=5)
    assert len(endless.asked) == 5


@pytest.mark.parametrize(("answer", "message"), [
    ((200, b"{\"statements\": [unfinished"), "invalid JSON"),
    ((200, b"[1, 2]"), "not a StatementResult"),
    ((200, b"{\"statements\": {}}"), "not a StatementResult"),
    ((200, b"{\"statements\": [], \"more\": 7}"), "not a StatementResult"),
    ((401, b"{}"), "refused the credentials \\(401\\): check PRACTICA_XAPI_USERNAME"),
    ((500, b"<html>boom</html>"), "answered 500 to GET"),
])
def test_hostile_answers_give_a_clear_error(fake: Callable[..., FakeLrs], answer: tuple[int, bytes],
                                            message: str) -> None:
    server = fake(lambda _: answer)
    with pytest.raises(LrsReadError, match=message):
        read_statements(lrs(server.endpoint), verbs=("completed",))


def test_a_huge_page_is_not_read(fake: Callable[..., FakeLrs], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(lrs_read, "PAGE_BYTES", 1_000_000)
    server = fake(lambda _: (200, b"{\"statements\": [" + b"{}, " * 400_000 + b"{}]}"))
    with pytest.raises(LrsReadError, match="a page over 1 MB"):
        read_statements(lrs(server.endpoint), verbs=("completed",))


def test_statements_an_lrs_should_have_filtered_out_are_left_out(fake: Callable[..., FakeLrs]) -> None:
    """An LRS that ignores `verb` (or answers junk in the list): only the asked verb, with an actor identifier
    and an activity id, counts."""
    good = {"id": "1", "actor": {"mbox": "mailto:x@example.org"}, "verb": {"id": "http://adlnet.gov/expapi/verbs/completed"},
            "object": {"id": "https://s/learn/a/"}, "result": {"success": True}}
    junk = [good | {"id": "2", "verb": {"id": "http://adlnet.gov/expapi/verbs/experienced"}},
            good | {"id": "3", "actor": {"name": "Only A Name"}}, good | {"id": "4", "object": {"id": 5}}, "text", 3]
    server = fake(lambda _: page("", [good, *junk]))
    [seen] = read_statements(lrs(server.endpoint), verbs=("completed",))
    assert (seen.verb, seen.obj, seen.success, seen.sid) == ("completed", "https://s/learn/a/", True, "1")


def test_a_slow_lrs_stops_at_the_time_limit(fake: Callable[..., FakeLrs]) -> None:
    def slow(_: str) -> tuple[int, bytes]:
        time.sleep(1.5)
        return page()
    server = fake(slow)
    started = time.monotonic()
    with pytest.raises(LrsReadError, match=r"longer than the time limit \(0.5 s\).*--local"):
        read_statements(lrs(server.endpoint), verbs=("completed",), seconds=0.5)
    assert time.monotonic() - started < 1.4
    def drip(path: str) -> tuple[int, bytes]:
        time.sleep(0.2)
        return page(f"/xAPI/statements?after={len(path)}")
    dripping = fake(drip)
    with pytest.raises(LrsReadError, match=r"longer than the time limit \(0.5 s\)"):
        read_statements(lrs(dripping.endpoint), verbs=("completed",), seconds=0.5)
    assert 2 <= len(dripping.asked) <= 4  # each page in time, the whole read not
