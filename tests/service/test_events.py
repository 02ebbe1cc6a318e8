"""Events in the community service, over real HTTP on a real SQLite file and on PostgreSQL: RSVP, its undo, counts
and capacity (no overbooking under concurrent requests), check-in during the window, cancelled dates, hostile
input; announcements to followers and reminders to people who RSVP'd, through the outbox to the local receiver,
exactly once across re-polls and restarts (a fake clock); export, erasure and retention; event discussions."""

from __future__ import annotations

import copy
import datetime as dt
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from generator.service.config import load_settings
from generator.service.models import Preferences, QuietHours, Subscription, iso, utcnow
from generator.service.privacy.retention import purge
from generator.service.push.feed import FeedError, parse_feed
from generator.service.push.ingest import ingest
from generator.service.push.schedule import Rules
from generator.service.store.backend import open_store
from generator.service.store.base import Store
from generator.service.store.sqlite import SqliteStore

from .conftest import SITE, ReceiverClient, environment, run_send
from .forum import READERS, Forum, ok, refused, running, talk_feed
from .test_data_map import found_in_tables
from .test_identity import HEADER

pytestmark = pytest.mark.both_backends
NOW = utcnow()


def occurrence(event: str, start: dt.datetime, minutes: int = 60, status: str = "scheduled") -> dict[str, Any]:
    day = start.date().isoformat()
    return {"id": f"{event}@{day}", "start": iso(start), "end": iso(start + dt.timedelta(minutes=minutes)),
            "status": status, "url": f"{SITE}events/{event}/#{day}"}


def event(slug: str, *dates: dict[str, Any], capacity: int | None = None, topics: tuple[str, ...] = ("data",),
          sequence: int = 0) -> dict[str, Any]:
    """One event as the site's feed lists it (the contract's shape)."""
    return {"id": slug, "url": f"{SITE}events/{slug}/", "title": slug.replace("-", " ").capitalize(),
            "summary": "Bring your questions.", "topics": list(topics), "hosts": ["ada"], "timezone": "UTC",
            "capacity": capacity, "sequence": sequence, "occurrences": list(dates)}


SOON = occurrence("clinic", NOW + dt.timedelta(minutes=10))  # check-in is open (15 minutes before the start)
LUNCH = occurrence("lunch", NOW + dt.timedelta(days=2))
LUNCH_NEXT = occurrence("lunch", NOW + dt.timedelta(days=9))
PAST = occurrence("retro", NOW - dt.timedelta(days=3))
CANCELLED = occurrence("meetup", NOW + dt.timedelta(days=5), status="cancelled")
EVENTS = [event("clinic", SOON, capacity=3), event("lunch", LUNCH, LUNCH_NEXT), event("retro", PAST),
          event("meetup", CANCELLED)]


def events_feed(events: list[dict[str, Any]]) -> dict[str, Any]:
    data = talk_feed()
    data["_practica"]["events"] = events
    return data


def ingest_events(store: Store, events: list[dict[str, Any]], now: dt.datetime = NOW) -> int:
    return ingest(store, parse_feed(events_feed(events)), now, Rules()).announced


@pytest.fixture
def forum(place: Path | str, vapid_pem: Path, receiver: ReceiverClient) -> Iterator[Forum]:
    with running(place, vapid_pem, receiver, rate_limit="1000/10m") as started:
        ingest_events(started.store, EVENTS)
        yield started


def rsvp(forum: Forum, who: str | None, oid: str, method: str = "PUT") -> Any:
    return forum.send(method, f"/events/occurrences/{oid}/rsvp", who)


def device(forum: Forum, receiver: ReceiverClient, owner: str | None = None, topics: tuple[str, ...] = (),
           quiet: QuietHours | None = None) -> str:
    """A device subscribed at the receiver, following `topics`, linked to `owner` (a reader of forum.READERS)."""
    [sub] = receiver.subscribe(1)
    prefs = Preferences(topics=topics, quiet_hours=quiet)
    stored = Subscription(sub["endpoint"], sub["keys"]["p256dh"], sub["keys"]["auth"], prefs)
    forum.store.save_subscription(stored)
    if owner is not None:
        ok(forum.send("PUT", "/me/preferences", owner, {"lock_screen": "full"}))  # the service keeps their row
        assert forum.store.set_owner(stored.id, READERS[owner]["sub"])
    return str(sub["endpoint"])


