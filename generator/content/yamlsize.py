"""Refuse YAML whose aliases (`*name`) repeat values so often that reading it would exhaust the machine."""

from __future__ import annotations

from collections.abc import Iterator

import yaml

from .problems import Problem

# Real content reuses a value with an alias a handful of times; a "billion laughs" file needs dozens of
# aliases, nested, to turn ten lines into billions of values.
MAX_ALIASES = 100
# Every value costs the position walk and validation a few hundred bytes: 100,000 of them keep one file
# under ~50 MB, and the largest real list file (a skills.yml of a few thousand skills) has ~20,000.
MAX_VALUES = 100_000

_Base: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class Expansion:
    """Counts the values a composed YAML graph stands for, every alias written out, visiting each node once."""

    def __init__(self) -> None:
        self.visited = 0  # nodes walked: each at most once, however often aliases repeat it
        self.aliases = 0  # references to a node already reached, i.e. the aliases in the text
        self._sizes: dict[yaml.Node, int] = {}

    def values(self, root: yaml.Node) -> int:
        """The number of values under `root`, aliases expanded (MAX_VALUES + 1 for anything larger)."""
        self._enter(root)
        total = 1
        stack: list[tuple[yaml.Node, Iterator[yaml.Node]]] = [(root, _children(root))]
        totals = [1]
        # Iterative, so deep nesting cannot hit Python's recursion limit.
        while stack:
            node, children = stack[-1]
            child = next(children, None)
            if child is None:
                stack.pop()
                total = self._sizes[node] = totals.pop()
                if totals:
                    totals[-1] = min(totals[-1] + total, MAX_VALUES + 1)
            elif child in self._sizes:
                self.aliases += 1
                # A node still being walked is an alias inside its own anchor: counted once here and
                # reported by the position walk as a value that refers to itself.
                totals[-1] = min(totals[-1] + max(self._sizes[child], 1), MAX_VALUES + 1)
            else:
                self._enter(child)
                stack.append((child, _children(child)))
                totals.append(1)
        return total

    def _enter(self, node: yaml.Node) -> None:
        self.visited += 1
        self._sizes[node] = 0  # being walked


def _children(node: yaml.Node) -> Iterator[yaml.Node]:
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            yield key
            yield value
    elif isinstance(node, yaml.SequenceNode):
        yield from node.value


def too_complex(rel: str, node: yaml.Node, text: str, first_line: int) -> Problem | None:
    """A problem when `node` (composed from `text`, which starts at `first_line`) uses more than MAX_ALIASES
    aliases or expands to more than MAX_VALUES values; checked before any Python value is built."""
    # An alias (`*name`) needs an anchor (`&name`): without both characters no node is shared.
    if "&" not in text or "*" not in text:
        return None
    expansion = Expansion()
    if expansion.values(node) <= MAX_VALUES and expansion.aliases <= MAX_ALIASES:
        return None
    where = _crossing_alias(text)
    line, column = (where[0] + first_line, where[1] + 1) if where else (first_line, None)
    return Problem(rel, line, column, None,
                   f"aliases (*name) repeat values too often here: Practica reads at most {MAX_ALIASES} aliases "
                   f"and {MAX_VALUES:,} values per file",
                   "write the values out instead of repeating them with aliases (*name)", code="yaml-too-complex")


def _crossing_alias(text: str) -> tuple[int, int] | None:
    """Line and column (from 0) of the alias that first takes `text` over a limit; the composed graph no
    longer says where its aliases were."""
    sizes: dict[str, int] = {}  # anchor → values it stands for
    opened: list[tuple[str | None, int]] = []  # each open list or mapping: its anchor, the count before it
    values = aliases = 0
    for event in yaml.parse(text, Loader=_Base):
        if isinstance(event, yaml.AliasEvent):
            aliases += 1
            values += sizes.get(event.anchor or "", 1)
            mark = event.start_mark
            if (aliases > MAX_ALIASES or values > MAX_VALUES) and mark is not None:
                return mark.line, mark.column
        elif isinstance(event, yaml.ScalarEvent):
            values += 1
            if event.anchor:
                sizes[event.anchor] = 1
        elif isinstance(event, yaml.CollectionStartEvent):
            opened.append((event.anchor, values))
            values += 1
        elif isinstance(event, yaml.CollectionEndEvent):
            anchor, before = opened.pop()
            if anchor:
                sizes[anchor] = values - before
    return None
