"""Introductions over real HTTP on a real SQLite file, signed in with JWTs: a reader without a profile introduces
themselves (text cleaned, photo re-encoded without metadata), people with a profile are refused, posts show the
face and motto, a community lists its new members, a steward's round invites each new member once (delivered once
to the local receiver), the export carries it and erasure leaves nothing of it in the file."""

from __future__ import annotations

import base64
import datetime as dt
import io
import struct
import time
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PIL import Image
from PIL.PngImagePlugin import PngInfo

from generator.service.models import Preferences, Subscription, iso, utcnow
from generator.service.privacy.retention import purge

from .conftest import ReceiverClient, run_send
from .forum import READERS, Forum, ok, refused, running
from .test_data_map import found_in_tables
from .test_mail import SECRET, Inbox, choose, inbox, run_mail  # noqa: F401 (inbox: test_mail's fixture)

pytestmark = pytest.mark.both_backends

MOTTO = "Learn something every day"


@pytest.fixture
def forum(place: Path | str, vapid_pem: Path, receiver: ReceiverClient) -> Iterator[Forum]:
    with running(place, vapid_pem, receiver, talk_rate_limit="50/1h") as started:
        yield started


def introduce(forum: Forum, as_: str | None, **body: Any) -> Any:
    fields = {"motto": MOTTO, "learning": "SQL window functions", "workplace": "Finance, Leeds",
              "communities": ["data"]} | body
    return forum.send("PUT", "/me/introduction", as_, fields)


def upload(forum: Forum, as_: str, data: bytes, content_type: str = "image/jpeg") -> Any:
    return forum.api.put("/me/introduction/photo", content=data,
                         headers=forum.who(as_) | {"Content-Type": content_type})


def jpeg_with_exif(size: tuple[int, int] = (640, 480)) -> bytes:
    image = Image.new("RGB", size, (200, 40, 40))
    exif = Image.Exif()
    exif[0x010F] = "SpyCam Maker"  # Make
    exif[0x0110] = "Model X-Secret"  # Model
    exif[0x0112] = 6  # orientation: rotated, so the output must come out upright (portrait)
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif.tobytes(), comment=b"secret jpeg comment")
    return out.getvalue()


def png_with_text() -> bytes:
    info = PngInfo()
    info.add_text("Author", "secret png author")
    image = Image.new("RGBA", (300, 200), (0, 120, 200, 255))
    out = io.BytesIO()
    image.save(out, "PNG", pnginfo=info)
    return out.getvalue()


