"""Learning records against a real LRS (Ralph, started by the `ralph` fixture): statements arrive and validate, a
resend after a crash adds nothing, a batch with one bad statement still delivers the good ones, the `aggregate`
level sends no names or emails, `person` sends an account, and with no endpoint nothing is recorded."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from generator.service.config import Secret, XapiSettings
from generator.service.identity.principal import Principal
from generator.service.models import iso, utcnow
from generator.service.records.events import Event, LearningRefused, Video, record_event
from generator.service.records.sender import Delivered, LrsState, deliver_statements
from generator.service.store.backend import open_store
from generator.service.store.sqlite import SqliteStore

from .conftest import item, run_ingest
from .ralph import PASSWORD, ROOT, USER, Ralph

pytestmark = pytest.mark.both_backends
ROBERT = Principal("sso|robert-1001", "robert@example.org", "Robert Example", "header")
CHECK = [{"question": "Which join keeps every row of the left table?", "options": ["INNER", "LEFT", "CROSS"],
          "answer": 2},
         {"question": "Which clause filters groups?", "options": ["WHERE", "HAVING"], "answer": 2}]


@pytest.fixture
def store(database: Path | str) -> Iterator[SqliteStore]:
    opened = open_store(database)
    assert isinstance(opened, SqliteStore)
    yield opened
    opened.close()


def lrs(ralph: Ralph, level: str = "aggregate", **changes: Any) -> XapiSettings:
    settings = XapiSettings(ralph.endpoint, USER, Secret(PASSWORD), level,
                            "https://sso.example.org" if level == "person" else "")
    return XapiSettings(**{**settings.__dict__, **changes})


def lesson_and_video(store: SqliteStore) -> tuple[dict[str, Any], dict[str, Any]]:
    """A lesson with a knowledge check and a video, on URLs no other test uses (the LRS is shared)."""
    tag = uuid.uuid4().hex[:10]
    lesson = item(f"sql-joins-{tag}", title="SQL joins", summary="Join tables without losing rows.")
    lesson["_practica"]["check"] = CHECK
    video = item(f"window-functions-{tag}", "video", title="Window functions")
    run_ingest(store, lesson, video)
    return lesson, video


def send(store: SqliteStore, xapi: XapiSettings, health: LrsState | None = None) -> Delivered:
    return asyncio.run(deliver_statements(store, xapi, utcnow() + dt.timedelta(days=1), backoff=1, health=health))


def learn(store: SqliteStore, xapi: XapiSettings, lesson: dict[str, Any], video: dict[str, Any],
          at: dt.datetime) -> list[str | None]:
    """A reader's morning: read the lesson, answer its check, finish it, watch the video to the end."""
    segments = ((0.0, 30.0), (30.0, 90.0))
    watch = [Video("initialized", "s-1", 90.0), Video("played", "s-1", 90.0, 0.0),
             Video("seeked", "s-1", 90.0, 30.0, 10.0), Video("paused", "s-1", 90.0, 45.0, 0.0, 0.5, segments[:1]),
             Video("completed", "s-1", 90.0, 90.0, 0.0, 1.0, segments)]
    events = [Event("read", lesson["id"], "visit-1", at),
              Event("answered", lesson["id"], "visit-1", at, question=1, choice=2),
              Event("answered", lesson["id"], "visit-1", at, question=2, choice=1),
              Event("checked", lesson["id"], "visit-1", at, correct=1),
              Event("completed", lesson["id"], "visit-1", at)]
    events += [Event("video", video["id"], "visit-2", at, video=v) for v in watch]
    return [record_event(store, xapi, ROBERT, e) for e in events]


