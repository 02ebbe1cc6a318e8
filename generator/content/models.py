"""Front matter of every content type: one typed definition per field.

These models are the single source of truth for what a contributor may write; the JSON Schemas that
editors use (`practica schema`) and the validator's messages are both derived from them.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    WithJsonSchema,
    model_validator,
)

from .. import languages

SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
# An icon of the theme's set (`material/chart-line`, `fontawesome/brands/github`, `simple/hive_blockchain`):
# names only, so no `..` or `/`-rooted path can reach a file outside the set.
ICON_RE = re.compile(r"^[a-z0-9_-]+(?:/[a-z0-9_-]+)+$")
_DURATION_RE = re.compile(r"^\s*(\d+)\s*(day|week|month|year)s?\s*$")
_DAYS_PER_UNIT = {"day": 1, "week": 7, "month": 30, "year": 365}

Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
Slug = Annotated[
    str,
    StringConstraints(strip_whitespace=True, pattern=SLUG_RE.pattern),
    Field(description="An id: lowercase letters, digits and single hyphens, e.g. `data-analytics`."),
]
PersonRef = Annotated[Slug, Field(description="A person's id: the file name in `people/` without `.md`.")]
TopicRef = Annotated[Slug, Field(description="A community's id: the file name in `topics/` without `.md`.")]
ItemRef = Annotated[Slug, Field(description="The id of a lesson, video, FAQ or path (its file name).")]
Url = Annotated[str, StringConstraints(strip_whitespace=True, pattern=r"^https://\S+$")]
Level = Literal["beginner", "intermediate", "advanced"]
Status = Literal["draft", "published", "archived"]


def _one_or_many(value: object) -> object:
    """Accept `authors: ada` as well as `authors: [ada]`."""
    return [value] if isinstance(value, str) else value


def _nonempty(value: list[str]) -> list[str]:
    if not value:
        raise ValueError("List should have at least 1 item after validation, not 0")
    return value


def _one_or_many_schema(item: dict[str, object], min_items: int = 0) -> WithJsonSchema:
    """What editors should accept for a list field that also takes a single value."""
    return WithJsonSchema({"anyOf": [item, {"type": "array", "items": item, "minItems": min_items}]})


_SLUG_SCHEMA: dict[str, object] = {"type": "string", "pattern": SLUG_RE.pattern}
_TEXT_SCHEMA: dict[str, object] = {"type": "string", "minLength": 1}
RefList = Annotated[list[PersonRef], BeforeValidator(_one_or_many), _one_or_many_schema(_SLUG_SCHEMA)]
People = Annotated[list[PersonRef], BeforeValidator(_one_or_many), AfterValidator(_nonempty),
                   _one_or_many_schema(_SLUG_SCHEMA, 1)]
Topics = Annotated[list[TopicRef], BeforeValidator(_one_or_many), AfterValidator(_nonempty),
                   _one_or_many_schema(_SLUG_SCHEMA, 1)]
ItemRefs = Annotated[list[ItemRef], BeforeValidator(_one_or_many), _one_or_many_schema(_SLUG_SCHEMA)]
TopicRefs = Annotated[list[TopicRef], BeforeValidator(_one_or_many), _one_or_many_schema(_SLUG_SCHEMA)]
Texts = Annotated[list[Text], BeforeValidator(_one_or_many), _one_or_many_schema(_TEXT_SCHEMA)]
SkillList = Annotated[
    list[Text],
    BeforeValidator(_one_or_many),
    _one_or_many_schema(_TEXT_SCHEMA),
    Field(description="Skills, by name or id; normalised (case, spaces, aliases in skills.yml)."),
]


def _language(tag: str) -> str:
    wrong = languages.problem(tag)
    if wrong:
        raise ValueError(f"{wrong}; write a language tag such as en, ar, fr or pt-BR")
    return languages.normal(tag)


Lang = Annotated[
    str,
    StringConstraints(strip_whitespace=True),
    AfterValidator(_language),
    Field(description="The language it is written in, as a BCP 47 tag (`ar`, `fr`, `pt-BR`); default: the "
          "site's (`theme.language`)."),
]
TranslationOf = Annotated[
    ItemRef,
    Field(description="The id of the item this one translates (same kind, another language); its page and "
          "this one link to each other."),
]


def interval_days(text: str) -> int:
    """Days in an interval such as `6 months`, `1 year`, `90 days`."""
    match = _DURATION_RE.match(text.lower())
    if not match:
        raise ValueError(f"{text!r} is not an interval; write e.g. '90 days', '6 months' or '1 year'")
    return int(match.group(1)) * _DAYS_PER_UNIT[match.group(2)]


def _check_interval(text: str) -> str:
    interval_days(text)
    return text


Interval = Annotated[
    str,
    AfterValidator(_check_interval),
    Field(description="How often it must be re-checked, e.g. `6 months`, `1 year`, `90 days`."),
]


def parse_seconds(value: object) -> int:
    """Seconds in `90`, `12:30` or `1:02:03`."""
    if isinstance(value, bool):
        raise ValueError("a duration is a number of seconds or mm:ss")
    if isinstance(value, int):
        if value < 0:
            raise ValueError("a duration cannot be negative")
        return value
    parts = str(value).strip().split(":")
    if not 1 <= len(parts) <= 3 or not all(p.isdigit() for p in parts):
        raise ValueError(f"{value!r} is not a duration; write seconds (90), mm:ss (12:30) or h:mm:ss")
    seconds = 0
    for part in parts:
        seconds = seconds * 60 + int(part)
    return seconds


Clock = Annotated[
    int,
    BeforeValidator(parse_seconds),
    WithJsonSchema({"anyOf": [{"type": "integer", "minimum": 0},
                              {"type": "string", "pattern": r"^\d+(:\d{1,2}){0,2}$"}]}),
    Field(description="Seconds (`90`), `mm:ss` (`12:30`) or `h:mm:ss`."),
]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Contact(Strict):
    email: Annotated[str, StringConstraints(pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")] | None = None
    chat: Url | None = Field(None, description="A link to a chat with this person (https).")
    office_hours: Text | None = Field(None, description="When people can drop in, e.g. 'Thursdays 14:00–15:00'.")


class Review(Strict):
    by: PersonRef = Field(description="Who checked that this is still right.")
    on: dt.date = Field(description="When they checked it (YYYY-MM-DD).")
    every: Interval | None = None


class Verification(Strict):
    by: PersonRef = Field(description="The expert who verified this answer.")
    on: dt.date = Field(description="When they verified it (YYYY-MM-DD).")


class Channel(Strict):
    name: Text
    url: Url


class Question(Strict):
    question: Text
    options: Annotated[list[Text], Field(min_length=2, max_length=6)]
    answer: int = Field(description="The number of the correct option, counting from 1.")
    explain: Text | None = Field(None, description="Why that answer is right; shown after checking.")


class Chapter(Strict):
    at: Clock
    title: Text


class Step(Strict):
    item: ItemRef
    note: Text | None = None


class PersonMeta(Strict):
    name: Text
    role: Text
    photo: Text | None = Field(None, description="Image path, relative to this file (or /-rooted in content/).")
    motto: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=140)] | None = None
    expertise: SkillList = []
    topics: TopicRefs = []
    team: Text | None = None
    location: Text | None = None
    timezone: Text | None = None
    contact: Contact | None = None
    available_for: list[Literal["questions", "mentoring", "reviews"]] = []
    languages: Texts = []
    handle: Annotated[str, StringConstraints(pattern=r"^@?[A-Za-z0-9][A-Za-z0-9-]*(/[A-Za-z0-9_.-]+)?$")] | None = (
        Field(None, description="Git host handle (e.g. `@ada-l`), used for review requests in CODEOWNERS.")
    )


class TopicMeta(Strict):
    name: Text
    summary: Text
    stewards: RefList
    goal: Text | None = None
    channels: list[Channel] = []
    meets: Text | None = Field(None, description="When and where it meets, e.g. 'Lunch & learn, Tuesdays 12:30'.")
    icon: Annotated[str, StringConstraints(strip_whitespace=True, pattern=ICON_RE.pattern)] | None = Field(
        None, description="A Material icon name, e.g. `material/chart-line`.")
    color: Annotated[str, StringConstraints(pattern=r"^#[0-9a-fA-F]{6}$")] | None = None


class GuidelinesMeta(Strict):
    """Community guidelines: `content/guidelines.md` (the site's) or `content/guidelines/<topic id>.md` (one
    community's own, shown for its discussions instead of the site's)."""

    title: Text = Field(description="The page's title, e.g. 'How we talk here'.")
    summary: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=400)] = Field(
        description="A few sentences shown above the box for a person's first post, with a link to the page "
        "(plain text, at most 400 characters).")


class ItemMeta(Strict):
    """Fields shared by lessons, videos and FAQs."""

    date: dt.date | None = Field(None, description="Published on; defaults to the file's first git commit.")
    status: Status = "published"
    review: Review | None = None
    skills: SkillList = []
    lang: Lang | None = None
    translation_of: TranslationOf | None = None

    @property
    def last_check(self) -> Review | Verification | None:
        """Who last checked that it is still right, and when: its verification (FAQs), else its review."""
        return self.review


class AuthoredMeta(ItemMeta):
    """Fields shared by lessons and videos: what it is, where it belongs, who made it."""

    title: Text
    summary: Text
    topics: Topics
    authors: People


class LessonMeta(AuthoredMeta):
    objectives: Annotated[list[Text], Field(min_length=1, max_length=5)]
    level: Level | None = None
    minutes: Annotated[int, Field(ge=1, le=240)] | None = None
    check: list[Question] = []
    reflect: Text | None = None
    action: Text | None = None
    prerequisites: ItemRefs = []


class VideoMeta(AuthoredMeta):
    src: Text = Field(description="A local .mp4/.webm file (relative to this file) or an https URL.")
    duration: Clock
    poster: Text | None = None
    captions: Text | None = Field(None, description="A WebVTT (.vtt) captions file, relative to this file.")
    chapters: list[Chapter] = []
    level: Level | None = None


class FaqMeta(ItemMeta):
    title: Text = Field(description="The question, as a reader would ask it.")
    topics: Topics
    answered_by: People
    asked_by: Text | None = Field(None, description="Who asked, in words (e.g. 'a new analyst'); optional.")
    verified: Verification | None = None
    related: ItemRefs = []

    @property
    def last_check(self) -> Review | Verification | None:
        return self.verified or self.review


class PathMeta(Strict):
    title: Text
    summary: Text
    curated_by: People
    steps: Annotated[list[Step], Field(min_length=1)]
    topics: TopicRefs = []
    audience: Text | None = None
    action_plan: Texts = []
    date: dt.date | None = None
    status: Status = "published"
    lang: Lang | None = None
    translation_of: TranslationOf | None = None


class FeatureDef(Strict):
    """One entry of featured.yml: an item or path shown first on the home page and/or community hubs."""

    item: ItemRef
    where: Annotated[list[Slug], BeforeValidator(_one_or_many), _one_or_many_schema(_SLUG_SCHEMA, 1),
                     Field(description="`home`, and/or community ids whose hubs feature it.")] = ["home"]
    start: dt.date | None = Field(None, description="First day it is featured (YYYY-MM-DD).")
    end: dt.date | None = Field(None, description="Last day it is featured (YYYY-MM-DD).")
    note: Text | None = Field(None, description="Why it is featured, shown next to it.")

    @model_validator(mode="after")
    def _ordered(self) -> FeatureDef:
        if self.start and self.end and self.end < self.start:
            raise ValueError("'end' is before 'start'")
        return self

    def active(self, today: dt.date) -> bool:
        return (self.start is None or self.start <= today) and (self.end is None or today <= self.end)


class SkillDef(Strict):
    id: Slug
    name: Text
    aliases: list[Text] = []



EventStatus = Literal["scheduled", "cancelled"]


def _local(value: object) -> object:
    """`2026-12-08 12:00` (YAML gives a string, or a datetime when seconds are written): a naive local time.
    An offset (`Z`, `+01:00`) is refused: the event's `timezone` says where the time is."""
    if isinstance(value, dt.datetime):
        parsed = value
    elif isinstance(value, str):
        try:
            parsed = dt.datetime.fromisoformat(value.strip().replace(" ", "T", 1))
        except ValueError:
            raise ValueError(f"{value!r} is not a date and time; write e.g. '2026-12-08 12:00'") from None
    else:
        raise ValueError("write a date and time, e.g. '2026-12-08 12:00'")
    if parsed.tzinfo is not None:
        raise ValueError("write the local time without an offset; 'timezone' says which zone it is in")
    return parsed


