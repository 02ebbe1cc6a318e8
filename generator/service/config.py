"""The community service's settings: environment variables over a `.env` file, read once; secrets print as
stars. Push settings are PRACTICA_PUSH_*, identity PRACTICA_AUTH_*, how long personal data is kept
PRACTICA_RETAIN_*, conversations PRACTICA_TALK_* (and PRACTICA_ADMINS, PRACTICA_PREMODERATE,
PRACTICA_PUBLIC_DISCUSSIONS, PRACTICA_ERASE_POSTS); PRACTICA_TRUSTED_PROXIES serves them all."""

from __future__ import annotations

import datetime as dt
import difflib
import ipaddress
import logging
import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

from ..errors import ConfigError
from .models import LOCK_SCREENS, ErasePosts, LockScreen

log = logging.getLogger("practica.push")
PREFIX = "PRACTICA_"
# Unknown names in these groups get a did-you-mean warning.
GROUPS = ("PRACTICA_PUSH_", "PRACTICA_AUTH_", "PRACTICA_RETAIN_", "PRACTICA_TALK_", "PRACTICA_SMTP_", "PRACTICA_XAPI_")
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
Network = ipaddress.IPv4Network | ipaddress.IPv6Network


class Secret:
    """A string that shows as `**********` in repr, str, logs and tracebacks; `reveal()` gives the value."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return "Secret('**********')"

    def __str__(self) -> str:
        return "**********"


@dataclass(frozen=True)
class Setting:
    """One environment variable: its name without the prefix, default (None: required when used), meaning."""

    name: str
    default: str | None
    help: str

    @property
    def env(self) -> str:
        return PREFIX + self.name


SETTINGS = (
    Setting("PUSH_DB", "push-data/push.sqlite3", "SQLite database file (created, with its folder, on first use)."),
    Setting("PUSH_VAPID_PRIVATE_KEY", None, "VAPID private key: a PEM file's path, PEM text, or raw base64url. "
            "Needed by serve and send. Never logged."),
    Setting("PUSH_VAPID_SUBJECT", None, "Contact for push services: `mailto:you@example.org` or an https URL. "
            "Needed by serve and send."),
    Setting("PUSH_SITE_ORIGIN", "", "Origins allowed by CORS, comma-separated (e.g. `https://learn.example.org`)."),
    Setting("PUSH_ALLOW_HOSTS", "", "Extra push-service hosts: `host` allows https on it and its subdomains; "
            "`scheme://host:port` allows exactly that origin (tests use `http://127.0.0.1:PORT`)."),
    Setting("PUSH_ADMIN_TOKEN", "", "Bearer token for /api/v1/admin/*; empty disables the admin API. Never logged."),
    Setting("PUSH_FEED", "", "The site's feed.json (URL or path) for `serve --poll-feed`, admin ingest and ingest."),
    Setting("PUSH_POLL_EVERY", "5m", "How often serve polls the feed and delivers (e.g. 30s, 5m, 1h)."),
    Setting("PUSH_TTL", "86400", "Seconds a push service keeps an undelivered message (TTL header)."),
    Setting("PUSH_MAX_ATTEMPTS", "5", "Attempts per notification on 429/5xx/network errors before giving up."),
    Setting("PUSH_BACKOFF", "30s", "First retry delay; doubles per attempt (capped at 6h) unless Retry-After says."),
    Setting("PUSH_CONCURRENCY", "32", "Requests in flight at once (one shared HTTP session)."),
    Setting("PUSH_TIMEOUT", "10s", "Total time allowed for one push request."),
    Setting("PUSH_CLAIM_LEASE", "2m", "How long a sender's claim on a notification or mail holds without renewal: "
            "with several instances on PostgreSQL, another takes over a stopped instance's claims after it."),
    Setting("PUSH_DAILY_CAP", "3", "Most notifications per subscriber per local day (0: no cap); "
            "more matches wait for the next day's digest time."),
    Setting("PUSH_DIGEST_TIME", "09:00", "Local time (HH:MM) daily and weekly digests are delivered."),
    Setting("PUSH_DIGEST_WEEKDAY", "mon", "Weekday weekly digests are delivered (mon…sun)."),
    Setting("PUSH_VAPID_EXPIRY", "12h", "Life of a signed VAPID token (at most 24h); it is re-signed before it ends."),
    Setting("PUSH_RATE_LIMIT", "30/10m", "Create/update/test requests, and changes to a reader's own data (linking "
            "a device, preferences, erasure), allowed per client per window."),
    Setting("PUSH_FEEDBACK_RATE_LIMIT", "60/10m", "Feedback posts (votes and comments) allowed per client per window."),
    Setting("PUSH_MAX_BODY", "8192", "Largest request body in bytes."),
    Setting("PUSH_LOCK_SCREEN", "full", "What a notification shows unless its device or person chose: `full` "
            "(titles, summaries, names) or `private` (only \"Something new in <community>\" under the site's title)."),
    Setting("RETAIN_NOTIFICATIONS", "30d", "How long sent and failed notifications are kept after their last "
            "attempt (e.g. 30d)."),
    Setting("RETAIN_FEEDBACK", "365d", "How long readers' votes and comments are kept, counted from their day."),
    Setting("RETAIN_PEOPLE", "730d", "How long a person who has not been seen (no signed-in call) is kept; then "
            "they are erased with their linked devices, as DELETE /api/v1/me does."),
    Setting("RETAIN_POSTS", "1825d", "How long a discussion is kept after its last post; then the thread goes with "
            "its posts, marks and flags."),
    Setting("RETAIN_MODERATION", "730d", "How long moderation log entries (who hid, noted, pinned, approved) are "
            "kept."),
    Setting("RETAIN_FLAGS", "180d", "How long a resolved flag is kept after it was resolved."),
    Setting("SMTP_HOST", "", "Mail server for reminders by email (a person's `email` choice); empty: no email."),
    Setting("SMTP_PORT", "587", "Its port."),
    Setting("SMTP_FROM", "", "The From address of reminder mail, e.g. `Practica <learning@example.org>`."),
    Setting("SMTP_USER", "", "Login for the mail server; empty: none."),
    Setting("SMTP_PASSWORD", "", "Its password. Never logged."),
    Setting("SMTP_STARTTLS", "true", "Upgrade the connection with STARTTLS before logging in (true or false)."),
    Setting("SMTP_SERVICE_URL", "", "The service's public URL (e.g. https://community.example.org), for the one-click "
            "unsubscribe link every mail carries."),
    Setting("SMTP_SECRET", "", "Key that signs unsubscribe links (HMAC-SHA256; 32+ random characters). Never logged."),
    Setting("RETAIN_RECORDS", "30d", "How long learning records the LRS took or rejected are kept here (the LRS keeps "
            "its own copy): rejected ones for an admin to see, sent ones for `push export-learning`'s figures."),
    Setting("EVENT_REMINDERS", "1d,15m", "When people who RSVP'd to an event are reminded by push, before its "
            "start: comma-separated durations (e.g. `1d,15m`), or `off`."),
    Setting("RETAIN_RSVPS", "365d", "How long an RSVP (\"I'll join\") is kept after its event date ended."),
    Setting("RETAIN_ATTENDANCE", "365d", "How long a check-in (\"I'm here\") is kept after it was made."),
    Setting("RETAIN_ACTIVITY", "180d", "How long a reminder of activity (the bell) is kept after it was recorded."),
    Setting("ADMINS", "", "Site admins, as comma-separated emails or sign-in subjects: they moderate every "
            "community and read the moderation log."),
    Setting("PREMODERATE", "", "Communities (comma-separated topic ids, or `*` for all) where a person's first "
            "post is held until a steward approves it."),
    Setting("PUBLIC_DISCUSSIONS", "false", "`true`: readers who are not signed in may read discussions (never "
            "write); `false`: reading needs a sign-in too."),
    Setting("ERASE_POSTS", "anonymise", "What erasing a person does to their posts: `anonymise` (kept, shown by "
            "\"a former colleague\") or `remove` (their text deleted; a post others replied to keeps its place)."),
    Setting("TALK_RATE_LIMIT", "20/1h", "New posts and edits allowed per signed-in reader per window (counted "
            "in the database, so every instance shares them)."),
    Setting("TALK_THREAD_RATE_LIMIT", "5/1h", "New board threads allowed per signed-in reader per window."),
    Setting("TALK_FLAG_RATE_LIMIT", "20/1d", "Flags allowed per signed-in reader per window."),
    Setting("TALK_MARK_RATE_LIMIT", "120/1h", "\"This helped\" marks (given or taken back) allowed per signed-in "
            "reader per window."),
    Setting("TALK_ASK_CAP", "3", "Most asked questions routed to one expert per UTC day (0: no cap); an expert at "
            "the cap is skipped and the next in the ranking takes their place."),
    Setting("AUTH_MODE", "none", "How the service knows who a reader is: `jwt` (a signed assertion from the SSO "
            "proxy), `header` (an email header from a trusted proxy), `demo` (pick a demo person; loopback only) "
            "or `none`."),
    Setting("AUTH_JWT_HEADER", "", "jwt: the header carrying the signed assertion, e.g. `Cf-Access-Jwt-Assertion`."),
    Setting("AUTH_JWKS", "", "jwt: the identity provider's public keys (JWKS) as an https URL or a file path."),
    Setting("AUTH_ISSUER", "", "jwt: the `iss` a token must have (e.g. `https://team.cloudflareaccess.com`)."),
    Setting("AUTH_AUDIENCE", "", "jwt: the `aud` a token must carry (comma-separated: any of them)."),
    Setting("AUTH_ALGORITHMS", "RS256,ES256", "jwt: signature algorithms accepted (asymmetric only)."),
    Setting("AUTH_LEEWAY", "60s", "jwt: clock skew allowed on `exp`, `nbf` and `iat` (at most 5m)."),
    Setting("AUTH_JWKS_CACHE", "1h", "jwt: how long fetched keys are used before they are fetched again; a token "
            "signed by an unknown key fetches them at once (at most every 30 s)."),
    Setting("AUTH_EMAIL_CLAIM", "email", "jwt: the claim holding the email."),
    Setting("AUTH_NAME_CLAIM", "name", "jwt: the claim holding the display name (optional in tokens)."),
    Setting("AUTH_HEADER", "", "header: the header holding the signed-in email, e.g. `X-Forwarded-Email`; "
            "believed only from PRACTICA_TRUSTED_PROXIES."),
    Setting("AUTH_SUBJECT_HEADER", "", "header: the header holding the SSO's stable user id, e.g. "
            "`X-Forwarded-User`; empty: the email is the key."),
    Setting("AUTH_NAME_HEADER", "", "header: the header holding the display name, e.g. "
            "`X-Forwarded-Preferred-Username` (optional)."),
    Setting("XAPI_ENDPOINT", "", "Learning records: the Learning Record Store's xAPI base URL (e.g. "
            "`https://lrs.example.org/xAPI/`); empty: nothing is recorded and the site shows nothing about it."),
    Setting("XAPI_USERNAME", "", "Learning records: the LRS's HTTP Basic user (its key)."),
    Setting("XAPI_PASSWORD", "", "Learning records: the LRS's HTTP Basic password (its secret). Never logged, never "
            "sent to browsers."),
    Setting("XAPI_LEVEL", "aggregate", "Learning records: `aggregate` (the actor is a pseudonymous key per person, "
            "deleted with them; no fine-grained events) or `person` (the signed-in person as an xAPI account; video "
            "seeks and answers' responses too). Document the lawful basis you rely on (DATA.md)."),
    Setting("XAPI_HOMEPAGE", "", "Learning records, `person` level: the SSO's URL, the account's `homePage` "
            "(e.g. `https://sso.example.org`)."),
    Setting("TRUSTED_PROXIES", "", "Reverse proxies whose X-Forwarded-For is believed, as comma-separated "
            "CIDRs (e.g. `127.0.0.1/32, 10.0.0.0/8`); empty: the socket's peer is the client. The same proxies "
            "are the only ones whose identity header (AUTH_MODE=header) is believed."),
)
KNOWN = {s.env: s for s in SETTINGS}


def env_name(name: str) -> str:
    """The variable a setting is read from: `TRUSTED_PROXIES` and `AUTH_MODE` as given, push settings under
    PRACTICA_PUSH_ (`DB` → PRACTICA_PUSH_DB)."""
    return PREFIX + name if PREFIX + name in KNOWN else PREFIX + "PUSH_" + name


AUTH_MODES = ("none", "jwt", "header", "demo")
SAFE_ALGORITHMS = ("RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA")


@dataclass(frozen=True)
class AuthSettings:
    """How readers are identified (AUTH_MODE and the settings of that mode)."""

    mode: str = "none"
    jwt_header: str = ""
    jwks: str = ""
    issuer: str = ""
    audience: tuple[str, ...] = ()
    algorithms: tuple[str, ...] = ("RS256", "ES256")
    leeway: float = 60
    jwks_cache: float = 3600
    email_claim: str = "email"
    name_claim: str = "name"
    header: str = ""
    subject_header: str = ""
    name_header: str = ""


@dataclass(frozen=True)
class Retention:
    """How long each kind of stored data is kept (PRACTICA_RETAIN_*); `privacy.retention.purge` enforces it."""

    notifications: dt.timedelta = dt.timedelta(days=30)
    feedback: dt.timedelta = dt.timedelta(days=365)
    people: dt.timedelta = dt.timedelta(days=730)
    posts: dt.timedelta = dt.timedelta(days=1825)
    moderation: dt.timedelta = dt.timedelta(days=730)
    flags: dt.timedelta = dt.timedelta(days=180)
    activity: dt.timedelta = dt.timedelta(days=180)
    records: dt.timedelta = dt.timedelta(days=30)
    rsvps: dt.timedelta = dt.timedelta(days=365)
    attendance: dt.timedelta = dt.timedelta(days=365)


Rate = tuple[int, float]  # calls per window of seconds


@dataclass(frozen=True)
class TalkSettings:
    """Who moderates, what is held, who may read, what erasure does to posts, and the per-reader limits."""

    admins: frozenset[str] = frozenset()  # emails (matched ignoring case) and subjects (matched exactly)
    premoderate: frozenset[str] = frozenset()  # community ids; "*" means every community
    public: bool = False
    erase_posts: ErasePosts = "anonymise"
    posts: Rate = (20, 3600.0)
    threads: Rate = (5, 3600.0)
    flags: Rate = (20, 86400.0)
    marks: Rate = (120, 3600.0)
    ask_cap: int = 3  # questions routed to one expert per UTC day; 0: no cap


@dataclass(frozen=True)
class EmailSettings:
    """Reminders by email (PRACTICA_SMTP_*): off unless `host` is set."""

    host: str = ""
    port: int = 587
    sender: str = ""
    user: str = ""
    password: Secret | None = None
    starttls: bool = True
    service_url: str = ""
    secret: Secret | None = None


def database(value: str) -> Path | str:
    """PRACTICA_PUSH_DB / --db: a `postgresql://` URL as it is (several instances share one database), else
    the path of an SQLite file."""
    if re.match(r"postgres(ql)?://", value):
        return value
    return Path(value)


XAPI_LEVELS = ("aggregate", "person")


@dataclass(frozen=True)
class XapiSettings:
    """Learning records (PRACTICA_XAPI_*): off unless `endpoint` is set."""

    endpoint: str = ""
    username: str = ""
    password: Secret | None = None
    level: str = "aggregate"
    homepage: str = ""

    @property
    def on(self) -> bool:
        return bool(self.endpoint)


@dataclass(frozen=True)
class ServiceSettings:
    """Every push-service setting, parsed and checked. Build with `load_settings`."""

    db: Path | str  # an SQLite file, or a postgresql:// URL (`database`)
    vapid_private_key: Secret | None
    vapid_subject: str | None
    site_origins: tuple[str, ...]
    allow_hosts: tuple[str, ...]
    admin_token: Secret | None
    feed: str | None
    poll_every: float
    ttl: int
    max_attempts: int
    backoff: float
    concurrency: int
    timeout: float
    claim_lease: float
    daily_cap: int
    digest_time: dt.time
    digest_weekday: int
    vapid_expiry: float
    rate_limit: tuple[int, float]
    max_body: int
    feedback_rate_limit: tuple[int, float]
    trusted_proxies: tuple[Network, ...]
    auth: AuthSettings = AuthSettings()
    lock_screen: LockScreen = "full"
    retention: Retention = Retention()
    talk: TalkSettings = TalkSettings()
    email: EmailSettings = EmailSettings()
    xapi: XapiSettings = XapiSettings()
    event_reminders: tuple[dt.timedelta, ...] = (dt.timedelta(days=1), dt.timedelta(minutes=15))

    def vapid(self) -> tuple[Secret, str]:
        """The VAPID key and subject, or a ConfigError naming what is missing."""
        if self.vapid_private_key is None:
            raise _missing("VAPID_PRIVATE_KEY", "run `practica push keys` and set it to the private key file")
        if self.vapid_subject is None:
            raise _missing("VAPID_SUBJECT", "set it to a real contact, e.g. mailto:learning@example.org")
        return self.vapid_private_key, self.vapid_subject


def load_settings(environ: Mapping[str, str] | None = None, env_file: Path | None = Path(".env")) -> ServiceSettings:
    """Settings from `environ` (default os.environ) over `env_file`; a ConfigError names any bad value."""
    raw = {**read_env_file(env_file), **(os.environ if environ is None else environ)}
    values = {k: v for k, v in raw.items() if k.startswith(PREFIX)}
    for name in sorted(n for n in set(values) - set(KNOWN) if n.startswith(GROUPS)):
        hint = difflib.get_close_matches(name, KNOWN, n=1)
        log.warning("Unknown setting '%s'%s", name, f" (did you mean {hint[0]}?)" if hint else "")

    def get(name: str) -> str:
        setting = KNOWN[env_name(name)]
        return values.get(setting.env, setting.default or "").strip()

    return ServiceSettings(
        db=database(get("DB")),
        vapid_private_key=Secret(get("VAPID_PRIVATE_KEY")) if get("VAPID_PRIVATE_KEY") else None,
        vapid_subject=_subject(get("VAPID_SUBJECT")) if get("VAPID_SUBJECT") else None,
        site_origins=_origins(get("SITE_ORIGIN")), allow_hosts=_split(get("ALLOW_HOSTS")),
        admin_token=Secret(get("ADMIN_TOKEN")) if get("ADMIN_TOKEN") else None, feed=get("FEED") or None,
        poll_every=_duration("POLL_EVERY", get("POLL_EVERY"), 1), ttl=_int("TTL", get("TTL"), 0, 2419200),
        max_attempts=_int("MAX_ATTEMPTS", get("MAX_ATTEMPTS"), 1, 100),
        backoff=_duration("BACKOFF", get("BACKOFF"), 1), concurrency=_int("CONCURRENCY", get("CONCURRENCY"), 1, 1000),
        timeout=_duration("TIMEOUT", get("TIMEOUT"), 1),
        claim_lease=_duration("CLAIM_LEASE", get("CLAIM_LEASE"), 1),
        daily_cap=_int("DAILY_CAP", get("DAILY_CAP"), 0, 1000),
        digest_time=_clock("DIGEST_TIME", get("DIGEST_TIME")), digest_weekday=_weekday(get("DIGEST_WEEKDAY")),
        vapid_expiry=_expiry(get("VAPID_EXPIRY")), rate_limit=_rate(get("RATE_LIMIT")),
        max_body=_int("MAX_BODY", get("MAX_BODY"), 256, 1_000_000),
        feedback_rate_limit=_rate(get("FEEDBACK_RATE_LIMIT"), "FEEDBACK_RATE_LIMIT"),
        trusted_proxies=_networks(get("TRUSTED_PROXIES")), auth=_auth(get),
        lock_screen=_lock_screen(get("LOCK_SCREEN")), retention=_retention(get), talk=_talk(get),
        email=_email(get), xapi=_xapi(get), event_reminders=_reminders(get("EVENT_REMINDERS")),
    )


def _xapi(get: Callable[[str], str]) -> XapiSettings:
    """The XAPI_* settings: an http(s) endpoint with its credentials, a known level (person needs a homepage)."""
    endpoint, level = get("XAPI_ENDPOINT"), get("XAPI_LEVEL").lower() or "aggregate"
    if level not in XAPI_LEVELS:
        raise _bad("XAPI_LEVEL", level, "aggregate or person")
    if not endpoint:
        return XapiSettings(level=level)
    if not re.fullmatch(r"https?://[^\s/?#]+(/[^\s?#]*)?", endpoint):
        raise _bad("XAPI_ENDPOINT", endpoint, "the LRS's xAPI base URL, e.g. https://lrs.example.org/xAPI/")
    for name in ("XAPI_USERNAME", "XAPI_PASSWORD"):
        if not get(name):
            raise _missing(name, "the LRS's Basic credentials are needed once PRACTICA_XAPI_ENDPOINT is set")
    homepage = get("XAPI_HOMEPAGE").rstrip("/")
    if level == "person" and not re.fullmatch(r"https?://\S+", homepage):
        raise _missing("XAPI_HOMEPAGE", "XAPI_LEVEL=person needs it: set it to your SSO's URL (the account's "
                       "homePage)")
    return XapiSettings(endpoint.rstrip("/") + "/", get("XAPI_USERNAME"), Secret(get("XAPI_PASSWORD")), level,
                        homepage)


def _reminders(text: str) -> tuple[dt.timedelta, ...]:
    """PRACTICA_EVENT_REMINDERS: durations before an event's start, longest first; `off` (or empty): none."""
    if text.lower() in ("", "off"):
        return ()
    found = set()
    for part in _split(text):
        seconds = _duration("EVENT_REMINDERS", part, 60)
        if seconds > 30 * 86400:
            raise _bad("EVENT_REMINDERS", part, "durations of at most 30d before the event, e.g. 1d,15m")
        found.add(dt.timedelta(seconds=seconds))
    return tuple(sorted(found, reverse=True))


