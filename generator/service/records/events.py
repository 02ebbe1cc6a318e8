"""What the site reports (a lesson read or completed, a knowledge-check answer, a check's score, a video event, a
path completed) turned into `record` calls: the item and its questions come from the last feed read, never from
the browser, and an event about anything the feed does not have is refused."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from ..config import XapiSettings
from ..identity.principal import Principal
from ..models import Check, FeedItem
from ..store.base import Store
from .record import attempts, record
from .statements import Json, Target, choice_id, question_target
from .vocab import EXT


class LearningRefused(Exception):
    """The event cannot be recorded: an unknown item, question or choice (code, message, field)."""

    def __init__(self, code: str, message: str, field: str) -> None:
        super().__init__(message)
        self.code, self.field = code, field


@dataclass(frozen=True)
class Video:
    """One xAPI Video Profile event: seconds (time, from, to, length), progress 0–1, played segments."""

    event: str  # initialized, played, paused, seeked, completed
    session: str
    length: float
    time: float = 0.0
    start: float = 0.0  # seeked: time-from
    progress: float = 0.0
    segments: tuple[tuple[float, float], ...] = ()
    seq: int | None = None  # its number in the session (records.js counts them); None from sites before it did


@dataclass(frozen=True)
class Event:
    """A learning event from the site: `kind` is read, completed, answered, checked or video."""

    kind: str
    item: str
    visit: str
    at: dt.datetime
    question: int | None = None  # answered: from 1
    choice: int | None = None  # answered: from 1
    correct: int | None = None  # checked: questions answered right
    video: Video | None = None


def record_event(store: Store, xapi: XapiSettings, principal: Principal, event: Event) -> str | None:
    """Record `event` as its statement; its id (None: off, left out at this level, or recorded before)."""
    item = store.feed_item(event.item)
    if item is None:
        raise LearningRefused("unknown_item", f"there is no item {event.item!r} on the site", "item")
    found = store.feed_state()
    language = found.state.language if found else "en"
    target = item_target(item)
    if event.kind == "read":
        return record(store, xapi, principal, "experienced", target, attempt=attempts("experienced", event.at),
                      at=event.at)
    if event.kind == "completed":
        if item.type not in ("lesson", "path"):
            raise LearningRefused("not_completable", f"a {item.type} is completed by watching it (video events)",
                                  "kind")
        return record(store, xapi, principal, "completed", target, attempt=attempts("completed", event.at),
                      at=event.at, result={"completion": True})
    checks = found.state.checks.get(item.id, ()) if found else ()
    if event.kind in ("answered", "checked") and not checks:
        raise LearningRefused("no_check", f"{item.title!r} has no knowledge check", "item")
    if event.kind == "answered":
        return _answered(store, xapi, principal, event, item, checks, language)
    if event.kind == "checked":
        right = min(event.correct or 0, len(checks))
        return record(store, xapi, principal, "attempted", Target(f"{item.url}#check", "check", item.title),
                      attempt=attempts("attempted", event.at, event.visit), at=event.at, parents=(target,),
                      result={"success": right == len(checks), "score": {"raw": right, "min": 0, "max": len(checks),
                                                                         "scaled": round(right / len(checks), 4)}})
    if event.video is None or item.type != "video":
        raise LearningRefused("not_a_video", f"{item.title!r} is not a video", "item")
    return _video(store, xapi, principal, event, event.video, target)


def item_target(item: FeedItem) -> Target:
    """An item as an activity: its canonical URL, type, title and summary."""
    return Target(item.url, item.type, item.title, item.summary)


def _answered(store: Store, xapi: XapiSettings, principal: Principal, event: Event, item: FeedItem,
              checks: tuple[Check, ...], language: str) -> str | None:
    number, choice = event.question or 0, event.choice or 0
    if not 1 <= number <= len(checks):
        raise LearningRefused("unknown_question", f"{item.title!r} has {len(checks)} questions", "question")
    check = checks[number - 1]
    if not 1 <= choice <= len(check.options):
        raise LearningRefused("unknown_choice", f"question {number} has {len(check.options)} options", "choice")
    return record(store, xapi, principal, "answered", question_target(item.url, number, check, language),
                  attempt=attempts("answered", event.at, event.visit), at=event.at, parents=(item_target(item),),
                  result={"success": choice == check.answer, "response": choice_id(choice)})


def _video(store: Store, xapi: XapiSettings, principal: Principal, event: Event, video: Video,
           target: Target) -> str | None:
    """A Video Profile statement with the extensions its verb requires."""
    context: Json = {EXT + "session-id": video.session, EXT + "length": round(video.length, 3)}
    result: Json | None = None
    segments = "[,]".join(f"{a:.3f}[.]{b:.3f}" for a, b in video.segments)
    if video.event == "played":
        result = {"extensions": {EXT + "time": round(video.time, 3)}}
    elif video.event == "seeked":
        result = {"extensions": {EXT + "time-from": round(video.start, 3), EXT + "time-to": round(video.time, 3)}}
    elif video.event == "paused":
        result = {"extensions": {EXT + "time": round(video.time, 3), EXT + "progress": round(video.progress, 3),
                                 EXT + "played-segments": segments}}
    elif video.event == "completed":
        watched = sum(b - a for a, b in video.segments)
        context[EXT + "completion-threshold"] = 1.0
        result = {"completion": True, "duration": f"PT{watched:.2f}S",
                  "extensions": {EXT + "time": round(video.time, 3), EXT + "progress": round(video.progress, 3),
                                 EXT + "played-segments": segments}}
    return record(store, xapi, principal, video.event, target, attempt=_video_attempt(video), at=event.at,  # type: ignore[arg-type]
                  result=result, extensions=context, video=True)


def _video_attempt(video: Video) -> str:
    """One `initialized` and one `completed` per playback session; the other verbs once per event: by its number
    in the session, so a play, a pause and a play again at the same second are three statements (keyed by
    position alone, the second play had the first's id and the LRS kept one), and a resend is the same one.
    Events from a page that predates the numbering keep the old key (the position)."""
    if video.event in ("initialized", "completed"):
        return video.session
    if video.seq is not None:
        return f"{video.session}/{video.seq}"
    return f"{video.session}/{video.event}/{video.start:.3f}/{video.time:.3f}"
