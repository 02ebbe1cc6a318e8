"""Every third-party package the code imports is declared in pyproject.toml (a fresh install has it)."""

from __future__ import annotations

import ast
import re
import sys
import tomllib
from importlib.metadata import packages_distributions
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _imported(folder: Path) -> set[str]:
    names: set[str] = set()
    for path in folder.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names.update(alias.name.split(".")[0] for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names.add(node.module.split(".")[0])
    return names


def _normal(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def test_every_imported_package_is_a_declared_dependency() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    declared = {_normal(re.split(r"[<>=!~\[;\s]", spec, maxsplit=1)[0]) for spec in project["dependencies"]}
    third_party = (_imported(ROOT / "generator") | _imported(ROOT / "hooks")) - set(sys.stdlib_module_names) - {
        "generator", "hooks"}
    distributions = packages_distributions()
    missing = {module: distributions.get(module, [module]) for module in third_party
               if not any(_normal(d) in declared for d in distributions.get(module, [module]))}
    assert missing == {}, f"imported but not in pyproject.toml's dependencies: {missing}"