def _email(get: Callable[[str], str]) -> EmailSettings:
    """The SMTP settings; with a host, From, the service's URL and a signing key are required."""
    host = get("SMTP_HOST")
    starttls = get("SMTP_STARTTLS").lower()
    if starttls not in ("true", "false"):
        raise _bad("SMTP_STARTTLS", starttls, "true or false")
    if host:
        for name in ("SMTP_FROM", "SMTP_SERVICE_URL", "SMTP_SECRET"):
            if not get(name):
                raise _missing(name, "email needs it once PRACTICA_SMTP_HOST is set")
    if get("SMTP_SECRET") and len(get("SMTP_SECRET")) < 32:
        raise _bad("SMTP_SECRET", "**********", "at least 32 random characters")
    secret = Secret(get("SMTP_SECRET")) if get("SMTP_SECRET") else None
    return EmailSettings(host, _int("SMTP_PORT", get("SMTP_PORT"), 1, 65535), get("SMTP_FROM"), get("SMTP_USER"),
                         Secret(get("SMTP_PASSWORD")) if get("SMTP_PASSWORD") else None, starttls == "true",
                         get("SMTP_SERVICE_URL").rstrip("/"), secret)


def _lock_screen(text: str) -> LockScreen:
    for choice in LOCK_SCREENS:
        if text.lower() == choice:
            return choice
    raise _bad("LOCK_SCREEN", text, "full or private")


