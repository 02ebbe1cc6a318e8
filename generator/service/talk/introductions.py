"""Introductions (ARCHITECTURE.md, "Introductions"): a signed-in reader without a site profile introduces
themselves once (motto, what they are learning, where they work, the communities they joined, a photo) and can
change or delete it; a community's new members; a steward's introduction round, which opens (or reuses) a pinned
"Introduce yourself" thread and invites each new member without an introduction once, through the activity path.

People with a profile on the site are shown by it and are refused an introduction: their profile is edited by
pull request."""

from __future__ import annotations

import datetime as dt
import secrets

from pydantic import BaseModel, Field

from ..identity.principal import Principal
from ..models import IngestedFeed, Introduction
from ..privacy.people import remember
from .activity import record_invitations
from .photos import reencoded
from .policy import UNNAMED, Talk, TalkError
from .threads import one_line, open_thread
from .views import Names, ThreadSummary, photo_path, summary

LIMITS = {"motto": 120, "learning": 200, "workplace": 120}
MAX_COMMUNITIES = 20
NEW_DAYS = 30
MAX_NEW = 24
ROUND_TITLE = "Introduce yourself"


class IntroductionView(BaseModel):
    motto: str
    learning: str = Field(description="What they are learning.")
    workplace: str = Field(description="Where they work: team, site.")
    communities: list[str] = Field(description="The communities (topic ids) they joined.")
    photo: str | None = Field(description="The photo's path on the service (`/api/v1/photos/<id>`), or null.")
    created_at: str
    updated_at: str


class Introduced(BaseModel):
    """The reader's introduction, or why they have none."""

    can_introduce: bool = Field(description="False for a reader with a profile on the site: it shows them.")
    person: str | None = Field(description="Their profile's person id on the site, if they have one.")
    introduction: IntroductionView | None


class MemberView(BaseModel):
    name: str
    person: str | None = Field(description="Their profile's person id: the site shows their profile's photo.")
    photo: str | None = Field(description="An introduced person's photo path on the service, or null.")
    motto: str | None
    learning: str | None
    workplace: str | None
    joined_at: str = Field(description="When they introduced themselves into it or first posted in it.")


class NewMembers(BaseModel):
    community: str
    since: str = Field(description="The start of the window (30 days).")
    members: list[MemberView] = Field(description="Newest first, at most 24.")
    moderator: bool = Field(description="You may invite them to an introduction round.")
    round: int | None = Field(description="The open introduction round's thread, if any.")


class Round(BaseModel):
    thread: ThreadSummary
    opened: bool = Field(description="A new round was opened (false: the open one was reused).")
    invited: int = Field(description="New members invited now (each is invited once per round).")


def view(intro: Introduction) -> IntroductionView:
    return IntroductionView(motto=intro.motto, learning=intro.learning, workplace=intro.workplace,
                            communities=list(intro.communities), photo=photo_path(intro.photo_id),
                            created_at=intro.created_at.isoformat(), updated_at=intro.updated_at.isoformat())


def mine(talk: Talk, principal: Principal) -> Introduced:
    found = talk.store.introduction(principal.subject)
    return Introduced(can_introduce=principal.person is None, person=principal.person,
                      introduction=view(found) if found else None)


def introduce(talk: Talk, principal: Principal, texts: dict[str, str], communities: list[str],
              now: dt.datetime) -> Introduced:
    """Create or replace the reader's introduction (its photo stays)."""
    feed = _no_profile(talk, principal)
    clean = {name: checked_text(name, texts.get(name, "")) for name in LIMITS}
    joined = checked_communities(communities, feed)
    with talk.store.transaction():
        remember(talk.store, principal, now)
        talk.limit(principal, "post", now)
        found = talk.store.introduction(principal.subject)
        talk.store.save_introduction(Introduction(principal.subject, clean["motto"], clean["learning"],
                                                  clean["workplace"], joined, None,
                                                  found.created_at if found else now, now))
    return mine(talk, principal)


def set_photo(talk: Talk, principal: Principal, data: bytes, now: dt.datetime) -> Introduced:
    """Replace the photo of the reader's introduction. The attempt is counted before the image is decoded, so a
    stream of hostile uploads is refused by the rate limit, not by the CPU."""
    _no_profile(talk, principal)
    with talk.store.transaction():
        remember(talk.store, principal, now)
        talk.limit(principal, "post", now)
        if talk.store.introduction(principal.subject) is None:
            raise TalkError(409, "introduce_first", "save your introduction first, then add its photo")
    photo = reencoded(data)
    if not talk.store.set_photo(principal.subject, photo, secrets.token_urlsafe(16), now):
        raise TalkError(409, "introduce_first", "save your introduction first, then add its photo")
    return mine(talk, principal)