def received(receiver: ReceiverClient, endpoint: str) -> list[dict[str, Any]]:
    return [r["payload"] for r in receiver.device(endpoint)["received"]]


def test_rsvp_its_undo_and_counts(forum: Forum) -> None:
    oid = LUNCH["id"]
    joined = ok(rsvp(forum, "ada", oid), 201)
    assert (joined["going"], joined["joined"], joined["capacity"], joined["full"]) == (1, True, None, False)
    assert ok(rsvp(forum, "ada", oid), 200)["going"] == 1  # again: the same RSVP, never a second
    seen = ok(forum.get(f"/events/occurrences/{oid}", "grace"))
    assert (seen["going"], seen["joined"], seen["checked_in"], seen["title"]) == (1, False, False, "Lunch")
    anonymous = ok(forum.get("/events/occurrences", None, ids=f"{oid},{LUNCH_NEXT['id']}"))["occurrences"]
    assert [(o["id"], o["going"], o["joined"]) for o in anonymous] == [(oid, 1, None), (LUNCH_NEXT["id"], 0, None)]
    assert [r["occurrence"] for r in ok(forum.get("/events/me", "ada"))["rsvps"]] == [oid]
    left = ok(rsvp(forum, "ada", oid, "DELETE"))
    assert (left["going"], left["joined"]) == (0, False)
    assert ok(forum.get("/events/me", "ada")) == {"rsvps": [], "attendance": []}


def test_capacity_is_never_overbooked_by_concurrent_rsvps(forum: Forum) -> None:
    oid = SOON["id"]  # capacity 3
    people = [{"sub": f"sso|crowd-{n}", "email": f"crowd{n}@example.org", "name": f"Crowd {n}"} for n in range(12)]
    tokens = [forum.signer.token(**p) for p in people]

    def one(token: str) -> tuple[int, str]:
        response = forum.api.put(f"/events/occurrences/{oid}/rsvp", headers={HEADER: token})
        body = response.json()
        return response.status_code, body["error"]["code"] if "error" in body else "ok"

    with ThreadPoolExecutor(max_workers=6) as pool:
        outcomes = list(pool.map(one, tokens))
    assert sorted(outcomes).count((201, "ok")) == 3, outcomes
    assert sorted(outcomes).count((409, "event_full")) == 9, outcomes
    state = ok(forum.get(f"/events/occurrences/{oid}", None))
    assert (state["going"], state["full"]) == (3, True)
    assert forum.store.rsvp_counts([oid]) == {oid: 3}
    # One of them can't make it: a place is free again.
    winner = next(t for t, (status, _) in zip(tokens, outcomes, strict=True) if status == 201)
    assert forum.api.delete(f"/events/occurrences/{oid}/rsvp", headers={HEADER: winner}).status_code == 200
    refused_one = next(t for t, (status, _) in zip(tokens, outcomes, strict=True) if status == 409)
    assert forum.api.put(f"/events/occurrences/{oid}/rsvp", headers={HEADER: refused_one}).status_code == 201


def test_check_in_only_during_the_window(forum: Forum) -> None:
    done = ok(forum.send("POST", f"/events/occurrences/{SOON['id']}/check-in", "alan"), 201)
    assert (done["checked_in"], done["check_in_open"]) == (True, True)
    assert ok(forum.send("POST", f"/events/occurrences/{SOON['id']}/check-in", "alan"), 200)["checked_in"]
    refused(forum.send("POST", f"/events/occurrences/{LUNCH['id']}/check-in", "alan"), 409, "check_in_closed",
            "occurrence")
    refused(forum.send("POST", f"/events/occurrences/{PAST['id']}/check-in", "alan"), 409, "check_in_closed",
            "occurrence")
    assert [a["occurrence"] for a in ok(forum.get("/events/me", "alan"))["attendance"]] == [SOON["id"]]
    assert forum.store.attendance_counts([SOON["id"], LUNCH["id"]]) == {SOON["id"]: 1, LUNCH["id"]: 0}


def test_cancelled_and_past_dates_refuse_rsvps_and_check_ins(forum: Forum) -> None:
    refused(rsvp(forum, "ada", CANCELLED["id"]), 409, "event_cancelled", "occurrence")
    refused(forum.send("POST", f"/events/occurrences/{CANCELLED['id']}/check-in", "ada"), 409, "event_cancelled",
            "occurrence")
    refused(rsvp(forum, "ada", PAST["id"]), 409, "event_over", "occurrence")
    assert forum.store.person(READERS["ada"]["sub"]) is None  # a refused RSVP keeps nothing of the reader
    assert ok(forum.get(f"/events/occurrences/{CANCELLED['id']}", "ada"))["status"] == "cancelled"


