"""The API's request and response bodies (pydantic), and their conversion to the service's values."""

from __future__ import annotations

import functools
import zoneinfo
from collections.abc import Callable
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator
from pydantic_core import PydanticCustomError

from ..config import parse_clock
from ..models import Frequency, ItemType, LockScreen, Preferences, QuietHours, Subscription
from ..security import Refused, check_auth, check_p256dh

MAX_FOLLOWS = 200


def _key(check: Callable[[str], str]) -> AfterValidator:
    def validate(value: str) -> str:
        try:
            return check(value)
        except Refused as exc:
            raise PydanticCustomError(exc.code, str(exc)) from None
    return AfterValidator(validate)


@functools.cache
def _zones() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones()) | {"UTC"}


def _timezone(value: str) -> str:
    if value not in _zones():
        raise PydanticCustomError("invalid_timezone", f"{value[:60]!r} is not an IANA time zone such as Europe/Berlin")
    return value


def _clock(value: str) -> str:
    try:
        parse_clock(value)
    except ValueError:
        raise PydanticCustomError("invalid_time", f"{value[:20]!r} is not a time as HH:MM (00:00–23:59)") from None
    return value


Slug = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9_.-]{0,99}$")]
Clock = Annotated[str, AfterValidator(_clock), Field(examples=["22:00"])]
TimeZone = Annotated[str, AfterValidator(_timezone), Field(examples=["Europe/Berlin"])]


class Keys(BaseModel):
    """The subscription's keys, as `PushSubscription.toJSON()` gives them (base64url)."""

    model_config = ConfigDict(extra="forbid")
    p256dh: Annotated[str, Field(max_length=200), _key(check_p256dh)]
    auth: Annotated[str, Field(max_length=100), _key(check_auth)]


class QuietHoursBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    start: Clock
    end: Clock

    @model_validator(mode="after")
    def _not_empty(self) -> QuietHoursBody:
        if self.start == self.end:
            raise PydanticCustomError("invalid_time", "quiet hours must start and end at different times")
        return self


class PreferencesBody(BaseModel):
    """What to be notified about, and when. Following no topic and no person means everything."""

    model_config = ConfigDict(extra="forbid")
    topics: list[Slug] = Field(default_factory=list, max_length=MAX_FOLLOWS, description="Topic ids from the feed.")
    people: list[Slug] = Field(default_factory=list, max_length=MAX_FOLLOWS, description="Person ids from the feed.")
    types: list[ItemType] = Field(default_factory=list, description="Only these types; empty means all.")
    frequency: Frequency = "immediate"
    quiet_hours: QuietHoursBody | None = None
    timezone: TimeZone = "UTC"
    lock_screen: LockScreen | None = Field(None, description="On this device: `full` (titles and names) or "
                                           "`private` (\"Something new in …\" only); null: the signed-in person's "
                                           "choice, else the deployment's default.")

    def value(self) -> Preferences:
        quiet = self.quiet_hours and QuietHours(parse_clock(self.quiet_hours.start), parse_clock(self.quiet_hours.end))
        return Preferences(tuple(dict.fromkeys(self.topics)), tuple(dict.fromkeys(self.people)),
                           tuple(dict.fromkeys(self.types)), self.frequency, quiet or None, self.timezone,
                           self.lock_screen)

    @classmethod
    def of(cls, prefs: Preferences) -> PreferencesBody:
        quiet = prefs.quiet_hours
        return cls(topics=list(prefs.topics), people=list(prefs.people), types=list(prefs.types),
                   frequency=prefs.frequency, timezone=prefs.timezone, lock_screen=prefs.lock_screen,
                   quiet_hours=QuietHoursBody(start=quiet.start.strftime("%H:%M"), end=quiet.end.strftime("%H:%M"))
                   if quiet else None)


class SubscriptionBody(BaseModel):
    """A browser's `PushSubscription.toJSON()` plus preferences."""

    model_config = ConfigDict(extra="forbid")
    endpoint: str = Field(max_length=2048)
    expirationTime: int | None = Field(None, description="Ignored; the browser sends it under this name.")
    keys: Keys
    preferences: PreferencesBody = Field(default_factory=PreferencesBody)


class PreferencesUpdate(BaseModel):
    """New preferences for a subscription you hold."""

    model_config = ConfigDict(extra="forbid")
    preferences: PreferencesBody


class SubscriptionView(BaseModel):
    """A stored subscription as its holder may see it (never the keys)."""

    id: str = Field(description="Use in /subscriptions/{id}; a hash of the endpoint.")
    preferences: PreferencesBody
    created_at: str
    updated_at: str

    @classmethod
    def of(cls, sub: Subscription) -> SubscriptionView:
        return cls(id=sub.id, preferences=PreferencesBody.of(sub.preferences),
                   created_at=sub.created_at.isoformat(), updated_at=sub.updated_at.isoformat())


class PublicKey(BaseModel):
    public_key: str = Field(description="The VAPID public key, base64url: pass it as `applicationServerKey`.")


class Choice(BaseModel):
    id: str
    name: str
    url: str


class Options(BaseModel):
    """What a subscriber can choose from, per the last feed the service read."""

    topics: list[Choice]
    people: list[Choice]
    types: list[str]
    frequencies: list[str]


class Health(BaseModel):
    status: str = Field(examples=["ok"])
    version: str
    feed_ingested_at: str | None = Field(description="When the site's feed was last read; null if never.")
    learning_records: str | None = Field(None, description="The LRS as the last delivery found it: unknown, ok, "
                                         "unreachable or credentials_refused; null when learning records are off.")
    learning_records_problem: str | None = Field(None, description="What went wrong with the LRS, if anything.")


class TrialResult(BaseModel):
    status: str = Field(examples=["sent"])
    push_status: int = Field(description="The push service's HTTP status (201).")
