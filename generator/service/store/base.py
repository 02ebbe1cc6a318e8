"""The store interface the API, ingest and sender use; `backend.open_store` picks the backend.

SQLite (`sqlite.py`) is the default. A PostgreSQL backend implements the same Protocol: `claim` becomes
`UPDATE … WHERE id IN (SELECT … FOR UPDATE SKIP LOCKED)`, `sender_lock` a `pg_try_advisory_lock`, and
nothing above this module changes.

Outbox states: pending → sending → sent | failed; sending → pending (retry later, or requeued after a
crash); a subscription's deletion removes its rows, and a person's deletion their linked subscriptions. See
ARCHITECTURE.md, "The community service".
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager
from typing import Literal, Protocol

from ...errors import PracticaError
from ..models import (
    Activity,
    ActivityKind,
    Claim,
    Commitment,
    Delivery,
    Erased,
    ErasePosts,
    Event,
    FeedItem,
    FeedState,
    Finished,
    Flag,
    FlagReason,
    IngestedFeed,
    Introduction,
    LogEntry,
    Mail,
    Occurrence,
    Person,
    Post,
    PostState,
    QueuedStatement,
    Subscription,
    Thread,
    ThreadKind,
    ThreadType,
    Vote,
)


class SenderBusy(PracticaError):
    """Another process is delivering from this database right now."""


class UnusableDatabase(PracticaError):
    """The database file cannot be opened or is not an SQLite database (corrupt, truncated, not ours)."""


BoardCursor = tuple[bool, str, int]  # (pinned, last_post_at, id) of the last thread on the previous page


class TalkStore(Protocol):
    """Conversations (ARCHITECTURE.md, "Conversations"): threads, posts, marks, flags, the moderation log and
    per-person rate limits. Times are `iso()` text; a person's subject is `people.subject`."""

    def item_topics(self, item_id: str) -> tuple[str, ...] | None:
        """The communities of an ingested item; None if the service never ingested it."""

    def item_url(self, item_id: str) -> str | None:
        """An ingested item's page (its URL as the feed gave it); None if the service never ingested it."""

    def people_by_subject(self, subjects: Sequence[str]) -> dict[str, Person]: ...

    # Threads
    def thread(self, tid: int) -> Thread | None: ...

    def item_thread(self, item_id: str) -> Thread | None: ...

    def unanswered_questions(self, before: dt.datetime) -> list[Thread]:
        """Board questions opened before `before`, with a visible post and none by anyone but the asker."""

    def question_times(self, since: dt.datetime) -> list[tuple[str, dt.datetime, dt.datetime | None]]:
        """(community, asked at, first visible post by anyone but the asker or None) of board questions since."""

    def participation(self) -> list[tuple[str, str, str, dt.datetime, dt.datetime]]:
        """(thread kind, its target: a community or an item id, author, their first and last visible post there)
        for every author of a visible post; erased authors are not counted."""

    def create_thread(self, kind: ThreadKind, target: str, type: ThreadType | None, title: str | None,
                      author: str, at: dt.datetime) -> Thread:
        """A new thread; an item that has one already keeps it (the existing one is returned)."""

    def board(self, community: str, viewer: str | None, everything: bool, limit: int,
              after: BoardCursor | None) -> list[Thread]:
        """A community's threads, pinned first, then by last activity: those with a post shown to all, those
        `viewer` opened, or (`everything`, for its stewards) all."""

    def set_thread(self, tid: int, *, pinned: bool | None = None, locked: bool | None = None) -> None: ...

    def accept(self, tid: int, post_id: int | None) -> None: ...

    def touch_thread(self, tid: int, at: dt.datetime) -> None:
        """Record a post shown to all at `at` (the board's order and the retention count from it)."""

    def delete_thread(self, tid: int) -> None: ...

    def threads_by(self, subject: str) -> list[Thread]: ...

    # Posts
    def post(self, pid: int) -> Post | None: ...

    def thread_posts(self, tid: int) -> list[Post]:
        """The thread's posts in the order they were written, with their helpful counts."""

    def post_by_key(self, author: str, key: str) -> Post | None: ...

    def add_post(self, thread_id: int, parent_id: int | None, author: str, body: str, state: PostState,
                 key: str, at: dt.datetime) -> Post: ...

    def edit_post(self, pid: int, body: str, at: dt.datetime) -> None: ...

    def set_post_state(self, pid: int, state: PostState, reason: str | None = None, by: str | None = None) -> None:
        """Change a post's state; `hidden` keeps `reason` and `by`, any other state clears them."""

    def set_note(self, pid: int, note: str | None, by: str | None) -> None: ...

    def delete_post(self, pid: int) -> None:
        """Remove the post's text (and its marks): the row goes unless others' posts hang on it."""

    def replies(self, pid: int) -> int: ...

    def posts_by(self, subject: str) -> list[Post]: ...

    def published_in(self, subject: str) -> list[tuple[ThreadKind, str]]:
        """(kind, target) of the threads where the person has a post that was ever shown to all."""

    def held_posts(self) -> list[Post]: ...

    # Marks and flags
    def mark(self, pid: int, subject: str, helpful: bool) -> None: ...

    def marked(self, subject: str, post_ids: Sequence[int]) -> set[int]:
        """Which of these posts the person marked as helpful."""

    def marks_by(self, subject: str) -> list[int]: ...

    def add_flag(self, pid: int, subject: str, reason: FlagReason, text: str | None, at: dt.datetime
                 ) -> tuple[Flag, bool]:
        """The person's flag on the post, and whether it is new (one per person per post)."""

    def flag(self, fid: int) -> Flag | None: ...

    def open_flags(self) -> list[Flag]: ...

    def resolve_flags(self, by: str, at: dt.datetime, *, fid: int | None = None, pid: int | None = None) -> int:
        """Resolve one flag, or every open flag on a post."""

    def flags_by(self, subject: str) -> list[Flag]: ...

    # The moderation log
    def log_action(self, actor: str, action: str, thread_id: int | None, post_id: int | None, reason: str | None,
                   at: dt.datetime) -> None: ...

    def log_entries(self, limit: int, before: int | None = None) -> list[LogEntry]:
        """The newest entries first; `before` an entry id for the next page."""

    def log_by(self, subject: str) -> list[LogEntry]: ...

    # Rate limits, shared by every instance on the database
    def hit(self, subject: str, action: str, limit: int, window: float, now: dt.datetime) -> float | None:
        """Count one `action` by the person, or None; if they are over `limit` in the current window count
        nothing and return the seconds until it ends."""

    # Retention
    def prune_threads(self, before: dt.datetime) -> int:
        """Forget threads whose last post is older than `before`, with their posts, marks and flags."""

    def prune_log(self, before: dt.datetime) -> int: ...

    def prune_flags(self, before: dt.datetime) -> int:
        """Forget flags resolved before `before`."""

    def prune_limits(self, now: dt.datetime) -> int:
        """Forget rate-limit windows that have ended."""


