"""Read the site's `feed.json` (a path or a URL) and check it against the feed contract in ARCHITECTURE.md."""

from __future__ import annotations

import datetime as dt
import json
import re
import urllib.error
import urllib.request
from collections import Counter
from pathlib import Path
from typing import Annotated, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from ... import __version__
from ...errors import PracticaError
from ..models import Check, Event, Feed, FeedItem, FeedState, ItemType, Occurrence, OccurrenceStatus, Ref, SkillRef

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


EVENT_ID = r"[a-z0-9][a-z0-9_.-]{0,99}"
OCCURRENCE_ID = re.compile(rf"({EVENT_ID})@(\d{{4}}-\d{{2}}-\d{{2}})")
MAX_OCCURRENCES = 1000  # a weekly series of twenty years


def _utc_text(value: str) -> str:
    try:
        _utc_time(value)
    except ValueError:
        raise ValueError("must be a UTC time like 2026-12-08T11:00:00Z") from None
    return value


def _utc_time(value: str) -> dt.datetime:
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?Z", value):
        raise ValueError(value)
    return dt.datetime.fromisoformat(value.replace("Z", "+00:00"))


def _zone(value: str) -> str:
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"{value!r} is not an IANA time zone") from None
    return value


class _Occurrence(BaseModel):
    id: str = Field(pattern=f"^{OCCURRENCE_ID.pattern}$")
    start: Annotated[str, AfterValidator(_utc_text)]
    end: Annotated[str, AfterValidator(_utc_text)]
    status: OccurrenceStatus
    url: AbsoluteUrl


class _Event(BaseModel):
    id: str = Field(pattern=f"^{EVENT_ID}$")
    url: AbsoluteUrl
    title: str = Field(min_length=1, max_length=1000)
    summary: str | None = Field(None, max_length=20_000)
    topics: list[str] = Field([], max_length=MAX_REFS)
    hosts: list[str] = Field([], max_length=MAX_REFS)
    timezone: Annotated[str, AfterValidator(_zone)]
    capacity: int | None = Field(None, ge=1, le=1_000_000)
    sequence: int = Field(0, ge=0, le=2**31)
    occurrences: list[_Occurrence] = Field(max_length=MAX_OCCURRENCES)

    @model_validator(mode="after")
    def _consistent(self) -> _Event:
        for n, occurrence in enumerate(self.occurrences):
            if not occurrence.id.startswith(self.id + "@"):
                raise ValueError(f"occurrences[{n}].id {occurrence.id!r} must start with the event's id and @")
            if _utc_time(occurrence.end) <= _utc_time(occurrence.start):
                raise ValueError(f"occurrences[{n}] ends before it starts")
        return self


class _SiteExtension(BaseModel):
    version: int
    site_url: AbsoluteUrl
    topics: list[_Named]
    people: list[_Named]
    skills: list[_Skill] = []  # optional: feeds from before "Ask an expert" have none
    events: list[_Event] = []  # optional: feeds from before events have none

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
    _unique(source, "_practica.events", [e.id for e in raw.ext.events])
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
    events = tuple(Event(e.id, e.url, e.title, e.summary or "", tuple(e.topics), tuple(e.hosts), e.timezone,
                         e.capacity, e.sequence,
                         tuple(Occurrence(o.id, _utc_time(o.start), _utc_time(o.end), o.status, o.url)
                               for o in e.occurrences))
                   for e in raw.ext.events)
    _unique(source, "_practica.events[].occurrences", [o.id for e in events for o in e.occurrences])
    return Feed(state, items, events)


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
