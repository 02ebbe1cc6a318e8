"""Reminders for responses: who hears of a post (replied to, followers, mentioned; stewards of a flag; never its
author), the bell, following, and delivery through the outbox to every device of the recipient, over the real
sender to the local decrypting receiver: exactly once, a crash neither drops nor duplicates, quiet hours delay."""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from generator.service.models import Preferences, QuietHours, Subscription, utcnow
from generator.service.push.sender import Sender
from generator.service.store.sqlite import SqliteStore

from .conftest import ReceiverClient, run_send
from .forum import READERS, Forum, ok, refused, running

pytestmark = pytest.mark.both_backends


@pytest.fixture
def forum(place: Path | str, vapid_pem: Path, receiver: ReceiverClient) -> Iterator[Forum]:
    with running(place, vapid_pem, receiver, talk_thread_rate_limit="100/1h") as started:
        yield started


def subject(name: str) -> str:
    return READERS[name]["sub"]


def keeps(forum: Forum, name: str) -> None:
    """The reader makes a choice, so the service keeps their row (reading alone keeps nothing)."""
    ok(forum.send("PUT", "/me/preferences", name, {"lock_screen": "full"}))


def devices(forum: Forum, receiver: ReceiverClient, name: str, count: int = 1, **prefs: Any) -> list[str]:
    """`count` devices subscribed at the receiver and linked to the reader."""
    keeps(forum, name)
    endpoints = []
    for sub in receiver.subscribe(count):
        stored = Subscription(sub["endpoint"], sub["keys"]["p256dh"], sub["keys"]["auth"], Preferences(**prefs))
        forum.store.save_subscription(stored)
        assert forum.store.set_owner(stored.id, subject(name))
        endpoints.append(str(sub["endpoint"]))
    return endpoints


def question(forum: Forum, asker: str = "alan", title: str = "How do I join two tables?") -> tuple[int, int]:
    opened = ok(forum.ask(asker, title, "Which join keeps unmatched rows?"), 201)
    return opened["thread"]["id"], opened["post"]["id"]


def bell(forum: Forum, name: str, **params: Any) -> dict[str, Any]:
    return dict(ok(forum.get("/me/activity", name, **params)))


def test_an_answer_reaches_the_asker_not_its_author_and_the_bell_counts_it(forum: Forum) -> None:
    tid, first = question(forum)
    answer = ok(forum.reply("robert", tid, "A LEFT JOIN."), 201)
    assert bell(forum, "robert")["activity"] == []
    mine = bell(forum, "alan")
    assert mine["unread"] == 1
    [seen] = mine["activity"]
    assert (seen["kind"], seen["who"], seen["thread"], seen["title"], seen["read"]) == (
        "reply", "Robert Example", tid, "How do I join two tables?", False)
    assert seen["url"].endswith(f"#post-{answer['id']}")
    assert ok(forum.get("/me", "alan"))["unread"] == 1
    # A reply to Robert's answer: Robert is replied to, Alan (the opener, a follower) hears of a new post.
    ok(forum.reply("grace", tid, "And a FULL JOIN keeps both.", parent=answer["id"]), 201)
    assert [a["kind"] for a in bell(forum, "robert")["activity"]] == ["reply"]
    assert [a["kind"] for a in bell(forum, "alan")["activity"]] == ["thread_post", "reply"]
    assert bell(forum, "grace")["activity"] == []
    assert first


def test_reading_marks_one_or_all(forum: Forum) -> None:
    tid, _ = question(forum)
    for text in ("One.", "Two.", "Three."):
        ok(forum.reply("robert", tid, text), 201)
    ids = [a["id"] for a in bell(forum, "alan")["activity"]]
    assert forum.send("POST", "/me/activity/read", "alan", {"ids": ids[:1]}).status_code == 204
    assert bell(forum, "alan")["unread"] == 2
    assert len(bell(forum, "alan", unread=1)["activity"]) == 2
    assert forum.send("POST", "/me/activity/read", "alan", {"all": True}).status_code == 204
    assert bell(forum, "alan")["unread"] == 0
    refused(forum.send("POST", "/me/activity/read", "alan", {}), 422, "invalid")
    refused(forum.get("/me/activity", None), 401, "sign_in_required")


