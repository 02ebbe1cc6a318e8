"""The identity provider's public keys (a JWKS), from an https URL or a file, cached.

Keys are used for PRACTICA_AUTH_JWKS_CACHE, then fetched again. A token signed by a key the cache does not
hold (the provider rotated its keys) fetches them at once, but at most every `REFETCH_SECONDS`, so tokens
with made-up key ids cannot make the service hammer the provider. If a fetch fails, the keys held are kept.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Any

import jwt

log = logging.getLogger("practica.identity")
REFETCH_SECONDS = 30.0
MAX_BYTES = 512 * 1024
TIMEOUT_SECONDS = 5.0


class KeysUnavailable(Exception):
    """No usable keys: the JWKS could not be read and none are held."""


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None  # a redirect is an error: the keys come from the configured address only


def _read(source: str) -> dict[str, Any]:
    if "://" in source:
        opener = urllib.request.build_opener(_NoRedirects)
        request = urllib.request.Request(source, headers={"Accept": "application/json"})
        with opener.open(request, timeout=TIMEOUT_SECONDS) as response:
            data = response.read(MAX_BYTES + 1)
    else:
        data = Path(source).read_bytes()[:MAX_BYTES + 1]
    if len(data) > MAX_BYTES:
        raise ValueError(f"the JWKS is over {MAX_BYTES // 1024} KB")
    parsed = json.loads(data)
    if not isinstance(parsed, dict) or not isinstance(parsed.get("keys"), list):
        raise ValueError('the JWKS is not {"keys": [...]}')
    return parsed


class KeySet:
    """The keys at `source`, fetched when first needed, when stale, or when asked for an unknown key id."""

    def __init__(self, source: str, cache_seconds: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.source, self.cache_seconds, self.clock = source, cache_seconds, clock
        self._keys: dict[str | None, jwt.PyJWK] = {}
        self._fetched_at: float | None = None
        self._tried_at: float | None = None
        self._lock = asyncio.Lock()
        self.fetches = 0

    async def key(self, kid: str | None) -> jwt.PyJWK | None:
        """The key with id `kid` (or the only key, for a token without one); None if the provider has none."""
        now = self.clock()
        stale = self._fetched_at is None or now - self._fetched_at >= self.cache_seconds
        if stale or self._pick(kid) is None:
            await self._refresh(now)
        if not self._keys and self._fetched_at is None:
            raise KeysUnavailable(f"cannot read the identity provider's keys from {self.source}")
        return self._pick(kid)

    def _pick(self, kid: str | None) -> jwt.PyJWK | None:
        if kid is None:
            return next(iter(self._keys.values())) if len(self._keys) == 1 else None
        return self._keys.get(kid)

    async def _refresh(self, now: float) -> None:
        async with self._lock:
            if self._tried_at is not None and now - self._tried_at < REFETCH_SECONDS:
                return  # tried a moment ago: an unknown key id is just unknown, a failing provider stays failed
            self._tried_at = now
            try:
                data = await asyncio.to_thread(_read, self.source)
                keys = {}
                for entry in data["keys"]:
                    try:
                        found = jwt.PyJWK.from_dict(entry)
                    except (jwt.PyJWKError, jwt.InvalidKeyError, KeyError, TypeError, ValueError) as exc:
                        log.warning("identity provider key %r skipped: %s", entry.get("kid") if isinstance(
                            entry, dict) else None, exc)
                        continue
                    if entry.get("use", "sig") == "sig":
                        keys[found.key_id] = found
            except (OSError, ValueError) as exc:
                log.error("cannot read the identity provider's keys from %s: %s; %s", self.source, exc,
                          "keeping the keys held" if self._keys else "nobody can sign in until it can")
                return
            self._keys, self._fetched_at = keys, now
            self.fetches += 1
