"""Events (issue 20, site part): validation with file:line:field, occurrences across a DST change, the parsed
.ics files, the feed's `_practica.events` (the contract with the service), event pages, /events/, hubs, home
and profiles, and hostile input."""

from __future__ import annotations

import datetime as dt
import json
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import icalendar
import pytest
import yaml
from bs4 import BeautifulSoup

from generator.commands.build import build_site
from generator.content import schedule
from generator.content.load import load_community
from generator.content.models import EventMeta
from generator.content.problems import Problem
from generator.health import health
from generator.settings import load_settings
from tests.conftest import MINI, write_config
from tests.soup import attr, one

TODAY = dt.date(2027, 3, 1)  # the build's today: the weekly series is ahead, the clinic behind
HOST = "127.0.0.1"

WEEKLY = """---
title: "Lunch & learn"
summary: "Thirty minutes on one skill."
topics: [data]
hosts: [ada, bo]
start: 2027-03-16 12:00
timezone: Europe/Berlin
duration: 60
where:
  room: "Room 4.2"
  online: https://meet.example.org/lunch
capacity: 40
repeat:
  every: week
  until: 2027-04-06
---
1. A short demo
2. Questions
"""
CANCELLED = """---
title: "Demo day"
summary: "Teams show what they changed."
topics: [data]
hosts: [ada]
start: 2027-03-10 14:00
timezone: Europe/London
end: 2027-03-10 16:00
where:
  room: "Training room 1"
status: cancelled
status_note: "Moved to April."
sequence: 2
---
Five-minute demos.
"""
PAST = """---
title: "Data clinic"
summary: "Questions about forecasts."
topics: [data]
hosts: [ada]
start: 2026-11-18 13:00
timezone: Europe/London
duration: 60
where:
  online: https://meet.example.org/clinic
recording: intro-video
---
Bring a question.
"""
UNRECORDED = PAST.replace("recording: intro-video\n", "").replace("Data clinic", "Old meetup")
XSS = "<script>alert(1)</script>"
HOSTILE = f"""---
title: "Hostile {XSS}"
summary: "Summary <img src=x onerror=alert(2)>"
topics: [data]
hosts: [bo]
start: 2027-05-04 12:00
timezone: America/New_York
duration: 30
where:
  room: "Room <script>alert(3)</script>"
  note: "<b onmouseover=alert(4)>hover</b>"
---
Agenda {XSS} and <img src=x onerror=alert(5)>
"""


def _content(folder: Path, events: dict[str, str]) -> Path:
    content = folder / "content"
    shutil.copytree(MINI, content)
    (content / "events").mkdir()
    for name, text in events.items():
        (content / "events" / f"{name}.md").write_text(text, encoding="utf-8")
    return content


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The mini community with four events (and a hostile one), built with TODAY as the build's date."""
    folder = tmp_path_factory.mktemp("events-site")
    _content(folder, {"weekly": WEEKLY, "demo-day": CANCELLED, "clinic": PAST, "old-meetup": UNRECORDED,
                      "hostile": HOSTILE})
    config = write_config(folder, docs_dir="content")
    settings = load_settings(config, today=TODAY)
    community = load_community(settings)
    # The hostile body is refused by validation as any body is; built anyway, to show what would reach readers.
    assert {(p.file, p.code) for p in community.problems} == {("events/hostile.md", code) for code in
                                                              ("script", "no-alt-text", "missing-file")}
    build_site(config, settings, community, folder / "site")
    return folder / "site"


def page(site: Path, url: str) -> BeautifulSoup:
    return BeautifulSoup((site / url / "index.html").read_text(encoding="utf-8"), "html.parser")


def calendar(site: Path, path: str) -> icalendar.Calendar:
    return icalendar.Calendar.from_ical((site / path).read_bytes())


# --- iCalendar ---------------------------------------------------------------------------------------------

