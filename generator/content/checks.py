"""Checks that need the whole community: references, skills, files on disk, bodies, and freshness."""

from __future__ import annotations

import datetime as dt
import difflib
import zoneinfo
from collections import Counter
from collections.abc import Mapping
from pathlib import Path
from typing import Literal

from PIL import Image, UnidentifiedImageError

from ..community import AnyEntry, Community, Event, Item, LearningPath, Lesson, Person, Video
from ..kinds import ITEM_KINDS, KINDS, ContentKind, either
from . import body
from . import schedule as timing
from .explain import field_name
from .frontmatter import ReadError, Source, parse
from .gitdates import committed
from .models import FaqMeta, ItemMeta, LessonMeta, Review, VideoMeta, interval_days
from .problems import Problem, Severity
from .skills import slugify

VIDEO_EXTENSIONS = (".mp4", ".webm")
IMAGE_EXTENSIONS = (".jpg", ".jpeg", ".png", ".webp", ".gif", ".avif")
MAX_PHOTO_BYTES = 5_000_000
MIN_PHOTO_PIXELS = 96
# What a reference names: a person, a community, or any item (items share one id namespace).
Target = Literal["person", "topic", "item"]


class Checker:
    """Runs every whole-community check, reporting with each field's line."""

    def __init__(self, community: Community, sources: dict[str, Source]) -> None:
        self.c = community
        self.sources = sources
        self.root = community.settings.content_dir
        self.items = {e.id: e for e in community.all_items()}

    def report(self, entry: AnyEntry, path: tuple[str | int, ...], message: str, hint: str,
               code: str, severity: Severity = "error") -> None:
        self.report_at(entry.rel, path, message, hint, code, severity)

    def report_at(self, rel: str, path: tuple[str | int, ...], message: str, hint: str,
                  code: str, severity: Severity = "error") -> None:
        line, col = self.sources[rel].position(path) if path else (1, None)
        self.c.problems.append(Problem(rel, line, col, field_name(path) or None, message, hint, severity, code))

    def reference(self, entry: AnyEntry, path: tuple[str | int, ...], target: str, kind: Target) -> None:
        known: Mapping[str, AnyEntry] = self.items if kind == "item" else self.c.collection(kind)
        found = known.get(target)
        if found is None:
            if self._unloaded(kind, target):
                return
            close = difflib.get_close_matches(target, list(known), n=1, cutoff=0.5)
            folder = either([f"{k.folder}/" for k in _kinds(kind)])
            hint = f"did you mean '{close[0]}'?" if close else f"use the file name (without .md) of a file in {folder}"
            self.report(entry, path, f"no {_noun(kind)} with id '{target}'", hint, "unknown-reference")
        elif found.status == "draft" and entry.status != "draft":
            self.report(entry, path, f"'{target}' is a draft and will not be published",
                        f"publish {found.rel} first, or leave it out", "draft-reference")

    def _unloaded(self, kind: Target, target: str) -> bool:
        return any((k.name, target) in self.c.unloaded for k in _kinds(kind))

    def local_file(self, entry: AnyEntry, path: tuple[str | int, ...], value: str,
                   extensions: tuple[str, ...], what: str) -> Path | None:
        target = resolve_local(self.root, entry.rel, value)
        if target is None:
            self.report(entry, path, f"{what} file '{value}' is outside the content folder",
                        "copy the file into content/ and give its path relative to this file", "outside-file")
            return None
        if not target.is_file():
            self.report(entry, path, f"{what} file '{value}' does not exist",
                        "add the file to the repository, or correct the path (relative to this file)", "missing-file")
            return None
        if not target.name.lower().endswith(extensions):
            self.report(entry, path, f"{what} file '{value}' should be one of {', '.join(extensions)}",
                        "convert it to a supported format", "wrong-format")
            return None
        return target


def resolve_local(root: Path, entry_rel: str, value: str) -> Path | None:
    """A file referenced from a content file: relative to that file, or `/`-rooted in the content folder."""
    if value.startswith("/"):
        candidate = (root / value.lstrip("/")).resolve()
    else:
        candidate = ((root / entry_rel).parent / value).resolve()
    return candidate if candidate.is_relative_to(root) else None


