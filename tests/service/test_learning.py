"""Learning that sticks (issue 23): a commitment's one follow-up, delivered to the local decrypting receiver on its
day exactly once (the scheduling clock is moved, nothing sleeps); thanks counted once per reader and item,
rate-limited, noted to the author; both in the reader's export, gone with their erasure, and hostile input."""

from __future__ import annotations

import datetime as dt
import json
import secrets
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from generator.service.models import Commitment, Preferences, QuietHours, Subscription, utcnow
from generator.service.privacy.retention import purge
from generator.service.push.feed import parse_feed
from generator.service.push.ingest import ingest
from generator.service.push.schedule import Rules

from .conftest import T0, ReceiverClient, item, run_send
from .forum import READERS, SQL_JOINS, Forum, ok, refused, running, talk_feed

pytestmark = pytest.mark.both_backends
PATH = "urn:practica:path:data-basics"
PHISHING = "urn:practica:video:phishing"


@pytest.fixture
def forum(place: Path | str, vapid_pem: Path, receiver: ReceiverClient) -> Iterator[Forum]:
    with running(place, vapid_pem, receiver) as started:
        ingest(started.store, parse_feed(talk_feed(item("data-basics", "path"))), T0, Rules())
        yield started


def cid() -> str:
    return secrets.token_urlsafe(16)


def device(forum: Forum, receiver: ReceiverClient, owner: str | None = None, **prefs: Any) -> tuple[str, str, str]:
    """A device subscribed at the receiver: (its endpoint, id, auth secret), linked to `owner` if given."""
    [sub] = receiver.subscribe(1)
    stored = Subscription(sub["endpoint"], sub["keys"]["p256dh"], sub["keys"]["auth"], Preferences(**prefs))
    forum.store.save_subscription(stored)
    if owner:
        ok(forum.send("PUT", "/me/preferences", owner, {"lock_screen": "full"}))
        assert forum.store.set_owner(stored.id, READERS[owner]["sub"])
    return str(sub["endpoint"]), stored.id, str(sub["keys"]["auth"])


def commit(forum: Forum, sid: str, auth: str, key: str, **body: Any) -> Any:
    return forum.api.put(f"/subscriptions/{sid}/commitments/{key}", headers={"Authorization": f"Bearer {auth}"},
                         json={"item": SQL_JOINS, "due": in_days(7)} | body)


def in_days(n: int, zone: str = "UTC") -> str:
    return (utcnow().astimezone(ZoneInfo(zone)).date() + dt.timedelta(days=n)).isoformat()


def received(receiver: ReceiverClient, endpoint: str) -> list[dict[str, Any]]:
    return [r["payload"] for r in receiver.device(endpoint)["received"]]


def test_a_commitment_is_followed_up_on_its_day_exactly_once(forum: Forum, receiver: ReceiverClient) -> None:
    endpoint, sid, auth = device(forum, receiver, timezone="Europe/Berlin")
    key = cid()
    made = ok(commit(forum, sid, auth, key, due=in_days(7, "Europe/Berlin")), 201)
    due = dt.datetime.fromisoformat(made["due_at"])
    # The chosen day in the device's zone, at the digest time (09:00 by default).
    local = due.astimezone(ZoneInfo("Europe/Berlin"))
    assert (local.date().isoformat(), local.time()) == (in_days(7, "Europe/Berlin"), dt.time(9, 0))
    assert forum.store.next_due() == due  # serve's loop wakes for it though nothing is in the outbox yet
    assert run_send(forum.store, forum.settings, due - dt.timedelta(minutes=1)).sent == 0
    assert received(receiver, endpoint) == []
    report = run_send(forum.store, forum.settings, due)
    assert (report.sent, report.followups) == (1, 1)
    for later in (due, due + dt.timedelta(hours=1), due + dt.timedelta(days=1)):
        assert run_send(forum.store, forum.settings, later).sent == 0  # exactly once
    [note] = received(receiver, endpoint)
    assert note["title"] == "How did “Sql joins” go?"
    assert note["url"] == f"https://learn.example.org/me/?reflect={key}"
    assert note["tag"] == f"practica-followup-{key}"
    # Once queued, it cannot be moved or re-armed: a new commitment is a new id.
    refused(commit(forum, sid, auth, key, due=in_days(9)), 409, "already_followed_up", "cid")


