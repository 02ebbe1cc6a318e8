"""Community guidelines: the site's (`guidelines.md`) and a community's own (`guidelines/<topic id>.md`), read
and checked like any content file (front matter with file:line:field problems, the body through the same
checks as an item's, so HTML the sanitiser would remove is refused at its line)."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from . import body
from .explain import problems_from
from .files import inside_file
from .frontmatter import ReadError, parse
from .models import GuidelinesMeta
from .problems import Problem

SITE_FILE = "guidelines.md"
FOLDER = "guidelines"
SITE = ""  # the key of the site's guidelines; a community's are under its topic id


@dataclass(frozen=True)
class Guidelines:
    """One guidelines file: whose (SITE or a topic id), its front matter and its Markdown body."""

    scope: str
    rel: str
    meta: GuidelinesMeta
    body: str

    @property
    def title(self) -> str:
        return self.meta.title


def load(root: Path, folder_files: Sequence[Path], topics: Collection[str], extensions: Sequence[Any],
         problems: list[Problem]) -> dict[str, Guidelines]:
    """The site's and each community's guidelines, by scope; every problem is added to `problems`."""
    found: dict[str, Guidelines] = {}
    site = root / SITE_FILE
    if inside_file(root, site):
        _read(root, site, SITE, extensions, problems, found)
    for path in folder_files:
        scope = path.stem
        rel = path.relative_to(root).as_posix()
        if path.parent != root / FOLDER or scope not in topics:
            known = ", ".join(sorted(topics)) or "none yet"
            problems.append(Problem(rel, 1, None, None, f"'{scope}' is not a community's id, so these guidelines "
                                    "belong to nobody", f"name the file after a community's id (known: {known}); "
                                    f"the site's own guidelines go in {SITE_FILE}", code="unknown-community"))
            continue
        _read(root, path, scope, extensions, problems, found)
    return found


def _read(root: Path, path: Path, scope: str, extensions: Sequence[Any], problems: list[Problem],
          found: dict[str, Guidelines]) -> None:
    rel = path.relative_to(root).as_posix()
    try:
        source = parse(rel, path.read_bytes())
    except ReadError as exc:
        problems.append(exc.problem)
        return
    except OSError as exc:
        problems.append(Problem(rel, None, None, None, f"cannot read the file: {exc.strerror}",
                                "check its permissions", code="unreadable"))
        return
    checked = list(body.check(rel, source.body, source.body_line, root, extensions))
    problems.extend(checked)
    try:
        meta = GuidelinesMeta.model_validate(source.meta)
    except ValidationError as exc:
        problems.extend(problems_from(exc, source, GuidelinesMeta))
        return
    if not source.body.strip():
        problems.append(Problem(rel, source.body_line, None, None, "the guidelines have no text",
                                "write them below the front matter: what is welcome, what is not, and how "
                                "stewards moderate", code="empty-body"))
        return
    found[scope] = Guidelines(scope, rel, meta, source.body)
