"""Fixtures for the push service: a local push receiver, settings, a real store, the API on a real port.

The store is an SQLite file; tests in a module marked `both_backends` run twice, the second time on a fresh
database in the session's throwaway PostgreSQL cluster (tests/pgcluster.py)."""

from __future__ import annotations

import asyncio
import datetime as dt
import itertools
import json
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import psycopg
import pytest
import uvicorn
from fastapi import FastAPI

from generator.service.api.app import create_app
from generator.service.commands import server_config
from generator.service.config import ServiceSettings, env_name, load_settings
from generator.service.push.feed import parse_feed
from generator.service.push.ingest import IngestReport, ingest
from generator.service.push.schedule import Rules
from generator.service.push.sender import Report, Sender, deliver
from generator.service.push.vapid import write_keys
from generator.service.store.backend import open_store
from generator.service.store.sqlite import SqliteStore
from tests.pgcluster import Cluster

from .receiver import ThreadedReceiver

SITE = "https://learn.example.org/"
ORIGIN = "https://learn.example.org"
SUBJECT = "mailto:push-tests@example.org"
TOPICS = {"data": "Data & Analytics", "security": "Security", "ux": "User Experience"}
PEOPLE = {"ada": "Ada Lovelace", "grace": "Grace Hopper", "alan": "Alan Turing"}
T0 = dt.datetime(2026, 3, 2, 12, 0, tzinfo=dt.UTC)  # a Monday, noon UTC