def png_bomb(side: int = 100_000) -> bytes:
    """A PNG whose header claims side × side pixels, with a tiny compressed body (10 G pixels if decoded)."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    header = struct.pack(">IIBBBBB", side, side, 8, 0, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\0" * 100_000, 9))
            + chunk(b"IEND", b""))


def photo_of(forum: Forum, path: str) -> bytes:
    got = forum.api.get(path.removeprefix("/api/v1"))
    assert got.status_code == 200, got.text
    return got.content


def test_a_reader_without_a_profile_introduces_themselves_changes_and_deletes_it(forum: Forum) -> None:
    assert ok(forum.get("/me/introduction", "robert")) == {"can_introduce": True, "person": None,
                                                          "introduction": None}
    made = ok(introduce(forum, "robert"))["introduction"]
    assert (made["motto"], made["learning"], made["workplace"], made["communities"], made["photo"]) == (
        MOTTO, "SQL window functions", "Finance, Leeds", ["data"], None)
    changed = ok(introduce(forum, "robert", motto="Ask early", communities=["data", "security", "data"]))
    assert changed["introduction"]["motto"] == "Ask early"
    assert changed["introduction"]["communities"] == ["data", "security"]
    assert changed["introduction"]["created_at"] == made["created_at"]
    assert ok(forum.get("/me/introduction", "robert"))["introduction"] == changed["introduction"]
    assert forum.send("DELETE", "/me/introduction", "robert").status_code == 204
    assert ok(forum.get("/me/introduction", "robert"))["introduction"] is None
    assert forum.store.db.execute("SELECT count(*) FROM introductions").fetchone()[0] == 0


def test_people_with_a_profile_are_shown_by_it_and_refused_an_introduction(forum: Forum) -> None:
    assert ok(forum.get("/me/introduction", "alan")) == {"can_introduce": False, "person": "alan",
                                                        "introduction": None}
    refused(introduce(forum, "alan"), 409, "has_profile")
    refused(upload(forum, "alan", jpeg_with_exif()), 409, "has_profile")
    assert forum.store.db.execute("SELECT count(*) FROM introductions").fetchone()[0] == 0


def test_hostile_text_is_one_clean_line_kept_as_text(forum: Forum) -> None:
    script = '<script>alert(1)</script><img src=x onerror="alert(2)"> javascript:alert(3)'
    made = ok(introduce(forum, "robert", motto=script, learning="line one\nline two\r\n\u202eevil\u2066x\x00y",
                        workplace="\u200fTeam\tA"))["introduction"]
    assert made["motto"] == script  # stored and answered as text: the site inserts it only as textContent
    assert made["learning"] == "line one line two evil x y"
    assert made["workplace"] == "\u200fTeam A"
    refused(introduce(forum, "robert", motto="x" * 121), 422, "too_long", "motto")
    refused(introduce(forum, "robert", learning="x" * 201), 422, "too_long", "learning")
    refused(introduce(forum, "robert", communities=["data", "nope"]), 422, "unknown_community", "communities[1]")
    refused(introduce(forum, "robert", communities=["data"] * 21), 422, "invalid", "communities")
    refused(forum.send("PUT", "/me/introduction", "robert", {"motto": "x", "subject": "sso|ada-1"}), 422, "invalid",
            "subject")
    refused(introduce(forum, None), 401, "sign_in_required")
    forged = forum.api.put("/me/introduction", json={"motto": "forged"}, headers={
        next(iter(forum.who("robert"))): forum.who("robert")[next(iter(forum.who("robert")))][:-4] + "AAAA"})
    assert forged.status_code == 401, forged.text
    assert forum.store.introduction(READERS["robert"]["sub"]).motto == script  # type: ignore[union-attr]


def test_one_can_only_change_and_delete_ones_own(forum: Forum) -> None:
    ok(introduce(forum, "robert"))
    ok(introduce(forum, "mallory", motto="Mallory's"))
    assert forum.send("DELETE", "/me/introduction", "mallory").status_code == 204
    assert forum.send("DELETE", "/me/introduction/photo", "mallory").status_code == 204
    assert ok(forum.get("/me/introduction", "robert"))["introduction"]["motto"] == MOTTO


def test_introducing_is_rate_limited(place: Path | str, vapid_pem: Path, receiver: ReceiverClient) -> None:
    with running(place, vapid_pem, receiver, talk_rate_limit="3/1h") as forum:
        for _ in range(2):
            ok(introduce(forum, "robert"))
        refused(upload(forum, "robert", png_bomb(), "image/png"), 422, "photo_too_large", "photo")
        # The refused upload counted: hostile uploads meet the limit before they can cost decoding time.
        refused(upload(forum, "robert", jpeg_with_exif()), 429, "rate_limited")
        refused(introduce(forum, "robert"), 429, "rate_limited")


def test_a_photo_is_re_encoded_small_square_upright_and_without_metadata(forum: Forum) -> None:
    ok(introduce(forum, "robert"))
    for data, content_type in ((jpeg_with_exif(), "image/jpeg"), (png_with_text(), "image/png")):
        path = ok(upload(forum, "robert", data, content_type))["introduction"]["photo"]
        assert path.startswith("/api/v1/photos/")
        got = forum.api.get(path.removeprefix("/api/v1"))
        assert got.headers["content-type"] == "image/webp"
        assert got.headers["x-content-type-options"] == "nosniff"
        assert got.headers["etag"] and "no-store" not in got.headers["cache-control"]
        assert forum.api.get(path.removeprefix("/api/v1"), headers={"If-None-Match": got.headers["etag"]}
                             ).status_code == 304
        image = Image.open(io.BytesIO(got.content))
        assert (image.format, image.size) == ("WEBP", (256, 256))
        assert not {"exif", "xmp", "icc_profile", "comment"} & set(image.info)
        for secret in (b"SpyCam", b"X-Secret", b"secret jpeg comment", b"secret png author", b"Exif", b"EXIF"):
            assert secret not in got.content
        assert got.content != data
    # A new photo gets a new id; the old URL stops working, and so does a removed one.
    assert forum.api.get(path.removeprefix("/api/v1")).status_code == 200
    newer = ok(upload(forum, "robert", jpeg_with_exif((100, 300))))["introduction"]["photo"]
    assert newer != path and forum.api.get(path.removeprefix("/api/v1")).status_code == 404
    assert forum.send("DELETE", "/me/introduction/photo", "robert").status_code == 204
    assert forum.api.get(newer.removeprefix("/api/v1")).status_code == 404
    assert ok(forum.get("/me/introduction", "robert"))["introduction"]["photo"] is None


def test_disguised_oversized_and_bomb_photos_are_refused(forum: Forum) -> None:
    ok(introduce(forum, "robert"))
    svg = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
    html = b"<!doctype html><html><body onload=alert(1)>hi</body></html>"
    refused(upload(forum, "robert", svg, "image/svg+xml"), 415, "photo_unsupported", "content-type")
    refused(upload(forum, "robert", svg, "image/png"), 422, "photo_unsupported", "photo")
    refused(upload(forum, "robert", html, "image/jpeg"), 422, "photo_unsupported", "photo")
    gif = io.BytesIO()
    Image.new("RGB", (10, 10)).save(gif, "GIF")
    refused(upload(forum, "robert", gif.getvalue(), "image/webp"), 422, "photo_unsupported", "photo")
    refused(upload(forum, "robert", b"", "image/png"), 422, "photo_empty", "photo")
    refused(upload(forum, "robert", b"\xff\xd8" + b"0" * (2 * 1024 * 1024), "image/jpeg"), 413, "payload_too_large")
    started = time.monotonic()
    refused(upload(forum, "robert", png_bomb(), "image/png"), 422, "photo_too_large", "photo")
    assert time.monotonic() - started < 2
    assert ok(forum.get("/me/introduction", "robert"))["introduction"]["photo"] is None
    refused(upload(forum, "mallory", jpeg_with_exif()), 409, "introduce_first")
    refused(forum.api.get("/photos/not-a-real-photo-id-00"), 404, "not_found")
    assert forum.api.get("/photos/..%2F..%2Fetc%2Fpasswd").status_code in (404, 422)


def test_posts_show_an_introduced_authors_face_and_motto_and_site_people_by_profile(forum: Forum) -> None:
    ok(introduce(forum, "robert"))
    photo = ok(upload(forum, "robert", png_with_text(), "image/png"))["introduction"]["photo"]
    ok(forum.on_item("robert", "Hello from Robert"), 201)
    ok(forum.on_item("alan", "Hello from Alan"), 201)
    robert, alan = [p["author"] for p in ok(forum.get("/threads", "mallory", item="urn:practica:lesson:sql-joins"))[
        "posts"]]
    assert robert == {"name": "Robert Example", "person": None, "former": False, "photo": photo, "motto": MOTTO}
    assert alan == {"name": "Alan Turing", "person": "alan", "former": False, "photo": None, "motto": None}


def test_a_communitys_new_members(forum: Forum) -> None:
    ok(forum.on_item("alan", "Alan on a lesson in data"), 201)
    ok(forum.ask("mallory", "Mallory asks", "A question", community="data"), 201)
    ok(forum.ask("grace", "Grace elsewhere", "In security", community="security"), 201)
    ok(introduce(forum, "robert"))
    photo = ok(upload(forum, "robert", jpeg_with_exif()))["introduction"]["photo"]
    for name, days in (("alan", 3), ("mallory", 2)):  # within a second the order would be by subject
        forum.store.db.execute("UPDATE posts SET created_at = ? WHERE author = ?",
                               (iso(utcnow() - dt.timedelta(days=days)), READERS[name]["sub"]))
    members = ok(forum.get("/communities/data/new-members", "mallory"))
    assert [m["name"] for m in members["members"]] == ["Robert Example", "Mallory", "Alan Turing"]
    robert, mallory, alan = members["members"]
    assert (robert["photo"], robert["motto"], robert["learning"], robert["workplace"]) == (
        photo, MOTTO, "SQL window functions", "Finance, Leeds")
    assert (mallory["person"], mallory["photo"], mallory["motto"]) == (None, None, None)
    assert (alan["person"], alan["photo"]) == ("alan", None)
    assert (members["moderator"], members["round"]) == (False, None)
    assert ok(forum.get("/communities/data/new-members", "ada"))["moderator"] is True
    assert [m["name"] for m in ok(forum.get("/communities/security/new-members", "ada"))["members"]] == [
        "Grace Hopper"]
    assert ok(forum.get("/communities/ux/new-members", "ada"))["members"] == []
    refused(forum.get("/communities/nope/new-members", "ada"), 404, "unknown_community", "community")
    refused(forum.get("/communities/data/new-members", None), 401, "sign_in_required")
    # Joined more than 30 days ago: no longer new.
    forum.store.db.execute("UPDATE introductions SET created_at = '2020-01-01T00:00:00Z'")
    forum.store.db.execute("UPDATE posts SET created_at = '2020-01-01T00:00:00Z' WHERE author = ?",
                           (READERS["alan"]["sub"],))
    assert [m["name"] for m in ok(forum.get("/communities/data/new-members", "ada"))["members"]] == ["Mallory"]


def test_a_stewards_round_invites_each_new_member_once_and_is_delivered_once(forum: Forum,
                                                                             receiver: ReceiverClient) -> None:
    ok(forum.ask("mallory", "Mallory asks", "A question", community="data"), 201)
    ok(forum.on_item("alan", "Alan, who has a profile"), 201)
    ok(introduce(forum, "robert"))  # introduced already: not invited
    [sub] = receiver.subscribe(1)
    endpoint = str(sub["endpoint"])
    stored = Subscription(endpoint, sub["keys"]["p256dh"], sub["keys"]["auth"], Preferences())
    forum.store.save_subscription(stored)
    assert forum.store.set_owner(stored.id, READERS["mallory"]["sub"])

    refused(forum.send("POST", "/communities/data/introduction-round", "grace"), 403, "not_a_steward")
    refused(forum.send("POST", "/communities/data/introduction-round", "mallory"), 403, "not_a_steward")
    refused(forum.send("POST", "/communities/data/introduction-round", None), 401, "sign_in_required")
    first = ok(forum.send("POST", "/communities/data/introduction-round", "ada"))
    assert (first["opened"], first["invited"], first["thread"]["title"], first["thread"]["pinned"]) == (
        True, 1, "Introduce yourself", True)
    again = ok(forum.send("POST", "/communities/data/introduction-round", "ada"))
    assert (again["opened"], again["invited"], again["thread"]["id"]) == (False, 0, first["thread"]["id"])
    assert ok(forum.get("/communities/data/new-members", "ada"))["round"] == first["thread"]["id"]

    bells = {name: ok(forum.get("/me/activity", name))["activity"] for name in ("mallory", "alan", "robert")}
    [invitation] = bells["mallory"]
    assert (invitation["kind"], invitation["who"], invitation["title"]) == (
        "invitation", "Ada Lovelace", "Introduce yourself")
    assert bells["alan"] == [] and bells["robert"] == []

    run_send(forum.store, forum.settings, utcnow())
    run_send(forum.store, forum.settings, utcnow())
    [note] = receiver.device(endpoint)["received"]
    assert note["payload"]["title"] == "Ada Lovelace invites you to introduce yourself in “Introduce yourself”"
    assert note["payload"]["url"].endswith(invitation["url"].rsplit("#", 1)[1])
    actions = [e.action for e in forum.store.log_entries(10)]
    assert actions.count("invite") == 2 and "pin" in actions
    # Locking the round closes it: the next invitation opens a new one.
    ok(forum.send("POST", f"/threads/{first['thread']['id']}/lock", "ada"))
    third = ok(forum.send("POST", "/communities/data/introduction-round", "ada"))
    assert (third["opened"], third["invited"]) == (True, 1) and third["thread"]["id"] != first["thread"]["id"]


def test_the_export_carries_the_introduction_and_erasure_leaves_nothing(place: Path | str, vapid_pem: Path,
                                                                        receiver: ReceiverClient) -> None:
    with running(place, vapid_pem, receiver) as forum:
        ok(introduce(forum, "robert", motto="Robert's distinctive motto", learning="Robert learns Rust",
                     workplace="Robert's team at Plant 7"))
        path = ok(upload(forum, "robert", jpeg_with_exif()))["introduction"]["photo"]
        photo = photo_of(forum, path)
        exported = ok(forum.get("/me/export", "robert"))["introduction"]
        assert exported["motto"] == "Robert's distinctive motto"
        assert base64.b64decode(exported["photo"]["base64"]) == photo
        assert any("introduction with a photo" in s for s in ok(forum.get("/me", "robert"))["holds"])
        assert forum.send("DELETE", "/me", "robert").status_code == 204
        assert forum.api.get(path.removeprefix("/api/v1")).status_code == 404
        gone = ("Robert's distinctive motto", "Robert learns Rust", "Robert's team at Plant 7",
                READERS["robert"]["sub"], path.rsplit("/", 1)[1])
        assert found_in_tables(forum.store.path, *gone) == []
        db = forum.store.path
    if not isinstance(db, Path):  # PostgreSQL: the rows are gone (above); VACUUM reclaims their pages
        return
    raw = db.read_bytes()
    for needle in gone:
        assert needle.encode() not in raw, f"{needle!r} is still in the database file"
    assert photo[-64:] not in raw and photo[100:164] not in raw, "the photo's bytes are still in the file"


def test_an_invitation_is_mailed_at_once_to_who_chose_replies(place: Path | str, vapid_pem: Path,
                                                              receiver: ReceiverClient, inbox: Inbox) -> None:  # noqa: F811
    with running(place, vapid_pem, receiver, smtp_host="127.0.0.1", smtp_port=str(inbox.port),
                 smtp_from="Practica <learning@example.org>", smtp_starttls="false",
                 smtp_service_url="https://community.example.org", smtp_secret=SECRET) as forum:
        ok(forum.ask("mallory", "Mallory asks", "A question", community="data"), 201)
        choose(forum, "mallory", "replies")
        round_ = ok(forum.send("POST", "/communities/data/introduction-round", "ada"))
        assert run_mail(forum) == (1, 1)
        assert run_mail(forum) == (0, 0)
        [message] = inbox.messages
        assert message["To"] == "mallory@example.org"
        assert message["Subject"] == "Ada Lovelace invites you to introduce yourself in “Introduce yourself”"
        assert "introduce yourself" in message.get_content()
        assert round_["invited"] == 1


def test_retention_takes_the_introduction_with_a_person_not_seen(forum: Forum) -> None:
    ok(introduce(forum, "robert"))
    ok(upload(forum, "robert", jpeg_with_exif()))
    settings = forum.settings
    purge(forum.store, utcnow() + settings.retention.people + dt.timedelta(days=2), settings)
    assert forum.store.db.execute("SELECT count(*) FROM introductions").fetchone()[0] == 0


def test_upgrading_keeps_activity_and_the_outboxes_links(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Migration 7 rebuilds `activity` (a CHECK cannot change in SQLite): a store at version 6 with a reminder
    queued to a device and to mail keeps all three rows through every later migration, and the cascade still
    works afterwards."""
    import generator.service.store.sqlite as sqlite_module
    from generator.service.store.migrations import MIGRATIONS as full

    monkeypatch.setattr(sqlite_module, "MIGRATIONS", tuple(m for m in full if m[0] <= 6))
    monkeypatch.setattr(sqlite_module, "LATEST", 6)
    store = sqlite_module.SqliteStore(tmp_path / "old.sqlite3")
    try:
        store.migrate()
        db, t = store.db, "2026-03-02T12:00:00Z"
        db.execute("INSERT INTO people (subject, email, name, person, pseudonym, created_at, seen_on) "
                   "VALUES ('s', NULL, NULL, NULL, 'p', ?, '2026-03-02')", (t,))
        db.execute("INSERT INTO threads (kind, target, type, title, author, created_at, last_post_at) "
                   "VALUES ('board', 'data', 'question', 'q', 's', ?, ?)", (t, t))
        db.execute("INSERT INTO posts (thread_id, author, body, state, created_at) VALUES (1, 's', 'b', 'visible', ?)",
                   (t,))
        db.execute("INSERT INTO activity (subject, kind, grp, thread_id, post_id, created_at) "
                   "VALUES ('s', 'reply', 'post', 1, 1, ?)", (t,))
        db.execute("INSERT INTO subscriptions (id, endpoint, p256dh, auth, topics, people, types, frequency, timezone, "
                   "created_at, updated_at) VALUES ('d', 'https://push.example/1', 'k', 'a', '[]', '[]', '[]', "
                   "'immediate', 'UTC', ?, ?)", (t, t))
        db.execute("INSERT INTO outbox (subscription_id, slot, due_at, state, created_at, updated_at) "
                   "VALUES ('d', 'activity:1', ?, 'pending', ?, ?)", (t, t, t))
        db.execute("INSERT INTO outbox_activity VALUES ('d', 1, 1)")
        db.execute("INSERT INTO emails (subject, slot, due_at, state, created_at, updated_at) "
                   "VALUES ('s', 'activity:1', ?, 'pending', ?, ?)", (t, t, t))
        db.execute("INSERT INTO email_activity VALUES (1, 1)")
        monkeypatch.setattr(sqlite_module, "MIGRATIONS", full)
        monkeypatch.setattr(sqlite_module, "LATEST", full[-1][0])
        assert store.migrate() == list(range(7, full[-1][0] + 1))
        assert [tuple(r) for r in db.execute("SELECT id, kind, grp FROM activity")] == [(1, "reply", "post")]
        assert [tuple(r) for r in db.execute("SELECT * FROM outbox_activity")] == [("d", 1, 1)]
        assert [tuple(r) for r in db.execute("SELECT * FROM email_activity")] == [(1, 1)]
        assert db.execute("PRAGMA foreign_key_check").fetchall() == []
        store.add_activity([("s", "invitation")], 1, 1, utcnow())
        db.execute("DELETE FROM activity")
        assert db.execute("SELECT count(*) FROM outbox_activity").fetchone()[0] == 0  # the cascade still holds
    finally:
        store.close()
