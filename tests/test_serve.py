"""`practica serve` rebuilds when content changes, and keeps serving the last good build when a change
breaks the content."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.conftest import write_config


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def fetch(url: str) -> str:
    with urllib.request.urlopen(url, timeout=5) as response:
        return str(response.read().decode("utf-8"))


def wait_for(predicate: Callable[[], object], timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if predicate():
                return
        except OSError:
            pass
        time.sleep(0.3)
    raise AssertionError("timed out waiting for the server")


@pytest.fixture
def served(mini: Path) -> Iterator[tuple[str, Path]]:
    port = free_port()
    config = write_config(mini.parent, docs_dir="content", site_url=f"http://127.0.0.1:{port}/")
    process = subprocess.Popen([sys.executable, "-m", "generator.cli", "serve", "--config-file", str(config),
                                "--dev-addr", f"127.0.0.1:{port}"], cwd=mini.parent,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True)
    base = f"http://127.0.0.1:{port}/"
    try:
        wait_for(lambda: "Forecast basics" in fetch(base + "learn/forecast-basics/"))
        yield base, mini
    finally:
        os.killpg(process.pid, signal.SIGINT)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)


def test_serve_rebuilds_on_change_and_keeps_the_last_good_build(served: tuple[str, Path]) -> None:
    base, content = served
    lesson = content / "learn" / "forecast-basics.md"
    lesson.write_text(lesson.read_text().replace("title: Forecast basics", "title: Forecasting basics"))
    wait_for(lambda: "Forecasting basics" in fetch(base + "learn/forecast-basics/"))

    lesson.write_text(lesson.read_text().replace("authors: [ada]", "authors: [nobody]"))
    time.sleep(3)  # give the watcher time to try (and refuse) the broken rebuild
    assert "Forecasting basics" in fetch(base + "learn/forecast-basics/"), "the last good build is still served"

    lesson.write_text(lesson.read_text().replace("authors: [nobody]", "authors: [ada]")
                      .replace("title: Forecasting basics", "title: Forecasts, basically"))
    wait_for(lambda: "Forecasts, basically" in fetch(base + "learn/forecast-basics/"))


def test_a_cancelled_request_is_no_traceback(tmp_path: Path, capfd: pytest.CaptureFixture[str]) -> None:
    """Browsers reset connections whenever they navigate on; the static server says nothing about it."""
    import struct
    import threading

    from generator.commands.serve import site_server

    (tmp_path / "big.bin").write_bytes(b"x" * 8_000_000)
    server = site_server(tmp_path, "127.0.0.1", 0)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        for _ in range(3):  # bounded
            with socket.create_connection(("127.0.0.1", server.server_address[1]), timeout=10) as client:
                client.sendall(b"GET /big.bin HTTP/1.1\r\nHost: x\r\n\r\n")
                client.recv(1024)
                client.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))  # RST on close
        assert fetch(f"http://127.0.0.1:{server.server_address[1]}/big.bin")[:3] == "xxx"  # and it still serves
    finally:
        server.shutdown()
        server.server_close()
    assert "Traceback" not in capfd.readouterr().err