def test_mentions_follows_and_unfollows(forum: Forum) -> None:
    tid, _ = question(forum)
    ok(forum.reply("robert", tid, "Ask @grace, she knows."), 201)
    assert bell(forum, "grace")["activity"] == []  # not signed in yet: nobody to remind
    keeps(forum, "ada")
    ok(forum.reply("robert", tid, "Or ask @ada."), 201)
    assert [a["kind"] for a in bell(forum, "ada")["activity"]] == ["mention"]
    assert ok(forum.send("PUT", f"/threads/{tid}/follow", "grace")) == {"thread": tid, "following": True}
    assert ok(forum.send("DELETE", f"/threads/{tid}/follow", "robert")) == {"thread": tid, "following": False}
    ok(forum.reply("mallory", tid, "Me too."), 201)
    assert [a["kind"] for a in bell(forum, "grace")["activity"]] == ["thread_post"]
    assert bell(forum, "robert")["activity"] == []
    assert [a["kind"] for a in bell(forum, "alan")["activity"]] == ["reply", "reply", "reply"]
    refused(forum.send("PUT", "/threads/999/follow", "grace"), 404, "thread_not_found")


def test_a_flag_reaches_the_communitys_stewards_once(forum: Forum) -> None:
    keeps(forum, "ada")
    keeps(forum, "grace")  # a steward of security, not of data
    tid, _ = question(forum)
    answer = ok(forum.reply("robert", tid, "Buy my course."), 201)
    for reader in ("alan", "mallory"):
        ok(forum.send("POST", f"/posts/{answer['id']}/flags", reader, {"reason": "spam"}), 201)
    assert bell(forum, "grace")["activity"] == []
    found = bell(forum, "ada")["activity"]
    assert [a["kind"] for a in found] == ["flag"], found
    assert found[0]["who"] == "Robert Example"


def test_a_reply_is_one_notification_on_each_of_the_recipients_devices(forum: Forum, receiver: ReceiverClient) -> None:
    tid, _ = question(forum)
    alans = devices(forum, receiver, "alan", 2)
    [roberts] = devices(forum, receiver, "robert")
    answer = ok(forum.reply("robert", tid, "A *LEFT* JOIN <b>keeps</b> them."), 201)
    report = run_send(forum.store, forum.settings, utcnow())
    assert (report.sent, report.activity) == (2, 2)
    assert run_send(forum.store, forum.settings, utcnow()).sent == 0  # nothing twice
    for endpoint in alans:
        got = receiver.device(endpoint)
        assert len(got["received"]) == 1
        note = got["received"][0]["payload"]
        assert note["title"] == "Robert Example replied in “How do I join two tables?”"
        assert note["body"] == "A LEFT JOIN <b>keeps</b> them."  # plain text: the post's words, no HTML made
        assert note["url"].endswith(f"#post-{answer['id']}")
        assert note["tag"] == f"practica-thread-{tid}"
    assert receiver.device(roberts)["received"] == []


def test_a_crash_between_claim_and_mark_neither_drops_nor_duplicates(forum: Forum,
                                                                     receiver: ReceiverClient) -> None:
    tid, _ = question(forum)
    [alans] = devices(forum, receiver, "alan")
    ok(forum.reply("robert", tid, "A LEFT JOIN."), 201)
    now = utcnow()
    store = forum.store
    store.claim_lease = 0.0  # on PostgreSQL a dead sender's claim is taken back once its lease ends: here, at once

    async def send_then_die() -> None:
        """What a sender killed after its request but before recording it leaves: a row 'sending'."""
        from generator.service.push.activity import queue_activity
        async with Sender.from_settings(store, forum.settings) as sender:
            queue_activity(store, now, sender.rules)
            found = store.feed_state()
            assert found is not None
            [(row, unbuilt)] = sender._claim(now, found.state)
            assert unbuilt is None and row.payload is not None
            assert (await sender.push(row.subscription, row.payload, f"practica-{row.id}")).verdict == "sent"
    asyncio.run(send_then_die())
    assert store.outbox_counts().get("sending") == 1
    report = run_send(store, forum.settings, now)
    assert (report.requeued, report.sent) == (1, 1)
    got = receiver.device(alans)
    assert len(got["received"]) == 2 and got["received"][0]["payload"] == got["received"][1]["payload"]
    assert len(got["shown"]) == 1  # the resend replaced the notification it repeats
    assert run_send(store, forum.settings, now).sent == 0


