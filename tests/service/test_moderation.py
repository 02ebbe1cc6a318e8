"""Moderation over real HTTP, readers signed in with JWTs: stewards hide with a reason that stays in the post's
place, add notes, pin and lock; others cannot; pre-moderated first posts wait for a steward; flags; the log that
admins read."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from .conftest import ReceiverClient
from .forum import Forum, ok, posts_of, refused, running

pytestmark = pytest.mark.both_backends


@pytest.fixture
def forum(place: Path | str, vapid_pem: Path, receiver: ReceiverClient) -> Iterator[Forum]:
    with running(place, vapid_pem, receiver, admins="sso|robert-4, Mallory@Example.org") as started:
        yield started


def test_a_steward_hides_with_a_reason_notes_and_unhides(forum: Forum) -> None:
    tid = ok(forum.ask("alan", "Cheap licences", "Buy here: [deal](https://spam.example.net/)"), 201)["thread"]["id"]
    answer = ok(forum.reply("grace", tid, "Joins are explained in the lesson."), 201)["id"]
    spam = forum.thread(tid, "alan")["posts"][0]["id"]

    refused(forum.send("POST", f"/posts/{spam}/hide", "grace", {"reason": "Spam"}), 403, "not_a_steward")
    hidden = ok(forum.send("POST", f"/posts/{spam}/hide", "ada", {"reason": "Advertising, see the guidelines"}))
    assert (hidden["state"], hidden["hidden_reason"]) == ("hidden", "Advertising, see the guidelines")
    for reader, readable in (("grace", False), ("alan", True), ("ada", True)):  # others see the reason only
        post = forum.thread(tid, reader)["posts"][0]
        assert (post["state"], post["hidden_reason"]) == ("hidden", "Advertising, see the guidelines")
        assert (post["html"] is not None) == readable, reader
    refused(forum.send("PATCH", f"/posts/{spam}", "alan", {"body": "Nothing to see"}), 409, "post_hidden")
    refused(forum.send("PUT", f"/posts/{spam}/helpful", "grace"), 409, "post_not_visible")
    refused(forum.reply("grace", tid, "Reply to spam", parent=spam), 409, "post_not_visible")

    refused(forum.send("PUT", f"/posts/{answer}/note", "alan", {"text": "Nope"}), 403, "not_a_steward")
    noted = ok(forum.send("PUT", f"/posts/{answer}/note", "ada",
                          {"text": "See the verified FAQ on [joins](https://learn.example.org/faq/joins/)"}))
    assert noted["note"] == {"html": '<p>See the verified FAQ on <a href="https://learn.example.org/faq/joins/" '
                                     'rel="ugc nofollow noopener">joins</a></p>\n',
                             "by": {"name": "Ada Lovelace", "person": "ada", "former": False, "photo": None,
                                    "motto": None}}
    assert forum.thread(tid, "robert")["posts"][1]["note"] == noted["note"]
    assert ok(forum.send("DELETE", f"/posts/{answer}/note", "ada"))["note"] is None

    refused(forum.send("POST", f"/posts/{spam}/unhide", "alan"), 403, "not_a_steward")
    shown = ok(forum.send("POST", f"/posts/{spam}/unhide", "ada"))
    assert (shown["state"], shown["hidden_reason"], shown["html"] is not None) == ("visible", None, True)
    refused(forum.send("POST", f"/posts/{spam}/unhide", "ada"), 409, "post_not_hidden")
    actions = [(e.action, e.post_id, e.reason) for e in reversed(forum.store.log_entries(10))]
    assert actions == [("hide", spam, "Advertising, see the guidelines"), ("note", answer, None),
                       ("unnote", answer, None), ("unhide", spam, None)]


def test_a_thread_whose_every_post_was_hidden_leaves_the_board(forum: Forum) -> None:
    tid = ok(forum.ask("mallory", "Spam", "Spam"), 201)["thread"]["id"]
    spam = forum.thread(tid, "ada")["posts"][0]["id"]
    ok(forum.send("POST", f"/posts/{spam}/hide", "ada", {"reason": "Spam"}))
    assert ok(forum.get("/threads", "alan", community="data"))["threads"] == []
    refused(forum.get(f"/threads/{tid}", "alan"), 404, "thread_not_found")
    assert [t["id"] for t in ok(forum.get("/threads", "ada", community="data"))["threads"]] == [tid]


def test_stewards_pin_and_lock_others_cannot(forum: Forum) -> None:
    tid = ok(forum.ask("alan", "Meetup notes", "Slides inside", type="insight"), 201)["thread"]["id"]
    for action in ("pin", "lock", "unpin", "unlock"):
        refused(forum.send("POST", f"/threads/{tid}/{action}", "grace"), 403, "not_a_steward")  # steward elsewhere
    assert ok(forum.send("POST", f"/threads/{tid}/pin", "ada"))["pinned"] is True
    assert ok(forum.send("POST", f"/threads/{tid}/lock", "ada"))["locked"] is True
    refused(forum.reply("grace", tid, "One more thing"), 409, "thread_locked")
    first = forum.thread(tid, "alan")["posts"][0]["id"]
    refused(forum.send("PATCH", f"/posts/{first}", "alan", {"body": "Changed"}), 409, "thread_locked")
    assert forum.thread(tid, "grace")["can_post"] is False
    ok(forum.reply("ada", tid, "Locked: the slides are on the hub now."), 201)  # a steward still may
    assert ok(forum.send("POST", f"/threads/{tid}/unlock", "ada"))["locked"] is False
    ok(forum.reply("grace", tid, "Thanks"), 201)
    item = ok(forum.on_item("alan", "On the lesson"), 201)["thread"]["id"]
    refused(forum.send("POST", f"/threads/{item}/pin", "ada"), 409, "not_a_board_thread")
    assert ok(forum.send("POST", f"/threads/{item}/lock", "ada"))["locked"] is True
    refused(forum.on_item("grace", "Still open?"), 409, "thread_locked")


def test_admins_moderate_every_community_and_read_the_log(forum: Forum) -> None:
    tid = ok(forum.ask("alan", "UX question", "Body", community="ux"), 201)["thread"]["id"]  # ux has no stewards
    post = forum.thread(tid, "alan")["posts"][0]["id"]
    ok(forum.send("POST", f"/posts/{post}/hide", "robert", {"reason": "Off topic"}))  # an admin by subject
    ok(forum.send("POST", f"/threads/{tid}/lock", "mallory"))  # an admin by email, in any case
    refused(forum.get("/moderation/log", "ada"), 403, "not_an_admin")  # a steward is not an admin
    log = ok(forum.get("/moderation/log", "mallory"))
    assert [(e["action"], e["actor"]["name"], e["thread"], e["reason"]) for e in log["entries"]] == [
        ("lock", "Mallory", tid, None), ("hide", "Robert Example", tid, "Off topic")]
    assert log["next"] is None and log["entries"][0]["at"]
    page = ok(forum.get("/moderation/log", "mallory", limit=1))
    assert [e["action"] for e in page["entries"]] == ["lock"]
    assert [e["action"] for e in ok(forum.get("/moderation/log", "mallory", before=page["next"]))["entries"]] == \
        ["hide"]


def test_pre_moderation_holds_a_first_post_until_a_steward_approves(place: Path | str, vapid_pem: Path,
                                                                  receiver: ReceiverClient) -> None:
    with running(place, vapid_pem, receiver, premoderate="data") as forum:
        opened = ok(forum.ask("robert", "First question", "Hello all"), 201)
        tid, first = opened["thread"]["id"], opened["post"]["id"]
        assert opened["post"]["state"] == "held" and opened["thread"]["posts"] == 0
        assert forum.thread(tid, "robert")["posts"][0]["state"] == "held"  # its author sees it
        refused(forum.get(f"/threads/{tid}", "alan"), 404, "thread_not_found")  # nobody else does
        assert ok(forum.get("/threads", "alan", community="data"))["threads"] == []
        assert [t["id"] for t in ok(forum.get("/threads", "robert", community="data"))["threads"]] == [tid]
        second = ok(forum.reply("robert", tid, "Anyone?"), 201)
        assert second["state"] == "held"  # still nothing of his shown: still held

        refused(forum.get("/moderation/queue", "alan"), 403, "not_a_steward")
        refused(forum.get("/moderation/queue", "grace", community="data"), 403, "not_a_steward")
        assert ok(forum.get("/moderation/queue", "grace")) == []  # security's steward: nothing held there
        queued = ok(forum.get("/moderation/queue", "ada"))
        assert [(q["thread"]["id"], q["post"]["id"]) for q in queued] == [(tid, first), (tid, second["id"])]
        refused(forum.send("POST", f"/posts/{first}/approve", "alan"), 404, "post_not_found")  # he cannot see it
        refused(forum.send("POST", f"/posts/{first}/approve", "grace"), 404, "post_not_found")
        assert ok(forum.send("POST", f"/posts/{first}/approve", "ada"))["state"] == "visible"
        refused(forum.send("POST", f"/posts/{first}/approve", "ada"), 409, "post_not_held")
        seen = forum.thread(tid, "alan")
        assert [p["id"] for p in posts_of(seen)] == [first] and seen["thread"]["posts"] == 1
        assert ok(forum.reply("robert", tid, "Thanks!"), 201)["state"] == "visible"  # approved once: trusted
        assert ok(forum.ask("ada", "A steward's post", "Never held"), 201)["post"]["state"] == "visible"
        assert ok(forum.ask("alan", "Elsewhere", "Not moderated", community="security"), 201)["post"]["state"] == \
            "visible"
        assert ok(forum.on_item("alan", "On a data lesson"), 201)["post"]["state"] == "held"  # the item is in data


def test_flags_reach_the_stewards_once_per_reader_without_naming_the_flagger(forum: Forum) -> None:
    tid = ok(forum.ask("mallory", "Rude title", "You are all wrong"), 201)["thread"]["id"]
    post = forum.thread(tid, "alan")["posts"][0]["id"]
    flagged = forum.send("POST", f"/posts/{post}/flags", "alan", {"reason": "rude", "text": "Please look\nat this"})
    first = ok(flagged, 201)
    assert (first["reason"], first["text"], first["resolved_at"]) == ("rude", "Please look at this", None)
    assert ok(forum.send("POST", f"/posts/{post}/flags", "alan", {"reason": "spam"})) == first  # once per reader
    ok(forum.send("POST", f"/posts/{post}/flags", "grace", {"reason": "off_topic"}), 201)
    refused(forum.send("POST", f"/posts/{post}/flags", "mallory", {"reason": "spam"}), 409, "own_post")
    refused(forum.send("POST", f"/posts/{post}/flags", "alan", {"reason": "boring"}), 422, "invalid", "reason")

    refused(forum.get("/moderation/flags", "alan"), 403, "not_a_steward")
    listed = ok(forum.get("/moderation/flags", "ada", community="data"))
    assert [(f["reason"], f["post"]["id"], f["thread"]["id"]) for f in listed] == [("rude", post, tid),
                                                                                  ("off_topic", post, tid)]
    assert "sso|alan" not in str(listed) and "Alan" not in str(listed)
    refused(forum.send("POST", f"/flags/{first['id']}/resolve", "grace"), 403, "not_a_steward")
    assert forum.send("POST", f"/flags/{first['id']}/resolve", "ada").status_code == 204
    assert [f["reason"] for f in ok(forum.get("/moderation/flags", "ada"))] == ["off_topic"]
    ok(forum.send("POST", f"/posts/{post}/hide", "ada", {"reason": "Rude"}))  # hiding resolves the rest
    assert ok(forum.get("/moderation/flags", "ada")) == []
    refused(forum.send("POST", "/flags/999/resolve", "ada"), 404, "flag_not_found")