def test_an_event_calendar_has_one_entry_per_occurrence_with_every_required_property(built: Path) -> None:
    cal = calendar(built, "events/weekly.ics")
    assert str(cal["version"]) == "2.0" and "Practica" in str(cal["prodid"])
    entries = cal.walk("VEVENT")
    assert [str(e["uid"]) for e in entries] == [f"weekly@2027-{d}@{HOST}" for d in
                                                ("03-16", "03-23", "03-30", "04-06")]
    for entry in entries:
        assert isinstance(entry.decoded("dtstamp"), dt.datetime)
        assert str(entry["summary"]) == "Lunch & learn"
        anchor = entry.decoded("dtstart").date().isoformat()
        assert str(entry["url"]).endswith(f"/events/weekly/#{anchor}")
        assert str(entry["location"]) == "Room 4.2 · https://meet.example.org/lunch"
        assert str(entry["status"]) == "CONFIRMED"
        assert entry.decoded("sequence") == 0
        assert entry.decoded("dtend") - entry.decoded("dtstart") == dt.timedelta(hours=1)


def test_times_stay_at_noon_in_the_event_zone_across_the_dst_change(built: Path) -> None:
    entries = calendar(built, "events/weekly.ics").walk("VEVENT")
    starts = [e.decoded("dtstart") for e in entries]
    assert all(str(s.tzinfo) == "Europe/Berlin" and (s.hour, s.minute) == (12, 0) for s in starts)
    # Central Europe moves to summer time on 28 March 2027: noon is 11:00 UTC before, 10:00 UTC after.
    assert [s.astimezone(dt.UTC).hour for s in starts] == [11, 11, 10, 10]
    assert "TZID=Europe/Berlin" in (built / "events/weekly.ics").read_text(encoding="utf-8")


def test_the_vtimezone_covers_only_the_dates_used(built: Path) -> None:
    cal = calendar(built, "events/weekly.ics")
    zones = cal.walk("VTIMEZONE")
    assert [str(z["tzid"]) for z in zones] == ["Europe/Berlin"]
    starts = [sub.decoded("dtstart") for sub in zones[0].subcomponents]
    assert {s.year for s in starts} == {2027}, starts
    assert {"STANDARD", "DAYLIGHT"} == {sub.name for sub in zones[0].subcomponents}


def test_a_cancelled_event_stays_in_calendars_as_cancelled_with_its_sequence(built: Path) -> None:
    (entry,) = calendar(built, "events/demo-day.ics").walk("VEVENT")
    assert str(entry["status"]) == "CANCELLED"
    assert entry.decoded("sequence") == 2
    assert "Moved to April." in str(entry["description"])
    site_wide = {str(e["uid"]): e for e in calendar(built, "events.ics").walk("VEVENT")}
    assert str(site_wide[f"demo-day@2027-03-10@{HOST}"]["status"]) == "CANCELLED"
    assert len(site_wide) == 4 + 1 + 1 + 1 + 1
    community = {str(e["uid"]) for e in calendar(built, "topics/data/events.ics").walk("VEVENT")}
    assert community == set(site_wide)


# --- the feed contract ------------------------------------------------------------------------------------

def test_the_feed_lists_every_event_and_occurrence_per_the_contract(built: Path) -> None:
    feed = json.loads((built / "feed.json").read_text(encoding="utf-8"))
    events = {e["id"]: e for e in feed["_practica"]["events"]}
    assert sorted(events) == ["clinic", "demo-day", "hostile", "old-meetup", "weekly"]
    weekly = events["weekly"]
    assert set(weekly) == {"id", "url", "title", "summary", "topics", "hosts", "timezone", "capacity", "sequence",
                           "occurrences"}
    assert weekly["url"].endswith("/events/weekly/") and weekly["timezone"] == "Europe/Berlin"
    assert (weekly["topics"], weekly["hosts"], weekly["capacity"], weekly["sequence"]) == (["data"], ["ada", "bo"],
                                                                                           40, 0)
    assert weekly["occurrences"][0] == {"id": "weekly@2027-03-16", "start": "2027-03-16T11:00:00Z",
                                        "end": "2027-03-16T12:00:00Z", "status": "scheduled",
                                        "url": weekly["url"] + "#2027-03-16"}
    assert weekly["occurrences"][3]["start"] == "2027-04-06T10:00:00Z"
    assert events["demo-day"]["occurrences"][0]["status"] == "cancelled"
    assert events["demo-day"]["capacity"] is None and events["demo-day"]["sequence"] == 2
    assert all(not item["id"].startswith("urn:practica:event") for item in feed["items"])


# --- pages --------------------------------------------------------------------------------------------------

