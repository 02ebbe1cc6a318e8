"""What the service trusts: push endpoints on known push-service hosts only, and well-formed keys."""

from __future__ import annotations

import binascii
import hmac
import ipaddress
import re
from base64 import urlsafe_b64decode, urlsafe_b64encode
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import urlsplit

from cryptography.hazmat.primitives.asymmetric import ec

# The browser vendors' push services; each also allows its subdomains (Windows and FCM use several).
PUSH_SERVICES = (
    "fcm.googleapis.com",  # Chrome, Edge on Android, most Chromium browsers
    "push.services.mozilla.com",  # Firefox (updates.push.services.mozilla.com)
    "notify.windows.com",  # Edge on Windows (*.notify.windows.com)
    "web.push.apple.com",  # Safari on macOS, iOS and iPadOS
)
MAX_ENDPOINT = 2048
HOSTNAME = re.compile(r"[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*")
NUMERIC_HOST = re.compile(r"(0x[0-9a-f]*|\d+)(\.(0x[0-9a-f]*|\d+))*")
B64URL = re.compile(r"[A-Za-z0-9_-]+={0,2}")
UNSAFE = re.compile(r"[\s\\\x00-\x1f\x7f]")
AUTHORITY = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://[^/?#]*")  # what urlsplit reads as scheme and netloc


class Refused(ValueError):
    """An endpoint or key the service will not accept; `code` names the rule, the message says why."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


@dataclass(frozen=True)
class Allowlist:
    """Push-service hosts (https, port 443, the host or a subdomain) and exact origins (`scheme://host:port`)."""

    hosts: frozenset[str]
    origins: frozenset[tuple[str, str, int]]

    @classmethod
    def build(cls, extra: Iterable[str] = ()) -> Allowlist:
        """The vendors' push services plus `extra` entries (PRACTICA_PUSH_ALLOW_HOSTS syntax)."""
        hosts, origins = set(PUSH_SERVICES), set()
        for entry in extra:
            if "://" in entry:
                origins.add(_origin_entry(entry))
            elif HOSTNAME.fullmatch(entry.lower()):
                hosts.add(entry.lower())
            else:
                raise Refused("bad_allow_entry", f"allowlist entry {entry!r} is neither a host name nor scheme://host:port")
        return cls(frozenset(hosts), frozenset(origins))

    def check(self, endpoint: str) -> str:
        """The endpoint, if a browser push service may have issued it; otherwise Refused says why."""
        scheme, host, port = _parts(endpoint)
        if (scheme, host, port) in self.origins:
            return endpoint
        if scheme != "https":
            raise Refused("endpoint_not_https", "the endpoint must be an https URL")
        if _is_ip(host):
            raise Refused("endpoint_not_allowed", "the endpoint's host is an IP address, not a push service")
        if port != 443:
            raise Refused("endpoint_not_allowed", f"the endpoint's port {port} is not allowed")
        if not any(host == known or host.endswith("." + known) for known in self.hosts):
            raise Refused("endpoint_not_allowed", f"the endpoint's host {host!r} is not a known push service")
        return endpoint


class CheckedOrigins:
    """`Allowlist.check` for a sender's many sends: a full check once per endpoint origin, then string checks only.

    Whether an endpoint is allowed depends on its whole text (length, characters, no fragment) and on its scheme
    and authority; only origins that passed the full check are remembered, so any doubt means a full check.
    """

    def __init__(self, allowlist: Allowlist, limit: int = 1024) -> None:
        self.allowlist, self.limit = allowlist, limit
        self._allowed: dict[str, str] = {}

    def origin(self, endpoint: str) -> str:
        """The endpoint's origin (the VAPID `aud`) if the allowlist accepts the endpoint; otherwise Refused."""
        head = AUTHORITY.match(endpoint)
        found = self._allowed.get(head.group(0)) if head else None
        if found is not None and len(endpoint) <= MAX_ENDPOINT and endpoint.isascii() \
                and "#" not in endpoint and not UNSAFE.search(endpoint):
            return found
        found = origin(self.allowlist.check(endpoint))
        if head:
            if len(self._allowed) >= self.limit:
                self._allowed.clear()
            self._allowed[head.group(0)] = found
        return found


