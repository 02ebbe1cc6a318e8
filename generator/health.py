"""Content health for L&D: where the community is weak, before readers notice. One computation feeds
`practica report` (text, JSON, Markdown) and the /health/ page."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from . import events, recognition, urls
from .community import AnyEntry, Community, Item, Topic
from .content.models import ItemMeta
from .errors import ConfigError
from .languages import N_
from .settings import Settings

SECTIONS = {
    "due_for_review": N_("Due for review"),
    "unverified_faqs": N_("Answers nobody has verified"),
    "videos_without_captions": N_("Videos without captions"),
    "long_lessons": N_("Lessons over the microlearning limit"),
    "communities_without_stewards": N_("Communities without stewards"),
    "communities_without_experts": N_("Communities where nobody declares expertise"),
    "people_to_invite": N_("People with expertise who have not contributed yet"),
    "broken_links": N_("Broken links"),
    "events_without_recording": N_("Past events without a recording"),
    "feedback": N_("Reader feedback"),
    "unanswered_questions": N_("Unanswered questions"),
    "new_contributors": N_("New contributors this quarter (thank them)"),
    "found_helpful": N_("People whose content readers found helpful (invite them to do more)"),
    "learning": N_("Learning records (xAPI)"),
}
# sections from an export: left out of text when empty
OPTIONAL = ("feedback", "unanswered_questions", "found_helpful", "learning")


@dataclass(frozen=True)
class Finding:
    """One row: what is wrong, in which file (and line), who can fix it, and where it shows on the site."""

    title: str
    file: str
    detail: str
    line: int | None = None
    who: tuple[str, ...] = ()
    page: str | None = None


@dataclass
class CommunitySpan:
    topic: str
    name: str
    items: int
    newest: tuple[str, str, str] | None  # (title, date, site URL)
    oldest: tuple[str, str, str] | None


@dataclass
class Conversation:
    """A community's boards over the export's window, next to its goal."""

    topic: str
    name: str
    goal: str | None
    questions: int
    answered: int
    median_hours_to_answer: float | None
    new: int
    returning: int
    window_days: int
    new_contributors: tuple[str, ...] = ()  # names of people whose first item here was published in the window

    @property
    def share_answered(self) -> str:
        return f"{round(100 * self.answered / self.questions)}%" if self.questions else "—"


@dataclass
class Health:
    sections: dict[str, list[Finding]] = field(default_factory=dict)
    communities: list[CommunitySpan] = field(default_factory=list)
    conversation: list[Conversation] = field(default_factory=list)

    def count(self) -> int:
        """Every row of every section shown (reader feedback included: `--only feedback` must not say 0)."""
        return sum(len(rows) for rows in self.sections.values())

    def as_dict(self) -> dict[str, Any]:
        return {"sections": {k: [asdict(f) for f in v] for k, v in self.sections.items()},
                "communities": [asdict(c) for c in self.communities],
                "conversation": [asdict(c) for c in self.conversation]}


def health(community: Community, feedback: dict[str, Any] | None = None,
           conversations: dict[str, Any] | None = None, learning: dict[str, Any] | None = None) -> Health:
    c = community
    report = Health()
    s = report.sections
    s["due_for_review"] = [_from_problem(c, p.file, p.line, p.message, "review-due") for p in c.reminders]
    s["unverified_faqs"] = [_row(c, f, "no expert has verified this answer yet", f.people)
                            for f in _listed(c.faqs.values()) if f.meta.verified is None]
    s["videos_without_captions"] = [_row(c, v, "transcript only: add a WebVTT captions file", v.people)
                                    for v in _listed(c.videos.values()) if not v.meta.captions]
    limit = c.settings.practica.microlearning_minutes
    s["long_lessons"] = [_row(c, le, f"about {le.minutes} minutes (limit {limit}): split it into a path", le.people)
                         for le in _listed(c.lessons.values()) if le.minutes > limit]
    s["communities_without_stewards"] = [_row(c, t, "nobody looks after this community", ())
                                         for t in c.topics.values() if not t.meta.stewards]
    s["communities_without_experts"] = [_row(c, t, "no one lists it among their communities", t.meta.stewards)
                                        for t in c.topics.values() if not _members(c, t.id)]
    s["people_to_invite"] = [
        _row(c, p, "declares " + ", ".join(c.skill_name(k) for k in p.skills) + " but has not shared anything yet",
             (p.id,))
        for p in sorted(c.people.values(), key=lambda p: p.title)
        if p.skills and c.contributions_of(p.id).count() == 0]
    s["broken_links"] = [_from_problem(c, p.file, p.line, p.message, "broken-link") for p in c.problems
                         if p.code == "broken-link"]
    now = events.now_of(c)
    s["events_without_recording"] = [
        _row(c, e, f"took place on {events.occurrences(e)[-1].start.date().isoformat()}: add 'recording:' with the "
             "id of its video, if it was recorded", e.meta.hosts)
        for e in sorted(c.events.values(), key=lambda e: e.id)
        if e.meta.status != "cancelled" and not e.meta.recording and events.past(e, now)]
    s["feedback"] = _feedback(c, feedback or {})
    s["unanswered_questions"] = _unanswered(c, conversations or {})
    s["new_contributors"] = [
        _row(c, person, f"first contribution on {day.isoformat()}: "
             + ("" if person.id in item.people else "checked ") + f"“{item.title}”", (person.id,))
        for person, day, item in recognition.new_contributors(c, c.settings.today)]
    s["found_helpful"] = [
        _row(c, person, f"{votes} “helpful” on " + ", ".join(f"“{i.title}”" for i in items[:3])
             + (f" and {len(items) - 3} more" if len(items) > 3 else ""), (person.id,))
        for person, votes, items in recognition.found_helpful(c, feedback or {})]
    s["learning"] = _learning(c, learning or {})
    report.communities = [_span(c, t) for t in sorted(c.topics.values(), key=lambda t: t.title)]
    report.conversation = _conversation(c, conversations) if conversations else []
    return report


def feedback_for(settings: Settings, path: Path | None = None) -> dict[str, Any] | None:
    """The feedback export given on the command line, else the one `extra.practica.feedback_file` names."""
    chosen = path or (settings.root / settings.practica.feedback_file if settings.practica.feedback_file else None)
    return read_feedback(chosen) if chosen else None


def read_feedback(path: Path) -> dict[str, Any]:
    """An export written by `practica push export-feedback` (page path → counts and comments)."""
    data = _read_export(path, "feedback export", "practica push export-feedback --out FILE")
    pages = data.get("pages", data)
    return pages if isinstance(pages, dict) else {}


def _read_export(path: Path, what: str, command: str) -> dict[str, Any]:
    """A JSON object exported by the community service, or a ConfigError naming the file (and line) and the fix:
    a report or a build must not end in a traceback because an export was cut short or edited by hand."""
    fix = _rewrite(command)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"{path}: the {what} does not exist: {fix}") from None
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        line = f", line {exc.lineno}" if isinstance(exc, json.JSONDecodeError) else ""
        raise ConfigError(f"{path}{line}: not a {what} ({exc}): {fix}") from None
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: not a {what} (a JSON object): {fix}")
    return data


def _rewrite(command: str) -> str:
    """How to mend a broken export: write it again."""
    return f"write it again with `{command}`"


def learning_for(settings: Settings, path: Path | None = None) -> dict[str, Any] | None:
    """The learning-records export given on the command line, else the one `extra.practica.learning_file` names."""
    name = settings.practica.learning_file
    chosen = path or (settings.root / name if name else None)
    return read_learning(chosen) if chosen else None


def read_learning(path: Path) -> dict[str, Any]:
    """An export written by `practica push export-learning`: {"pages": {page path → figures}, "communities":
    {topic id → figures}, "source"}; a ConfigError naming the file, line and fix if it is not one."""
    command = "practica push export-learning --out FILE"
    data = _read_export(path, "learning-records export", command)
    fix = _rewrite(command)
    found = {}
    for field_name in ("pages", "communities"):
        part = data.get(field_name, {})
        if not isinstance(part, dict):
            raise ConfigError(f"{path}: field '{field_name}' must be an object of figures: {fix}")
        found[field_name] = {str(k): v for k, v in part.items() if isinstance(v, dict)}
    return found | {"source": str(data.get("source", "local"))}


def _figures(n: dict[str, Any]) -> str:
    """"3 read, 2 completed, check 50% right (4 answers), video finished by 1 of 2" (numbers that are not: 0)."""
    def number(key: str) -> int:
        return _count(n, key)
    figures = [f"{number('read')} read", f"{number('completed')} completed"]
    if number("answers"):
        figures.append(f"check {round(100 * min(number('answers_right'), number('answers')) / number('answers'))}% "
                       f"right ({number('answers')} answers)")
    if number("video_started"):
        figures.append(f"video finished by {number('video_completed')} of {number('video_started')}")
    return ", ".join(figures)


def _learning(c: Community, data: dict[str, Any]) -> list[Finding]:
    """Per item, from learning records: people who read and completed it, its check's success rate, its video's
    completion rate, the items most read first; then per community (people counted once across its items)."""
    by_url = {urls.page(e.kind, e.id): e for e in c.published}
    rows = []
    for url, n in data.get("pages", {}).items():
        entry = by_url.get(str(url).strip("/") + "/")
        where = (entry.title, entry.rel, entry.people, urls.page(entry.kind, entry.id)) if entry else \
            (str(n.get("title", url)), str(url), (), None)
        rows.append((_count(n, "read") + _count(n, "video_started"),
                     Finding(where[0], where[1], _figures(n), None, _names(c, where[2]), where[3])))
    communities = []
    for topic_id, n in data.get("communities", {}).items():
        topic = c.topics.get(topic_id)
        communities.append((_count(n, "read") + _count(n, "video_started"), Finding(
            f"Community: {topic.title if topic else topic_id}", topic.rel if topic else topic_id, _figures(n), None,
            _names(c, topic.meta.stewards) if topic else (), urls.page("topic", topic.id) if topic else None)))
    return [f for _, f in sorted(rows, key=lambda r: (-r[0], r[1].title))] + \
        [f for _, f in sorted(communities, key=lambda r: (-r[0], r[1].title))]


def _count(n: dict[str, Any], key: str) -> int:
    value = n.get(key, 0)
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else 0


def conversations_for(settings: Settings, path: Path | None = None) -> dict[str, Any] | None:
    """The conversations export given on the command line, else the one `conversations_file` names."""
    name = settings.practica.conversations_file
    chosen = path or (settings.root / name if name else None)
    if chosen is None:
        return None
    return _read_export(chosen, "conversations export", "practica push export-conversations --out FILE")


E = TypeVar("E", bound=Item)


def _listed(entries: Iterable[E]) -> list[E]:
    """Those that are listed (published, not archived), by file."""
    return sorted((e for e in entries if e.status == "published"), key=lambda e: e.rel)


def _members(c: Community, topic_id: str) -> list[str]:
    stewards = list(c.topics[topic_id].meta.stewards)
    return stewards + [p.id for p in c.people.values() if topic_id in p.topics and p.id not in stewards]


def _row(c: Community, entry: AnyEntry, detail: str, who: Iterable[str]) -> Finding:
    return Finding(entry.title, entry.rel, detail, 1, _names(c, who), urls.page(entry.kind, entry.id))


def _from_problem(c: Community, rel: str, line: int | None, message: str, code: str) -> Finding:
    entries: Iterable[AnyEntry] = (*c.all_items(), *c.people.values(), *c.topics.values())
    entry = next((e for e in entries if e.rel == rel), None)
    if entry is None:
        return Finding(rel, rel, message, line)
    meta = entry.meta
    record = meta.last_check if code == "review-due" and isinstance(meta, ItemMeta) else None
    who = (record.by,) if record else tuple(entry.people)
    return Finding(entry.title, rel, message, line, _names(c, who), urls.page(entry.kind, entry.id))


def _names(c: Community, ids: Iterable[str]) -> tuple[str, ...]:
    return tuple(c.people[p].title if p in c.people else p for p in ids)


def _span(c: Community, topic: Topic) -> CommunitySpan:
    items = c.items_by_topic.get(topic.id, [])
    def describe(e: Item) -> tuple[str, str, str]:
        return (e.title, e.date.isoformat(), urls.page(e.kind, e.id))
    return CommunitySpan(topic.id, topic.title, len(items), describe(items[0]) if items else None,
                         describe(items[-1]) if items else None)


def _feedback(c: Community, pages: dict[str, Any]) -> list[Finding]:
    """Pages readers rated, least helpful first, with their comments."""
    by_url = {urls.page(e.kind, e.id): e for e in c.published}
    rows = []
    for url, counts in pages.items():
        yes, no = int(counts.get("helpful", 0)), int(counts.get("not_helpful", 0))
        comments = [str(x) for x in counts.get("comments", [])]
        quoted = " | ".join(f"“{x}”" for x in comments)
        detail = f"{yes} helpful, {no} not helpful" + (f": {quoted}" if comments else "")
        entry = by_url.get(url.strip("/") + "/")
        if entry is None:
            rows.append((no - yes, Finding(url, url, detail + " (page no longer exists)")))
        else:
            rows.append((no - yes, Finding(entry.title, entry.rel, detail, None, _names(c, entry.people),
                                           urls.page(entry.kind, entry.id))))
    return [f for _, f in sorted(rows, key=lambda r: (-r[0], r[1].title))]


def _unanswered(c: Community, data: dict[str, Any]) -> list[Finding]:
    """Questions nobody but the asker has answered (`practica push export-conversations`), oldest first in each
    community; the community's stewards are who can find them an answer."""
    rows = []
    for q in data.get("unanswered", []):
        topic = c.topics.get(str(q.get("community")))
        asked = str(q.get("asked_at", ""))[:10]
        detail = f"asked {asked} on the {topic.title if topic else q.get('community')} board, no answer yet"
        page = urls.page("topic", topic.id) + f"?thread={int(q['thread'])}" if topic else None
        rows.append(Finding(str(q.get("title") or f"Thread {q['thread']}"), topic.rel if topic else
                            str(q.get("community")), detail, None, _names(c, topic.meta.stewards if topic else ()),
                            page))
    return rows