def test_an_event_page_has_an_anchor_and_an_rsvp_hook_per_occurrence(built: Path) -> None:
    soup = page(built, "events/weekly")
    for day, start in (("2027-03-16", "2027-03-16T11:00:00Z"), ("2027-04-06", "2027-04-06T10:00:00Z")):
        row = one(soup, f'li[id="{day}"]')
        hook = one(row, "div.pr-rsvp[data-pr-rsvp]")
        assert attr(hook, "data-occurrence") == f"weekly@{day}"
        assert attr(hook, "data-start") == start
        assert attr(hook, "data-capacity") == "40"
        assert "12:00–13:00" in row.get_text()
    assert len(soup.select("div.pr-rsvp[data-pr-rsvp]")) == 4
    assert "Tue 16 Mar 2027, 12:00–13:00 CET" in one(soup, ".pr-event-when__next").get_text()
    assert "Tue 30 Mar 2027, 12:00–13:00 CEST" in one(soup, 'li[id="2027-03-30"]').get_text()
    hook = one(page(built, "events/demo-day"), "div.pr-rsvp")
    assert hook.get("data-capacity") is None


def test_an_event_page_shows_hosts_where_and_how_to_add_it_to_a_calendar(built: Path) -> None:
    soup = page(built, "events/weekly")
    hosts = soup.select(".pr-event-hosts .pr-expert")
    assert [one(h, ".pr-expert__name").get_text() for h in hosts] == ["Ada Okafor", "Bo Lindqvist"]
    assert one(hosts[0], "img.pr-avatar, .pr-avatar--initials")
    assert attr(one(hosts[0], "a.pr-expert__name"), "href") == "../../people/ada/"
    assert attr(one(soup, ".pr-event-where a"), "href") == "https://meet.example.org/lunch"
    calendar_links = {a.get_text(strip=True): attr(a, "href") for a in soup.select(".pr-event-calendar a")}
    assert calendar_links["Add to calendar (.ics)"] == "../weekly.ics"
    assert (built / "events" / "weekly.ics").is_file()
    google = calendar_links["Google Calendar"]
    assert google.startswith("https://calendar.google.com/calendar/render?action=TEMPLATE")
    assert "dates=20270316T110000Z%2F20270316T120000Z" in google and "ctz=Europe%2FBerlin" in google
    assert calendar_links["Subscribe"] == f"webcal://{HOST}:8000/events/weekly.ics"
    assert attr(one(soup, "section.pr-talk"), "data-pr-talk") == "urn:practica:event:weekly"


def test_an_event_page_has_event_json_ld(built: Path) -> None:
    soup = page(built, "events/weekly")
    data = json.loads(one(soup, 'script[type="application/ld+json"]').get_text())
    assert data["@type"] == "Event" and data["name"] == "Lunch & learn"
    assert data["startDate"] == "2027-03-16T12:00:00+01:00" and data["endDate"] == "2027-03-16T13:00:00+01:00"
    assert data["eventStatus"] == "https://schema.org/EventScheduled"
    assert data["eventAttendanceMode"] == "https://schema.org/MixedEventAttendanceMode"
    assert {p["@type"] for p in data["location"]} == {"Place", "VirtualLocation"}
    assert [o["name"] for o in data["organizer"]] == ["Ada Okafor", "Bo Lindqvist"]
    assert len(data["subEvent"]) == 4 and data["maximumAttendeeCapacity"] == 40
    cancelled = json.loads(one(page(built, "events/demo-day"), 'script[type="application/ld+json"]').get_text())
    assert cancelled["eventStatus"] == "https://schema.org/EventCancelled"


def test_a_past_event_shows_its_recording(built: Path) -> None:
    soup = page(built, "events/clinic")
    assert attr(one(soup, ".pr-event-recording a"), "href") == "../../videos/intro-video/"
    assert one(soup, 'li[id="2026-11-18"]')
    assert soup.select(".pr-event-calendar a[href^='https://calendar.google.com']") == []


def test_events_index_lists_upcoming_first_then_past_with_recordings(built: Path) -> None:
    soup = page(built, "events")
    upcoming = soup.select(".pr-events:not(.pr-events--past) .pr-item")
    titles = [one(li, ".pr-item__title").get_text() for li in upcoming]
    assert titles[:2] == ["Demo day", "Lunch & learn"], titles
    cancelled = upcoming[0]
    assert "pr-item--cancelled" in cancelled["class"] and "Moved to April." in cancelled.get_text()
    assert "and 3 more dates" in upcoming[1].get_text()
    assert attr(one(upcoming[1], "a"), "href") == "weekly/#2027-03-16"
    past = soup.select(".pr-events--past .pr-item")
    assert [one(li, ".pr-item__title").get_text() for li in past] == ["Data clinic", "Old meetup"]
    assert attr(one(past[0], ".pr-item__meta a"), "href") == "../videos/intro-video/"
    assert attr(one(soup, ".pr-event-calendar a"), "href") == f"webcal://{HOST}:8000/events.ics"


