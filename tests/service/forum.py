"""A running community service with conversations, for the tests: a feed with items, communities and their
stewards, and readers signed in with JWTs from a JWKS served by the test (the identity tests' KeyServer and
Signer), over real HTTP on a real SQLite file."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import httpx

from generator.service.api.app import create_app
from generator.service.config import ServiceSettings, load_settings
from generator.service.push.feed import parse_feed
from generator.service.push.ingest import ingest
from generator.service.push.schedule import Rules
from generator.service.store.backend import open_store
from generator.service.store.base import Store
from generator.service.store.sqlite import SqliteStore

from .conftest import T0, ReceiverClient, environment, feed, item, serving
from .test_identity import HEADER, KeyServer, Signer, jwt_settings

SQL_JOINS = "urn:practica:lesson:sql-joins"
PHISHING = "urn:practica:video:phishing"
STEWARDS = {"data": ["ada"], "security": ["grace"], "ux": []}
# Who signs in: the site's people by their contact email, and Robert, who has no profile.
READERS = {
    "ada": {"sub": "sso|ada-1", "email": "ada@example.org", "name": "Ada L."},
    "grace": {"sub": "sso|grace-2", "email": "grace@example.org", "name": "Grace H."},
    "alan": {"sub": "sso|alan-3", "email": "alan@example.org", "name": "Alan T."},
    "robert": {"sub": "sso|robert-4", "email": "robert@example.org", "name": "Robert Example"},
    "mallory": {"sub": "sso|mallory-5", "email": "mallory@example.org", "name": "Mallory"},
}
_keys = itertools.count(1)


def talk_feed(*extra: dict[str, Any]) -> dict[str, Any]:
    """The site's feed: two items, three communities with their stewards, people with contact emails."""
    data = feed(item("sql-joins", topics=("data",)), item("phishing", "video", topics=("security",)), *extra)
    for topic in data["_practica"]["topics"]:
        topic["stewards"] = STEWARDS[topic["id"]]
    for person in data["_practica"]["people"]:
        person["email"] = f"{person['id']}@example.org"
    return data


def new_key() -> str:
    return f"test-key-{next(_keys):08d}"


@dataclass
class Forum:
    """The API (…/api/v1) with helpers to act as a reader."""

    api: httpx.Client
    store: SqliteStore
    settings: ServiceSettings
    signer: Signer
    tokens: dict[str, str] = field(default_factory=dict)

    def who(self, name: str | None) -> dict[str, str]:
        if name is None:
            return {}
        if name not in self.tokens:
            self.tokens[name] = self.signer.token(**READERS[name])
        return {HEADER: self.tokens[name]}

    def get(self, path: str, as_: str | None, **params: Any) -> httpx.Response:
        return self.api.get(path, headers=self.who(as_), params=params)

    def send(self, method: str, path: str, as_: str | None, body: Any = None) -> httpx.Response:
        return self.api.request(method, path, headers=self.who(as_), json=body)

    def on_item(self, as_: str, body: str, item_id: str = SQL_JOINS, key: str | None = None) -> httpx.Response:
        return self.send("POST", "/threads", as_, {"item": item_id, "body": body,
                                                     "idempotency_key": key or new_key()})

    def ask(self, as_: str, title: str, body: str, community: str = "data", type: str = "question",
            key: str | None = None) -> httpx.Response:
        return self.send("POST", "/threads", as_, {"community": community, "type": type, "title": title,
                                                     "body": body, "idempotency_key": key or new_key()})

    def reply(self, as_: str, tid: int, body: str, parent: int | None = None, key: str | None = None
              ) -> httpx.Response:
        return self.send("POST", f"/threads/{tid}/posts", as_, {"body": body, "parent": parent,
                                                                 "idempotency_key": key or new_key()})

    def thread(self, tid: int, as_: str | None) -> dict[str, Any]:
        response = self.get(f"/threads/{tid}", as_)
        assert response.status_code == 200, response.text
        return dict(response.json())


def ok(response: httpx.Response, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    return response.json() if response.content else None


def refused(response: httpx.Response, status: int, code: str, field: str | None = None) -> None:
    """The one error shape, with this status, code and field."""
    assert response.status_code == status, response.text
    body = response.json()
    assert body == {"error": {"code": code, "message": body["error"]["message"], "field": field}}, body
    assert body["error"]["message"]


def posts_of(discussion: dict[str, Any]) -> list[dict[str, Any]]:
    """Every post of a discussion, replies after their post."""
    return [p for top in discussion["posts"] for p in (top, *top["replies"])]


@contextmanager
def running(place: Path | str, pem: Path, receiver: ReceiverClient, db: str = "talk.sqlite3", **extra: str
            ) -> Iterator[Forum]:
    """The service in jwt mode with `extra` settings, the talk feed ingested; its data in `place`: a folder (the
    SQLite file `db` in it) or a PostgreSQL URL (conftest's `place` fixture)."""
    keys = KeyServer()
    signer = Signer("talk-key")
    keys.keys = [signer.public_jwk()]
    where = place if isinstance(place, str) else place / db
    settings = load_settings(environment(where, pem, receiver.base, **(jwt_settings(keys) | extra)), env_file=None)
    store = open_store(settings.db)
    assert isinstance(store, SqliteStore)
    try:
        ingest_talk_feed(store)
        with serving(create_app(settings, store)) as base, httpx.Client(base_url=f"{base}/api/v1", timeout=30) as api:
            yield Forum(api, store, settings, signer)
    finally:
        store.close()
        keys.close()


def ingest_talk_feed(store: Store) -> None:
    ingest(store, parse_feed(talk_feed()), T0, Rules())


class Walk(HTMLParser):
    """Every element and attribute of an HTML fragment, and its text."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []
        self.feed(html)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append((tag, dict(attrs)))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append((tag, dict(attrs)))

    def handle_data(self, data: str) -> None:
        self.text.append(data)