def _retention(get: Callable[[str], str]) -> Retention:
    """The RETAIN_* settings: durations of at least a day (the data they govern is dated by the day)."""
    def days(name: str) -> dt.timedelta:
        seconds = _duration(name, get(name), 0)
        if seconds < 86400:
            raise _bad(name, get(name), "a duration of at least a day, e.g. 30d or 730d")
        return dt.timedelta(seconds=seconds)
    return Retention(days("RETAIN_NOTIFICATIONS"), days("RETAIN_FEEDBACK"), days("RETAIN_PEOPLE"),
                     days("RETAIN_POSTS"), days("RETAIN_MODERATION"), days("RETAIN_FLAGS"),
                     days("RETAIN_ACTIVITY"), days("RETAIN_RECORDS"), days("RETAIN_RSVPS"),
                     days("RETAIN_ATTENDANCE"))


def _talk(get: Callable[[str], str]) -> TalkSettings:
    """The conversation settings: roles, pre-moderation, public reading, erasure of posts, limits."""
    public = get("PUBLIC_DISCUSSIONS").lower()
    if public not in ("true", "false", ""):
        raise _bad("PUBLIC_DISCUSSIONS", public, "true or false")
    erase = get("ERASE_POSTS").lower()
    if erase not in ("anonymise", "remove"):
        raise _bad("ERASE_POSTS", erase, "anonymise or remove")
    premoderate = _split(get("PREMODERATE"))
    for community in premoderate:
        if community != "*" and not re.fullmatch(r"[a-z0-9][a-z0-9_.-]*", community):
            raise _bad("PREMODERATE", community, "community (topic) ids, comma-separated, or *")
    return TalkSettings(admins=frozenset(_split(get("ADMINS"))),
                        premoderate=frozenset(premoderate), public=public == "true",
                        erase_posts="remove" if erase == "remove" else "anonymise",
                        posts=_rate(get("TALK_RATE_LIMIT"), "TALK_RATE_LIMIT"),
                        threads=_rate(get("TALK_THREAD_RATE_LIMIT"), "TALK_THREAD_RATE_LIMIT"),
                        flags=_rate(get("TALK_FLAG_RATE_LIMIT"), "TALK_FLAG_RATE_LIMIT"),
                        marks=_rate(get("TALK_MARK_RATE_LIMIT"), "TALK_MARK_RATE_LIMIT"),
                        ask_cap=_int("TALK_ASK_CAP", get("TALK_ASK_CAP"), 0, 1000))