Local = Annotated[
    dt.datetime,
    BeforeValidator(_local),
    WithJsonSchema({"type": "string", "pattern": r"^\d{4}-\d{2}-\d{2}[ T]\d{1,2}:\d{2}(:\d{2})?$"}),
    Field(description="Local date and time in the event's `timezone`, e.g. `2026-12-08 12:00` (no offset)."),
]


def _minutes_of(value: object) -> object:
    """`60`, `90 minutes`, `1h`, `1h30`, `1:30` → minutes."""
    if isinstance(value, bool):
        raise ValueError("a duration is a number of minutes, e.g. 60, '90 minutes' or '1:30'")
    if isinstance(value, int):
        return value
    text = str(value).strip().lower()
    match = re.fullmatch(r"(\d+)\s*(?:min|mins|minutes?)?", text)
    if match:
        return int(match.group(1))
    match = re.fullmatch(r"(\d+)\s*(?:h|hours?|:)\s*(\d{1,2})?\s*(?:m|min|mins|minutes?)?", text)
    if match:
        return int(match.group(1)) * 60 + int(match.group(2) or 0)
    raise ValueError(f"{value!r} is not a duration; write minutes (60), '90 minutes', '1h30' or '1:30'")


Minutes = Annotated[
    int,
    BeforeValidator(_minutes_of),
    Field(ge=1, le=24 * 60, description="How long it lasts: minutes (`60`), `90 minutes`, `1h30` or `1:30`."),
    WithJsonSchema({"anyOf": [{"type": "integer", "minimum": 1, "maximum": 1440}, {"type": "string"}]}),
]


