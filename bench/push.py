"""Push fan-out: `practica push send` to the local push receiver (a separate process), with two anchors.

- the crypto floor: one ephemeral ECDH key + aes128gcm encryption per message (what every push costs,
  on one core, with no HTTP at all), measured in this run;
- the naive loop: `pywebpush.webpush()` once per subscriber, one after another, to the same receiver.

The receiver (tests/service/receiver.py) really checks each request's VAPID JWT and decrypts each body, so it
costs CPU too: on 2 cores the service and the receiver share the machine, as the budget says.

`practica push send` runs RUNS times over the same queued database (restored from a copy before each run, to
the same receiver); the best rate is reported, with every run's wall time, CPU time (the sender's own, from
wait4, start-up included) and the receiver's, and the load average before it (the machine may be shared).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any

from build import BIN, REPO
from measure import ENV, run

OUT = Path(__file__).resolve().parent / "out" / "push"
RECEIVER = REPO / "tests" / "push" / "receiver.py"
SITE = "https://learn.example.org/"
SUBJECT = "mailto:bench@example.org"
NAIVE_SAMPLE = 500
RUNS = 3
FLOOR_SAMPLE = 2000
PAYLOAD = json.dumps({"title": "New in Data & Analytics: Reading a forecast",
                      "body": "A short lesson by Ada Okafor: what a forecast is, and what it is not.",
                      "url": SITE + "learn/reading-a-forecast/", "icon": SITE + "assets/icons/icon-192.png",
                      "tag": "practica-123"})


def ready() -> str | None:
    """Why the fan-out cannot be measured yet, or None."""
    if not RECEIVER.is_file():
        return f"{RECEIVER.relative_to(REPO)} (the local push receiver) is not there yet"
    try:
        from generator.service import commands  # noqa: F401
    except ImportError as exc:
        return f"generator.service is not importable yet ({exc})"
    return None


def fanout(subscriptions: int, logs: Path) -> dict[str, Any]:
    missing = ready()
    if missing:
        return {"skipped": missing}
    if OUT.exists():
        shutil.rmtree(OUT)
    OUT.mkdir(parents=True)
    receiver = subprocess.Popen([sys.executable, str(RECEIVER)], stdout=subprocess.PIPE, text=True, env=ENV)
    try:
        base = _receiver_base(receiver)
        subs = _devices(base, subscriptions)
        env_file = _setup(base, subs)
        shutil.copy(OUT / "push.sqlite3", OUT / "queued.sqlite3")  # closed, so the WAL is checkpointed into it
        runs = [_send(base, receiver.pid, env_file, logs, n) for n in range(1, RUNS + 1)]
        naive_n, naive_s = _naive(subs[:NAIVE_SAMPLE], OUT / "vapid" / "vapid_private.pem")
        floor_s = _floor(subs[:FLOOR_SAMPLE])
    finally:
        receiver.terminate()
        receiver.wait(timeout=20)
    best = max(runs, key=lambda r: r["delivered"] / r["wall"])
    return {"subscriptions": subscriptions, "delivered": best["delivered"], "requests": best["requests"],
            "service_s": best["wall"], "service_cpu": best["cpu"], "service_per_s": best["delivered"] / best["wall"],
            "service_peak_mb": best["peak_mb"], "receiver_cpu": best["receiver_cpu"], "log": best["log"],
            "runs": runs, "naive_n": naive_n, "naive_per_s": naive_n / naive_s,
            "floor_per_s": min(FLOOR_SAMPLE, len(subs)) / floor_s}


def _send(base: str, receiver: int, env_file: Path, logs: Path, n: int) -> dict[str, Any]:
    """One `practica push send` of the whole queue, from the queued copy of the database."""
    db = OUT / "push.sqlite3"
    for leftover in (db, Path(f"{db}-wal"), Path(f"{db}-shm")):
        leftover.unlink(missing_ok=True)
    shutil.copy(OUT / "queued.sqlite3", db)
    load, before, cpu_before = os.getloadavg()[0], _get(base + "/_control/count"), _cpu(receiver)
    done = run([str(BIN / "practica"), "push", "send", "--db", str(db), "--env-file", str(env_file)],
               logs / f"push-send-{n}.log", cwd=OUT, timeout=900)
    receiver_cpu = _cpu(receiver) - cpu_before
    if done.returncode != 0:
        raise RuntimeError(f"practica push send failed:\n{done.tail()}")
    after = _get(base + "/_control/count")
    return {"wall": done.wall, "cpu": done.cpu, "peak_mb": done.peak_mb, "receiver_cpu": receiver_cpu,
            "delivered": after["accepted"] - before["accepted"], "requests": after["requests"] - before["requests"],
            "load_before": load, "log": done.tail(3)}


def _receiver_base(receiver: subprocess.Popen[str]) -> str:
    assert receiver.stdout is not None
    line = receiver.stdout.readline().strip()  # the receiver prints its address first thing
    if not line.startswith("RECEIVER "):
        raise RuntimeError(f"the push receiver did not start: {line!r}")
    return line.split()[1]


def _get(url: str) -> dict[str, Any]:
    with urllib.request.urlopen(url, timeout=60) as reply:
        data: dict[str, Any] = json.loads(reply.read())
    return data


def _devices(base: str, count: int) -> list[dict[str, Any]]:
    subs: list[dict[str, Any]] = []
    while len(subs) < count:
        body = json.dumps({"count": min(1000, count - len(subs))}).encode()
        request = urllib.request.Request(base + "/_control/devices", body, {"Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=120) as reply:
            subs += json.loads(reply.read())["subscriptions"]
    return subs


def _setup(base: str, subs: list[dict[str, Any]]) -> Path:
    """A database with every subscription following one topic, and one new lesson queued for all of them."""
    from generator.service.push.vapid import write_keys

    pem = write_keys(OUT / "vapid")[0]
    env_file = OUT / ".env"
    env_file.write_text(f"PRACTICA_PUSH_DB={OUT / 'push.sqlite3'}\nPRACTICA_PUSH_VAPID_PRIVATE_KEY={pem}\n"
                        f"PRACTICA_PUSH_VAPID_SUBJECT={SUBJECT}\nPRACTICA_PUSH_ALLOW_HOSTS={base}\n")
    _queue_one_lesson(OUT / "push.sqlite3", subs)
    return env_file


def _queue_one_lesson(db: Path | str, subs: list[dict[str, Any]]) -> None:
    """The store at `db` (SQLite or PostgreSQL) with every subscription following one topic, and one new lesson
    queued for all of them."""
    from generator.service.models import Preferences, Subscription
    from generator.service.push.feed import parse_feed
    from generator.service.push.ingest import ingest
    from generator.service.push.schedule import Rules
    from generator.service.store.backend import open_store

    store = open_store(db)
    try:
        with store.transaction():
            for sub in subs:
                store.save_subscription(Subscription(sub["endpoint"], sub["keys"]["p256dh"], sub["keys"]["auth"],
                                                     Preferences(topics=("data",))))
        now = dt.datetime.now(dt.UTC)
        ingest(store, parse_feed(_feed("old-lesson")), now - dt.timedelta(minutes=5), Rules())
        report = ingest(store, parse_feed(_feed("old-lesson", "reading-a-forecast")), now, Rules())
    finally:
        store.close()
    if report.queued != len(subs):
        raise RuntimeError(f"expected one notification per subscription, got: {report}")


def _feed(*slugs: str) -> dict[str, Any]:
    items = [{"id": f"urn:practica:lesson:{s}", "url": f"{SITE}learn/{s}/", "title": s.replace("-", " ").capitalize(),
              "summary": "A short lesson.", "date_published": "2026-11-01T00:00:00Z", "tags": ["Data"],
              "_practica": {"type": "lesson", "topics": ["data"], "people": ["ada"], "skills": []}} for s in slugs]
    return {"version": "https://jsonfeed.org/version/1.1", "title": "Bench", "home_page_url": SITE,
            "feed_url": f"{SITE}feed.json",
            "_practica": {"version": 1, "site_url": SITE,
                          "topics": [{"id": "data", "name": "Data", "url": f"{SITE}topics/data/"}],
                          "people": [{"id": "ada", "name": "Ada", "url": f"{SITE}people/ada/"}]},
            "items": items}


def _naive(subs: list[dict[str, Any]], pem: Path) -> tuple[int, float]:
    """pywebpush.webpush() per subscriber, in turn (a fresh claims dict each time: webpush mutates it)."""
    from pywebpush import webpush

    headers = {"Content-Type": "application/octet-stream", "Urgency": "normal", "Topic": "bench"}
    started = time.monotonic()
    for sub in subs:
        webpush(sub, PAYLOAD, vapid_private_key=str(pem), vapid_claims={"sub": SUBJECT}, ttl=86400,
                headers=dict(headers), timeout=10)
    return len(subs), time.monotonic() - started


def _floor(subs: list[dict[str, Any]]) -> float:
    """Seconds to encrypt one message per subscription: a new ephemeral P-256 key, ECDH, aes128gcm."""
    import base64

    import http_ece
    from cryptography.hazmat.primitives.asymmetric import ec

    def b64(text: str) -> bytes:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))

    keys = [(b64(s["keys"]["p256dh"]), b64(s["keys"]["auth"])) for s in subs]
    data = PAYLOAD.encode()
    started = time.monotonic()
    for dh, auth in keys:
        http_ece.encrypt(data, salt=os.urandom(16), private_key=ec.generate_private_key(ec.SECP256R1()), dh=dh,
                         auth_secret=auth, version="aes128gcm")
    return time.monotonic() - started


def _cpu(pid: int, children: bool = False) -> float:
    """User+system CPU seconds of a running process (and of its reaped children), from /proc."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    ticks = int(fields[11]) + int(fields[12]) + (int(fields[13]) + int(fields[14]) if children else 0)
    return ticks / os.sysconf("SC_CLK_TCK")
