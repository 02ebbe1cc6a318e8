"""Who a reader is, in each PRACTICA_AUTH_MODE, over real HTTP: a JWKS served by this test (with a key
rotation), tokens good and bad, an identity header from a trusted and an untrusted address, and demo mode
only on loopback."""

from __future__ import annotations

import asyncio
import datetime as dt
import http.server
import json
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from jwt.algorithms import ECAlgorithm, RSAAlgorithm

from generator.errors import ConfigError
from generator.service.api.app import create_app
from generator.service.config import load_settings
from generator.service.identity import jwks
from generator.service.identity.jwks import KeySet
from generator.service.push.feed import parse_feed
from generator.service.push.ingest import ingest
from generator.service.push.schedule import Rules
from generator.service.store.backend import open_store
from generator.service.store.sqlite import SqliteStore

from .conftest import T0, ReceiverClient, environment, feed, serving

pytestmark = pytest.mark.both_backends

ISSUER = "https://sso.example.org"
AUDIENCE = "practica-test"
HEADER = "Cf-Access-Jwt-Assertion"
EMAILS = {"ada": "Ada.Lovelace@example.org", "grace": "grace@example.org"}


class KeyServer:
    """A JWKS endpoint on 127.0.0.1 whose keys the test can rotate; counts its fetches."""

    def __init__(self) -> None:
        self.keys: list[dict[str, Any]] = []
        self.fetches = 0
        owner = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                owner.fetches += 1
                body = json.dumps({"keys": owner.keys}).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/jwks.json"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


class Signer:
    """A key pair as an identity provider holds it: signs tokens, publishes its public half."""

    def __init__(self, kid: str, curve: bool = False) -> None:
        self.kid = kid
        self.alg = "ES256" if curve else "RS256"
        self.private: Any = ec.generate_private_key(ec.SECP256R1()) if curve else \
            rsa.generate_private_key(public_exponent=65537, key_size=2048)

    def public_jwk(self) -> dict[str, Any]:
        algorithm = ECAlgorithm.to_jwk if self.alg == "ES256" else RSAAlgorithm.to_jwk
        data: dict[str, Any] = json.loads(algorithm(self.private.public_key()))
        return data | {"kid": self.kid, "use": "sig", "alg": self.alg}

    def token(self, **claims: Any) -> str:
        now = int(time.time())
        body = {"sub": "u-1001", "email": "Ada.Lovelace@example.org", "name": "Ada Lovelace", "iss": ISSUER,
                "aud": AUDIENCE, "iat": now, "exp": now + 600} | claims
        return jwt.encode({k: v for k, v in body.items() if v is not None}, self.private, algorithm=self.alg,
                          headers={"kid": self.kid})


def _ingest_people(store: SqliteStore) -> None:
    data = feed()
    for person in data["_practica"]["people"]:
        if person["id"] in EMAILS:
            person["email"] = EMAILS[person["id"]]
    ingest(store, parse_feed(data), T0, Rules())


@contextmanager
def service(tmp_path: Path, pem: Path, receiver: ReceiverClient, **extra: str) -> Iterator[httpx.Client]:
    settings = load_settings(environment(tmp_path / "identity.sqlite3", pem, receiver.base, **extra), env_file=None)
    store = open_store(settings.db)
    assert isinstance(store, SqliteStore)
    _ingest_people(store)
    try:
        with serving(create_app(settings, store)) as base, httpx.Client(base_url=f"{base}/api/v1") as client:
            yield client
    finally:
        store.close()


@pytest.fixture
def keys() -> Iterator[KeyServer]:
    server = KeyServer()
    yield server
    server.close()


@pytest.fixture
def signer(keys: KeyServer) -> Signer:
    first = Signer("k1")
    keys.keys = [first.public_jwk()]
    return first


def jwt_settings(keys: KeyServer) -> dict[str, str]:
    return {"auth_mode": "jwt", "auth_jwt_header": HEADER, "auth_jwks": keys.url, "auth_issuer": ISSUER,
            "auth_audience": AUDIENCE, "auth_leeway": "30s"}


def reader(client: httpx.Client, token: str | None = None, **headers: str) -> httpx.Response:
    sent = headers | ({HEADER: token} if token is not None else {})
    return client.get("/auth", headers=sent)


def refused(response: httpx.Response, code: str, status: int = 401) -> None:
    assert response.status_code == status, response.text
    assert response.json()["error"]["code"] == code, response.text


