"""Lock screens: a `private` notification, decrypted by the local receiver, names no item, summary or person;
the device's choice wins over its person's, which wins over the deployment's (PRACTICA_PUSH_LOCK_SCREEN)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from typing import Any

import pytest

from generator.service.config import ServiceSettings
from generator.service.models import LockScreen, Person, Preferences, Subscription
from generator.service.store.sqlite import SqliteStore

from .conftest import T0, ReceiverClient, item, run_ingest, run_send

pytestmark = pytest.mark.both_backends

SECRET_WORDS = ("SQL joins", "Window functions", "summary", "Ada", "Lovelace", "Grace", "Hopper")


def device(store: SqliteStore, receiver: ReceiverClient, lock: LockScreen | None = None, owner: str | None = None,
           owner_lock: LockScreen | None = None, **prefs: Any) -> str:
    """A stored subscription to the receiver (with its lock-screen choice), linked to `owner` if given."""
    sub = receiver.subscribe(1)[0]
    store.save_subscription(Subscription(sub["endpoint"], sub["keys"]["p256dh"], sub["keys"]["auth"],
                                         Preferences(lock_screen=lock, **prefs)))
    if owner is not None:
        store.save_person(Person(owner, f"{owner}@example.org", owner.title(), None, f"pseudo-{owner}", T0,
                                 T0.date(), owner_lock))
        store.set_owner(Subscription(sub["endpoint"], "", "").id, owner)
    return str(sub["endpoint"])


def shown(receiver: ReceiverClient, endpoint: str) -> dict[str, Any]:
    notes = list(receiver.device(endpoint)["shown"].values())
    assert len(notes) == 1, notes
    return dict(notes[0])


def deliver(store: SqliteStore, settings: ServiceSettings, *items: dict[str, Any]) -> None:
    run_ingest(store)
    run_ingest(store, *(items or (item("sql-joins", title="SQL joins", summary="A short summary."),)))
    assert run_send(store, settings).sent >= 1


@pytest.mark.parametrize(("default", "lock", "owner_lock", "private"), [
    ("full", None, None, False),
    ("private", None, None, True),
    ("full", "private", None, True),
    ("private", "full", None, False),
    ("full", None, "private", True),
    ("private", None, "full", False),
    ("full", "full", "private", False),
    ("private", "private", "full", True),
])
def test_the_device_then_its_person_then_the_deployment_decide(
        store: SqliteStore, settings: ServiceSettings, receiver: ReceiverClient, default: LockScreen,
        lock: LockScreen | None, owner_lock: LockScreen | None, private: bool) -> None:
    endpoint = device(store, receiver, lock, "robert" if owner_lock else None, owner_lock)
    deliver(store, dataclasses.replace(settings, lock_screen=default))
    note = shown(receiver, endpoint)
    if private:
        assert (note["title"], note["body"]) == ("Acme Communities", "Something new in Data & Analytics")
    else:
        assert (note["title"], note["body"]) == ("New lesson in Data & Analytics", "SQL joins: A short summary.")
    assert note["url"] == "https://learn.example.org/learn/sql-joins/"


def test_a_private_notification_names_no_item_summary_or_person(store: SqliteStore, settings: ServiceSettings,
                                                                 receiver: ReceiverClient) -> None:
    by_grace = device(store, receiver, "private", people=("grace",))
    security = device(store, receiver, "private", topics=("security",))
    everything = device(store, receiver, "private")
    deliver(store, settings, item("sql-joins", title="SQL joins", people=("ada",)),
            item("window-functions", title="Window functions", topics=("data", "security"), people=("grace",)))
    received = receiver.report()["devices"]
    for endpoint in (by_grace, security, everything):
        payload = received[endpoint]["received"][0]["payload"]
        assert set(payload) == {"title", "body", "url", "icon", "tag"}
        assert not [word for word in SECRET_WORDS if word in json.dumps(payload)], payload
    assert shown(receiver, security)["body"] == "Something new in Security"  # the followed community, not the first
    assert shown(receiver, everything)["url"] == "https://learn.example.org/topics/data/"
    assert shown(receiver, by_grace)["url"] == "https://learn.example.org/learn/window-functions/"  # opened, not shown


def test_an_item_in_no_community_is_just_something_new(store: SqliteStore, settings: ServiceSettings,
                                                       receiver: ReceiverClient) -> None:
    endpoint = device(store, receiver, "private")
    deliver(store, settings, item("orphan", title="An orphan", topics=()))
    assert (shown(receiver, endpoint)["title"], shown(receiver, endpoint)["body"]) == ("Acme Communities",
                                                                                       "Something new")


def test_a_frozen_payload_is_resent_as_it_was_even_if_the_choice_changes(store: SqliteStore, settings: ServiceSettings,
                                                                         receiver: ReceiverClient) -> None:
    endpoint = device(store, receiver, "full")
    receiver.script(endpoint, {"status": 503})
    run_ingest(store)
    run_ingest(store, item("sql-joins", title="SQL joins"))
    assert run_send(store, settings).retry == 1
    stored = store.get_subscription(Subscription(endpoint, "", "").id)
    assert stored is not None
    store.save_subscription(dataclasses.replace(stored, preferences=Preferences(lock_screen="private")))
    assert run_send(store, settings, T0 + dt.timedelta(hours=1)).sent == 1
    [received] = (r["payload"] for r in receiver.device(endpoint)["received"])  # the 503 was not decrypted
    assert received["title"] == "New lesson in Data & Analytics"  # built at the first attempt, before the change