def check_community(community: Community, sources: dict[str, Source]) -> None:
    checker = Checker(community, sources)
    for person in community.people.values():
        _person(checker, person)
    for topic in community.topics.values():
        topic.topics = [topic.id]
        for i, pid in enumerate(topic.meta.stewards):
            checker.reference(topic, ("stewards", i), pid, "person")
    bodies: list[AnyEntry] = [*community.people.values(), *community.topics.values()]
    for entry in bodies:
        _body(checker, entry)
    for item in community.all_items():
        _item(checker, item)
    for path in community.paths.values():
        _path(checker, path)
    for event in community.events.values():
        _event(checker, event)
    _translations(checker)
    _featured(checker)


def _translations(checker: Checker) -> None:
    """`translation_of` names an item of the same kind, in another language, that translates none itself;
    an original has at most one translation per language."""
    seen: dict[tuple[str, str], Item] = {}
    for item in checker.c.all_items():
        target_id = getattr(item.meta, "translation_of", None)
        if target_id is None:
            continue
        where = ("translation_of",)
        target = checker.items.get(target_id)
        lang = checker.c.language_of(item)
        if target is None:
            checker.reference(item, where, target_id, "item")
        elif target is item:
            checker.report(item, where, "an item cannot be a translation of itself",
                           "name the item this one translates, or remove 'translation_of'", "bad-translation")
        elif target.kind != item.kind:
            checker.report(item, where, f"'{target_id}' is a {target.kind}, this is a {item.kind}",
                           f"a translation is the same kind of item: name the {item.kind} this one translates",
                           "bad-translation")
        elif getattr(target.meta, "translation_of", None):
            original = target.meta.translation_of
            checker.report(item, where, f"'{target_id}' is itself a translation (of '{original}')",
                           f"name the original: translation_of: {original}", "bad-translation")
        elif checker.c.language_of(target) == lang:
            checker.report(item, where, f"'{target_id}' is written in '{lang}' too",
                           "set 'lang' to the language this file is written in (e.g. lang: ar)", "bad-translation")
        elif (target_id, lang) in seen:
            checker.report(item, where, f"'{target_id}' already has a translation in '{lang}': "
                           f"{seen[target_id, lang].rel}", "keep one translation per language (merge the two)",
                           "bad-translation")
        else:
            seen[target_id, lang] = item


def _featured(checker: Checker) -> None:
    rel = checker.c.settings.practica.featured
    for i, feature in enumerate(checker.c.featured):
        item = checker.c.item(feature.item)
        if item is None:
            close = difflib.get_close_matches(feature.item, [e.id for e in checker.c.all_items()], n=1, cutoff=0.5)
            checker.report_at(rel, (i, "item"), f"no {_noun('item')} with id '{feature.item}'",
                              f"did you mean '{close[0]}'?" if close else "use the item's file name without .md",
                              "unknown-reference")
        elif item.status == "draft":
            checker.report_at(rel, (i, "item"), f"'{feature.item}' is a draft and will not be published",
                              "publish it first, or feature something else", "draft-reference")
        for j, where in enumerate(feature.where):
            if where != "home" and where not in checker.c.topics:
                close = difflib.get_close_matches(where, ["home", *checker.c.topics], n=1, cutoff=0.5)
                checker.report_at(rel, (i, "where", j), f"'{where}' is neither 'home' nor a community id",
                                  f"did you mean '{close[0]}'?" if close else "write 'home' or a community id",
                                  "unknown-reference")

def _kinds(target: Target) -> list[ContentKind]:
    return list(ITEM_KINDS.values()) if target == "item" else [KINDS[target]]


def _noun(target: Target) -> str:
    """What a reference names, in words: "person", "community", "lesson, video, FAQ or path"."""
    return either([k.noun for k in _kinds(target)])


def _skills(checker: Checker, entry: Person | Item, field: str, texts: list[str]) -> None:
    taxonomy = checker.c.taxonomy
    for i, text in enumerate(texts):
        sid = taxonomy.resolve(text)
        if sid is None:
            close = taxonomy.suggest(text)
            hint = (f"did you mean '{close}'? " if close else "") + _add_skill_hint(text)
            checker.report(entry, (field, i), f"unknown skill '{text}'", hint, "unknown-skill")
        elif sid not in entry.skills:
            entry.skills.append(sid)


def _add_skill_hint(text: str) -> str:
    """How to add a new skill to skills.yml (id, name and aliases), for the text that was not found."""
    sid = slugify(text) or "new-skill"
    return (f"if it is a new skill, add it to skills.yml: '- id: {sid}', then '  name: {text.strip()}' "
            "(and '  aliases: [...]' for other ways people write it)")


