"""Ask an expert over real HTTP on a real SQLite file, signed in with JWTs: a question asked of a person, a skill
or an item becomes a board question routed to the person asked or the best few available experts (never the
asker), at most PRACTICA_TALK_ASK_CAP a UTC day each; the routed hear of it once, through the real sender, at
the local decrypting receiver."""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from generator.service.commands import seed_demo
from generator.service.config import load_settings
from generator.service.models import Preferences, Subscription, utcnow
from generator.service.push.feed import FeedError, parse_feed
from generator.service.push.ingest import ingest
from generator.service.push.schedule import Rules
from generator.service.store.backend import open_store
from generator.service.store.migrations import MIGRATIONS
from generator.service.store.sqlite import SqliteStore

from .conftest import SITE, T0, ReceiverClient, environment, feed, item, run_send
from .forum import READERS, Forum, Walk, new_key, ok, refused, running, talk_feed
from .test_identity import HEADER, Signer

pytestmark = pytest.mark.both_backends

POWER_QUERY = "power-query"
# Who is on the site beyond conftest's three, and what each is open to (alan and zoe take no questions).
EXPERTS = {"ada": ("data", ["questions"]), "grace": ("security", ["questions"]), "alan": ("data", []),
           "priya": ("data", ["questions", "mentoring"]), "lin": ("data", ["questions"]),
           "omar": ("data", ["questions"]), "zoe": ("ux", ["mentoring"])}
NAMES = {"priya": "Priya Raman", "lin": "Lin Chen", "omar": "Omar Haddad", "zoe": "Zoe Adams"}


def ask_feed() -> dict[str, Any]:
    """The talk feed with the "ask an expert" fields: availability, skills with ranked experts, items' experts."""
    data = talk_feed()
    people = data["_practica"]["people"]
    people += [{"id": pid, "name": name, "url": f"{SITE}people/{pid}/", "email": f"{pid}@example.org"}
               for pid, name in NAMES.items()]
    for person in people:
        topic, available = EXPERTS[person["id"]]
        person |= {"topics": [topic], "available_for": available}
    data["_practica"]["skills"] = [
        {"id": POWER_QUERY, "name": "Power Query", "url": f"{SITE}skills/power-query/", "topics": ["data"],
         "experts": ["ghost", "ada", "alan", "zoe", "priya", "lin", "omar"]},  # ghost: not (or no longer) on the site
        {"id": "phishing", "name": "Phishing", "url": f"{SITE}skills/phishing/", "topics": ["security", "data"],
         "experts": ["grace"]},
        {"id": "figma", "name": "Figma", "url": f"{SITE}skills/figma/", "topics": ["ux"], "experts": ["alan", "zoe"]},
    ]
    experts = {"urn:practica:lesson:sql-joins": ["priya", "ada"], "urn:practica:video:phishing": ["grace"]}
    for entry in data["items"]:
        entry["_practica"]["experts"] = experts[entry["id"]]
    return data


def sign_in(forum: Forum, name: str) -> None:
    """A token for one of the extra people (forum.READERS has conftest's)."""
    forum.tokens[name] = forum.signer.token(sub=f"sso|{name}", email=f"{name}@example.org", name=NAMES[name])


@pytest.fixture
def forum(place: Path | str, vapid_pem: Path, receiver: ReceiverClient) -> Iterator[Forum]:
    with running(place, vapid_pem, receiver, talk_thread_rate_limit="100/1h") as started:
        ingest(started.store, parse_feed(ask_feed()), T0, Rules())
        for name in NAMES:
            sign_in(started, name)
        yield started


def question(forum: Forum, as_: str | None, target: dict[str, str], title: str = "How do I unpivot a table?",
             key: str | None = None, **extra: Any) -> Any:
    return forum.send("POST", "/questions", as_, {"ask": target, "title": title, "body": "Columns to rows?",
                                                  "idempotency_key": key or new_key()} | extra)


def routed(response: Any) -> list[str]:
    return [p["person"] for p in ok(response, 201)["thread"]["routed_to"]]


def keeps(forum: Forum, name: str) -> None:
    ok(forum.send("PUT", "/me/preferences", name, {"lock_screen": "full"}))


