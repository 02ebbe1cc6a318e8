"""`practica push export-learning`: figures per item from the learning records this service keeps (within
PRACTICA_RETAIN_RECORDS), for `practica report --learning`: who read and completed it, how its knowledge check
went, how many who started its video finished it. Counts of people, never who."""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from typing import Any

from ..models import iso
from ..store.base import Store

COUNTED = ("experienced", "completed", "initialized")  # people per item and verb (`initialized`: a video started)


def learning_export(store: Store, now: dt.datetime) -> dict[str, Any]:
    """{"generated_at", "pages": {site path: {"title", "read", "completed", "answers", "answers_right",
    "video_started", "video_completed"}}}; site paths as the feedback export's (`learn/x/`)."""
    found = store.feed_state()
    site = found.state.site_url if found else ""
    people: dict[tuple[str, str], set[str]] = defaultdict(set)
    answers: dict[str, list[bool]] = defaultdict(list)
    titles: dict[str, str] = {}
    for verb, obj, subject, body in store.learning_rows():
        page = obj.split("#")[0]
        statement = json.loads(body)
        if "#" not in obj:
            titles.setdefault(page, next(iter(statement["object"]["definition"]["name"].values()), page))
        if verb == "answered":
            answers[page].append(bool(statement.get("result", {}).get("success")))
        elif verb in COUNTED:
            people[(page, verb)].add(subject)
    pages = {}
    for page in sorted({p for p, _ in people} | set(answers)):
        right = answers.get(page, [])
        video = page in titles and any(v == "initialized" for p, v in people if p == page)
        pages[page.removeprefix(site) if site and page.startswith(site) else page] = {
            "title": titles.get(page, page), "read": len(people[(page, "experienced")]),
            "completed": 0 if video else len(people[(page, "completed")]), "answers": len(right),
            "answers_right": sum(right), "video_started": len(people[(page, "initialized")]),
            "video_completed": len(people[(page, "completed")]) if video else 0}
    return {"generated_at": iso(now), "pages": pages}


def export_text(store: Store, now: dt.datetime) -> str:
    return json.dumps(learning_export(store, now), indent=2, ensure_ascii=False) + "\n"
