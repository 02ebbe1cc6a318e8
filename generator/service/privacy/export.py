"""What the service holds about a person, as the JSON they (or an admin, for a leaver) can download, and the
short sentences GET /api/v1/me shows. Endpoints appear only as their host: the full URL and the keys are a
device's capability, not information about the person. Posts come as written and as plain text."""

from __future__ import annotations

import base64
import datetime as dt
import json
from typing import Any
from urllib.parse import urlsplit

from pydantic import BaseModel, Field

from ..models import (
    Delivery,
    EmailPref,
    Flag,
    FlagReason,
    IngestedFeed,
    LockScreen,
    LogEntry,
    Person,
    Post,
    PostState,
    Preferences,
    Subscription,
    Thread,
    ThreadKind,
    ThreadType,
    parse_iso,
)
from ..store.base import Store
from ..talk.markup import PostRejected, render

DATA_MAP = "DATA.md in the Practica repository, section \"What the service keeps\""
FILENAME = "practica-my-data.json"


class PersonRecord(BaseModel):
    subject: str = Field(description="Your single sign-on's stable id for you.")
    email: str | None
    name: str | None
    person: str | None = Field(description="The site's person id whose contact email is yours, if any.")
    lock_screen: LockScreen | None = Field(description="Your lock-screen choice for notifications (full or private).")
    email_pref: EmailPref = Field("off", description="Reminders by email: off, replies or digest.")
    pseudonym: str = Field(description="The random key that stands for you in learning records.")
    created_at: str
    seen_on: str = Field(description="The day you were last seen (signed in here); retention counts from it.")


class NotificationRecord(BaseModel):
    id: int
    state: str = Field(description="pending, sending, sent or failed")
    due_at: str
    created_at: str
    updated_at: str
    attempts: int
    status: int | None = Field(description="The push service's last HTTP answer.")
    payload: dict[str, Any] | None = Field(description="What the notification said (title, body, url, icon, tag); "
                                           "null until it was first sent.")
    items: list[str] = Field(description="The feed ids of the lessons, videos, answers and paths it was about.")


class DeviceRecord(BaseModel):
    id: str
    endpoint_host: str = Field(description="The push service the browser uses (never the full endpoint or keys).")
    created_at: str
    updated_at: str
    lock_screen: LockScreen | None
    preferences: dict[str, Any]
    notifications: list[NotificationRecord]


class ThreadRecord(BaseModel):
    id: int
    kind: ThreadKind
    target: str = Field(description="The item's feed id, or the community's id for a board thread.")
    type: ThreadType | None
    title: str | None
    created_at: str


class PostRecord(BaseModel):
    id: int
    thread: int
    parent: int | None
    state: PostState
    body: str | None = Field(description="What you wrote (Markdown-lite); null once deleted.")
    text: str | None = Field(description="The same as plain text.")
    created_at: str
    edited_at: str | None
    helpful: int = Field(description="How many readers marked it \"this helped\".")


class FlagRecord(BaseModel):
    id: int
    post: int
    reason: FlagReason
    text: str | None
    created_at: str
    resolved_at: str | None


class ModerationRecord(BaseModel):
    id: int
    action: str
    thread: int | None
    post: int | None
    reason: str | None
    at: str


class ActivityRecord(BaseModel):
    id: int
    kind: str = Field(description="reply, thread_post, mention, question, flag or invitation")
    thread: int
    post: int
    created_at: str
    read_at: str | None


class RouteRecord(BaseModel):
    thread: int = Field(description="The question's thread.")
    asked: bool = Field(description="You were asked by name (from your profile); else chosen by your evidence.")
    routed_at: str


class EventRecord(BaseModel):
    occurrence: str = Field(description="The event date: <event id>@<local date>.")
    at: str = Field(description="When you RSVP'd, or checked in.")


class PhotoRecord(BaseModel):
    content_type: str = Field(description="image/webp: the photo as the service re-encoded and keeps it.")
    base64: str = Field(description="Its bytes, base64-encoded (save them as a .webp file to see it).")


class IntroductionRecord(BaseModel):
    motto: str
    learning: str
    workplace: str
    communities: list[str]
    photo: PhotoRecord | None
    created_at: str
    updated_at: str


class CommitmentRecord(BaseModel):
    id: str
    item: str = Field(description="The lesson's or path's feed id.")
    device: str | None = Field(description="The device it is held by, or null: yours, on all your devices.")
    due_at: str = Field(description="When its one follow-up is (or was) sent.")
    created_at: str
    queued_at: str | None = Field(description="When the follow-up went into the outbox; null: not yet.")


class ThanksRecord(BaseModel):
    item: str = Field(description="The feed id of what you thanked its authors for.")
    created_at: str


class LearningRecord(BaseModel):
    verb: str = Field(description="What you did: experienced, completed, answered, attempted, asked, commented, …")
    object: str = Field(description="The item's (or question's) URL.")
    state: str = Field(description="pending, sending, sent (to the organisation's LRS) or rejected (by it)")
    recorded_at: str