def test_statements_arrive_in_the_lrs_valid_and_in_the_sites_words(store: SqliteStore, ralph: Ralph) -> None:
    lesson, video = lesson_and_video(store)
    xapi = lrs(ralph, "person")
    ids = learn(store, xapi, lesson, video, utcnow())
    assert all(ids), ids
    assert send(store, xapi).sent == len(ids)
    got = {s["id"]: s for s in ralph.statements(activity=lesson["url"], related=True)}
    verbs = sorted(s["verb"]["id"].rsplit("/", 1)[1] for s in got.values())
    assert verbs == ["answered", "answered", "attempted", "completed", "experienced"]
    read = next(s for s in got.values() if s["verb"]["id"] == "http://adlnet.gov/expapi/verbs/experienced")
    assert read["object"]["id"] == lesson["url"]
    assert read["object"]["definition"] == {"name": {"en": "SQL joins"}, "description": {
        "en": "Join tables without losing rows."}, "type": "http://adlnet.gov/expapi/activities/lesson"}
    right = next(s for s in got.values() if s["object"]["id"] == lesson["url"] + "#check-1")
    assert right["object"]["definition"]["type"] == "http://adlnet.gov/expapi/activities/cmi.interaction"
    assert right["object"]["definition"]["interactionType"] == "choice"
    assert right["object"]["definition"]["correctResponsesPattern"] == ["option-2"]
    assert [c["description"]["en"] for c in right["object"]["definition"]["choices"]] == ["INNER", "LEFT", "CROSS"]
    assert right["result"] == {"success": True, "response": "option-2"}
    assert right["context"]["contextActivities"]["parent"][0]["id"] == lesson["url"]
    watched = ralph.statements(activity=video["url"])
    assert sorted(s["verb"]["id"].rsplit("/", 1)[1] for s in watched) == [
        "completed", "initialized", "paused", "played", "seeked"]
    for one in watched:
        assert one["context"]["contextActivities"]["category"][0]["id"] == "https://w3id.org/xapi/video"
        assert one["context"]["extensions"]["https://w3id.org/xapi/video/extensions/session-id"] == "s-1"
        assert one["context"]["extensions"]["https://w3id.org/xapi/video/extensions/length"] == 90.0
    done = next(s for s in watched if s["verb"]["id"].endswith("/completed"))
    assert done["result"]["completion"] is True
    assert done["result"]["extensions"]["https://w3id.org/xapi/video/extensions/played-segments"] == \
        "0.000[.]30.000[,]30.000[.]90.000"
    assert store.statement_counts()["sent"] == len(ids)


def test_playing_twice_at_one_position_is_two_statements_and_a_resend_is_none(store: SqliteStore) -> None:
    """Play, pause at once, play again: both plays at 0 s. Keyed by position, the second had the first's id (one
    statement in the LRS); numbered in the session (records.js's `seq`), they are two, and a resend of either is
    the same statement again. Events from a page before the numbering keep the old key."""
    _, video = lesson_and_video(store)
    xapi = XapiSettings("http://127.0.0.1:9/xapi/", level="person", homepage="https://sso.example.org")

    def play(seq: int | None, session: str = "s-2") -> str | None:
        return record_event(store, xapi, ROBERT, Event("video", video["id"], "visit-3", utcnow(),
                                                       video=Video("played", session, 90.0, 0.0, seq=seq)))
    first, second = play(0), play(2)
    assert first and second and first != second
    assert play(2) is None  # the same event sent again (a lost response): recorded once
    assert play(None, "s-old") and play(None, "s-old") is None  # numberless: one per position, as before


def test_a_resend_after_a_crash_adds_no_duplicate(store: SqliteStore, ralph: Ralph) -> None:
    lesson, video = lesson_and_video(store)
    xapi = lrs(ralph)
    at = utcnow()
    first = learn(store, xapi, lesson, video, at)
    assert learn(store, xapi, lesson, video, at) == [None] * len(first)  # the device sent its queue twice
    claimed = store.claim_statements(utcnow(), 100)
    assert len(claimed) == len([i for i in first if i])
    # The sender died after the LRS stored the batch, before it marked it sent: the rows are still 'sending'.
    asyncio.run(_post_only(store, xapi))
    # Its lease ends; the next sender takes the rows back (SQLite: at once, its one sender has stopped).
    store.db.execute("UPDATE xapi_statements SET claimed_until = ?", (iso(utcnow() - dt.timedelta(minutes=5)),))
    assert store.requeue_statements() == len(claimed)
    assert send(store, xapi).sent == len(claimed)
    stored = ralph.statements(activity=lesson["url"], related=True) + \
        ralph.statements(activity=video["url"])
    assert len(stored) == len({s["id"] for s in stored}) == len(claimed)