class Where(Strict):
    room: Text | None = Field(None, description="Where people meet in person, e.g. 'Leeds office, room 2.14'.")
    online: Url | None = Field(None, description="The https link to join online (a video call).")
    note: Text | None = Field(None, description="How to get in, e.g. 'ask at reception'.")

    @model_validator(mode="after")
    def _somewhere(self) -> Where:
        if not self.room and not self.online:
            raise ValueError("give 'room', 'online' (an https link) or both")
        return self


class Repeat(Strict):
    every: Literal["week", "month"] | None = Field(
        None, description="`week` (same weekday and time) or `month` (same day of the month and time).")
    interval: Annotated[int, Field(ge=1, le=12)] = Field(1, description="Every 2 weeks: `every: week`, `interval: 2`.")
    until: dt.date | None = Field(None, description="The last day it may happen (YYYY-MM-DD); required with `every`.")
    dates: Annotated[list[Local], Field(description="Occurrences at these local dates and times instead of a rule.")
                     ] = []
    skip: list[dt.date] = Field([], description="Dates the rule would give that do not happen (YYYY-MM-DD).")


class EventMeta(Strict):
    title: Text
    summary: Text
    topics: Topics
    hosts: People = Field(description="Who hosts it: people ids (files in `people/`).")
    start: Local
    timezone: Text = Field(description="The IANA time zone of `start` and `end`, e.g. `Europe/Berlin`.")
    duration: Minutes | None = None
    end: Local | None = Field(None, description="When the first occurrence ends (local time); or give `duration`.")
    where: Where
    capacity: Annotated[int, Field(ge=1, le=100_000)] | None = Field(None, description="How many can join; "
                                                                     "leave it out for no limit.")
    status: EventStatus = "scheduled"
    status_note: Text | None = Field(None, description="Why it was cancelled (required when `status: cancelled`).")
    recording: ItemRef | None = Field(None, description="The id of the video recorded at the event (a file in "
                                      "`videos/`).")
    related: ItemRefs = []
    repeat: Repeat | None = None
    sequence: Annotated[int, Field(ge=0)] = Field(
        0, description="Raise it by one whenever the times, the zone, the repeat or the status change, so calendars "
        "that already have the event update it (never lower it).")