@pytest.mark.parametrize(("oid", "status", "code"), [
    ("lunch@2031-01-01", 404, "unknown_occurrence"),  # well formed, not in the feed
    ("nothing@2026-12-08", 404, "unknown_occurrence"),
    ("x" * 200 + "@2026-12-08", 422, "invalid"),  # oversized
    ("lunch", 422, "invalid"),  # no date
    ("LUNCH@2026-12-08", 422, "invalid"),
    ("lunch@2026-12-08'; DROP TABLE rsvps; --", 422, "invalid"),
])
def test_hostile_occurrence_ids_are_refused(forum: Forum, oid: str, status: int, code: str) -> None:
    refused(rsvp(forum, "ada", oid), status, code, "occurrence" if status == 404 else "oid")
    assert forum.store.rsvps_of(READERS["ada"]["sub"]) == []


def test_writes_need_a_sign_in_and_touch_only_your_own_rsvp(forum: Forum) -> None:
    refused(rsvp(forum, None, LUNCH["id"]), 401, "sign_in_required")
    refused(forum.send("POST", f"/events/occurrences/{SOON['id']}/check-in", None), 401, "sign_in_required")
    refused(forum.get("/events/me", None), 401, "sign_in_required")
    ok(rsvp(forum, "ada", LUNCH["id"]), 201)
    # Mallory's "I can't make it" takes back only her own (she has none): Ada's stays.
    assert ok(rsvp(forum, "mallory", LUNCH["id"], "DELETE"))["going"] == 1
    assert ok(forum.get("/events/me", "mallory"))["rsvps"] == []
    # A body naming someone else changes nothing: the person is the signed-in one.
    response = forum.api.request("PUT", f"/events/occurrences/{LUNCH['id']}/rsvp", headers=forum.who("mallory"),
                                 json={"subject": READERS["ada"]["sub"]})
    assert ok(response, 201)["going"] == 2
    assert [r["occurrence"] for r in ok(forum.get("/events/me", "ada"))["rsvps"]] == [LUNCH["id"]]


def test_hostile_lists_of_ids(forum: Forum) -> None:
    refused(forum.get("/events/occurrences", None, ids=",".join([LUNCH["id"]] * 51)), 422, "invalid", "ids")
    refused(forum.get("/events/occurrences", None, ids=f"{LUNCH['id']},../../etc"), 422, "invalid", "ids[1]")
    refused(forum.get("/events/occurrences", None, ids="x" * 6000), 422, "invalid", "ids")
    refused(forum.get("/events/occurrences", None, ids=","), 422, "invalid", "ids")


def test_an_event_has_a_discussion(forum: Forum) -> None:
    posted = ok(forum.on_item("alan", "Slides, please?", "urn:practica:event:retro"), 201)
    assert posted["thread"]["id"]
    discussion = ok(forum.get("/threads", "grace", item="urn:practica:event:retro"))
    assert (len(discussion["posts"]), discussion["communities"]) == (1, ["data"])
    refused(forum.on_item("alan", "Hello", "urn:practica:event:unheard-of"), 404, "unknown_item", "item")
    # A reply reaches Alan's bell, linking the event's page.
    ok(forum.reply("grace", posted["thread"]["id"], "They are on the event page.", parent=posted["post"]["id"]), 201)
    [heard] = ok(forum.get("/me/activity", "alan"))["activity"]
    assert (heard["kind"], heard["title"]) == ("reply", "Retro") and heard["url"].startswith(f"{SITE}events/retro/")


