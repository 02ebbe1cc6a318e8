"""A local push service that is also the browser, for tests (standalone: run it as a script for a subprocess).

As the push service it checks every request like a vendor would: the VAPID JWT (ES256 signature against
`k`, `aud` = its own origin, `exp` in the future and at most 24 h ahead, `sub` a mailto:/https: contact),
the TTL, Content-Type, Content-Encoding: aes128gcm, Urgency and Topic headers, and the 4,096-byte limit.
As the browser it holds each subscription's private key and auth secret, decrypts the body (RFC 8291 /
RFC 8188, with `http_ece`), and keeps a notification tray where a notification replaces one with the same
tag, as `showNotification` does. Each endpoint can be told to answer 404, 410, 429 (+ Retry-After), 500 or
a redirect. Control it over HTTP under /_control/ (see `ReceiverClient`).
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import json
import os
import re
import secrets
import socket
import threading
import time
from collections import deque
from typing import Any

import http_ece
from aiohttp import web
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

MAX_RECORD = 4096
MAX_PLAINTEXT = 3993
PAYLOAD_KEYS = {"title", "body", "url", "icon", "tag"}
URGENCIES = {"very-low", "low", "normal", "high"}


def b64d(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def b64e(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


class Device:
    """One browser subscription: a real P-256 key pair and auth secret, a script of answers, a tray."""

    def __init__(self, token: str) -> None:
        self.token = token
        self.private = ec.generate_private_key(ec.SECP256R1())
        self.auth = os.urandom(16)
        self.script: deque[dict[str, Any]] = deque()
        self.always: dict[str, Any] | None = None
        self.requests = 0
        self.received: list[dict[str, Any]] = []
        self.shown: dict[str, dict[str, Any]] = {}

    def subscription(self, base: str) -> dict[str, Any]:
        public = self.private.public_key().public_bytes(serialization.Encoding.X962,
                                                        serialization.PublicFormat.UncompressedPoint)
        return {"endpoint": f"{base}/push/{self.token}", "keys": {"p256dh": b64e(public), "auth": b64e(self.auth)}}


class Receiver:
    """The aiohttp app and its state. All state is touched only on the server's event loop."""

    def __init__(self) -> None:
        self.base = ""
        self.devices: dict[str, Device] = {}
        self.requests = 0
        self.accepted = 0
        self.rejections: list[str] = []
        self.delay = 0.0  # seconds each push takes to answer, to make concurrency observable
        self.in_flight = self.max_in_flight = 0
        self.peers: set[str] = set()  # client (host, port) pairs: one per HTTP connection the sender opened
        self._verified: dict[tuple[str, str], dict[str, Any]] = {}

    def app(self) -> web.Application:
        app = web.Application(client_max_size=1024 * 1024)
        app.router.add_post("/push/{token}", self.push)
        app.router.add_post("/_control/devices", self.new_devices)
        app.router.add_post("/_control/script", self.set_script)
        app.router.add_post("/_control/delay", self.set_delay)
        app.router.add_get("/_control/report", self.report)
        app.router.add_get("/_control/count", self.count)
        return app

    async def push(self, request: web.Request) -> web.Response:
        self.requests += 1
        self.peers.add(str(request.transport.get_extra_info("peername") if request.transport else None))
        self.in_flight += 1
        self.max_in_flight = max(self.max_in_flight, self.in_flight)
        try:
            if self.delay:
                await asyncio.sleep(self.delay)
            return await self.answer(request)
        finally:
            self.in_flight -= 1

    async def answer(self, request: web.Request) -> web.Response:
        device = self.devices.get(request.match_info["token"])
        if device is None:
            return web.Response(status=404, text="no such subscription")
        device.requests += 1
        body = await request.read()
        problem = self.check_headers(request) or (f"body of {len(body)} bytes" if len(body) > MAX_RECORD else None)
        if problem:
            self.rejections.append(f"{device.token}: {problem}")
            return web.Response(status=400, text=problem)
        answer = device.script.popleft() if device.script else device.always
        if answer is not None and answer["status"] != 201:
            headers = {k: v for k, v in (("Retry-After", answer.get("retry_after")),
                                         ("Location", answer.get("location"))) if v}
            return web.Response(status=answer["status"], headers=headers)
        try:
            plaintext = http_ece.decrypt(body, private_key=device.private, auth_secret=device.auth,
                                         version="aes128gcm")
            payload = json.loads(plaintext)
        except Exception as exc:
            self.rejections.append(f"{device.token}: cannot decrypt or parse: {exc!r}")
            return web.Response(status=400, text="cannot decrypt")
        if len(plaintext) > MAX_PLAINTEXT or set(payload) != PAYLOAD_KEYS:
            self.rejections.append(f"{device.token}: payload of {len(plaintext)} bytes with keys {sorted(payload)}")
            return web.Response(status=413 if len(plaintext) > MAX_PLAINTEXT else 400)
        self.accepted += 1
        device.received.append({"payload": payload, "size": len(plaintext), "ttl": request.headers["TTL"],
                                "urgency": request.headers["Urgency"], "topic": request.headers["Topic"],
                                "authorization": request.headers["Authorization"]})
        device.shown[payload["tag"]] = payload  # showNotification with the same tag replaces, never duplicates
        return web.Response(status=201, headers={"Location": f"{self.base}/message/{secrets.token_hex(8)}"})

    def check_headers(self, request: web.Request) -> str | None:
        """Why a vendor push service would refuse this request, or None."""
        h = request.headers
        if not re.fullmatch(r"\d+", h.get("TTL", "")):
            return f"TTL header {h.get('TTL')!r}"
        if h.get("Content-Encoding") != "aes128gcm":
            return f"Content-Encoding {h.get('Content-Encoding')!r}"
        if h.get("Content-Type") != "application/octet-stream":
            return f"Content-Type {h.get('Content-Type')!r}"
        if h.get("Urgency") not in URGENCIES:
            return f"Urgency {h.get('Urgency')!r}"
        if not re.fullmatch(r"[A-Za-z0-9_-]{1,32}", h.get("Topic", "")):
            return f"Topic {h.get('Topic')!r}"
        return self.check_vapid(h.get("Authorization", ""))

    def check_vapid(self, header: str) -> str | None:
        match = re.fullmatch(r"vapid t=([A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+), ?k=([A-Za-z0-9_-]+)", header)
        if not match:
            return f"Authorization {header[:40]!r} is not `vapid t=…, k=…`"
        token, key = match.groups()
        claims = self._verified.get((token, key))
        if claims is None:
            head, body, signature = token.split(".")
            raw = b64d(signature)
            try:
                if json.loads(b64d(head)).get("alg") != "ES256" or len(raw) != 64:
                    return "JWT is not ES256 with a 64-byte signature"
                public = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), b64d(key))
                der = encode_dss_signature(int.from_bytes(raw[:32], "big"), int.from_bytes(raw[32:], "big"))
                public.verify(der, f"{head}.{body}".encode(), ec.ECDSA(hashes.SHA256()))
            except (InvalidSignature, ValueError) as exc:
                return f"JWT signature does not verify against k: {exc!r}"
            claims = self._verified[(token, key)] = json.loads(b64d(body))
        now = time.time()
        if claims.get("aud") != self.base:
            return f"aud {claims.get('aud')!r} is not {self.base!r}"
        if not (isinstance(claims.get("exp"), int) and now < claims["exp"] <= now + 86400):
            return f"exp {claims.get('exp')!r} is not within the next 24 hours"
        if not re.fullmatch(r"mailto:[^@\s]+@[^@\s]+|https://\S+", str(claims.get("sub", ""))):
            return f"sub {claims.get('sub')!r} is not a mailto: or https: contact"
        return None

    async def new_devices(self, request: web.Request) -> web.Response:
        count = int((await request.json())["count"])
        made = [Device(secrets.token_urlsafe(12)) for _ in range(count)]
        self.devices.update((d.token, d) for d in made)
        return web.json_response({"subscriptions": [d.subscription(self.base) for d in made]})

    async def set_script(self, request: web.Request) -> web.Response:
        data = await request.json()
        device = self.devices[data["endpoint"].rsplit("/", 1)[1]]
        device.script = deque(data.get("responses", []))
        device.always = data.get("always")
        return web.json_response({"ok": True})

    async def set_delay(self, request: web.Request) -> web.Response:
        self.delay = float((await request.json())["seconds"])
        return web.json_response({"ok": True})

    async def report(self, request: web.Request) -> web.Response:
        devices = {d.subscription(self.base)["endpoint"]: {"requests": d.requests, "received": d.received,
                                                          "shown": d.shown} for d in self.devices.values()}
        return web.json_response({"requests": self.requests, "accepted": self.accepted,
                                  "rejections": self.rejections, "devices": devices,
                                  "max_in_flight": self.max_in_flight, "connections": len(self.peers)})

    async def count(self, request: web.Request) -> web.Response:
        return web.json_response({"requests": self.requests, "accepted": self.accepted})