def _body(checker: Checker, entry: AnyEntry) -> None:
    checker.c.problems.extend(body.check(entry.rel, entry.body, entry.body_line, checker.root,
                                         checker.c.settings.markdown_extensions, checker.c.media))


def _person(checker: Checker, person: Person) -> None:
    meta = person.meta
    _skills(checker, person, "expertise", meta.expertise)
    person.topics = list(meta.topics)
    for i, tid in enumerate(meta.topics):
        checker.reference(person, ("topics", i), tid, "topic")
    if meta.photo:
        photo = checker.local_file(person, ("photo",), meta.photo, IMAGE_EXTENSIONS, "photo")
        if photo is not None:
            _photo_size(checker, person, photo)


def _photo_size(checker: Checker, person: Person, photo: Path) -> None:
    try:
        with Image.open(photo) as image:
            width, height = image.size
    except (UnidentifiedImageError, OSError):
        checker.report(person, ("photo",), f"photo '{person.meta.photo}' is not an image Practica can read",
                       "save it as JPEG, PNG or WebP", "bad-image")
        return
    if min(width, height) < MIN_PHOTO_PIXELS:
        checker.report(person, ("photo",), f"photo is only {width}×{height} px and will look blurred",
                       f"use a photo at least {MIN_PHOTO_PIXELS}×{MIN_PHOTO_PIXELS} px", "small-photo", "warning")
    if photo.stat().st_size > MAX_PHOTO_BYTES:
        checker.report(person, ("photo",), f"photo is {photo.stat().st_size // 1_000_000} MB",
                       "resize it to about 800 px before committing (the site resizes it, but the repository "
                       "keeps the original forever)", "large-photo", "warning")


def _item(checker: Checker, item: Item) -> None:
    meta = item.meta
    if isinstance(meta, ItemMeta):
        _skills(checker, item, "skills", meta.skills)
    item.topics = list(meta.topics)
    for i, tid in enumerate(item.topics):
        checker.reference(item, ("topics", i), tid, "topic")
    credits = ITEM_KINDS[item.kind].credits
    for i, pid in enumerate(item.people):
        checker.reference(item, (credits, i), pid, "person")
    if isinstance(meta, FaqMeta):
        _item_references(checker, item, "related", meta.related)
    if isinstance(meta, LessonMeta):
        _item_references(checker, item, "prerequisites", meta.prerequisites)
    if isinstance(meta, ItemMeta) and meta.review:
        checker.reference(item, ("review", "by"), meta.review.by, "person")
    if isinstance(meta, FaqMeta) and meta.verified:
        checker.reference(item, ("verified", "by"), meta.verified.by, "person")
    if item.status != "draft" and isinstance(meta, ItemMeta):
        _freshness(checker, item, meta)
    _body(checker, item)
    if isinstance(item.meta, LessonMeta):
        _lesson(checker, item)
    elif isinstance(item.meta, VideoMeta):
        _video(checker, item)


def _item_references(checker: Checker, item: Item | Event, field: str, ids: list[str]) -> None:
    for i, ref in enumerate(ids):
        checker.reference(item, (field, i), ref, "item")


def _freshness(checker: Checker, item: Item, meta: ItemMeta) -> None:
    """A reminder (never a build problem: it depends on today's date) when the item's last review or
    verification has lapsed, or when it was never reviewed and its date is older than the interval."""
    record = meta.last_check
    field = "review" if record is None or isinstance(record, Review) else "verified"
    every = (record.every if isinstance(record, Review) else None) or checker.c.settings.practica.review_every
    if (record.on if record else item.date) + dt.timedelta(days=interval_days(every)) >= checker.c.settings.today:
        return
    if record:
        person = checker.c.people.get(record.by)
        where: tuple[str, ...] = (field, "on")
        verb = "reviewed" if field == "review" else "verified"
        message = f"due for review: last {verb} on {record.on}, every {every}"
        hint = f"ask {person.title if person else record.by} to re-check it, then update '{field}.on' to today's date"
    else:
        where = ("date",) if meta.date else ()
        message = f"due for review: dated {item.date} and never reviewed (every {every})"
        hint = "ask an expert to re-check it, then add 'review:' with 'by: their-id' and 'on: today's date'"
    line, col = checker.sources[item.rel].position(where) if where else (1, None)
    checker.c.reminders.append(Problem(item.rel, line, col, field_name(where) or None, message, hint, "warning",
                                       "review-due"))