class ActivityStore(Protocol):
    """Who hears of what in conversations (ARCHITECTURE.md, "Reminders for responses"): follows, activity (the
    bell) and the outbox rows that push it."""

    def follow(self, subject: str, tid: int, following: bool) -> None:
        """Follow or unfollow a thread explicitly (overrides following by having posted)."""

    def followers(self, tid: int) -> set[str]: ...

    def following(self, subject: str, tid: int) -> bool: ...

    def subjects_of(self, persons: Sequence[str]) -> set[str]:
        """Signed-in people whose profile is one of these site person ids."""

    def add_activity(self, rows: Sequence[tuple[str, ActivityKind]], tid: int, pid: int, at: dt.datetime) -> int:
        """Record (subject, kind) activity about a post, at most once per person, post and group; how many new."""

    def activity_for(self, subject: str, unread: bool, limit: int) -> list[Activity]: ...

    def activity_held(self, subject: str) -> list[tuple[int, str, int, int, str, str | None]]:
        """Every activity row kept for the person, whatever became of its post (for their export)."""

    def unread(self, subject: str) -> int: ...

    def mark_read(self, subject: str, ids: Sequence[int] | None, at: dt.datetime) -> int: ...

    def unpushed(self, limit: int) -> list[Activity]:
        """Activity whose outbox rows were not queued yet, oldest first."""

    def set_pushed(self, aid: int, at: dt.datetime) -> None: ...

    def queue_activity(self, sid: str, slot: str, due: dt.datetime, aid: int, at: dt.datetime) -> int | None:
        """Add an activity to the device's row for `slot` (created if needed); None if that row is closed."""

    def row_activities(self, row_ids: Sequence[int]) -> dict[int, list[Activity]]: ...

    def prune_activity(self, before: dt.datetime) -> int: ...