def _auth(get: Callable[[str], str]) -> AuthSettings:
    """The AUTH_* settings, checked together: each mode names what it is missing."""
    mode = get("AUTH_MODE").lower() or "none"
    if mode not in AUTH_MODES:
        raise _bad("AUTH_MODE", mode, "one of " + ", ".join(AUTH_MODES))
    algorithms = tuple(a.strip() for a in _split(get("AUTH_ALGORITHMS")))
    unsafe = [a for a in algorithms if a not in SAFE_ALGORITHMS]
    if unsafe or not algorithms:
        raise _bad("AUTH_ALGORITHMS", get("AUTH_ALGORITHMS"), "asymmetric algorithms only ("
                   + ", ".join(SAFE_ALGORITHMS) + "); never none or HS*")
    leeway = _duration("AUTH_LEEWAY", get("AUTH_LEEWAY"), 0)
    if leeway > 300:
        raise _bad("AUTH_LEEWAY", get("AUTH_LEEWAY"), "at most 5m of clock skew")
    auth = AuthSettings(
        mode=mode, jwt_header=get("AUTH_JWT_HEADER"), jwks=get("AUTH_JWKS"), issuer=get("AUTH_ISSUER"),
        audience=_split(get("AUTH_AUDIENCE")), algorithms=algorithms, leeway=leeway,
        jwks_cache=_duration("AUTH_JWKS_CACHE", get("AUTH_JWKS_CACHE"), 30),
        email_claim=get("AUTH_EMAIL_CLAIM") or "email", name_claim=get("AUTH_NAME_CLAIM") or "name",
        header=get("AUTH_HEADER"), subject_header=get("AUTH_SUBJECT_HEADER"), name_header=get("AUTH_NAME_HEADER"))
    needs = {"jwt": (("AUTH_JWT_HEADER", "the header your SSO proxy signs, e.g. Cf-Access-Jwt-Assertion"),
                     ("AUTH_JWKS", "your identity provider's JWKS URL (https) or a file with its keys"),
                     ("AUTH_ISSUER", "the issuer your proxy's tokens carry (their `iss` claim)"),
                     ("AUTH_AUDIENCE", "the audience your proxy's tokens carry (their `aud` claim)")),
             "header": (("AUTH_HEADER", "the header your proxy sets to the signed-in email, e.g. X-Forwarded-Email"),
                        ("TRUSTED_PROXIES", "the proxy's address (CIDR): only it may set the identity header"))}
    for name, fix in needs.get(mode, ()):
        if not get(name):
            raise _missing(name, f"AUTH_MODE={mode} needs it: set it to {fix}")
    if auth.header.lower() == "authorization":
        raise _bad("AUTH_HEADER", "Authorization", "another header: Authorization carries a subscription's secret")
    if mode == "jwt" and auth.jwt_header.lower() == "authorization":
        raise _bad("AUTH_JWT_HEADER", auth.jwt_header, "a header other than Authorization, which carries a "
                   "subscription's secret here (with oauth2-proxy, use AUTH_MODE=header)")
    if mode == "jwt" and "://" in auth.jwks and not re.match(r"https://|http://(127\.0\.0\.1|localhost|\[::1\])[:/]",
                                                          auth.jwks):
        raise _bad("AUTH_JWKS", auth.jwks, "an https URL (or a file path)")
    return auth


