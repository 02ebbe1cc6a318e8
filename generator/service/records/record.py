"""`record`: the one function the rest of the service calls to record a learning event as an xAPI statement. It
puts the statement, frozen, in the outbox (`xapi_statements`); `sender.deliver_statements` sends it later."""

from __future__ import annotations

import datetime as dt
import json

from ..config import XapiSettings
from ..identity.principal import Principal
from ..privacy import people
from ..store.base import Store
from .statements import Json, Target, account_actor, statement
from .vocab import FINE_GRAINED, Verb


def record(store: Store, xapi: XapiSettings, principal: Principal, verb: Verb, target: Target, *, attempt: str,
           at: dt.datetime, result: Json | None = None, extensions: Json | None = None,
           parents: tuple[Target, ...] = (), grouping: tuple[Target, ...] = (), video: bool = False) -> str | None:
    """Queue "`principal` `verb` `target`" (attempt key `attempt`, see `attempts`); the statement's id, or None when
    learning records are off, the level leaves this out (fine-grained events at `aggregate`), or the same
    statement was recorded before."""
    if not xapi.on or (xapi.level == "aggregate" and verb in FINE_GRAINED):
        return None
    people.remember(store, principal, at)  # the statements and the pseudonym go with the person when erased
    found = store.feed_state()
    language = found.state.language if found else "en"
    actor = actor_for(store, xapi, principal, found.state.site_url if found else xapi.endpoint, at)
    if xapi.level == "aggregate" and result:  # what a reader answered is not needed for the figures
        result = {k: v for k, v in result.items() if k != "response"}
    made = statement(actor, verb, target, language, at, attempt=attempt, result=result, extensions=extensions,
                     parents=parents, grouping=grouping, video=video)
    queued = store.queue_statement(made["id"], principal.subject, verb, target.id, json.dumps(made), at)
    return made["id"] if queued else None


def actor_for(store: Store, xapi: XapiSettings, principal: Principal, site_url: str, at: dt.datetime) -> Json:
    """`person`: the signed-in person's account at the SSO, named by their stable identity key. `aggregate`: an
    account on the site named by the person's pseudonym (`people.pseudonym`), deleted with them (then nothing
    links the LRS's statements to them)."""
    if xapi.level == "person":
        return account_actor(xapi.homepage, principal.subject)
    return account_actor(site_url, store.actor_key(principal.subject) or "")


def attempts(verb: str, at: dt.datetime, visit: str = "") -> str:
    """The attempt key of the issue's design: one `experienced` per person, item and UTC day; one `completed` per
    person and item; one `answered` or `attempted` per question or check and page visit; otherwise the visit."""
    if verb == "experienced":
        return at.astimezone(dt.UTC).date().isoformat()
    if verb == "completed":
        return "once"
    return visit