def test_a_question_asked_of_a_person_goes_to_them_on_their_board(forum: Forum) -> None:
    keeps(forum, "ada")
    asked = ok(question(forum, "robert", {"person": "ada"}), 201)
    thread = asked["thread"]
    assert (thread["kind"], thread["type"], thread["community"], thread["title"]) == (
        "board", "question", "data", "How do I unpivot a table?")
    assert thread["routed_to"] == [{"name": "Ada Lovelace", "person": "ada", "former": False, "photo": None,
                                  "motto": None}]
    assert asked["community"] == {"id": "data", "name": "Data & Analytics", "url": f"{SITE}topics/data/"}
    board = ok(forum.get("/threads", "alan", community="data"))
    assert [(t["id"], [p["person"] for p in t["routed_to"]]) for t in board["threads"]] == [(thread["id"], ["ada"])]
    [activity] = ok(forum.get("/me/activity", "ada"))["activity"]
    assert (activity["kind"], activity["who"], activity["title"]) == ("question", "Robert Example",
                                                                      "How do I unpivot a table?")
    assert activity["url"] == f"{SITE}topics/data/?thread={thread['id']}#post-{asked['post']['id']}"
    assert ok(forum.get(f"/threads/{thread['id']}", "ada"))["following"] is True


def test_a_skill_goes_to_the_top_three_available_by_evidence_never_the_asker(forum: Forum) -> None:
    assert routed(question(forum, "robert", {"skill": POWER_QUERY})) == ["ada", "priya", "lin"]
    assert routed(question(forum, "priya", {"skill": POWER_QUERY})) == ["ada", "lin", "omar"]
    assert routed(question(forum, "robert", {"item": "urn:practica:lesson:sql-joins"})) == ["priya", "ada"]
    refused(question(forum, "ada", {"person": "ada"}), 422, "asking_yourself", "ask")


def test_only_people_available_for_questions_are_asked(forum: Forum) -> None:
    refused(question(forum, "robert", {"person": "alan"}), 422, "not_available", "ask.person")
    refused(question(forum, "robert", {"person": "zoe"}), 422, "not_available", "ask.person")  # mentoring only
    nobody = ok(question(forum, "robert", {"skill": "figma"}), 201)
    assert nobody["thread"]["routed_to"] == [] and nobody["community"]["id"] == "ux"  # still on the board
    assert ok(forum.get("/threads", "grace", community="ux"))["threads"][0]["id"] == nobody["thread"]["id"]


