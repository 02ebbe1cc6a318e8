"""`practica push serve --poll-feed … --every …`: the real server polls, ingests and delivers on its own."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from .conftest import ReceiverClient, environment, item, subscription_body, wait_for, write_feed

pytestmark = pytest.mark.both_backends


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_serve_polls_the_feed_and_delivers_without_cron(tmp_path: Path, vapid_pem: Path,
                                                        receiver: ReceiverClient) -> None:
    feed = write_feed(tmp_path / "feed.json", item("sql-joins"))
    port = _free_port()
    env = {**os.environ, **environment(tmp_path / "push.sqlite3", vapid_pem, receiver.base)}
    server = subprocess.Popen([sys.executable, "-m", "generator.cli", "push", "serve", "--port", str(port),
                               "--poll-feed", str(feed), "--every", "1s"], cwd=tmp_path, env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}/api/v1", timeout=30) as api:
            wait_for(lambda: api.get("/health").json()["feed_ingested_at"], "the first ingest", server)
            sub = receiver.subscribe(1)[0]
            assert api.post("/subscriptions", json=subscription_body(sub, topics=["data"])).status_code == 201
            write_feed(feed, item("sql-joins"), item("window-functions", title="Window functions"))
            shown = wait_for(lambda: receiver.device(sub["endpoint"])["shown"], "the notification", server)
        assert [n["title"] for n in shown.values()] == ["New lesson in Data & Analytics"]
        assert receiver.report()["rejections"] == []
    finally:
        server.send_signal(signal.SIGINT)
        _, err = server.communicate(timeout=30)
    assert server.returncode == 0, err
    assert "polling" in err and str(receiver.base) not in err.replace(f"ALLOW_HOSTS={receiver.base}", "")
