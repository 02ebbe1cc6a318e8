"""The service's values: subscriptions and their preferences, feed items, outbox rows, the people it keeps
something for, and conversations (threads, posts, flags, the moderation log)."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from base64 import urlsafe_b64encode
from dataclasses import dataclass, field
from functools import cached_property
from typing import Literal
from zoneinfo import ZoneInfo

EmailPref = Literal["off", "replies", "digest"]
ItemType = Literal["lesson", "video", "faq", "path"]
OccurrenceStatus = Literal["scheduled", "cancelled"]
Frequency = Literal["immediate", "daily", "weekly"]
LockScreen = Literal["full", "private"]  # private: notifications name no item, summary or person
ITEM_TYPES: tuple[ItemType, ...] = ("lesson", "video", "faq", "path")
FREQUENCIES: tuple[Frequency, ...] = ("immediate", "daily", "weekly")
LOCK_SCREENS: tuple[LockScreen, ...] = ("full", "private")
UTC = dt.UTC


def utcnow() -> dt.datetime:
    """The current time in UTC, to the second (the store keeps seconds)."""
    return dt.datetime.now(UTC).replace(microsecond=0)


def iso(moment: dt.datetime) -> str:
    """UTC as `YYYY-MM-DDTHH:MM:SSZ`: fixed width, so stored times sort and compare as text."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_iso(text: str) -> dt.datetime:
    """The inverse of `iso`."""
    if len(text) != 20 or text[-1] != "Z":
        raise ValueError(f"{text!r} is not a time as `iso` writes it")
    return dt.datetime.fromisoformat(text)


def subscription_id(endpoint: str) -> str:
    """A subscription's public id: a short hash of its endpoint (also what logs show instead of the URL)."""
    digest = hashlib.sha256(endpoint.encode()).digest()[:12]
    return urlsafe_b64encode(digest).decode().rstrip("=")


@dataclass(frozen=True)
class QuietHours:
    """A daily window, in the subscriber's local time, in which nothing is delivered; may cross midnight."""

    start: dt.time
    end: dt.time


@dataclass(frozen=True)
class Preferences:
    """What a subscriber follows and when they want to hear about it."""

    topics: tuple[str, ...] = ()
    people: tuple[str, ...] = ()
    types: tuple[ItemType, ...] = ()
    frequency: Frequency = "immediate"
    quiet_hours: QuietHours | None = None
    timezone: str = "UTC"
    lock_screen: LockScreen | None = None  # this device's choice; None: its owner's, else the deployment's

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def matches(self, item: FeedItem) -> bool:
        """In a followed topic or by a followed person (following neither means everything), of a chosen type."""
        if self.types and item.type not in self.types:
            return False
        if not self.topics and not self.people:
            return True
        return bool(set(self.topics) & set(item.topics) or set(self.people) & set(item.people))


@dataclass(frozen=True)
class Subscription:
    """A browser's push subscription (endpoint and keys, exactly as the browser gave them) and preferences."""

    endpoint: str
    p256dh: str
    auth: str
    preferences: Preferences = Preferences()
    created_at: dt.datetime = field(default_factory=utcnow)
    updated_at: dt.datetime = field(default_factory=utcnow)
    owner: str | None = None  # the subject of the person it is linked to (set only by `Store.set_owner`)

    @cached_property
    def id(self) -> str:
        return subscription_id(self.endpoint)


@dataclass(frozen=True)
class Ref:
    """A topic or person the feed lists: id, display name, page URL (and a person's contact email, which their
    profile shows too: how a signed-in reader is matched to their profile; and a topic's stewards, the person
    ids who moderate its conversations)."""

    id: str
    name: str
    url: str
    email: str | None = None
    stewards: tuple[str, ...] = ()
    available_for: tuple[str, ...] = ()  # people only: what they are open to (questions, mentoring, reviews)
    topics: tuple[str, ...] = ()  # people only: their communities (where a question asked of them goes)


@dataclass(frozen=True)
class SkillRef:
    """A skill the feed lists with its evidence: its communities (most first) and its experts, ranked as the
    skill's page ranks them."""

    id: str
    name: str
    url: str
    topics: tuple[str, ...] = ()
    experts: tuple[str, ...] = ()


@dataclass(frozen=True)
class FeedItem:
    """One published lesson, video, FAQ or path, as the feed describes it."""

    id: str
    type: ItemType
    url: str
    title: str
    summary: str = ""
    topics: tuple[str, ...] = ()
    people: tuple[str, ...] = ()
    experts: tuple[str, ...] = ()  # who to ask about it, best first (the item page's "Ask an expert")


@dataclass(frozen=True)
class Check:
    """One knowledge-check question of a lesson, as the feed publishes it (`_practica.check`)."""

    question: str
    options: tuple[str, ...]
    answer: int  # the correct option, counting from 1


