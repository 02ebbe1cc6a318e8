"""`practica validate`: load and check every file, then report every problem in one run."""

from __future__ import annotations

import dataclasses
import os
import subprocess
import sys
from pathlib import Path

from ..community import Community
from ..content.load import load_community
from ..content.problems import Problem, errors, format_github, format_json, format_text
from ..errors import PracticaError
from ..kinds import KINDS
from ..settings import Settings

FORMATTERS = {"text": format_text, "github": format_github, "json": format_json}


def validate(settings: Settings, fmt: str = "text", strict: bool = False, changed: list[Path] | None = None) -> int:
    """Exit status: 1 with errors (or, when strict, warnings), else 0. Findings that depend on today's date
    (due for review) count only for the `changed` files, so time alone never fails a check."""
    community = load_community(settings)
    held = [p for p in community.reminders if p.file in _content_files(settings, changed or [])]
    problems = community.problems + held
    print_problems(problems, fmt, settings)
    if fmt == "text" and not problems:
        print(f"{_count(community)}: no problems found.")
    if fmt == "text" and len(community.reminders) > len(held):
        n = len(community.reminders) - len(held)
        print(f"Note: {n} item{'s are' if n != 1 else ' is'} due for review. That is a reminder, not a problem: "
              "it never fails a check or a build. See `practica report --only due_for_review`.")
    failed = errors(problems) or (strict and problems)
    return 1 if failed else 0


def changed_since(ref: str, where: Path) -> list[Path]:
    """Files changed between `ref` and HEAD (from where the branches meet) in the repository holding `where`."""
    def git(*args: str) -> str:
        try:
            result = subprocess.run(["git", "-C", str(where), *args], capture_output=True, text=True, check=True,
                                    timeout=60)
        except (OSError, subprocess.SubprocessError) as exc:
            detail = (getattr(exc, "stderr", "") or str(exc)).strip().splitlines()
            raise PracticaError(f"--since {ref}: git failed: {detail[-1] if detail else exc}") from None
        return result.stdout
    top = Path(git("rev-parse", "--show-toplevel").strip())
    return [top / name for name in git("diff", "--name-only", "-z", f"{ref}...HEAD", "--").split("\0") if name]


def _content_files(settings: Settings, paths: list[Path]) -> set[str]:
    """Paths relative to the content folder, as problems name their files (paths outside it are left out)."""
    root = settings.content_dir.resolve()
    return {p.resolve().relative_to(root).as_posix() for p in paths if p.resolve().is_relative_to(root)}


def print_problems(problems: list[Problem], fmt: str, settings: Settings) -> None:
    """Print the problems in `fmt`, their files named relative to the working directory (nothing if none)."""
    if not problems:
        return
    shown = [dataclasses.replace(p, file=display_path(settings, p.file)) for p in problems]
    print(FORMATTERS[fmt](shown), file=sys.stdout)


def display_path(settings: Settings, rel: str) -> str:
    """A content file's path relative to the working directory, as editors and GitHub expect it."""
    path = settings.content_dir / rel
    try:
        return os.path.relpath(path)
    except ValueError:
        return str(path)


def _count(community: Community) -> str:
    parts = [(len(community.collection(kind.name)), kind.noun, kind.nouns) for kind in KINDS.values()]
    return "Checked " + ", ".join(f"{n} {one if n == 1 else many}" for n, one, many in parts)
