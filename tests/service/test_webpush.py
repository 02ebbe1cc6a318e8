"""`webpush.py` sends the request pywebpush's `WebPusher.send_async` sends, side by side on one capture server.

The sender builds the request itself (ARCHITECTURE.md, "Sending": `WebPusher` costs too much per message);
this holds it to pywebpush's: the same headers with the same values, a body of the same aes128gcm shape
(RFC 8188 header: 16-byte salt, 4,096-byte record size, the 65-byte ephemeral key) and the same length,
which the subscriber's private key decrypts to the same message. Each body has its own salt and ephemeral key.
"""

from __future__ import annotations

import asyncio
import json
import socket
from typing import Any

import http_ece
from aiohttp import web
from pywebpush import WebPusher

from generator.service.push import webpush

from .receiver import Device

VAPID = "vapid t=aaa.bbb.ccc, k=BPublicKey"
COMPARED = ("authorization", "content-encoding", "content-type", "ttl", "urgency", "topic", "content-length")


async def capture_both(message: bytes, device: Device) -> list[dict[str, Any]]:
    seen: list[dict[str, Any]] = []

    async def record(request: web.Request) -> web.Response:
        seen.append({"method": request.method, "path": request.path, "body": await request.read(),
                     "headers": {k.lower(): v for k, v in request.headers.items()}})
        return web.Response(status=201)

    app = web.Application()
    app.router.add_post("/push/{token}", record)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    await web.SockSite(runner, sock).start()
    subscription = device.subscription(f"http://127.0.0.1:{sock.getsockname()[1]}")
    keys = subscription["keys"]
    try:
        async with webpush.session(concurrency=4, timeout=10) as http:
            pusher = WebPusher(subscription, aiohttp_session=http)
            response = await pusher.send_async(message, headers={"Authorization": VAPID, "Urgency": "low",
                                                                 "Topic": "data-analytics"},
                                               ttl=86400, content_encoding="aes128gcm")
            assert response.status == 201
            status, _ = await webpush.post(http, subscription["endpoint"],
                                           webpush.encrypt(message, keys["p256dh"], keys["auth"]),
                                           webpush.headers(VAPID, 86400, "low", "data-analytics"))
            assert status == 201
    finally:
        await runner.cleanup()
    return seen


def test_the_request_is_pywebpushs_request() -> None:
    device = Device("token")
    message = json.dumps({"title": "3 new in Data & Analytics", "body": "Forecasting …", "url": "/topics/data/",
                          "icon": "/assets/icons/icon-192.png", "tag": "practica-data"}).encode()
    theirs, ours = asyncio.run(capture_both(message, device))

    assert (ours["method"], ours["path"]) == (theirs["method"], theirs["path"]) == ("POST", "/push/token")
    assert all(k in theirs["headers"] for k in COMPARED), theirs["headers"]
    assert {k: ours["headers"].get(k) for k in COMPARED} == {k: theirs["headers"].get(k) for k in COMPARED}
    assert ours["headers"]["ttl"] == "86400" and ours["headers"]["content-encoding"] == "aes128gcm"
    for body in (theirs["body"], ours["body"]):
        # RFC 8188 header: salt(16) | rs(4, big-endian) | idlen(1) | keyid(idlen) = the uncompressed P-256 point
        assert int.from_bytes(body[16:20], "big") == 4096 and body[20] == 65 and body[21] == 0x04
        plaintext = http_ece.decrypt(body, private_key=device.private, auth_secret=device.auth, version="aes128gcm")
        assert plaintext == message
    assert len(ours["body"]) == len(theirs["body"])
    assert ours["body"][:16] != theirs["body"][:16], "a new salt per message"
    assert ours["body"][21:86] != theirs["body"][21:86], "a new ephemeral key per message"
