"""Turn pydantic's validation errors into problems a contributor can act on."""

from __future__ import annotations

import difflib
from typing import Any

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from .frontmatter import Source
from .models import ICON_RE, SLUG_RE
from .problems import Problem
from .skills import slugify

_TYPE_WORDS = {
    "string_type": "text", "list_type": "a list", "int_type": "a whole number", "int_parsing": "a whole number",
    "int_from_float": "a whole number", "bool_type": "true or false", "bool_parsing": "true or false",
    "date_type": "a date (YYYY-MM-DD)", "date_parsing": "a date (YYYY-MM-DD)",
    "date_from_datetime_parsing": "a date (YYYY-MM-DD)", "date_from_datetime_inexact": "a date (YYYY-MM-DD)",
    "model_type": "a group of 'field: value' lines", "model_attributes_type": "a group of 'field: value' lines",
    "dict_type": "a group of 'field: value' lines",
}


def field_name(loc: tuple[str | int, ...]) -> str:
    """`('check', 0, 'answer')` → `check[1].answer` (counting from 1, as people do)."""
    out = ""
    for part in loc:
        out += f"[{part + 1}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def problems_from(error: ValidationError, source: Source, model: type[BaseModel],
                  prefix: tuple[str | int, ...] = ()) -> list[Problem]:
    """`prefix` locates the validated value inside the file (e.g. the entry's index in a list file).

    A misspelt required field is one problem, not two: its "unknown field … did you mean" stays, and the
    "required field is missing" for the field it names goes.
    """
    details = [detail for detail in error.errors() if _reportable(detail)]
    misspelt = set()
    for detail in details:
        if detail["type"] == "extra_forbidden" and (close := _closest(tuple(detail["loc"]), model)):
            misspelt.add((*detail["loc"][:-1], close))
    return [_problem(detail, source, model, prefix) for detail in details
            if not (detail["type"] == "missing" and tuple(detail["loc"]) in misspelt)]


def _reportable(detail: ErrorDetails) -> bool:
    # A union (e.g. `text | None`) reports one error per branch; the None branch's is noise.
    return detail["type"] != "none_required"


def _problem(detail: ErrorDetails, source: Source, model: type[BaseModel], prefix: tuple[str | int, ...]
             ) -> Problem:
    loc = tuple(p for p in detail["loc"] if not _is_branch_label(p))
    line, column = source.position((*prefix, *loc))
    name = field_name((*prefix, *loc))
    message, hint, code = _explain(detail, loc, model)
    return Problem(source.rel, line, column, name or None, message, hint, code=code)


def _is_branch_label(part: str | int) -> bool:
    # pydantic names the branch of a union in locations ("list[str]", "function-after[...]").
    return isinstance(part, str) and "[" in part


def _explain(detail: ErrorDetails, loc: tuple[str | int, ...], model: type[BaseModel]) -> tuple[str, str, str]:
    kind, name, value = detail["type"], field_name(loc), detail.get("input")
    if kind == "missing":
        return (f"required field '{name}' is missing", f"add a line '{loc[-1]}: …'", "missing-field")
    if kind == "extra_forbidden":
        return _unknown_field(loc, model)
    if kind == "string_pattern_mismatch":
        return _pattern(name, value, detail)
    if kind in ("too_short", "too_long"):
        size = detail["msg"].lower().replace("list should have", "needs").replace("value should have", "needs")
        return (f"'{name}' {size}",
                "add or remove entries to fit", "wrong-size")
    if kind == "string_too_short":
        return (f"'{name}' is empty", f"write something for '{name}', or remove the line", "empty-field")
    if kind == "string_too_long":
        return (f"'{name}' is too long ({len(str(value))} characters)",
                f"shorten it to {detail.get('ctx', {}).get('max_length')} characters", "too-long")
    if kind == "literal_error":
        expected = detail.get("ctx", {}).get("expected", "")
        return (f"'{name}' cannot be {value!r}", f"use one of {expected}", "wrong-value")
    if kind in _TYPE_WORDS:
        return (f"'{name}' should be {_TYPE_WORDS[kind]}, not {_describe(value)}",
                _type_hint(kind, name), "wrong-type")
    if kind in ("greater_than_equal", "less_than_equal", "greater_than", "less_than"):
        return (f"'{name}' is out of range: {detail['msg'].lower()}", "change the number", "out-of-range")
    msg = detail["msg"].removeprefix("Value error, ")
    return (f"'{name}': {msg}", "correct the value as described", "invalid")


def _unknown_field(loc: tuple[str | int, ...], model: type[BaseModel]) -> tuple[str, str, str]:
    close = _closest(loc, model)
    hint = (f"did you mean '{close}'?" if close
            else f"remove it; the fields allowed here are: {', '.join(_fields_at(model, loc[:-1]))}")
    return (f"unknown field '{field_name(loc)}'", hint, "unknown-field")


def _closest(loc: tuple[str | int, ...], model: type[BaseModel]) -> str | None:
    """The allowed field an unknown field at `loc` was probably meant to be."""
    close = difflib.get_close_matches(str(loc[-1]), _fields_at(model, loc[:-1]), n=1, cutoff=0.6)
    return close[0] if close else None


def _fields_at(model: type[BaseModel], loc: tuple[str | int, ...]) -> list[str]:
    """Field names of the (nested) model at `loc`."""
    current: Any = model
    for part in loc:
        if isinstance(part, int):
            continue
        annotation = current.model_fields[part].annotation
        current = _model_in(annotation)
        if current is None:
            return []
    return list(current.model_fields)


def _model_in(annotation: Any) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in getattr(annotation, "__args__", ()):
        found = _model_in(arg)
        if found:
            return found
    return None


def _pattern(name: str, value: Any, detail: ErrorDetails) -> tuple[str, str, str]:
    pattern = str(detail.get("ctx", {}).get("pattern", ""))
    if pattern == SLUG_RE.pattern:
        return (f"{value!r} in '{name}' is not an id", f"ids are lowercase words joined by hyphens, e.g. "
                f"'{slugify(str(value)) or 'ada-lovelace'}' (the file name without .md)", "not-a-slug")
    if pattern == ICON_RE.pattern:
        return (f"'{name}' must be an icon name like 'material/chart-line', not {value!r}",
                "use a name from the theme's icon set (https://squidfunk.github.io/mkdocs-material/reference/"
                "icons-emojis/); icons cannot be files", "bad-icon")
    if pattern.startswith("^https://"):
        return (f"'{name}' must be an https:// link, not {value!r}", "use the full https:// address", "bad-url")
    if pattern.startswith("^#"):
        return (f"'{name}' must be a colour like '#1a73e8', not {value!r}", "write # and six hex digits", "bad-color")
    if "@" in pattern and "[^@" in pattern:
        return (f"'{name}' is not an email address: {value!r}", "write it as name@example.org", "bad-email")
    return (f"'{name}' has the wrong form: {value!r}", f"it must match {pattern}", "bad-format")


def _describe(value: Any) -> str:
    if isinstance(value, dict):
        return "a group of fields"
    if isinstance(value, list):
        return "a list"
    if value is None:
        return "nothing"
    return repr(value)


def _type_hint(kind: str, name: str) -> str:
    if kind == "list_type":
        return f"write '{name}:' followed by lines '  - …', or '[a, b]'"
    if kind.startswith("date"):
        return "write the date as YYYY-MM-DD, e.g. 2026-03-14"
    if kind.startswith("int"):
        return "write a whole number without quotes or units"
    if kind in ("model_type", "model_attributes_type", "dict_type"):
        return f"indent the fields of '{name}' under it, one 'field: value' per line"
    return "quote the value if it is text"