def test_hubs_home_and_profiles_show_events(built: Path) -> None:
    hub = page(built, "topics/data")
    assert one(hub, "h2#events").get_text().startswith("Coming up")
    assert [a.get_text() for a in hub.select(".pr-events .pr-item__title")] == \
        ["Demo day", "Lunch & learn", "Hostile <script>alert(1)</script>"]
    assert hub.select_one(f'a[href="webcal://{HOST}:8000/topics/data/events.ics"]') is not None
    home = page(built, "")
    assert [a.get_text() for a in home.select(".pr-events .pr-item__title")][:3] == \
        ["Demo day", "Lunch & learn", "Hostile <script>alert(1)</script>"]
    profile = page(built, "people/bo")
    assert one(profile, "#hosts")
    assert sorted(a.get_text() for a in profile.select(".pr-events .pr-item__title")) == \
        sorted(["Lunch & learn", "Hostile <script>alert(1)</script>"])


def test_hostile_text_in_an_event_is_escaped_everywhere(built: Path) -> None:
    for url in ("events/hostile", "events", "", "people/bo", "topics/data"):
        soup = page(built, url)
        scripts = [s.get_text() for s in soup.find_all("script") if "alert(" in s.get_text()]
        for text in scripts:  # only JSON-LD may hold the text, escaped so that it cannot close the element
            assert "</script" not in text and "<script" not in text
        assert not [tag for tag in soup.find_all(True) if any(a.startswith("on") for a in tag.attrs)], url
        assert soup.find("b") is None or soup.find("b", attrs={"onmouseover": True}) is None
    soup = page(built, "events/hostile")
    assert one(soup, "h1").get_text().startswith("Hostile <script>")
    assert "Room <script>alert(3)</script>" in one(soup, ".pr-event-where").get_text()
    ics = (built / "events/hostile.ics").read_text(encoding="utf-8")
    assert "SUMMARY:Hostile <script>alert(1)</script>" in ics  # text in a calendar is text


def test_a_past_event_without_a_recording_is_a_health_finding_not_a_problem(tmp_path: Path) -> None:
    _content(tmp_path, {"old-meetup": UNRECORDED, "clinic": PAST, "demo-day": CANCELLED})
    config = write_config(tmp_path, docs_dir="content")
    community = load_community(load_settings(config, today=TODAY))
    assert [p for p in community.problems if p.file.startswith("events/")] == []
    rows = health(community).sections["events_without_recording"]
    assert [(r.file, r.page) for r in rows] == [("events/old-meetup.md", "events/old-meetup/")]
    assert "took place on 2026-11-18" in rows[0].detail


# --- validation: file:line:field and the fix -----------------------------------------------------------------

def _problems(tmp_path: Path, text: str) -> list[Problem]:
    _content(tmp_path, {"bad": text})
    config = write_config(tmp_path, docs_dir="content")
    community = load_community(load_settings(config, today=TODAY))
    return [p for p in community.problems if p.file == "events/bad.md"]


def _line(text: str, needle: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), 1) if needle in line)


def _edit(old: str, new: str, base: str = WEEKLY) -> str:
    assert old in base
    return base.replace(old, new)


