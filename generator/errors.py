"""Practica's few error types. The CLI prints their message, without a traceback, and exits non-zero."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .content.problems import Problem


class PracticaError(Exception):
    """An error the user can fix; its message says how."""


class ConfigError(PracticaError):
    """mkdocs.yml, the environment or a setting is wrong."""


class ContentError(PracticaError):
    """The content did not validate; `problems` lists every one."""

    def __init__(self, problems: list[Problem]) -> None:
        n = sum(1 for p in problems if p.severity == "error")
        super().__init__(f"the content has {n} error{'s' * (n != 1)}; nothing was built")
        self.problems = problems


class BuildError(PracticaError):
    """MkDocs failed after the content validated."""