def remove_photo(talk: Talk, principal: Principal, now: dt.datetime) -> None:
    talk.store.set_photo(principal.subject, None, None, now)


def remove(talk: Talk, principal: Principal) -> None:
    talk.store.delete_introduction(principal.subject)


def checked_text(name: str, text: str) -> str:
    """One line without controls or bidi overrides, within its length."""
    clean = one_line(text)
    if len(clean) > LIMITS[name]:
        raise TalkError(422, "too_long", f"{name} has at most {LIMITS[name]} characters", name)
    return clean


def checked_communities(ids: list[str], feed: IngestedFeed) -> tuple[str, ...]:
    if len(ids) > MAX_COMMUNITIES:
        raise TalkError(422, "invalid", f"join at most {MAX_COMMUNITIES} communities here", "communities")
    for n, community in enumerate(ids):
        if community not in feed.state.topics:
            raise TalkError(422, "unknown_community", "there is no community with this id on the site",
                            f"communities[{n}]")
    return tuple(dict.fromkeys(ids))


def new_members(talk: Talk, community: str, principal: Principal | None, now: dt.datetime) -> NewMembers:
    feed = _community(talk, community)
    since = now - dt.timedelta(days=NEW_DAYS)
    joined = talk.store.new_members(community, since, MAX_NEW)
    subjects = [s for s, _ in joined]
    people = talk.store.people_by_subject(subjects)
    intros = talk.store.introductions(subjects)
    members = []
    for subject, at in joined:
        row = people.get(subject)
        profile = row.person if row is not None and row.person in feed.state.people else None
        intro = None if profile else intros.get(subject)
        name = feed.state.people[profile].name if profile else (row.name if row and row.name else UNNAMED)
        members.append(MemberView(name=name, person=profile, photo=photo_path(intro.photo_id) if intro else None,
                                  motto=intro.motto if intro else None, learning=intro.learning if intro else None,
                                  workplace=intro.workplace if intro else None, joined_at=at.isoformat()))
    return NewMembers(community=community, since=since.isoformat(), members=members,
                      moderator=talk.moderates(principal, (community,), feed), round=talk.store.open_round(community))


def invite(talk: Talk, principal: Principal, community: str, now: dt.datetime) -> Round:
    """Open (or reuse) the community's pinned "Introduce yourself" thread and invite each new member who has
    neither an introduction nor a profile, once per round; logged like other steward actions."""
    feed = _community(talk, community)
    if not talk.moderates(principal, (community,), feed):
        raise TalkError(403, "not_a_steward", "only the community's stewards may invite new members")
    with talk.store.transaction():
        tid = talk.store.open_round(community)
        opened = tid is None
        if tid is None:
            made, _ = open_thread(talk, principal, _welcome(feed, community), f"round-{secrets.token_hex(12)}", now,
                                  community=community, type="insight", title=ROUND_TITLE)
            tid = made.thread.id
            talk.store.set_thread(tid, pinned=True)
            talk.store.add_round(community, tid, now)
            talk.store.log_action(principal.subject, "pin", tid, None, None, now)
        opening = min(talk.store.thread_posts(tid), key=lambda p: p.id)
        thread = talk.store.thread(tid)
        assert thread is not None
        joined = [s for s, _ in talk.store.new_members(community, now - dt.timedelta(days=NEW_DAYS), 1000)]
        introduced = talk.store.introductions(joined)
        people = talk.store.people_by_subject(joined)
        invitees = [s for s in joined if s not in introduced and s != principal.subject and s in people
                    and people[s].person not in feed.state.people]
        invited = record_invitations(talk, invitees, thread, opening, now)
        talk.store.log_action(principal.subject, "invite", tid, opening.id, f"{invited} invited", now)
    return Round(thread=summary(thread, Names(talk, feed, [thread.author])), opened=opened, invited=invited)


def _welcome(feed: IngestedFeed, community: str) -> str:
    name = feed.state.topics[community].name
    return (f"Welcome to {name}! If you joined us recently, introduce yourself: add a photo, your motto, what you "
            f"are learning and where you work on [your page]({feed.state.site_url.rstrip('/')}/me/), then say hello "
            "here.")


def _no_profile(talk: Talk, principal: Principal) -> IngestedFeed:
    feed = talk.feed()
    if principal.person is not None:
        raise TalkError(409, "has_profile", "you have a profile on the site; edit it by pull request (it is what "
                        "shows you beside your posts)")
    return feed


def _community(talk: Talk, community: str) -> IngestedFeed:
    feed = talk.feed()
    if community not in feed.state.topics:
        raise TalkError(404, "unknown_community", "there is no community with this id on the site", "community")
    return feed
