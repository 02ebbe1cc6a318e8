"""One-click unsubscribe (RFC 8058): a token names the person and is signed with PRACTICA_SMTP_SECRET, so the
link works without signing in and cannot be forged or pointed at someone else."""

from __future__ import annotations

import base64
import hashlib
import hmac

from ..config import Secret


def token(subject: str, secret: Secret) -> str:
    """`<subject, base64url>.<HMAC-SHA256, base64url>`."""
    name = _b64(subject.encode())
    return f"{name}.{_b64(_mac(name, secret))}"


def subject_of(value: str, secret: Secret) -> str | None:
    """The subject a genuine token names; None for anything else."""
    name, _, mac = value.partition(".")
    if not name or not mac or not hmac.compare_digest(_b64(_mac(name, secret)), mac):
        return None
    try:
        return base64.urlsafe_b64decode(name + "=" * (-len(name) % 4)).decode()
    except (ValueError, UnicodeDecodeError):
        return None


def _mac(name: str, secret: Secret) -> bytes:
    return hmac.new(secret.reveal().encode(), b"practica-unsubscribe:" + name.encode(), hashlib.sha256).digest()


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")
