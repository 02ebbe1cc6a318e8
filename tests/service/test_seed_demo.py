"""`practica push seed-demo`: a few demo discussions through the talk functions, once; every seeded post is
shown by the API to a demo reader as the service renders it."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import httpx
import pytest

from generator.errors import ConfigError
from generator.service.api.app import create_app
from generator.service.commands import seed_demo
from generator.service.config import load_settings
from generator.service.store.backend import open_store

from .conftest import ReceiverClient, environment, serving
from .forum import talk_feed

pytestmark = pytest.mark.both_backends


def test_seeds_once_and_every_seeded_post_renders(tmp_path: Path, vapid_pem: Path, receiver: ReceiverClient) -> None:
    feed = tmp_path / "feed.json"
    feed.write_text(json.dumps(talk_feed()), encoding="utf-8")
    settings = load_settings(environment(tmp_path / "demo.sqlite3", vapid_pem, receiver.base, auth_mode="demo"),
                             env_file=None)
    assert seed_demo(settings, str(feed)) == 4
    assert seed_demo(settings, str(feed)) == 0  # a second run does nothing
    store = open_store(settings.db)
    try:
        tids = [row[0] for row in store.db.execute("SELECT id FROM threads ORDER BY id")]  # type: ignore[attr-defined]
        authors = {row[0] for row in store.db.execute("SELECT author FROM posts")}  # type: ignore[attr-defined]
        assert len(tids) == 4 and all(a.startswith("demo:") for a in authors) and len(authors) == 3
        # what readers did with the lesson: one commitment to try it, followed up in three days; two thanks
        [(lesson, thanked)] = store.thanks_counts().items()
        assert thanked == 2 and lesson.startswith("urn:practica:lesson:")
        [commitment] = [c for row in store.db.execute("SELECT DISTINCT subject FROM commitments")  # type: ignore[attr-defined]
                        for c in store.commitments_of(subject=row[0])]
        assert commitment.item == lesson and commitment.subject in authors and commitment.queued_at is None
        assert commitment.due_at > commitment.created_at + dt.timedelta(days=2)
        with serving(create_app(settings, store)) as base, httpx.Client(base_url=f"{base}/api/v1") as api:
            seen = [api.get(f"/threads/{tid}", headers={"X-Practica-Demo-Person": "alan"}).json() for tid in tids]
    finally:
        store.close()
    posts = [p for d in seen for top in d["posts"] for p in [top, *top["replies"]]]
    assert len(posts) == 9
    assert all(p["state"] == "visible" and p["html"].startswith("<p>") for p in posts)
    question = next(d for d in seen if d["thread"]["type"] == "question" and d["thread"]["accepted_post"])
    assert [p["accepted"] for p in question["posts"]] == [False, True]  # the lesson's author's answer
    assert sum(p["helpful"] for p in posts) == 1
    pinned = [d["thread"]["title"] for d in seen if d["thread"]["pinned"]]
    assert pinned == ["Practising on your own data is what makes it stick"]  # by the data community's steward
    notes = [p["note"] for p in posts if p["note"]]
    assert len(notes) == 1 and notes[0]["by"]["person"] == "ada" and "one-page format" in notes[0]["html"]


def test_refused_outside_the_demo_mode(tmp_path: Path, vapid_pem: Path, receiver: ReceiverClient) -> None:
    settings = load_settings(environment(tmp_path / "x.sqlite3", vapid_pem, receiver.base), env_file=None)
    with pytest.raises(ConfigError, match="PRACTICA_AUTH_MODE=demo"):
        seed_demo(settings, str(tmp_path / "feed.json"))


def test_the_demo_s_past_event_gets_a_short_discussion(tmp_path: Path, vapid_pem: Path,
                                                        receiver: ReceiverClient) -> None:
    data = talk_feed()
    day = "2026-11-12"
    data["_practica"]["events"] = [{
        "id": "sql-clinic-2026-11", "url": "https://learn.example.org/events/sql-clinic-2026-11/",
        "title": "SQL clinic", "summary": "Bring a query.", "topics": ["data"], "hosts": ["alan"],
        "timezone": "Europe/Berlin", "capacity": None, "sequence": 0,
        "occurrences": [{"id": f"sql-clinic-2026-11@{day}", "start": f"{day}T15:00:00Z", "end": f"{day}T16:00:00Z",
                         "status": "scheduled", "url": f"https://learn.example.org/events/sql-clinic-2026-11/#{day}"}]}]
    feed = tmp_path / "feed.json"
    feed.write_text(json.dumps(data), encoding="utf-8")
    settings = load_settings(environment(tmp_path / "demo.sqlite3", vapid_pem, receiver.base, auth_mode="demo"),
                             env_file=None)
    assert seed_demo(settings, str(feed)) == 5
    store = open_store(settings.db)
    try:
        thread = store.item_thread("urn:practica:event:sql-clinic-2026-11")
        assert thread is not None
        posts = store.thread_posts(thread.id)
    finally:
        store.close()
    assert [p.author for p in posts] == ["demo:grace", "demo:alan"]  # the host answers
    assert posts[1].parent_id == posts[0].id and "recording" in (posts[1].body or "")
