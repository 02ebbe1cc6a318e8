"""Who sent a request, in the mode PRACTICA_AUTH_MODE chooses (ARCHITECTURE.md, "Identity"):

- `jwt`: a signed assertion in a header set by the SSO proxy, checked against the provider's keys, issuer,
  audience and expiry; the stable key is its `sub`.
- `header`: an email header set by a proxy, believed only when the socket's peer is a trusted proxy.
- `demo`: the reader picks a demo person (`X-Practica-Demo-Person`); only from loopback peers, and `serve`
  refuses to listen anywhere else in this mode.
- `none`: nobody is signed in; the static site is still fully readable.

Each mode is a callable `identify(headers, peer, from_proxy, people)` → Principal, None (no identity sent), or
IdentityRefused (an identity that does not hold up)."""

from __future__ import annotations

import ipaddress
import logging
import re
from collections.abc import Mapping
from typing import Protocol

import jwt

from ..config import AuthSettings
from ..models import Ref
from .jwks import KeySet, KeysUnavailable
from .principal import IdentityRefused, Principal

log = logging.getLogger("practica.identity")
DEMO_HEADER = "X-Practica-Demo-Person"
EMAIL_RE = re.compile(r"[^@\s<>\"',;]{1,64}@[^@\s<>\"',;]{1,190}\.[^@\s<>\"',;.]{1,63}")
MAX_TEXT = 200


class Identify(Protocol):
    @property
    def mode(self) -> str: ...

    @property
    def header(self) -> str | None:
        """The request header an identity comes in (for error messages and CORS)."""

    async def __call__(self, headers: Mapping[str, str], peer: str, from_proxy: bool,
                       people: Mapping[str, Ref]) -> Principal | None: ...


def for_settings(auth: AuthSettings) -> Identify:
    """The identify callable of the configured mode."""
    if auth.mode == "jwt":
        return JwtIdentity(auth)
    if auth.mode == "header":
        return HeaderIdentity(auth)
    if auth.mode == "demo":
        return DemoIdentity()
    return NoIdentity()


def person_with_email(people: Mapping[str, Ref], email: str | None) -> str | None:
    """The site's person whose contact email is `email` (case does not matter), if any."""
    if not email:
        return None
    wanted = email.casefold()
    return next((ref.id for ref in people.values() if ref.email and ref.email.casefold() == wanted), None)


_CONTROLS = re.compile("[\x00-\x1f\x7f-\x9f]")  # NUL included: no database keeps it in text


def _text(value: object) -> str | None:
    """A claim or header as a short single-line text, or None."""
    if not isinstance(value, str):
        return None
    cleaned = " ".join(_CONTROLS.sub(" ", value).split())[:MAX_TEXT]
    return cleaned or None


def _email(value: object) -> str | None:
    text = _text(value)
    return text if text and EMAIL_RE.fullmatch(text) else None


class NoIdentity:
    mode, header = "none", None

    async def __call__(self, headers: Mapping[str, str], peer: str, from_proxy: bool,
                       people: Mapping[str, Ref]) -> Principal | None:
        return None


class DemoIdentity:
    """Whoever the reader says they are, among the site's people; for `make demo` on one machine only."""

    mode, header = "demo", DEMO_HEADER

    async def __call__(self, headers: Mapping[str, str], peer: str, from_proxy: bool,
                       people: Mapping[str, Ref]) -> Principal | None:
        chosen = headers.get(DEMO_HEADER.lower(), "").strip()
        if not chosen:
            return None
        if not _loopback(peer):
            raise IdentityRefused("demo_not_local", "demo identities are accepted only on this machine")
        ref = people.get(chosen)
        if ref is None:
            raise IdentityRefused("unknown_person", f"there is no demo person {chosen[:60]!r} on the site: pick "
                                  "one of GET /api/v1/auth's demo_people")
        return Principal(f"demo:{ref.id}", ref.email, ref.name, "demo", ref.id)


