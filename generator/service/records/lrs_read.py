"""Reading learning records back from the LRS (`practica push export-learning`, its default source when
PRACTICA_XAPI_ENDPOINT is set): GET {endpoint}statements?verb=<IRI> for each verb the figures need, every page
(`more`), with the service's Basic credentials and `X-Experience-API-Version: 1.0.3`.

Bounded and careful with what comes back: at most `pages` pages per verb and `seconds` in all, at most `PAGE_BYTES`
per page, a `more` link followed only on the endpoint's own origin, and the verb and object checked here as well
(some LRSs ignore filters: Ralph's file-system backend never matches `activity`), so the figures are right with any
LRS. The actor is reduced to an opaque key of its identifier; names are never read."""

from __future__ import annotations

import asyncio
import hashlib
import json
import time
from collections.abc import Iterable
from typing import Any
from urllib.parse import urljoin, urlsplit

import aiohttp

from ...errors import PracticaError
from ..config import XapiSettings
from .export import Seen
from .sender import Lrs
from .vocab import VERBS

READ = ("experienced", "completed", "answered", "initialized")  # what the figures count
PAGES = 200  # pages per verb
SECONDS = 120.0  # for the whole read
PAGE_BYTES = 20_000_000  # one page of statements
LIMIT = 500  # statements asked for per page
IDENTIFIERS = ("mbox", "mbox_sha1sum", "openid", "account")  # an Agent's inverse functional identifiers


class LrsReadError(PracticaError):
    """The LRS could not be read, or answered something that is not a statements page; the message says which."""


def read_statements(xapi: XapiSettings, *, pages: int = PAGES, seconds: float = SECONDS,
                    verbs: Iterable[str] = READ) -> list[Seen]:
    """Every statement the LRS holds with one of `verbs` (not voided), as `Seen`; LrsReadError if it cannot."""
    return asyncio.run(_read(xapi, tuple(verbs), pages, seconds))


async def _read(xapi: XapiSettings, verbs: tuple[str, ...], pages: int, seconds: float) -> list[Seen]:
    deadline = time.monotonic() + seconds
    found: list[Seen] = []
    try:
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=seconds)) as session:
            lrs = Lrs(xapi, session)
            for name in verbs:
                found += await _verb(lrs, xapi.endpoint, name, pages, deadline, seconds)
    except TimeoutError:
        raise LrsReadError(_too_long(seconds)) from None
    except aiohttp.ClientError as exc:
        raise LrsReadError(f"the LRS at {xapi.endpoint} is unreachable: {exc or type(exc).__name__}") from None
    return found


async def _verb(lrs: Lrs, endpoint: str, name: str, pages: int, deadline: float, seconds: float) -> list[Seen]:
    iri = VERBS[name]
    url: str | None = lrs.url
    params: dict[str, str] | None = {"verb": iri, "limit": str(LIMIT)}
    found: list[Seen] = []
    for _ in range(pages):
        if url is None:
            return found
        if time.monotonic() > deadline:
            raise LrsReadError(_too_long(seconds))
        page = await _page(lrs, url, params)
        found += [s for s in (_seen(one, name, iri) for one in page["statements"]) if s]
        url, params = _more(endpoint, page.get("more")), None
    if url is not None:
        raise LrsReadError(f"the LRS has more than {pages} pages of '{name}' statements: the figures would be "
                           "incomplete, so none were written")
    return found


async def _page(lrs: Lrs, url: str, params: dict[str, str] | None) -> dict[str, Any]:
    headers = {k: v for k, v in lrs.headers.items() if k != "Content-Type"}
    async with lrs.session.get(url, params=params, headers=headers, allow_redirects=False) as response:
        if response.status in (401, 403):
            raise LrsReadError(f"the LRS refused the credentials ({response.status}): check "
                               "PRACTICA_XAPI_USERNAME and PRACTICA_XAPI_PASSWORD (the user needs read rights)")
        body = bytearray()
        async for chunk in response.content.iter_chunked(65536):
            body.extend(chunk)
            if len(body) > PAGE_BYTES:
                break
        if response.status != 200:
            raise LrsReadError(f"the LRS answered {response.status} to GET {url}: "
                               + " ".join(bytes(body[:200]).decode(errors="replace").split()))
    if len(body) > PAGE_BYTES:
        raise LrsReadError(f"the LRS answered a page over {PAGE_BYTES // 1_000_000} MB to GET {url}: not read")
    try:
        page = json.loads(body)
    except ValueError as exc:
        raise LrsReadError(f"the LRS answered GET {url} with invalid JSON ({exc})") from None
    if not isinstance(page, dict) or not isinstance(page.get("statements"), list) or \
            not isinstance(page.get("more", ""), str | None):
        raise LrsReadError(f"the LRS answered GET {url} with JSON that is not a StatementResult "
                           "(an object with a 'statements' list and a 'more' link)")
    return page


def _too_long(seconds: float) -> str:
    return (f"reading the LRS took longer than the time limit ({seconds:g} s): try again later, or export from this "
            "service's records with --local")


def _more(endpoint: str, more: str | None) -> str | None:
    """The next page's URL, resolved against the endpoint; only on the endpoint's origin (scheme, host, port)."""
    if not more:
        return None
    url = urljoin(endpoint, more)
    there, here = urlsplit(url), urlsplit(endpoint)
    if (there.scheme, there.netloc) != (here.scheme, here.netloc):
        raise LrsReadError(f"the LRS's 'more' link leads to another origin ({there.scheme}://{there.netloc}, not "
                           f"{here.scheme}://{here.netloc}): not followed, so the credentials stay with the LRS")
    return url


def _seen(statement: Any, name: str, iri: str) -> Seen | None:
    """The statement as the figures need it; None if it is not one of `iri` about an activity (filters an LRS
    ignored), or has no actor identifier."""
    if not isinstance(statement, dict):
        return None
    verb, obj, actor = statement.get("verb"), statement.get("object"), statement.get("actor")
    if not (isinstance(verb, dict) and verb.get("id") == iri and isinstance(obj, dict)
            and isinstance(obj.get("id"), str) and isinstance(actor, dict)):
        return None
    ident = {k: actor[k] for k in IDENTIFIERS if k in actor}
    if not ident:
        return None
    key = hashlib.sha256(json.dumps(ident, sort_keys=True).encode()).hexdigest()
    result = statement.get("result")
    definition = obj.get("definition")
    names = definition.get("name") if isinstance(definition, dict) else None
    title = next(iter(names.values()), "") if isinstance(names, dict) and names else ""
    return Seen(name, obj["id"], key, isinstance(result, dict) and result.get("success") is True,
                str(statement.get("id") or hashlib.sha256(json.dumps(statement, sort_keys=True).encode()).hexdigest()),
                str(title))