class IntroStore(Protocol):
    """Introductions (ARCHITECTURE.md, "Introductions"): one per person, its photo apart, new members, rounds."""

    def introduction(self, subject: str) -> Introduction | None: ...

    def introductions(self, subjects: Sequence[str]) -> dict[str, Introduction]: ...

    def save_introduction(self, intro: Introduction) -> None:
        """Insert or replace the text and communities; the photo stays."""

    def set_photo(self, subject: str, photo: bytes | None, photo_id: str | None, at: dt.datetime) -> bool:
        """Replace or remove the photo of an existing introduction; False when there is none."""

    def photo(self, photo_id: str) -> bytes | None: ...

    def own_photo(self, subject: str) -> bytes | None: ...

    def delete_introduction(self, subject: str) -> bool: ...

    def new_members(self, community: str, since: dt.datetime, limit: int) -> list[tuple[str, dt.datetime]]:
        """(subject, joined) of who introduced themselves into it or first posted in it since `since`, newest
        first."""

    def open_round(self, community: str) -> int | None:
        """The thread of the community's latest introduction round, unless it is gone or locked."""

    def add_round(self, community: str, tid: int, at: dt.datetime) -> None: ...


class MailStore(Protocol):
    """Reminders by email: the `emails` outbox (states as the push outbox's) and a person's email choice."""

    def unmailed(self, limit: int) -> list[tuple[Activity, str]]:
        """Activity not yet considered for mail, oldest first, with its recipient's email choice."""

    def queue_mail(self, aid: int, subject: str, slot: str, due: dt.datetime, at: dt.datetime) -> None: ...

    def queue_written_mail(self, subject: str, slot: str, due: dt.datetime, message: str, at: dt.datetime) -> bool:
        """A mail already written into the person's mail outbox, at most once per slot."""

    def skip_mail(self, aid: int, at: dt.datetime) -> None: ...

    def claim_mail(self, now: dt.datetime, limit: int) -> list[Mail]: ...

    def set_message(self, mid: int, message: str) -> None:
        """Freeze the mail, so a resend after a crash is the same message (same Message-ID)."""

    def finish_mail(self, mid: int, state: str, error: str | None, due: dt.datetime | None, at: dt.datetime
                    ) -> None: ...

    def requeue_mail(self) -> int: ...

    def prune_mail(self, before: dt.datetime) -> int: ...

    def set_email_pref(self, subject: str, pref: str) -> bool: ...

    def mail_ids(self, subject: str) -> Sequence[int]: ...


class AskStore(Protocol):
    """"Ask an expert" (ARCHITECTURE.md, "Conversations"): items' experts from the feed, and the routes of asked
    questions (who, which thread, when), which the per-expert daily cap counts."""

    def set_experts(self, items: Sequence[FeedItem]) -> None:
        """Keep each ingested item's experts as the latest feed says."""

    def item_experts(self, item_id: str) -> tuple[str, ...] | None:
        """An ingested item's experts, best first; None if the service never ingested it."""

    def add_routes(self, tid: int, persons: Sequence[str], asked: bool, at: dt.datetime) -> None:
        """Record that the question was routed to these site persons, in order (`asked`: the first was asked by
        name)."""

    def routed_between(self, person: str, start: dt.datetime, end: dt.datetime) -> int: ...

    def routes_to(self, person: str) -> list[tuple[int, bool, str]]:
        """(thread, asked by name, routed_at) of every question routed to the person."""

    def forget_routes_to(self, person: str) -> int: ...


class LearningStore(Protocol):
    """Learning that sticks (ARCHITECTURE.md, "Follow-ups and thanks"): commitments awaiting their one follow-up,
    notes written ahead into the outbox, and readers' thanks for items."""

    def learning_item(self, item_id: str) -> FeedItem | None:
        """An ingested item's type, page, title and people; None if the service never ingested it."""

    def commitment(self, cid: str) -> Commitment | None: ...

    def save_commitment(self, c: Commitment) -> None:
        """Insert, or move the due time of one whose follow-up is not queued yet."""

    def delete_commitment(self, cid: str) -> bool: ...

    def commitments_of(self, *, subject: str | None = None, subscription: str | None = None) -> list[Commitment]: ...

    def due_commitments(self, now: dt.datetime, limit: int) -> list[Commitment]:
        """Commitments due by `now` whose follow-up is not queued yet, oldest first."""

    def set_queued(self, cid: str, at: dt.datetime) -> bool: ...

    def prune_commitments(self, before: dt.datetime) -> int: ...

    def add_thanks(self, subject: str, item: str, at: dt.datetime) -> bool: ...

    def thanks_counts(self) -> dict[str, int]: ...

    def thanked_items(self) -> list[tuple[str, int, tuple[str, ...]]]: ...

    def thanks_by(self, subject: str) -> list[tuple[str, str]]: ...


