"""A signed-in reader's own data over real HTTP: /me, export, erasure (nothing of them left in any table, nor in
the file), the lock-screen preference, and linking devices; hostile input changes nothing."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from generator.service.api.app import create_app
from generator.service.config import ServiceSettings, load_settings
from generator.service.store.backend import open_store
from generator.service.store.sqlite import SqliteStore

from .conftest import ReceiverClient, environment, item, proof, run_ingest, run_send, serving, subscription_body
from .test_data_map import found_in_tables
from .test_introductions import jpeg_with_exif

pytestmark = pytest.mark.both_backends

HEADERS = {"auth_mode": "header", "auth_header": "X-Forwarded-Email", "auth_subject_header": "X-Forwarded-User",
           "auth_name_header": "X-Forwarded-Name", "trusted_proxies": "127.0.0.1/32", "rate_limit": "1000/1m",
           "admins": "robert@example.org"}
ROBERT = {"X-Forwarded-User": "sso|robert-1001", "X-Forwarded-Email": "robert@example.org",
          "X-Forwarded-Name": "Robert Example"}
MALLORY = {"X-Forwarded-User": "sso|mallory-666", "X-Forwarded-Email": "mallory@example.org",
           "X-Forwarded-Name": "Mallory"}


@dataclass
class Service:
    api: httpx.Client
    store: SqliteStore
    settings: ServiceSettings
    receiver: ReceiverClient

    def device(self, **preferences: Any) -> tuple[dict[str, Any], str]:
        """A new browser subscription, posted: (its PushSubscription JSON, its id)."""
        sub = self.receiver.subscribe(1)[0]
        response = self.api.post("/subscriptions", json=subscription_body(sub, **preferences))
        assert response.status_code == 201, response.text
        return sub, response.json()["id"]

    def link(self, sub: dict[str, Any], sid: str, who: dict[str, str]) -> httpx.Response:
        return self.api.post(f"/subscriptions/{sid}/owner", headers={**proof(sub), **who})


@contextmanager
def service(tmp_path: Path, pem: Path, receiver: ReceiverClient, **extra: str) -> Iterator[Service]:
    settings = load_settings(environment(tmp_path / "me.sqlite3", pem, receiver.base, **(HEADERS | extra)),
                             env_file=None)
    store = open_store(settings.db)
    assert isinstance(store, SqliteStore)
    try:
        run_ingest(store, item("sql-joins"))
        with serving(create_app(settings, store)) as base, httpx.Client(base_url=f"{base}/api/v1") as api:
            yield Service(api, store, settings, receiver)
    finally:
        store.close()


@pytest.fixture
def svc(tmp_path: Path, vapid_pem: Path, receiver: ReceiverClient) -> Iterator[Service]:
    with service(tmp_path, vapid_pem, receiver) as running:
        yield running


def test_export_and_erasure_round_trip_leave_nothing_of_the_person(tmp_path: Path, vapid_pem: Path,
                                                                   receiver: ReceiverClient) -> None:
    with service(tmp_path, vapid_pem, receiver) as svc:
        nothing = svc.api.get("/me", headers=ROBERT).json()
        assert nothing == {"subject": "sso|robert-1001", "email": "robert@example.org", "name": "Robert Example",
                           "person": None, "demo": False, "since": None, "lock_screen": None, "devices": [],
                           "holds": [], "unread": 0, "email_reminders": "off", "email_available": False,
                           "posts": 0}
        phone, phone_id = svc.device(topics=["data"])
        laptop, laptop_id = svc.device(lock_screen="full")
        other, other_id = svc.device()  # someone else's, never linked
        for sub, sid in ((phone, phone_id), (laptop, laptop_id)):
            assert svc.link(sub, sid, ROBERT).json() == {"id": sid, "owner_linked": True}
        assert svc.api.put("/me/preferences", headers=ROBERT, json={"lock_screen": "private"}).status_code == 200
        run_ingest(svc.store, item("sql-joins"), item("window-functions", title="Window functions"))
        assert run_send(svc.store, svc.settings).sent == 3
        tid, question, answer = take_part(svc)
        assert svc.api.put("/me/introduction", headers=ROBERT, json={
            "motto": "Robert's motto", "learning": "Robert learns", "workplace": "Robert's desk"}).status_code == 200
        photo_path = svc.api.put("/me/introduction/photo", headers=ROBERT | {"Content-Type": "image/jpeg"},
                                 content=jpeg_with_exif()).json()["introduction"]["photo"]
        photo = svc.api.get(photo_path.removeprefix("/api/v1")).content

        me = svc.api.get("/me", headers=ROBERT).json()
        assert me["since"] and me["lock_screen"] == "private"
        assert {(d["id"], d["lock_screen"]) for d in me["devices"]} == {(phone_id, None), (laptop_id, "full")}
        assert "2 devices linked for notifications, with their preferences" in me["holds"]
        assert "2 notifications queued or sent to them" in me["holds"]
        assert me["holds"][-6:-2] == ["2 posts in discussions", "1 \"this helped\" mark", "1 flag on a post",
                                      "2 moderation actions"]
        assert me["holds"][-2].endswith(" of activity")  # the bell: replies to Robert's posts
        assert me["holds"][-1].startswith("Your introduction with a photo")

        response = svc.api.get("/me/export", headers=ROBERT)
        assert response.status_code == 200
        assert response.headers["content-disposition"] == 'attachment; filename="practica-my-data.json"'
        assert response.headers["cache-control"] == "no-store"
        data = response.json()
        assert set(data) == {"exported_at", "data_map", "subject", "person", "devices", "threads", "posts",
                             "helpful", "flags", "moderation", "activity", "questions_routed", "introduction",
                             "rsvps", "attendance", "commitments", "thanks", "learning_records"}
        assert data["introduction"]["motto"] == "Robert's motto" and data["introduction"]["photo"]["base64"]
        assert [(t["id"], t["title"]) for t in data["threads"]] == [(tid, "Robert's question about joins"),
                                                                      (tid + 1, None)]
        assert [(p["id"], p["body"], p["text"]) for p in data["posts"]] == [
            (question, "Robert's **question** body", "Robert's question body"),
            (answer + 1, "Robert's comment on the lesson", "Robert's comment on the lesson")]
        assert data["helpful"] == [answer]
        assert [(f["post"], f["reason"], f["text"]) for f in data["flags"]] == [(answer, "wrong", "Robert doubts it")]
        assert [(m["action"], m["thread"]) for m in data["moderation"]] == [("note", tid), ("pin", tid)]
        assert "DATA.md" in data["data_map"]
        person = data["person"]
        assert (person["subject"], person["email"], person["lock_screen"]) == ("sso|robert-1001",
                                                                               "robert@example.org", "private")
        pseudonym = person["pseudonym"]
        assert len(pseudonym) == 22
        devices = {d["id"]: d for d in data["devices"]}
        assert set(devices) == {phone_id, laptop_id}
        assert devices[phone_id]["endpoint_host"] == "127.0.0.1"
        assert devices[phone_id]["preferences"]["topics"] == ["data"]
        sent = devices[laptop_id]["notifications"]
        assert [(n["state"], n["status"]) for n in sent] == [("sent", 201)]
        assert sent[0]["payload"]["title"] == "New lesson in Data & Analytics"  # the laptop chose full
        assert devices[phone_id]["notifications"][0]["payload"]["body"] == "Something new in Data & Analytics"
        for secret in (phone["endpoint"], phone["keys"]["auth"], phone["keys"]["p256dh"], laptop["keys"]["auth"]):
            assert secret not in response.text

        assert svc.api.delete("/me", headers=ROBERT).status_code == 204
        assert svc.api.delete("/me", headers=ROBERT).status_code == 204  # erasing twice: nothing left to erase
        assert svc.api.get("/me", headers=ROBERT).json() == nothing
        assert svc.api.get(f"/subscriptions/{phone_id}", headers=proof(phone)).status_code == 404
        assert svc.api.get(f"/subscriptions/{other_id}", headers=proof(other)).status_code == 200
        needles = ("sso|robert-1001", "robert@example.org", "Robert Example", pseudonym, phone_id, laptop_id,
                   phone["endpoint"], laptop["endpoint"], "robert-key-", "Robert's motto", "Robert learns",
                   "Robert's desk", photo_path.rsplit("/", 1)[1])
        assert found_in_tables(svc.store.path, *needles) == []
        assert svc.store.db.execute("SELECT count(*) FROM outbox").fetchone()[0] == 1  # the other device's
        for table in ("helpful", "flags"):
            assert svc.store.db.execute(f"SELECT count(*) FROM {table}").fetchone()[0] == 0, table
        assert [r[0] for r in svc.store.db.execute("SELECT subject FROM limits")] == ["sso|mallory-666"]
        view = svc.api.get(f"/threads/{tid}", headers=MALLORY).json()  # anonymised: the thread keeps its sense
        former = {"name": "a former colleague", "person": None, "former": True, "photo": None, "motto": None}
        assert view["thread"]["author"] == former and view["posts"][0]["author"] == former
        assert view["posts"][0]["html"] == "<p>Robert's <strong>question</strong> body</p>\n"
        assert view["posts"][1]["note"]["by"] == former and view["thread"]["pinned"]
        assert [e.actor for e in svc.store.log_entries(10)] == [None, None]  # the log keeps what, not who
    raw = svc.store.path.read_bytes()  # closed: the WAL is in the file; deleted rows were overwritten
    assert not svc.store.path.with_name("me.sqlite3-wal").exists() or \
        svc.store.path.with_name("me.sqlite3-wal").stat().st_size == 0
    for needle in needles:
        assert needle.encode() not in raw, f"{needle!r} is still in the database file"
    assert photo[:64] not in raw and photo[-64:] not in raw, "the photo's bytes are still in the database file"
    assert other["endpoint"].encode() in raw  # the scan would see it


def take_part(svc: Service) -> tuple[int, int, int]:
    """Robert asks a question Mallory answers, comments on a lesson, marks and flags Mallory's answer and, as an
    admin, notes it and pins his thread: (thread, question, answer)."""
    asked = svc.api.post("/threads", headers=ROBERT, json={
        "community": "data", "type": "question", "title": "Robert's question about joins",
        "body": "Robert's **question** body", "idempotency_key": "robert-key-0001"})
    assert asked.status_code == 201, asked.text
    tid, question = asked.json()["thread"]["id"], asked.json()["post"]["id"]
    answered = svc.api.post(f"/threads/{tid}/posts", headers=MALLORY, json={"body": "Mallory's answer",
                                                                           "idempotency_key": "mallory-key-01"})
    answer = answered.json()["id"]
    commented = svc.api.post("/threads", headers=ROBERT, json={"item": "urn:practica:lesson:sql-joins",
                                                               "body": "Robert's comment on the lesson",
                                                               "idempotency_key": "robert-key-0002"})
    assert commented.status_code == 201 and commented.json()["post"]["id"] == answer + 1
    calls = [svc.api.put(f"/posts/{answer}/helpful", headers=ROBERT),
             svc.api.post(f"/posts/{answer}/flags", headers=ROBERT, json={"reason": "wrong",
                                                                          "text": "Robert doubts it"}),
             svc.api.put(f"/posts/{answer}/note", headers=ROBERT, json={"text": "Robert's steward note"}),
             svc.api.post(f"/threads/{tid}/pin", headers=ROBERT)]
    assert [c.status_code for c in calls] == [200, 201, 200, 200], [c.text for c in calls]
    return tid, question, answer


def test_erasure_can_remove_what_the_person_wrote(tmp_path: Path, vapid_pem: Path, receiver: ReceiverClient) -> None:
    with service(tmp_path, vapid_pem, receiver, erase_posts="remove") as svc:
        tid, question, answer = take_part(svc)
        reply = svc.api.post(f"/threads/{tid}/posts", headers=ROBERT, json={
            "body": "Robert's reply to Mallory", "parent": answer, "idempotency_key": "robert-key-0003"})
        assert reply.status_code == 201, reply.text
        assert svc.api.delete("/me", headers=ROBERT).status_code == 204
        view = svc.api.get(f"/threads/{tid}", headers=MALLORY).json()
        assert view["thread"]["title"] is None and view["thread"]["author"] == {
            "name": "a former colleague", "person": None, "former": True, "photo": None, "motto": None}
        opener, kept = view["posts"]  # his question keeps its place above Mallory's answer, without text
        assert (opener["id"], opener["state"], opener["html"], opener["author"]) == (question, "deleted", None, None)
        assert (kept["id"], kept["html"], kept["note"], kept["replies"]) == (answer, "<p>Mallory's answer</p>\n",
                                                                             None, [])
        assert svc.api.get("/threads", headers=MALLORY, params={"item": "urn:practica:lesson:sql-joins"}).json()[
            "thread"] is None  # his comment was the lesson's whole discussion
        gone = ("Robert's question", "Robert's **question**", "Robert's comment", "Robert's reply",
                "Robert's steward note", "Robert doubts it", "sso|robert-1001", "Robert Example")
        assert found_in_tables(svc.store.path, *gone) == []
    raw = svc.store.path.read_bytes()
    for needle in gone:
        assert needle.encode() not in raw, f"{needle!r} is still in the database file"
    assert b"Mallory's answer" in raw


def test_reading_keeps_nothing_and_export_of_nothing_is_empty(svc: Service) -> None:
    assert svc.api.get("/me", headers=ROBERT).json()["holds"] == []
    data = svc.api.get("/me/export", headers=ROBERT).json()
    assert (data["subject"], data["person"], data["devices"]) == ("sso|robert-1001", None, [])
    assert svc.api.put("/me/preferences", headers=ROBERT, json={"lock_screen": None}).json()["since"] is None
    assert svc.store.db.execute("SELECT count(*) FROM people").fetchone()[0] == 0


def test_preferences_are_kept_and_name_and_email_follow_the_sign_in(svc: Service) -> None:
    view = svc.api.put("/me/preferences", headers=ROBERT, json={"lock_screen": "private"}).json()
    assert view["lock_screen"] == "private" and view["holds"][-1] == "Your lock-screen choice for notifications: " \
        "private"
    renamed = {**ROBERT, "X-Forwarded-Email": "r.example@example.org", "X-Forwarded-Name": "Rob Example"}
    assert svc.api.get("/me", headers=renamed).json()["email"] == "r.example@example.org"
    person = svc.store.person("sso|robert-1001")
    assert person is not None and (person.email, person.name) == ("r.example@example.org", "Rob Example")
    assert svc.api.put("/me/preferences", headers=ROBERT, json={"lock_screen": None}).json()["lock_screen"] is None


def test_a_device_is_held_by_whoever_holds_its_secret(svc: Service) -> None:
    phone, phone_id = svc.device()
    _, mallorys_id = svc.device()
    assert svc.link(phone, phone_id, ROBERT).status_code == 200
    stolen = svc.api.post(f"/subscriptions/{phone_id}/owner", headers={**proof({"keys": {"auth": "x" * 22}}),
                                                                       **MALLORY})
    assert (stolen.status_code, stolen.json()["error"]["code"]) == (403, "auth_mismatch")
    mixed = svc.api.post(f"/subscriptions/{mallorys_id}/owner", headers={**proof(phone), **MALLORY})
    assert (mixed.status_code, mixed.json()["error"]["code"]) == (403, "auth_mismatch")
    assert [d["id"] for d in svc.api.get("/me", headers=ROBERT).json()["devices"]] == [phone_id]
    assert svc.link(phone, phone_id, MALLORY).status_code == 200  # the phone changed hands with its secret
    assert svc.api.get("/me", headers=ROBERT).json()["devices"] == []
    assert [d["id"] for d in svc.api.get("/me", headers=MALLORY).json()["devices"]] == [phone_id]
    assert svc.api.delete(f"/subscriptions/{phone_id}/owner", headers=proof(phone)).status_code == 204
    assert svc.api.get("/me", headers=MALLORY).json()["devices"] == []
    assert svc.api.get(f"/subscriptions/{phone_id}", headers=proof(phone)).status_code == 200


def test_names_and_emails_that_look_like_sql_or_html_are_kept_as_text(svc: Service) -> None:
    odd = {"X-Forwarded-User": "x'); DROP TABLE people;--", "X-Forwarded-Email": "robert--)or(1=1@example.org",
           "X-Forwarded-Name": "<script>alert(1)</script> Robert'); DELETE FROM subscriptions;--"}
    phone, phone_id = svc.device()
    assert svc.link(phone, phone_id, odd).status_code == 200
    me = svc.api.get("/me", headers=odd)
    assert me.headers["content-type"] == "application/json"
    assert (me.json()["subject"], me.json()["email"], me.json()["name"]) == tuple(odd.values())
    assert svc.store.person(odd["X-Forwarded-User"]) is not None and svc.store.count_subscriptions() == 1
    assert svc.api.delete("/me", headers=odd).status_code == 204
    assert found_in_tables(svc.store.path, *odd.values()) == []


def test_demo_people_are_matched_to_their_profile(tmp_path: Path, vapid_pem: Path, receiver: ReceiverClient) -> None:
    with service(tmp_path, vapid_pem, receiver, auth_mode="demo") as svc:
        phone, phone_id = svc.device()
        assert svc.link(phone, phone_id, {"X-Practica-Demo-Person": "ada"}).status_code == 200
        me = svc.api.get("/me", headers={"X-Practica-Demo-Person": "ada"}).json()
        assert (me["subject"], me["person"], me["demo"], me["name"]) == ("demo:ada", "ada", True, "Ada Lovelace")


def _big(svc: Service) -> httpx.Response:
    return svc.api.put("/me/preferences", headers=ROBERT, content=b'{"lock_screen": "' + b"x" * 10_000 + b'"}')


HOSTILE: dict[str, tuple[Any, int, str, str | None]] = {
    "not signed in: me": (lambda s, d, i: s.api.get("/me"), 401, "sign_in_required", None),
    "not signed in: export": (lambda s, d, i: s.api.get("/me/export"), 401, "sign_in_required", None),
    "not signed in: erase": (lambda s, d, i: s.api.delete("/me"), 401, "sign_in_required", None),
    "not signed in: preferences": (lambda s, d, i: s.api.put("/me/preferences", json={"lock_screen": "private"}),
                                   401, "sign_in_required", None),
    "not signed in: link": (lambda s, d, i: s.api.post(f"/subscriptions/{i}/owner", headers=proof(d)), 401,
                            "sign_in_required", None),
    "link without the secret": (lambda s, d, i: s.api.post(f"/subscriptions/{i}/owner", headers=ROBERT), 401,
                                "auth_required", "authorization"),
    "unlink without the secret": (lambda s, d, i: s.api.delete(f"/subscriptions/{i}/owner", headers=ROBERT), 401,
                                  "auth_required", "authorization"),
    "link an unknown subscription": (lambda s, d, i: s.link(d, "AAAAAAAAAAAAAAAA", ROBERT), 404,
                                     "subscription_not_found", None),
    "link a malformed id": (lambda s, d, i: s.link(d, "../../people", ROBERT), 404, "not_found", None),
    "unknown lock screen": (lambda s, d, i: s.api.put("/me/preferences", headers=ROBERT,
                                                      json={"lock_screen": "public"}), 422, "invalid", "lock_screen"),
    "unknown field": (lambda s, d, i: s.api.put("/me/preferences", headers=ROBERT,
                                                json={"lock_screen": "private", "subject": "someone-else"}), 422,
                      "invalid", "subject"),
    "missing field": (lambda s, d, i: s.api.put("/me/preferences", headers=ROBERT, json={}), 422, "missing",
                      "lock_screen"),
    "not JSON": (lambda s, d, i: s.api.put("/me/preferences", headers={**ROBERT, "Content-Type": "application/json"},
                                           content=b"{oops"), 422, "invalid_json", "[1]"),  # errors.py: the offset
    "a list": (lambda s, d, i: s.api.put("/me/preferences", headers=ROBERT, json=["private"]), 422, "invalid", None),
    "oversized": (lambda s, d, i: _big(s), 413, "payload_too_large", None),
    "bad device lock screen": (lambda s, d, i: s.api.put(f"/subscriptions/{i}", headers=proof(d),
                                                         json={"preferences": {"lock_screen": "blank"}}), 422,
                               "invalid", "preferences.lock_screen"),
}


@pytest.mark.parametrize("case", HOSTILE)
def test_hostile_requests_are_refused_in_the_one_shape_and_change_nothing(svc: Service, case: str) -> None:
    call, status, code, field = HOSTILE[case]
    sub, sid = svc.device()
    before = found_in_tables(svc.store.path, "sso|robert-1001"), svc.store.get_subscription(sid)
    response = call(svc, sub, sid)
    assert response.status_code == status, response.text
    assert response.json() == {"error": {"code": code, "message": response.json()["error"]["message"],
                                         "field": field}}
    assert (found_in_tables(svc.store.path, "sso|robert-1001"), svc.store.get_subscription(sid)) == before
    assert svc.store.db.execute("SELECT count(*) FROM people").fetchone()[0] == 0


def test_the_routes_are_documented(svc: Service) -> None:
    spec = svc.api.get("/openapi.json").json()
    routes = {("get", "/api/v1/me"), ("get", "/api/v1/me/export"), ("delete", "/api/v1/me"),
              ("put", "/api/v1/me/preferences"), ("post", "/api/v1/subscriptions/{sid}/owner"),
              ("delete", "/api/v1/subscriptions/{sid}/owner")}
    for method, path in routes:
        operation = spec["paths"][path][method]
        assert operation["summary"] and "401" in operation["responses"], (method, path)
    assert spec["paths"]["/api/v1/me/export"]["get"]["responses"]["200"]["content"]["application/json"]["schema"] == \
        {"$ref": "#/components/schemas/PersonalData"}
    lock = spec["components"]["schemas"]["PreferencesBody"]["properties"]["lock_screen"]
    assert {"enum": ["full", "private"], "type": "string"} in lock["anyOf"]
