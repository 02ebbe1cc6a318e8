"""The commands behind `practica push …`: make keys, serve, ingest once, send once, export feedback, purge,
export or erase one person's data (a leaver), migrate the database, copy an installation to PostgreSQL.

Every command but `migrate` and `copy-store` opens the store with `_open`: SQLite is migrated on open,
PostgreSQL only checked (`store.backend.migrates_on_open`)."""

from __future__ import annotations

import asyncio
import ipaddress
import json
import logging
import signal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import ConfigError, PracticaError
from .config import ServiceSettings
from .mail.mailer import mail, mailer_for
from .models import Erased, iso, utcnow
from .privacy.export import personal_data
from .privacy.people import erase
from .privacy.retention import Purged, purge
from .push.feed import read_feed
from .push.ingest import IngestReport, ingest_source
from .push.schedule import Rules
from .push.sender import Report, Sender, deliver
from .push.vapid import VapidKey, write_keys
from .store.backend import migrate_database, migrates_on_open, open_store, redacted, unreachable, unreachable_in
from .store.base import Store
from .store.migrations import LATEST

# uvicorn and the API (FastAPI, ~1 s to import) are imported inside `serve` and `server_config`, and the
# feedback routes inside `export_feedback`, on purpose: `push send` and `push ingest` run from cron.
if TYPE_CHECKING:
    import uvicorn

log = logging.getLogger("practica.push")


def make_keys(folder: Path, force: bool = False) -> tuple[Path, Path, VapidKey]:
    """A new VAPID key pair in `folder` (private key mode 0600); the caller shows only the public key."""
    private, public, key = write_keys(folder, force)
    log.info("wrote the private key to %s (mode 0600; keep it secret, back it up)", private)
    return private, public, key


def serve(settings: ServiceSettings, host: str, port: int, feed: str | None, every: float) -> int:
    """Run the API on uvicorn; deliver every `every` seconds and, with a feed, poll it as often."""
    import uvicorn

    from .api.app import create_app

    settings.vapid()  # fail before binding the port, with the setting's name
    if settings.auth.mode == "demo" and not loopback(host):
        raise ConfigError(f"PRACTICA_AUTH_MODE=demo lets anyone say who they are, so the service listens only on a "
                          f"loopback address in that mode, not {host!r}: use --host 127.0.0.1, or set "
                          "PRACTICA_AUTH_MODE to jwt or header for a real deployment")
    store = _open(settings)
    app = create_app(settings, store, feed=feed, poll_every=every)
    log.info("push service on http://%s:%d/api/v1 (docs at /api/v1/docs); database %s; %s", host, port,
             redacted(settings.db), f"polling {feed} every {every:g} s" if feed else "no feed to poll")
    # uvicorn re-raises SIGTERM after its graceful shutdown, which would end the process before the store is
    # closed (SQLite's -wal left unmerged): make it a KeyboardInterrupt, as Ctrl-C already is.
    signal.signal(signal.SIGTERM, _interrupt)
    try:
        uvicorn.Server(server_config(app, host, port)).run()
    except KeyboardInterrupt:  # uvicorn re-raises Ctrl-C and SIGTERM after its graceful shutdown: a normal stop
        pass
    finally:
        store.close()
    # Said whether or not the interrupt came back: uvicorn re-raises it inside asyncio.run, whose own SIGINT
    # handler turns it into a cancellation, and now and then the server's task had already finished (a test saw
    # a clean exit without this line).
    log.info("push service stopped")
    return 0


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def server_config(app: Any, host: str, port: int, **extra: Any) -> uvicorn.Config:
    """How `serve` runs uvicorn (tests run the app the same way)."""
    import uvicorn

    # proxy_headers=False: uvicorn would believe X-Forwarded-For from 127.0.0.1 (its default), so anyone
    # going through a local proxy could pick their rate-limit bucket; PRACTICA_TRUSTED_PROXIES decides.
    options: dict[str, Any] = {"proxy_headers": False, "server_header": False, "access_log": False,
                               "log_level": "info"}
    return uvicorn.Config(app, host=host, port=port, **(options | extra))


def ingest_once(settings: ServiceSettings, feed: str) -> IngestReport:
    """Read `feed` and queue notifications for what is new."""
    store = _open(settings)
    try:
        report = ingest_source(store, feed, utcnow(), rules(settings))
    finally:
        store.close()
    log.info("%s", report)
    return report


