"""Every URL rule of the site. Nothing else builds a path.

URLs here are site-relative (`people/ada/`, `feed.json`); pages link with `relative()` so the site works
under any sub-path (`/cop/`) and from any host, and `absolute()` only where a full URL is required (feeds,
notifications, structured data).
"""

from __future__ import annotations

from typing import Literal

from .kinds import KINDS, Kind

HOME = ""
NEW = "new/"
OFFLINE = "offline/"
NOTIFICATIONS = "notifications/"
ME = "me/"
HEALTH = "health/"
GUIDELINES = "guidelines/"
MODERATION = "moderation/"
SEARCH = "search/"
SEARCH_SKILLS = "search/skills.json"
SEARCH_EXPERTS = "search/experts/"
FEED_JSON = "feed.json"
FEED_ATOM = "feed.xml"
EVENTS_ICS = "events.ics"  # every event's occurrences, to subscribe to
MANIFEST = "manifest.webmanifest"
SERVICE_WORKER = "sw.js"
PRECACHE = "precache.json"

# Each kind's section is its folder in content/ (items keep their path); skills have pages but no files.
Section = Kind | Literal["skill"]
_SECTIONS: dict[Section, str] = {**{kind.name: kind.folder for kind in KINDS.values()}, "skill": "skills"}


def index(kind: Section) -> str:
    """The index page of a section: `people/`."""
    return f"{_SECTIONS[kind]}/"


def item_urn(kind: Kind, ident: str) -> str:
    """An item's id in feeds and in the community service, stable across moves and hosts: `urn:practica:lesson:x`."""
    return f"urn:practica:{kind}:{ident}"


def page(kind: Section, ident: str) -> str:
    """The page of one person, topic, skill or item: `people/ada/`."""
    return f"{_SECTIONS[kind]}/{ident}/"


def guidelines(topic_id: str) -> str:
    """The site's guidelines (`guidelines/`, for "") or one community's own (`guidelines/data/`)."""
    return f"{GUIDELINES}{topic_id}/" if topic_id else GUIDELINES


def search_experts(skill_id: str) -> str:
    """Who knows a skill, ranked by evidence, for the search dialog: `search/experts/forecasting.json`."""
    return f"{SEARCH_EXPERTS}{skill_id}.json"


def numbered(url: str, number: int) -> str:
    """Page `number` of a list that starts at `url`: `learn/`, `learn/page/2/`, …"""
    return url if number <= 1 else f"{url}page/{number}/"


def in_topic(topic_id: str, kind: Kind) -> str:
    """All of one kind in one community: `topics/data/learn/`."""
    return f"{page('topic', topic_id)}{_SECTIONS[kind]}/"


def all_of(kind: Section, ident: str, what: str) -> str:
    """Everything on one list of a person's or a skill's page: `people/ada/wrote/`, `skills/sql/all/`."""
    return f"{page(kind, ident)}{what}/"


def topic_feed(topic_id: str) -> str:
    return f"{page('topic', topic_id)}feed.json"


def event_ics(event_id: str) -> str:
    """One event's calendar file, beside its page: `events/lunch-and-learn.ics`."""
    return f"{_SECTIONS['event']}/{event_id}.ics"


def topic_events_ics(topic_id: str) -> str:
    """A community's events, to subscribe to: `topics/data/events.ics`."""
    return f"{page('topic', topic_id)}events.ics"


def webcal(absolute_url: str) -> str:
    """The subscribe link of a calendar file (`webcal://…`): calendar apps subscribe instead of importing once."""
    return "webcal://" + absolute_url.split("://", 1)[-1]


def offline_list(page_url: str) -> str:
    """The list of pages that "save for offline" on a hub or path downloads."""
    return f"{page_url}offline.json"


def photo(person_id: str, width: int, digest: str) -> str:
    """A resized profile photo; the digest of the source makes the name change when the photo does."""
    return f"assets/people/{person_id}-{digest[:10]}-{width}.webp"


def me_person(person_id: str) -> str:
    """What the header and /me/ show of a signed-in reader who is this person: `me/people/ada.json`."""
    return f"{ME}people/{person_id}.json"


def icon(name: str) -> str:
    return f"assets/icons/{name}"


def media(content_rel: str) -> str:
    """A local file (video, poster, captions, body image) at the same place as in the content folder."""
    return content_rel


def source_uri(url: str) -> str:
    """The Markdown path that MkDocs publishes at `url` with directory URLs: `people/ada/` ← `people/ada.md`.

    Items keep the path they have in the content folder, so contributors' relative links between
    Markdown files (`../faq/x.md`) resolve as they do in the repository.
    """
    if url == "":
        return "index.md"
    return url.rstrip("/") + ".md" if url.endswith("/") else url


def relative(from_url: str, to_url: str) -> str:
    """Link from the page at `from_url` to `to_url`, e.g. `people/ada/` → `learn/x/` is `../../learn/x/`.

    Both are normalised site-relative URLs, so this is segment arithmetic (posixpath.relpath, which
    consults the working directory, was a tenth of the page builders' time)."""
    here = from_url.split("/")[:-1]  # the folders the page is in ("learn/x/" → ["learn", "x"])
    there = to_url.split("/")
    common = 0
    while common < len(here) and common < len(there) - 1 and here[common] == there[common]:
        common += 1
    return "../" * (len(here) - common) + "/".join(there[common:]) or "./"


def absolute(site_url: str, url: str) -> str:
    return site_url.rstrip("/") + "/" + url