def test_a_valid_token_names_the_reader_and_their_profile(tmp_path: Path, vapid_pem: Path, receiver: ReceiverClient,
                                                          keys: KeyServer, signer: Signer) -> None:
    with service(tmp_path, vapid_pem, receiver, **jwt_settings(keys)) as client:
        anonymous = reader(client).json()
        assert anonymous == {"mode": "jwt", "reader": None, "demo_people": []}
        found = reader(client, signer.token(email="ada.lovelace@EXAMPLE.org")).json()
        assert found["reader"] == {"name": "Ada Lovelace", "email": "ada.lovelace@EXAMPLE.org", "person": "ada",
                                   "demo": False}
        stranger = reader(client, signer.token(sub="u-2", email="someone@example.org", name=None)).json()
        assert stranger["reader"] == {"name": None, "email": "someone@example.org", "person": None, "demo": False}


@pytest.mark.parametrize(("claims", "code"), [
    ({"exp": int(time.time()) - 3600}, "sign_in_expired"),
    ({"aud": "another-app"}, "sign_in_invalid"),
    ({"iss": "https://evil.example.org"}, "sign_in_invalid"),
    ({"sub": None}, "sign_in_invalid"),
    ({"exp": None}, "sign_in_invalid"),
    ({"nbf": int(time.time()) + 3600}, "sign_in_invalid"),
])
def test_tokens_that_do_not_hold_up_are_refused(tmp_path: Path, vapid_pem: Path, receiver: ReceiverClient,
                                                keys: KeyServer, signer: Signer, claims: dict[str, Any],
                                                code: str) -> None:
    with service(tmp_path, vapid_pem, receiver, **jwt_settings(keys)) as client:
        refused(reader(client, signer.token(**claims)), code)


def test_forged_tokens_are_refused(tmp_path: Path, vapid_pem: Path, receiver: ReceiverClient, keys: KeyServer,
                                   signer: Signer) -> None:
    impostor = Signer("k1")  # same key id, another key
    now = int(time.time())
    claims = {"sub": "u-1001", "iss": ISSUER, "aud": AUDIENCE, "exp": now + 600, "iat": now}
    public_pem = signer.private.public_key().public_bytes(serialization.Encoding.PEM,
                                                          serialization.PublicFormat.SubjectPublicKeyInfo)
    unsigned = jwt.encode(claims, "", algorithm="none", headers={"kid": "k1"})  # "": PyJWT's typed "no key"
    forged = {
        "wrong key": impostor.token(),
        "alg none": unsigned,
        "alg none, signature stripped": signer.token().rsplit(".", 1)[0] + ".",
        "HS256 keyed with the public key": _hs256(claims, public_pem),
        "not a JWT": "hello",
        "an unknown key id": Signer("k9").token(),
    }
    with service(tmp_path, vapid_pem, receiver, **jwt_settings(keys)) as client:
        for what, token in forged.items():
            response = reader(client, token)
            assert response.status_code == 401, (what, response.text)
            assert response.json()["error"]["code"] == "sign_in_invalid", (what, response.text)
            assert response.json()["error"]["field"] == HEADER.lower()
        assert reader(client, signer.token()).json()["reader"]["person"] == "ada"  # the real one still works


def _hs256(claims: dict[str, Any], secret: bytes) -> str:
    """An HMAC token keyed with the RSA public key: the algorithm-confusion attack (PyJWT refuses to make one)."""
    import base64
    import hashlib
    import hmac

    def part(data: dict[str, Any]) -> str:
        return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()
    signing = f"{part({'alg': 'HS256', 'typ': 'JWT', 'kid': 'k1'})}.{part(claims)}"
    mac = hmac.new(secret, signing.encode(), hashlib.sha256).digest()
    return f"{signing}.{base64.urlsafe_b64encode(mac).rstrip(b'=').decode()}"


def test_a_rotated_key_is_fetched_at_once(tmp_path: Path, vapid_pem: Path, receiver: ReceiverClient,
                                          keys: KeyServer, signer: Signer) -> None:
    with service(tmp_path, vapid_pem, receiver, **jwt_settings(keys)) as client:
        assert reader(client, signer.token()).status_code == 200
        assert keys.fetches == 1
        assert reader(client, signer.token()).status_code == 200
        assert keys.fetches == 1, "keys are cached"
        rotated = Signer("k2", curve=True)
        keys.keys = [rotated.public_jwk()]  # the provider rotates: k1 is gone, k2 (EC) signs from now on
        time.sleep(0)  # nothing to wait for: an unknown kid fetches at once (the first fetch was > 0 s ago)
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(jwks, "REFETCH_SECONDS", 0.0)
            assert reader(client, rotated.token(sub="u-2")).json()["reader"]["email"] == "Ada.Lovelace@example.org"
        assert keys.fetches == 2
        refused(reader(client, signer.token()), "sign_in_invalid")  # the retired key no longer signs anyone in


