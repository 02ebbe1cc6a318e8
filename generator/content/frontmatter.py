"""Split a Markdown file into YAML front matter and body, keeping the line of every field."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any

import yaml

from .problems import Problem
from .yamlsize import too_complex

_Base: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_BOOL = "tag:yaml.org,2002:bool"


class Loader(_Base):  # type: ignore[valid-type,misc]
    """YAML as people expect it: only true/false are booleans (YAML 1.1 also turns `on`, `no`, `yes`
    into booleans, which breaks `review: {on: …}` and knowledge-check options like `[Yes, No]`)."""


Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != _BOOL]
    for first, resolvers in _Base.yaml_implicit_resolvers.items()
}
Loader.add_implicit_resolver(_BOOL, re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF"))
_Loader = Loader

FieldPath = tuple[str | int, ...]  # where a value sits in the front matter, e.g. ("chapters", 2, "at")
Positions = dict[FieldPath, tuple[int, int]]

_TAG = "tag:yaml.org,2002:"
_STR, _SEQ, _MAP = _TAG + "str", _TAG + "seq", _TAG + "map"
_SCALAR_NODE, _SEQUENCE_NODE, _MAPPING_NODE = yaml.ScalarNode, yaml.SequenceNode, yaml.MappingNode
_CONSTRUCTOR = _Loader("")
_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


@dataclass
class Source:
    """One content file, read: its front matter, body, and where each field sits."""

    rel: str
    meta: Any  # the front matter's mapping (a list, for a YAML list file)
    body: str
    body_line: int
    positions: dict[FieldPath, tuple[int, int]] = field(default_factory=dict)

    def position(self, path: FieldPath) -> tuple[int, int]:
        """Line and column of the deepest known part of `path` (line 1 when nothing matches)."""
        for end in range(len(path), 0, -1):
            if path[:end] in self.positions:
                return self.positions[path[:end]]
        return (1, 1)


class ReadError(Exception):
    def __init__(self, problem: Problem) -> None:
        super().__init__(problem.message)
        self.problem = problem


def decode(rel: str, data: bytes) -> str:
    """Text of a file, or a ReadError naming the line of the first byte that is not UTF-8."""
    if b"\x00" in data[:8192]:
        raise ReadError(_problem(rel, 1, "binary-file", "this is a binary file, not Markdown text",
                                 "rename it (only Markdown text files end in .md) or remove it"))
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        column = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        raise ReadError(Problem(rel, line, column, None, f"byte 0x{data[exc.start]:02x} is not valid UTF-8",
                                "save the file as UTF-8 in your editor", code="encoding")) from None
    return text.removeprefix("\ufeff")


def parse(rel: str, data: bytes) -> Source:
    """Parse one file, raising ReadError for anything that stops its fields being read at all."""
    text = decode(rel, data)
    lines = text.splitlines(keepends=True)
    if not lines or lines[0].rstrip() != "---":
        raise ReadError(_problem(rel, 1, "no-front-matter", "the file does not start with front matter",
                                 "begin the file with a line '---', the fields (e.g. 'title: …'), and '---'"))
    end = next((i for i in range(1, len(lines)) if lines[i].rstrip() in ("---", "...")), None)
    if end is None:
        raise ReadError(_problem(rel, 1, "no-front-matter", "the front matter is never closed",
                                 "add a line '---' after the last field"))
    yaml_text = "".join(lines[1:end])
    if not yaml_text.strip():
        raise ReadError(_problem(rel, 1, "empty-front-matter", "the front matter is empty",
                                 "write the required fields between the two '---' lines (`practica new` helps)"))
    node = _compose(rel, yaml_text, 2)
    if not isinstance(node, yaml.MappingNode):
        raise ReadError(_problem(rel, 2, "front-matter-type", "the front matter is not a list of 'field: value'",
                                 "write one 'field: value' per line"))
    meta, positions = _values(node, 2, yaml_text) or _pyyaml_front_matter(rel, node)
    return Source(rel, meta, "".join(lines[end + 1:]), end + 2, positions)


def parse_yaml_list(rel: str, data: bytes) -> Source:
    """A YAML file holding a list (skills.yml, featured.yml), with the line of every entry and field."""
    text = decode(rel, data)
    node = _compose(rel, text, 1)
    if node is None:
        return Source(rel, [], "", 1)
    if not isinstance(node, yaml.SequenceNode):
        raise ReadError(_problem(rel, 1, "wrong-type", f"{rel} must be a list", "start each entry with '- '"))
    meta, positions = _values(node, 1, text) or _pyyaml_list(rel, node)
    return Source(rel, meta, "", 1, positions)


def _pyyaml_front_matter(rel: str, node: yaml.Node) -> tuple[Any, Positions]:
    positions = _positions(rel, node, 2)
    return _construct(rel, node, 2), positions


def _pyyaml_list(rel: str, node: yaml.Node) -> tuple[Any, Positions]:
    # PyYAML builds a list file before its positions are walked (merge keys rewrite the nodes it walks).
    meta = _construct(rel, node, 1)
    return meta, _positions(rel, node, 1)


def _construct(rel: str, node: yaml.Node, first_line: int) -> Any:
    """PyYAML's value for `node`; a value it cannot build (2026-02-30, a list used as a key, an unknown
    tag, an alias inside itself) is a problem at its line, never a crash."""
    try:
        return _Loader("").construct_document(node)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + first_line if mark else first_line
        what = exc.problem or str(exc)
    except (ValueError, TypeError, RecursionError) as exc:
        line, what = _bad_value_line(node, first_line), str(exc) or type(exc).__name__
    raise ReadError(Problem(rel, line, None, None, f"a value cannot be read: {what}",
                            "write dates as YYYY-MM-DD (a real day), keys as plain words, and no YAML tags (!…)",
                            code="bad-value"))


def _bad_value_line(node: yaml.Node, first_line: int, depth: int = 0) -> int:
    """The line of the first value PyYAML cannot build on its own, found by building each in turn."""
    if depth > 50:  # an alias that contains itself
        return node.start_mark.line + first_line
    if isinstance(node, yaml.ScalarNode):
        return -1 if _builds(node) else node.start_mark.line + first_line
    pairs = node.value if isinstance(node, yaml.MappingNode) else [(None, n) for n in node.value]
    for key, value in pairs:
        if key is not None and not isinstance(key, yaml.ScalarNode):
            line: int = key.start_mark.line
            return line + first_line
        for child in (key, value):
            if child is not None:
                found = _bad_value_line(child, first_line, depth + 1)
                if found != -1:
                    return found
    return -1 if depth else node.start_mark.line + first_line


def _builds(node: yaml.ScalarNode) -> bool:
    try:
        _Loader("").construct_object(node)
    except (yaml.YAMLError, ValueError, TypeError):
        return False
    return True


def _values(node: yaml.Node, first_line: int, yaml_text: str) -> tuple[Any, Positions] | None:
    """The Python value of `node` and where every key and list item is, in one pass over the nodes.

    None for what that pass does not build as PyYAML would (anchors and aliases, merge keys, other
    tags, values PyYAML refuses, keys written twice): the caller then takes PyYAML's own path, in its
    own order, so the result or the error stays exactly what it was.
    """
    # An alias (`*name`) needs an anchor (`&name`): without both characters no node is shared.
    if "&" in yaml_text and "*" in yaml_text:
        return None
    positions: Positions = {}
    try:
        return _build(node, (), positions, first_line), positions
    except _Unusual:
        return None


class _Unusual(Exception):
    """A node that only PyYAML's own path handles as before."""


