"""The Community: every person, topic and item, cross-referenced. Built once, then only read."""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, Generic, TypeVar

from . import text
from .content.guidelines import SITE, Guidelines
from .content.models import (
    EventMeta,
    FaqMeta,
    FeatureDef,
    ItemMeta,
    LessonMeta,
    PathMeta,
    PersonMeta,
    TopicMeta,
    VideoMeta,
)
from .content.problems import Problem
from .content.skills import Taxonomy
from .kinds import ITEM_KINDS, KINDS, Kind, Meta
from .media import Media
from .settings import Settings

M = TypeVar("M", bound=Meta)

# How much each kind of evidence says about someone's expertise in a skill or topic.
EVIDENCE_WEIGHTS = {"wrote": 3, "answered": 2, "verified": 2, "curated": 1, "declared": 1}


@dataclass(eq=False)
class Entry(Generic[M]):
    """One content file, validated."""

    kind: Kind
    id: str
    rel: str
    meta: M
    body: str
    body_line: int
    date: dt.date = dt.date.min
    updated: dt.date = dt.date.min
    skills: list[str] = field(default_factory=list)
    topics: list[str] = field(default_factory=list)
    minutes: int = 0

    @property
    def title(self) -> str:
        meta: Meta = self.meta
        return meta.name if isinstance(meta, (PersonMeta, TopicMeta)) else meta.title

    @property
    def summary(self) -> str:
        """Text, to be escaped where placed: the front matter's summary (or role) as written (front-matter text
        is text, never Markdown), else the body's first sentence as plain text, cut at a word boundary."""
        meta: Meta = self.meta
        given = meta.role if isinstance(meta, PersonMeta) else None if isinstance(meta, FaqMeta) else meta.summary
        return given or text.summary(self.body)

    @property
    def status(self) -> str:
        meta: Meta = self.meta
        # An event's own status (scheduled/cancelled) is what happens, not whether it is built: every event is.
        return "published" if isinstance(meta, (PersonMeta, TopicMeta, EventMeta)) else meta.status

    @property
    def people(self) -> list[str]:
        """Everyone credited on an item (its kind's `credits`: authors, answerers or curators)."""
        kind = ITEM_KINDS.get(self.kind)
        # The table names the field; tests/test_kinds.py checks that each is a list of person ids on its model.
        return list(getattr(self.meta, kind.credits)) if kind else []


Person = Entry[PersonMeta]
Topic = Entry[TopicMeta]
Lesson = Entry[LessonMeta]
Video = Entry[VideoMeta]
Faq = Entry[FaqMeta]
LearningPath = Entry[PathMeta]
Event = Entry[EventMeta]
# Narrow one to its kind with isinstance on its meta: `if isinstance(item.meta, LessonMeta):` makes `item` a Lesson.
Item = Lesson | Video | Faq | LearningPath
AnyEntry = Person | Topic | Item | Event


@dataclass
class Contributions:
    wrote: list[Item] = field(default_factory=list)
    answered: list[Item] = field(default_factory=list)
    verified: list[Item] = field(default_factory=list)
    reviewed: list[Item] = field(default_factory=list)
    curated: list[Item] = field(default_factory=list)
    stewards: list[Topic] = field(default_factory=list)

    def count(self) -> int:
        return len(self.wrote) + len(self.answered) + len(self.verified) + len(self.curated)


