"""Conversations over real HTTP on a real SQLite file, readers signed in with JWTs (ARCHITECTURE.md,
"Conversations"): an item's discussion and a community's board, replies one level deep, editing and deleting
your own, "this helped", accepted answers, idempotent resends, unknown items and communities, who may read."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from .conftest import ReceiverClient
from .forum import PHISHING, SQL_JOINS, Forum, new_key, ok, posts_of, refused, running

pytestmark = pytest.mark.both_backends


@pytest.fixture
def forum(place: Path | str, vapid_pem: Path, receiver: ReceiverClient) -> Iterator[Forum]:
    with running(place, vapid_pem, receiver, talk_thread_rate_limit="100/1h") as started:
        yield started


def test_an_item_discussion_post_reply_edit_delete(forum: Forum) -> None:
    empty = ok(forum.get("/threads", "alan", item=SQL_JOINS))
    assert empty == {"thread": None, "item": SQL_JOINS, "communities": ["data"], "moderator": False,
                     "can_post": True, "following": False, "posts": []}

    opened = ok(forum.on_item("grace", "Does a *LEFT JOIN* keep every row? cc @ada"), 201)
    tid, first = opened["thread"]["id"], opened["post"]["id"]
    assert opened["thread"] | {"created_at": None, "last_post_at": None} == {
        "id": tid, "kind": "item", "item": SQL_JOINS, "community": None, "type": None, "title": None, "author": None,
        "created_at": None, "last_post_at": None, "pinned": False, "locked": False, "accepted_post": None,
        "posts": 1, "routed_to": []}
    post = opened["post"]
    assert post["author"] == {"name": "Grace Hopper", "person": "grace", "former": False, "photo": None,
                              "motto": None}  # the site's name
    assert post["html"] == ('<p>Does a <em>LEFT JOIN</em> keep every row? cc <a href="https://learn.example.org/'
                            'people/ada/" class="pr-mention" rel="ugc nofollow noopener">@Ada Lovelace</a></p>\n')
    assert (post["state"], post["mine"], post["edited"], post["helpful"]) == ("visible", True, False, 0)

    assert (forum.thread(tid, "grace")["following"], forum.thread(tid, "alan")["following"]) == (True, False)
    again = ok(forum.on_item("alan", "A second post makes no second discussion"), 201)
    assert again["thread"]["id"] == tid
    reply = ok(forum.reply("robert", tid, "Yes: every row of the left table.", parent=first), 201)
    assert reply["parent"] == first
    assert reply["author"] == {"name": "Robert Example", "person": None, "former": False, "photo": None,
                               "motto": None}  # no profile: his sign-in
    refused(forum.reply("alan", tid, "A reply to a reply", parent=reply["id"]), 422, "reply_too_deep", "parent")
    refused(forum.reply("alan", tid, "Elsewhere", parent=999), 422, "unknown_parent", "parent")

    seen = ok(forum.get("/threads", "alan", item=SQL_JOINS))
    assert [(p["id"], [r["id"] for r in p["replies"]]) for p in seen["posts"]] == \
        [(first, [reply["id"]]), (again["post"]["id"], [])]
    assert [p["mine"] for p in posts_of(seen)] == [False, False, True]

    edited = ok(forum.send("PATCH", f"/posts/{first}", "grace", {"body": "Does a **LEFT JOIN** keep every row?"}))
    assert edited["edited"] and edited["html"] == "<p>Does a <strong>LEFT JOIN</strong> keep every row?</p>\n"
    assert [r["id"] for r in edited["replies"]] == [reply["id"]]
    refused(forum.send("PATCH", f"/posts/{first}", "alan", {"body": "mine now"}), 403, "not_your_post")
    refused(forum.send("DELETE", f"/posts/{first}", "alan"), 403, "not_your_post")

    assert forum.send("DELETE", f"/posts/{first}", "grace").status_code == 204  # it has a reply: its place stays
    kept = ok(forum.get(f"/threads/{tid}", "alan"))["posts"][0]
    assert (kept["state"], kept["html"], kept["author"]) == ("deleted", None, None)
    assert forum.store.post(first) is not None and forum.store.post(first).body is None  # type: ignore[union-attr]
    refused(forum.send("PATCH", f"/posts/{first}", "grace", {"body": "back"}), 409, "post_deleted")
    assert forum.send("DELETE", f"/posts/{reply['id']}", "robert").status_code == 204  # the last reply: both go
    assert forum.store.post(first) is None
    assert forum.send("DELETE", f"/posts/{again['post']['id']}", "alan").status_code == 204
    assert ok(forum.get("/threads", "alan", item=SQL_JOINS))["thread"] is None  # nothing left: no discussion
    assert forum.store.db.execute("SELECT count(*) FROM threads").fetchone()[0] == 0


def test_a_question_on_a_board_its_answers_marks_and_the_accepted_one(forum: Forum) -> None:
    asked = ok(forum.ask("grace", "Which join keeps unmatched rows?", "I lose customers without orders."), 201)
    tid, question = asked["thread"]["id"], asked["post"]["id"]
    assert (asked["thread"]["community"], asked["thread"]["type"], asked["thread"]["title"]) == \
        ("data", "question", "Which join keeps unmatched rows?")
    assert asked["thread"]["author"] == {"name": "Grace Hopper", "person": "grace", "former": False, "photo": None,
                                         "motto": None}
    first = ok(forum.reply("alan", tid, "An inner join with a filter."), 201)["id"]
    second = ok(forum.reply("robert", tid, "A LEFT JOIN."), 201)["id"]
    third = ok(forum.reply("mallory", tid, "Try a CROSS JOIN."), 201)["id"]

    for reader in ("alan", "grace"):
        marked = ok(forum.send("PUT", f"/posts/{second}/helpful", reader))
    assert marked == {"post": second, "helpful": 2, "helped_by_me": True}
    assert ok(forum.send("PUT", f"/posts/{second}/helpful", "grace"))["helpful"] == 2  # once per reader
    ok(forum.send("PUT", f"/posts/{third}/helpful", "alan"))
    refused(forum.send("PUT", f"/posts/{second}/helpful", "robert"), 409, "own_post")
    assert ok(forum.send("DELETE", f"/posts/{third}/helpful", "alan")) == {"post": third, "helpful": 0,
                                                                             "helped_by_me": False}
    ok(forum.send("PUT", f"/posts/{third}/helpful", "robert"))
    view = forum.thread(tid, "grace")
    assert [p["id"] for p in view["posts"]] == [question, second, third, first]  # the question, then most helpful
    assert [p["helped_by_me"] for p in view["posts"]] == [False, True, False, False]

    refused(forum.send("POST", f"/threads/{tid}/accept", "alan", {"post": first}), 403, "not_the_asker")
    refused(forum.send("POST", f"/threads/{tid}/accept", "grace", {"post": question}), 422, "not_an_answer", "post")
    accepted = ok(forum.send("POST", f"/threads/{tid}/accept", "grace", {"post": first}))  # the asker
    assert accepted["accepted_post"] == first
    view = forum.thread(tid, "alan")
    assert [p["id"] for p in view["posts"]] == [question, first, second, third]
    assert [p["accepted"] for p in view["posts"]] == [False, True, False, False]
    by_steward = ok(forum.send("POST", f"/threads/{tid}/accept", "ada", {"post": second}))  # a steward of data
    assert by_steward["accepted_post"] == second
    assert [(e.action, e.post_id) for e in forum.store.log_entries(10)] == [("accept", second)]
    ok(forum.send("POST", f"/threads/{tid}/accept", "grace", {"post": None}))
    assert forum.thread(tid, "alan")["thread"]["accepted_post"] is None

    item = ok(forum.on_item("alan", "A comment"), 201)["thread"]["id"]
    refused(forum.send("POST", f"/threads/{item}/accept", "ada", {"post": 1}), 409, "not_a_question")
    insight = ok(forum.ask("alan", "What I learnt", "Joins are sets.", type="insight"), 201)["thread"]["id"]
    refused(forum.send("POST", f"/threads/{insight}/accept", "alan", {"post": 1}), 409, "not_a_question")


def test_a_resend_with_the_same_key_is_the_same_post(forum: Forum) -> None:
    key = new_key()
    first = forum.on_item("alan", "Sent from a train", key=key)
    again = forum.on_item("alan", "Sent from a train", key=key)
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json() == first.json()
    asked = ok(forum.ask("alan", "A title", "A body", key="same-key-1"), 201)
    assert ok(forum.ask("alan", "A title", "A body", key="same-key-1"))["post"]["id"] == asked["post"]["id"]
    tid = asked["thread"]["id"]
    reply = ok(forum.reply("grace", tid, "Offline reply", key="reply-key-1"), 201)
    assert ok(forum.reply("grace", tid, "Offline reply", key="reply-key-1")) == reply
    refused(forum.reply("grace", first.json()["thread"]["id"], "Elsewhere", key="reply-key-1"), 409,
            "idempotency_key_reused", "idempotency_key")
    assert ok(forum.reply("alan", tid, "Alan's own key space", key="reply-key-1"), 201)["id"] != reply["id"]
    assert forum.store.db.execute("SELECT count(*) FROM posts").fetchone()[0] == 4
    assert forum.store.db.execute("SELECT count(*) FROM threads").fetchone()[0] == 2


def test_the_board_lists_pinned_first_then_by_last_activity_a_page_at_a_time(forum: Forum) -> None:
    ids = [ok(forum.ask("alan", f"Question {n}", "Body", type="question"), 201)["thread"]["id"] for n in range(5)]
    ok(forum.ask("alan", "About phishing", "Body", community="security"), 201)
    forum.store.db.execute("UPDATE threads SET last_post_at = '2026-01-0' || id || 'T00:00:00Z'")  # distinct times
    ok(forum.reply("grace", ids[0], "Fresh activity"), 201)  # now: the newest
    ok(forum.send("POST", f"/threads/{ids[2]}/pin", "ada"))
    board = ok(forum.get("/threads", "robert", community="data", limit=2))
    assert [t["id"] for t in board["threads"]] == [ids[2], ids[0]] and board["threads"][0]["pinned"]
    assert board["moderator"] is False and board["community"] == "data"
    rest = ok(forum.get("/threads", "robert", community="data", limit=2, cursor=board["next"]))
    last = ok(forum.get("/threads", "robert", community="data", limit=2, cursor=rest["next"]))
    assert [t["id"] for t in rest["threads"] + last["threads"]] == [ids[4], ids[3], ids[1]]
    assert last["next"] is None
    assert ok(forum.get("/threads", "ada", community="data"))["moderator"] is True
    refused(forum.get("/threads", "robert", community="data", cursor="'; DROP TABLE threads;--"), 422,
            "invalid_cursor", "cursor")


def test_unknown_items_and_communities_are_refused(forum: Forum) -> None:
    refused(forum.get("/threads", "alan", item="urn:practica:lesson:never-published"), 404, "unknown_item", "item")
    refused(forum.on_item("alan", "Hello", item_id="urn:practica:lesson:never-published"), 404, "unknown_item", "item")
    refused(forum.on_item("alan", "Hello", item_id="https://evil.example.org/"), 422, "invalid", "item")
    refused(forum.get("/threads", "alan", community="cooking"), 404, "unknown_community", "community")
    refused(forum.ask("alan", "Recipes?", "Body", community="cooking"), 404, "unknown_community", "community")
    refused(forum.get("/threads", "alan"), 422, "invalid")
    refused(forum.get("/threads", "alan", item=SQL_JOINS, community="data"), 422, "invalid")
    refused(forum.get("/threads/99", "alan"), 404, "thread_not_found")
    refused(forum.reply("alan", 99, "Hello"), 404, "thread_not_found")
    refused(forum.send("PATCH", "/posts/99", "alan", {"body": "x"}), 404, "post_not_found")
    refused(forum.get("/threads/not-a-number", "alan"), 422, "invalid", "tid")
    assert forum.store.db.execute("SELECT count(*) FROM threads").fetchone()[0] == 0


def test_an_item_s_discussion_is_moderated_by_the_stewards_of_its_communities(forum: Forum) -> None:
    tid = ok(forum.on_item("alan", "Is this phishing?", item_id=PHISHING), 201)["thread"]["id"]
    assert forum.thread(tid, "grace")["moderator"] is True  # steward of security
    assert forum.thread(tid, "ada")["moderator"] is False  # steward of data only
    assert forum.thread(tid, "grace")["communities"] == ["security"]


def test_reading_needs_a_sign_in_unless_discussions_are_public(tmp_path: Path, vapid_pem: Path,
                                                               receiver: ReceiverClient) -> None:
    with running(tmp_path, vapid_pem, receiver) as closed:
        tid = ok(closed.on_item("alan", "Members only"), 201)["thread"]["id"]
        refused(closed.get("/threads", None, item=SQL_JOINS), 401, "sign_in_required")
        refused(closed.get(f"/threads/{tid}", None), 401, "sign_in_required")
        refused(closed.get("/threads", None, community="data"), 401, "sign_in_required")
    with running(tmp_path, vapid_pem, receiver, db="public.sqlite3", public_discussions="true") as public:
        tid = ok(public.on_item("alan", "Everyone may read this"), 201)["thread"]["id"]
        seen = ok(public.get(f"/threads/{tid}", None))
        assert (seen["can_post"], seen["moderator"], seen["posts"][0]["mine"]) == (False, False, False)
        assert ok(public.get("/threads", None, item=SQL_JOINS))["thread"]["id"] == tid
        refused(public.on_item(None, "Anonymous"), 401, "sign_in_required")  # type: ignore[arg-type]
        refused(public.reply(None, tid, "Anonymous"), 401, "sign_in_required")  # type: ignore[arg-type]
        refused(public.send("PUT", f"/posts/{seen['posts'][0]['id']}/helpful", None), 401, "sign_in_required")
        assert public.store.db.execute("SELECT count(*) FROM posts").fetchone()[0] == 1


def test_a_forged_or_expired_identity_is_refused_and_changes_nothing(place: Path | str, vapid_pem: Path,
                                                                     receiver: ReceiverClient) -> None:
    from .test_identity import HEADER, Signer

    with running(place, vapid_pem, receiver) as forum:
        impostor = Signer("talk-key")  # the same key id, another key
        body = {"item": SQL_JOINS, "body": "I am Ada", "idempotency_key": new_key()}
        for token, code in ((impostor.token(sub="sso|ada-1", email="ada@example.org"), "sign_in_invalid"),
                            (forum.signer.token(sub="sso|ada-1", exp=1), "sign_in_expired"),
                            ("not-a-token", "sign_in_invalid")):
            response = forum.api.post("/threads", json=body, headers={HEADER: token})
            refused(response, 401, code, HEADER.lower())
        bare = forum.api.post("/threads", json=body, headers={"X-Forwarded-Email": "ada@example.org"})
        refused(bare, 401, "sign_in_required")
        for table in ("threads", "posts", "people"):
            assert forum.store.db.execute(f"SELECT count(*) FROM {table}").fetchone()[0] == 0, table


def test_the_routes_are_documented_with_their_errors(forum: Forum) -> None:
    spec = ok(forum.api.get("/openapi.json"))
    routes = {("get", "/threads"), ("get", "/threads/{tid}"), ("post", "/threads"), ("post", "/threads/{tid}/posts"),
              ("post", "/threads/{tid}/accept"), ("patch", "/posts/{pid}"), ("delete", "/posts/{pid}"),
              ("put", "/posts/{pid}/helpful"), ("delete", "/posts/{pid}/helpful"), ("post", "/posts/{pid}/flags"),
              ("post", "/posts/{pid}/hide"), ("post", "/posts/{pid}/unhide"), ("put", "/posts/{pid}/note"),
              ("delete", "/posts/{pid}/note"), ("post", "/posts/{pid}/approve"), ("post", "/threads/{tid}/pin"),
              ("post", "/threads/{tid}/unpin"), ("post", "/threads/{tid}/lock"), ("post", "/threads/{tid}/unlock"),
              ("get", "/moderation/queue"), ("get", "/moderation/flags"), ("post", "/flags/{fid}/resolve"),
              ("get", "/moderation/log")}
    for method, path in routes:
        operation: dict[str, Any] = spec["paths"][f"/api/v1{path}"][method]
        assert operation["summary"], (method, path)
        for status in ("401", "403", "404", "409", "422", "429", "503"):
            assert operation["responses"][status]["content"]["application/json"]["schema"] == \
                {"$ref": "#/components/schemas/ErrorBody"}, (method, path, status)
    schemas = spec["components"]["schemas"]
    assert {"Discussion", "Board", "PostView", "ThreadSummary", "Opened", "FlagView", "Log"} <= set(schemas)
