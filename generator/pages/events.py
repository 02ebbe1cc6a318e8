"""Event pages and /events/: what is coming (upcoming first), then what happened (with recordings)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .. import events as timing
from .. import urls
from ..community import Community, Event, Item, Person, Video
from ..content.models import VideoMeta
from ..kinds import EVENT
from . import structured
from .render import GeneratedPage
from .site import Site

# The community service's script for RSVPs and check-in (pwa/overrides/assets/practica/events.js, written by the
# service's side of issue 20): event pages ask for it only when it exists, as other service scripts are.
EVENTS_SCRIPT = Path(__file__).resolve().parents[2] / "pwa" / "overrides" / "assets" / "practica" / "events.js"
NEXT_ON_HUBS = 3  # the next events on a hub and on the home page


@dataclass(frozen=True)
class Row:
    """One occurrence as a page shows it."""

    occurrence: timing.Occurrence
    when: str  # "Tue 8 Dec 2026, 12:30–13:15 GMT", in the event's zone
    ended: bool
    google: str | None  # the "Google Calendar" link (upcoming, scheduled occurrences only)

    @property
    def event(self) -> Event:
        return self.occurrence.event


def when(occurrence: timing.Occurrence) -> str:
    """The occurrence's day and times in the event's own zone, with the zone's abbreviation."""
    start, end = occurrence.start, occurrence.end
    day = f"{start:%a} {start.day} {start:%b %Y}"
    last = f"{end:%H:%M}" if end.date() == start.date() else f"{end:%a} {end.day} {end:%b} {end:%H:%M}"
    return f"{day}, {start:%H:%M}–{last} {end.tzname() or ''}".rstrip()


def row(site: Site, occurrence: timing.Occurrence, now: dt.datetime) -> Row:
    ended = occurrence.end_utc <= now
    google = None if ended or occurrence.cancelled else timing.google_link(site.community, occurrence)
    return Row(occurrence, when(occurrence), ended, google)


def build(site: Site) -> Iterator[GeneratedPage]:
    yield index(site)  # always: the navigation links it, and it says when nothing is planned
    for event in site.community.events.values():
        yield event_page(site, event)


def index(site: Site) -> GeneratedPage:
    """Upcoming occurrences (soonest first, cancelled ones marked), then past events, recordings first."""
    c = site.community
    now = timing.now_of(c)
    coming = [row(site, o, now) for o in timing.upcoming(c, now)]
    # One row per event for a long series: its next occurrence, and how many more follow.
    firsts: dict[str, tuple[Row, int]] = {}
    for r in coming:
        first, more = firsts.get(r.event.id, (r, -1))
        firsts[r.event.id] = (first, more + 1)
    upcoming = list(firsts.values())
    past = sorted((e for e in c.events.values() if timing.past(e, now)),
                  key=lambda e: (e.meta.recording is None, -timing.occurrences(e)[-1].start_utc.timestamp()))
    url = urls.index("event")
    ics = urls.absolute(site.settings.site_url, urls.EVENTS_ICS)
    return site.page("events.md.j2", url, EVENT.title, trail=[("Home", urls.HOME), (EVENT.title, url)],
                     upcoming=upcoming, past=past, last_when={e.id: when(timing.occurrences(e)[-1]) for e in past},
                     recordings={e.id: recording(c, e) for e in past}, ics=urls.EVENTS_ICS, webcal=urls.webcal(ics),
                     meta={"description": f"What is coming up in {site.settings.site_name}: lunch & learns, "
                                          "clinics and meetups, and recordings of past ones."})


def recording(c: Community, event: Event) -> Video | None:
    found: Item | None = c.item(event.meta.recording) if event.meta.recording else None
    if found is not None and isinstance(found.meta, VideoMeta) and found.status != "draft":
        video: Video = found  # narrowed by its meta
        return video
    return None


def event_page(site: Site, event: Event) -> GeneratedPage:
    c = site.community
    now = timing.now_of(c)
    rows = [row(site, o, now) for o in timing.occurrences(event)]
    coming = [r for r in rows if not r.ended]
    url = urls.page("event", event.id)
    hosts = [c.people[p] for p in event.meta.hosts if p in c.people]
    related = [i for i in (c.item(r) for r in event.meta.related) if i is not None and i.status != "draft"]
    ics_abs = urls.absolute(site.settings.site_url, urls.event_ics(event.id))
    meta = {"description": event.summary, "jsonld": structured.for_event(site, event, [r.occurrence for r in rows],
                                                                          now),
            "practica": {"kind": event.kind, "id": event.id, "topics": event.topics}}
    trail = [("Home", urls.HOME), (EVENT.title, urls.index("event")), (event.title, url)]
    context: dict[str, Any] = {
        "event": event, "body": site.body(event) if event.body.strip() else None, "trail": trail, "hosts": hosts,
        "next": coming[0] if coming else None, "coming": coming, "ended": [r for r in rows if r.ended],
        "recording": recording(c, event), "related": related, "ics": urls.event_ics(event.id),
        "webcal": urls.webcal(ics_abs), "events_script": EVENTS_SCRIPT.is_file(), "edit_url": site.edit_url(event),
        "discussion_id": urls.item_urn(event.kind, event.id),
    }
    return site.page(EVENT.template, url, event.title, meta=meta, source=event, **context)


def next_rows(site: Site, topic_id: str | None = None, limit: int = NEXT_ON_HUBS) -> list[Row]:
    """The next occurrences (of one community's events), one per event, soonest first: hubs and home."""
    c = site.community
    now = timing.now_of(c)
    seen: set[str] = set()
    out = []
    for occurrence in timing.upcoming(c, now, topic_id):
        if occurrence.event.id not in seen:
            seen.add(occurrence.event.id)
            out.append(row(site, occurrence, now))
        if len(out) == limit:
            break
    return out


def hosted_by(c: Community, person: Person) -> list[Event]:
    """The events a person hosts, the next (or most recent) first."""
    mine = [e for e in c.events.values() if person.id in e.meta.hosts]
    now = timing.now_of(c)

    def key(event: Event) -> tuple[int, float]:
        found = timing.occurrences(event)
        coming = [o for o in found if o.end_utc > now]
        if coming:
            return (0, coming[0].start_utc.timestamp())
        return (1, -found[-1].start_utc.timestamp() if found else 0.0)
    return sorted(mine, key=key)
