"""VAPID (RFC 8292): the key pair that identifies this service, and one signed token per push-service origin.

pywebpush's own `webpush()` mutates the claims dict it is given (adding `aud` and `exp`), so one dict
reused across push services sends the wrong audience; this module signs per origin and caches instead.
"""

from __future__ import annotations

import json
import logging
import os
import threading
import time
from collections.abc import Callable
from pathlib import Path

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature

from ...errors import ConfigError
from ..config import Secret
from ..security import b64url, decode_b64url, origin

log = logging.getLogger("practica.push.vapid")
PRIVATE_FILE = "vapid_private.pem"
PUBLIC_FILE = "vapid_public.txt"
MAX_LIFETIME = 24 * 3600


class VapidKey:
    """The service's P-256 key pair. Its repr never shows the private key."""

    def __init__(self, private: ec.EllipticCurvePrivateKey) -> None:
        self._private = private

    @classmethod
    def generate(cls) -> VapidKey:
        return cls(ec.generate_private_key(ec.SECP256R1()))

    @classmethod
    def load(cls, setting: Secret) -> VapidKey:
        """From PEM text, a PEM file's path, or a raw 32-byte base64url scalar; ConfigError if none fits."""
        value = setting.reveal().strip()
        try:
            if value.startswith("-----BEGIN"):
                return cls._from_pem(value.encode())
            if Path(value).is_file():
                return cls._from_pem(Path(value).read_bytes())
            scalar = int.from_bytes(decode_b64url(value), "big")
            return cls(ec.derive_private_key(scalar, ec.SECP256R1()))
        except (ValueError, TypeError):
            raise ConfigError("Config 'PRACTICA_PUSH_VAPID_PRIVATE_KEY' is not a P-256 private key (PEM text, "
                              "a PEM file's path, or base64url); run `practica push keys` to make one") from None

    @classmethod
    def _from_pem(cls, pem: bytes) -> VapidKey:
        key = serialization.load_pem_private_key(pem, password=None)
        if not isinstance(key, ec.EllipticCurvePrivateKey) or key.curve.name != "secp256r1":
            raise ValueError("not a P-256 key")
        return cls(key)

    @property
    def public_key(self) -> str:
        """The uncompressed public point, base64url: the browser's `applicationServerKey`."""
        raw = self._private.public_key().public_bytes(
            serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)
        return b64url(raw)

    def private_pem(self) -> bytes:
        return self._private.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption())

    def sign(self, claims: dict[str, object]) -> str:
        """A compact ES256 JWT of `claims` (signature is r‖s, 64 bytes, as JWS requires — not DER)."""
        header = b64url(json.dumps({"typ": "JWT", "alg": "ES256"}, separators=(",", ":")).encode())
        body = b64url(json.dumps(claims, separators=(",", ":")).encode())
        signing_input = f"{header}.{body}".encode()
        r, s = decode_dss_signature(self._private.sign(signing_input, ec.ECDSA(hashes.SHA256())))
        return f"{header}.{body}.{b64url(r.to_bytes(32, 'big') + s.to_bytes(32, 'big'))}"

    def __repr__(self) -> str:
        return f"VapidKey(public_key={self.public_key!r})"


class VapidSigner:
    """The `Authorization: vapid t=…, k=…` header for an endpoint, signed once per origin and reused while valid."""

    def __init__(self, key: VapidKey, subject: str, lifetime: float = 12 * 3600,
                 clock: Callable[[], float] = time.time) -> None:
        if not 0 < lifetime <= MAX_LIFETIME:
            raise ValueError("a VAPID token may live at most 24 hours")
        self.key, self.subject, self.lifetime, self.clock = key, subject, lifetime, clock
        self.signatures = 0
        self._cache: dict[str, tuple[str, float]] = {}
        self._lock = threading.Lock()

    def header(self, endpoint: str) -> str:
        """Authorization header for `endpoint`; `aud` is its origin, `exp` at most `lifetime` ahead."""
        return self.for_origin(origin(endpoint))

    def for_origin(self, aud: str) -> str:
        """Authorization header for endpoints whose origin is `aud` (as `security.origin` serialises it)."""
        now = self.clock()
        with self._lock:
            cached = self._cache.get(aud)
            # Re-sign well before expiry so a token never expires between signing and the push service reading it.
            if cached is None or cached[1] - now < min(3600.0, self.lifetime / 4):
                exp = int(now + self.lifetime)
                token = self.key.sign({"aud": aud, "exp": exp, "sub": self.subject})
                cached = self._cache[aud] = (f"vapid t={token}, k={self.key.public_key}", exp)
                self.signatures += 1
                log.debug("signed a VAPID token for %s, valid until %d", aud, exp)
            return cached[0]


def write_keys(folder: Path, force: bool = False) -> tuple[Path, Path, VapidKey]:
    """Create a key pair in `folder`: the private key PEM (mode 0600) and the public key text."""
    folder.mkdir(parents=True, exist_ok=True)
    private, public = folder / PRIVATE_FILE, folder / PUBLIC_FILE
    if private.exists() and not force:
        raise ConfigError(f"{private} already exists; a new key unsubscribes every browser, so pass --force "
                          "only if you mean it")
    key = VapidKey.generate()
    tmp = folder / f".{PRIVATE_FILE}.{os.getpid()}.tmp"
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as out:
        out.write(key.private_pem())
    os.replace(tmp, private)
    public.write_text(key.public_key + "\n", encoding="utf-8")
    return private, public, key