def test_announcements_reach_followers_once_across_re_polls_and_restarts(forum: Forum, receiver: ReceiverClient,
                                                                         tmp_path: Path) -> None:
    follower = device(forum, receiver, topics=("data",))
    other = device(forum, receiver, topics=("security",))
    lunch_time = dt.datetime.fromisoformat(LUNCH["start"].replace("Z", "+00:00"))
    hack = event("hack-day", occurrence("hack-day", lunch_time + dt.timedelta(days=20)))
    assert ingest_events(forum.store, [*EVENTS, hack]) == 1  # new: one follower's device
    assert ingest_events(forum.store, [*EVENTS, hack]) == 0  # re-polled: nothing new
    # A restart: another store on the same database, as a new process would open it.
    again = open_store(forum.settings.db)
    try:
        assert ingest_events(again, [*EVENTS, hack]) == 0
    finally:
        again.close()
    # Its time changes: one announcement, once.
    moved = copy.deepcopy(hack)
    moved["sequence"] = 1
    moved["occurrences"][0]["start"] = iso(lunch_time + dt.timedelta(days=20, hours=2))
    moved["occurrences"][0]["end"] = iso(lunch_time + dt.timedelta(days=20, hours=3))
    assert ingest_events(forum.store, [*EVENTS, moved]) == 1
    assert ingest_events(forum.store, [*EVENTS, moved]) == 0
    report = run_send(forum.store, forum.settings, NOW)
    assert report.sent == 2
    titles = [p["title"] for p in received(receiver, follower)]
    assert titles == ["New event: Hack day", "New time: Hack day"]
    assert received(receiver, follower)[0]["url"] == f"{SITE}events/hack-day/#{hack['occurrences'][0]['id'][9:]}"
    assert received(receiver, other) == []
    assert run_send(forum.store, forum.settings, NOW).sent == 0


def test_announcements_count_against_the_daily_cap(forum: Forum, receiver: ReceiverClient) -> None:
    follower = device(forum, receiver, topics=("data",))
    later = NOW + dt.timedelta(days=30)
    new = [event("hack-day", occurrence("hack-day", later)), event("demo-day", occurrence("demo-day", later))]
    assert ingest(forum.store, parse_feed(events_feed([*EVENTS, *new])), NOW, Rules(daily_cap=1)).announced == 2
    sid = next(s.id for s in forum.store.subscriptions() if s.endpoint == follower)
    due = sorted(d.due_at for d in forum.store.deliveries(sid))
    assert due[0] == NOW and due[1] > NOW + dt.timedelta(hours=6)  # the second waits for the next day
    assert run_send(forum.store, forum.settings, NOW).sent == 1


def test_a_cancellation_tells_followers_and_who_rsvpd_once(forum: Forum, receiver: ReceiverClient) -> None:
    ok(rsvp(forum, "ada", LUNCH["id"]), 201)
    adas = device(forum, receiver, owner="ada", topics=("data",))
    follower = device(forum, receiver, topics=("data",))
    cancelled = event("lunch", {**LUNCH, "status": "cancelled"}, LUNCH_NEXT, sequence=1)
    events = [e for e in EVENTS if e["id"] != "lunch"] + [cancelled]
    assert ingest_events(forum.store, events) == 2  # Ada's notice, the follower's announcement
    assert ingest_events(forum.store, events) == 0
    assert run_send(forum.store, forum.settings, NOW).sent == 2
    [notice] = received(receiver, adas)
    assert notice["title"] == "Cancelled: Lunch" and "which you joined" in notice["body"]
    [announcement] = received(receiver, follower)
    assert announcement["title"] == "Cancelled: Lunch" and "which you joined" not in announcement["body"]
    # A cancelled date gets no reminders, at any time before it.
    start = dt.datetime.fromisoformat(LUNCH["start"].replace("Z", "+00:00"))
    for before in (dt.timedelta(days=1), dt.timedelta(minutes=15), dt.timedelta(minutes=1)):
        assert run_send(forum.store, forum.settings, start - before).events == 0


def test_reminders_go_a_day_and_15_minutes_before_exactly_once(forum: Forum, receiver: ReceiverClient) -> None:
    ok(rsvp(forum, "grace", LUNCH["id"]), 201)
    graces = device(forum, receiver, owner="grace")
    alans = device(forum, receiver, owner="alan")  # no RSVP: no reminder
    start = dt.datetime.fromisoformat(LUNCH["start"].replace("Z", "+00:00"))
    clock = [start - dt.timedelta(days=1, minutes=5), start - dt.timedelta(days=1) + dt.timedelta(minutes=1),
             start - dt.timedelta(hours=3), start - dt.timedelta(minutes=14), start - dt.timedelta(minutes=5),
             start + dt.timedelta(minutes=5)]
    reports = [run_send(forum.store, forum.settings, now) for now in clock]
    assert [(r.events, r.sent) for r in reports] == [(0, 0), (1, 1), (0, 0), (1, 1), (0, 0), (0, 0)]
    # A restarted service (another store on the database) sends nothing again.
    again = open_store(forum.settings.db)
    try:
        assert isinstance(again, SqliteStore)
        assert run_send(again, forum.settings, start - dt.timedelta(minutes=3)).events == 0
    finally:
        again.close()
    day, soon = received(receiver, graces)
    assert (day["title"], soon["title"]) == ("Soon: Lunch", "Soon: Lunch")
    assert day["body"].startswith("Starts in 1 day") and soon["body"].startswith("Starts in 14 minutes")
    assert day["url"] == LUNCH["url"]
    assert received(receiver, alans) == []


