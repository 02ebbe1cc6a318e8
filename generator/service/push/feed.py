"""Read the site's `feed.json` (a path or a URL) and check it against the feed contract in ARCHITECTURE.md."""

from __future__ import annotations

import json
import re
import urllib.error
import urllib.request
from collections import Counter
from pathlib import Path
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from ... import __version__
from ...errors import PracticaError
from ..models import Check, Feed, FeedItem, FeedState, ItemType, Ref, SkillRef

MAX_FEED_BYTES = 32 * 1024 * 1024
MAX_REFS = 100  # a skill's or an item's experts and topics: ids only, a bounded list
MAX_URL = 2000  # a notification must fit in 3,993 bytes with its URL whole
ID = re.compile(r"urn:practica:(lesson|video|faq|path):[a-z0-9][a-z0-9_.-]*")


class FeedError(PracticaError):
    """The feed could not be read or does not follow the contract; nothing was ingested."""


def _absolute_url(value: str) -> str:
    if not re.fullmatch(r"https?://\S+", value) or len(value) > MAX_URL:
        raise ValueError(f"must be an absolute http(s) URL of at most {MAX_URL} characters")
    return value


AbsoluteUrl = Annotated[str, AfterValidator(_absolute_url)]


class _Named(BaseModel):
    id: str = Field(pattern=r"^[a-z0-9][a-z0-9_.-]*$")
    name: str = Field(min_length=1)
    url: AbsoluteUrl
    email: str | None = Field(None, max_length=254)  # people only: the contact email their profile shows
    stewards: list[str] = []  # topics only: the person ids who moderate its conversations
    available_for: list[str] = Field([], max_length=10)  # people only: questions, mentoring, reviews
    topics: list[str] = Field([], max_length=MAX_REFS)  # people only: their communities


class _Skill(BaseModel):
    id: str = Field(pattern=r"^[a-z0-9][a-z0-9_.-]*$")
    name: str = Field(min_length=1)
    url: AbsoluteUrl
    topics: list[str] = Field([], max_length=MAX_REFS)
    experts: list[str] = Field([], max_length=MAX_REFS)


class _SiteExtension(BaseModel):
    version: int
    site_url: AbsoluteUrl
    topics: list[_Named]
    people: list[_Named]
    skills: list[_Skill] = []  # optional: feeds from before "Ask an expert" have none

    @field_validator("version")
    @classmethod
    def _known(cls, value: int) -> int:
        if value != 1:
            raise ValueError(f"feed contract version {value} is not supported (this service reads version 1)")
        return value


class _Check(BaseModel):
    question: str = Field(min_length=1, max_length=2000)
    options: list[str] = Field(min_length=2, max_length=6)
    answer: int = Field(ge=1, le=6)

    @model_validator(mode="after")
    def _answer_is_an_option(self) -> _Check:
        if self.answer > len(self.options):
            raise ValueError(f"answer {self.answer} is not one of the {len(self.options)} options")
        return self


class _ItemExtension(BaseModel):
    type: ItemType
    topics: list[str] = []
    people: list[str] = []
    experts: list[str] = Field([], max_length=MAX_REFS)  # optional: who to ask about it, best first
    check: list[_Check] = Field([], max_length=50)  # lessons: their knowledge check (learning records)


class _Item(BaseModel):
    id: str = Field(pattern=f"^{ID.pattern}$")
    url: AbsoluteUrl
    title: str = Field(min_length=1)
    summary: str | None = None
    ext: _ItemExtension = Field(alias="_practica")


class _Feed(BaseModel):
    model_config = ConfigDict(extra="ignore")

    version: str = Field(pattern=r"^https://jsonfeed\.org/version/1(\.1)?$")
    title: str
    icon: str | None = None
    language: str = Field("en", pattern=r"^[A-Za-z]{2,8}(-[A-Za-z0-9]{1,8})*$")
    ext: _SiteExtension = Field(alias="_practica")
    items: list[_Item]


def read_feed(source: str) -> Feed:
    """The feed at `source` (http(s) URL or file path), validated; FeedError lists every problem."""
    text = _fetch(source) if re.match(r"https?://", source) else _read(Path(source))
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise FeedError(f"{source}: not JSON ({exc.msg} at line {exc.lineno})") from None
    return parse_feed(data, source)


def parse_feed(data: Any, source: str = "feed.json") -> Feed:
    """A Feed from decoded JSON; FeedError names each field that breaks the contract."""
    try:
        raw = _Feed.model_validate(data)
    except ValidationError as exc:
        problems = [f"  {_where(e['loc'])}: {e['msg']}" for e in exc.errors()[:20]]
        raise FeedError(f"{source} does not follow the feed contract:\n" + "\n".join(problems)) from None
    _unique(source, "items", [i.id for i in raw.items])
    _unique(source, "_practica.topics", [t.id for t in raw.ext.topics])
    _unique(source, "_practica.people", [p.id for p in raw.ext.people])
    _unique(source, "_practica.skills", [s.id for s in raw.ext.skills])
    state = FeedState(title=raw.title, site_url=raw.ext.site_url, icon=raw.icon,
                      topics={t.id: Ref(t.id, t.name, t.url, None, tuple(t.stewards)) for t in raw.ext.topics},
                      people={p.id: Ref(p.id, p.name, p.url, p.email, (), tuple(p.available_for), tuple(p.topics))
                              for p in raw.ext.people},
                      pages=frozenset(filter(None, (site_path(raw.ext.site_url, i.url) for i in raw.items))),
                      skills={s.id: SkillRef(s.id, s.name, s.url, tuple(s.topics), tuple(s.experts))
                              for s in raw.ext.skills},
                      language=raw.language,
                      checks={i.id: tuple(Check(c.question, tuple(c.options), c.answer) for c in i.ext.check)
                              for i in raw.items if i.ext.check})
    items = tuple(FeedItem(id=i.id, type=i.ext.type, url=i.url, title=i.title, summary=i.summary or "",
                           topics=tuple(i.ext.topics), people=tuple(i.ext.people), experts=tuple(i.ext.experts))
                  for i in raw.items)
    return Feed(state, items)


def site_path(site_url: str, url: str) -> str | None:
    """`learn/x/` for `https://…/learn/x/` under `site_url`, as the site's pages name themselves; None if outside."""
    base = site_url if site_url.endswith("/") else site_url + "/"
    path = url.split("#", 1)[0].split("?", 1)[0]
    if not path.startswith(base):
        return None
    return path[len(base):] or None


def _fetch(url: str) -> bytes:
    request = urllib.request.Request(url, headers={"User-Agent": f"practica-push/{__version__}",
                                                   "Accept": "application/feed+json, application/json"})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            body: bytes = response.read(MAX_FEED_BYTES + 1)
    except (urllib.error.URLError, OSError) as exc:
        raise FeedError(f"could not fetch {url}: {getattr(exc, 'reason', exc)}") from None
    if len(body) > MAX_FEED_BYTES:
        raise FeedError(f"{url} is larger than {MAX_FEED_BYTES // 2**20} MB")
    return body


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise FeedError(f"could not read {path}: {exc.strerror}; build the site first, or pass its URL") from None


def _where(loc: tuple[int | str, ...]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else f".{part}" if out else str(part)
    return out or "(top level)"


def _unique(source: str, where: str, ids: list[str]) -> None:
    twice = sorted(i for i, n in Counter(ids).items() if n > 1)
    if twice:
        raise FeedError(f"{source}: {where} has duplicate ids: {', '.join(twice[:5])}")