class RecordsStore(Protocol):
    """Learning records (ARCHITECTURE.md, "Learning records"): the xAPI outbox and each person's pseudonym."""

    def feed_item(self, item_id: str) -> FeedItem | None: ...

    def feed_items(self) -> list[FeedItem]: ...

    def actor_key(self, subject: str) -> str | None: ...

    def queue_statement(self, statement_id: str, subject: str, verb: str, obj: str, body: str,
                        at: dt.datetime) -> bool: ...

    def claim_statements(self, now: dt.datetime, limit: int) -> list[QueuedStatement]: ...

    def finish_statements(self, ids: Sequence[int], state: str, status: int | None, error: str | None,
                          due: dt.datetime | None, at: dt.datetime) -> None: ...

    def requeue_statements(self) -> int: ...

    def rejected_statements(self, limit: int = 100) -> list[tuple[str, str, str, int | None, str, dt.datetime]]: ...

    def statement_counts(self) -> dict[str, int]: ...

    def learning_rows(self) -> list[tuple[str, str, str, str]]: ...

    def statements_of(self, subject: str) -> list[tuple[str, str, str, dt.datetime]]: ...

    def prune_statements(self, before: dt.datetime) -> int: ...


class EventStore(Protocol):
    """Events (ARCHITECTURE.md, "Events"): the events and occurrences the feed lists, RSVPs, attendance and the
    ledger of notices queued about them."""

    def event(self, event_id: str) -> Event | None:
        """The event with every occurrence the feed ever listed for it; None if the feed never listed it."""

    def event_ids(self) -> set[str]: ...

    def save_event(self, event: Event, at: dt.datetime) -> None: ...

    def occurrence(self, occurrence_id: str) -> tuple[Event, Occurrence] | None: ...

    def add_rsvp(self, occurrence_id: str, subject: str, capacity: int | None, at: dt.datetime
                 ) -> Literal["joined", "again", "full"]:
        """Add the person's RSVP unless `capacity` is reached, counting and adding in one statement."""

    def remove_rsvp(self, occurrence_id: str, subject: str) -> bool: ...

    def rsvp_counts(self, occurrence_ids: Sequence[str]) -> dict[str, int]: ...

    def rsvp_subjects(self, occurrence_id: str) -> list[str]: ...

    def rsvps_of(self, subject: str) -> list[tuple[str, dt.datetime]]: ...

    def check_in(self, occurrence_id: str, subject: str, at: dt.datetime) -> bool: ...

    def attendance_of(self, subject: str) -> list[tuple[str, dt.datetime]]: ...

    def attendance_counts(self, occurrence_ids: Sequence[str]) -> dict[str, int]: ...

    def upcoming_rsvps(self, now: dt.datetime, until: dt.datetime) -> list[tuple[str, str]]: ...

    def note_notice(self, key: str, subject: str | None, at: dt.datetime) -> bool:
        """Record the notice `key`; False if it was recorded before (then it must not be queued again)."""

    def queue_notice(self, sid: str, slot: str, due: dt.datetime, payload: str, at: dt.datetime) -> bool: ...

    def prune_rsvps(self, before: dt.datetime) -> int: ...

    def prune_attendance(self, before: dt.datetime) -> int: ...

    def prune_notices(self, before: dt.datetime) -> int: ...


