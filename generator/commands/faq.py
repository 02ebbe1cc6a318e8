"""`practica faq from-thread ID`: an answered question from a community board becomes a valid FAQ file, ready
for a pull request. The thread comes as the JSON `practica push export-thread` writes (the contract); this
module never reads the service's store."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import re
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ..errors import PracticaError
from ..service.config import database

_FENCE = re.compile(r"^\s{0,3}(`{3,}|~{3,})")
_CODE_SPAN = re.compile(r"(`+)(.+?)\1")
_REF_DEF = re.compile(r"^(\s{0,3})(\[[^\]]*\]:)")
_LOCAL_LINK = re.compile(r"\]\((?!https?://|mailto:)")


def add_parser(sub: Any, common: Callable[[argparse.ArgumentParser], None]) -> None:
    faq = sub.add_parser("faq", help="turn an answered board question into an FAQ file",
                         description="Write content/faq/<slug>.md from a board thread's accepted answer.")
    verbs = faq.add_subparsers(dest="faq_command", required=True, metavar="VERB")
    cmd = verbs.add_parser("from-thread", help="write an FAQ from a thread's question and accepted answer",
                           description="Write a valid FAQ from a board thread's question and accepted answer. "
                                       "Never overwrites an existing file.")
    common(cmd)
    cmd.add_argument("thread", type=int, metavar="ID", help="the thread's id (the hub's ?thread=<id>)")
    cmd.add_argument("--export", type=Path, metavar="FILE",
                     help="the thread as `practica push export-thread ID --out FILE` wrote it (default: read the "
                          "service's database, PRACTICA_PUSH_DB)")
    cmd.add_argument("--db", type=database, help="the service's database: an SQLite file or a postgresql:// URL "
                     "(default PRACTICA_PUSH_DB)")
    cmd.add_argument("--id", help="file name without .md (default: from the thread's title)")
    cmd.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    # Imported here on purpose: cli.py imports this module to build its parser on every start (bf0987d).
    from ..settings import load_settings

    settings = load_settings(args.config_file, content_dir=args.content)
    thread = _read(args.export) if args.export else _exported(args.thread, args.db)
    if thread.get("thread") != args.thread:
        raise PracticaError(f"{args.export} holds thread {thread.get('thread')}, not {args.thread}")
    path = write_faq(settings.content_dir, thread, settings.today, args.id)
    sys.stdout.write(f"Wrote {path}. Read it, then run: practica validate\n")
    return 0


def write_faq(content: Path, thread: dict[str, Any], today: dt.date, ident: str | None = None) -> Path:
    """content/faq/<slug>.md for an exported thread; a clear PracticaError when it cannot be an FAQ."""
    from ..content.skills import slugify
    from ..kinds import KINDS

    tid, answer, community = thread["thread"], thread.get("answer"), str(thread.get("community", ""))
    if thread.get("type") != "question" or not answer:
        raise PracticaError(f"thread {tid} has no accepted answer: the asker or a steward accepts one first "
                            "(nothing was written)")
    person = answer.get("person")
    if not person or not (content / KINDS["person"].folder / f"{person}.md").is_file():
        who = answer.get("name") or "its author"
        raise PracticaError(f"thread {tid}'s accepted answer is by {who}, who has no profile on the site: they "
                            "need a person file (practica new person) with the email they sign in with "
                            "(nothing was written)")
    if not (content / KINDS["topic"].folder / f"{community}.md").is_file():
        raise PracticaError(f"thread {tid} is on the board of '{community}', which is not a community of this "
                            "site (nothing was written)")
    path = content / KINDS["faq"].folder / f"{ident or slugify(str(thread['title']))[:80].strip('-')}.md"
    if path.exists():
        raise PracticaError(f"{path} already exists; choose another --id (nothing was written)")
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("x", encoding="utf-8") as out:
        out.write(faq_text(thread, person, today))
    return path


def faq_text(thread: dict[str, Any], person: str, today: dt.date) -> str:
    """The file: front matter, the question as asked (quoted), then the accepted answer."""
    head = (f"title: {json.dumps(thread['title'], ensure_ascii=False)}\ntopics: {json.dumps([thread['community']])}\n"
            f"answered_by: {json.dumps([person])}\ndate: {today.isoformat()}\n"
            f"# From thread {thread['thread']} on the community board. An expert confirms it:\n"
            f"# verified:\n#   by: their-id\n#   on: {today.isoformat()}\n# related: []\n# skills: []\n")
    question = "\n".join(f"> {line}".rstrip() for line in as_text(thread.get("question") or "").splitlines())
    asked = f"> **As asked on the community board:**\n>\n{question}\n\n" if question else ""
    return f"---\n{head}---\n\n{asked}{as_text(thread['answer']['body']).strip()}\n"


def as_text(source: str) -> str:
    """A reader's Markdown-lite as contributor Markdown that renders the same: no raw HTML, attribute lists,
    headings, images, reference definitions or links other than http(s)/mailto (code is left as written)."""
    lines, fence = [], ""
    for line in source.replace("\r\n", "\n").split("\n"):
        opened = _FENCE.match(line)
        if fence:
            fence = "" if opened and opened.group(1)[0] == fence[0] and len(opened.group(1)) >= len(fence) else fence
            lines.append(line)
        elif opened:
            fence = opened.group(1)
            lines.append(line)
        else:
            lines.append(_line(line))
    return "\n".join(lines)


def _line(line: str) -> str:
    pieces, last = [], 0
    for span in _CODE_SPAN.finditer(line):  # code spans stay as written; the text around them is escaped
        pieces += [_escape(line[last:span.start()]), span.group(0)]
        last = span.end()
    text = "".join([*pieces, _escape(line[last:])])
    text = _REF_DEF.sub(lambda m: m.group(1) + "\\" + m.group(2), text)
    return re.sub(r"^(\s{0,3})#", r"\1\\#", text)


def _escape(text: str) -> str:
    text = text.replace("<", "&lt;").replace("{", "\\{").replace("}", "\\}").replace("![", "!\\[")
    return _LOCAL_LINK.sub("]\\(", text)


def _read(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise PracticaError(f"cannot read the thread export {path}: {exc}") from None
    if not isinstance(data, dict) or "thread" not in data:
        raise PracticaError(f"{path} is not a thread export (practica push export-thread ID --out FILE)")
    return data


def _exported(tid: int, db: Path | str | None) -> dict[str, Any]:
    """The service's own export of the thread, from its database on this machine (same JSON as the file)."""
    import dataclasses

    from ..service.commands import export_thread
    from ..service.config import load_settings

    settings = load_settings(env_file=Path(".env"))
    data: dict[str, Any] = json.loads(export_thread(dataclasses.replace(settings, db=db) if db else settings,
                                                    tid, None))
    return data
