"""`practica serve` reloads the open page after a successful rebuild, never after a failed one, under the
site's Content-Security-Policy; a published build carries none of it."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.conftest import write_config
from tests.test_serve import fetch, free_port, wait_for

pytestmark = pytest.mark.browser


class Served:
    def __init__(self, base: str, content: Path, process: subprocess.Popen[str]) -> None:
        self.base, self.content = base, content
        self.log: list[str] = []
        self.ready = threading.Condition()
        threading.Thread(target=self._read, args=(process,), daemon=True).start()

    def _read(self, process: subprocess.Popen[str]) -> None:
        assert process.stdout is not None
        for line in process.stdout:
            with self.ready:
                self.log.append(line)
                self.ready.notify_all()

    def wait_for_log(self, text: str, after: int, timeout: float = 60) -> None:
        """Until a line after the first `after` says `text`."""
        with self.ready:
            assert self.ready.wait_for(lambda: any(text in line for line in self.log[after:]), timeout), \
                f"the server never said {text!r}: {''.join(self.log[-20:])}"


@pytest.fixture
def served(mini: Path) -> Iterator[Served]:
    port = free_port()
    config = write_config(mini.parent, docs_dir="content", site_url=f"http://127.0.0.1:{port}/")
    process = subprocess.Popen([sys.executable, "-m", "generator.cli", "serve", "--config-file", str(config),
                                "--dev-addr", f"127.0.0.1:{port}"], cwd=mini.parent, text=True,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True)
    base = f"http://127.0.0.1:{port}/"
    try:
        wait_for(lambda: "Forecast basics" in fetch(base + "learn/forecast-basics/"))
        yield Served(base, mini, process)
    finally:
        os.killpg(process.pid, signal.SIGINT)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)


def test_the_open_page_reloads_after_a_good_rebuild_only(phone: Page, served: Served) -> None:
    navigations: list[str] = []  # documents loaded (Material's history.replaceState is no navigation here)
    phone.on("load", lambda page: navigations.append(page.url))
    blocked: list[str] = []
    phone.on("console", lambda m: blocked.append(m.text) if "Content Security Policy" in m.text else None)
    with phone.expect_request(lambda r: "/.practica/livereload/" in r.url, timeout=10_000):
        phone.goto(served.base + "learn/forecast-basics/")
    assert len(navigations) == 1

    lesson = served.content / "learn" / "forecast-basics.md"
    seen = len(served.log)
    lesson.write_text(lesson.read_text().replace("authors: [ada]", "authors: [nobody]"))
    served.wait_for_log("still serving the last good build", seen)
    assert fetch(served.base + ".practica/livereload/?since=0") == "1", "a failed rebuild is no new build"
    assert len(navigations) == 1, "a failed rebuild keeps the page"
    expect(phone.locator("article h1")).to_contain_text("Forecast basics")

    lesson.write_text(lesson.read_text().replace("authors: [nobody]", "authors: [ada]")
                      .replace("title: Forecast basics", "title: Forecasts, basically"))
    expect(phone.locator("article h1")).to_contain_text("Forecasts, basically", timeout=60_000)
    for _ in range(100):  # the new heading shows before the reloaded document's load event fires
        if len(navigations) == 2:
            break
        phone.wait_for_timeout(100)
    assert len(navigations) == 2 and navigations[-1] == served.base + "learn/forecast-basics/"
    assert blocked == []


def test_only_served_pages_carry_the_live_reload_script(served: Served, mini_site: Path) -> None:
    page = fetch(served.base + "learn/forecast-basics/")
    assert page.count('src="/.practica/livereload.js"') == 1
    assert "livereload" not in fetch(served.base + "sitemap.xml")
    assert "fetch(" in fetch(served.base + ".practica/livereload.js")
    published = [p for p in mini_site.rglob("*") if p.is_file() and p.suffix in (".html", ".js", ".json")]
    assert published and not [p for p in published if ".practica/livereload" in p.read_text(errors="replace")]