def test_a_private_lock_screen_shows_no_title(forum: Forum, receiver: ReceiverClient) -> None:
    endpoint, sid, auth = device(forum, receiver, lock_screen="private")
    due = dt.datetime.fromisoformat(ok(commit(forum, sid, auth, cid(), due=in_days(1)), 201)["due_at"])
    report = run_send(forum.store, forum.settings, due)
    assert "queued 1 follow-ups of commitments" in str(report)
    [note] = received(receiver, endpoint)
    assert (note["title"], note["body"]) == ("Acme Communities", "A follow-up you asked for")
    assert "Sql joins" not in json.dumps(note)


def test_a_resend_moves_the_day_and_a_cancelled_one_never_comes(forum: Forum, receiver: ReceiverClient) -> None:
    endpoint, sid, auth = device(forum, receiver)
    key = cid()
    first = ok(commit(forum, sid, auth, key, due=in_days(3)), 201)
    moved = ok(commit(forum, sid, auth, key, due=in_days(5)), 200)
    assert dt.datetime.fromisoformat(moved["due_at"]) - dt.datetime.fromisoformat(first["due_at"]) == \
        dt.timedelta(days=2)
    other = cid()
    ok(commit(forum, sid, auth, other, due=in_days(5)), 201)
    assert forum.api.delete(f"/subscriptions/{sid}/commitments/{other}",
                            headers={"Authorization": f"Bearer {auth}"}).status_code == 204
    assert run_send(forum.store, forum.settings, utcnow() + dt.timedelta(days=4)).sent == 0
    assert run_send(forum.store, forum.settings, utcnow() + dt.timedelta(days=6)).sent == 1
    assert len(received(receiver, endpoint)) == 1


def test_quiet_hours_and_the_daily_cap_hold_for_follow_ups(forum: Forum, receiver: ReceiverClient) -> None:
    # Quiet 08:00–12:00 UTC: a follow-up due at 09:00 waits until 12:00.
    endpoint, sid, auth = device(forum, receiver, timezone="UTC",
                                 quiet_hours=QuietHours(dt.time(8, 0), dt.time(12, 0)))
    made = ok(commit(forum, sid, auth, cid(), due=in_days(2)), 201)
    assert dt.datetime.fromisoformat(made["due_at"]).time() == dt.time(12, 0)
    # A device at its cap (3 a day) that day gets its follow-up the next day instead.
    capped, csid, cauth = device(forum, receiver, timezone="UTC")
    due = dt.datetime.fromisoformat(ok(commit(forum, csid, cauth, cid(), due=in_days(2)), 201)["due_at"])
    for n in range(3):
        assert forum.store.queue_notice(csid, f"test:{n}", due, '{"title": "x", "body": "x", "url": null, '
                                      '"icon": null, "tag": "t"}', due)
    assert run_send(forum.store, forum.settings, due).sent == 3
    assert [n["title"] for n in received(receiver, capped)] == ["x", "x", "x"]
    assert run_send(forum.store, forum.settings, due.replace(hour=12)).sent == 1  # the quiet one, at 12:00
    [quiet] = received(receiver, endpoint)
    assert len(received(receiver, capped)) == 3
    assert run_send(forum.store, forum.settings, due + dt.timedelta(days=1)).sent == 1
    assert received(receiver, capped)[-1]["title"].startswith("How did")
    assert quiet["title"].startswith("How did")


