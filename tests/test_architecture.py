"""ARCHITECTURE.md's module map matches the tree: every module of the package is on it, and everything on
it exists, so the map cannot drift from the code (issue 15)."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ENTRY = re.compile(r"^( *)((?:[\w.]+/)*(?:[\w.]+\.py|[\w.]+/))(?: {2,}|$)")


def mapped() -> set[str]:
    """The modules the map's trees name: each code block whose first line is a folder of the package
    (`generator/`, `generator/service/`), read by indentation, so `  store/` then `    base.py` under
    `generator/service/` is generator/service/store/base.py. Wrapped descriptions name no `.py` or folder."""
    text = (ROOT / "ARCHITECTURE.md").read_text(encoding="utf-8")
    found: set[str] = set()
    for lines in _blocks(text):
        if not lines or not re.fullmatch(r"generator/[\w/]*", lines[0].strip()):
            continue
        stack = [(0, lines[0].strip().rstrip("/"))]
        for line in lines[1:]:
            match = ENTRY.match(line)
            if not match:
                continue
            indent, name = len(match[1]), match[2]
            while stack and stack[-1][0] >= indent:
                stack.pop()
            path = "/".join([*(folder for _, folder in stack), name.rstrip("/")])
            if name.endswith("/"):
                stack.append((indent, name.rstrip("/")))
            else:
                found.add(path)
    return found


def _blocks(text: str) -> list[list[str]]:
    """The lines of each fenced block without a language (the trees; ```json and the like are not)."""
    blocks: list[list[str]] = []
    current: list[str] | None = None
    for line in text.splitlines():
        if line.startswith("```"):
            if current is None and line.strip() == "```":
                current = []
            elif current is not None:
                blocks.append(current)
                current = None
            else:
                current = None if line.strip() == "```" else ["```"]  # a block with a language: skipped
            continue
        if current is not None:
            current.append(line)
    return blocks


def modules() -> set[str]:
    return {str(p.relative_to(ROOT)) for p in (ROOT / "generator").rglob("*.py") if p.name != "__init__.py"}


def test_every_module_is_on_the_map() -> None:
    missing = sorted(modules() - mapped())
    assert not missing, f"ARCHITECTURE.md's module map does not list: {missing}"


def test_everything_on_the_map_exists() -> None:
    gone = sorted(m for m in mapped() - modules() if m.startswith("generator/"))
    assert not gone, f"ARCHITECTURE.md's module map lists modules that do not exist: {gone}"
