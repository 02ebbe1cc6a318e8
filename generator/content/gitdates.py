"""When each content file was first and last committed, from one `git log` over the whole folder."""

from __future__ import annotations

import datetime as dt
import logging
import subprocess
from pathlib import Path

log = logging.getLogger("mkdocs.plugins.practica")

Dates = dict[Path, tuple[dt.date, dt.date]]


def commit_dates(folder: Path) -> Dates:
    """First (rename-aware) and last commit date of every tracked file under `folder`.

    Empty outside a git checkout or when git is missing: callers fall back to modification times.
    """
    top = _git(folder, "rev-parse", "--show-toplevel")
    if top is None:
        return {}
    out = _git(folder, "log", "--reverse", "-M", "--name-status", "--no-merges", "--format=%x00%aI", "--", ".")
    if out is None:
        return {}
    return {Path(top.strip(), rel): span for rel, span in _walk(out).items()}


def _walk(log_text: str) -> dict[str, tuple[dt.date, dt.date]]:
    """Replay the history oldest first, carrying a file's first date across renames."""
    spans: dict[str, tuple[dt.date, dt.date]] = {}
    when = dt.date.min
    for line in log_text.splitlines():
        if line.startswith("\x00"):
            when = dt.date.fromisoformat(line[1:11])
            continue
        parts = line.split("\t")
        status = parts[0][:1]
        if status == "R" and len(parts) == 3:
            first = spans.pop(parts[1], (when, when))[0]
            spans[parts[2]] = (first, when)
        elif status == "D" and len(parts) == 2:
            spans.pop(parts[1], None)
        elif status in "AMCT" and len(parts) >= 2 and status:
            path = parts[-1]
            spans[path] = (spans[path][0] if path in spans else when, when)
    return spans


def _git(folder: Path, *args: str) -> str | None:
    try:
        done = subprocess.run(["git", "-c", "core.quotePath=false", "-C", str(folder), *args],
                              capture_output=True, text=True,
                              check=False, timeout=120)
    except (OSError, subprocess.TimeoutExpired) as exc:
        log.debug("git unavailable (%s); using file modification times", exc)
        return None
    return done.stdout if done.returncode == 0 else None


def committed(path: Path) -> bytes | None:
    """The file as the last commit (HEAD) has it; None outside git, for a new file, or when git is missing."""
    try:
        done = subprocess.run(["git", "-C", str(path.parent), "show", f"HEAD:./{path.name}"],
                              capture_output=True, check=False, timeout=30)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return done.stdout if done.returncode == 0 else None
