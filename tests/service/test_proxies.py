"""Whose X-Forwarded-For is believed: nobody's by default, only PRACTICA_TRUSTED_PROXIES' when set."""

from __future__ import annotations

import asyncio
import ipaddress
import re
from pathlib import Path

import httpx
import pytest

from generator.errors import ConfigError
from generator.service.api.app import create_app
from generator.service.api.guards import client_address
from generator.service.config import load_settings
from generator.service.store.backend import open_store
from generator.service.store.sqlite import SqliteStore

from .conftest import ReceiverClient, api_with, environment, subscription_body

pytestmark = pytest.mark.both_backends

LOCAL = (ipaddress.ip_network("127.0.0.1/32"),)


def _posts(api: httpx.Client, receiver: ReceiverClient, forwarded: list[str]) -> list[int]:
    """Subscribe once per X-Forwarded-For value (a new browser each time); the status codes."""
    subs = receiver.subscribe(len(forwarded))
    return [api.post("/subscriptions", json=subscription_body(sub), headers={"X-Forwarded-For": xff}).status_code
            for sub, xff in zip(subs, forwarded, strict=True)]


def test_over_http_a_spoofed_forwarded_for_does_not_change_the_bucket(tmp_path: Path, vapid_pem: Path,
                                                                      receiver: ReceiverClient) -> None:
    spoofed = [f"203.0.113.{n}" for n in range(1, 6)]
    with api_with(tmp_path / "a.sqlite3", vapid_pem, receiver, rate_limit="3/1h") as (api, store):
        assert _posts(api, receiver, spoofed) == [201, 201, 201, 429, 429]
        assert store.count_subscriptions() == 3


def test_over_http_a_trusted_proxy_names_the_client(tmp_path: Path, vapid_pem: Path,
                                                    receiver: ReceiverClient) -> None:
    with api_with(tmp_path / "b.sqlite3", vapid_pem, receiver, rate_limit="3/1h",
                  trusted_proxies="127.0.0.1/32") as (api, store):
        assert _posts(api, receiver, [f"203.0.113.{n}" for n in range(1, 6)]) == [201] * 5
        # One client behind the proxy is limited on its own, whatever it writes left of the proxy's entry.
        same = [f"198.51.100.{n}, 192.0.2.7" for n in range(1, 5)]
        assert _posts(api, receiver, same) == [201, 201, 201, 429]
        assert store.count_subscriptions() == 8


def _in_process(tmp_path: Path, vapid_pem: Path, receiver: ReceiverClient, trusted: str,
                forwarded: list[str]) -> list[int]:
    """The same requests through the ASGI app in this process, from peer 127.0.0.1."""
    settings = load_settings(environment(tmp_path / f"c{len(trusted)}.sqlite3", vapid_pem, receiver.base,
                                         rate_limit="3/1h", trusted_proxies=trusted), env_file=None)
    store = open_store(settings.db)
    assert isinstance(store, SqliteStore)
    subs = receiver.subscribe(len(forwarded))

    async def run() -> list[int]:
        transport = httpx.ASGITransport(app=create_app(settings, store), client=("127.0.0.1", 40000))
        async with httpx.AsyncClient(transport=transport, base_url="http://push.test/api/v1") as client:
            return [(await client.post("/subscriptions", json=subscription_body(sub),
                                       headers={"X-Forwarded-For": xff})).status_code
                    for sub, xff in zip(subs, forwarded, strict=True)]
    try:
        return asyncio.run(run())
    finally:
        store.close()


def test_in_process_the_bucket_follows_forwarded_for_only_from_a_trusted_peer(
        tmp_path: Path, vapid_pem: Path, receiver: ReceiverClient) -> None:
    spoofed = [f"203.0.113.{n}" for n in range(1, 6)]
    assert _in_process(tmp_path, vapid_pem, receiver, "", spoofed) == [201, 201, 201, 429, 429]
    assert _in_process(tmp_path, vapid_pem, receiver, "127.0.0.0/8", spoofed) == [201] * 5


def _scope(peer: str, *forwarded: str) -> dict[str, object]:
    headers = [(b"x-forwarded-for", value.encode()) for value in forwarded]
    return {"type": "http", "client": (peer, 5000), "headers": headers}


@pytest.mark.parametrize(("peer", "forwarded", "trusted", "expected"), [
    ("198.51.100.9", ["1.2.3.4"], (), "198.51.100.9"),  # nobody trusted: the peer, whatever it says
    ("198.51.100.9", ["1.2.3.4"], LOCAL, "198.51.100.9"),  # an untrusted peer's header is ignored
    ("127.0.0.1", [], LOCAL, "127.0.0.1"),  # a trusted proxy that forwards nothing is the client
    ("127.0.0.1", ["1.2.3.4"], LOCAL, "1.2.3.4"),
    ("127.0.0.1", ["6.6.6.6, 1.2.3.4"], LOCAL, "1.2.3.4"),  # the left part is the client's own writing
    ("127.0.0.1", ["6.6.6.6", "1.2.3.4"], LOCAL, "1.2.3.4"),  # repeated headers read as one list
    ("127.0.0.1", ["1.2.3.4, 10.0.0.2"], (*LOCAL, ipaddress.ip_network("10.0.0.0/8")), "1.2.3.4"),  # two proxies
    ("127.0.0.1", ["127.0.0.1"], LOCAL, "127.0.0.1"),  # only trusted hops: the left-most
    ("127.0.0.1", ["::ffff:1.2.3.4"], LOCAL, "1.2.3.4"),  # one spelling per address
    ("127.0.0.1", ["[2001:DB8::1]"], LOCAL, "2001:db8::1"),
    ("127.0.0.1", ["x" * 500], LOCAL, "x" * 64),  # garbage is kept short
    ("127.0.0.1", [" , ,"], LOCAL, "127.0.0.1"),
])
def test_client_address(peer: str, forwarded: list[str], trusted: tuple[ipaddress.IPv4Network, ...],
                        expected: str) -> None:
    assert client_address(_scope(peer, *forwarded), trusted) == expected


@pytest.mark.parametrize("value", ["10.0.0.1/8", "localhost", "127.0.0.1/33", "10.0.0.0/8;rm"])
def test_bad_trusted_proxies_are_named(value: str) -> None:
    with pytest.raises(ConfigError, match=f"Config 'PRACTICA_TRUSTED_PROXIES' has value {re.escape(repr(value))}"):
        load_settings({"PRACTICA_TRUSTED_PROXIES": value}, env_file=None)


def test_trusted_proxies_parse() -> None:
    settings = load_settings({"PRACTICA_TRUSTED_PROXIES": "127.0.0.1, 10.0.0.0/8 ::1/128"}, env_file=None)
    assert [str(n) for n in settings.trusted_proxies] == ["127.0.0.1/32", "10.0.0.0/8", "::1/128"]
    assert load_settings({}, env_file=None).trusted_proxies == ()