def _lesson(checker: Checker, lesson: Lesson) -> None:
    limit = checker.c.settings.practica.microlearning_minutes
    if lesson.minutes > limit:
        checker.report(lesson, ("minutes",) if lesson.meta.minutes else (),
                       f"lesson takes about {lesson.minutes} minutes, over the {limit}-minute microlearning limit",
                       "split it into shorter lessons and join them with a learning path", "too-long", "warning")
    for i, question in enumerate(lesson.meta.check):
        if not 1 <= question.answer <= len(question.options):
            checker.report(lesson, ("check", i, "answer"),
                           f"answer {question.answer} is not one of the {len(question.options)} options",
                           f"write the number of the correct option, from 1 to {len(question.options)}",
                           "answer-out-of-range")


def _video(checker: Checker, video: Video) -> None:
    meta = video.meta
    if meta.src.startswith("http://"):
        checker.report(video, ("src",), "video address uses http://", "use the https:// address", "bad-url")
    elif not meta.src.startswith("https://"):
        checker.local_file(video, ("src",), meta.src, VIDEO_EXTENSIONS, "video")
    if meta.poster:
        checker.local_file(video, ("poster",), meta.poster, IMAGE_EXTENSIONS, "poster")
    if meta.captions:
        vtt = checker.local_file(video, ("captions",), meta.captions, (".vtt",), "captions")
        if vtt is not None and not vtt.read_bytes()[:16].lstrip(b"\xef\xbb\xbf").startswith(b"WEBVTT"):
            checker.report(video, ("captions",), "captions file does not start with 'WEBVTT'",
                           "export the captions as WebVTT (.vtt)", "bad-captions")
    if not meta.captions and not video.body.strip():
        checker.report(video, ("src",), "video has neither captions nor a transcript",
                       "add 'captions: file.vtt', or write the transcript below the front matter",
                       "no-captions")
    for i, chapter in enumerate(meta.chapters):
        if chapter.at > meta.duration:
            checker.report(video, ("chapters", i, "at"), "chapter starts after the video ends",
                           "correct the chapter's time or the video's duration", "out-of-range")


def _path(checker: Checker, path: LearningPath) -> None:
    seen: Counter[str] = Counter()
    for i, step in enumerate(path.meta.steps):
        checker.reference(path, ("steps", i, "item"), step.item, "item")
        seen[step.item] += 1
        if seen[step.item] == 2:
            checker.report(path, ("steps", i, "item"), f"'{step.item}' is already a step of this path",
                           "remove the repeated step", "duplicate-step")
    if not path.topics:
        counts: Counter[str] = Counter()
        for step in path.meta.steps:
            target = checker.c.item(step.item)
            if target is not None:
                counts.update(target.topics)
        path.topics = [t for t, _ in counts.most_common()]


def _event(checker: Checker, event: Event) -> None:
    """References, the zone, the times, the repeat and the status of an event (file:line:field each)."""
    meta = event.meta
    event.topics = list(meta.topics)
    for i, tid in enumerate(meta.topics):
        checker.reference(event, ("topics", i), tid, "topic")
    for i, pid in enumerate(meta.hosts):
        checker.reference(event, ("hosts", i), pid, "person")
    _item_references(checker, event, "related", meta.related)
    if meta.recording:
        checker.reference(event, ("recording",), meta.recording, "item")
        found = checker.c.item(meta.recording)
        if found is not None and not isinstance(found.meta, VideoMeta):
            checker.report(event, ("recording",), f"'{meta.recording}' is a {ITEM_KINDS[found.kind].noun}, not a video",
                           "give the id of the video recorded at the event (a file in videos/)", "not-a-video")
    if timing.zone(meta.timezone) is None:
        close = difflib.get_close_matches(meta.timezone, sorted(zoneinfo.available_timezones()), n=1, cutoff=0.6)
        checker.report(event, ("timezone",), f"'{meta.timezone}' is not a time zone",
                       (f"did you mean '{close[0]}'? " if close else "")
                       + "write an IANA zone name such as 'Europe/Berlin' or 'America/New_York'", "unknown-zone")
    if meta.duration is not None and meta.end is not None:
        checker.report(event, ("end",), "both 'duration' and 'end' are given",
                       "keep one of them: 'duration' (minutes) or 'end' (local date and time)", "duration-and-end")
    elif meta.duration is None and meta.end is None:
        checker.report(event, ("start",), "the event has no length",
                       "add 'duration: 60' (minutes) or 'end: YYYY-MM-DD HH:MM'", "no-end")
    elif meta.end is not None and meta.end <= meta.start:
        checker.report(event, ("end",), f"'end' ({meta.end:%Y-%m-%d %H:%M}) is not after 'start' "
                       f"({meta.start:%Y-%m-%d %H:%M})", "correct 'end', or write 'duration' in minutes instead",
                       "end-before-start")
    elif meta.end is not None and meta.end - meta.start > dt.timedelta(days=1):
        checker.report(event, ("end",), "the event lasts more than a day",
                       "'end' is the end of the first session; for a series add 'repeat:'", "too-long")
    if meta.status == "cancelled" and not meta.status_note:
        checker.report(event, ("status",), "a cancelled event has no 'status_note'",
                       "add 'status_note:' saying why it was cancelled (and where to go instead, if anywhere)",
                       "cancelled-without-note")
    if meta.repeat is not None:
        _repeat(checker, event)
    _sequence(checker, event)
    _body(checker, event)