def test_quiet_hours_delay_it_and_a_digest_device_gets_it_in_its_digest(forum: Forum,
                                                                        receiver: ReceiverClient) -> None:
    tid, _ = question(forum)
    now = utcnow()
    start = (now - dt.timedelta(hours=1)).time().replace(second=0, microsecond=0)
    end = (now + dt.timedelta(hours=2)).time().replace(second=0, microsecond=0)
    [quiet] = devices(forum, receiver, "alan", quiet_hours=QuietHours(start, end), timezone="UTC")
    [daily] = devices(forum, receiver, "alan", frequency="daily", timezone="UTC")
    ok(forum.reply("robert", tid, "A LEFT JOIN."), 201)
    ok(forum.reply("grace", tid, "Or a FULL JOIN."), 201)
    assert run_send(forum.store, forum.settings, now).sent == 0
    assert receiver.device(quiet)["received"] == receiver.device(daily)["received"] == []
    later = run_send(forum.store, forum.settings, now + dt.timedelta(days=1, hours=3))
    assert later.sent == 2
    for endpoint in (quiet, daily):
        [note] = receiver.device(endpoint)["received"]
        assert "2 new responses" in note["payload"]["title"]
    assert receiver.device(daily)["received"][0]["payload"]["title"].startswith("Daily digest: ")


def test_the_export_has_it_and_erasure_takes_it(forum: Forum) -> None:
    tid, _ = question(forum)
    ok(forum.reply("robert", tid, "A LEFT JOIN."), 201)
    exported = ok(forum.get("/me/export", "alan"))
    assert [a["kind"] for a in exported["activity"]] == ["reply"]
    assert forum.send("DELETE", "/me", "alan").status_code == 204
    assert forum.store.db.execute("SELECT count(*) FROM activity").fetchone()[0] == 0


def test_retention_forgets_old_activity(forum: Forum) -> None:
    from generator.service.privacy.retention import purge
    tid, _ = question(forum)
    ok(forum.reply("robert", tid, "A LEFT JOIN."), 201)
    settings = forum.settings
    purged = purge(forum.store, utcnow() + settings.retention.activity + dt.timedelta(days=1),
                   dataclasses.replace(settings))
    assert purged.activity == 1
    assert isinstance(forum.store, SqliteStore)


def test_a_held_post_is_heard_of_once_approved(place: Path | str, vapid_pem: Path, receiver: ReceiverClient) -> None:
    with running(place, vapid_pem, receiver, premoderate="data") as forum:
        tid, _ = question(forum, asker="ada")  # a steward: never held
        held = ok(forum.reply("robert", tid, "My first post."), 201)
        assert held["state"] == "held"
        assert bell(forum, "ada")["activity"] == []
        ok(forum.send("POST", f"/posts/{held['id']}/approve", "ada"))
        assert [a["kind"] for a in bell(forum, "ada")["activity"]] == ["reply"]  # an answer to her question
        keeps(forum, "alan")
        ok(forum.send("PUT", f"/threads/{tid}/follow", "alan"))
        second = ok(forum.reply("mallory", tid, "Held too."), 201)
        ok(forum.send("POST", f"/posts/{second['id']}/approve", "ada"))
        assert [a["kind"] for a in bell(forum, "alan")["activity"]] == ["thread_post"]


def test_a_post_hidden_before_it_was_sent_is_neither_shown_nor_sent(forum: Forum, receiver: ReceiverClient) -> None:
    tid, _ = question(forum)
    [alans] = devices(forum, receiver, "alan")
    spam = ok(forum.reply("robert", tid, "Buy my course."), 201)
    assert bell(forum, "alan")["unread"] == 1
    ok(forum.send("POST", f"/posts/{spam['id']}/hide", "ada", {"reason": "Advertising"}))
    assert bell(forum, "alan") == {"unread": 0, "activity": []}
    assert run_send(forum.store, forum.settings, utcnow()).sent == 0
    assert receiver.device(alans)["received"] == []


def test_a_private_lock_screen_says_only_something_new_in_the_community(forum: Forum,
                                                                       receiver: ReceiverClient) -> None:
    tid, _ = question(forum)
    [alans] = devices(forum, receiver, "alan", lock_screen="private")
    ok(forum.reply("robert", tid, "A LEFT JOIN."), 201)
    assert run_send(forum.store, forum.settings, utcnow()).sent == 1
    [got] = receiver.device(alans)["received"]
    payload = got["payload"]
    assert (payload["title"], payload["body"]) == ("Acme Communities", "Something new in Data & Analytics")
    assert "Robert" not in str(got["payload"]) and "join" not in str(got["payload"]).lower()


def test_the_export_keeps_activity_about_a_post_hidden_since(forum: Forum) -> None:
    tid, _ = question(forum)
    spam = ok(forum.reply("robert", tid, "Buy my course."), 201)
    ok(forum.send("POST", f"/posts/{spam['id']}/hide", "ada", {"reason": "Advertising"}))
    exported = ok(forum.get("/me/export", "alan"))
    assert [(a["kind"], a["post"]) for a in exported["activity"]] == [("reply", spam["id"])]
