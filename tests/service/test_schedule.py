"""Digests, quiet hours and the daily cap, with the clock passed in: no sleeping, no flakiness."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from generator.service.config import ServiceSettings
from generator.service.models import Preferences, QuietHours, Subscription
from generator.service.push.schedule import Rules, after_quiet, local_day, next_digest, plan
from generator.service.store.sqlite import SqliteStore

from .conftest import ReceiverClient, item, run_ingest, run_send

pytestmark = pytest.mark.both_backends

BERLIN = ZoneInfo("Europe/Berlin")
NIGHT = QuietHours(dt.time(22), dt.time(7))


def berlin(day: int, hour: int, minute: int = 0, month: int = 3) -> dt.datetime:
    return dt.datetime(2026, month, day, hour, minute, tzinfo=BERLIN).astimezone(dt.UTC)


def prefs(**kw: Any) -> Preferences:
    return Preferences(**{"timezone": "Europe/Berlin", **kw})


@pytest.mark.parametrize(("now", "due"), [
    (berlin(2, 12), berlin(2, 12)),  # outside the window: now
    (berlin(2, 23, 30), berlin(3, 7)),  # late evening: tomorrow morning
    (berlin(3, 6, 59), berlin(3, 7)),  # early morning: this morning
    (berlin(3, 7), berlin(3, 7)),  # the window's end is outside it
])
def test_quiet_hours_across_midnight_delay_to_the_end_of_the_window(now: dt.datetime, due: dt.datetime) -> None:
    assert after_quiet(prefs(quiet_hours=NIGHT), now) == due


def test_quiet_hours_within_a_day() -> None:
    lunch = prefs(quiet_hours=QuietHours(dt.time(12), dt.time(14)))
    assert after_quiet(lunch, berlin(2, 13)) == berlin(2, 14)
    assert after_quiet(lunch, berlin(2, 11)) == berlin(2, 11)


def test_immediate_goes_out_with_its_batch_unless_quiet() -> None:
    rules = Rules()
    assert plan(prefs(), berlin(2, 12), 7, rules).key == "batch:7"
    delayed = plan(prefs(quiet_hours=NIGHT), berlin(2, 23), 7, rules)
    assert (delayed.key, delayed.due) == ("at:2026-03-03T06:00:00Z", berlin(3, 7))


@pytest.mark.parametrize(("now", "due"), [
    (berlin(2, 8), berlin(2, 9)),  # before today's digest: today
    (berlin(2, 9), berlin(3, 9)),  # at or after it: tomorrow
    (berlin(2, 20), berlin(3, 9)),
])
def test_daily_digest_at_a_sensible_local_hour(now: dt.datetime, due: dt.datetime) -> None:
    assert next_digest(prefs(frequency="daily"), now, Rules()) == due


def test_weekly_digest_on_the_configured_weekday() -> None:
    weekly = prefs(frequency="weekly")
    assert next_digest(weekly, berlin(4, 15), Rules()) == berlin(9, 9)  # Wednesday → next Monday
    assert next_digest(weekly, berlin(2, 8), Rules()) == berlin(2, 9)  # Monday before 09:00 → today
    assert next_digest(weekly, berlin(2, 10), Rules(digest_weekday=4)) == berlin(6, 9)  # Friday


def test_a_digest_inside_quiet_hours_waits_for_their_end() -> None:
    late_riser = prefs(frequency="daily", quiet_hours=QuietHours(dt.time(21), dt.time(10, 30)))
    assert next_digest(late_riser, berlin(2, 12), Rules()) == berlin(3, 10, 30)


def test_local_time_follows_the_zone_and_daylight_saving() -> None:
    now = dt.datetime(2026, 3, 2, 0, 0, tzinfo=dt.UTC)
    tokyo = Preferences(frequency="daily", timezone="Asia/Tokyo")
    la = Preferences(frequency="daily", timezone="America/Los_Angeles")
    assert next_digest(tokyo, now, Rules()) == dt.datetime(2026, 3, 3, 0, 0, tzinfo=dt.UTC)
    assert next_digest(la, now, Rules()) == dt.datetime(2026, 3, 2, 17, 0, tzinfo=dt.UTC)
    daily = prefs(frequency="daily")
    before = next_digest(daily, berlin(27, 12), Rules())  # 28 March; Berlin moves its clocks on the 29th
    assert (before.hour, next_digest(daily, before, Rules()).hour) == (8, 7)
    start, end = local_day(daily, berlin(29, 12))
    assert end - start == dt.timedelta(hours=23)


def _subscribe(store: SqliteStore, receiver: ReceiverClient, **kw: Any) -> str:
    sub = receiver.subscribe(1)[0]
    store.save_subscription(Subscription(sub["endpoint"], sub["keys"]["p256dh"], sub["keys"]["auth"], prefs(**kw)))
    return str(sub["endpoint"])


def _shown(receiver: ReceiverClient, endpoint: str) -> list[dict[str, Any]]:
    return list(receiver.device(endpoint)["shown"].values())


def test_matches_during_quiet_hours_arrive_as_one_notification_when_they_end(
        store: SqliteStore, settings: ServiceSettings, receiver: ReceiverClient) -> None:
    endpoint = _subscribe(store, receiver, quiet_hours=NIGHT)
    run_ingest(store, now=berlin(2, 20))
    run_ingest(store, item("a", title="Alpha"), now=berlin(2, 23))
    run_ingest(store, item("a"), item("b", title="Beta"), now=berlin(3, 1))
    assert run_send(store, settings, berlin(3, 6, 59)).sent == 0
    assert run_send(store, settings, berlin(3, 7)).sent == 1
    assert [n["title"] for n in _shown(receiver, endpoint)] == ["2 new in Data & Analytics"]


def test_daily_digest_gathers_the_days_batches(store: SqliteStore, settings: ServiceSettings,
                                               receiver: ReceiverClient) -> None:
    endpoint = _subscribe(store, receiver, frequency="daily")
    run_ingest(store, now=berlin(2, 8))
    for hour, slug in ((10, "a"), (14, "b"), (18, "c")):
        run_ingest(store, *(item(s) for s in "abc"[: "abc".index(slug) + 1]), now=berlin(2, hour))
    assert run_send(store, settings, berlin(3, 8, 59)).sent == 0
    assert run_send(store, settings, berlin(3, 9)).sent == 1
    shown = _shown(receiver, endpoint)
    assert [n["title"] for n in shown] == ["Daily digest: 3 new in Data & Analytics"]
    assert receiver.device(endpoint)["received"][0]["urgency"] == "low"


def test_the_daily_cap_moves_further_matches_to_the_next_mornings_digest(
        store: SqliteStore, settings: ServiceSettings, receiver: ReceiverClient) -> None:
    endpoint = _subscribe(store, receiver)
    cap = Rules(daily_cap=2)
    run_ingest(store, now=berlin(2, 8), rules=cap)
    slugs: list[str] = []
    for hour in (10, 11, 12, 13):
        slugs.append(f"item-{hour}")
        run_ingest(store, *(item(s) for s in slugs), now=berlin(2, hour), rules=cap)
        run_send(store, settings, berlin(2, hour))
    assert len(_shown(receiver, endpoint)) == 2  # the cap
    assert run_send(store, settings, berlin(3, 9)).sent == 1
    shown = _shown(receiver, endpoint)
    assert len(shown) == 3 and shown[-1]["title"] == "2 new in Data & Analytics"
