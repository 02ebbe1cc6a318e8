"""`practica push …` commands."""

from __future__ import annotations

import argparse
from typing import Any


def add_parser(sub: Any) -> None:
    push = sub.add_parser("push", help="run the push-notification service (keys, serve, ingest, send)")
    push.add_subparsers(dest="push_command", required=True, metavar="COMMAND")
    push.set_defaults(run=_run)


def _run(args: argparse.Namespace) -> int:
    return 2
