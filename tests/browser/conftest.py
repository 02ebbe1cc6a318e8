"""Browser fixtures: Debian's Chromium driven by Playwright, and the built site on a local static server."""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, Playwright, sync_playwright

from generator.commands.serve import site_server
from generator.settings import load_settings

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


# Module scope, not session: Playwright's sync API keeps an asyncio loop running in the main thread while it is
# started, so tests that call asyncio.run() (the push tests) fail if it outlives the browser modules.
@pytest.fixture(scope="module")
def playwright() -> Iterator[Playwright]:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: `make test` installs Debian's chromium package")
    with sync_playwright() as p:
        yield p


@pytest.fixture(scope="module")
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
