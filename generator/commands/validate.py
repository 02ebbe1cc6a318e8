"""`practica validate`: load and check every file, then report every problem in one run."""

from __future__ import annotations

import dataclasses
import os
import sys

from ..community import Community
from ..content.load import load_community
from ..content.problems import Problem, errors, format_github, format_json, format_text
from ..settings import Settings

FORMATTERS = {"text": format_text, "github": format_github, "json": format_json}


def validate(settings: Settings, fmt: str = "text", strict: bool = False) -> int:
    """Exit status: 1 with errors (or, when strict, warnings), else 0."""
    community = load_community(settings)
    report(community.problems, fmt, settings)
    if fmt == "text" and not community.problems:
        print(f"{_count(community)}: no problems found.")
    failed = errors(community.problems) or (strict and community.problems)
    return 1 if failed else 0


def report(problems: list[Problem], fmt: str, settings: Settings) -> None:
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
    parts = [(len(community.people), "person", "people"), (len(community.topics), "community", "communities"),
             (len(community.lessons), "lesson", "lessons"), (len(community.videos), "video", "videos"),
             (len(community.faqs), "FAQ", "FAQs"), (len(community.paths), "path", "paths")]
    return "Checked " + ", ".join(f"{n} {one if n == 1 else many}" for n, one, many in parts)
