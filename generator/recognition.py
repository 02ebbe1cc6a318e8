"""Recognition of the people who share what they know, from evidence the community already holds.

No points and no leaderboards of readers: a recognition is a sentence about what someone did ("10 verified
answers"), with the items that prove it linked, shown on their profile. Each ladder (lessons written, answers
verified, …) shows its highest step only. What counts (one table, `LADDERS`):
- written lessons, videos and learning paths: the item's credits, published items only;
- answers: FAQs the person answered that an expert has verified;
- reviews: items whose review or verification names the person (checking others' work);
- stewardship: communities that name the person as a steward.
Hubs show the quarter's contributors: people credited on an item of the community first published this
quarter, or who reviewed or verified one of its items this quarter. `practica report` lists new contributors
and people whose content readers found helpful (reader feedback), so L&D can thank them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from . import urls
from .community import Community, Contributions, Item, Person, Topic
from .content.models import FaqMeta, ItemMeta
from .languages import N_

EVIDENCE_SHOWN = 3


@dataclass(frozen=True)
class Ladder:
    """One kind of contribution: the items that count, and its steps as (at least, label)."""

    name: str
    evidence: Callable[[Contributions], list[Item]]
    steps: tuple[tuple[int, str], ...]
    checks: bool = False  # counts checks of others' work: dated by the check, the person's own items left out


def _kind(kind: str) -> Callable[[Contributions], list[Item]]:
    return lambda done: [i for i in done.wrote + done.curated if i.kind == kind]


def _verified_answers(done: Contributions) -> list[Item]:
    return [i for i in done.answered if isinstance(i.meta, FaqMeta) and i.meta.verified]


LADDERS = (
    Ladder("lessons", _kind("lesson"), ((1, N_("First lesson")), (3, N_("3 lessons")), (5, N_("5 lessons")),
                                        (10, N_("10 lessons")), (25, N_("25 lessons")))),
    Ladder("videos", _kind("video"), ((1, N_("First video")), (3, N_("3 videos")), (10, N_("10 videos")))),
    Ladder("paths", _kind("path"), ((1, N_("Learning path curator")), (3, N_("3 learning paths")))),
    Ladder("answers", _verified_answers, ((1, N_("First verified answer")), (3, N_("3 verified answers")),
                                          (10, N_("10 verified answers")), (25, N_("25 verified answers")))),
    Ladder("reviews", lambda done: done.reviewed + done.verified, ((3, N_("Reviewer")), (10, N_("10 reviews")),
                                                                   (25, N_("25 reviews"))), checks=True),
)


@dataclass(frozen=True)
class Recognition:
    """"10 verified answers", since when (the step was reached), the newest items that show it, and how many."""

    label: str
    since: dt.date
    evidence: tuple[Item, ...]
    count: int
    ladder: str


def recognitions(community: Community, person: Person) -> list[Recognition]:
    """What a person is recognised for, the highest step of each ladder; stewardship last."""
    done = community.contributions_of(person.id)
    found = []
    for ladder in LADDERS:
        def day(item: Item, ladder: Ladder = ladder) -> dt.date:
            return _checked_on(item, person.id) if ladder.checks else item.date
        items = sorted({i.id: i for i in ladder.evidence(done) if i.status == "published"
                        and not (ladder.checks and person.id in i.people)}.values(), key=lambda i: (day(i), i.id))
        reached = [(need, label) for need, label in ladder.steps if len(items) >= need]
        if reached:
            need, label = reached[-1]
            newest = tuple(sorted(items, key=lambda i: (day(i), i.id), reverse=True)[:EVIDENCE_SHOWN])
            found.append(Recognition(label, day(items[need - 1]), newest, len(items), ladder.name))
    return found


def quarter_start(day: dt.date) -> dt.date:
    return dt.date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)


def quarter_name(day: dt.date) -> str:
    return f"Q{(day.month - 1) // 3 + 1} {day.year}"


def contributors_this_quarter(community: Community, topic: Topic, today: dt.date) -> list[Person]:
    """People who contributed to a community since the quarter began: most contributions first, then by name."""
    start = quarter_start(today)
    counts: dict[str, int] = {}
    for item in community.items_by_topic.get(topic.id, []):
        for pid, day in _credits(item):
            if start <= day <= today and pid in community.people:
                counts[pid] = counts.get(pid, 0) + 1
    return sorted((community.people[p] for p in counts), key=lambda p: (-counts[p.id], p.title))


def new_contributors(community: Community, today: dt.date) -> list[tuple[Person, dt.date, Item]]:
    """People whose first contribution anywhere is dated this quarter: (person, day, that item), oldest first."""
    first: dict[str, tuple[dt.date, Item]] = {}
    for item in community.published:
        for pid, day in _credits(item):
            if pid not in first or (day, item.id) < (first[pid][0], first[pid][1].id):
                first[pid] = (day, item)
    start = quarter_start(today)
    rows = [(community.people[p], day, item) for p, (day, item) in first.items()
            if start <= day <= today and p in community.people]
    return sorted(rows, key=lambda row: (row[1], row[0].title))


def found_helpful(community: Community, pages: dict[str, Any], least: int = 3) -> list[tuple[Person, int, list[Item]]]:
    """People whose items readers marked helpful at least `least` times in all (the feedback export: page path →
    counts): (person, helpful votes, their items with votes, most first), most votes first."""
    votes: dict[str, int] = {}
    items: dict[str, list[tuple[int, Item]]] = {}
    by_url = {urls.page(item.kind, item.id): item for item in community.published}
    for url, counts in pages.items():
        item = by_url.get(url.strip("/") + "/")
        helpful = counts.get("helpful", 0) if isinstance(counts, dict) else 0
        if item is None or not isinstance(helpful, int) or helpful <= 0:
            continue
        for pid in item.people:
            votes[pid] = votes.get(pid, 0) + helpful
            items.setdefault(pid, []).append((helpful, item))
    rows = [(community.people[p], n, [i for _, i in sorted(items[p], key=lambda t: (-t[0], t[1].id))])
            for p, n in votes.items() if n >= least and p in community.people]
    return sorted(rows, key=lambda row: (-row[1], row[0].title))


def _credits(item: Item) -> Iterable[tuple[str, dt.date]]:
    """(person id, day) for each contribution an item records: its credits on its date, each check on its day."""
    for pid in item.people:
        yield pid, item.date
    yield from _checks(item)


def _checks(item: Item) -> Iterable[tuple[str, dt.date]]:
    """Who checked the item, and when: its review, and an FAQ's verification."""
    meta = item.meta
    for check in (meta.review if isinstance(meta, ItemMeta) else None,
                  meta.verified if isinstance(meta, FaqMeta) else None):
        if check is not None:
            yield check.by, check.on


def _checked_on(item: Item, person_id: str) -> dt.date:
    """The first day the person checked the item (its review or verification)."""
    return min((on for by, on in _checks(item) if by == person_id), default=item.date)