class Store(TalkStore, ActivityStore, IntroStore, MailStore, AskStore, EventStore, LearningStore, RecordsStore,
            Protocol):
    """Subscriptions, the feed's history and the outbox. Methods outside `transaction()` commit on return."""

    claim_lease: float  # seconds a sender's claim holds without renewal (PRACTICA_PUSH_CLAIM_LEASE)

    def migrate(self) -> list[int]:
        """Bring the schema up to date; return the versions applied now (none if it was current)."""

    def schema_version(self) -> int:
        """The version the database's schema is at (0: none yet), read without changing anything."""

    def transaction(self, serialised: bool = True) -> AbstractContextManager[None]:
        """Group calls into one atomic unit (re-entrant); writers are serialised. `serialised=False` is for the
        senders' claims and records, which touch only rows they lock themselves: on PostgreSQL they then run
        beside other transactions instead of queueing for the database-wide write lock."""

    def close(self) -> None:
        """Release the database; afterwards its main file alone holds everything (a backup may copy it)."""

    def write_problem(self) -> str | None:
        """Why the store cannot write right now (e.g. a read-only file), or None if it can."""

    # Subscriptions
    def get_subscription(self, sid: str) -> Subscription | None: ...

    def save_subscription(self, sub: Subscription) -> bool:
        """Insert or update by endpoint; True if it was new."""

    def delete_subscription(self, sid: str) -> int:
        """Remove a subscription and its undelivered outbox rows; the number of rows removed (-1: none)."""

    def subscriptions(self) -> Iterator[Subscription]: ...

    def count_subscriptions(self) -> int: ...

    def set_owner(self, sid: str, subject: str | None) -> bool:
        """Link the subscription to a stored person (moving it from anyone else), or unlink it (None);
        False if there is no such subscription."""

    def owned_subscriptions(self, subject: str) -> list[Subscription]:
        """The subscriptions linked to this person, oldest first."""

    # People (ARCHITECTURE.md, "Personal data"; DATA.md)
    def person(self, subject: str) -> Person | None: ...

    def people_with_email(self, email: str) -> list[Person]:
        """Stored people whose email is `email` (ASCII case ignored): how an admin finds a leaver."""

    def save_person(self, person: Person) -> None:
        """Insert, or update everything but `pseudonym` and `created_at`."""

    def people_seen_before(self, day: dt.date) -> list[str]:
        """Subjects of the people last seen before `day`."""

    def delete_person(self, subject: str, posts: ErasePosts = "anonymise") -> Erased | None:
        """Erase the person with their linked subscriptions and those subscriptions' outbox rows, their marks,
        flags and limits, atomically; their posts, threads and moderation lose their name (`anonymise`), or
        their posts' text and titles go as well (`remove`). None if nobody has this subject."""

    def deliveries(self, sid: str) -> list[Delivery]:
        """The subscription's outbox rows (queued, in flight, sent or failed), by due time."""

    # The feed
    def feed_state(self) -> IngestedFeed | None:
        """What the last ingested feed said, and when it was ingested."""

    def save_feed_state(self, state: FeedState, at: dt.datetime) -> None: ...

    def has_batches(self) -> bool: ...

    def seen(self, item_ids: Sequence[str]) -> set[str]:
        """Which of these feed ids were ingested before."""

    def add_batch(self, at: dt.datetime, items: Sequence[FeedItem], initial: bool) -> int:
        """Record new items as one batch; its id."""

    # The outbox
    def slot_open(self, sid: str, slot: str) -> bool:
        """Whether the subscriber's row for `slot` exists and can still take items (pending, never tried)."""

    def count_planned(self, sid: str, start: dt.datetime, end: dt.datetime) -> int:
        """Outbox rows of the subscriber due in [start, end), whatever their state."""

    def queue(self, sid: str, slot: str, due: dt.datetime, item_ids: Sequence[str], at: dt.datetime) -> int | None:
        """Add items to the subscriber's row for `slot` (created if needed); None if that row is closed."""

    def claim(self, now: dt.datetime, limit: int) -> list[Claim]:
        """Up to `limit` pending rows due by `now`, now marked 'sending' with one more attempt counted."""

    def requeue_sending(self) -> int:
        """Rows left 'sending' by a sender that stopped: back to pending. Only call holding `sender_lock`. With
        several senders on one database (PostgreSQL), only rows whose claim's lease has ended."""

    def release(self) -> int:
        """This sender's unfinished claims (outbox and mail) back to pending: it is stopping."""

    def renew_claims(self) -> None:
        """Extend this sender's claims' lease while it still works on them."""

    def lead_polling(self) -> bool:
        """Whether this instance is the one that polls and ingests the feed now (always, on SQLite; on PostgreSQL
        the holder of an advisory lock, which passes to another instance when its holder dies)."""

    def set_payloads(self, payloads: Sequence[tuple[int, str]]) -> int:
        """Freeze what each (row id, payload) sends, so a resend after a crash is byte-for-byte the same
        notification; only rows this sender still holds and that have none yet. One statement: how many were set."""

    def record_outcomes(self, outcomes: Sequence[Finished], at: dt.datetime) -> set[int]:
        """Record how each claimed row ended ('sent', 'failed', or 'pending' again due at `due`), in few statements.
        Only rows this sender still holds are written (a row whose lease ended and that another sender took back
        is that sender's now); the ids written are returned."""

    def next_due(self) -> dt.datetime | None:
        """When the earliest pending row falls due."""

    def outbox_counts(self) -> dict[str, int]: ...

    def prune(self, before: dt.datetime) -> int:
        """Forget finished rows last touched before `before`."""

    def sender_lock(self) -> AbstractContextManager[None]:
        """Be the only sender on this database while inside; SenderBusy if another one is."""

    # Reader feedback
    def record_vote(self, vote: Vote) -> str:
        """Store a vote by its id: 'created'; 'commented' (a comment added to a vote that had none);
        'unchanged' (a resend); or 'conflict' (that id already holds another page or answer)."""

    def votes(self) -> Iterator[Vote]:
        """Every vote, oldest first."""

    def prune_feedback(self, before: dt.date) -> int:
        """Forget votes (and their comments) given before `before`."""