def seed_demo(settings: ServiceSettings, feed: str) -> int:
    """Ingest `feed`, then write the demo discussions into a store that has none; how many threads were written."""
    from .talk.demo import seed
    from .talk.policy import Talk

    if settings.auth.mode != "demo":
        raise ConfigError("seed-demo writes posts as demo people: set PRACTICA_AUTH_MODE=demo")
    store = _open(settings)
    try:
        now = utcnow()
        ingest_source(store, feed, now, rules(settings))
        written = seed(Talk(store, settings.talk), read_feed(feed), now, rules(settings))
    finally:
        store.close()
    log.info("seed-demo: %s", f"{written} demo threads written" if written else "discussions exist; nothing written")
    return written


def send_once(settings: ServiceSettings) -> Report:
    """Deliver everything due now, as the only sender on the database."""
    settings.vapid()
    store = _open(settings)
    store.claim_lease = settings.claim_lease

    async def run() -> Report:
        async with Sender.from_settings(store, settings) as sender:
            report = await deliver(store, sender, utcnow())
        mailer = mailer_for(settings.email, rules(settings))
        if mailer is not None:
            report.mailed = (await mail(store, mailer, utcnow()))[1]
        if settings.xapi.on:  # learning records, for a deployment that sends from cron rather than `serve`
            from .records.sender import deliver_statements

            report.recorded = (await deliver_statements(store, settings.xapi, backoff=settings.backoff,
                                                        timeout=settings.timeout)).sent
        return report

    try:
        report = asyncio.run(run())
    except Exception as exc:
        lost = unreachable_in(exc)
        if lost is None:
            raise
        why = " ".join(str(lost).split())
        raise PracticaError(f"the database went away during the run ({type(lost).__name__}: {why}); "
                            "nothing is lost: run `practica push send` again once it is back (rows that were "
                            "in flight are sent again, shown once)") from None
    finally:
        _release(store)  # interrupted (Ctrl-C): unfinished claims go back at once; after a full run, none
        store.close()
    log.info("%s", report)
    return report


def _release(store: Store) -> None:
    """Give back this sender's unfinished claims; if the database is unreachable, their lease ends them."""
    try:
        store.release()
    except Exception as exc:
        if not unreachable(exc):
            raise
        log.warning("could not give back unfinished claims (the database is unreachable); they go back for "
                    "another sender when their lease (PRACTICA_PUSH_CLAIM_LEASE) ends")


def export_feedback(settings: ServiceSettings, out: Path | None) -> str:
    """Readers' feedback per page as JSON; also written to `out` (atomically) when given."""
    from .api.feedback import export_text

    store = _open(settings)
    try:
        text = export_text(store.votes())
    finally:
        store.close()
    if out is not None:
        write_whole(out, text)
        log.info("wrote feedback on %d pages to %s", len(json.loads(text)["pages"]), out)
    return text


def export_learning(settings: ServiceSettings, out: Path | None, source: str = "auto") -> str:
    """Learning-record figures per page and per community as JSON (`records.export`); also written to `out`
    (atomically) when given. `source`: "lrs" (the LRS's statements API; an LrsReadError if it cannot be read),
    "local" (the records this service keeps), "auto" (the LRS when PRACTICA_XAPI_ENDPOINT is set, else, or when
    it cannot be read, the local records, saying so in the log and in the file's `lrs_problem`)."""
    from .records.export import aggregate, learning_export
    from .records.lrs_read import LrsReadError, read_statements

    if source == "lrs" and not settings.xapi.on:
        raise ConfigError("--from-lrs: PRACTICA_XAPI_ENDPOINT is not set, so there is no LRS to read")
    store = _open(settings)
    try:
        data: dict[str, Any] | None = None
        problem = None
        if source != "local" and settings.xapi.on:
            try:
                seen = read_statements(settings.xapi)
            except LrsReadError as exc:
                if source == "lrs":
                    raise
                problem = str(exc)
                log.warning("%s; exporting the learning records this service keeps instead", problem)
            else:
                found = store.feed_state()
                data = aggregate(seen, store.feed_items(), found.state.site_url if found else "", utcnow(), "lrs",
                                 only_known=True)
        if data is None:
            data = learning_export(store, utcnow())
            if problem:
                data["lrs_problem"] = problem
    finally:
        store.close()
    text = json.dumps(data, indent=2, ensure_ascii=False) + "\n"
    if out is not None:
        write_whole(out, text)
        log.info("wrote learning figures (from %s) on %d pages and %d communities to %s",
                 "the LRS" if data["source"] == "lrs" else "this service's records", len(data["pages"]),
                 len(data["communities"]), out)
    return text


def xapi_rejected(settings: ServiceSettings, limit: int) -> str:
    """The statements the LRS rejected, newest first, with its answer: one block each."""
    store = _open(settings)
    try:
        rejected = store.rejected_statements(limit)
    finally:
        store.close()
    if not rejected:
        return "no learning record was rejected by the LRS\n"
    return "".join(f"{iso(at)}  {sid}  {verb} {obj}\n  the LRS answered {status}: {' '.join(answer.split())}\n"
                   for sid, verb, obj, status, answer, at in rejected)


