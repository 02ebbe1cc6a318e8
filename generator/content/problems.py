"""A problem found in the content: where it is, what is wrong, and how to fix it."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from typing import Literal

Severity = Literal["error", "warning"]


@dataclass(frozen=True, order=True)
class Problem:
    file: str
    line: int | None
    column: int | None
    field: str | None
    message: str
    hint: str
    severity: Severity = "error"
    code: str = "invalid"

    @property
    def where(self) -> str:
        """`file:line:column`, as editors and terminals link it."""
        parts = [self.file] + [str(n) for n in (self.line, self.column) if n is not None]
        return ":".join(parts)


def errors(problems: Iterable[Problem]) -> list[Problem]:
    return [p for p in problems if p.severity == "error"]


def format_text(problems: list[Problem]) -> str:
    lines = []
    for p in sorted(problems, key=_order):
        field = f" [{p.field}]" if p.field else ""
        lines.append(f"{p.where}: {p.severity}{field}: {p.message}")
        lines.append(f"    fix: {p.hint}")
    n_err = len(errors(problems))
    n_warn = len(problems) - n_err
    lines.append(f"{n_err} error{'s' * (n_err != 1)}, {n_warn} warning{'s' * (n_warn != 1)}")
    return "\n".join(lines)


def format_github(problems: list[Problem]) -> str:
    """GitHub Actions workflow commands: each problem becomes an annotation on the pull request's diff."""
    out = []
    for p in sorted(problems, key=_order):
        props = [f"file={_prop(p.file)}"]
        if p.line is not None:
            props.append(f"line={p.line}")
        if p.column is not None:
            props.append(f"col={p.column}")
        props.append(f"title={_prop(p.code + (' (' + p.field + ')' if p.field else ''))}")
        out.append(f"::{p.severity} {','.join(props)}::{_data(p.message + ' — fix: ' + p.hint)}")
    return "\n".join(out)


def format_json(problems: list[Problem]) -> str:
    return json.dumps([asdict(p) for p in sorted(problems, key=_order)], indent=2, ensure_ascii=False)


def _order(p: Problem) -> tuple[str, int, int, str]:
    return (p.file, p.line or 0, p.column or 0, p.message)


def _data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _prop(text: str) -> str:
    return _data(text).replace(":", "%3A").replace(",", "%2C")
