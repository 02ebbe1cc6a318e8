"""`practica new KIND`: write a valid, commented starter file; never overwrite one."""

from __future__ import annotations

import argparse
import datetime as dt
import difflib
import json
import sys
from collections.abc import Callable
from typing import Any

from ..errors import PracticaError

# What each kind asks for: (flag, prompt, is a list).
Question = tuple[str, str, bool]
QUESTIONS: dict[str, list[Question]] = {
    "lesson": [("title", "Title", False), ("summary", "One-sentence summary", False),
               ("topic", "Community id(s), comma-separated", True), ("author", "Your person id(s)", True),
               ("objective", "What will the reader be able to do afterwards?", True)],
    "video": [("title", "Title", False), ("summary", "One-sentence summary", False),
              ("topic", "Community id(s)", True), ("author", "Your person id(s)", True),
              ("src", "Video file next to this one (e.g. my-video.mp4) or https link", False),
              ("duration", "Length (mm:ss)", False)],
    "faq": [("title", "The question, as someone would ask it", False), ("topic", "Community id(s)", True),
            ("answered_by", "Who answers it (person id)", True)],
    "person": [("name", "Full name", False), ("role", "Role or job title", False)],
    "topic": [("name", "Community name", False), ("summary", "One-sentence summary", False),
              ("steward", "Steward person id(s)", True)],
    "path": [("title", "Title", False), ("summary", "One-sentence summary", False),
             ("curated_by", "Curator person id(s)", True), ("step", "Item ids of the steps, in order", True)],
    "event": [("title", "Title", False), ("summary", "One-sentence summary", False),
              ("topic", "Community id(s)", True), ("host", "Host person id(s)", True),
              ("start", "Start, local date and time (YYYY-MM-DD HH:MM)", False),
              ("timezone", "Time zone (IANA, e.g. Europe/London)", False),
              ("duration", "Length in minutes", False)],
}
_FIELD = {"topic": "topics", "author": "authors", "objective": "objectives", "steward": "stewards",
          "step": "steps", "host": "hosts"}


def add_parser(sub: Any, common: Callable[[argparse.ArgumentParser], None]) -> None:
    new = sub.add_parser("new", help="start a new lesson, video, FAQ, person, community, path or event",
                         description="Write a valid, commented starter file. On a terminal, asks for what is "
                                     "missing; otherwise takes flags. Never overwrites an existing file.")
    kinds = new.add_subparsers(dest="kind", required=True, metavar="KIND")
    for kind, questions in QUESTIONS.items():
        cmd = kinds.add_parser(kind, help=f"a new {kind}")
        common(cmd)
        cmd.add_argument("--id", help="file name without .md (default: from the title or name)")
        for flag, prompt, many in questions:
            cmd.add_argument(f"--{flag.replace('_', '-')}", dest=flag, action="append" if many else "store",
                             help=prompt + (" (repeatable)" if many else ""))
        cmd.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    return create(args, input if sys.stdin.isatty() else None)


def create(args: argparse.Namespace, ask: Callable[[str], str] | None) -> int:
    """Write the starter; with `ask` (a terminal), ask for what is missing until each answer is usable."""
    # Imported here on purpose: cli.py imports this module to build its parser on every start (bf0987d).
    from ..content.skills import slugify
    from ..kinds import ITEM_KINDS, KINDS, ContentKind
    from ..settings import load_settings

    settings = load_settings(args.config_file, content_dir=args.content)
    named: dict[str, list[ContentKind]] = {"topic": [KINDS["topic"]], "person": [KINDS["person"]],
                                           "item": list(ITEM_KINDS.values())}
    known = {what: {p.stem for kind in kinds for p in (settings.content_dir / kind.folder).glob("*.md")}
             for what, kinds in named.items()}
    answers = _answers(args, QUESTIONS[args.kind], ask, known)
    ident = args.id or slugify(answers.get("title") or answers.get("name") or "")
    if not ident:
        raise PracticaError("give an --id, or a title/name to make one from")
    path = settings.content_dir / KINDS[args.kind].folder / f"{ident}.md"
    if path.exists():
        raise PracticaError(f"{path} already exists; choose another --id (nothing was written)")
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("x", encoding="utf-8") as out:
        out.write(starter(args.kind, answers, settings.today))
    print(f"Wrote {path}. Edit it, then run: practica validate")
    return 0


# Which answers are ids, and of what: checked while asking, so a typo is fixed before anything is lost.
_ID_OF = {"topic": "topic", "steward": "person", "author": "person", "answered_by": "person",
          "curated_by": "person", "step": "item", "host": "person"}
MAX_ASKS = 10


def _answers(args: argparse.Namespace, questions: list[Question], ask: Callable[[str], str] | None,
             known: dict[str, set[str]]) -> dict[str, Any]:
    answers: dict[str, Any] = {}
    missing = []
    for flag, prompt, many in questions:
        value = getattr(args, flag)
        if ask is not None:
            value = _ask_until_usable(ask, prompt, many, value, known.get(_ID_OF.get(flag, "")))
        if not value:
            missing.append("--" + flag.replace("_", "-"))
        answers[flag] = value
    if missing:
        raise PracticaError(f"missing {', '.join(missing)} (see practica new {args.kind} --help)")
    return answers