def test_unknown_key_ids_cannot_make_the_service_hammer_the_provider(keys: KeyServer, signer: Signer) -> None:
    clock = [1000.0]
    keyset = KeySet(keys.url, cache_seconds=3600, clock=lambda: clock[0])

    async def ask(kid: str) -> object:
        return await keyset.key(kid)
    assert asyncio.run(ask("k1")) is not None
    for n in range(50):
        assert asyncio.run(ask(f"made-up-{n}")) is None
    assert keys.fetches == 1, "within 30 s of a fetch, an unknown key id is simply unknown"
    clock[0] += 31
    assert asyncio.run(ask("made-up-again")) is None
    assert keys.fetches == 2
    clock[0] += 3600
    keys.keys = []
    assert asyncio.run(ask("k1")) is None and keys.fetches == 3, "stale keys are fetched again"


def test_an_unreachable_provider_keeps_the_keys_held_and_otherwise_says_503(
        tmp_path: Path, vapid_pem: Path, receiver: ReceiverClient, keys: KeyServer, signer: Signer) -> None:
    down = jwt_settings(keys) | {"auth_jwks": "http://127.0.0.1:9/jwks.json"}  # the discard port: refused
    with service(tmp_path, vapid_pem, receiver, **down) as client:
        refused(reader(client, signer.token()), "identity_unavailable", 503)
    clock = [0.0]
    keyset = KeySet(keys.url, cache_seconds=60, clock=lambda: clock[0])
    assert asyncio.run(keyset.key("k1")) is not None
    keys.close()
    clock[0] += 120  # stale, and the provider is gone: the keys held still verify
    assert asyncio.run(keyset.key("k1")) is not None


def test_a_jwks_file_works_too(tmp_path: Path, vapid_pem: Path, receiver: ReceiverClient, keys: KeyServer,
                               signer: Signer) -> None:
    path = tmp_path / "jwks.json"
    path.write_text(json.dumps({"keys": keys.keys}), encoding="utf-8")
    with service(tmp_path, vapid_pem, receiver, **(jwt_settings(keys) | {"auth_jwks": str(path)})) as client:
        assert reader(client, signer.token()).json()["reader"]["person"] == "ada"


def test_the_identity_header_is_believed_only_from_a_trusted_proxy(tmp_path: Path, vapid_pem: Path,
                                                                   receiver: ReceiverClient) -> None:
    header = {"auth_mode": "header", "auth_header": "X-Forwarded-Email", "auth_subject_header": "X-Forwarded-User"}
    sent = {"X-Forwarded-Email": "grace@example.org", "X-Forwarded-User": "oidc|42"}
    with service(tmp_path, vapid_pem, receiver, **header, trusted_proxies="127.0.0.1/32") as client:
        assert reader(client, **sent).json()["reader"] == {"name": None, "email": "grace@example.org",
                                                          "person": "grace", "demo": False}
        refused(reader(client, **{"X-Forwarded-Email": "<script>@x"}), "sign_in_invalid")
    with service(tmp_path, vapid_pem, receiver, **header, trusted_proxies="10.0.0.0/8") as client:
        assert reader(client, **sent).json() == {"mode": "header", "reader": None, "demo_people": []}


