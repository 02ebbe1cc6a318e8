"""One Web Push request, as pywebpush 2.5's `WebPusher.send_async` makes it, without its cost per message.

`WebPusher` is built per message (it deep-copies the subscription and decodes its keys again), then encrypts
with `http_ece` and posts a case-insensitive header dict. Here the body is encrypted by the same `http_ece`
call `WebPusher.encode` makes for aes128gcm (RFC 8291: a new ephemeral P-256 key and a random 16-byte salt
per message, one 4,096-byte record), and posted on the one shared aiohttp session with the same headers.
"""

from __future__ import annotations

import os

import aiohttp
import http_ece
from cryptography.hazmat.primitives.asymmetric import ec

from ..security import decode_b64url

ENCODING = "aes128gcm"


class Unencryptable(ValueError):
    """The subscription's keys cannot encrypt a message (they were checked when it was stored)."""


def encrypt(plaintext: bytes, p256dh: str, auth: str) -> bytes:
    """The aes128gcm body of one message to the browser holding `p256dh` and `auth` (base64url)."""
    ephemeral = ec.generate_private_key(ec.SECP256R1())  # never reused: one per message, as RFC 8291 requires
    try:
        return bytes(http_ece.encrypt(plaintext, salt=os.urandom(16), private_key=ephemeral, dh=decode_b64url(p256dh),
                                      auth_secret=decode_b64url(auth), version=ENCODING))
    except (ValueError, http_ece.ECEException) as exc:
        raise Unencryptable(getattr(exc, "message", None) or str(exc)) from None


def headers(authorization: str, ttl: int, urgency: str, topic: str) -> dict[str, str]:
    """What every push request carries: VAPID, the body's encoding, TTL, Urgency and Topic (RFC 8030)."""
    return {"Authorization": authorization, "Content-Type": "application/octet-stream", "Content-Encoding": ENCODING,
            "TTL": str(ttl), "Urgency": urgency, "Topic": topic}


def session(concurrency: int, timeout: float) -> aiohttp.ClientSession:
    """The one HTTP session of a sender: `concurrency` pooled connections and a total timeout per request."""
    return aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=concurrency),
                                 timeout=aiohttp.ClientTimeout(total=timeout))


async def post(http: aiohttp.ClientSession, endpoint: str, body: bytes, sent: dict[str, str]) -> tuple[int, str | None]:
    """POST one message; the status and any Retry-After. Never follows a redirect (a push service sends none)."""
    async with http.post(endpoint, data=body, headers=sent, allow_redirects=False) as response:
        await response.read()  # as pywebpush does; a connection whose answer was read goes back to the pool
        return response.status, response.headers.get("Retry-After")
