"""`practica`: validate, build, serve and scaffold a community; `practica push …` runs the push service."""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import __version__
from .errors import ContentError, PracticaError

# The imports inside the functions below are deliberate (commit bf0987d, start-up 200 → 25 ms): every
# `practica …` builds the whole parser, so a command's modules (settings, content, MkDocs, the push service)
# are imported only by the command that runs; `practica push send` from cron should start fast.
# tests/test_imports.py counts them too, so they hide no import cycle.
if TYPE_CHECKING:
    from .settings import Settings

# The CLI's own messages; what runs inside the MkDocs build logs as `mkdocs.plugins.practica`, so that
# `mkdocs build --strict` counts its warnings.
log = logging.getLogger("practica")
Command = Callable[[argparse.Namespace], int]


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    _logging(getattr(args, "verbose", False))
    try:
        return int(args.run(args))
    except ContentError as exc:
        from .commands.validate import print_problems

        print_problems(exc.problems, getattr(args, "format", "text"), _settings_for(args))
        print(f"practica: {exc}", file=sys.stderr)
        return 1
    except PracticaError as exc:
        print(f"practica: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # The reader went away (`practica validate | head`): stop quietly, as other command-line tools do.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 141


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="practica", description=__doc__)
    parser.add_argument("--version", action="version", version=f"practica {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    validate = _command(sub, "validate", "check every content file and report every problem", _validate)
    validate.add_argument("--format", choices=["text", "github", "json"], default="text",
                          help="text for people, github for pull-request annotations, json for tools")
    validate.add_argument("--strict", action="store_true", help="fail on warnings too")
    validate.add_argument("--changed", nargs="+", type=Path, default=[], metavar="FILE",
                          help="hold these files to date-dependent findings too (due for review), as a pull "
                          "request is held to the files it changes")
    validate.add_argument("--since", metavar="REF", help="like --changed, for the files changed since git REF "
                          "(e.g. origin/main)")

    build = _command(sub, "build", "validate, then build the site (the old site stays if anything fails)", _build)
    build.add_argument("--site-dir", type=Path, help="where to write the site (default: mkdocs.yml's site_dir)")
    build.add_argument("--strict", action="store_true", help="fail on warnings (content and MkDocs)")
    build.add_argument("--format", choices=["text", "github", "json"], default="text", help=argparse.SUPPRESS)

    serve = _command(sub, "serve", "build, serve on localhost and rebuild when content changes (a broken "
                     "change is reported and the last good build keeps being served)", _serve)
    serve.add_argument("--dev-addr", default="127.0.0.1:8000", help="address to serve on (default %(default)s)")
    serve.add_argument("--site-dir", type=Path, help="where to write the site")
    serve.add_argument("--no-watch", action="store_true", help="build once and serve, without rebuilding")

    report = _command(sub, "report", "content health: what is due for review, unverified, uncaptioned, …",
                      _report)
    report.add_argument("--format", choices=["text", "json", "markdown"], default="text")
    report.add_argument("--feedback", type=Path, help="a feedback export (default: extra.practica.feedback_file)")
    report.add_argument("--conversations", type=Path,
                        help="a conversations export (default: extra.practica.conversations_file)")
    report.add_argument("--learning", type=Path, help="a learning-records export (`practica push "
                        "export-learning`; default: extra.practica.learning_file)")
    report.add_argument("--only", action="append", metavar="SECTION",
                        help="only this section (repeatable), e.g. due_for_review")
    report.add_argument("--out", type=Path, help="write to this file instead of printing")

    owners = _command(sub, "codeowners", "write CODEOWNERS so pull requests ask authors and stewards to review",
                      _codeowners)
    owners.add_argument("--out", type=Path, default=Path(".github/CODEOWNERS"), help="default %(default)s")

    schema = sub.add_parser("schema", help="write a JSON Schema per content type, for editors")
    schema.add_argument("--out", type=Path, default=Path("schemas"), help="folder to write (default %(default)s)")
    schema.set_defaults(run=_schema)

    from .commands import new

    new.add_parser(sub, _common)
    from .commands import faq

    faq.add_parser(sub, _common)
    from .service import cli as push_cli

    push_cli.add_parser(sub)
    return parser


def _command(sub: Any, name: str, text: str, run: Command) -> argparse.ArgumentParser:
    cmd: argparse.ArgumentParser = sub.add_parser(name, help=text, description=text[0].upper() + text[1:] + ".")
    _common(cmd)
    cmd.set_defaults(run=run)
    return cmd


def _common(cmd: argparse.ArgumentParser) -> None:
    cmd.add_argument("--config-file", "-f", type=Path, default=Path("mkdocs.yml"), help="default %(default)s")
    cmd.add_argument("--content", type=Path, help="content folder (default: docs_dir in mkdocs.yml)")
    cmd.add_argument("--verbose", "-v", action="store_true", help="show MkDocs' own messages")


def _settings_for(args: argparse.Namespace) -> Settings:
    from .settings import load_settings

    return load_settings(args.config_file, content_dir=getattr(args, "content", None))


def _validate(args: argparse.Namespace) -> int:
    from .commands.validate import changed_since, validate

    settings = _settings_for(args)
    changed = [*args.changed, *(changed_since(args.since, settings.content_dir) if args.since else [])]
    return validate(settings, args.format, args.strict, changed)


def _build(args: argparse.Namespace) -> int:
    from .commands.build import build

    result = build(args.config_file, _settings_for(args), site_dir=args.site_dir, strict=args.strict)
    log.info("Built %d pages into %s in %.1f s", result.pages, result.site_dir, result.seconds)
    return 0


def _serve(args: argparse.Namespace) -> int:
    from .commands.serve import serve

    return serve(args.config_file, lambda: _settings_for(args), args.dev_addr, args.site_dir,
                 watch=not args.no_watch)


def _report(args: argparse.Namespace) -> int:
    from .commands.report import report

    text = report(_settings_for(args), args.format, args.feedback, args.only, args.conversations, args.learning)
    if args.out:
        args.out.write_text(text + "\n", encoding="utf-8")
    else:
        print(text)
    return 0


def _codeowners(args: argparse.Namespace) -> int:
    from .commands.codeowners import write_codeowners

    write_codeowners(_settings_for(args), args.out)
    return 0


def _schema(args: argparse.Namespace) -> int:
    from .commands.schema import schema

    schema(args.out)
    return 0


def _logging(verbose: bool) -> None:
    logging.basicConfig(format="%(levelname)-7s -  %(message)s", stream=sys.stderr, level=logging.INFO)
    if not verbose:
        logging.getLogger("mkdocs").setLevel(logging.WARNING)
        logging.getLogger("mkdocs.plugins.practica").setLevel(logging.INFO)


if __name__ == "__main__":
    sys.exit(main())
