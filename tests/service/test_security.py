"""The endpoint allowlist and key checks, rule by rule (the API tests show they guard every route)."""

from __future__ import annotations

import os

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from generator.service.security import (
    Allowlist,
    CheckedOrigins,
    Refused,
    b64url,
    check_auth,
    check_p256dh,
    origin,
    same_secret,
)

pytestmark = pytest.mark.both_backends

ALLOW = Allowlist.build(["http://127.0.0.1:8123", "push.example.net"])

REAL_ENDPOINTS = [
    "https://fcm.googleapis.com/fcm/send/dKx8:APA91bH",
    "https://updates.push.services.mozilla.com/wpush/v2/gAAAAABk",
    "https://wns2-par02p.notify.windows.com/w/?token=BQYAAAD",
    "https://web.push.apple.com/QGuQyavXutnMH3ZmHRvKyX",
    "https://fcm.googleapis.com:443/fcm/send/x",
    "http://127.0.0.1:8123/push/abc",  # an exact origin entry (what the tests use)
    "https://push.example.net/x",  # an extra host entry …
    "https://eu.push.example.net/x",  # … and its subdomains
]

HOSTILE = [
    ("http://fcm.googleapis.com/fcm/send/x", "endpoint_not_https"),
    ("ftp://fcm.googleapis.com/x", "endpoint_not_https"),
    ("https://169.254.169.254/.google.com/", "endpoint_not_allowed"),
    ("https://169.254.169.254/fcm.googleapis.com", "endpoint_not_allowed"),
    ("https://10.0.0.5/push", "endpoint_not_allowed"),
    ("https://[::1]/push", "endpoint_not_allowed"),
    ("https://2130706433/push", "endpoint_not_allowed"),
    ("https://0x7f.0.0.1/push", "endpoint_not_allowed"),
    ("https://localhost/push", "endpoint_not_allowed"),
    ("https://metadata.google.internal/computeMetadata/v1/", "endpoint_not_allowed"),
    ("https://fcm.googleapis.com.evil.com/fcm/send/x", "endpoint_not_allowed"),
    ("https://evilfcm.googleapis.com/x", "endpoint_not_allowed"),
    ("https://googleapis.com/x", "endpoint_not_allowed"),
    ("https://fcm.googleapis.com@evil.com/x", "endpoint_not_allowed"),
    ("https://user:pw@fcm.googleapis.com/x", "endpoint_not_allowed"),
    ("https://evil.com\\@fcm.googleapis.com/x", "endpoint_invalid"),
    ("https://evil.com#@fcm.googleapis.com/x", "endpoint_invalid"),
    ("https://fcm.googleapis.com%2eevil.com/x", "endpoint_not_allowed"),
    ("https://fcm.googleapis.com./x", "endpoint_not_allowed"),
    ("https://fcm.googleapis.com:8443/x", "endpoint_not_allowed"),
    ("https://fcm.googleapis.com:99999/x", "endpoint_invalid"),
    ("https://fcm.googleapis.com/x#frag", "endpoint_invalid"),
    ("https://fcm.googlеapis.com/x", "endpoint_invalid"),  # a Cyrillic "е"
    ("https://fcm.googleapis.com/\nx", "endpoint_invalid"),
    ("http://127.0.0.1:8124/push/abc", "endpoint_not_https"),  # not the allowed port
    ("https://127.0.0.1:8123/push/abc", "endpoint_not_allowed"),  # not the allowed scheme
    ("https://" + "a" * 3000 + ".fcm.googleapis.com/", "endpoint_invalid"),
]


@pytest.mark.parametrize("endpoint", REAL_ENDPOINTS)
def test_push_service_endpoints_are_accepted(endpoint: str) -> None:
    assert ALLOW.check(endpoint) == endpoint