class ReceiverClient:
    """Drives a receiver (in this process or another) over its /_control/ HTTP API."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.http = httpx.Client(base_url=base, timeout=60)

    def subscribe(self, count: int = 1) -> list[dict[str, Any]]:
        """New browser subscriptions with real keys: PushSubscription.toJSON() shapes."""
        return list(self.http.post("/_control/devices", json={"count": count}).json()["subscriptions"])

    def script(self, endpoint: str, *responses: dict[str, Any], always: dict[str, Any] | None = None) -> None:
        """Make the endpoint answer `responses` in turn, then `always` (None: accept with 201)."""
        self.http.post("/_control/script", json={"endpoint": endpoint, "responses": list(responses),
                                                 "always": always}).raise_for_status()

    def report(self) -> dict[str, Any]:
        return dict(self.http.get("/_control/report").json())

    def device(self, endpoint: str) -> dict[str, Any]:
        return dict(self.report()["devices"][endpoint])

    def count(self) -> dict[str, int]:
        return dict(self.http.get("/_control/count").json())

    def slow_down(self, seconds: float) -> None:
        """Make every push take `seconds` to answer (to observe concurrency; nothing asserts on time)."""
        self.http.post("/_control/delay", json={"seconds": seconds}).raise_for_status()


@pytest.fixture
def receiver() -> Iterator[ReceiverClient]:
    server = ThreadedReceiver()
    client = ReceiverClient(server.start())
    yield client
    client.http.close()
    server.stop()


@pytest.fixture
def remote_receiver() -> Iterator[ReceiverClient]:
    """The receiver in its own process, as a real push service would be."""
    process = subprocess.Popen([sys.executable, str(Path(__file__).with_name("receiver.py"))],
                               stdout=subprocess.PIPE, text=True)
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        assert line.startswith("RECEIVER "), line
        client = ReceiverClient(line.split()[1])
        yield client
        client.http.close()
    finally:
        process.kill()
        process.wait(10)


@pytest.fixture(scope="session")
def vapid_pem(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_keys(tmp_path_factory.mktemp("vapid"))[0]


def environment(db: Path | str, pem: Path, allow: str, **extra: str) -> dict[str, str]:
    """PRACTICA_* variables for a test service: receiver origins allowed, small limits. `extra` names settings
    without the prefix (`rate_limit`, `trusted_proxies`, `auth_mode`)."""
    env = {"PRACTICA_PUSH_DB": str(db), "PRACTICA_PUSH_VAPID_PRIVATE_KEY": str(pem),
           "PRACTICA_PUSH_VAPID_SUBJECT": SUBJECT, "PRACTICA_PUSH_ALLOW_HOSTS": allow,
           "PRACTICA_PUSH_SITE_ORIGIN": ORIGIN, "PRACTICA_PUSH_CONCURRENCY": "8", "PRACTICA_PUSH_MAX_ATTEMPTS": "3"}
    return env | {env_name(k.upper()): v for k, v in extra.items()}


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    chosen = any("backend" in str(m.args[0]) for m in metafunc.definition.iter_markers("parametrize"))
    if "backend" in metafunc.fixturenames and metafunc.definition.get_closest_marker("both_backends") and not chosen:
        metafunc.parametrize("backend", ["sqlite", "postgresql"], indirect=True)


@pytest.fixture(scope="session")
def pg_cluster() -> Iterator[Cluster]:
    """One PostgreSQL cluster for the whole run; each test gets its own database in it."""
    cluster = Cluster()
    try:
        yield cluster
    finally:
        cluster.stop()


_databases = itertools.count(1)
MIGRATED = "migrated"


@pytest.fixture(scope="session")
def pg_migrated(pg_cluster: Cluster) -> str:
    """The name of a database at the latest schema, which each test's database copies: a copy takes a few
    milliseconds, where running every migration again was most of a PostgreSQL test's setup. The migrations
    themselves still run here, and from scratch in test_migrate.py."""
    open_store(pg_cluster.create(MIGRATED)).close()
    return MIGRATED


@pytest.fixture
def backend(request: pytest.FixtureRequest) -> str:
    return str(getattr(request, "param", "sqlite"))


@pytest.fixture
def database(backend: str, tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[Path | str]:
    """Where this test's store lives: an SQLite file in its folder, or a new PostgreSQL database (migrated)."""
    if backend == "sqlite":
        yield tmp_path / "push.sqlite3"
        return
    cluster: Cluster = request.getfixturevalue("pg_cluster")
    template = request.getfixturevalue("pg_migrated")
    name = f"t{next(_databases)}"
    with psycopg.connect(cluster.url(), autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')  # both names are made here
    yield cluster.url(name)
    cluster.drop(name)


@pytest.fixture
def place(backend: str, tmp_path: Path, database: Path | str) -> Path | str:
    """Where a test's service keeps its data, for `forum.running`: its folder (SQLite files go in it), or its
    PostgreSQL database."""
    return tmp_path if backend == "sqlite" else database


@pytest.fixture
def settings(database: Path | str, receiver: ReceiverClient, vapid_pem: Path) -> ServiceSettings:
    return load_settings(environment(database, vapid_pem, receiver.base), env_file=None)


@pytest.fixture
def store(settings: ServiceSettings) -> Iterator[SqliteStore]:
    opened = open_store(settings.db)
    assert isinstance(opened, SqliteStore)  # PostgresStore shares its tables (and is one)
    yield opened
    opened.close()


def item(slug: str, kind: str = "lesson", topics: tuple[str, ...] = ("data",), people: tuple[str, ...] = ("ada",),
         title: str | None = None, summary: str = "A short summary.") -> dict[str, Any]:
    """One feed item as the site publishes it."""
    folder = {"lesson": "learn", "video": "videos", "faq": "faq", "path": "paths"}[kind]
    return {"id": f"urn:practica:{kind}:{slug}", "url": f"{SITE}{folder}/{slug}/",
            "title": title or slug.replace("-", " ").capitalize(), "summary": summary,
            "date_published": "2026-03-01T00:00:00Z", "tags": [TOPICS[t] for t in topics],
            "_practica": {"type": kind, "topics": list(topics), "people": list(people), "skills": []}}


def feed(*items: dict[str, Any]) -> dict[str, Any]:
    """The site's feed.json with these items."""
    return {"version": "https://jsonfeed.org/version/1.1", "title": "Acme Communities", "home_page_url": SITE,
            "feed_url": f"{SITE}feed.json", "icon": f"{SITE}assets/icons/icon-512.png",
            "_practica": {"version": 1, "site_url": SITE,
                          "topics": [{"id": k, "name": v, "url": f"{SITE}topics/{k}/"} for k, v in TOPICS.items()],
                          "people": [{"id": k, "name": v, "url": f"{SITE}people/{k}/"} for k, v in PEOPLE.items()]},
            "items": list(items)}


def write_feed(path: Path, *items: dict[str, Any]) -> Path:
    path.write_text(json.dumps(feed(*items)), encoding="utf-8")
    return path


def run_ingest(store: SqliteStore, *items: dict[str, Any], now: dt.datetime = T0,
               rules: Rules | None = None) -> IngestReport:
    return ingest(store, parse_feed(feed(*items)), now, rules or Rules())


def run_send(store: SqliteStore, settings: ServiceSettings, now: dt.datetime = T0) -> Report:
    """One delivery run with the scheduling clock at `now` (VAPID tokens still use the real clock)."""
    async def go() -> Report:
        async with Sender.from_settings(store, settings) as sender:
            return await deliver(store, sender, now)
    return asyncio.run(go())


def wait_for(check: Callable[[], Any], what: str, process: subprocess.Popen[str] | None = None,
             seconds: float = 60, passing: tuple[type[BaseException], ...] = (httpx.TransportError,)) -> Any:
    """Poll `check` until it returns something truthy, and return that; bounded (for a stuck machine, not an
    assertion about speed), failing early if `process`, a server under test, has ended. An exception in `passing`
    (a server or database not answering yet) counts as not yet."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process is not None:
            assert process.poll() is None, f"the server exited while waiting for {what}: {process.communicate()}"
        try:
            found = check()
        except passing:
            found = None
        if found:
            return found
        time.sleep(0.05)
    raise AssertionError(f"gave up waiting for {what}")


@contextmanager
def serving(app: FastAPI) -> Iterator[str]:
    """Run `app` on uvicorn on 127.0.0.1 (an ephemeral port) in a thread; yields its base URL."""
    server = uvicorn.Server(server_config(app, "127.0.0.1", 0, log_level="warning", lifespan="on"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    for _ in range(500):  # bounded: 10 s at most
        if server.started:
            break
        time.sleep(0.02)
    assert server.started, "uvicorn did not start"
    port = server.servers[0].sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(10)


@pytest.fixture
def app(settings: ServiceSettings, store: SqliteStore) -> FastAPI:
    return create_app(settings, store)


@pytest.fixture
def api(app: FastAPI) -> Iterator[httpx.Client]:
    """An HTTP client for the running API, base URL …/api/v1."""
    with serving(app) as base, httpx.Client(base_url=f"{base}/api/v1", timeout=30) as client:
        yield client


def subscription_body(sub: dict[str, Any], **preferences: Any) -> dict[str, Any]:
    """What the browser POSTs: its PushSubscription.toJSON() plus preferences."""
    return {**sub, "expirationTime": None, "preferences": preferences}


def proof(sub: dict[str, Any]) -> dict[str, str]:
    return {"Authorization": f"Bearer {sub['keys']['auth']}"}


@contextmanager
def api_with(db: Path, pem: Path, receiver: ReceiverClient, **extra: str) -> Iterator[tuple[httpx.Client, SqliteStore]]:
    """The API with extra settings (e.g. rate_limit="3/1h"): a client for …/api/v1 and the store behind it."""
    custom = load_settings(environment(db, pem, receiver.base, **extra), env_file=None)
    opened = open_store(custom.db)
    assert isinstance(opened, SqliteStore)
    try:
        with serving(create_app(custom, opened)) as base, httpx.Client(base_url=f"{base}/api/v1") as client:
            yield client, opened
    finally:
        opened.close()