def _build(node: yaml.Node, path: FieldPath, out: Positions, first_line: int) -> Any:
    """The value of `node` as PyYAML's SafeConstructor builds it, recording positions as `_walk` does."""
    kind, tag = type(node), node.tag
    if kind is _SCALAR_NODE:
        if tag == _STR:
            return node.value
        return _scalar(node)
    if kind is _SEQUENCE_NODE and tag == _SEQ:
        items = []
        for i, item in enumerate(node.value):
            here = (*path, i)
            out[here] = (item.start_mark.line + first_line, item.start_mark.column + 1)
            items.append(_build(item, here, out, first_line))
        return items
    if kind is _MAPPING_NODE and tag == _MAP:
        return _build_mapping(node, path, out, first_line)
    raise _Unusual


def _build_mapping(node: yaml.Node, path: FieldPath, out: Positions, first_line: int) -> dict[Any, Any]:
    data: dict[Any, Any] = {}
    seen: set[str] = set()
    for key_node, value_node in node.value:
        key = str(key_node.value)
        mark = key_node.start_mark
        here = (mark.line + first_line, mark.column + 1)
        if key in seen:
            raise _Unusual  # PyYAML's path reports it, in its own order against other errors
        seen.add(key)
        sub = (*path, key)
        out[sub] = here
        # Keys are built like values (`1:` is the number 1), and the last of two equal keys wins, as in PyYAML.
        value_key = key if key_node.tag == _STR and type(key_node) is _SCALAR_NODE else _key(key_node)
        data[value_key] = _build(value_node, sub, out, first_line)
    return data


