"""Events in time: the occurrences an event's front matter gives, its iCalendar files, and the feed's
`_practica.events` (the contract with the community service, ARCHITECTURE.md "Events").

An occurrence is one date of an event: its id is `<event id>@<local start date in the event's zone>`, the
page's anchor for it is that date, and its calendar entry's UID is `<occurrence id>@<site host>`. Calendar
files hold one VEVENT per occurrence (no RRULE), so a cancelled or moved date is one entry, never a rule
that calendar apps expand differently.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode, urlsplit

import icalendar

from . import urls
from .community import Community, Event
from .content.models import EventMeta
from .content.schedule import MAX_OCCURRENCES, local_starts, minutes, zone
from .text import plain

UTC = dt.UTC


@dataclass(frozen=True)
class Occurrence:
    event: Event
    start: dt.datetime  # aware, in the event's zone
    end: dt.datetime

    @property
    def anchor(self) -> str:
        """The local start date: the occurrence's anchor on the event's page (`#2026-12-08`)."""
        return self.start.date().isoformat()

    @property
    def id(self) -> str:
        return f"{self.event.id}@{self.anchor}"

    @property
    def status(self) -> str:
        return self.event.meta.status

    @property
    def cancelled(self) -> bool:
        return self.event.meta.status == "cancelled"

    @property
    def start_utc(self) -> dt.datetime:
        return self.start.astimezone(UTC)

    @property
    def end_utc(self) -> dt.datetime:
        return self.end.astimezone(UTC)

    @property
    def start_z(self) -> str:
        """`2026-12-08T11:00:00Z`: the start in UTC as the feed, pages and scripts write it."""
        return _stamp(self.start)

    @property
    def end_z(self) -> str:
        return _stamp(self.end)


def occurrences(event: Event) -> list[Occurrence]:
    """Every occurrence, oldest first (empty when the zone or the length is invalid: validation said so)."""
    meta = event.meta
    tz = zone(meta.timezone)
    length = minutes(meta)
    if tz is None or length is None or length <= 0:
        return []
    out = []
    for local in local_starts(meta, MAX_OCCURRENCES):
        start = local.replace(tzinfo=tz)
        # Wall-clock length: a session from 12:00 to 13:00 ends at 13:00 even on the day clocks change.
        end = (local + dt.timedelta(minutes=length)).replace(tzinfo=tz)
        out.append(Occurrence(event, start, end))
    return out


def all_occurrences(community: Community, topic_id: str | None = None) -> list[Occurrence]:
    """Every occurrence of every event (of one community), by start time."""
    events = [e for e in community.events.values() if topic_id is None or topic_id in e.topics]
    found = [o for e in events for o in occurrences(e)]
    return sorted(found, key=lambda o: (o.start_utc, o.event.id))


def upcoming(community: Community, now: dt.datetime, topic_id: str | None = None,
             limit: int | None = None) -> list[Occurrence]:
    """Occurrences that have not ended by `now`, soonest first (cancelled ones too: people need to know)."""
    found = [o for o in all_occurrences(community, topic_id) if o.end_utc > now]
    return found[:limit] if limit is not None else found


def now_of(community: Community) -> dt.datetime:
    """The build's "now": the start of the settings' today in UTC (builds are reproducible within a day)."""
    return dt.datetime.combine(community.settings.today, dt.time(), UTC)


def past(event: Event, now: dt.datetime) -> bool:
    """Every occurrence has ended."""
    found = occurrences(event)
    return bool(found) and found[-1].end_utc <= now


def where_text(meta: EventMeta) -> str:
    """LOCATION: the room and/or the link, as a calendar app shows it."""
    parts = [meta.where.room or "", meta.where.online or ""]
    return " · ".join(p for p in parts if p)


def google_link(c: Community, occurrence: Occurrence) -> str:
    """"Add to Google Calendar" for one occurrence (a link: nothing is sent until the reader follows it)."""
    meta = occurrence.event.meta
    stamp = "%Y%m%dT%H%M%SZ"
    page = urls.absolute(c.settings.site_url, urls.page("event", occurrence.event.id)) + "#" + occurrence.anchor
    query = {"action": "TEMPLATE", "text": occurrence.event.title,
             "dates": f"{occurrence.start_utc:{stamp}}/{occurrence.end_utc:{stamp}}",
             "ctz": meta.timezone, "details": f"{occurrence.event.summary}\n{page}", "location": where_text(meta)}
    return "https://calendar.google.com/calendar/render?" + urlencode(query)


# --- iCalendar -------------------------------------------------------------------------------------------

def host(site_url: str) -> str:
    return urlsplit(site_url).hostname or "practica.invalid"


def ics(c: Community, events: list[Event], name: str) -> str:
    """An iCalendar file of every occurrence of `events`, with the VTIMEZONE blocks of the years they use."""
    cal = icalendar.Calendar()
    cal.add("prodid", "-//Practica//Events//EN")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", name)
    # How often a subscribed calendar should check for changes (Apple and Outlook read one, Google the other).
    cal.add("refresh-interval", dt.timedelta(hours=12), parameters={"VALUE": "DURATION"})
    cal.add("x-published-ttl", "PT12H")
    found = [o for e in sorted(events, key=lambda e: e.id) for o in occurrences(e)]
    found.sort(key=lambda o: (o.start_utc, o.event.id))
    for occurrence in found:
        cal.add_component(_vevent(c, occurrence))
    if found:
        first = min(o.start_utc for o in found).date() - dt.timedelta(days=7)
        last = max(o.end_utc for o in found).date() + dt.timedelta(days=7)
        cal.add_missing_timezones(first_date=first, last_date=last)
    text: str = cal.to_ical().decode("utf-8")
    return text


def _vevent(c: Community, occurrence: Occurrence) -> icalendar.Event:
    event = occurrence.event
    meta = event.meta
    page = urls.absolute(c.settings.site_url, urls.page("event", event.id)) + "#" + occurrence.anchor
    vevent = icalendar.Event()
    vevent.add("uid", f"{occurrence.id}@{host(c.settings.site_url)}")
    # DTSTAMP from the content (the file's last commit), so that an unchanged event gives an unchanged file.
    vevent.add("dtstamp", dt.datetime.combine(event.updated if event.updated > dt.date.min else c.settings.today,
                                              dt.time(), UTC))
    vevent.add("dtstart", occurrence.start)
    vevent.add("dtend", occurrence.end)
    vevent.add("summary", event.title)
    description = event.summary
    if meta.status_note and occurrence.cancelled:
        description = f"Cancelled: {meta.status_note}\n\n{description}"
    if event.body.strip():
        description += "\n\n" + plain(event.body)
    vevent.add("description", f"{description}\n\n{page}")
    vevent.add("url", page)
    location = where_text(meta)
    if location:
        vevent.add("location", location)
    vevent.add("status", "CANCELLED" if occurrence.cancelled else "CONFIRMED")
    vevent.add("sequence", meta.sequence)
    for tid in event.topics:
        topic = c.topics.get(tid)
        vevent.add("categories", [topic.title if topic else tid])
    return vevent


def files(c: Community) -> dict[str, str]:
    """`events.ics` (every event), `events/<id>.ics` (one event) and `topics/<id>/events.ics` (a community's)."""
    name = c.settings.site_name  # events.ics always: /events/ links it, and a subscription to it must not break
    out = {urls.EVENTS_ICS: ics(c, list(c.events.values()), f"Events · {name}")}
    for event in c.events.values():
        out[urls.event_ics(event.id)] = ics(c, [event], event.title)
    for topic in c.topics.values():
        mine = [e for e in c.events.values() if topic.id in e.topics]
        if mine:
            out[urls.topic_events_ics(topic.id)] = ics(c, mine, f"{topic.title} events · {name}")
    return out


# --- the feed (contract: ARCHITECTURE.md "The feed contract") --------------------------------------------

def _stamp(moment: dt.datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def feed_events(c: Community) -> list[dict[str, Any]]:
    """`_practica.events`: every event with every occurrence (past, future, cancelled)."""
    out = []
    for event in sorted(c.events.values(), key=lambda e: e.id):
        meta = event.meta
        url = urls.absolute(c.settings.site_url, urls.page("event", event.id))
        out.append({
            "id": event.id, "url": url, "title": event.title, "summary": event.summary,
            "topics": list(event.topics), "hosts": list(meta.hosts), "timezone": meta.timezone,
            "capacity": meta.capacity, "sequence": meta.sequence,
            "occurrences": [{"id": o.id, "start": o.start_z, "end": o.end_z, "status": o.status,
                             "url": f"{url}#{o.anchor}"} for o in occurrences(event)],
        })
    return out