@dataclass(frozen=True)
class FeedState:
    """What the last ingested feed said about the site: the names subscribers may follow, and how to link."""

    title: str
    site_url: str
    icon: str | None
    topics: dict[str, Ref]
    people: dict[str, Ref]
    pages: frozenset[str] = frozenset()  # item URLs relative to site_url (`learn/x/`): what readers may rate
    skills: dict[str, SkillRef] = field(default_factory=dict)  # who knows what (older feeds: none)
    language: str = "en"  # the site's language (the feed's top-level `language`): learning records' language maps
    checks: dict[str, tuple[Check, ...]] = field(default_factory=dict)  # lessons' knowledge checks by item id


@dataclass(frozen=True)
class IngestedFeed:
    """The feed state the store holds, and when it was ingested."""

    state: FeedState
    ingested_at: dt.datetime


@dataclass(frozen=True)
class Occurrence:
    """One date of an event (the feed's `_practica.events[].occurrences[]`): `id` is `<event id>@<local date>`."""

    id: str
    start: dt.datetime  # UTC
    end: dt.datetime
    status: OccurrenceStatus
    url: str


@dataclass(frozen=True)
class Event:
    """A lunch & learn, meetup or clinic as the feed describes it (ARCHITECTURE.md, "Events"); the service knows
    events only from the feed."""

    id: str
    url: str
    title: str
    summary: str
    topics: tuple[str, ...]
    hosts: tuple[str, ...]
    timezone: str
    capacity: int | None
    sequence: int
    occurrences: tuple[Occurrence, ...]


@dataclass(frozen=True)
class Feed:
    """A validated feed: the site's state plus its items, newest first, and its events (older feeds: none)."""

    state: FeedState
    items: tuple[FeedItem, ...]
    events: tuple[Event, ...] = ()


@dataclass(frozen=True)
class Claim:
    """An outbox row the sender now holds ('sending'): whom to notify, about what, how often tried."""

    id: int
    subscription: Subscription
    slot: str
    attempts: int
    payload: str | None
    items: tuple[FeedItem, ...]
    owner_lock_screen: LockScreen | None = None  # the linked person's choice, if any
    activities: tuple[Activity, ...] = ()  # a row about conversation activity holds these instead of items


@dataclass(frozen=True)
class Finished:
    """What to record for one claimed outbox row: 'sent', 'failed', or 'pending' again (a retry, due at `due`)."""

    id: int
    state: str
    status: int | None
    error: str | None = None
    due: dt.datetime | None = None


@dataclass(frozen=True)
class Vote:
    """A reader's "was this helpful?" answer about one page. `id` is random, made by the browser for this vote
    only (so a resend or a later comment finds it); nothing identifies the reader."""

    id: str
    page: str
    helpful: bool
    comment: str | None
    day: dt.date


@dataclass(frozen=True)
class Commitment:
    """"I'll try this by <day>": what the service keeps to send one follow-up (the reader's note and reflection
    stay on their device). Held by one device (`subscription`) or by a signed-in person (`subject`)."""

    id: str
    subscription: str | None
    subject: str | None
    item: str
    due_at: dt.datetime
    created_at: dt.datetime
    queued_at: dt.datetime | None = None


def new_pseudonym() -> str:
    """A random 128-bit key (urlsafe text) that stands for a person where their name must not appear."""
    return secrets.token_urlsafe(16)


@dataclass(frozen=True)
class Person:
    """A signed-in reader the service keeps something for (a linked device, a preference). Created only by
    such an action; `email`, `name` and `person` are as last seen, `seen_on` a date only."""

    subject: str
    email: str | None
    name: str | None
    person: str | None
    pseudonym: str
    created_at: dt.datetime
    seen_on: dt.date
    lock_screen: LockScreen | None = None
    email_pref: EmailPref = "off"  # reminders by email: off, replies (one mail each) or a daily digest


@dataclass(frozen=True)
class Delivery:
    """One outbox row, as a person's export shows it: when, its state, what it said (once built)."""

    id: int
    subscription_id: str
    state: str
    due_at: dt.datetime
    created_at: dt.datetime
    updated_at: dt.datetime
    attempts: int
    status: int | None
    payload: str | None
    items: tuple[str, ...]  # the feed ids it summarises


@dataclass(frozen=True)
class Erased:
    """What erasing a person removed; their posts were kept without their name, or `removed`
    (PRACTICA_ERASE_POSTS)."""

    devices: int
    notifications: int
    posts: int = 0
    marks: int = 0
    flags: int = 0
    removed: bool = False

    def __str__(self) -> str:
        text = (f"removed the person, {_n(self.devices, 'linked device')} and {_n(self.notifications, 'notification')}"
                " queued or sent to them")
        if self.posts or self.marks or self.flags:
            kept = "removed" if self.removed else "kept as a former colleague's"
            text += f"; {_n(self.posts, 'post')} {kept}, {_n(self.marks, 'helpful mark')} and " \
                    f"{_n(self.flags, 'flag')} removed"
        return text


