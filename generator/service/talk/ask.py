""""Ask an expert": a question asked of a person, of whoever knows a skill, or about an item becomes a question
thread on the matching community's board, routed to the person asked or to the best few people available for
questions, at most PRACTICA_TALK_ASK_CAP a UTC day each. Routes are stored with the thread (the cap counts them
across instances); the routed follow the thread and hear of it as a `question` activity."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Literal

from pydantic import BaseModel, Field

from ..identity.principal import Principal
from ..models import UTC, IngestedFeed
from .activity import record_post
from .policy import Talk, TalkError
from .threads import Opened, open_thread
from .views import Names, summary

ROUTE_TO = 3  # experts a question goes to when nobody in particular was asked
QUESTIONS = "questions"  # the `available_for` value that lets questions be routed to someone

TargetKind = Literal["person", "skill", "item"]


@dataclass(frozen=True)
class Target:
    """Whom or what a question is about: a site person, a skill, or an item (its feed id)."""

    kind: TargetKind
    id: str


@dataclass(frozen=True)
class Candidates:
    """Who may answer (best first), which communities the question may go to (most fitting first), and the
    person asked by name, if any."""

    people: tuple[str, ...]
    communities: tuple[str, ...]
    asked: str | None = None


class Community(BaseModel):
    id: str
    name: str
    url: str


class Asked(Opened):
    """The question thread (its `routed_to` names whom it was sent to; empty: nobody was available) and where."""

    community: Community = Field(description="The board the question is on.")


def ask(talk: Talk, principal: Principal, target: Target, community: str | None, title: str, body: str, key: str,
        now: dt.datetime) -> tuple[Asked, bool]:
    """Open the question and route it; the result, and whether it was made now (False: a resend)."""
    feed = talk.feed()
    found = candidates(talk, feed, target)
    if found.asked is not None and found.asked == principal.person:
        raise TalkError(422, "asking_yourself", "you cannot ask yourself a question", "ask")
    board = _board(feed, found, community)
    with talk.store.transaction():
        routed = () if talk.store.post_by_key(principal.subject, key) else route(talk, feed, found, principal, now)
        opened, created = open_thread(talk, principal, body, key, now, community=board, type="question", title=title)
        thread = talk.store.thread(opened.thread.id)
        assert thread is not None
        if created:
            talk.store.add_routes(thread.id, routed, found.asked is not None, now)
            thread = talk.store.thread(thread.id) or thread
            post = talk.store.post(opened.post.id)
            if post is not None and post.state == "visible":
                record_post(talk, post, thread, feed, now)
        elif thread.type != "question" or thread.kind != "board":
            raise TalkError(409, "idempotency_key_reused", "this idempotency key was used for another post",
                            "idempotency_key")
    ref = feed.state.topics[thread.target]
    return Asked(thread=summary(thread, Names(talk, feed, [thread.author])), post=opened.post,
                 community=Community(id=ref.id, name=ref.name, url=ref.url)), created


def candidates(talk: Talk, feed: IngestedFeed, target: Target) -> Candidates:
    """Who may be asked about the target, and its communities; 404 for a target the feed does not know, 422 for
    a person not available for questions."""
    state = feed.state
    if target.kind == "person":
        person = state.people.get(target.id)
        if person is None:
            raise TalkError(404, "unknown_person", "there is no person with this id on the site", "ask.person")
        if QUESTIONS not in person.available_for:
            raise TalkError(422, "not_available", f"{person.name} is not available for questions; ask the "
                            "community's board, or someone who knows the skill", "ask.person")
        return Candidates((person.id,), person.topics, person.id)
    if target.kind == "skill":
        skill = state.skills.get(target.id)
        if skill is None:
            raise TalkError(404, "unknown_skill", "there is no skill with this id on the site", "ask.skill")
        return Candidates(skill.experts, skill.topics)
    experts = talk.store.item_experts(target.id)
    if experts is None:
        raise TalkError(404, "unknown_item", "the service knows no lesson, video, answer or path with this id",
                        "ask.item")
    return Candidates(experts, talk.store.item_topics(target.id) or ())


def route(talk: Talk, feed: IngestedFeed, found: Candidates, principal: Principal, now: dt.datetime) -> tuple[str, ...]:
    """The person asked (409 when they are at their cap today), else the best ROUTE_TO available people who are
    not the asker and not at their cap: an expert at the cap gives their place to the next."""
    people = feed.state.people
    if found.asked is not None:
        if _at_cap(talk, found.asked, now):
            name = people[found.asked].name
            raise TalkError(409, "expert_at_cap", f"{name} has been sent as many questions as they take in a day; "
                            "ask the community's board instead, or ask again tomorrow", "ask.person")
        return (found.asked,)
    chosen: list[str] = []
    for pid in found.people:
        ref = people.get(pid)
        if ref is None or QUESTIONS not in ref.available_for or pid == principal.person or pid in chosen:
            continue
        if not _at_cap(talk, pid, now):
            chosen.append(pid)
        if len(chosen) == ROUTE_TO:
            break
    return tuple(chosen)


def _at_cap(talk: Talk, person: str, now: dt.datetime) -> bool:
    cap = talk.settings.ask_cap
    start = dt.datetime.combine(now.astimezone(UTC).date(), dt.time(), UTC)
    return bool(cap) and talk.store.routed_between(person, start, start + dt.timedelta(days=1)) >= cap


def _board(feed: IngestedFeed, found: Candidates, community: str | None) -> str:
    """The community given (one of the target's, when it has any), else the target's first."""
    topics = feed.state.topics
    mine = [c for c in found.communities if c in topics]
    if community is None:
        if not mine:
            raise TalkError(422, "community_needed", "choose the community whose board the question goes to",
                            "community")
        return mine[0]
    if community not in topics:
        raise TalkError(404, "unknown_community", "there is no community with this id on the site", "community")
    if mine and community not in mine:
        raise TalkError(422, "not_their_community", "the question can go to one of these communities: "
                        + ", ".join(mine), "community")
    return community
