"""xAPI 1.0.3 statements, built as plain dicts (pure functions): actors, activities with definitions in the site's
language, knowledge-check questions as cmi.interaction activities, deterministic statement ids."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from dataclasses import dataclass, field
from typing import Any

from ..models import Check
from .vocab import ACTIVITY_TYPES, VERBS, VIDEO_CATEGORY, verb

# Statement ids are UUIDv5 in this namespace over actor, verb, object and attempt key: the same event recorded twice
# (a resend from the device, a sender that crashed after the LRS stored it) is one statement in the LRS.
NAMESPACE = uuid.UUID("5b1f6c8e-6f0a-5d3e-9a51-7072616374b1")
Json = dict[str, Any]


@dataclass(frozen=True)
class Target:
    """What a statement is about: its canonical URL (the activity id), its kind (a vocab.ACTIVITY_TYPES key), its
    title and description in the site's language; `interaction` adds cmi.interaction fields to the definition."""

    id: str
    kind: str
    name: str
    description: str = ""
    interaction: Json = field(default_factory=dict)


def account_actor(home_page: str, name: str) -> Json:
    """An Agent identified by an account: a pseudonymous key (`aggregate`) or the person's stable identity key."""
    return {"objectType": "Agent", "account": {"homePage": home_page, "name": name}}


def activity(target: Target, language: str) -> Json:
    definition: Json = {"name": {language: target.name}, "type": ACTIVITY_TYPES[target.kind]}
    if target.description:
        definition["description"] = {language: target.description}
    return {"objectType": "Activity", "id": target.id, "definition": definition | target.interaction}


def statement_id(actor: Json, verb_name: str, object_id: str, attempt: str) -> str:
    """The statement's id: the same actor, verb, object and attempt key always give the same one."""
    who = json.dumps(actor.get("account"), sort_keys=True)
    return str(uuid.uuid5(NAMESPACE, "\n".join((who, VERBS[verb_name], object_id, attempt))))


def statement(actor: Json, verb_name: str, target: Target, language: str, at: dt.datetime, *, attempt: str,
              result: Json | None = None, extensions: Json | None = None, parents: tuple[Target, ...] = (),
              grouping: tuple[Target, ...] = (), video: bool = False) -> Json:
    """A complete statement (id, actor, verb, object, context, timestamp; result if given)."""
    context: Json = {"platform": "Practica", "language": language}
    activities: Json = {}
    if parents:
        activities["parent"] = [activity(p, language) for p in parents]
    if grouping:
        activities["grouping"] = [activity(g, language) for g in grouping]
    if video:
        activities["category"] = [{"objectType": "Activity", "id": VIDEO_CATEGORY,
                                   "definition": {"type": "http://adlnet.gov/expapi/activities/profile"}}]
    if activities:
        context["contextActivities"] = activities
    if extensions:
        context["extensions"] = extensions
    made: Json = {"id": statement_id(actor, verb_name, target.id, attempt), "actor": actor, "verb": verb(verb_name),
                  "object": activity(target, language), "context": context,
                  "timestamp": at.astimezone(dt.UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")}
    if result:
        made["result"] = result
    return made


def question_target(lesson_url: str, number: int, check: Check, language: str) -> Target:
    """A lesson's knowledge-check question `number` (from 1) as a cmi.interaction choice activity."""
    return Target(f"{lesson_url}#check-{number}", "interaction", check.question, interaction={
        "interactionType": "choice", "correctResponsesPattern": [choice_id(check.answer)],
        "choices": [{"id": choice_id(n), "description": {language: text}} for n, text in enumerate(check.options, 1)]})


def choice_id(number: int) -> str:
    return f"option-{number}"
