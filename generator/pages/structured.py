"""schema.org JSON-LD: Person, FAQPage, VideoObject, LearningResource and Event."""

from __future__ import annotations

import datetime as dt
import json
from typing import TYPE_CHECKING, Any

from .. import urls
from ..community import Event, Faq, Item, LearningPath, Lesson, Person, Video
from ..content.models import FaqMeta, LessonMeta, VideoMeta
from ..kinds import EVENT, ITEM_KINDS, PERSON
from ..text import plain
from .player import player

if TYPE_CHECKING:
    from ..events import Occurrence
    from .site import Site

SUB_EVENTS = 10  # a series lists its next occurrences; the page has them all

def dumps(data: dict[str, Any]) -> str:
    """JSON for a <script> element: `<`, `>` and `&` as \\u escapes, so no text can end the element or open a
    comment in it (`</script>`, `<!--`); JSON readers see the same strings."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def duration(seconds: int) -> str:
    hours, rest = divmod(seconds, 3600)
    return f"PT{hours}H{rest // 60}M{rest % 60}S" if hours else f"PT{rest // 60}M{rest % 60}S"


def person_ref(site: Site, person_id: str) -> dict[str, Any]:
    person = site.community.people.get(person_id)
    name = person.title if person else person_id
    return {"@type": "Person", "name": name, "url": _abs(site, urls.page("person", person_id))}


def for_person(site: Site, person: Person) -> str:
    meta = person.meta
    data: dict[str, Any] = {
        "@context": "https://schema.org", "@type": PERSON.jsonld, "name": person.title, "jobTitle": meta.role,
        "url": _abs(site, urls.page("person", person.id)),
        "knowsAbout": [site.community.skill_name(s) for s in person.skills],
    }
    if meta.motto:
        data["description"] = meta.motto
    if person.id in site.photos:
        data["image"] = _abs(site, site.photos[person.id].url(320))
    if meta.contact and meta.contact.email:
        data["email"] = f"mailto:{meta.contact.email}"
    if meta.languages:
        data["knowsLanguage"] = list(meta.languages)
    if meta.team:
        data["affiliation"] = {"@type": "Organization", "name": meta.team}
    return dumps(data)


def for_item(site: Site, item: Item) -> str:
    """The item's page as its kind's schema.org type (FAQPage, VideoObject, LearningResource)."""
    if isinstance(item.meta, FaqMeta):
        data = _faq(site, item)
    elif isinstance(item.meta, VideoMeta):
        data = _video(site, item)
    else:
        data = _learning(site, item)
    return dumps({"@context": "https://schema.org", "@type": ITEM_KINDS[item.kind].jsonld, **data})


def _faq(site: Site, item: Faq) -> dict[str, Any]:
    answer = {"@type": "Answer", "text": plain(item.body),
              "author": [person_ref(site, p) for p in item.meta.answered_by]}
    return {"url": _abs(site, urls.page(item.kind, item.id)),
            "mainEntity": [{"@type": "Question", "name": item.title, "acceptedAnswer": answer}]}


def _video(site: Site, item: Video) -> dict[str, Any]:
    meta = item.meta
    play = player(item)
    data: dict[str, Any] = {
        "name": item.title, "description": item.summary,
        "uploadDate": item.date.isoformat(), "duration": duration(meta.duration),
        "url": _abs(site, urls.page(item.kind, item.id)),
        "thumbnailUrl": _abs(site, play["poster"] or urls.icon("icon-512.png")),
        "author": [person_ref(site, p) for p in meta.authors],
    }
    if play["local"]:
        data["contentUrl"] = _abs(site, play["src"])
    else:
        data["embedUrl"] = play["embed"] or item.meta.src
    if item.body.strip():
        data["transcript"] = plain(item.body)
    return data


def _learning(site: Site, item: Lesson | LearningPath) -> dict[str, Any]:
    data: dict[str, Any] = {
        "name": item.title, "description": item.summary,
        "url": _abs(site, urls.page(item.kind, item.id)), "datePublished": item.date.isoformat(),
        "learningResourceType": ITEM_KINDS[item.kind].label.lower(),
        "author": [person_ref(site, p) for p in item.people],
        "about": [site.community.skill_name(s) for s in item.skills],
        "timeRequired": f"PT{item.minutes}M",  # a path's is its steps' (set when the community is loaded)
    }
    if isinstance(item.meta, LessonMeta):
        if item.meta.level:
            data["educationalLevel"] = item.meta.level
        data["teaches"] = list(item.meta.objectives)
    else:
        data["hasPart"] = [{"@type": "LearningResource", "name": step.title,
                            "url": _abs(site, urls.page(step.kind, step.id))}
                           for step, _ in site.community.steps(item)]
    return data


def for_event(site: Site, event: Event, occurrences: list[Occurrence], now: dt.datetime) -> str:
    """An Event for the next occurrence (the last, once all have ended); a series' next ones as subEvents."""
    meta = event.meta
    page = _abs(site, urls.page("event", event.id))
    coming = [o for o in occurrences if o.end_utc > now]
    shown = coming[0] if coming else occurrences[-1] if occurrences else None
    places: list[dict[str, Any]] = []
    if meta.where.room:
        places.append({"@type": "Place", "name": meta.where.room})
    if meta.where.online:
        places.append({"@type": "VirtualLocation", "url": meta.where.online})
    mode = ("Mixed" if len(places) == 2 else "Online" if meta.where.online else "Offline") + "EventAttendanceMode"
    status = "EventCancelled" if meta.status == "cancelled" else "EventScheduled"
    data: dict[str, Any] = {
        "@context": "https://schema.org", "@type": EVENT.jsonld, "name": event.title, "description": event.summary,
        "url": page + (f"#{shown.anchor}" if shown else ""), "eventStatus": f"https://schema.org/{status}",
        "eventAttendanceMode": f"https://schema.org/{mode}", "location": places[0] if len(places) == 1 else places,
        "organizer": [person_ref(site, p) for p in meta.hosts],
        "about": [site.community.topics[t].title for t in event.topics if t in site.community.topics],
    }
    if shown:
        data["startDate"] = shown.start.isoformat()
        data["endDate"] = shown.end.isoformat()
    if meta.capacity:
        data["maximumAttendeeCapacity"] = meta.capacity
    if len(coming) > 1:
        data["subEvent"] = [{"@type": EVENT.jsonld, "name": event.title, "url": f"{page}#{o.anchor}",
                             "startDate": o.start.isoformat(), "endDate": o.end.isoformat()}
                            for o in coming[:SUB_EVENTS]]
    return dumps(data)


def _abs(site: Site, url: str) -> str:
    return urls.absolute(site.settings.site_url, url)