def read_env_file(path: Path | None) -> dict[str, str]:
    """KEY=VALUE lines of a `.env` file (comments, blank lines, `export` and quotes allowed); {} if absent."""
    if path is None or not path.is_file():
        return {}
    out = {}
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        key, sep, value = line.removeprefix("export ").partition("=")
        if not sep:
            raise ConfigError(f"{path}:{number}: expected KEY=VALUE")
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
            value = value[1:-1]
        out[key.strip()] = value
    return out


def parse_duration(text: str) -> float:
    """Seconds in `90`, `30s`, `5m`, `2h` or `1d`; ValueError otherwise."""
    match = re.fullmatch(r"(\d+(?:\.\d+)?)\s*([smhd]?)", text.strip().lower())
    if not match:
        raise ValueError(f"{text!r} is not a duration like 30s, 5m, 2h or 1d")
    return float(match[1]) * UNITS[match[2] or "s"]


def _missing(name: str, fix: str) -> ConfigError:
    return ConfigError(f"Config '{env_name(name)}' is missing, and has no default. To fix: {fix}.")


def _bad(name: str, value: str, expected: str) -> ConfigError:
    return ConfigError(f"Config '{env_name(name)}' has value {value!r}; expected {expected}.")


def _split(text: str) -> tuple[str, ...]:
    return tuple(part for part in re.split(r"[,\s]+", text) if part)