def _conversation(c: Community, data: dict[str, Any]) -> list[Conversation]:
    """Every community, with what its conversations did in the export's window (zeros where nothing happened),
    and who published their first lesson, video, FAQ or path there in the same window."""
    activity, window = data.get("communities", {}), int(data.get("window_days", 30))
    try:
        end = dt.date.fromisoformat(str(data.get("generated_at", ""))[:10])
    except ValueError:
        end = c.settings.today
    rows = []
    for topic in sorted(c.topics.values(), key=lambda t: t.title):
        a = activity.get(topic.id, {})
        median = a.get("median_hours_to_answer")
        rows.append(Conversation(topic.id, topic.title, topic.meta.goal, int(a.get("questions", 0)),
                                 int(a.get("answered", 0)), float(median) if median is not None else None,
                                 int(a.get("new", 0)), int(a.get("returning", 0)), window,
                                 _new_contributors(c, topic.id, end - dt.timedelta(days=window), end)))
    return rows


def _new_contributors(c: Community, topic_id: str, since: dt.date, end: dt.date) -> tuple[str, ...]:
    """Names of the people credited on an item of the community whose first such item is dated in (since, end]."""
    first: dict[str, dt.date] = {}
    for item in c.items_by_topic.get(topic_id, []):
        for pid in item.people:
            first[pid] = min(first.get(pid, item.date), item.date)
    return tuple(sorted(c.people[p].title for p, day in first.items() if since < day <= end and p in c.people))