def _ask_until_usable(ask: Callable[[str], str], prompt: str, many: bool, value: Any,
                      known: set[str] | None) -> Any:
    """The given value, or what is typed at the prompt, asked again while it is empty or names an unknown id."""
    for _ in range(MAX_ASKS):
        if value:
            trouble = _unknown(value if many else [value], known)
            if not trouble:
                return value
            print(trouble, file=sys.stderr)
        try:
            typed = ask(f"{prompt}: ").strip()
        except EOFError:
            raise PracticaError(f"no answer for '{prompt}' (nothing was written)") from None
        value = [v.strip() for v in typed.split(",") if v.strip()] if many else typed
        if not value:
            print("  This one is required; please type an answer.", file=sys.stderr)
    raise PracticaError(f"no usable answer for '{prompt}' after {MAX_ASKS} tries (nothing was written)")


def _unknown(ids: list[str], known: set[str] | None) -> str:
    """What is wrong with `ids` (with a did-you-mean), or "" when every one exists."""
    if known is None:
        return ""
    lines = []
    for ident in ids:
        if ident not in known:
            close = difflib.get_close_matches(ident, sorted(known), n=1, cutoff=0.6)
            lines.append(f"  No '{ident}' exists" + (f"; did you mean '{close[0]}'?" if close else
                                                      f" (known: {', '.join(sorted(known)[:8]) or 'none yet'})"))
    return "\n".join(lines)


def _y(value: Any) -> str:
    """A YAML scalar or flow list (JSON is valid YAML and quotes what needs quoting)."""
    return json.dumps(value, ensure_ascii=False)


def starter(kind: str, a: dict[str, Any], today: dt.date) -> str:
    """The text of a new file: required fields filled in, optional ones explained in comments."""
    fields = {_FIELD.get(k, k): v for k, v in a.items()}
    if "steps" in fields:  # a path's: each step is an item with an optional note
        steps = "\n".join(f"  - item: {_y(s)}\n    # note: why this step matters" for s in fields.pop("steps"))
        head = _lines(fields) + f"steps:\n{steps}\n"
    else:
        head = _lines(fields)
    return f"---\n{head}{_OPTIONAL[kind].format(today=today)}---\n{_BODY[kind]}"


def _lines(fields: dict[str, Any]) -> str:
    return "".join(f"{k}: {_y(v)}\n" for k, v in fields.items())


_REVIEW = ("# review:            # who last checked this is still right\n"
           "#   by: your-id\n#   on: {today}\n#   every: 1 year\n")
_OPTIONAL = {
    "lesson": "# level: beginner     # beginner | intermediate | advanced\n# skills: [forecasting]\n"
              "# minutes: 5          # otherwise computed from the text (limit: 10)\n"
              "# check:              # a knowledge check, shown on the page\n"
              "#   - question: What does a join do?\n#     options: [Combines rows, Deletes rows]\n"
              "#     answer: 1        # the number of the correct option, from 1\n"
              "#     explain: It combines rows from two tables.\n"
              "# reflect: Where could you use this this week?\n# action: Try it on one report at work.\n"
              + _REVIEW,
    "video": "# captions: my-video.vtt   # WebVTT; needed unless you write the transcript below\n"
             "# poster: my-video.jpg\n# chapters:\n#   - at: \"0:00\"\n#     title: Introduction\n"
             "# skills: []\n# level: beginner\n" + _REVIEW,
    "faq": "# asked_by: a new analyst\n# verified:          # an expert confirmed this answer\n"
           "#   by: their-id\n#   on: {today}\n# related: []\n# skills: []\n",
    "person": "# photo: my-photo.jpg      # square, at least 96 px\n"
              "# motto: One sentence about what you care about (140 characters at most)\n"
              "# expertise: [forecasting, sql]\n# topics: []\n# team: Finance\n# location: Leeds\n"
              "# timezone: Europe/London\n# contact:\n#   email: me@example.org\n#   chat: https://chat.example.org/me\n"
              "#   office_hours: Thursdays 14:00-15:00\n# available_for: [questions, mentoring, reviews]\n"
              "# languages: [English]\n# handle: \"@my-git-handle\"\n",
    "topic": "# goal: What this community wants to achieve together\n"
              "# meets: Lunch & learn, first Tuesday of the month, 12:30\n"
              "# channels:\n#   - name: Chat channel\n#     url: https://chat.example.org/c/topic\n"
              "# icon: material/chart-line\n# color: \"#1a73e8\"\n",
    "path": "# audience: New analysts in their first month\n# action_plan:\n"
             "#   - Pair with a colleague on one real report\n# topics: []\n",
    "event": "where:\n  room: Room 4.2     # and/or\n  # online: https://meet.example.org/my-event\n"
             "# capacity: 40          # leave out for no limit\n"
             "# repeat:               # a series: every week or month until a date, or a list of dates\n"
             "#   every: week\n#   until: {today}\n"
             "# status: cancelled     # then say why in status_note, and raise sequence by one\n"
             "# status_note: Moved to next month\n# recording: video-id   # after the event\n"
             "# sequence: 0           # raise by one whenever the times or the status change\n",
}
_BODY = {
    "lesson": "\nWrite the lesson here: a few short paragraphs someone can finish on a break.\n",
    "video": "\nWrite the transcript here (or add captions above).\n",
    "faq": "\nWrite the answer here.\n",
    "person": "\nA short bio: what you work on and what people can ask you about.\n",
    "topic": "\nWhat this community is about, who it is for, and how to join in.\n",
    "path": "\nWho this path is for and what they will be able to do at the end.\n",
    "event": "\nThe agenda: what happens, and what to bring.\n",
}