@pytest.mark.parametrize(("endpoint", "code"), HOSTILE)
def test_hostile_endpoints_are_refused_with_a_reason(endpoint: str, code: str) -> None:
    with pytest.raises(Refused) as refused:
        ALLOW.check(endpoint)
    assert refused.value.code == code
    assert str(refused.value)


# Hostile only after the origin: a sender that has already accepted this origin must still refuse them.
HOSTILE_PATHS = [
    ("https://fcm.googleapis.com/" + "a" * 3000, "endpoint_invalid"),
    ("https://fcm.googleapis.com/x\\y", "endpoint_invalid"),
    ("https://fcm.googleapis.com/x y", "endpoint_invalid"),
    ("https://fcm.googleapis.com/é", "endpoint_invalid"),
    ("https://fcm.googleapis.com/x#frag", "endpoint_invalid"),
    ("https://fcm.googleapis.com?#", "endpoint_invalid"),
]


def test_remembered_origins_give_the_allowlists_answer() -> None:
    origins = CheckedOrigins(ALLOW)
    for _ in range(2):  # the first time checked in full, then remembered
        assert [origins.origin(e) for e in REAL_ENDPOINTS] == [origin(e) for e in REAL_ENDPOINTS]


@pytest.mark.parametrize(("endpoint", "code"), HOSTILE + HOSTILE_PATHS)
def test_remembered_origins_still_refuse_hostile_endpoints(endpoint: str, code: str) -> None:
    origins = CheckedOrigins(ALLOW)
    for allowed in REAL_ENDPOINTS:
        origins.origin(allowed)
    with pytest.raises(Refused) as refused:
        origins.origin(endpoint)
    assert refused.value.code == code


def test_bare_allowlist_knows_only_the_vendors() -> None:
    plain = Allowlist.build()
    with pytest.raises(Refused):
        plain.check("http://127.0.0.1:8123/push/abc")
    assert plain.check(REAL_ENDPOINTS[0])


@pytest.mark.parametrize("entry", ["127.0.0.1:8123", "http://127.0.0.1", "http://h:1/path", "not a host"])
def test_allowlist_entries_must_be_a_host_or_an_exact_origin(entry: str) -> None:
    with pytest.raises(Refused):
        Allowlist.build([entry])


def test_vapid_audience_is_the_serialised_origin() -> None:
    assert origin("https://fcm.googleapis.com:443/fcm/send/x") == "https://fcm.googleapis.com"
    assert origin("http://127.0.0.1:8123/push/a") == "http://127.0.0.1:8123"


def _point() -> bytes:
    return ec.generate_private_key(ec.SECP256R1()).public_key().public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)


def test_keys_are_accepted_padded_or_not_and_stored_unpadded() -> None:
    point, auth = _point(), os.urandom(16)
    assert check_p256dh(b64url(point)) == b64url(point)
    assert check_p256dh(b64url(point) + "=") == b64url(point)
    assert check_auth(b64url(auth) + "==") == b64url(auth)


@pytest.mark.parametrize("bad", [
    b64url(b"\x04" + os.urandom(63)),  # 64 bytes
    b64url(b"\x02" + os.urandom(32)),  # a compressed point
    b64url(b"\x04" + b"\x01" * 64),  # the right length, not on the curve
    "not base64!",
    "",
])
def test_malformed_p256dh_is_refused(bad: str) -> None:
    with pytest.raises(Refused) as refused:
        check_p256dh(bad)
    assert refused.value.code == "invalid_key"


@pytest.mark.parametrize("bad", [b64url(os.urandom(15)), b64url(os.urandom(32)), "***", ""])
def test_malformed_auth_is_refused(bad: str) -> None:
    with pytest.raises(Refused):
        check_auth(bad)


def test_secrets_compare_on_their_bytes_not_their_spelling() -> None:
    auth = b64url(os.urandom(16))
    assert same_secret(auth, auth) and same_secret(auth + "==", auth)
    assert not same_secret(b64url(os.urandom(16)), auth)
    assert not same_secret("garbage", auth)