async def _post_only(store: SqliteStore, xapi: XapiSettings) -> None:
    """What a sender does before it crashes: the batch reaches the LRS, the outbox is not told."""
    import aiohttp

    from generator.service.records.sender import Lrs
    rows = store.db.execute("SELECT body FROM xapi_statements WHERE state = 'sending' ORDER BY id").fetchall()
    async with aiohttp.ClientSession() as session:
        status, answer = await Lrs(xapi, session).post([r[0] for r in rows])
    assert status == 200, answer


def test_a_batch_with_one_bad_statement_delivers_the_good_ones(store: SqliteStore, ralph: Ralph) -> None:
    lesson, video = lesson_and_video(store)
    xapi = lrs(ralph)
    good = [record_event(store, xapi, ROBERT, Event("read", lesson["id"], "v", utcnow())),
            record_event(store, xapi, ROBERT, Event("completed", lesson["id"], "v", utcnow()))]
    bad = json.dumps({"id": str(uuid.uuid4()), "actor": {"objectType": "Agent"},  # an actor with no identifier
                      "verb": {"id": "http://adlnet.gov/expapi/verbs/experienced"},
                      "object": {"id": lesson["url"]}})
    store.queue_statement(str(json.loads(bad)["id"]), ROBERT.subject, "experienced", lesson["url"], bad, utcnow())
    last = record_event(store, xapi, ROBERT, Event("read", video["id"], "v", utcnow()))
    report = send(store, xapi)
    assert (report.sent, report.rejected) == (3, 1)
    arrived = {s["id"] for s in ralph.statements(activity=lesson["url"]) + ralph.statements(activity=video["url"])}
    assert arrived == {*good, last}
    [(sid, verb, obj, status, answer, _)] = store.rejected_statements()
    assert (sid, verb, obj) == (json.loads(bad)["id"], "experienced", lesson["url"])
    assert status in (400, 422)  # Ralph answers a statement that fails validation with 422
    assert "actor" in answer  # the LRS's own words, for the admin


def test_aggregate_level_sends_no_name_email_or_identity_key(store: SqliteStore, ralph: Ralph) -> None:
    lesson, video = lesson_and_video(store)
    xapi = lrs(ralph)
    learn(store, xapi, lesson, video, utcnow())
    send(store, xapi)
    stored = ralph.statements(activity=lesson["url"], related=True) + \
        ralph.statements(activity=video["url"])
    text = json.dumps(stored)
    for personal in ("robert", "Robert", "sso|robert-1001", "example.org/people"):
        assert personal not in text
    actors = {json.dumps(s["actor"], sort_keys=True) for s in stored}
    assert len(actors) == 1
    account = stored[0]["actor"]["account"]
    assert account["name"] == store.actor_key(ROBERT.subject)
    # fine-grained events (plays, pauses, seeks) and what the reader answered stay at the `person` level
    assert sorted(s["verb"]["id"].rsplit("/", 1)[1] for s in ralph.statements(activity=video["url"])) == [
        "completed", "initialized"]
    assert all("response" not in s.get("result", {}) for s in stored)


def test_person_level_sends_the_account_at_the_sso(store: SqliteStore, ralph: Ralph) -> None:
    lesson, _ = lesson_and_video(store)
    xapi = lrs(ralph, "person")
    record_event(store, xapi, ROBERT, Event("read", lesson["id"], "v", utcnow()))
    send(store, xapi)
    [stored] = ralph.statements(activity=lesson["url"])
    assert stored["actor"] == {"objectType": "Agent",
                               "account": {"homePage": "https://sso.example.org", "name": "sso|robert-1001"}}


def test_no_endpoint_records_nothing(store: SqliteStore) -> None:
    lesson, video = lesson_and_video(store)
    assert learn(store, XapiSettings(), lesson, video, utcnow()) == [None] * 10
    assert store.statement_counts() == {"pending": 0, "sending": 0, "sent": 0, "rejected": 0}
    assert store.person(ROBERT.subject) is None  # nor is anything kept about the reader