class PersonalData(BaseModel):
    """Everything the service holds about one signed-in person."""

    exported_at: str
    data_map: str = Field(description="Where each stored field, its purpose and its retention are listed.")
    subject: str
    person: PersonRecord | None = Field(description="Null when the service keeps nothing for you.")
    devices: list[DeviceRecord]
    threads: list[ThreadRecord] = Field(description="Threads you opened.")
    posts: list[PostRecord] = Field(description="Your posts and replies.")
    helpful: list[int] = Field(description="The posts you marked \"this helped\".")
    flags: list[FlagRecord] = Field(description="Your flags on others' posts.")
    moderation: list[ModerationRecord] = Field(description="What you did as a steward or admin.")
    activity: list[ActivityRecord] = Field(default=[], description="What you were reminded of (the bell).")
    questions_routed: list[RouteRecord] = Field(default=[], description="Questions sent to you as an expert.")
    introduction: IntroductionRecord | None = Field(None, description="How you introduced yourself, with the "
                                                    "photo as stored.")
    learning_records: list[LearningRecord] = Field(default=[], description="Learning records about you still kept "
                                                   "here (sent to, waiting for, or rejected by the LRS).")
    rsvps: list[EventRecord] = Field(default=[], description="Event dates you said \"I'll join\" to.")
    attendance: list[EventRecord] = Field(default=[], description="Event dates you checked in to (\"I'm here\").")
    commitments: list[CommitmentRecord] = Field(default=[], description="Follow-ups you asked for (your notes and "
                                                "reflections stay on your device).")
    thanks: list[ThanksRecord] = Field(default=[], description="Items whose authors you thanked.")


def personal_data(store: Store, subject: str, now: dt.datetime) -> PersonalData:
    """Everything held about `subject`: their row, their linked devices and what was queued or sent to them,
    their threads, posts, marks, flags and moderation, their RSVPs and check-ins."""
    found = store.person(subject)
    if found is None:  # every other row hangs on the person's (foreign keys)
        return PersonalData(exported_at=now.isoformat(), data_map=DATA_MAP, subject=subject, person=None, devices=[],
                            threads=[], posts=[], helpful=[], flags=[], moderation=[])
    feed = store.feed_state()
    return PersonalData(
        exported_at=now.isoformat(), data_map=DATA_MAP, subject=subject, person=_person(found),
        devices=[_device(sub, store.deliveries(sub.id)) for sub in store.owned_subscriptions(subject)],
        threads=[_thread(t) for t in store.threads_by(subject)],
        posts=[_post(p, feed) for p in store.posts_by(subject)],
        helpful=store.marks_by(subject), flags=[_flag(f) for f in store.flags_by(subject)],
        moderation=[_moderation(e) for e in store.log_by(subject)],
        activity=[ActivityRecord(id=aid, kind=kind, thread=tid, post=pid, created_at=parse_iso(at).isoformat(),
                                 read_at=parse_iso(read).isoformat() if read else None)
                  for aid, kind, tid, pid, at, read in store.activity_held(subject)],
        questions_routed=[RouteRecord(thread=tid, asked=asked, routed_at=parse_iso(at).isoformat())
                          for tid, asked, at in (store.routes_to(found.person) if found.person else [])],
        introduction=_introduction(store, subject),
        learning_records=[LearningRecord(verb=v, object=o, state=st, recorded_at=at.isoformat())
                          for v, o, st, at in store.statements_of(subject)],
        rsvps=[EventRecord(occurrence=oid, at=at.isoformat()) for oid, at in store.rsvps_of(subject)],
        attendance=[EventRecord(occurrence=oid, at=at.isoformat()) for oid, at in store.attendance_of(subject)],
        commitments=_commitments(store, subject),
        thanks=[ThanksRecord(item=item, created_at=parse_iso(at).isoformat()) for item, at in store.thanks_by(subject)])


def holds(data: PersonalData) -> list[str]:
    """What `data` holds, in short sentences; [] when nothing."""
    if data.person is None:
        return []
    person, devices = data.person, len(data.devices)
    out = [f"Your sign-in id, email and name as last seen ({person.seen_on}), kept since {person.created_at[:10]}",
           "A random key that stands for you in learning records"]
    if person.lock_screen:
        out.append(f"Your lock-screen choice for notifications: {person.lock_screen}")
    if person.email_pref != "off":
        out.append(f"Your choice of reminders by email: {person.email_pref}")
    if devices:
        out.append(f"{devices} device{'s' * (devices != 1)} linked for notifications, with their preferences")
    sent = sum(len(d.notifications) for d in data.devices)
    if sent:
        out.append(f"{sent} notification{'s' * (sent != 1)} queued or sent to {'them' if devices > 1 else 'it'}")
    for count, one, many in ((len(data.posts), "post in discussions", "posts in discussions"),
                             (len(data.helpful), "\"this helped\" mark", "\"this helped\" marks"),
                             (len(data.flags), "flag on a post", "flags on posts"),
                             (len(data.moderation), "moderation action", "moderation actions"),
                             (len(data.activity), "reminder of activity", "reminders of activity"),
                             (len(data.questions_routed), "question routed to you", "questions routed to you"),
                             (len(data.rsvps), "RSVP to an event", "RSVPs to events"),
                             (len(data.attendance), "check-in at an event", "check-ins at events"),
                             (len(data.commitments), "follow-up you asked for (its day and item only)",
                              "follow-ups you asked for (their day and item only)"),
                             (len(data.thanks), "thanks you gave for an item", "thanks you gave for items")):
        if count:
            out.append(f"{count} {one if count == 1 else many}")
    records = len(data.learning_records)
    if records:
        out.append(f"{records} learning record{'s' * (records != 1)} (what you read, completed, answered or "
                   "watched here, and your posts), sent to your organisation's learning record store")
    if data.introduction:
        photo = " with a photo" if data.introduction.photo else ""
        out.append(f"Your introduction{photo}: motto, what you are learning, where you work, communities joined")
    return out


