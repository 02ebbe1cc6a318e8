"""ASGI guards in front of the API: request body size, CORS for the site's origin, per-client rate limits, and
who the client is (the socket's peer, or what a trusted proxy says)."""

from __future__ import annotations

import ipaddress
import math
import time
from collections import deque
from collections.abc import Callable

from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ..config import Network
from .errors import ApiError, error_response

UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}


class BodyLimit:
    """Refuse bodies over `limit` bytes with 413, counting what actually arrives (not trusting Content-Length).
    Paths starting with a key of `wider` have that limit instead (conversations' posts are longer)."""

    def __init__(self, app: ASGIApp, limit: int, wider: dict[str, int] | None = None) -> None:
        self.app, self.limit, self.wider = app, limit, wider or {}

    def _limit(self, scope: Scope) -> int:
        path = str(scope.get("path", ""))
        return next((n for prefix, n in self.wider.items() if path.startswith(prefix)), self.limit)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self._limit(scope)
        declared = Headers(scope=scope).get("content-length", "")
        if declared.isdigit() and int(declared) > limit:
            await self._refuse(scope, receive, send, limit)
            return
        chunks, size = [], 0
        while True:  # at most limit + one chunk is ever held in memory
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            chunks.append(message.get("body", b""))
            size += len(chunks[-1])
            if size > limit:
                await self._refuse(scope, receive, send, limit)
                return
            if not message.get("more_body", False):
                break
        body, replayed = b"".join(chunks), False

        async def replay() -> Message:
            nonlocal replayed
            if replayed:
                return await receive()
            replayed = True
            return {"type": "http.request", "body": body, "more_body": False}

        await self.app(scope, replay, send)

    async def _refuse(self, scope: Scope, receive: Receive, send: Send, limit: int) -> None:
        response = error_response(413, "payload_too_large", f"the request body is larger than {limit} bytes")
        await response(scope, receive, send)


class Cors:
    """CORS for the site's origins only. Other origins get no CORS headers, and their preflights and
    state-changing requests are refused with 403 before anything runs."""

    def __init__(self, app: ASGIApp, origins: tuple[str, ...], trusted: tuple[Network, ...] = (),
                 headers: tuple[str, ...] = ()) -> None:
        self.app, self.origins, self.trusted = app, set(origins), trusted
        self.allow_headers = ", ".join(("Authorization", "Content-Type", *headers))

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        origin = Headers(scope=scope).get("origin") if scope["type"] == "http" else None
        if origin is None:
            await self.app(scope, receive, send)
            return
        allowed = origin in self.origins or origin == _own_origin(scope, self.trusted)
        preflight = scope["method"] == "OPTIONS" and "access-control-request-method" in Headers(scope=scope)
        if not allowed and (preflight or scope["method"] in UNSAFE):
            response = error_response(403, "origin_not_allowed", f"requests from {origin} are not allowed")
            await response(scope, receive, send)
        elif preflight:
            await self._preflight(origin, send)
        elif allowed:
            await self.app(scope, receive, self._adding_headers(origin, send))
        else:
            await self.app(scope, receive, send)  # a plain GET: the browser will not let the page read it

    async def _preflight(self, origin: str, send: Send) -> None:
        await send({"type": "http.response.start", "status": 204,
                    "headers": [(k.lower().encode(), v.encode()) for k, v in self._headers(origin, True).items()]})
        await send({"type": "http.response.body", "body": b""})

    def _headers(self, origin: str, preflight: bool) -> dict[str, str]:
        # Credentials: behind an SSO proxy the browser must send the proxy's cookie. Safe with the origin list
        # (never `*`), and state-changing requests from other origins are refused above.
        headers = {"Access-Control-Allow-Origin": origin, "Vary": "Origin", "Access-Control-Allow-Credentials": "true",
                   "Access-Control-Expose-Headers": "Retry-After, Content-Disposition"}
        if preflight:
            headers |= {"Access-Control-Allow-Methods": "GET, POST, PUT, PATCH, DELETE",
                        "Access-Control-Allow-Headers": self.allow_headers, "Access-Control-Max-Age": "600"}
        return headers

    def _adding_headers(self, origin: str, send: Send) -> Send:
        async def wrapped(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for key, value in self._headers(origin, preflight=False).items():
                    if key == "Vary":
                        headers.add_vary_header("Origin")
                    else:
                        headers[key] = value
            await send(message)
        return wrapped


def _own_origin(scope: Scope, trusted: tuple[Network, ...]) -> str:
    """The API's own origin, as a same-origin page (the OpenAPI docs) sends it."""
    headers = Headers(scope=scope)
    scheme = scope.get("scheme", "http")
    if is_trusted(socket_peer(scope), trusted):  # a TLS-terminating proxy says whether the browser used https
        scheme = headers.get("x-forwarded-proto", scheme).split(",")[-1].strip().lower() or scheme
    return f"{scheme}://{headers.get('host', '')}"


def client_address(scope: Scope, trusted: tuple[Network, ...]) -> str:
    """Who is calling: the socket's peer; or, when that peer is a trusted proxy, the right-most
    X-Forwarded-For address that is not itself a trusted proxy (the entries left of it anyone can write)."""
    peer = socket_peer(scope)
    if not is_trusted(peer, trusted):
        return peer
    hops = [hop.strip() for value in Headers(scope=scope).getlist("x-forwarded-for") for hop in value.split(",")]
    hops = [hop for hop in hops if hop]
    for hop in reversed(hops):
        if not is_trusted(hop, trusted):
            return _canonical(hop)
    return _canonical(hops[0]) if hops else peer


def socket_peer(scope: Scope) -> str:
    client = scope.get("client")
    return str(client[0]) if client else "unknown"


def is_trusted(address: str, trusted: tuple[Network, ...]) -> bool:
    try:
        ip = ipaddress.ip_address(address.strip("[]"))
    except ValueError:
        return False
    return any(ip in network for network in trusted)


def _canonical(address: str) -> str:
    """One spelling per address (`::FFFF:1.2.3.4`, `[::1]`), so a client cannot get a new bucket by respelling."""
    try:
        ip = ipaddress.ip_address(address.strip("[]"))
    except ValueError:
        return address[:64]  # not an address: only a misconfigured proxy passes one on; keep it short
    mapped = getattr(ip, "ipv4_mapped", None)
    return str(mapped or ip)


class RateLimiter:
    """At most `limit` calls per `window` seconds per client key (a sliding window, kept in memory)."""

    def __init__(self, limit: int, window: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.limit, self.window, self.clock = limit, window, clock
        self._calls: dict[str, deque[float]] = {}

    def check(self, key: str) -> None:
        """Count a call by `key`, or raise ApiError 429 with Retry-After if it is over the limit."""
        now = self.clock()
        if len(self._calls) > 10_000:  # forget idle clients so memory stays bounded
            self._calls = {k: v for k, v in self._calls.items() if v and v[-1] > now - self.window}
        calls = self._calls.setdefault(key, deque())
        while calls and calls[0] <= now - self.window:
            calls.popleft()
        if len(calls) >= self.limit:
            wait = max(1, math.ceil(calls[0] + self.window - now))
            raise ApiError(429, "rate_limited", f"too many requests; try again in {wait} s",
                           headers={"Retry-After": str(wait)})
        calls.append(now)