class HeaderIdentity:
    """The email a trusted proxy (e.g. oauth2-proxy's X-Forwarded-Email) puts in a header."""

    mode = "header"

    def __init__(self, auth: AuthSettings) -> None:
        self.header, self.subject_header, self.name_header = auth.header, auth.subject_header, auth.name_header

    async def __call__(self, headers: Mapping[str, str], peer: str, from_proxy: bool,
                       people: Mapping[str, Ref]) -> Principal | None:
        value = headers.get(self.header.lower())
        if value is None:
            return None
        if not from_proxy:
            log.warning("identity header %s from %s ignored: that address is not in PRACTICA_TRUSTED_PROXIES",
                        self.header, peer)
            return None
        email = _email(value)
        if email is None:
            raise IdentityRefused("sign_in_invalid", f"the proxy's {self.header} is not an email address")
        subject = _text(headers.get(self.subject_header.lower())) if self.subject_header else None
        name = _text(headers.get(self.name_header.lower())) if self.name_header else None
        return Principal(subject or f"email:{email.casefold()}", email, name, "header",
                         person_with_email(people, email))


class JwtIdentity:
    """A JWT the SSO proxy signs (Cloudflare Access, Pomerium, Google IAP, an OIDC ID token)."""

    mode = "jwt"

    def __init__(self, auth: AuthSettings) -> None:
        self.auth, self.header = auth, auth.jwt_header
        self.keys = KeySet(auth.jwks, auth.jwks_cache)

    async def __call__(self, headers: Mapping[str, str], peer: str, from_proxy: bool,
                       people: Mapping[str, Ref]) -> Principal | None:
        token = headers.get(self.header.lower(), "").strip()
        if not token:
            return None
        token = token.removeprefix("Bearer ").strip()
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError:
            raise IdentityRefused("sign_in_invalid", f"{self.header} is not a JWT") from None
        alg, kid = header.get("alg"), header.get("kid")
        if alg not in self.auth.algorithms:
            raise IdentityRefused("sign_in_invalid", f"{self.header} is signed with {str(alg)[:20]!r}, which this "
                                  "service does not accept (PRACTICA_AUTH_ALGORITHMS)")
        try:
            key = await self.keys.key(kid if isinstance(kid, str) else None)
        except KeysUnavailable as exc:
            raise IdentityRefused("identity_unavailable", str(exc)) from None
        if key is None:
            raise IdentityRefused("sign_in_invalid", f"{self.header} is signed by a key the identity provider "
                                  "does not list")
        try:
            claims = jwt.decode(token, key.key, algorithms=[alg], audience=list(self.auth.audience),
                                issuer=self.auth.issuer, leeway=self.auth.leeway,
                                options={"require": ["exp", "iss", "aud", "sub"]})
        except jwt.ExpiredSignatureError:
            raise IdentityRefused("sign_in_expired", "your sign-in has expired: reload the page to sign in "
                                  "again") from None
        except jwt.InvalidAudienceError:
            raise IdentityRefused("sign_in_invalid", f"{self.header} is meant for another application "
                                  "(its audience)") from None
        except jwt.InvalidIssuerError:
            raise IdentityRefused("sign_in_invalid", f"{self.header} comes from another issuer") from None
        except jwt.PyJWTError as exc:
            raise IdentityRefused("sign_in_invalid", f"{self.header} does not hold up: {exc}") from None
        subject = _text(claims.get("sub"))
        if subject is None:
            raise IdentityRefused("sign_in_invalid", f"{self.header} names nobody (no `sub`)")
        email = _email(claims.get(self.auth.email_claim))
        return Principal(subject, email, _text(claims.get(self.auth.name_claim)), "jwt",
                         person_with_email(people, email))


def _loopback(address: str) -> bool:
    try:
        return ipaddress.ip_address(address.strip("[]")).is_loopback
    except ValueError:
        return False
