"""Browser fixtures: Debian's Chromium driven by Playwright, the built site on a local static server, and the
service stack (the mini site and the real community service) that the conversation, identity, learning and push
modules share: started once per run of this package and reset before each test."""

from __future__ import annotations

import re
import shutil
import socket
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from fastapi import FastAPI
from playwright.sync_api import Browser, BrowserContext, Page, Playwright, sync_playwright

from generator.cli import main
from generator.commands.serve import site_server
from generator.service.api.app import create_app
from generator.service.api.guards import RateLimiter
from generator.service.config import load_settings as load_service_settings
from generator.service.models import utcnow
from generator.service.push.ingest import ingest_source
from generator.service.push.schedule import Rules
from generator.service.push.vapid import write_keys
from generator.service.store.backend import open_store
from generator.service.store.sqlite import SqliteStore
from generator.settings import load_settings
from tests.conftest import MINI, write_config
from tests.service.conftest import ReceiverClient, environment, serving
from tests.service.receiver import ThreadedReceiver

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]


def own_service() -> str:
    """The origin of the community service the project's mkdocs.yml names (push_url), with a slash: the site's own,
    not another site. Every page asks it who the reader is; the tests' sites point at it, and nothing answers."""
    from tests.conftest import ROOT

    url = load_settings(ROOT / "mkdocs.yml").practica.push_url
    assert url, "the project's mkdocs.yml names the demo's service"
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}/"


class StaticServer:
    """`practica serve`'s static server, on a free port, in a thread."""

    def __init__(self, root: Path, mount: str = "/") -> None:
        self.httpd = site_server(root, "127.0.0.1", 0, mount)
        self.mount = mount
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    @property
    def origin(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}"

    @property
    def url(self) -> str:
        return self.origin + self.mount

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


# Package scope, not session: Playwright's sync API keeps an asyncio loop running in the main thread while it is
# started, so tests that call asyncio.run() (the push tests) fail if it outlives the browser modules.
@pytest.fixture(scope="package")
def playwright() -> Iterator[Playwright]:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: `make test` installs Debian's chromium package")
    with sync_playwright() as p:
        yield p


@pytest.fixture(scope="package")
def browser(playwright: Playwright) -> Iterator[Browser]:
    browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    yield browser
    browser.close()


@pytest.fixture(scope="session")
def mini_server(mini_site: Path) -> Iterator[StaticServer]:
    server = StaticServer(mini_site)
    yield server
    server.stop()


@pytest.fixture(scope="session")
def demo_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo community in content/, built once per session with the project's own mkdocs.yml."""
    from generator.cli import main
    from tests.conftest import ROOT

    site = tmp_path_factory.mktemp("demo-site") / "site"
    assert main(["build", "--config-file", str(ROOT / "mkdocs.yml"), "--site-dir", str(site)]) == 0
    return site


@pytest.fixture(scope="session")
def demo_server(demo_site: Path) -> Iterator[StaticServer]:
    server = StaticServer(demo_site)
    yield server
    server.stop()


@pytest.fixture
def phone(browser: Browser) -> Iterator[Page]:
    """A fresh page the size of a small phone, failing the test on any JavaScript error."""
    context = browser.new_context(viewport={"width": 360, "height": 740}, device_scale_factor=2, is_mobile=True,
                                  has_touch=True)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    yield page
    context.close()
    assert errors == [], f"JavaScript errors: {errors}"


def reader_context(browser: Browser, **options: Any) -> BrowserContext:
    """A reader's browser: a small phone's viewport in Berlin's time zone (the conversation and push tests)."""
    return browser.new_context(viewport={"width": 360, "height": 740}, timezone_id="Europe/Berlin", **options)


@contextmanager
def checked_page(context: BrowserContext, dialogs: bool = False) -> Iterator[Page]:
    """A new page that fails the test on any JavaScript error, and with `dialogs` on any alert or confirm it
    opens (Playwright dismisses them silently). What the caller does inside runs before the check."""
    page = context.new_page()
    errors: list[str] = []
    opened: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    if dialogs:
        page.on("dialog", lambda dialog: opened.append(dialog.message))
    yield page
    assert errors == [], f"JavaScript errors: {errors}"
    assert opened == [], f"dialogs opened: {opened}"


def landed(path: str) -> re.Pattern[str]:
    """A page's URL after instant navigation, with or without a fragment: Material's navigation.tracking writes
    the heading in view into the URL, and on a busy machine the page navigated from can still write its own
    (`#new`) into the new URL before it is swapped out."""
    return re.compile(rf".*/{re.escape(path)}(#[^/]*)?$")


def controlled(page: Page, url: str) -> None:
    """Open `url` and wait until the service worker controls the page."""
    page.goto(url)
    page.wait_for_function("() => navigator.serviceWorker.controller !== null", timeout=15_000)