def test_the_daily_cap_skips_to_the_next_expert_and_resets_the_next_utc_day(
        place: Path | str, vapid_pem: Path, receiver: ReceiverClient) -> None:
    with running(place, vapid_pem, receiver, talk_thread_rate_limit="100/1h", talk_ask_cap="2") as forum:
        ingest(forum.store, parse_feed(ask_feed()), T0, Rules())
        assert routed(question(forum, "robert", {"skill": POWER_QUERY})) == ["ada", "priya", "lin"]
        assert routed(question(forum, "robert", {"person": "ada"})) == ["ada"]
        # Ada (2 today) and then Priya and Lin (2 each) give their places to the next in the ranking.
        assert routed(question(forum, "robert", {"skill": POWER_QUERY})) == ["priya", "lin", "omar"]
        assert routed(question(forum, "robert", {"skill": POWER_QUERY})) == ["omar"]
        assert routed(question(forum, "robert", {"skill": POWER_QUERY})) == []
        refused(question(forum, "robert", {"person": "ada"}), 409, "expert_at_cap", "ask.person")
        # Yesterday's routes do not count today.
        yesterday = (utcnow() - dt.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
        forum.store.db.execute("UPDATE routes SET routed_at = ?", (yesterday,))
        assert routed(question(forum, "robert", {"person": "ada"})) == ["ada"]
        assert routed(question(forum, "robert", {"skill": POWER_QUERY})) == ["ada", "priya", "lin"]


def test_unknown_targets_and_communities_are_refused(forum: Forum) -> None:
    refused(question(forum, "robert", {"person": "nobody"}), 404, "unknown_person", "ask.person")
    refused(question(forum, "robert", {"skill": "cobol"}), 404, "unknown_skill", "ask.skill")
    refused(question(forum, "robert", {"item": "urn:practica:lesson:nope"}), 404, "unknown_item", "ask.item")
    refused(question(forum, "robert", {"person": "ada"}, community="nowhere"), 404, "unknown_community",
            "community")
    refused(question(forum, "robert", {"person": "ada"}, community="security"), 422, "not_their_community",
            "community")
    other = ok(question(forum, "robert", {"skill": "phishing"}, community="data"), 201)  # one of its communities
    assert other["community"]["id"] == "data"


def test_hostile_bodies_titles_and_forged_identity(forum: Forum) -> None:
    sent = ok(question(forum, "robert", {"person": "ada"}, title="<script>alert(1)</script> onerror=x",
                       body="<img src=x onerror=alert(1)> [x](javascript:alert(1)) <script>alert(2)</script>"), 201)
    assert sent["thread"]["title"] == "<script>alert(1)</script> onerror=x"  # text: the site inserts it as text
    walked = Walk(sent["post"]["html"])
    assert [tag for tag, _ in walked.elements] == ["p"]  # no script, image or javascript: link: text only
    assert "<script>alert(2)</script>" in "".join(walked.text)
    refused(question(forum, "robert", {"person": "ada"}, title="x" * 151), 422, "invalid_title", "title")
    refused(question(forum, "robert", {"person": "ada"}, title="two\nlines"), 422, "invalid_title", "title")
    refused(question(forum, "robert", {"person": "ada"}, body="y" * 10_001), 422, "post_too_long", "body")
    refused(question(forum, "robert", {"person": "ada", "skill": POWER_QUERY}), 422, "invalid", "ask")
    refused(question(forum, "robert", {}), 422, "invalid", "ask")
    refused(question(forum, "robert", {"person": "../ada"}), 422, "invalid", "ask.person")
    refused(question(forum, "robert", {"person": "ada"}, author="sso|ada-1"), 422, "invalid", "author")
    refused(question(forum, None, {"person": "ada"}), 401, "sign_in_required")
    stranger = Signer("not-the-idp")  # a well-formed token signed by a key the identity provider never published
    forged = forum.api.post("/questions", headers={HEADER: stranger.token(**READERS["ada"])}, json={
        "ask": {"person": "grace"}, "title": "t", "body": "b", "idempotency_key": new_key()})
    assert forged.status_code == 401, forged.text
    assert forum.store.db.execute("SELECT count(*) FROM routes WHERE person = 'grace'").fetchone()[0] == 0
    huge = forum.api.post("/questions", headers=forum.who("robert"), content=b"{" + b" " * 70_000 + b"}")
    refused(huge, 413, "payload_too_large")


def test_questions_count_against_the_thread_rate_limit(place: Path | str, vapid_pem: Path,
                                                       receiver: ReceiverClient) -> None:
    with running(place, vapid_pem, receiver, talk_thread_rate_limit="2/1h") as forum:
        ingest(forum.store, parse_feed(ask_feed()), T0, Rules())
        for _ in range(2):
            ok(question(forum, "robert", {"skill": POWER_QUERY}), 201)
        refused(question(forum, "robert", {"skill": POWER_QUERY}), 429, "rate_limited")
        assert forum.store.db.execute("SELECT count(*) FROM routes").fetchone()[0] == 6  # the refused routed none


def test_a_resend_is_the_same_question_routed_once(forum: Forum) -> None:
    keeps(forum, "ada")
    key = new_key()
    first = ok(question(forum, "robert", {"skill": POWER_QUERY}, key=key), 201)
    again = question(forum, "robert", {"skill": POWER_QUERY}, key=key)
    assert again.status_code == 200 and again.json()["thread"] == first["thread"]
    assert forum.store.db.execute("SELECT count(*) FROM routes").fetchone()[0] == 3
    assert len(ok(forum.get("/me/activity", "ada"))["activity"]) == 1
    # A key that made an item's post cannot be reused for a question.
    used = new_key()
    ok(forum.on_item("robert", "A post.", key=used), 201)
    refused(question(forum, "robert", {"person": "ada"}, key=used), 409, "idempotency_key_reused", "idempotency_key")


def devices(forum: Forum, receiver: ReceiverClient, name: str) -> str:
    keeps(forum, name)
    [sub] = receiver.subscribe(1)
    stored = Subscription(sub["endpoint"], sub["keys"]["p256dh"], sub["keys"]["auth"], Preferences())
    forum.store.save_subscription(stored)
    assert forum.store.set_owner(stored.id, READERS[name]["sub"] if name in READERS else f"sso|{name}")
    return str(sub["endpoint"])


def test_each_routed_expert_is_pushed_once_and_hears_of_the_answers(forum: Forum, receiver: ReceiverClient) -> None:
    adas, priyas, lins = (devices(forum, receiver, name) for name in ("ada", "priya", "lin"))
    asked = ok(question(forum, "robert", {"skill": POWER_QUERY}, title="Unpivot <b>columns</b>?"), 201)
    assert run_send(forum.store, forum.settings, utcnow()).sent == 3
    assert run_send(forum.store, forum.settings, utcnow()).sent == 0  # exactly once
    for endpoint in (adas, priyas, lins):
        [got] = receiver.device(endpoint)["received"]
        assert got["payload"]["title"] == "Robert Example asked you: “Unpivot <b>columns</b>?”"
        assert got["payload"]["url"].endswith(f"#post-{asked['post']['id']}")
    # Ada answers: the asker is replied to, the other routed experts follow the thread; Lin unfollowed it.
    ok(forum.send("DELETE", f"/threads/{asked['thread']['id']}/follow", "lin"))
    ok(forum.reply("ada", asked["thread"]["id"], "Use Unpivot Columns."), 201)
    assert [a["kind"] for a in ok(forum.get("/me/activity", "priya"))["activity"]] == ["thread_post", "question"]
    assert [a["kind"] for a in ok(forum.get("/me/activity", "lin"))["activity"]] == ["question"]
    assert run_send(forum.store, forum.settings, utcnow()).sent == 1  # Priya's device (Robert has none)


def test_the_routed_person_finds_their_questions_in_their_export_and_erasure_forgets_them(forum: Forum) -> None:
    keeps(forum, "ada")
    asked = ok(question(forum, "robert", {"person": "ada"}), 201)
    export = ok(forum.get("/me/export", "ada"))
    [route] = export["questions_routed"]
    assert (route["thread"], route["asked"]) == (asked["thread"]["id"], True)
    assert "1 question routed to you" in ok(forum.get("/me", "ada"))["holds"]
    assert forum.send("DELETE", "/me", "ada").status_code == 204
    assert forum.store.db.execute("SELECT count(*) FROM routes WHERE person = 'ada'").fetchone()[0] == 0
    assert ok(forum.get(f"/threads/{asked['thread']['id']}", "robert"))["thread"]["routed_to"] == []


def test_the_feed_contract_refuses_oversized_expert_lists() -> None:
    data = ask_feed()
    data["_practica"]["skills"][0]["experts"] = [f"p{n}" for n in range(101)]
    with pytest.raises(FeedError, match=r"skills\[0\]\.experts"):
        parse_feed(data)
    data = ask_feed()
    data["items"][0]["_practica"]["experts"] = ["ada"] * 101
    with pytest.raises(FeedError, match="experts"):
        parse_feed(data)


def test_the_feed_contract_carries_the_new_fields_and_an_older_feed_still_parses() -> None:
    state = parse_feed(ask_feed()).state
    assert state.people["priya"].available_for == ("questions", "mentoring")
    assert state.people["priya"].topics == ("data",)
    skill = state.skills[POWER_QUERY]
    assert (skill.name, skill.topics, skill.experts[:2]) == ("Power Query", ("data",), ("ghost", "ada"))
    items = {i.id: i for i in parse_feed(ask_feed()).items}
    assert items["urn:practica:lesson:sql-joins"].experts == ("priya", "ada")
    old = parse_feed(feed(item("sql-joins")))
    assert old.state.skills == {} and old.state.people["ada"].available_for == ()
    assert old.items[0].experts == ()


def test_migration_7_keeps_every_activity_and_its_outbox_and_mail_links(tmp_path: Path) -> None:
    """The activity table is rebuilt (a CHECK cannot change in SQLite): its rows and the rows linking to it stay."""
    path = tmp_path / "old.sqlite3"
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("PRAGMA foreign_keys=ON")
    db.execute("CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, "
               "applied_at TEXT NOT NULL)")
    for version, name, statements in MIGRATIONS:
        if version < 7:
            for statement in statements:
                db.execute(statement)
            db.execute("INSERT INTO schema_migrations VALUES (?, ?, '2026-03-01T00:00:00Z')", (version, name))
    at = "2026-03-01T00:00:00Z"
    db.executescript(f"""
        INSERT INTO people (subject, email, name, person, pseudonym, created_at, seen_on)
            VALUES ('sso|a', 'a@example.org', 'A', NULL, 'p1', '{at}', '2026-03-01');
        INSERT INTO subscriptions (id, endpoint, p256dh, auth, topics, people, types, frequency, timezone,
            created_at, updated_at, owner) VALUES ('s1', 'https://x/1', 'k', 'a', '[]', '[]', '[]', 'immediate',
            'UTC', '{at}', '{at}', 'sso|a');
        INSERT INTO threads (id, kind, target, type, title, author, created_at, last_post_at)
            VALUES (1, 'board', 'data', 'question', 'Q', 'sso|a', '{at}', '{at}');
        INSERT INTO posts (id, thread_id, author, body, state, created_at) VALUES (1, 1, 'sso|a', 'b', 'visible',
            '{at}');
        INSERT INTO activity (id, subject, kind, grp, thread_id, post_id, created_at, mailed_at)
            VALUES (7, 'sso|a', 'mention', 'post', 1, 1, '{at}', '{at}');
        INSERT INTO outbox (id, subscription_id, slot, due_at, state, created_at, updated_at)
            VALUES (3, 's1', 'activity:7', '{at}', 'pending', '{at}', '{at}');
        INSERT INTO outbox_activity VALUES ('s1', 7, 3);
        INSERT INTO emails (id, subject, slot, due_at, state, created_at, updated_at)
            VALUES (5, 'sso|a', 'activity:7', '{at}', 'pending', '{at}', '{at}');
        INSERT INTO email_activity VALUES (5, 7);
    """)
    db.close()
    store = open_store(path)
    assert isinstance(store, SqliteStore)
    try:
        assert store.db.execute("SELECT max(version) FROM schema_migrations").fetchone()[0] >= 7
        assert tuple(store.db.execute("SELECT id, kind, mailed_at FROM activity").fetchone()) == (7, "mention", at)
        assert tuple(store.db.execute("SELECT * FROM outbox_activity").fetchone()) == ("s1", 7, 3)
        assert tuple(store.db.execute("SELECT * FROM email_activity").fetchone()) == (5, 7)
        assert store.db.execute("PRAGMA foreign_key_check").fetchall() == []
        store.db.execute("DELETE FROM activity")  # the links still cascade from the rebuilt table
        assert store.db.execute("SELECT count(*) FROM outbox_activity").fetchone()[0] == 0
        assert store.db.execute("SELECT count(*) FROM email_activity").fetchone()[0] == 0
    finally:
        store.close()


def test_seed_demo_adds_a_question_routed_to_an_expert(tmp_path: Path, vapid_pem: Path,
                                                       receiver: ReceiverClient) -> None:
    source = tmp_path / "feed.json"
    source.write_text(json.dumps(ask_feed()), encoding="utf-8")
    settings = load_settings(environment(tmp_path / "demo.sqlite3", vapid_pem, receiver.base, auth_mode="demo"),
                             env_file=None)
    assert seed_demo(settings, str(source)) == 5
    assert seed_demo(settings, str(source)) == 0
    store = open_store(settings.db)
    assert isinstance(store, SqliteStore)
    try:
        [(tid, person, asked)] = store.db.execute("SELECT thread_id, person, asked FROM routes").fetchall()
        assert (person, asked) == ("ada", 1)
        [(kind,)] = store.db.execute("SELECT kind FROM activity WHERE subject = 'demo:ada' AND thread_id = ?",
                                     (tid,)).fetchall()
        assert kind == "question"
    finally:
        store.close()


def test_a_held_question_reaches_its_expert_when_a_steward_approves_it(place: Path | str, vapid_pem: Path,
                                                                       receiver: ReceiverClient) -> None:
    with running(place, vapid_pem, receiver, premoderate="data") as forum:
        ingest(forum.store, parse_feed(ask_feed()), T0, Rules())
        sign_in(forum, "priya")
        keeps(forum, "priya")
        asked = ok(question(forum, "robert", {"person": "priya"}), 201)
        assert asked["post"]["state"] == "held"
        assert ok(forum.get("/me/activity", "priya"))["activity"] == []  # nothing until it is shown
        ok(forum.send("POST", f"/posts/{asked['post']['id']}/approve", "ada"))  # Ada stewards `data`
        assert [a["kind"] for a in ok(forum.get("/me/activity", "priya"))["activity"]] == ["question"]


def test_routes_go_with_their_thread_when_retention_purges_it(forum: Forum) -> None:
    ok(question(forum, "robert", {"skill": POWER_QUERY}), 201)
    assert forum.store.prune_threads(utcnow() + dt.timedelta(days=1)) == 1
    assert forum.store.db.execute("SELECT count(*) FROM routes").fetchone()[0] == 0