def test_a_signed_in_readers_commitment_reaches_each_of_their_devices_once(forum: Forum,
                                                                          receiver: ReceiverClient) -> None:
    phones = [device(forum, receiver, "alan")[0] for _ in range(2)]
    key = cid()
    body = {"item": PATH, "due": in_days(1, "America/New_York"), "timezone": "America/New_York"}
    made = ok(forum.send("PUT", f"/me/commitments/{key}", "alan", body), 201)
    due = dt.datetime.fromisoformat(made["due_at"])
    assert due.astimezone(ZoneInfo("America/New_York")).time() == dt.time(9, 0)
    assert run_send(forum.store, forum.settings, due).sent == 2
    assert run_send(forum.store, forum.settings, due + dt.timedelta(days=2)).sent == 0
    for phone in phones:
        [note] = received(receiver, phone)
        assert note["title"] == "How did “Data basics” go?"
    # Another person's data: neither reading by id nor cancelling works for them.
    refused(forum.send("DELETE", f"/me/commitments/{key}", "robert"), 404, "commitment_not_found", "cid")
    refused(forum.send("PUT", f"/me/commitments/{key}", "robert", body), 409, "commitment_conflict", "cid")


def test_hostile_commitments_are_refused_in_the_one_error_shape(forum: Forum, receiver: ReceiverClient) -> None:
    _, sid, auth = device(forum, receiver)
    _, other_sid, other_auth = device(forum, receiver)
    refused(commit(forum, sid, auth, cid(), due=in_days(-2)), 422, "due_in_past", "due")
    refused(commit(forum, sid, auth, cid(), due=in_days(400)), 422, "due_too_far", "due")
    refused(commit(forum, sid, auth, cid(), due="9999-12-31"), 422, "due_too_far", "due")
    refused(commit(forum, sid, auth, cid(), due="tomorrow"), 422, "invalid", "due")
    refused(commit(forum, sid, auth, cid(), item="urn:practica:lesson:nothing-here"), 422, "unknown_item", "item")
    refused(commit(forum, sid, auth, cid(), item=PHISHING), 422, "not_committable", "item")
    refused(commit(forum, sid, auth, cid(), item="<script>alert(1)</script>"), 422, "invalid", "item")
    # The note stays on the device: the service refuses one, however small or large.
    refused(commit(forum, sid, auth, cid(), note="ask Priya first"), 422, "invalid", "note")
    huge = commit(forum, sid, auth, cid(), note="x" * 100_000)
    assert huge.status_code == 413 and huge.json()["error"]["code"] == "payload_too_large"
    refused(forum.api.put(f"/subscriptions/{sid}/commitments/short", headers={"Authorization": f"Bearer {auth}"},
                          json={"item": SQL_JOINS, "due": in_days(1)}), 422, "invalid", "cid")
    refused(commit(forum, sid, other_auth, cid()), 403, "auth_mismatch", "authorization")
    refused(forum.api.put(f"/subscriptions/{sid}/commitments/{cid()}", json={"item": SQL_JOINS, "due": in_days(1)}),
            401, "auth_required", "authorization")
    # Another device's commitment id: not taken over, not cancelled.
    key = cid()
    ok(commit(forum, other_sid, other_auth, key), 201)
    refused(commit(forum, sid, auth, key), 409, "commitment_conflict", "cid")
    refused(forum.api.delete(f"/subscriptions/{sid}/commitments/{key}", headers={"Authorization": f"Bearer {auth}"}),
            404, "commitment_not_found", "cid")
    # At most 100 follow-ups waiting per device (the 101st is refused; moving one that exists is not).
    for n in range(100 - len(forum.store.commitments_of(subscription=sid))):
        forum.store.save_commitment(Commitment(f"filler-{n:04d}-abcdefgh", sid, None, SQL_JOINS,
                                               utcnow() + dt.timedelta(days=3), utcnow()))
    refused(commit(forum, sid, auth, cid()), 422, "too_many_commitments", "cid")
    ok(commit(forum, sid, auth, "filler-0001-abcdefgh", due=in_days(4)), 200)
    refused(forum.send("PUT", f"/me/commitments/{cid()}", None, {"item": SQL_JOINS, "due": in_days(1)}), 401,
            "sign_in_required")
    refused(forum.send("PUT", f"/me/commitments/{cid()}", "alan", {"item": SQL_JOINS, "due": in_days(1),
                                                                   "timezone": "Mars/Olympus"}),
            422, "invalid_timezone", "timezone")