def test_a_late_rsvp_gets_only_the_nearest_reminder(forum: Forum, receiver: ReceiverClient) -> None:
    ok(rsvp(forum, "alan", SOON["id"]), 201)  # ten minutes before the start: the day-before reminder is moot
    alans = device(forum, receiver, owner="alan")
    assert run_send(forum.store, forum.settings, NOW).events == 1
    assert run_send(forum.store, forum.settings, NOW + dt.timedelta(minutes=1)).events == 0
    [only] = received(receiver, alans)
    assert only["body"].startswith("Starts in 10 minutes")


def test_quiet_hours_delay_a_reminder_or_drop_one_that_would_come_too_late(forum: Forum,
                                                                          receiver: ReceiverClient) -> None:
    start = dt.datetime.fromisoformat(LUNCH["start"].replace("Z", "+00:00"))
    day_before = start - dt.timedelta(days=1)
    # Grace's quiet hours cover the day-before moment and end an hour later; they cover the 15-minute one up to
    # after the start, so that reminder is dropped, not sent late.
    quiet = QuietHours((day_before - dt.timedelta(minutes=30)).time().replace(second=0),
                       (day_before + dt.timedelta(hours=1)).time().replace(second=0))
    ok(rsvp(forum, "grace", LUNCH["id"]), 201)
    graces = device(forum, receiver, owner="grace", quiet=quiet)
    assert run_send(forum.store, forum.settings, day_before).events == 1
    assert receiver.device(graces)["received"] == []  # queued, due when the quiet hours end
    assert run_send(forum.store, forum.settings, day_before + dt.timedelta(hours=1, minutes=1)).sent == 1
    late = QuietHours((start - dt.timedelta(minutes=30)).time().replace(second=0),
                      (start + dt.timedelta(minutes=30)).time().replace(second=0))
    forum.store.save_subscription(Subscription(**{**_fields(forum, graces), "preferences": Preferences(
        quiet_hours=late)}))
    assert run_send(forum.store, forum.settings, start - dt.timedelta(minutes=14)).events == 0
    assert len(received(receiver, graces)) == 1


def _fields(forum: Forum, endpoint: str) -> dict[str, Any]:
    found = next(s for s in forum.store.subscriptions() if s.endpoint == endpoint)
    return {"endpoint": found.endpoint, "p256dh": found.p256dh, "auth": found.auth, "created_at": found.created_at,
            "updated_at": found.updated_at, "owner": found.owner}


def test_reminders_can_be_set_or_turned_off(tmp_path: Path, vapid_pem: Path) -> None:
    def setting(value: str) -> tuple[dt.timedelta, ...]:
        env = environment(tmp_path / "s.sqlite3", vapid_pem, "x") | {"PRACTICA_EVENT_REMINDERS": value}
        return load_settings(env, env_file=None).event_reminders

    assert setting("15m,1d") == (dt.timedelta(days=1), dt.timedelta(minutes=15))
    assert setting("2h") == (dt.timedelta(hours=2),)
    assert setting("off") == ()
    for bad in ("10s", "40d", "soon"):
        with pytest.raises(Exception, match="PRACTICA_EVENT_REMINDERS"):
            setting(bad)