def _commitments(store: Store, subject: str) -> list[CommitmentRecord]:
    held = store.commitments_of(subject=subject)
    for sub in store.owned_subscriptions(subject):
        held += store.commitments_of(subscription=sub.id)
    return [CommitmentRecord(id=c.id, item=c.item, device=c.subscription, due_at=c.due_at.isoformat(),
                             created_at=c.created_at.isoformat(),
                             queued_at=c.queued_at.isoformat() if c.queued_at else None) for c in held]


def _introduction(store: Store, subject: str) -> IntroductionRecord | None:
    found = store.introduction(subject)
    if found is None:
        return None
    data = store.own_photo(subject)
    photo = PhotoRecord(content_type="image/webp", base64=base64.b64encode(data).decode()) if data else None
    return IntroductionRecord(motto=found.motto, learning=found.learning, workplace=found.workplace,
                              communities=list(found.communities), photo=photo,
                              created_at=found.created_at.isoformat(), updated_at=found.updated_at.isoformat())


def _person(person: Person) -> PersonRecord:
    return PersonRecord(subject=person.subject, email=person.email, name=person.name, person=person.person,
                        lock_screen=person.lock_screen, email_pref=person.email_pref, pseudonym=person.pseudonym,
                        created_at=person.created_at.isoformat(), seen_on=person.seen_on.isoformat())


def _device(sub: Subscription, deliveries: list[Delivery]) -> DeviceRecord:
    return DeviceRecord(id=sub.id, endpoint_host=urlsplit(sub.endpoint).hostname or "",
                        created_at=sub.created_at.isoformat(), updated_at=sub.updated_at.isoformat(),
                        lock_screen=sub.preferences.lock_screen,
                        preferences=preferences(sub.preferences), notifications=[_sent(d) for d in deliveries])


def preferences(prefs: Preferences) -> dict[str, Any]:
    """Preferences as the API shows them."""
    quiet = prefs.quiet_hours
    return {"topics": list(prefs.topics), "people": list(prefs.people), "types": list(prefs.types),
            "frequency": prefs.frequency, "timezone": prefs.timezone, "lock_screen": prefs.lock_screen,
            "quiet_hours": {"start": quiet.start.strftime("%H:%M"), "end": quiet.end.strftime("%H:%M")} if quiet
            else None}


def _sent(row: Delivery) -> NotificationRecord:
    return NotificationRecord(id=row.id, state=row.state, due_at=row.due_at.isoformat(),
                              created_at=row.created_at.isoformat(), updated_at=row.updated_at.isoformat(),
                              attempts=row.attempts, status=row.status,
                              payload=json.loads(row.payload) if row.payload else None, items=list(row.items))


def _thread(thread: Thread) -> ThreadRecord:
    return ThreadRecord(id=thread.id, kind=thread.kind, target=thread.target, type=thread.type, title=thread.title,
                        created_at=thread.created_at.isoformat())


def _post(post: Post, feed: IngestedFeed | None) -> PostRecord:
    return PostRecord(id=post.id, thread=post.thread_id, parent=post.parent_id, state=post.state, body=post.body,
                      text=_plain(post.body, feed), created_at=post.created_at.isoformat(),
                      edited_at=post.edited_at.isoformat() if post.edited_at else None, helpful=post.helpful)


def _plain(body: str | None, feed: IngestedFeed | None) -> str | None:
    if body is None:
        return None
    try:
        return render(body, feed.state.people if feed else {}, feed.state.site_url if feed else "").text
    except PostRejected:
        return " ".join(body.split())


def _flag(flag: Flag) -> FlagRecord:
    return FlagRecord(id=flag.id, post=flag.post_id, reason=flag.reason, text=flag.text,
                      created_at=flag.created_at.isoformat(),
                      resolved_at=flag.resolved_at.isoformat() if flag.resolved_at else None)


def _moderation(entry: LogEntry) -> ModerationRecord:
    return ModerationRecord(id=entry.id, action=entry.action, thread=entry.thread_id, post=entry.post_id,
                            reason=entry.reason, at=entry.at.isoformat())
