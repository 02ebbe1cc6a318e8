"""`practica push export-learning`: figures per item and per community (the communities the ingested feed gives each
item), for `practica report --learning` and /health/: who read and completed it, how its knowledge check went, how
many who started its video finished it. Counts of distinct people, never who.

Two sources, and the file says which: the LRS itself (`lrs_read.read_statements`: its statements API, the default
when PRACTICA_XAPI_ENDPOINT is set), or the learning records this service still keeps (within
PRACTICA_RETAIN_RECORDS), for when the LRS cannot be asked."""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from ..models import FeedItem, iso
from ..store.base import Store

COUNTED = ("experienced", "completed", "initialized")  # people per item and verb (`initialized`: a video started)


@dataclass(frozen=True)
class Seen:
    """One statement as the figures need it: verb name, object id, an opaque key for its actor (never a name),
    result.success, the statement's id (a statement met twice counts once) and the object's name, if any."""

    verb: str
    obj: str
    actor: str
    success: bool
    sid: str
    name: str = ""


class Tally:
    """Distinct actors per verb, and answers (statement ids, with success), over one item or one community."""

    def __init__(self) -> None:
        self.people: dict[str, set[str]] = defaultdict(set)
        self.answers: dict[str, bool] = {}

    def figures(self, video: bool) -> dict[str, int]:
        return {"read": len(self.people["experienced"]),
                "completed": 0 if video else len(self.people["completed"]), "answers": len(self.answers),
                "answers_right": sum(self.answers.values()), "video_started": len(self.people["initialized"]),
                "video_completed": len(self.people["completed:video"])}


def aggregate(seen: Iterable[Seen], items: Iterable[FeedItem], site: str, now: dt.datetime, source: str, *,
              only_known: bool) -> dict[str, Any]:
    """{"generated_at", "source", "pages": {site path: {"title", "read", "completed", "answers", "answers_right",
    "video_started", "video_completed"}}, "communities": {topic id: the same figures, people counted once across
    the community's items}}. Site paths as the feedback export's (`learn/x/`). With `only_known`, statements about
    anything but an ingested item's page (or its check's questions) are left out."""
    by_url = {i.url: i for i in items}
    pages: dict[str, Tally] = defaultdict(Tally)
    communities: dict[str, Tally] = defaultdict(Tally)
    titles: dict[str, str] = {}
    videos: set[str] = {u for u, i in by_url.items() if i.type == "video"}
    done: set[str] = set()
    for s in seen:
        page = s.obj.split("#")[0]
        item = by_url.get(page)
        if (item is None and only_known) or s.sid in done or s.verb not in (*COUNTED, "answered") or \
                (s.verb == "answered" and "#" not in s.obj):  # an answer on a board, not to a check's question
            continue
        done.add(s.sid)
        if "#" not in s.obj and s.name:
            titles.setdefault(page, s.name)
        if item is None and s.verb == "initialized":
            videos.add(page)
        for tally in (pages[page], *(communities[t] for t in (item.topics if item else ()))):
            if s.verb == "answered":
                tally.answers[s.sid] = s.success
            else:
                tally.people[s.verb].add(s.actor)
    for page in list(pages):  # a video's `completed` is its video's, not a lesson's
        if page in videos:
            pages[page].people["completed:video"] = pages[page].people["completed"]
    for topic, tally in communities.items():
        in_topic = [p for p in pages if p in by_url and topic in by_url[p].topics]
        finished = [pages[p].people["completed"] for p in in_topic if p in videos]
        read = [pages[p].people["completed"] for p in in_topic if p not in videos]
        tally.people["completed:video"] = set().union(*finished)
        tally.people["completed"] = set().union(*read)
    shown = {}
    for page in sorted(pages):
        title = by_url[page].title if page in by_url else titles.get(page, page)
        shown[page.removeprefix(site) if site and page.startswith(site) else page] = {
            "title": title, **pages[page].figures(page in videos)}
    return {"generated_at": iso(now), "source": source, "pages": shown,
            "communities": {t: communities[t].figures(False) for t in sorted(communities)}}


def local_rows(store: Store) -> list[Seen]:
    """The statements this service keeps (not rejected), as `Seen`; the actor is the person's subject here."""
    seen = []
    for verb, obj, subject, body in store.learning_rows():
        statement = json.loads(body)
        name = next(iter(statement.get("object", {}).get("definition", {}).get("name", {}).values()), "")
        seen.append(Seen(verb, obj, subject, bool(statement.get("result", {}).get("success")),
                         str(statement.get("id", "")), str(name)))
    return seen


def learning_export(store: Store, now: dt.datetime) -> dict[str, Any]:
    """The figures from the learning records this service keeps (`source`: "local")."""
    found = store.feed_state()
    return aggregate(local_rows(store), store.feed_items(), found.state.site_url if found else "", now, "local",
                     only_known=False)


def export_text(store: Store, now: dt.datetime) -> str:
    return json.dumps(learning_export(store, now), indent=2, ensure_ascii=False) + "\n"