RULES: list[tuple[str, str, str, str, str, str]] = [
    # (case, text edit from, to, field, code, words of the fix)
    ("unknown zone", "timezone: Europe/Berlin", "timezone: Europe/Berlyn", "timezone", "unknown-zone",
     "did you mean 'Europe/Berlin'"),
    ("end before start", "duration: 60", "end: 2027-03-16 11:00", "end", "end-before-start", "correct 'end'"),
    ("no length", "duration: 60\n", "", "start", "no-end", "duration: 60"),
    ("both lengths", "duration: 60", "duration: 60\nend: 2027-03-16 13:00", "end", "duration-and-end", "keep one"),
    ("unknown host", "hosts: [ada, bo]", "hosts: [ada, bob]", "hosts[2]", "unknown-reference", "did you mean 'bo'"),
    ("unknown topic", "topics: [data]", "topics: [date]", "topics[1]", "unknown-reference", "did you mean 'data'"),
    ("unknown recording", "capacity: 40", "capacity: 40\nrecording: intro-vidoe", "recording", "unknown-reference",
     "did you mean 'intro-video'"),
    ("recording not a video", "capacity: 40", "capacity: 40\nrecording: forecast-basics", "recording", "not-a-video",
     "videos/"),
    ("unknown related", "capacity: 40", "capacity: 40\nrelated: [what-is-mapee]", "related[1]", "unknown-reference",
     "did you mean 'what-is-mape'"),
    ("repeat without end", "  until: 2027-04-06\n", "", "repeat.every", "repeat-without-end", "until: YYYY-MM-DD"),
    ("too many occurrences", "until: 2027-04-06", "until: 2030-04-06", "repeat", "too-many-occurrences",
     "bring 'until' closer"),
    ("until before start", "until: 2027-04-06", "until: 2027-01-06", "repeat.until", "until-before-start", "last day"),
]


@pytest.mark.parametrize(("old", "new", "field", "code", "fix"), [r[1:] for r in RULES], ids=[r[0] for r in RULES])
def test_each_rule_names_file_line_field_and_the_fix(tmp_path: Path, old: str, new: str, field: str, code: str,
                                                     fix: str) -> None:
    text = _edit(old, new)
    found = [p for p in _problems(tmp_path, text) if p.code == code]
    assert len(found) == 1, _problems(tmp_path / "again", text)
    problem = found[0]
    assert problem.field == field and problem.severity == "error"
    key = field.split(".")[-1].split("[")[0]
    assert problem.line == _line(text, f"{key}:")
    assert fix in problem.hint


def test_cancelled_without_a_note_is_an_error_at_status(tmp_path: Path) -> None:
    text = _edit('status_note: "Moved to April."\n', "", CANCELLED)
    (problem,) = _problems(tmp_path, text)
    assert (problem.code, problem.field, problem.line) == ("cancelled-without-note", "status", _line(text, "status:"))
    assert "status_note" in problem.hint


@pytest.mark.parametrize("link", ["javascript:alert(1)", "http://meet.example.org/x", "data:text/html,x"])
def test_a_where_link_that_is_not_https_is_refused(tmp_path: Path, link: str) -> None:
    text = _edit("online: https://meet.example.org/lunch", f'online: "{link}"')
    problems = _problems(tmp_path, text)
    assert [(p.field, p.line) for p in problems if p.severity == "error"] == [("where.online",
                                                                               _line(text, "online:"))]


def test_a_local_time_with_an_offset_is_refused(tmp_path: Path) -> None:
    text = _edit("start: 2027-03-16 12:00", 'start: "2027-03-16T12:00:00+01:00"')
    (problem,) = [p for p in _problems(tmp_path, text) if p.field == "start"]
    assert "without an offset" in problem.message + problem.hint


# --- sequence: never down, raised when the schedule changes (checked against the last commit) ------------

def _git(folder: Path, *args: str) -> None:
    subprocess.run(["git", "-C", str(folder), "-c", "user.name=t", "-c", "user.email=t@example.org", *args],
                   check=True, capture_output=True)


@pytest.fixture
def committed(tmp_path: Path) -> Callable[[str], list[Problem]]:
    content = _content(tmp_path, {"demo-day": CANCELLED})
    _git(content, "init", "-q")
    _git(content, "add", "-A")
    _git(content, "commit", "-qm", "events")
    config = write_config(tmp_path, docs_dir="content")

    def edited(text: str) -> list[Problem]:
        (content / "events" / "demo-day.md").write_text(text, encoding="utf-8")
        community = load_community(load_settings(config, today=TODAY))
        return [p for p in community.problems if p.file == "events/demo-day.md"]
    return edited


def test_a_changed_time_without_a_raised_sequence_is_an_error(committed: Callable[[str], list[Problem]]) -> None:
    text = _edit("start: 2027-03-10 14:00", "start: 2027-03-10 15:00", CANCELLED).replace("end: 2027-03-10 16:00",
                                                                                        "end: 2027-03-10 17:00")
    (problem,) = committed(text)
    assert (problem.code, problem.field, problem.line) == ("sequence-not-raised", "sequence", _line(text, "sequence:"))
    assert "sequence: 3" in problem.hint
    assert committed(text.replace("sequence: 2", "sequence: 3")) == []
    assert committed(_edit("Five-minute demos.", "Ten-minute demos.", CANCELLED)) == []  # the agenda is no reason