# What calendars must be told about: a change to any of these raises `sequence`.
SCHEDULE = ("start", "timezone", "duration", "end", "repeat", "status")


def _sequence(checker: Checker, event: Event) -> None:
    """`sequence` against the last commit's version of the file: never lower, and raised when the schedule
    (SCHEDULE) changed, so calendars that already hold the event replace it (RFC 5545 SEQUENCE)."""
    path = checker.root / event.rel
    old = committed(path)
    if old is None:
        return
    try:
        before = parse(event.rel, old).meta
    except ReadError:
        return
    now = checker.sources[event.rel].meta
    was = before.get("sequence", 0)
    was = was if isinstance(was, int) and not isinstance(was, bool) else 0
    seq = event.meta.sequence
    if seq < was:
        checker.report(event, ("sequence",), f"'sequence' went down from {was} to {seq}",
                       f"set it back to {was} (or {was + 1} if the times or status changed); it never goes down",
                       "sequence-down")
    elif seq == was and any(str(before.get(k)) != str(now.get(k)) for k in SCHEDULE):
        changed = [k for k in SCHEDULE if str(before.get(k)) != str(now.get(k))]
        checker.report(event, ("sequence",) if "sequence" in now else (changed[0],),
                       f"{', '.join(repr(k) for k in changed)} changed since the last commit but 'sequence' did not",
                       f"set 'sequence: {was + 1}' so calendars that already have the event update it",
                       "sequence-not-raised")


def _repeat(checker: Checker, event: Event) -> None:
    meta = event.meta
    repeat = meta.repeat
    assert repeat is not None
    if repeat.every and repeat.dates:
        checker.report(event, ("repeat", "dates"), "'repeat' has both 'every' and 'dates'",
                       "use 'every' with 'until' for a regular series, or list 'dates', not both", "repeat-both")
        return
    if not repeat.every and not repeat.dates:
        checker.report(event, ("repeat",), "'repeat' says neither how often nor which dates",
                       "add 'every: week' (or month) and 'until: YYYY-MM-DD', or list 'dates'", "repeat-empty")
        return
    if repeat.every and repeat.until is None:
        checker.report(event, ("repeat", "every"), "the repeat has no end",
                       "add 'until: YYYY-MM-DD' under 'repeat' (the last day it may happen)", "repeat-without-end")
        return
    if repeat.until is not None and repeat.until < meta.start.date():
        checker.report(event, ("repeat", "until"), f"'until' ({repeat.until}) is before 'start'",
                       "set 'until' to the last day of the series", "until-before-start")
    for i, when in enumerate(repeat.dates):
        if when <= meta.start:
            checker.report(event, ("repeat", "dates", i), f"{when:%Y-%m-%d %H:%M} is not after 'start'",
                           "'start' is the first occurrence; list only later dates", "date-before-start")
    starts = timing.local_starts(meta)
    days = [s.date() for s in starts]
    if len(set(days)) != len(days):
        checker.report(event, ("repeat",), "two occurrences fall on the same day",
                       "one occurrence per day: each day is the anchor of its entry on the page", "same-day")
    if len(starts) > timing.MAX_OCCURRENCES:
        checker.report(event, ("repeat",), f"the repeat gives more than {timing.MAX_OCCURRENCES} occurrences",
                       "bring 'until' closer, or start a new event file for the next season", "too-many-occurrences")