@dataclass
class Community:
    settings: Settings
    people: dict[str, Person] = field(default_factory=dict)
    topics: dict[str, Topic] = field(default_factory=dict)
    lessons: dict[str, Lesson] = field(default_factory=dict)
    videos: dict[str, Video] = field(default_factory=dict)
    faqs: dict[str, Faq] = field(default_factory=dict)
    paths: dict[str, LearningPath] = field(default_factory=dict)
    events: dict[str, Event] = field(default_factory=dict)
    taxonomy: Taxonomy = field(default_factory=Taxonomy)
    problems: list[Problem] = field(default_factory=list)
    # Findings that depend on today's date (due for review): reported, never a reason to fail a build.
    reminders: list[Problem] = field(default_factory=list)
    unloaded: set[tuple[Kind, str]] = field(default_factory=set)
    featured: list[FeatureDef] = field(default_factory=list)
    guidelines: dict[str, Guidelines] = field(default_factory=dict)  # SITE's, and communities' own by topic id
    media: Media | None = None  # external images in bodies: each one's verdict, the downloaded copies

    def collection(self, kind: Kind) -> dict[str, Any]:
        """The entries of one kind, by id. Any: which of the typed dicts it is depends on `kind` at run time;
        `people`, `lessons`, … are the typed ways in."""
        found: dict[str, Any] = getattr(self, KINDS[kind].collection)
        return found

    def guidelines_for(self, topic_ids: Iterable[str]) -> Guidelines | None:
        """What a discussion in these communities shows before a first post: the first community's own
        guidelines, else the site's, else none."""
        for tid in topic_ids:
            if tid in self.guidelines:
                return self.guidelines[tid]
        return self.guidelines.get(SITE)

    def language_of(self, entry: AnyEntry) -> str:
        """The language an entry is written in: its `lang`, else the site's."""
        return getattr(entry.meta, "lang", None) or self.settings.language

    def translations(self, item: Item) -> list[Item]:
        """The other published languages of `item` (the original and its translations, `translation_of`),
        in the order of their language tags."""
        return [t for t in self._translation_groups.get(self.original_of(item).id, []) if t is not item]

    def original_of(self, item: Item) -> Item:
        """The item `item` translates (itself when it translates none)."""
        target = getattr(item.meta, "translation_of", None)
        found = self.item(target) if target else None
        return found if found is not None and found.kind == item.kind else item

    @cached_property
    def _translation_groups(self) -> dict[str, list[Item]]:
        groups: dict[str, list[Item]] = defaultdict(list)
        for item in self.published:
            original = self.original_of(item)
            if original is not item or getattr(item.meta, "translation_of", None) is None:
                groups[original.id].append(item)
        return {k: sorted(v, key=self.language_of) for k, v in groups.items() if len(v) > 1}

    def all_items(self) -> Iterator[Item]:
        """Every lesson, video, FAQ and path, drafts included."""
        for kind in ITEM_KINDS:
            yield from self.collection(kind).values()

    def item(self, item_id: str) -> Item | None:
        for kind in ITEM_KINDS:
            found: Item | None = self.collection(kind).get(item_id)
            if found:
                return found
        return None

    @cached_property
    def published(self) -> list[Item]:
        """Items that are built into the site (not drafts), newest first."""
        built = [e for e in self.all_items() if e.status != "draft"]
        return sorted(built, key=lambda e: (e.date, e.id), reverse=True)

    @cached_property
    def listed(self) -> list[Item]:
        """Items shown in indexes, hubs and feeds (published, not archived), newest first."""
        return [e for e in self.published if e.status == "published"]

    @cached_property
    def contributions(self) -> dict[str, Contributions]:
        by_person: dict[str, Contributions] = defaultdict(Contributions)
        for item in self.published:
            meta = item.meta
            role = ITEM_KINDS[item.kind].role
            for pid in item.people:
                getattr(by_person[pid], role).append(item)
            if isinstance(meta, FaqMeta) and meta.verified:
                by_person[meta.verified.by].verified.append(item)
            if isinstance(meta, ItemMeta) and meta.review:
                by_person[meta.review.by].reviewed.append(item)
        for topic in self.topics.values():
            for pid in topic.meta.stewards:
                by_person[pid].stewards.append(topic)
        return dict(by_person)

    def contributions_of(self, person_id: str) -> Contributions:
        return self.contributions.get(person_id, Contributions())

    @cached_property
    def items_by_topic(self) -> dict[str, list[Item]]:
        out: dict[str, list[Item]] = defaultdict(list)
        for item in self.listed:
            for tid in item.topics:
                out[tid].append(item)
        return dict(out)

    @cached_property
    def items_by_skill(self) -> dict[str, list[Item]]:
        out: dict[str, list[Item]] = defaultdict(list)
        for item in self.listed:
            for sid in item.skills:
                out[sid].append(item)
        return dict(out)

    @cached_property
    def skill_evidence(self) -> dict[str, Counter[str]]:
        """skill id → person id → weighted evidence (declared, wrote, answered, verified, curated)."""
        out: dict[str, Counter[str]] = defaultdict(Counter)
        for person in self.people.values():
            for sid in person.skills:
                out[sid][person.id] += EVIDENCE_WEIGHTS["declared"]
        for pid, done in self.contributions.items():
            for role in ("wrote", "answered", "verified", "curated"):
                for item in getattr(done, role):
                    for sid in item.skills:
                        out[sid][pid] += EVIDENCE_WEIGHTS[role]
        return dict(out)

    def experts_for_skill(self, skill_id: str) -> list[tuple[Person, int]]:
        """People with evidence for a skill, strongest first."""
        ranked = self.skill_evidence.get(skill_id, Counter())
        order = sorted(ranked.items(), key=lambda kv: (-kv[1], self.people[kv[0]].title))
        return [(self.people[pid], score) for pid, score in order if pid in self.people]

    def person_topics(self, person: Person) -> list[str]:
        """A person's communities: those they declare, then those they steward (where a question to them goes)."""
        stewarded = [t.id for t in self.contributions_of(person.id).stewards]
        return list(dict.fromkeys([t for t in person.topics if t in self.topics] + sorted(stewarded)))

    def skill_topics(self, skill_id: str) -> list[str]:
        """The communities of the items that teach a skill, most first, then its experts' communities."""
        counts = Counter(t for item in self.items_by_skill.get(skill_id, []) for t in item.topics if t in self.topics)
        ranked = [t for t, _ in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))]
        for person, _ in self.experts_for_skill(skill_id):
            ranked += [t for t in self.person_topics(person) if t not in ranked]
        return ranked

    def experts_for_topic(self, topic_id: str) -> list[Person]:
        """Stewards, then people who contributed to or declared the topic, by how much they contributed."""
        ranked = self._experts_by_topic.get(topic_id)
        return list(ranked) if ranked is not None else self._rank_topic_experts(topic_id)

    @cached_property
    def _experts_by_topic(self) -> dict[str, list[Person]]:
        # Every item page asks for its topics' experts: rank each topic once, not once per item.
        return {tid: self._rank_topic_experts(tid) for tid in self.topics}

    def _rank_topic_experts(self, topic_id: str) -> list[Person]:
        score: Counter[str] = Counter()
        for item in self.items_by_topic.get(topic_id, []):
            for pid in item.people:
                score[pid] += 2
        for person in self.people.values():
            if topic_id in person.topics:
                score[person.id] += 1
        stewards = list(self.topics[topic_id].meta.stewards) if topic_id in self.topics else []
        rest = sorted((p for p in score if p not in stewards), key=lambda p: (-score[p], p))
        return [self.people[p] for p in [*stewards, *rest] if p in self.people]

    def ask_experts(self, item: Item, limit: int = 3) -> list[Person]:
        """Up to `limit` people whose expertise best matches an item's skills, then its topics."""
        score: Counter[str] = Counter()
        for sid in item.skills:
            score.update(self.skill_evidence.get(sid, Counter()))
        for tid in item.topics:
            for rank, person in enumerate(self.experts_for_topic(tid)[:5]):
                score[person.id] += max(1, 3 - rank) if not item.skills else 1
        def open_to_questions(pid: str) -> int:
            return int("questions" in self.people[pid].meta.available_for)
        ranked = sorted((p for p in score if p in self.people),
                        key=lambda p: (-score[p], -open_to_questions(p), self.people[p].title))
        return [self.people[p] for p in ranked[:limit]]

    def steps(self, path: LearningPath) -> list[tuple[Item, str | None]]:
        """A path's steps as (item, note), skipping any that are not built."""
        out = []
        for step in path.meta.steps:
            item = self.item(step.item)
            if item is not None and item.status != "draft":
                out.append((item, step.note))
        return out

    def paths_containing(self, item_id: str) -> list[LearningPath]:
        return list(self._paths_by_step.get(item_id, []))

    @cached_property
    def _paths_by_step(self) -> dict[str, list[LearningPath]]:
        # Every lesson page lists its paths: index the steps once, not every path per lesson.
        out: dict[str, list[LearningPath]] = defaultdict(list)
        for path in self.paths.values():
            if path.status != "draft":
                for item_id in dict.fromkeys(step.item for step in path.meta.steps):
                    out[item_id].append(path)
        return dict(out)

    def featured_in(self, where: str) -> list[tuple[Item, str | None]]:
        """(item, note) featured today on the home page (`home`) or a community's hub, in curated order."""
        today = self.settings.today
        out: dict[str, tuple[Item, str | None]] = {}
        for feature in self.featured:
            item = self.item(feature.item)
            if where in feature.where and feature.active(today) and item is not None and item.status != "draft":
                out.setdefault(item.id, (item, feature.note))
        return list(out.values())

    def skill_name(self, skill_id: str) -> str:
        skill = self.taxonomy.skills.get(skill_id)
        return skill.name if skill else skill_id


E = TypeVar("E", bound=AnyEntry)


def newest(entries: Iterable[E], limit: int | None = None) -> list[E]:
    ordered = sorted(entries, key=lambda e: (e.date, e.id), reverse=True)
    return ordered[:limit] if limit is not None else ordered