def _key(node: yaml.Node) -> Any:
    if type(node) is not _SCALAR_NODE:
        raise _Unusual  # PyYAML refuses a list or mapping as a key; let it say so
    return _scalar(node)


def _timestamp(node: yaml.Node) -> Any:
    # A plain YYYY-MM-DD is by far the most common; PyYAML makes it date(year, month, day) too, only slower.
    if _ISO_DATE.fullmatch(node.value):
        return dt.date.fromisoformat(node.value)
    return _CONSTRUCTOR.construct_yaml_timestamp(node)


# Scalars other than text are built by PyYAML's own functions, so numbers, dates and booleans come out the same.
_SCALARS = {
    **{_TAG + name: getattr(_CONSTRUCTOR, f"construct_yaml_{name}") for name in ("null", "bool", "int", "float")},
    _TAG + "timestamp": _timestamp,
}


def _scalar(node: yaml.Node) -> Any:
    construct = _SCALARS.get(node.tag)
    if construct is None:
        raise _Unusual
    try:
        return construct(node)
    except Exception:  # e.g. 2026-02-30: PyYAML's own pass raises it, after the duplicate-key walk
        raise _Unusual from None


def _positions(rel: str, node: yaml.Node, first_line: int) -> Positions:
    """Where every key and list item is; a key written twice is an error (YAML would keep the last)."""
    positions: Positions = {}
    try:
        duplicate = _walk(node, (), positions, first_line)
    except RecursionError:
        raise ReadError(_problem(rel, first_line, "bad-value", "a value refers to itself (a YAML alias inside "
                                 "its own anchor)", "write the value out instead of using & and *")) from None
    if duplicate:
        key, line, col = duplicate
        raise ReadError(Problem(rel, line, col, key, f"field '{key}' is written twice",
                                "keep one of the two lines", code="duplicate-field"))
    return positions


def _compose(rel: str, yaml_text: str, first_line: int) -> yaml.Node | None:
    """The node graph of `yaml_text`, or a ReadError for invalid YAML or YAML too large to build."""
    try:
        node = yaml.compose(yaml_text, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        # An unclosed bracket or quote is noticed lines later; the line that opened it is the one to fix.
        context = exc.context or ""
        opened = exc.context_mark if context and "block" not in context else None
        mark = opened or exc.problem_mark or exc.context_mark
        line, col = (mark.line + first_line, mark.column + 1) if mark else (first_line, None)
        what = exc.problem or "invalid YAML"
        if opened is not None:
            what += f" ({context.removeprefix('while ')} that starts here)"
        raise ReadError(Problem(rel, line, col, None, f"YAML syntax error: {what}",
                                _yaml_hint(what), code="yaml-syntax")) from None
    except yaml.YAMLError as exc:
        raise ReadError(_problem(rel, first_line, "yaml-syntax", f"YAML syntax error: {exc}",
                                 "check the indentation and quoting of the front matter")) from None
    # Shared nodes cost nothing here; the walks and validation after this would repeat them all.
    problem = None if node is None else too_complex(rel, node, yaml_text, first_line)
    if problem is not None:
        raise ReadError(problem)
    return node


def _yaml_hint(problem: str) -> str:
    if "mapping values are not allowed" in problem:
        return "a value contains ': ' — put the whole value in quotes"
    if "found character '\\t'" in problem:
        return "indent with spaces, not tabs"
    return "check the indentation, and quote values that contain ':', '#', '[' or '{'"


def _walk(node: yaml.Node, path: FieldPath, out: Positions, first_line: int) -> tuple[str, int, int] | None:
    """Record the line/column of every key and list item; return the first duplicated key, if any."""
    if isinstance(node, yaml.MappingNode):
        seen: set[str] = set()
        for key_node, value_node in node.value:
            key = str(key_node.value)
            here = (key_node.start_mark.line + first_line, key_node.start_mark.column + 1)
            if key in seen:
                return (".".join(map(str, (*path, key))), *here)
            seen.add(key)
            out[(*path, key)] = here
            found = _walk(value_node, (*path, key), out, first_line)
            if found:
                return found
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            out[(*path, i)] = (item.start_mark.line + first_line, item.start_mark.column + 1)
            found = _walk(item, (*path, i), out, first_line)
            if found:
                return found
    return None


def _problem(rel: str, line: int, code: str, message: str, hint: str) -> Problem:
    return Problem(rel, line, None, None, message, hint, code=code)
