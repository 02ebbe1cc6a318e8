"""What the site's stewards' tools and first-post guidelines need from the service, over real HTTP with JWTs:
`posts` on GET /me, rejecting a held post, and the post's site URL in the queue and the flags."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from .conftest import ReceiverClient
from .forum import SQL_JOINS, Forum, ok, refused, running

pytestmark = pytest.mark.both_backends

SITE = "https://learn.example.org/"  # the test feed's site_url (conftest.feed)


@pytest.fixture
def forum(place: Path | str, vapid_pem: Path, receiver: ReceiverClient) -> Iterator[Forum]:
    with running(place, vapid_pem, receiver, premoderate="data", admins="mallory@example.org") as started:
        yield started


def test_me_counts_the_readers_posts_for_the_first_post_guidelines(forum: Forum) -> None:
    assert ok(forum.get("/me", "robert"))["posts"] == 0
    held = ok(forum.ask("robert", "First question", "Hello"), 201)["post"]
    assert held["state"] == "held"
    assert ok(forum.get("/me", "robert"))["posts"] == 1  # a held post counts: the guidelines were read
    assert ok(forum.get("/me", "alan"))["posts"] == 0  # nobody else's
    refused(forum.get("/me", None), 401, "sign_in_required")
    schema = forum.api.get("/openapi.json").json()["components"]["schemas"]["MeView"]["properties"]["posts"]
    assert "guidelines" in schema["description"]


def test_a_steward_rejects_a_held_post_and_the_author_stays_held(forum: Forum) -> None:
    opened = ok(forum.ask("robert", "Buy cheap licences", "Spam"), 201)
    pid = opened["post"]["id"]
    refused(forum.send("POST", f"/posts/{pid}/reject", "alan", {"reason": "Spam"}), 404, "post_not_found")
    refused(forum.send("POST", f"/posts/{pid}/reject", "grace", {"reason": "Spam"}), 404, "post_not_found")
    refused(forum.send("POST", f"/posts/{pid}/reject", "robert", {"reason": "Mine"}), 403, "not_a_steward")
    assert forum.send("POST", f"/posts/{pid}/reject", "ada", {"reason": "Advertising <script>x</script>"}
                      ).status_code == 204
    assert ok(forum.get("/moderation/queue", "ada")) == []
    assert forum.store.post(pid) is None  # nobody but its author ever saw it
    log = ok(forum.get("/moderation/log", "mallory"))["entries"]
    assert [(e["action"], e["post"], e["reason"], e["actor"]["person"]) for e in log] == [
        ("reject", pid, "Advertising <script>x</script>", "ada")]  # kept as text, shown as text
    refused(forum.send("POST", f"/posts/{pid}/reject", "ada", {"reason": "Again"}), 404, "post_not_found")
    assert ok(forum.ask("robert", "A real question", "How do joins work?"), 201)["post"]["state"] == "held"


def test_reject_refuses_what_is_not_held_and_hostile_input(forum: Forum) -> None:
    visible = ok(forum.ask("ada", "A steward's thread", "Never held"), 201)["post"]["id"]
    refused(forum.send("POST", f"/posts/{visible}/reject", "ada", {"reason": "No"}), 409, "post_not_held")
    held = ok(forum.ask("robert", "Held", "Waiting"), 201)["post"]["id"]
    refused(forum.send("POST", f"/posts/{held}/reject", "ada", {"reason": "   "}), 422, "invalid_reason", "reason")
    refused(forum.send("POST", f"/posts/{held}/reject", "ada", {"reason": "x" * 301}), 422, "invalid", "reason")
    refused(forum.send("POST", f"/posts/{held}/reject", "ada", {}), 422, "missing", "reason")
    refused(forum.send("POST", f"/posts/{held}/reject", "ada", {"reason": "ok", "by": "mallory"}), 422, "invalid",
            "by")
    refused(forum.send("POST", "/posts/0/reject", "ada", {"reason": "ok"}), 422, "invalid", "pid")
    refused(forum.send("POST", f"/posts/{2**53 + 1}/reject", "ada", {"reason": "ok"}), 422, "invalid", "pid")
    refused(forum.send("POST", "/posts/99999/reject", "ada", {"reason": "ok"}), 404, "post_not_found")
    refused(forum.send("POST", f"/posts/{held}/reject", None, {"reason": "ok"}), 401, "sign_in_required")
    assert [q["post"]["id"] for q in ok(forum.get("/moderation/queue", "ada"))] == [held]  # nothing changed


def test_the_queue_and_the_flags_link_each_post_on_the_site(forum: Forum) -> None:
    board = ok(forum.ask("robert", "Held on the board", "Hello"), 201)
    item = ok(forum.on_item("robert", "Held on the lesson"), 201)
    queued = {q["post"]["id"]: q["url"] for q in ok(forum.get("/moderation/queue", "ada"))}
    assert queued == {
        board["post"]["id"]: f"{SITE}topics/data/?thread={board['thread']['id']}#post-{board['post']['id']}",
        item["post"]["id"]: f"{SITE}learn/sql-joins/#post-{item['post']['id']}"}
    assert item["thread"]["item"] == SQL_JOINS
    shown = ok(forum.ask("alan", "Rude", "You are all wrong", community="security"), 201)
    ok(forum.send("POST", f"/posts/{shown['post']['id']}/flags", "robert", {"reason": "rude"}), 201)
    flags = ok(forum.get("/moderation/flags", "grace"))
    assert [f["url"] for f in flags] == [f"{SITE}topics/security/?thread={shown['thread']['id']}"
                                         f"#post-{shown['post']['id']}"]
    assert ok(forum.get("/moderation/flags", "ada")) == []  # not her community
    schemas = forum.api.get("/openapi.json").json()["components"]["schemas"]
    assert schemas["Queued"]["properties"]["url"]["description"]
    assert forum.api.get("/openapi.json").json()["paths"]["/api/v1/posts/{pid}/reject"]["post"]["summary"]
