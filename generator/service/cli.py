"""`practica push …`: keys, serve, ingest, seed-demo, send, export-feedback, export-learning, xapi-rejected,
export-thread, export-conversations,
purge, person export|erase, migrate, copy-store. Settings: PRACTICA_* variables and `.env`."""

from __future__ import annotations

import argparse
import dataclasses
import sys
from pathlib import Path
from typing import Any

from ..errors import ConfigError
from .config import ServiceSettings, database, load_settings, parse_duration

# Each verb imports `service` inside its function on purpose: the top-level CLI imports this module to build
# its parser on every start (bf0987d), and `service` brings the sender, crypto and HTTP clients (~0.7 s).


def add_parser(sub: Any) -> None:
    push = sub.add_parser("push", help="run the push-notification service (keys, serve, ingest, send, feedback)",
                          description="The push service: stores subscriptions, reads the site's feed, sends "
                                      "reminders. Settings: PRACTICA_PUSH_* environment variables or .env.")
    commands = push.add_subparsers(dest="push_command", required=True, metavar="COMMAND")

    keys = _command(commands, "keys", "create the VAPID key pair (the private key file is mode 0600)", _keys)
    keys.add_argument("--out", type=Path, default=Path("push-data"), help="folder to write (default %(default)s)")
    keys.add_argument("--force", action="store_true", help="replace existing keys (unsubscribes every browser)")

    serve = _command(commands, "serve", "run the API; with --poll-feed, also ingest and send on a schedule", _serve)
    serve.add_argument("--host", default="127.0.0.1", help="address to bind (default %(default)s)")
    serve.add_argument("--port", type=int, default=8001, help="port (default %(default)s)")
    serve.add_argument("--poll-feed", metavar="URL|PATH",
                       help="the site's feed.json to poll (default PRACTICA_PUSH_FEED)")
    serve.add_argument("--every", metavar="DURATION", help="poll and delivery interval, e.g. 30s, 5m "
                                                            "(default PRACTICA_PUSH_POLL_EVERY, 5m)")

    ingest = _command(commands, "ingest", "read the site's feed once and queue notifications for what is new", _ingest)
    ingest.add_argument("--feed", metavar="URL|PATH", help="feed.json path or URL (default PRACTICA_PUSH_FEED)")

    seed = _command(commands, "seed-demo", "demo mode: read the feed, then write a few demo discussions if there "
                    "are none", _seed_demo)
    seed.add_argument("--feed", metavar="URL|PATH", help="feed.json path or URL (default PRACTICA_PUSH_FEED)")
    _command(commands, "send", "deliver every notification that is due now, then exit", _send)

    export = _command(commands, "export-feedback", "write readers' feedback per page as JSON (for practica report)",
                      _export_feedback)
    export.add_argument("--out", type=Path, help="file to write (default: standard output)")

    learning = _command(commands, "export-learning", "write learning-record figures per page and community as JSON "
                        "(for practica report --learning and extra.practica.learning_file)", _export_learning)
    learning.add_argument("--out", type=Path, help="file to write (default: standard output)")
    source = learning.add_mutually_exclusive_group()
    source.add_argument("--from-lrs", dest="source", action="store_const", const="lrs",
                        help="read the LRS's statements (PRACTICA_XAPI_*) and fail if it cannot be read (default: "
                        "the LRS when PRACTICA_XAPI_ENDPOINT is set, else or when unreachable this service's records)")
    source.add_argument("--local", dest="source", action="store_const", const="local",
                        help="count only the learning records this service still keeps (PRACTICA_RETAIN_RECORDS)")
    rejected = _command(commands, "xapi-rejected", "list the learning records (xAPI statements) the LRS rejected, "
                        "with its answer", _xapi_rejected)
    rejected.add_argument("--limit", type=int, default=100, help="at most this many, newest first (default "
                          "%(default)s)")

    thread = _command(commands, "export-thread", "write one board thread and its accepted answer as JSON (for "
                      "practica faq from-thread)", _export_thread)
    thread.add_argument("id", type=int, help="the thread's id (the hub's ?thread=<id>)")
    thread.add_argument("--out", type=Path, help="file to write (default: standard output)")

    talk = _command(commands, "export-conversations", "write board questions nobody has answered as JSON (for "
                    "practica report and /health/)", _export_conversations)
    talk.add_argument("--days", type=int, default=3, help="unanswered after this many days (default %(default)s)")
    talk.add_argument("--out", type=Path, help="file to write (default: standard output)")

    _command(commands, "purge", "delete what has outlived its retention (PRACTICA_RETAIN_*), then exit; serve "
             "does this hourly, so this is for cron when serve does not run", _purge)

    _command(commands, "migrate", "apply the database's missing schema migrations, then exit (PostgreSQL: before "
             "starting instances of a new Practica; SQLite is migrated on open)", _migrate)

    copy = _command(commands, "copy-store", "copy an installation's SQLite store into an empty PostgreSQL "
                    "database, verifying row counts (stop the service first)", _copy_store)
    copy.add_argument("--from", dest="source", type=Path, required=True, metavar="SQLITE_FILE",
                      help="the SQLite file (PRACTICA_PUSH_DB), opened read-only; migrate it first")
    copy.add_argument("--to", dest="target", required=True, metavar="URL",
                      help="the postgresql:// URL of an empty database (migrated, then filled in one transaction)")

    person = commands.add_parser("person", help="export or erase one person's data (e.g. a leaver's)",
                                 description="Export or erase what the service holds about one person.")
    verbs = person.add_subparsers(dest="person_command", required=True, metavar="VERB")
    show = _command(verbs, "export", "write what the service holds about a person as JSON", _export_person)
    show.add_argument("--out", type=Path, help="file to write, mode 0600 (default: standard output)")
    wipe = _command(verbs, "erase", "erase a person, their linked devices and their notifications", _erase_person)
    for cmd in (show, wipe):
        who = cmd.add_mutually_exclusive_group(required=True)
        who.add_argument("--email", help="the email they signed in with (every person stored with it)")
        who.add_argument("--subject", help="their single sign-on's stable id (see GET /api/v1/me)")


