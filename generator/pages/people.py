"""The expert directory and one profile per person."""

from __future__ import annotations

from collections.abc import Iterator

from .. import recognition, urls
from ..community import Item, Person, newest
from ..kinds import PERSON
from . import events, listing, structured
from .render import GeneratedPage
from .site import Site

GROUP = 8  # items shown per list on a profile; longer lists get their own pages


def build(site: Site) -> Iterator[GeneratedPage]:
    yield directory(site)
    for person in site.community.people.values():
        yield profile(site, person)
        yield from everything(site, person)


def groups_of(site: Site, person: Person) -> list[tuple[str, str, list[Item]]]:
    """What a person did, by role, newest first: (heading, role, items)."""
    done = site.community.contributions_of(person.id)
    return [(title, role, newest(getattr(done, role))) for title, role in
            (("Wrote", "wrote"), ("Answered", "answered"), ("Verified", "verified"), ("Reviewed", "reviewed"),
             ("Curated", "curated"))]


def everything(site: Site, person: Person) -> Iterator[GeneratedPage]:
    """Lists too long for the profile, a page of them at a time: `people/ada/wrote/`."""
    url = urls.page("person", person.id)
    trail = [("Home", urls.HOME), (PERSON.title, urls.index("person")), (person.title, url)]
    for title, role, items in groups_of(site, person):
        if len(items) > GROUP:
            yield from listing.pages(site, listing.Listing(
                urls.all_of("person", person.id, role), f"{person.title}: {title.lower()}", "Newest first.",
                items, trail, searchable=False))


def directory(site: Site) -> GeneratedPage:
    c = site.community
    people = sorted(c.people.values(), key=lambda p: p.title)
    skills = sorted({(s, c.skill_name(s)) for p in people for s in p.skills}, key=lambda kv: kv[1].lower())
    topics = sorted(c.topics.values(), key=lambda t: t.title)
    teams = sorted({p.meta.team for p in people if p.meta.team}, key=str.lower)
    return site.page("people.md.j2", urls.index("person"), PERSON.title, people=people, skills=skills, topics=topics,
                     teams=teams,
                     meta={"description": f"Find one of {len(people)} people to ask, by skill or community."})


def profile(site: Site, person: Person) -> GeneratedPage:
    c = site.community
    done = c.contributions_of(person.id)
    groups = [(title, role, items[:GROUP], len(items), urls.all_of("person", person.id, role))
              for title, role, items in groups_of(site, person)]
    stewards = sorted(done.stewards, key=lambda t: t.title)
    member_of = [c.topics[t] for t in person.topics if t in c.topics and c.topics[t] not in stewards]
    url = urls.page("person", person.id)
    trail = [("Home", urls.HOME), (PERSON.title, urls.index("person")), (person.title, url)]
    meta = {"description": f"{person.title}, {person.meta.role}. " + (person.meta.motto or ""),
            "jsonld": structured.for_person(site, person),
            "practica": {"kind": person.kind, "id": person.id, "topics": person.topics}}
    return site.page(PERSON.template, url, person.title, meta=meta, source=person, person=person,
                     body=site.body(person), trail=trail, groups=groups, stewards=stewards, member_of=member_of,
                     recognitions=recognition.recognitions(c, person), hosts=events.hosted_by(c, person),
                     edit_url=site.edit_url(person),
                     ask_communities=site.ask_communities(c.person_topics(person)))