async def _start(receiver: Receiver) -> tuple[web.AppRunner, str]:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    receiver.base = f"http://127.0.0.1:{sock.getsockname()[1]}"
    runner = web.AppRunner(receiver.app(), access_log=None)
    await runner.setup()
    await web.SockSite(runner, sock).start()
    return runner, receiver.base


class ThreadedReceiver:
    """A Receiver on its own event loop in a daemon thread: `start()` returns its base URL, `stop()` ends it."""

    def __init__(self) -> None:
        self.receiver = Receiver()
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True, name="push-receiver")
        self._runner: web.AppRunner | None = None

    def start(self) -> str:
        self._thread.start()
        self._runner, base = asyncio.run_coroutine_threadsafe(_start(self.receiver), self._loop).result(10)
        return base

    def stop(self) -> None:
        if self._runner is not None:
            asyncio.run_coroutine_threadsafe(self._runner.cleanup(), self._loop).result(10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)


def main() -> None:
    """Serve until killed, after printing `RECEIVER <base URL>` on stdout."""
    argparse.ArgumentParser(description=__doc__).parse_args()

    async def run() -> None:
        _, base = await _start(Receiver())
        print(f"RECEIVER {base}", flush=True)
        await asyncio.Event().wait()

    asyncio.run(run())


if __name__ == "__main__":
    main()
