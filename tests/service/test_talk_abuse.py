"""Bad input and abuse of conversations, over real HTTP: hostile bodies render safely (the HTML walked element
by element, the export's plain text without markup), limits on size, titles and JSON in the one error shape,
and per-reader rate limits that live in the database, so two instances of the service share them."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

from generator.service.api.app import create_app
from generator.service.talk.markup import MAX_CHARS

from .conftest import ReceiverClient, serving
from .forum import SQL_JOINS, Forum, Walk, new_key, ok, refused, running

pytestmark = pytest.mark.both_backends

HOSTILE = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "<svg onload=alert(1)>",
    "<iframe src=https://evil.example.net/></iframe>",
    "<style>body{display:none}</style>",
    "<a href=\"javascript:alert(1)\">click</a>",
    "[click](javascript:alert(1))",
    "[click](JaVaScRiPt:alert(1))",
    "[click](<javascript:alert(1)>)",
    "[click](java\nscript:alert(1))",
    "[click](&#106;avascript:alert(1))",
    "[click](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "[click](vbscript:msgbox(1))",
    "[click](/relative/path)",
    "[click](https://ok.example.org/\" onmouseover=\"alert(1))",
    "[click](https://ok.example.org/ \"title\" onmouseover=alert(1))",
    "*[a*](javascript:x)* and **[b](javascript:y)**",
    "![pixel](https://tracker.example.net/p.gif)",
    "<<script>script>alert(1)<</script>/script>",
    "&lt;script&gt;alert(1)&lt;/script&gt;",
    "```html\n<script>alert(1)</script>\n```",
    "`<img src=x onerror=alert(1)>`",
    "@ada<script>alert(1)</script> and @nobody",
    "[@ada](javascript:alert(1))",
    "<https://ok.example.org/?q=<script>>",
    "<mailto:someone@example.org?body=<script>>",
    "\u202eevil\u202c text \x00 with controls \x1b[31m",
    "- a\n  - b\n    - c\n      - d",
    "[x]: javascript:alert(1)\n\n[x]",
    "<!-- comment --><div onclick=alert(1)>div</div>",
]
ALLOWED = {"p", "br", "em", "strong", "code", "pre", "ul", "ol", "li", "a"}


def fold(text: str) -> str:
    return " ".join(text.split())


@pytest.fixture
def forum(place: Path | str, vapid_pem: Path, receiver: ReceiverClient) -> Iterator[Forum]:
    with running(place, vapid_pem, receiver, talk_rate_limit="1000/1h") as started:
        yield started


def test_every_hostile_body_renders_safely_and_its_plain_text_has_no_markup(forum: Forum) -> None:
    tid = ok(forum.ask("alan", "<script>alert('title')</script>", "Hostile bodies follow"), 201)["thread"]["id"]
    for body in HOSTILE:
        ok(forum.reply("robert", tid, body), 201)
        ok(forum.on_item("robert", body), 201)
    for discussion in (forum.thread(tid, "grace"), ok(forum.get("/threads", "grace", item=SQL_JOINS))):
        for post in discussion["posts"]:
            walk = Walk(post["html"])
            for tag, attrs in walk.elements:
                assert tag in ALLOWED, (tag, post["html"])
                assert set(attrs) <= ({"href", "rel", "class"} if tag == "a" else set()), (tag, attrs)
                if tag == "a":
                    assert attrs["rel"] == "ugc nofollow noopener" and attrs.get("class") in (None, "pr-mention")
                    assert (attrs["href"] or "").startswith(("https://", "http://", "mailto:")), attrs
    board = ok(forum.get("/threads", "grace", community="data"))
    assert board["threads"][0]["title"] == "<script>alert('title')</script>"  # text, for the page to escape

    exported = ok(forum.get("/me/export", "robert"))
    texts = {p["body"]: p["text"] for p in exported["posts"]}
    shown = {p["id"]: p["html"] for p in forum.thread(tid, "robert")["posts"]}
    for post in exported["posts"]:
        text = post["text"]
        # the plain text is what the HTML shows a reader, no more: the same words, no markup of its own
        if post["thread"] == tid and post["id"] in shown:
            assert fold(text) == fold("".join(Walk(shown[post["id"]]).text)), (post["body"], text)
        for markup in ("href=", "<p>", "<a ", "rel="):
            assert markup not in text or markup in post["body"], (post["body"], text)
        assert "\u202e" not in text and "\x00" not in text and "\x1b" not in text
    assert set(texts) >= {h.replace("\x00", "") for h in HOSTILE}  # NUL is dropped on the way in


def test_sizes_titles_and_json_are_refused_in_the_one_shape_and_change_nothing(forum: Forum) -> None:
    tid = ok(forum.ask("alan", "A fine title", "A fine body"), 201)["thread"]["id"]
    longest = ok(forum.reply("alan", tid, "é" * MAX_CHARS), 201)  # 10,000 characters fit (20 KB of UTF-8)
    assert len(longest["html"]) > MAX_CHARS
    before = forum.store.db.execute("SELECT count(*) FROM posts").fetchone()[0]
    cases = [
        (forum.reply("alan", tid, "x" * (MAX_CHARS + 1)), 422, "post_too_long", "body"),
        (forum.reply("alan", tid, "line\n" * 501), 422, "post_too_long", "body"),
        (forum.reply("alan", tid, "   \n\t "), 422, "post_empty", "body"),
        (forum.reply("alan", tid, " ".join(f"[{n}](https://e.example.org/{n})" for n in range(51))), 422,
         "too_many_links", "body"),
        (forum.ask("alan", "t" * 151, "Body"), 422, "invalid_title", "title"),
        (forum.ask("alan", "Two\nlines", "Body"), 422, "invalid_title", "title"),
        (forum.ask("alan", " \u202e ", "Body"), 422, "invalid_title", "title"),
        (forum.send("POST", "/threads", "alan", {"community": "data", "title": "No type", "body": "B",
                                                   "idempotency_key": new_key()}), 422, "missing", "type"),
        (forum.send("POST", "/threads", "alan", {"item": SQL_JOINS, "community": "data", "body": "B",
                                                   "idempotency_key": new_key()}), 422, "invalid", None),
        (forum.send("POST", "/threads", "alan", {"item": SQL_JOINS, "title": "Items have none", "body": "B",
                                                   "idempotency_key": new_key()}), 422, "invalid", None),
        (forum.send("POST", f"/threads/{tid}/posts", "alan", {"body": "B", "idempotency_key": "short"}), 422,
         "invalid", "idempotency_key"),
        (forum.send("POST", f"/threads/{tid}/posts", "alan", {"body": "B"}), 422, "missing", "idempotency_key"),
        (forum.send("POST", f"/threads/{tid}/posts", "alan", {"body": 42, "idempotency_key": new_key()}), 422,
         "invalid", "body"),
        (forum.send("POST", f"/threads/{tid}/posts", "alan", {"body": "B", "idempotency_key": new_key(),
                                                               "author": "sso|ada-1"}), 422, "invalid", "author"),
        (forum.send("POST", f"/threads/{tid}/posts", "alan", ["B"]), 422, "invalid", None),
        (forum.api.post(f"/threads/{tid}/posts", content=b'{"body": "B", "idem',
                        headers={**forum.who("alan"), "Content-Type": "application/json"}), 422, "invalid_json",
         "[14]"),
        (forum.api.post(f"/threads/{tid}/posts", content=b"[" * 100_000,
                        headers={**forum.who("alan"), "Content-Type": "application/json"}), 413,
         "payload_too_large", None),
        (forum.api.post(f"/threads/{tid}/posts", content=b"[" * 60_000 + b"]" * 60,  # deeper than Python parses
                        headers={**forum.who("alan"), "Content-Type": "application/json"}), 400, "bad_request",
         None),
        (forum.send("POST", f"/threads/{tid}/posts", "alan", {"body": "x" * 70_000, "idempotency_key": new_key()}),
         413, "payload_too_large", None),
        (forum.send("POST", f"/posts/{longest['id']}/flags", "grace", {"reason": "spam", "text": "t" * 501}), 422,
         "invalid", "text"),
        (forum.send("POST", f"/posts/{longest['id']}/hide", "ada", {"reason": ""}), 422, "invalid", "reason"),
        (forum.send("POST", f"/posts/{longest['id']}/hide", "ada", {"reason": " \n "}), 422, "invalid_reason",
         "reason"),
    ]
    for response, status, code, field in cases:
        refused(response, status, code, field)
    assert forum.store.db.execute("SELECT count(*) FROM posts").fetchone()[0] == before
    assert forum.store.db.execute("SELECT count(*) FROM threads").fetchone()[0] == 1
    assert forum.store.db.execute("SELECT count(*) FROM flags").fetchone()[0] == 0


@contextmanager
def second_instance(forum: Forum) -> Iterator[httpx.Client]:
    """Another app (its own process state) on the same database file, as a second instance would be."""
    from generator.service.store.backend import open_store

    store = open_store(forum.store.path)
    try:
        with serving(create_app(forum.settings, store)) as base, httpx.Client(base_url=f"{base}/api/v1") as api:
            yield api
    finally:
        store.close()


def test_rate_limits_are_per_reader_and_shared_by_instances(place: Path | str, vapid_pem: Path,
                                                            receiver: ReceiverClient) -> None:
    with running(place, vapid_pem, receiver, talk_rate_limit="3/1h", talk_flag_rate_limit="1/1d",
                 talk_thread_rate_limit="1/1h") as forum, second_instance(forum) as other:
        tid = ok(forum.ask("alan", "One thread an hour", "Body"), 201)["thread"]["id"]
        refused(forum.ask("alan", "A second one", "Body"), 429, "rate_limited")
        body = {"body": "Hello", "parent": None}
        for api in (forum.api, other, forum.api):  # three posts, through both instances
            ok(api.post(f"/threads/{tid}/posts", json=body | {"idempotency_key": new_key()},
                        headers=forum.who("grace")), 201)
        limited = other.post(f"/threads/{tid}/posts", json=body | {"idempotency_key": new_key()},
                             headers=forum.who("grace"))
        refused(limited, 429, "rate_limited")
        assert 3500 <= int(limited.headers["retry-after"]) <= 3600
        assert "3 per an hour" not in limited.json()["error"]["message"]
        key = new_key()  # a resend of a post made before the limit is not a new post: it is answered
        ok(forum.api.post(f"/threads/{tid}/posts", json=body | {"idempotency_key": key},
                          headers=forum.who("alan")), 201)
        ok(other.post(f"/threads/{tid}/posts", json=body | {"idempotency_key": key}, headers=forum.who("alan")))
        ok(forum.reply("robert", tid, "Another reader has their own count"), 201)
        post = forum.thread(tid, "alan")["posts"][0]["id"]
        ok(forum.send("POST", f"/posts/{post}/flags", "grace", {"reason": "spam"}), 201)
        ok(forum.send("POST", f"/posts/{post}/flags", "grace", {"reason": "spam"}))  # the same flag again
        second = next(p["id"] for p in forum.thread(tid, "alan")["posts"] if p["author"]["name"] == "Robert Example")
        refused(forum.send("POST", f"/posts/{second}/flags", "grace", {"reason": "spam"}), 429, "rate_limited")
        assert forum.store.db.execute("SELECT count(*) FROM posts WHERE author = 'sso|grace-2'").fetchone()[0] == 3
        assert forum.store.db.execute("SELECT count(*) FROM flags").fetchone()[0] == 1
        counts = dict(forum.store.db.execute("SELECT action || ':' || subject, count FROM limits").fetchall())
        assert counts["post:sso|grace-2"] == 3 and counts["thread:sso|alan-3"] == 1