def _int(name: str, text: str, lo: int, hi: int) -> int:
    if not text.isdigit() or not lo <= int(text) <= hi:
        raise _bad(name, text, f"a whole number from {lo} to {hi}")
    return int(text)


def _duration(name: str, text: str, minimum: float) -> float:
    try:
        seconds = parse_duration(text)
    except ValueError:
        raise _bad(name, text, "a duration like 30s, 5m, 2h or 1d") from None
    if seconds < minimum:
        raise _bad(name, text, f"at least {minimum:g} seconds")
    return seconds


def _clock(name: str, text: str) -> dt.time:
    try:
        return parse_clock(text)
    except ValueError:
        raise _bad(name, text, "a local time as HH:MM, e.g. 09:00") from None


def parse_clock(text: str) -> dt.time:
    """`HH:MM` (24-hour) as a time; ValueError otherwise."""
    if not re.fullmatch(r"\d\d:\d\d", text):
        raise ValueError(f"{text!r} is not HH:MM")
    return dt.time(int(text[:2]), int(text[3:]))


def _weekday(text: str) -> int:
    if text.lower()[:3] not in WEEKDAYS:
        raise _bad("DIGEST_WEEKDAY", text, "a weekday: " + ", ".join(WEEKDAYS))
    return WEEKDAYS.index(text.lower()[:3])