def test_sequence_never_goes_down(committed: Callable[[str], list[Problem]]) -> None:
    text = _edit("sequence: 2", "sequence: 1", CANCELLED)
    (problem,) = committed(text)
    assert (problem.code, problem.field) == ("sequence-down", "sequence")


def test_a_site_without_events_says_nothing_is_planned(mini_site: Path) -> None:
    soup = page(mini_site, "events")
    assert "Nothing is planned yet." in one(soup, "article").get_text()
    assert calendar(mini_site, "events.ics").walk("VEVENT") == []
    assert soup.select(".pr-events .pr-item") == []
    assert page(mini_site, "").select_one("#events") is None  # no "Coming up" on the home page
    feed = json.loads((mini_site / "feed.json").read_text(encoding="utf-8"))
    assert feed["_practica"]["events"] == []


# --- the schedule rules (content/schedule.py) -----------------------------------------------------------------

def _meta(**changes: object) -> EventMeta:
    base: dict[str, object] = {"title": "t", "summary": "s", "topics": ["data"], "hosts": ["ada"],
                               "start": "2027-01-31 18:00", "timezone": "Europe/London", "duration": 60,
                               "where": {"room": "r"}}
    return EventMeta.model_validate({**base, **changes})


def test_a_monthly_series_skips_months_without_that_day_and_the_skipped_dates() -> None:
    meta = _meta(repeat={"every": "month", "until": "2027-06-30", "skip": ["2027-05-31"]})
    assert [s.date().isoformat() for s in schedule.local_starts(meta)] == ["2027-01-31", "2027-03-31"]


def test_a_fortnightly_series_and_a_list_of_dates() -> None:
    every_two = _meta(start="2027-01-05 12:00", repeat={"every": "week", "interval": 2, "until": "2027-02-02"})
    assert [s.day for s in schedule.local_starts(every_two)] == [5, 19, 2]
    listed = _meta(start="2027-01-05 12:00", repeat={"dates": ["2027-03-02 12:30", "2027-02-02 12:00"]})
    assert [s.isoformat(" ", "minutes") for s in schedule.local_starts(listed)] == \
        ["2027-01-05 12:00", "2027-02-02 12:00", "2027-03-02 12:30"]


@pytest.mark.parametrize(("repeat", "code"), [
    ({"dates": ["2027-03-16 09:00"]}, "date-before-start"),  # the same day as start, earlier
    ({"dates": ["2027-03-16 18:00"]}, "same-day"),
    ({"every": "week", "until": "2027-04-06", "dates": ["2027-04-01 12:00"]}, "repeat-both"),
    ({"interval": 2}, "repeat-empty"),
])
def test_repeat_mistakes(tmp_path: Path, repeat: dict[str, object], code: str) -> None:
    text = WEEKLY.split("repeat:")[0] + yaml.safe_dump({"repeat": repeat}) + "---\n"
    assert code in {p.code for p in _problems(tmp_path, text)}


def test_event_pages_ask_for_the_service_script_only_when_it_exists(tmp_path: Path,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    from generator.pages import Site
    from generator.pages import events as event_pages

    _content(tmp_path, {"weekly": WEEKLY})
    community = load_community(load_settings(write_config(tmp_path, docs_dir="content"), today=TODAY))
    event = community.events["weekly"]

    def hooks() -> str:
        built = event_pages.event_page(Site(community), event)
        return "".join(built.blocks.values())
    monkeypatch.setattr(event_pages, "EVENTS_SCRIPT", tmp_path / "absent.js")
    assert "data-pr-events" not in hooks()
    (tmp_path / "events.js").write_text("/* the service's */", encoding="utf-8")
    monkeypatch.setattr(event_pages, "EVENTS_SCRIPT", tmp_path / "events.js")
    assert "<div hidden data-pr-events></div>" in hooks()
    script = (Path(__file__).parent.parent / "pwa/overrides/assets/practica/practica.js").read_text(encoding="utf-8")
    assert '["events", "[data-pr-events]", "outbox"]' in script
