"""The published vocabularies statements use, so an LRS understands them without configuration: ADL verbs, the
xAPI Video Profile (verbs, extensions, category) and activity types."""

from __future__ import annotations

from typing import Literal

ADL = "http://adlnet.gov/expapi/verbs/"
VIDEO = "https://w3id.org/xapi/video/"
Verb = Literal["experienced", "completed", "answered", "attempted", "asked", "commented", "registered", "attended",
               "initialized", "played", "paused", "seeked"]
VERBS: dict[str, str] = {name: ADL + name for name in (
    "experienced", "completed", "answered", "attempted", "asked", "commented", "registered", "attended",
    "initialized")} | {name: f"{VIDEO}verbs/{name}" for name in ("played", "paused", "seeked")}
VIDEO_VERBS = ("initialized", "played", "paused", "seeked", "completed")
VIDEO_CATEGORY = "https://w3id.org/xapi/video"  # the profile's id, in contextActivities.category
VIDEO_TYPE = f"{VIDEO}activity-type/video"
EXT = f"{VIDEO}extensions/"  # time, time-from, time-to, progress, played-segments, length, session-id, …
ACTIVITY_TYPES: dict[str, str] = {
    "lesson": "http://adlnet.gov/expapi/activities/lesson",
    "video": VIDEO_TYPE,
    "faq": "http://id.tincanapi.com/activitytype/resource",
    "path": "http://adlnet.gov/expapi/activities/course",
    "question": "http://adlnet.gov/expapi/activities/question",  # a question asked on a board
    "discussion": "http://id.tincanapi.com/activitytype/discussion",
    "check": "http://adlnet.gov/expapi/activities/assessment",  # a lesson's knowledge check as a whole
    "interaction": "http://adlnet.gov/expapi/activities/cmi.interaction",
    "event": "http://adlnet.gov/expapi/activities/meeting",
}
# At the `aggregate` level only what the report's figures need is sent: no seeks, plays or pauses, no responses.
FINE_GRAINED = frozenset({"played", "paused", "seeked"})


def verb(name: str) -> dict[str, object]:
    """The statement's verb: its IRI and an English display."""
    return {"id": VERBS[name], "display": {"en-US": name}}
