"""The import graph of `generator` and `hooks` has no cycles, counting every import: module level, inside
functions and under `if TYPE_CHECKING:` alike. An import inside a function hides a cycle from Python, not from
a reader: the two modules still depend on each other."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("generator", "hooks")


def module_name(file: Path) -> str:
    parts = file.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def modules() -> dict[str, Path]:
    return {module_name(f): f for p in PACKAGES for f in sorted((ROOT / p).rglob("*.py"))}


def imported(name: str, file: Path, known: dict[str, Path]) -> set[str]:
    """The project modules `file` imports anywhere in it (relative imports resolved)."""
    package = name if file.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(file.read_text(encoding="utf-8"), str(file))):
        targets: list[str] = []
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")
                anchor = anchor[:len(anchor) - (node.level - 1)]
                base = ".".join(anchor + ([base] if base else []))
            # `from . import x` imports the module x when there is one, else a name of the package.
            targets = [f"{base}.{alias.name}" if f"{base}.{alias.name}" in known else base for alias in node.names]
        for target in targets:
            while target and target not in known:  # `import a.b.c` of a name inside a module: the module
                target = target.rpartition(".")[0]
            if target and target != name:
                found.add(target)
    return found


def graph() -> dict[str, set[str]]:
    known = modules()
    return {name: imported(name, file, known) for name, file in known.items()}


def cycles(edges: dict[str, set[str]]) -> list[str]:
    """Each group of modules that import one another (Tarjan), as one cycle through it and all its members."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    components: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(edges[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                components.append(sorted(component))

    for v in sorted(edges):
        if v not in index:
            visit(v)
    return [" -> ".join(shortest_cycle(c, edges)) + (f"  (all of: {', '.join(c)})" if len(c) > 2 else "")
            for c in components]


def shortest_cycle(component: list[str], edges: dict[str, set[str]]) -> list[str]:
    """The shortest path from the component's first module back to itself, staying inside the component."""
    start, inside = component[0], set(component)
    paths = {start: [start]}
    frontier = [start]
    while frontier:
        following = []
        for v in frontier:
            for w in sorted(edges[v] & inside):
                if w == start:
                    return paths[v] + [start]
                if w not in paths:
                    paths[w] = paths[v] + [w]
                    following.append(w)
        frontier = following
    raise AssertionError(f"no cycle in component {component}")


def test_the_graph_is_read() -> None:
    edges = graph()
    assert "generator.service.api.app" in edges["generator.service.commands"]  # an import inside a function
    assert "generator.adapters.mkdocs" in edges["hooks.practica"]
    assert "generator.errors" in edges["generator.service.api.poller"]  # `from ...errors import …`


def test_no_import_cycles() -> None:
    found = cycles(graph())
    for cycle in found:
        print("import cycle: " + cycle)
    assert not found, f"{len(found)} import cycle(s):\n" + "\n".join(found)


def external_imports(file: Path) -> set[str]:
    """The top-level names of the absolute imports in `file`, anywhere in it (`mkdocs` for `mkdocs.config`)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(file.read_text(encoding="utf-8"), str(file))):
        if isinstance(node, ast.Import):
            found.update(alias.name.partition(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and not node.level and node.module:
            found.add(node.module.partition(".")[0])
    return found


def test_only_the_adapter_imports_mkdocs() -> None:
    """MkDocs and Material sit behind generator/adapters/ (mkdocs.py, and preview.py for serve's incremental
    updates; the hook file MkDocs loads only forwards to it): the rest of the generator works on the validated
    community and the outputs of its render phase (generator/outputs.py)."""
    offenders = sorted(name for name, file in modules().items()
                       if not name.startswith(("generator.adapters.", "hooks")) and
                       {"mkdocs", "material"} & external_imports(file))
    assert offenders == [], f"import MkDocs only in generator/adapters/: {offenders}"
    assert "mkdocs" in external_imports(ROOT / "generator/adapters/mkdocs.py")  # the check sees imports at all
    assert "mkdocs" in external_imports(ROOT / "generator/adapters/preview.py")