def _n(count: int, thing: str) -> str:
    return f"{count} {thing}{'s' * (count != 1)}"


# Conversations (ARCHITECTURE.md, "Conversations")

ThreadKind = Literal["item", "board"]  # an item's discussion, or a titled thread on a community's board
ThreadType = Literal["question", "insight", "applied"]
PostState = Literal["visible", "held", "hidden", "deleted"]
FlagReason = Literal["spam", "rude", "off_topic", "personal_data", "wrong", "other"]
ErasePosts = Literal["anonymise", "remove"]
THREAD_TYPES: tuple[ThreadType, ...] = ("question", "insight", "applied")
FLAG_REASONS: tuple[FlagReason, ...] = ("spam", "rude", "off_topic", "personal_data", "wrong", "other")


@dataclass(frozen=True)
class Thread:
    """A discussion: an item's (`target` is its feed id; no type or title) or a board's (`target` is the
    community id). `author` is the subject who opened it, None once erased; `posts` counts the visible ones."""

    id: int
    kind: ThreadKind
    target: str
    type: ThreadType | None
    title: str | None
    author: str | None
    created_at: dt.datetime
    last_post_at: dt.datetime
    pinned: bool = False
    locked: bool = False
    accepted_post_id: int | None = None
    posts: int = 0
    routed: tuple[str, ...] = ()  # an asked question: the site person ids it was routed to, in routing order


@dataclass(frozen=True)
class Post:
    """One post: top level (`parent_id` None) or a reply to a top-level post. `body` is the Markdown-lite source
    (None once deleted); `helpful` counts its "this helped" marks."""

    id: int
    thread_id: int
    parent_id: int | None
    author: str | None
    body: str | None
    state: PostState
    created_at: dt.datetime
    edited_at: dt.datetime | None = None
    hidden_reason: str | None = None
    hidden_by: str | None = None
    steward_note: str | None = None
    steward_note_by: str | None = None
    idempotency_key: str | None = None
    helpful: int = 0


@dataclass(frozen=True)
class Flag:
    """A reader's report that a post needs a steward's eye (one per reader per post)."""

    id: int
    post_id: int
    subject: str
    reason: FlagReason
    text: str | None
    created_at: dt.datetime
    resolved_at: dt.datetime | None = None
    resolved_by: str | None = None


@dataclass(frozen=True)
class LogEntry:
    """One moderation action: who (None once erased), what, on which thread or post, why, when."""

    id: int
    actor: str | None
    action: str
    thread_id: int | None
    post_id: int | None
    reason: str | None
    at: dt.datetime


# question: routed to you (Ask an expert); invitation: a steward's introduction round. The database does not
# check these (migration 7): this type is the one list.
ActivityKind = Literal["reply", "thread_post", "mention", "flag", "question", "invitation"]


@dataclass(frozen=True)
class Introduction:
    """How a reader without a site profile introduced themselves (ARCHITECTURE.md, "Introductions"): one line
    each of motto, what they are learning and where they work, the communities they joined, and the id of their
    photo (random per photo; the bytes are read apart, only when served or exported)."""

    subject: str
    motto: str
    learning: str
    workplace: str
    communities: tuple[str, ...]
    photo_id: str | None
    created_at: dt.datetime
    updated_at: dt.datetime


@dataclass(frozen=True)
class Activity:
    """Something a person should hear of: a post (or a flag on one) in a thread, with what a notification or
    the bell shows about it, read from the thread, post and author as they are now."""

    id: int
    subject: str
    kind: ActivityKind
    thread_id: int
    post_id: int
    created_at: dt.datetime
    read_at: dt.datetime | None
    actor: str | None  # the post's author (subject), None once erased
    actor_name: str | None
    actor_person: str | None
    thread_kind: ThreadKind
    thread_target: str
    thread_title: str | None  # a board thread's title, else the item's title
    item_url: str | None  # an item thread's page
    body: str | None  # the post's Markdown-lite source, None once deleted


@dataclass(frozen=True)
class QueuedStatement:
    """An `xapi_statements` row a sender holds ('sending'): its row id, statement id, frozen JSON, attempt."""

    id: int
    statement_id: str
    body: str
    attempts: int


@dataclass(frozen=True)
class Mail:
    """An `emails` row a mailer holds ('sending'): to whom, which activity, the message once frozen."""

    id: int
    subject: str
    address: str | None
    slot: str
    attempts: int
    message: str | None
    activities: tuple[Activity, ...]