@dataclass
class Stack:
    """The mini community built with push_url set, served; the community service with the site's feed ingested."""

    server: StaticServer
    receiver: ReceiverClient
    store: SqliteStore
    api: str
    app: FastAPI
    started: sqlite3.Connection  # a copy of the store as it was once the feed was ingested

    def url(self, path: str = "") -> str:
        return self.server.url + path

    def votes(self, page: str) -> list[Any]:
        return [v for v in self.store.votes() if v.page == page]

    def reset(self) -> None:
        """Back to the service as it started: the store as it was once the feed was ingested (whatever a test
        wrote is gone) and rate limits with nothing counted, so tests sharing the stack do not see each other."""
        self.started.backup(self.store.db)
        ctx = self.app.state.ctx
        for name, counted in list(vars(ctx).items()):
            if isinstance(counted, RateLimiter):
                setattr(ctx, name, RateLimiter(counted.limit, counted.window))


def build(folder: Path, server: StaticServer, push_url: str | None) -> None:
    """Build the mini community (copied into `folder` once) for `server`, its pages asking the community service
    at `push_url` (None: a site without one)."""
    if not (folder / "content").exists():
        shutil.copytree(MINI, folder / "content")
    config = write_config(folder, docs_dir="content", site_url=server.url, practica={"push_url": push_url})
    assert main(["build", "--config-file", str(config), "--site-dir", str(folder / "site")]) == 0


def copy_of(store: SqliteStore) -> sqlite3.Connection:
    """The store's content, copied into memory (`Stack.reset` copies it back)."""
    copy = sqlite3.connect(":memory:")
    store.db.backup(copy)
    return copy


@contextmanager
def running(folder: Path, **extra: str) -> Iterator[Stack]:
    """Build the mini site into `folder` with push_url set to a service started with `extra` settings, serve both,
    and ingest the site's feed (its topics, people and items come from it)."""
    server = StaticServer(folder / "site")
    threaded = ThreadedReceiver()
    receiver = ReceiverClient(threaded.start())
    pem = write_keys(folder / "keys")[0]
    settings = load_service_settings(environment(folder / "service.sqlite3", pem, receiver.base,
                                                 site_origin=server.origin, **extra), env_file=None)
    store = open_store(settings.db)
    assert isinstance(store, SqliteStore)
    app = create_app(settings, store)
    try:
        with serving(app) as base:
            build(folder, server, f"{base}/api/v1")
            ingest_source(store, str(folder / "site" / "feed.json"), utcnow(), Rules())
            with closing(copy_of(store)) as started:
                yield Stack(server, receiver, store, f"{base}/api/v1", app, started)
    finally:
        store.close()
        receiver.http.close()
        threaded.stop()
        server.stop()


@pytest.fixture(scope="package")
def demo_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    """The service in its demo mode (readers pick a demo person, as on me/), started once for every module that
    needs nothing else of it; the `stack` fixture resets it before each test."""
    with running(tmp_path_factory.mktemp("demo-stack"), auth_mode="demo") as started:
        yield started


@pytest.fixture(scope="package")
def push_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    """The service without sign-in (notifications need none), started once for the push modules."""
    with running(tmp_path_factory.mktemp("push-stack")) as started:
        yield started


@pytest.fixture
def stack(demo_stack: Stack) -> Stack:
    """The demo stack as it started (a module needing another service overrides this fixture)."""
    demo_stack.reset()
    return demo_stack


@pytest.fixture
def context(browser: Browser, stack: Stack) -> Iterator[BrowserContext]:
    """A reader's browser, allowed to show the stack's notifications and to download."""
    context = reader_context(browser, accept_downloads=True)
    context.grant_permissions(["notifications"], origin=stack.server.origin)
    yield context
    context.close()


@pytest.fixture
def page(context: BrowserContext) -> Iterator[Page]:
    """A page in the reader's browser that fails the test on any JavaScript error, alert or confirm."""
    with checked_page(context, dialogs=True) as page:
        yield page


@pytest.fixture(scope="package")
def service_down(tmp_path_factory: pytest.TempPathFactory) -> Iterator[StaticServer]:
    """The mini site, served, whose community service cannot be reached: its port is held and never listened on,
    so every connection to it is refused while the tests run."""
    with socket.socket() as held:
        held.bind(("127.0.0.1", 0))
        folder = tmp_path_factory.mktemp("service-down")
        server = StaticServer(folder / "site")
        build(folder, server, f"http://127.0.0.1:{held.getsockname()[1]}/api/v1")
        yield server
        server.stop()


@pytest.fixture(scope="package")
def no_service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[StaticServer]:
    """The mini site, served, built without a community service (no push_url)."""
    folder = tmp_path_factory.mktemp("no-service")
    server = StaticServer(folder / "site")
    build(folder, server, None)
    yield server
    server.stop()
