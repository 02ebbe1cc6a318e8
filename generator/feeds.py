"""JSON Feed 1.1 and Atom feeds of what is new, site-wide and per community (the push service reads
`feed.json`; its shape is the contract in ARCHITECTURE.md)."""

from __future__ import annotations

import datetime as dt
import json
import re
import xml.etree.ElementTree as ET
from typing import TYPE_CHECKING, Any

from . import events, urls
from .community import Community, Item, Person
from .content.models import LessonMeta, VideoMeta
from .pages.player import player

if TYPE_CHECKING:
    from .pages import Site

SITE_LIMIT = 300
SKILL_EXPERTS = 20  # enough to route past experts at their daily cap; ids only
ITEM_EXPERTS = 5
TOPIC_LIMIT = 50
FEED_VERSION = 1
ATOM = "http://www.w3.org/2005/Atom"

# Characters XML 1.0 cannot hold at all (ElementTree would write them, and readers reject the whole feed).
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def files(community: Community, site: Site) -> dict[str, str]:
    """Feed files by site path: feed.json, feed.xml, topics/<id>/feed.json, and the events' calendar files."""
    items = community.listed[:SITE_LIMIT]
    out = {urls.FEED_JSON: json_feed(site, items, urls.FEED_JSON, site.settings.site_name, everything=True),
           urls.FEED_ATOM: atom_feed(site, items)}
    for topic in community.topics.values():
        mine = community.items_by_topic.get(topic.id, [])[:TOPIC_LIMIT]
        title = f"{topic.title} · {site.settings.site_name}"
        out[urls.topic_feed(topic.id)] = json_feed(site, mine, urls.topic_feed(topic.id), title)
    out.update(events.files(community))
    return out


def item_id(item: Item) -> str:
    """Stable across builds and hosts: the item's kind and id."""
    return urls.item_urn(item.kind, item.id)


def json_feed(site: Site, items: list[Item], self_url: str, title: str, everything: bool = False) -> str:
    c = site.community
    feed: dict[str, Any] = {
        "version": "https://jsonfeed.org/version/1.1", "title": title,
        "home_page_url": _abs(site, urls.HOME), "feed_url": _abs(site, self_url),
        "description": site.settings.site_description or f"What is new in {site.settings.site_name}",
        "icon": _abs(site, urls.icon("icon-512.png")), "favicon": _abs(site, urls.icon("icon-192.png")),
        "language": "en",
    }
    if everything:
        feed["_practica"] = {
            "version": FEED_VERSION, "site_url": site.settings.site_url,
            "topics": [{"id": t.id, "name": t.title, "url": _abs(site, urls.page("topic", t.id)),
                        "stewards": list(t.meta.stewards)} for t in sorted(c.topics.values(), key=lambda t: t.id)],
            "people": [_person_ref(site, p) for p in sorted(c.people.values(), key=lambda p: p.id)],
            "skills": skill_refs(site),
            "events": events.feed_events(c),  # every occurrence; events are never feed items
        }
    feed["items"] = [_json_item(site, item) for item in items]
    return json.dumps(feed, ensure_ascii=False, indent=1)


def _json_item(site: Site, item: Item) -> dict[str, Any]:
    c = site.community
    people = [c.people[p] for p in item.people if p in c.people]
    authors = []
    for person in people:
        author = {"name": person.title, "url": _abs(site, urls.page("person", person.id))}
        if person.id in site.photos:
            author["avatar"] = _abs(site, site.photos[person.id].url(128))
        authors.append(author)
    ext: dict[str, Any] = {"type": item.kind, "topics": item.topics, "people": item.people, "skills": item.skills,
                           "minutes": item.minutes, "experts": [p.id for p in c.ask_experts(item, ITEM_EXPERTS)]}
    if isinstance(item.meta, LessonMeta) and item.meta.check:  # what learning records' questions are made of
        ext["check"] = [{"question": q.question, "options": list(q.options), "answer": q.answer}
                        for q in item.meta.check]
    return {
        "id": item_id(item), "url": _abs(site, urls.page(item.kind, item.id)), "title": item.title,
        "summary": item.summary, "image": image(site, item),
        "date_published": _stamp(item.date), "date_modified": _stamp(item.updated),
        "authors": authors, "tags": [c.topics[t].title for t in item.topics if t in c.topics],
        "_practica": ext,
    }