def test_the_header_mode_needs_a_trusted_proxy_and_jwt_mode_its_settings() -> None:
    with pytest.raises(ConfigError, match="PRACTICA_TRUSTED_PROXIES"):
        load_settings({"PRACTICA_AUTH_MODE": "header", "PRACTICA_AUTH_HEADER": "X-Forwarded-Email"}, env_file=None)
    with pytest.raises(ConfigError, match="PRACTICA_AUTH_JWKS' is missing"):
        load_settings({"PRACTICA_AUTH_MODE": "jwt", "PRACTICA_AUTH_JWT_HEADER": HEADER}, env_file=None)
    for algorithms in ("HS256", "none", "RS256,HS512", ""):
        with pytest.raises(ConfigError, match="PRACTICA_AUTH_ALGORITHMS"):
            load_settings({"PRACTICA_AUTH_ALGORITHMS": algorithms}, env_file=None)
    with pytest.raises(ConfigError, match="PRACTICA_AUTH_JWKS"):
        load_settings({"PRACTICA_AUTH_MODE": "jwt", "PRACTICA_AUTH_JWT_HEADER": HEADER, "PRACTICA_AUTH_ISSUER": ISSUER,
                       "PRACTICA_AUTH_AUDIENCE": AUDIENCE, "PRACTICA_AUTH_JWKS": "http://sso.example.org/jwks"},
                      env_file=None)
    with pytest.raises(ConfigError, match="PRACTICA_AUTH_MODE"):
        load_settings({"PRACTICA_AUTH_MODE": "trust-me"}, env_file=None)
    with pytest.raises(ConfigError, match="Authorization"):
        load_settings({"PRACTICA_AUTH_MODE": "jwt", "PRACTICA_AUTH_JWT_HEADER": "Authorization",
                       "PRACTICA_AUTH_ISSUER": ISSUER, "PRACTICA_AUTH_AUDIENCE": AUDIENCE,
                       "PRACTICA_AUTH_JWKS": "/tmp/jwks.json"}, env_file=None)


def test_demo_mode_names_any_site_person_and_nobody_else(tmp_path: Path, vapid_pem: Path,
                                                         receiver: ReceiverClient) -> None:
    with service(tmp_path, vapid_pem, receiver, auth_mode="demo") as client:
        listing = reader(client).json()
        assert listing["mode"] == "demo" and listing["reader"] is None
        assert {p["id"] for p in listing["demo_people"]} == {"ada", "grace", "alan"}
        assert "email" not in listing["demo_people"][0]
        assert reader(client, **{"X-Practica-Demo-Person": "grace"}).json()["reader"] == {
            "name": "Grace Hopper", "email": "grace@example.org", "person": "grace", "demo": True}
        refused(reader(client, **{"X-Practica-Demo-Person": "mallory"}), "unknown_person")
        refused(reader(client, **{"X-Practica-Demo-Person": "../../etc/passwd"}), "unknown_person")


def test_demo_identities_come_only_from_this_machine(tmp_path: Path, vapid_pem: Path,
                                                     receiver: ReceiverClient) -> None:
    settings = load_settings(environment(tmp_path / "d.sqlite3", vapid_pem, receiver.base, auth_mode="demo"),
                             env_file=None)
    store = open_store(settings.db)
    assert isinstance(store, SqliteStore)
    _ingest_people(store)

    async def from_peer(address: str) -> httpx.Response:
        transport = httpx.ASGITransport(app=create_app(settings, store), client=(address, 40000))
        async with httpx.AsyncClient(transport=transport, base_url="http://service.test/api/v1") as client:
            return await client.get("/auth", headers={"X-Practica-Demo-Person": "ada"})
    try:
        assert asyncio.run(from_peer("127.0.0.1")).json()["reader"]["person"] == "ada"
        refused(asyncio.run(from_peer("192.0.2.10")), "demo_not_local")
    finally:
        store.close()


def test_serve_refuses_demo_mode_on_a_public_address(tmp_path: Path, vapid_pem: Path,
                                                     receiver: ReceiverClient) -> None:
    env = environment(tmp_path / "s.sqlite3", vapid_pem, receiver.base, auth_mode="demo")
    result = subprocess.run([sys.executable, "-m", "generator.cli", "push", "serve", "--host", "0.0.0.0",
                             "--port", "0"], env={"PATH": "/usr/bin:/bin", **env, "PYTHONPATH": str(Path.cwd())},
                            capture_output=True, text=True, timeout=60, cwd=tmp_path)
    assert result.returncode != 0
    assert "PRACTICA_AUTH_MODE=demo" in result.stderr and "loopback" in result.stderr, result.stderr
    assert "Traceback" not in result.stderr


def test_a_token_is_checked_with_bounded_clock_skew(tmp_path: Path, vapid_pem: Path, receiver: ReceiverClient,
                                                    keys: KeyServer, signer: Signer) -> None:
    now = int(dt.datetime.now(dt.UTC).timestamp())
    with service(tmp_path, vapid_pem, receiver, **jwt_settings(keys)) as client:
        assert reader(client, signer.token(exp=now - 10)).status_code == 200, "10 s late is within 30 s of skew"
        refused(reader(client, signer.token(exp=now - 120)), "sign_in_expired")
