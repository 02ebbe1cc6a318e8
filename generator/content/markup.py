"""Contributors' Markdown rendered as the site renders it, so validation sees the HTML the sanitiser cleans.

Python-Markdown is quadratic on some input (unclosed `[`, `<img` without `>`, `<![CDATA[`…: 200 KB of `[ `
would take most of an hour), and MkDocs renders every page with it. Validation renders a body within a CPU
budget, so such a body is one problem at validation and never reaches a build.
"""

from __future__ import annotations

import json
import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from typing import Any

import markdown

# MkDocs always adds these to the configured ones.
_MKDOCS_DEFAULTS = ("toc", "tables", "fenced_code")
# CPU seconds one body may take; real pages take milliseconds.
BUDGET_SECONDS = 2.0


class TooSlow(Exception):
    """Rendering a body went over its CPU budget."""


def _split(extensions: list[Any]) -> tuple[list[str], dict[str, Any]]:
    names: list[str] = list(_MKDOCS_DEFAULTS)
    configs: dict[str, Any] = {}
    for entry in extensions:
        if isinstance(entry, str):
            names.append(entry)
        elif isinstance(entry, dict):
            for name, config in entry.items():
                names.append(str(name))
                if isinstance(config, dict):
                    configs[str(name)] = config
    return list(dict.fromkeys(names)), configs


@cache
def _renderer(key: str) -> markdown.Markdown:
    names, configs = _split(json.loads(key))
    try:
        return markdown.Markdown(extensions=names, extension_configs=configs)
    except Exception:  # a setting only MkDocs resolves (e.g. a !!python/name: tag): the extensions' defaults
        return markdown.Markdown(extensions=names)


def to_html(text: str, extensions: list[Any], budget: float = BUDGET_SECONDS) -> str:
    """`text` as HTML, with mkdocs.yml's Markdown extensions; TooSlow past `budget` CPU seconds."""
    renderer = _renderer(json.dumps(extensions, sort_keys=True, default=str))
    renderer.reset()
    with cpu_budget(budget):
        html: str = renderer.convert(text)
    return html


@contextmanager
def cpu_budget(seconds: float) -> Iterator[None]:
    """Raise TooSlow in this block after `seconds` of the process's CPU time. Signals reach only the main
    thread, so elsewhere (the preview server's rebuild thread) the block runs unbounded."""
    if threading.current_thread() is not threading.main_thread() or not hasattr(signal, "setitimer"):
        yield
        return

    def stop(signum: int, frame: object) -> None:
        raise TooSlow

    previous = signal.signal(signal.SIGPROF, stop)
    signal.setitimer(signal.ITIMER_PROF, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_PROF, 0)
        signal.signal(signal.SIGPROF, previous)