def origin(endpoint: str) -> str:
    """The endpoint's origin as RFC 6454 serialises it (default ports omitted): the VAPID `aud`."""
    scheme, host, port = _parts(endpoint)
    default = {"https": 443, "http": 80}[scheme]
    shown = f"[{host}]" if ":" in host else host
    return f"{scheme}://{shown}" if port == default else f"{scheme}://{shown}:{port}"


def _parts(endpoint: str) -> tuple[str, str, int]:
    """Scheme, lower-case host and port of a push endpoint, refusing anything a parser could read two ways."""
    if len(endpoint) > MAX_ENDPOINT:
        raise Refused("endpoint_invalid", f"the endpoint is longer than {MAX_ENDPOINT} characters")
    if not endpoint.isascii() or UNSAFE.search(endpoint):
        raise Refused("endpoint_invalid", "the endpoint contains spaces, backslashes or non-ASCII characters")
    try:
        url = urlsplit(endpoint)
        port = url.port
    except ValueError:
        raise Refused("endpoint_invalid", "the endpoint is not a valid URL") from None
    if url.scheme not in ("https", "http") or not url.netloc:
        raise Refused("endpoint_not_https", "the endpoint must be an https URL")
    if "@" in url.netloc or url.username is not None:
        raise Refused("endpoint_not_allowed", "the endpoint must not contain user information (user@host)")
    if url.fragment or "#" in endpoint:
        raise Refused("endpoint_invalid", "the endpoint must not have a #fragment")
    host = (url.hostname or "").lower()
    if not (HOSTNAME.fullmatch(host) or _is_ip(host)):
        raise Refused("endpoint_not_allowed", f"the endpoint's host {host!r} is not a plain DNS name")
    return url.scheme, host, port or {"https": 443, "http": 80}[url.scheme]


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return bool(NUMERIC_HOST.fullmatch(host))  # 127.1, 2130706433, 0x7f.0.0.1: resolvers read these as IPs
    return True


def _origin_entry(entry: str) -> tuple[str, str, int]:
    url = urlsplit(entry.rstrip("/"))
    try:
        port = url.port
    except ValueError:
        port = None
    if url.scheme not in ("http", "https") or not url.hostname or url.path or url.username or port is None:
        raise Refused("bad_allow_entry", f"allowlist entry {entry!r} must be scheme://host:port exactly")
    return url.scheme, url.hostname.lower(), port


def decode_b64url(text: str) -> bytes:
    """Bytes of base64url text, padded or not; Refused for anything else."""
    if not B64URL.fullmatch(text):
        raise Refused("invalid_key", "not base64url text")
    try:
        return urlsafe_b64decode(text.rstrip("=") + "=" * (-len(text.rstrip("=")) % 4))
    except (binascii.Error, ValueError):
        raise Refused("invalid_key", "not base64url text") from None


def b64url(data: bytes) -> str:
    """Unpadded base64url, the form browsers use for keys."""
    return urlsafe_b64encode(data).decode().rstrip("=")


def check_p256dh(text: str) -> str:
    """The canonical form of a browser's public key: a 65-byte uncompressed P-256 point that is on the curve."""
    raw = decode_b64url(text)
    if len(raw) != 65 or raw[0] != 4:
        raise Refused("invalid_key", f"p256dh must be a 65-byte uncompressed P-256 point (got {len(raw)} bytes)")
    try:
        ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), raw)
    except ValueError:
        raise Refused("invalid_key", "p256dh is not a point on the P-256 curve") from None
    return b64url(raw)


def check_auth(text: str) -> str:
    """The canonical form of a subscription's auth secret: 16 bytes."""
    raw = decode_b64url(text)
    if len(raw) != 16:
        raise Refused("invalid_key", f"auth must be 16 bytes (got {len(raw)})")
    return b64url(raw)


def same_secret(given: str, stored: str) -> bool:
    """Whether two auth secrets are equal, in time that does not depend on where they differ."""
    try:
        canonical = check_auth(given)
    except Refused:
        canonical = ""
    return hmac.compare_digest(canonical.encode(), stored.encode())