def image(site: Site, item: Item) -> str:
    """A picture for the item: a video's poster, else its first author's photo, else the app icon."""
    if isinstance(item.meta, VideoMeta) and item.meta.poster:
        return _abs(site, player(item)["poster"])
    for pid in item.people:
        if pid in site.photos:
            return _abs(site, site.photos[pid].url(320))
    return _abs(site, urls.icon("icon-512.png"))


def atom_feed(site: Site, items: list[Item]) -> str:
    ET.register_namespace("", ATOM)
    feed = ET.Element(f"{{{ATOM}}}feed")
    _sub(feed, "title", site.settings.site_name)
    _sub(feed, "id", _abs(site, urls.HOME))
    _sub(feed, "updated", _stamp(max((i.updated for i in items), default=site.settings.today)))
    ET.SubElement(feed, f"{{{ATOM}}}link", rel="self", href=_abs(site, urls.FEED_ATOM))
    ET.SubElement(feed, f"{{{ATOM}}}link", rel="alternate", href=_abs(site, urls.HOME))
    for item in items:
        entry = ET.SubElement(feed, f"{{{ATOM}}}entry")
        _sub(entry, "id", item_id(item))
        _sub(entry, "title", item.title)
        ET.SubElement(entry, f"{{{ATOM}}}link", rel="alternate", href=_abs(site, urls.page(item.kind, item.id)))
        _sub(entry, "published", _stamp(item.date))
        _sub(entry, "updated", _stamp(item.updated))
        _sub(entry, "summary", item.summary)
        for pid in item.people:
            person = site.community.people.get(pid)
            if person:
                author = ET.SubElement(entry, f"{{{ATOM}}}author")
                _sub(author, "name", person.title)
                _sub(author, "uri", _abs(site, urls.page("person", pid)))
        for tid in item.topics:
            topic = site.community.topics.get(tid)
            ET.SubElement(entry, f"{{{ATOM}}}category", term=tid, label=topic.title if topic else tid)
        ET.SubElement(entry, f"{{{ATOM}}}category", term=item.kind, scheme="urn:practica:type")
    return '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(feed, encoding="unicode")


def _sub(parent: ET.Element, tag: str, text: str) -> None:
    ET.SubElement(parent, f"{{{ATOM}}}{tag}").text = _NOT_XML.sub("", text)


def _stamp(day: dt.date) -> str:
    return f"{day.isoformat()}T00:00:00Z"


def _abs(site: Site, url: str) -> str:
    return urls.absolute(site.settings.site_url, url)


def skill_refs(site: Site) -> list[dict[str, Any]]:
    """Every skill with evidence (those with a page): its communities and its experts, ranked as its page ranks
    them, so the community service can route a question about it."""
    c = site.community
    return [{"id": sid, "name": c.skill_name(sid), "url": _abs(site, urls.page("skill", sid)),
             "topics": c.skill_topics(sid), "experts": [p.id for p, _ in c.experts_for_skill(sid)[:SKILL_EXPERTS]]}
            for sid in sorted(c.taxonomy.skills) if sid in c.skill_evidence or sid in c.items_by_skill]


def _person_ref(site: Site, person: Person) -> dict[str, Any]:
    """A person as the feed lists them; the contact email (their profile shows it too) is how the community
    service knows a signed-in reader is this person. What they are available for and their communities say
    whether and where a question may be asked of them."""
    ref: dict[str, Any] = {"id": person.id, "name": person.title, "url": _abs(site, urls.page("person", person.id)),
                           "available_for": list(person.meta.available_for),
                           "topics": site.community.person_topics(person)}
    contact = person.meta.contact
    if contact and contact.email:
        ref["email"] = str(contact.email)
    return ref