def test_lrs_down_or_wrong_credentials_keep_statements_waiting(store: SqliteStore, ralph: Ralph) -> None:
    lesson, video = lesson_and_video(store)
    ids = [i for i in learn(store, lrs(ralph), lesson, video, utcnow()) if i]
    health = LrsState()
    down = send(store, lrs(ralph, endpoint="http://127.0.0.1:9/xAPI/"), health)
    assert (down.sent, down.waiting, health.state) == (0, len(ids), "unreachable")
    denied = send(store, lrs(ralph, password=Secret("wrong")), health)
    assert (denied.sent, denied.waiting, health.state) == (0, len(ids), "credentials_refused")
    assert "PRACTICA_XAPI_PASSWORD" in health.detail
    assert send(store, lrs(ralph), health).sent == len(ids)
    assert health.state == "ok"
    arrived = ralph.statements(activity=lesson["url"], related=True) + \
        ralph.statements(activity=video["url"])
    assert sorted(s["id"] for s in arrived) == sorted(ids)


def test_events_about_what_the_site_does_not_have_are_refused(store: SqliteStore, ralph: Ralph) -> None:
    lesson, video = lesson_and_video(store)
    xapi = lrs(ralph)
    for event, code in ((Event("read", "urn:practica:lesson:nope", "v", utcnow()), "unknown_item"),
                        (Event("answered", lesson["id"], "v", utcnow(), question=3, choice=1), "unknown_question"),
                        (Event("answered", lesson["id"], "v", utcnow(), question=1, choice=4), "unknown_choice"),
                        (Event("answered", video["id"], "v", utcnow(), question=1, choice=1), "no_check"),
                        (Event("video", lesson["id"], "v", utcnow(), video=Video("played", "s", 9.0)), "not_a_video"),
                        (Event("completed", video["id"], "v", utcnow()), "not_completable")):
        with pytest.raises(LearningRefused) as refused:
            record_event(store, xapi, ROBERT, event)
        assert refused.value.code == code
    assert store.statement_counts()["pending"] == 0


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_rejected_list_export_and_report_show_the_figures(store: SqliteStore, ralph: Ralph, database: Path,
                                                         cli: Callable[..., Any], vapid_pem: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    lesson = item("colour-contrast-basics", title="Colour contrast basics")  # a lesson of the demo content
    lesson["_practica"]["check"] = CHECK
    run_ingest(store, lesson)
    xapi = lrs(ralph)
    for who in ("sso|a-1", "sso|b-2"):
        reader = Principal(who, None, None, "header")
        for event in (Event("read", lesson["id"], "v1", utcnow()), Event("completed", lesson["id"], "v1", utcnow()),
                      Event("answered", lesson["id"], "v1", utcnow(), question=1,
                            choice=2 if who == "sso|a-1" else 1)):
            record_event(store, xapi, reader, event)
    bad = json.dumps({"id": str(uuid.uuid4()), "actor": {"objectType": "Agent"}, "verb": {"id": "x"},
                      "object": {"id": lesson["url"]}})
    store.queue_statement(json.loads(bad)["id"], "sso|a-1", "experienced", lesson["url"], bad, utcnow())
    for name, value in {"XAPI_ENDPOINT": ralph.endpoint, "XAPI_USERNAME": USER, "XAPI_PASSWORD": PASSWORD,
                        "PUSH_VAPID_PRIVATE_KEY": str(vapid_pem), "PUSH_VAPID_SUBJECT": "mailto:l@example.org"}.items():
        monkeypatch.setenv("PRACTICA_" + name, value)
    sent = cli("push", "send", "--db", database, "--env-file", database.parent / "none.env")
    assert sent.code == 0, sent.err  # `push send` (cron, without serve) delivers learning records too
    assert store.statement_counts() == {"pending": 0, "sending": 0, "sent": 6, "rejected": 1}
    listed = cli("push", "xapi-rejected", "--db", database)
    assert listed.code == 0 and json.loads(bad)["id"] in listed.out and "the LRS answered 4" in listed.out
    out = database.parent / "learning.json"
    assert cli("push", "export-learning", "--db", database, "--out", out).code == 0
    assert json.loads(out.read_text())["pages"]["learn/colour-contrast-basics/"] == {
        "title": "Colour contrast basics", "read": 2, "completed": 2, "answers": 2, "answers_right": 1,
        "video_started": 0, "video_completed": 0}
    shown = cli("report", "--config-file", ROOT / "mkdocs.yml", "--learning", out, "--only", "learning")
    assert shown.code == 0, shown.err
    # the site's own title for the page, its authors as who can act on it
    assert "Colour contrast in five minutes: 2 read, 2 completed, check 50% right (2 answers)" in shown.out