def _expiry(text: str) -> float:
    seconds = _duration("VAPID_EXPIRY", text, 600)
    if seconds > 86400:
        raise _bad("VAPID_EXPIRY", text, "at most 24h (RFC 8292)")
    return seconds


def _rate(text: str, name: str = "RATE_LIMIT") -> tuple[int, float]:
    count, _, window = text.partition("/")
    if not count.isdigit() or int(count) < 1:
        raise _bad(name, text, "requests/window, e.g. 30/10m")
    return int(count), _duration(name, window or "1m", 1)


def _networks(text: str) -> tuple[Network, ...]:
    out = []
    for part in _split(text):
        try:
            out.append(ipaddress.ip_network(part, strict=True))
        except ValueError:
            raise _bad("TRUSTED_PROXIES", part, "IP networks like 127.0.0.1/32 or 10.0.0.0/8 (host bits zero), "
                       "comma-separated") from None
    return tuple(out)


def _subject(text: str) -> str:
    if re.fullmatch(r"mailto:[^@\s]+@[^@\s]+\.[^@\s]+", text) or re.fullmatch(r"https://[^/\s]+\.[^/\s]+(/\S*)?", text):
        return text
    raise _bad("VAPID_SUBJECT", text, "a real contact: mailto:you@example.org or https://example.org/contact")


def _origins(text: str) -> tuple[str, ...]:
    for origin in _split(text):
        if not re.fullmatch(r"https?://[A-Za-z0-9.\-\[\]:]+/?", origin):
            raise _bad("SITE_ORIGIN", origin, "origins like https://learn.example.org (scheme and host, no path)")
    return tuple(o.rstrip("/") for o in _split(text))