def _command(commands: Any, name: str, text: str, run: Any) -> argparse.ArgumentParser:
    cmd: argparse.ArgumentParser = commands.add_parser(name, help=text, description=text[0].upper() + text[1:] + ".")
    if name not in ("keys", "copy-store"):
        cmd.add_argument("--db", type=database, help="SQLite file or postgresql:// URL (default PRACTICA_PUSH_DB, "
                         "push-data/push.sqlite3)")
    cmd.add_argument("--env-file", type=Path, default=Path(".env"), help="settings file (default %(default)s)")
    cmd.add_argument("--verbose", "-v", action="store_true", help=argparse.SUPPRESS)
    cmd.set_defaults(run=run)
    return cmd


def _settings(args: argparse.Namespace) -> ServiceSettings:
    settings = load_settings(env_file=args.env_file)
    return dataclasses.replace(settings, db=args.db) if getattr(args, "db", None) else settings


def _keys(args: argparse.Namespace) -> int:
    from .commands import make_keys

    private, public, key = make_keys(args.out, args.force)
    sys.stdout.write(f"VAPID public key (also in {public}):\n{key.public_key}\n\n"
                     f"Add to .env (or the environment):\n"
                     f"PRACTICA_PUSH_VAPID_PRIVATE_KEY={private}\n"
                     f"PRACTICA_PUSH_VAPID_SUBJECT=mailto:you@example.org\n")
    return 0


def _serve(args: argparse.Namespace) -> int:
    from .commands import serve

    settings = _settings(args)
    every = _duration(args.every, "--every") if args.every else settings.poll_every
    return serve(settings, args.host, args.port, args.poll_feed or settings.feed, every)


def _ingest(args: argparse.Namespace) -> int:
    from .commands import ingest_once

    settings = _settings(args)
    ingest_once(settings, _feed(args, settings))
    return 0


def _seed_demo(args: argparse.Namespace) -> int:
    from .commands import seed_demo

    settings = _settings(args)
    seed_demo(settings, _feed(args, settings))
    return 0


def _send(args: argparse.Namespace) -> int:
    from .commands import send_once

    send_once(_settings(args))
    return 0


def _migrate(args: argparse.Namespace) -> int:
    from .commands import migrate

    sys.stdout.write(f"{migrate(_settings(args).db)}\n")
    return 0


def _copy_store(args: argparse.Namespace) -> int:
    from .commands import copy_store

    sys.stdout.write(f"{copy_store(args.source, args.target)}\n")
    return 0


def _export_feedback(args: argparse.Namespace) -> int:
    from .commands import export_feedback

    text = export_feedback(_settings(args), args.out)
    if args.out is None:
        sys.stdout.write(text)
    return 0


def _export_learning(args: argparse.Namespace) -> int:
    from .commands import export_learning

    text = export_learning(_settings(args), args.out, args.source or "auto")
    if args.out is None:
        sys.stdout.write(text)
    return 0


def _xapi_rejected(args: argparse.Namespace) -> int:
    from .commands import xapi_rejected

    sys.stdout.write(xapi_rejected(_settings(args), args.limit))
    return 0


def _export_thread(args: argparse.Namespace) -> int:
    from .commands import export_thread

    text = export_thread(_settings(args), args.id, args.out)
    if args.out is None:
        sys.stdout.write(text)
    return 0


def _export_conversations(args: argparse.Namespace) -> int:
    from .commands import export_conversations

    text = export_conversations(_settings(args), args.out, args.days)
    if args.out is None:
        sys.stdout.write(text)
    return 0


def _purge(args: argparse.Namespace) -> int:
    from .commands import purge_once

    sys.stdout.write(f"{purge_once(_settings(args))}\n")
    return 0


def _export_person(args: argparse.Namespace) -> int:
    from .commands import export_person

    text = export_person(_settings(args), args.email, args.subject, args.out)
    if args.out is None:
        sys.stdout.write(text)
    return 0


def _erase_person(args: argparse.Namespace) -> int:
    from .commands import erase_person

    for subject, erased in erase_person(_settings(args), args.email, args.subject):
        sys.stdout.write(f"erased {subject}: {erased}\n")
    return 0


def _duration(text: str, option: str) -> float:
    try:
        seconds = parse_duration(text)
    except ValueError as exc:
        raise ConfigError(f"{option}: {exc}") from None
    if seconds < 1:
        raise ConfigError(f"{option}: at least 1s")
    return seconds


def _feed(args: argparse.Namespace, settings: ServiceSettings) -> str:
    """The feed to read: --feed, else PRACTICA_PUSH_FEED; a ConfigError saying how to give one."""
    feed = args.feed or settings.feed
    if not feed:
        raise ConfigError("no feed given: pass --feed site/feed.json (or its URL), or set PRACTICA_PUSH_FEED")
    return str(feed)
