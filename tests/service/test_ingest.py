"""Ingest: new means never seen; the first ingest only records; each ingest is one batch, matched per subscriber."""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable, Iterator
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from generator.service.models import Preferences, Subscription
from generator.service.push.feed import FeedError, parse_feed, read_feed
from generator.service.store.sqlite import SqliteStore

from .conftest import T0, ReceiverClient, feed, item, run_ingest, write_feed

pytestmark = pytest.mark.both_backends


def follow(store: SqliteStore, receiver: ReceiverClient, **prefs: Any) -> str:
    sub = receiver.subscribe(1)[0]
    stored = Subscription(sub["endpoint"], sub["keys"]["p256dh"], sub["keys"]["auth"], Preferences(**prefs))
    store.save_subscription(stored)
    return stored.id


def queued(store: SqliteStore) -> dict[str, list[str]]:
    """Item ids per subscriber in the outbox."""
    out: dict[str, list[str]] = {}
    for row in store.db.execute("SELECT subscription_id, item_id FROM outbox_items"):
        out.setdefault(row[0], []).append(row[1].rsplit(":", 1)[1])
    return {sid: sorted(items) for sid, items in out.items()}


def test_the_first_ingest_only_records_what_exists(store: SqliteStore, receiver: ReceiverClient) -> None:
    follow(store, receiver)
    report = run_ingest(store, item("a"), item("b"), item("c"))
    assert (report.initial, report.new, report.queued) == (True, 3, 0)
    assert store.outbox_counts()["pending"] == 0
    again = run_ingest(store, item("a"), item("b"), item("c"))
    assert (again.batch, again.queued) == (None, 0)  # nothing new: no batch at all


def test_the_second_ingest_queues_exactly_what_each_subscriber_matches(store: SqliteStore,
                                                                      receiver: ReceiverClient) -> None:
    data = follow(store, receiver, topics=("data",))
    grace = follow(store, receiver, people=("grace",))
    videos = follow(store, receiver, types=("video",))
    data_faqs = follow(store, receiver, topics=("data",), types=("faq",))
    everything = follow(store, receiver)
    follow(store, receiver, topics=("ux",), people=("alan",))
    run_ingest(store, item("old"))
    report = run_ingest(store, item("old"), item("joins", topics=("data",), people=("ada",)),
                        item("threats", "video", ("security",), ("grace",)),
                        item("why-null", "faq", ("data",), ("grace",)))
    assert (report.new, report.queued, report.initial) == (3, 5, False)
    assert queued(store) == {data: ["joins", "why-null"], grace: ["threats", "why-null"], videos: ["threats"],
                             data_faqs: ["why-null"], everything: ["joins", "threats", "why-null"]}
    rows = store.db.execute("SELECT subscription_id, count(*) FROM outbox GROUP BY subscription_id").fetchall()
    assert {count for _, count in rows} == {1}  # one row per subscriber for the batch


def test_items_that_leave_and_return_are_not_new(store: SqliteStore, receiver: ReceiverClient) -> None:
    follow(store, receiver)
    run_ingest(store, item("a"), item("b"))
    run_ingest(store, item("a"))
    assert run_ingest(store, item("a"), item("b")).batch is None
    assert queued(store) == {}


def test_the_store_refuses_the_same_item_twice_to_one_subscriber(store: SqliteStore, receiver: ReceiverClient) -> None:
    sid = follow(store, receiver)
    run_ingest(store)
    run_ingest(store, item("a"))
    store.queue(sid, "at:2026-03-09T09:00:00Z", T0, ["urn:practica:lesson:a"], T0)
    assert store.db.execute("SELECT count(*) FROM outbox_items").fetchone()[0] == 1


def test_a_feed_that_breaks_the_contract_changes_nothing(store: SqliteStore, tmp_path: Path) -> None:
    broken = feed(item("a"))
    broken["items"][0]["_practica"]["type"] = "podcast"
    broken["items"][0]["url"] = "/relative/"
    broken["_practica"]["version"] = 2
    path = tmp_path / "feed.json"
    path.write_text(json.dumps(broken), encoding="utf-8")
    with pytest.raises(FeedError) as error:
        read_feed(str(path))
    message = str(error.value)
    for where in ("items[0]._practica.type", "items[0].url", "_practica.version"):
        assert where in message
    (tmp_path / "not.json").write_text("{", encoding="utf-8")
    with pytest.raises(FeedError, match="not JSON"):
        read_feed(str(tmp_path / "not.json"))
    with pytest.raises(FeedError, match="build the site first"):
        read_feed(str(tmp_path / "missing.json"))
    assert store.feed_state() is None and not store.has_batches()


@pytest.fixture
def site(tmp_path: Path) -> Iterator[str]:
    """The folder served over HTTP on 127.0.0.1, as a static host would."""
    handler: Callable[..., Any] = partial(_Quiet, directory=str(tmp_path))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    thread.join(10)


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


def test_the_feed_is_read_from_a_url(site: str, tmp_path: Path) -> None:
    write_feed(tmp_path / "feed.json", item("a"), item("b", "path"))
    assert [i.type for i in read_feed(f"{site}/feed.json").items] == ["lesson", "path"]
    with pytest.raises(FeedError, match="could not fetch"):
        read_feed(f"{site}/missing.json")


def test_ingest_command(cli: Callable[..., Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                        caplog: pytest.LogCaptureFixture) -> None:
    monkeypatch.chdir(tmp_path)
    caplog.set_level(logging.INFO)
    db = tmp_path / "push.sqlite3"
    write_feed(tmp_path / "feed.json", item("a"))
    assert cli("push", "ingest", "--feed", tmp_path / "feed.json", "--db", db).code == 0
    write_feed(tmp_path / "feed.json", item("a"), item("b"))
    assert cli("push", "ingest", "--feed", tmp_path / "feed.json", "--db", db).code == 0
    assert "first ingest: recorded 1 existing items" in caplog.text and "2 items, 1 new (batch 2)" in caplog.text
    missing = cli("push", "ingest", "--feed", tmp_path / "nope.json", "--db", db)
    assert missing.code == 1 and "build the site first" in missing.err and "Traceback" not in missing.err


def test_stewards_are_read_and_kept_and_a_feed_without_them_still_reads(store: SqliteStore) -> None:
    data = feed()
    data["_practica"]["topics"][0]["stewards"] = ["ada", "grace"]
    store.save_feed_state(parse_feed(data).state, T0)
    found = store.feed_state()
    assert found is not None and found.state.topics["data"].stewards == ("ada", "grace")
    assert found.state.topics["security"].stewards == ()  # this feed lists none for it
    # a state saved before topics carried stewards: [id, name, url]
    data = json.loads(store.db.execute("SELECT data FROM feed_state").fetchone()[0])
    data["topics"] = [["data", "Data", "https://learn.example.org/topics/data/"]]
    store.db.execute("UPDATE feed_state SET data = ?", (json.dumps(data),))
    old = store.feed_state()
    assert old is not None and old.state.topics["data"].stewards == () and old.state.topics["data"].name == "Data"