def export_thread(settings: ServiceSettings, tid: int, out: Path | None) -> str:
    """One board thread (question, accepted answer, who answered) as JSON; also written to `out` when given."""
    from .talk.export import thread_export

    store = _open(settings)
    try:
        text = json.dumps(thread_export(store, tid), indent=2, ensure_ascii=False) + "\n"
    finally:
        store.close()
    if out is not None:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(text, encoding="utf-8")
    return text


def export_conversations(settings: ServiceSettings, out: Path | None, days: int) -> str:
    """Questions unanswered after `days` days, per community, as JSON; also written to `out` when given."""
    from .talk.export import conversations_export

    store = _open(settings)
    try:
        text = json.dumps(conversations_export(store, utcnow(), days), indent=2, ensure_ascii=False) + "\n"
    finally:
        store.close()
    if out is not None:
        write_whole(out, text)
    return text


def purge_once(settings: ServiceSettings) -> Purged:
    """Delete what has outlived its retention (PRACTICA_RETAIN_*) now: for cron, when `serve` does not run."""
    store = _open(settings)
    try:
        purged = purge(store, utcnow(), settings)
    finally:
        store.close()
    log.info("%s", purged)
    return purged


def export_person(settings: ServiceSettings, email: str | None, subject: str | None, out: Path | None) -> str:
    """Everything held about one person as JSON (the document GET /api/v1/me/export gives them); also written
    to `out` (mode 0600) when given."""
    store = _open(settings)
    try:
        found = _find(store, email, subject)
        if len(found) > 1:
            raise PracticaError(f"{len(found)} people have the email {email!r} (subjects: {', '.join(found)}); "
                                "export each with --subject")
        text = personal_data(store, found[0], utcnow()).model_dump_json(indent=1) + "\n"
    finally:
        store.close()
    if out is not None:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.touch(mode=0o600)
        out.write_text(text, encoding="utf-8")
        log.info("wrote what is held about %s to %s", found[0], out)
    return text


def erase_person(settings: ServiceSettings, email: str | None, subject: str | None) -> list[tuple[str, Erased]]:
    """Erase everyone stored with this email (or this subject), as DELETE /api/v1/me does: (subject, what went)."""
    store = _open(settings)
    try:
        return [(found, gone) for found in _find(store, email, subject)
                if (gone := erase(store, found, settings.talk.erase_posts))]
    finally:
        store.close()


def _find(store: Store, email: str | None, subject: str | None) -> list[str]:
    """The subjects stored for `email` or `subject`, or a PracticaError saying nobody is."""
    if subject is not None:
        found = [subject] if store.person(subject) else []
    else:
        found = [p.subject for p in store.people_with_email(email or "")]
    if not found:
        raise PracticaError(f"the service holds nothing about {'subject' if subject is not None else 'email'} "
                            f"{subject if subject is not None else email!r}: nobody with it has linked a device, "
                            "chosen a preference or taken part in a discussion (or they were erased already)")
    return found


def _open(settings: ServiceSettings) -> Store:
    """The store for a command: migrated if it is the embedded SQLite file, else checked to be at this
    Practica's schema version (one line naming `practica push migrate` or an upgrade if not)."""
    return open_store(settings.db, migrate=migrates_on_open(settings.db))


def migrate(db: Path | str) -> str:
    """`practica push migrate`: apply the store's missing migrations to `db`; what was done, in one line."""
    applied = migrate_database(db)
    if not applied:
        return f"already at version {LATEST}"
    return f"schema at version {LATEST}; applied {', '.join(str(v) for v in applied)}"


def copy_store(source: Path, target: str) -> str:
    """`practica push copy-store`: copy the SQLite installation at `source` into the empty PostgreSQL database
    `target`; the tables and their row counts, verified, in one line."""
    from .store.copy import copy_store as copy

    counts = copy(source, target)
    return (f"copied {len(counts)} tables: {', '.join(f'{table} {rows}' for table, rows in counts)}; "
            "counts verified")


def rules(settings: ServiceSettings) -> Rules:
    return Rules.of(settings)


def loopback(host: str) -> bool:
    """Whether `host` (as given to --host) is this machine only."""
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def write_whole(out: Path, text: str) -> None:
    """Write `text` to `out` so that a reader (the site's build) sees the old file or the new one, never half."""
    out.parent.mkdir(parents=True, exist_ok=True)
    partial = out.with_name(f".{out.name}.tmp")
    partial.write_text(text, encoding="utf-8")
    partial.replace(out)