def test_rsvps_and_attendance_are_exported_erased_and_expire(forum: Forum) -> None:
    ok(rsvp(forum, "robert", LUNCH["id"]), 201)
    ok(forum.send("POST", f"/events/occurrences/{SOON['id']}/check-in", "robert"), 201)
    mine = ok(forum.get("/me/export", "robert"))
    assert [r["occurrence"] for r in mine["rsvps"]] == [LUNCH["id"]]
    assert [a["occurrence"] for a in mine["attendance"]] == [SOON["id"]]
    assert any("RSVP to an event" in line for line in ok(forum.get("/me", "robert"))["holds"])
    # Retention: kept while young, gone once their time is up.
    assert not purge(forum.store, NOW, forum.settings).rsvps
    later = purge(forum.store, NOW + dt.timedelta(days=400), forum.settings)
    assert (later.rsvps, later.attendance) == (1, 1)
    assert forum.store.rsvps_of(READERS["robert"]["sub"]) == []
    # Erasure takes what is left.
    ok(rsvp(forum, "robert", LUNCH_NEXT["id"]), 201)
    ok(forum.send("POST", f"/events/occurrences/{SOON['id']}/check-in", "robert"), 201)
    assert forum.send("DELETE", "/me", "robert").status_code == 204
    assert found_in_tables(forum.store.url if hasattr(forum.store, "url") else forum.store.path,
                           READERS["robert"]["sub"]) == []


@pytest.mark.parametrize(("change", "message"), [
    (lambda e: e.update(timezone="Mars/Olympus"), "not an IANA time zone"),
    (lambda e: e["occurrences"][0].update(end=e["occurrences"][0]["start"]), "ends before it starts"),
    (lambda e: e["occurrences"][0].update(id="other@2026-12-08"), "must start with the event's id"),
    (lambda e: e["occurrences"][0].update(start="2026-12-08 11:00"), "must be a UTC time"),
    (lambda e: e["occurrences"][0].update(status="postponed"), "scheduled"),
    (lambda e: e.update(capacity=0), "capacity"),
    (lambda e: e.update(id="../etc"), "_practica.events[0].id"),
])
def test_a_feed_with_a_broken_event_is_refused_whole(change: Any, message: str) -> None:
    broken = copy.deepcopy(event("lunch", LUNCH))
    change(broken)
    with pytest.raises(FeedError, match=message.replace("[", r"\[").replace("]", r"\]").replace(".", r"\.")):
        parse_feed(events_feed([broken]))
    twice = events_feed([event("lunch", LUNCH), event("lunch", LUNCH_NEXT)])
    with pytest.raises(FeedError, match="duplicate ids: lunch"):
        parse_feed(twice)


def test_an_older_feed_without_events_still_reads() -> None:
    assert parse_feed(talk_feed()).events == ()


def test_the_store_s_event_tables(forum: Forum) -> None:
    """The store contract for events, on SQLite and PostgreSQL alike."""
    store, ada, grace = forum.store, READERS["ada"]["sub"], READERS["grace"]["sub"]
    for name in ("ada", "grace"):
        ok(forum.send("PUT", "/me/preferences", name, {"lock_screen": "full"}))
    assert store.add_rsvp("lunch@2031-01-01", ada, 1, NOW) == "joined"  # the store does not ask the feed
    assert store.add_rsvp("lunch@2031-01-01", ada, 1, NOW) == "again"
    assert store.add_rsvp("lunch@2031-01-01", grace, 1, NOW) == "full"
    assert store.add_rsvp("lunch@2031-01-01", grace, None, NOW) == "joined"  # no capacity: no limit
    assert store.rsvp_subjects("lunch@2031-01-01") == [ada, grace]
    assert store.upcoming_rsvps(NOW, NOW + dt.timedelta(days=3)) == []  # not in the feed: no reminder
    assert store.add_rsvp(LUNCH["id"], ada, None, NOW) == "joined"
    assert store.upcoming_rsvps(NOW, NOW + dt.timedelta(days=3)) == [(LUNCH["id"], ada)]
    assert store.note_notice("k", ada, NOW) and not store.note_notice("k", ada, NOW)
    assert store.check_in(SOON["id"], grace, NOW) and not store.check_in(SOON["id"], grace, NOW)
    # Retention: an RSVP to a date the feed never listed counts from when it was made; others from the date's end.
    assert store.prune_rsvps(NOW + dt.timedelta(days=1)) == 2
    assert store.rsvps_of(ada) == [(LUNCH["id"], NOW)]
    assert store.prune_rsvps(NOW + dt.timedelta(days=3)) == 1
    assert store.prune_attendance(NOW + dt.timedelta(seconds=1)) == 1
    assert store.prune_notices(NOW + dt.timedelta(seconds=1)) == 3  # "k", and the fixture's new:clinic, new:lunch
    assert store.event("nothing") is None and store.occurrence("nothing@2026-01-01") is None
    assert {"clinic", "lunch", "retro", "meetup"} <= store.event_ids()
