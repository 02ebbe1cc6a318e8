"""Seeded demo discussions (`practica push seed-demo`): a few realistic threads from the feed's people, so a
demo site does not look empty. Written through the same talk functions as the API, as demo subjects, and only
into a store with no discussion at all: a second run does nothing."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from ..identity.principal import Principal
from ..models import Commitment, Feed, FeedItem, Ref
from ..privacy.people import remember
from ..push.notes import due_time
from ..push.schedule import Rules
from ..store.sqlite_events import EVENT_ITEM
from .ask import QUESTIONS, Target, ask
from .moderation import note, set_thread
from .policy import Talk
from .reading import board
from .threads import accept, add_post, mark, open_thread

DEMO_EVENT = "sql-clinic-2026-11"  # the demo site's past event, with its recording


def seed(talk: Talk, feed: Feed, now: dt.datetime, rules: Rules) -> int:
    """Write the demo threads and return how many (4, and a question asked of an expert when someone is available
    for questions, and a discussion of the past event DEMO_EVENT when the feed lists it), with a commitment to try
    the lesson and two thanks for it; 0 when the store already has a discussion or the feed has too little (a
    lesson with an author in a community, and three people)."""
    people = list(feed.state.people.values())
    lesson = next((i for i in feed.items if i.type == "lesson" and i.people and i.topics
                   and i.people[0] in feed.state.people), None)
    if lesson is None or len(people) < 3 or _has_discussions(talk, feed, _demo(people[0], talk, now)):
        return 0
    author = _demo(feed.state.people[lesson.people[0]], talk, now)
    others = [_demo(p, talk, now) for p in people if p.id != lesson.people[0]][:3]
    asker, helper = others[0], others[1]
    community = lesson.topics[0]
    _lesson_question(talk, lesson, community, asker, author, now)
    short = _board_question(talk, community, helper, asker, author, now)
    insight = _insight(talk, lesson, community, author, helper, now)
    _stewardship(talk, feed, community, insight, short, now)
    _learning(talk, lesson, asker, helper, now, rules)
    return 4 + _asked(talk, people, community, helper, now) + _event_discussion(talk, feed, asker, author, now)


def _learning(talk: Talk, lesson: FeedItem, asker: Principal, helper: Principal, now: dt.datetime,
              rules: Rules) -> None:
    """What readers did with the lesson: the asker means to try it at work within three days (the follow-up
    comes to their linked devices on that day's digest time; their data export lists it), and both thanked its
    author (counted on the lesson's page)."""
    with talk.store.transaction():
        due = due_time((now + dt.timedelta(days=3)).date(), dt.UTC, rules)
        talk.store.save_commitment(Commitment("demo-seed-commitment-1", None, asker.subject, lesson.id, due, now))
        for reader in (asker, helper):
            talk.store.add_thanks(reader.subject, lesson.id, now)


def _event_discussion(talk: Talk, feed: Feed, asker: Principal, author: Principal, now: dt.datetime) -> int:
    """A short discussion on the demo's past event (DEMO_EVENT), answered by its host: 1, or 0 when the feed
    does not list that event."""
    event = next((e for e in feed.events if e.id == DEMO_EVENT), None)
    if event is None:
        return 0
    host = next((_demo(feed.state.people[h], talk, now) for h in event.hosts if h in feed.state.people), author)
    if host.subject == asker.subject:
        host = author
    opened, _ = open_thread(talk, asker, "Thanks for the clinic! Fixing a real query together helped more than "
                            "any slide. Where can I find the query we ended up with?", "demo-seed-11", now,
                            item=f"{EVENT_ITEM}{event.id}")
    add_post(talk, host, opened.thread.id, "It is in the recording at the end, and I added it to the lesson on "
             "joins. Bring the next one to the clinic!", opened.post.id, "demo-seed-12", now)
    return 1


def _asked(talk: Talk, people: list[Ref], community: str, asker: Principal, now: dt.datetime) -> int:
    """A question asked of the first person available for questions (not the asker), routed to them: 1, or 0."""
    expert = next((p for p in people if QUESTIONS in p.available_for and p.id != asker.person), None)
    if expert is None:
        return 0
    _demo(expert, talk, now)  # signed in once, so the question reaches their bell
    ask(talk, asker, Target("person", expert.id), None if expert.topics else community,
        f"{expert.name.split()[0]}, how do you decide when a first draft is good enough to share?",
        "I keep polishing mine for another day. What do you check before you send it out?", "demo-seed-10", now)
    return 1


def _demo(person: Ref, talk: Talk, now: dt.datetime) -> Principal:
    principal = Principal(f"demo:{person.id}", person.email, person.name, "demo", person.id)
    remember(talk.store, principal, now)
    return principal


def _has_discussions(talk: Talk, feed: Feed, reader: Principal) -> bool:
    items: Sequence[FeedItem] = feed.items
    return (any(talk.store.item_thread(i.id) is not None for i in items)
            or any(board(talk, c, reader, 1, None).threads for c in feed.state.topics))


def _lesson_question(talk: Talk, lesson: FeedItem, community: str, asker: Principal, author: Principal,
                     now: dt.datetime) -> None:
    opened, _ = open_thread(talk, asker, f"I worked through “{lesson.title}” and tried it on last month's "
                            "figures. Which step would you check first when the result looks *too* good?",
                            "demo-seed-1", now, community=community, type="question",
                            title=f"Where do I start checking after “{lesson.title}”?")
    answer, _ = add_post(talk, author, opened.thread.id, "Start with the inputs, not the result: check that "
                         "the period and the filters match what you meant. Nine times out of ten that is it.\n\n"
                         "Then compare one row by hand.", None, "demo-seed-2", now)
    accept(talk, asker, opened.thread.id, answer.id, now)
    on_item, _ = open_thread(talk, author, "I wrote this after a team asked the same question three times. "
                             "Tell me which part was hardest to apply.", "demo-seed-3", now, item=lesson.id)
    add_post(talk, asker, on_item.thread.id, "Choosing the period. I asked about it on the board.",
             on_item.post.id, "demo-seed-4", now)


def _board_question(talk: Talk, community: str, asker: Principal, helper: Principal, author: Principal,
                    now: dt.datetime) -> int:
    """The question "How short can a monthly report be?"; returns its most helpful answer's id."""
    opened, _ = open_thread(talk, asker, "Our monthly report takes two days to put together. How do you keep "
                            "it small enough that people still read it?", "demo-seed-5", now,
                            community=community, type="question", title="How short can a monthly report be?")
    first, _ = add_post(talk, helper, opened.thread.id, "We cut ours to one page: three numbers, one chart, "
                        "and what we will do about it. Details go in an appendix nobody has to open.",
                        None, "demo-seed-6", now)
    add_post(talk, author, opened.thread.id, "Ask the readers which decision it helps them make, and drop "
             "everything that does not feed one.", None, "demo-seed-7", now)
    mark(talk, asker, first.id, True, now)
    return first.id


def _insight(talk: Talk, lesson: FeedItem, community: str, author: Principal, helper: Principal,
             now: dt.datetime) -> int:
    """An insight thread on the board; returns its id."""
    opened, _ = open_thread(talk, author, f"After running “{lesson.title}” with two teams: the ones who "
                            "practised on their **own** data kept using it a month later; the others did not.",
                            "demo-seed-8", now, community=community, type="insight",
                            title="Practising on your own data is what makes it stick")
    add_post(talk, helper, opened.thread.id, "Same here. We now ask people to bring a spreadsheet to the session.",
             None, "demo-seed-9", now)
    return opened.thread.id


def _stewardship(talk: Talk, feed: Feed, community: str, insight: int, answer: int, now: dt.datetime) -> None:
    """The community's first steward (when the feed names one) pins the insight and notes the helpful answer, so
    the demo shows what stewards do."""
    stewards = [p for p in feed.state.topics[community].stewards if p in feed.state.people]
    if not stewards:
        return
    steward = _demo(feed.state.people[stewards[0]], talk, now)
    set_thread(talk, steward, insight, "pin", now)
    note(talk, steward, answer, "A steward's tip: this one-page format is what the community recommends. Put the "
         "details in an appendix, and link it.", now)