def test_thanks_are_counted_once_noted_to_the_author_and_rate_limited(forum: Forum,
                                                                     receiver: ReceiverClient) -> None:
    adas, _, _ = device(forum, receiver, "ada")
    assert ok(forum.send("POST", "/thanks", "robert", {"item": SQL_JOINS}), 201) == {"status": "created", "count": 1}
    assert ok(forum.send("POST", "/thanks", "robert", {"item": SQL_JOINS}), 200) == {"status": "unchanged",
                                                                                     "count": 1}
    assert ok(forum.send("POST", "/thanks", "alan", {"item": SQL_JOINS}), 201)["count"] == 2
    counts = ok(forum.get("/thanks", None))
    assert counts == {"items": {SQL_JOINS: 2}, "people": {"ada": 2}}
    assert run_send(forum.store, forum.settings, utcnow()).sent == 2
    notes = received(receiver, adas)
    assert [n["title"] for n in notes] == ["A reader thanked you"] * 2
    assert notes[0]["body"] == "Someone thanked you for “Sql joins”." and notes[0]["url"].endswith("/learn/sql-joins/")
    assert run_send(forum.store, forum.settings, utcnow()).sent == 0
    refused(forum.send("POST", "/thanks", "ada", {"item": SQL_JOINS}), 422, "own_item", "item")
    refused(forum.send("POST", "/thanks", None, {"item": SQL_JOINS}), 401, "sign_in_required")
    refused(forum.send("POST", "/thanks", "robert", {"item": "urn:practica:faq:unknown"}), 422, "unknown_item", "item")
    refused(forum.send("POST", "/thanks", "robert", {"item": SQL_JOINS, "count": 100}), 422, "invalid", "count")
    for _ in range(28):  # robert has made 2 of his 30 an hour; refused calls (unknown, invalid) do not count
        forum.send("POST", "/thanks", "robert", {"item": PHISHING})
    limited = forum.send("POST", "/thanks", "robert", {"item": PATH})
    refused(limited, 429, "rate_limited")
    assert int(limited.headers["Retry-After"]) > 0
    assert ok(forum.get("/thanks", None))["items"] == {PHISHING: 1, SQL_JOINS: 2}


def test_the_export_lists_commitments_and_thanks_and_erasure_removes_them(forum: Forum,
                                                                         receiver: ReceiverClient) -> None:
    _, sid, auth = device(forum, receiver, "alan")
    mine, devices = cid(), cid()
    ok(forum.send("PUT", f"/me/commitments/{mine}", "alan", {"item": SQL_JOINS, "due": in_days(3)}), 201)
    ok(commit(forum, sid, auth, devices, item=PATH), 201)
    ok(forum.send("POST", "/thanks", "alan", {"item": PHISHING}), 201)
    data = ok(forum.get("/me/export", "alan"))
    assert {(c["id"], c["item"], c["device"]) for c in data["commitments"]} == {(mine, SQL_JOINS, None),
                                                                                 (devices, PATH, sid)}
    assert "note" not in data["commitments"][0] and data["commitments"][0]["queued_at"] is None
    assert [t["item"] for t in data["thanks"]] == [PHISHING]
    held = ok(forum.get("/me", "alan"))["holds"]
    assert "2 follow-ups you asked for (their day and item only)" in held
    assert "1 thanks you gave for an item" in held
    assert forum.send("DELETE", "/me", "alan").status_code in (200, 204)
    assert forum.store.commitment(mine) is None and forum.store.commitment(devices) is None
    assert forum.store.thanks_counts() == {}


def test_followed_up_commitments_are_purged_with_old_reminders(forum: Forum, receiver: ReceiverClient) -> None:
    _, sid, auth = device(forum, receiver)
    key = cid()
    due = dt.datetime.fromisoformat(ok(commit(forum, sid, auth, key, due=in_days(1)), 201)["due_at"])
    assert purge(forum.store, due + dt.timedelta(days=400), forum.settings).commitments == 0  # not yet followed up
    run_send(forum.store, forum.settings, due)
    assert purge(forum.store, due + dt.timedelta(days=1), forum.settings).commitments == 0
    assert purge(forum.store, due + forum.settings.retention.activity + dt.timedelta(days=1),
                 forum.settings).commitments == 1
    assert forum.store.commitment(key) is None
