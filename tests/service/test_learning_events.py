"""Events as learning records (issues 20 and 21): an RSVP is `registered` and a check-in `attended`, once per
person and event date, with the date's URL as the activity and the event's page as its parent; in a real LRS."""

from __future__ import annotations

import asyncio
from pathlib import Path

from generator.service.records.sender import deliver_statements

from .conftest import ReceiverClient
from .forum import ok, running
from .ralph import PASSWORD, USER, Ralph
from .test_events import EVENTS, LUNCH, SOON, ingest_events, rsvp


def test_rsvps_and_check_ins_arrive_as_registered_and_attended(tmp_path: Path, vapid_pem: Path,
                                                               receiver: ReceiverClient, ralph: Ralph) -> None:
    with running(tmp_path, vapid_pem, receiver, rate_limit="1000/10m", xapi_endpoint=ralph.endpoint,
                 xapi_username=USER, xapi_password=PASSWORD) as forum:
        ingest_events(forum.store, EVENTS)
        ok(rsvp(forum, "ada", LUNCH["id"]), 201)
        ok(rsvp(forum, "ada", LUNCH["id"]), 200)  # again: the same RSVP, recorded once
        ok(forum.send("POST", f"/events/occurrences/{SOON['id']}/check-in", "alan"), 201)
        delivered = asyncio.run(deliver_statements(forum.store, forum.settings.xapi))
        assert (delivered.sent, delivered.rejected) == (2, 0)
        [registered] = ralph.statements(activity=LUNCH["url"])
        assert registered["verb"]["id"] == "http://adlnet.gov/expapi/verbs/registered"
        assert registered["object"]["definition"]["name"] == {"en": "Lunch"}
        assert registered["context"]["contextActivities"]["parent"][0]["id"] == LUNCH["url"].split("#")[0]
        [attended] = ralph.statements(activity=SOON["url"])
        assert attended["verb"]["id"] == "http://adlnet.gov/expapi/verbs/attended"
