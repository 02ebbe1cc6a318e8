"""Contributors' Markdown rendered as the site renders it, so validation sees the HTML the sanitiser cleans."""

from __future__ import annotations

import json
from functools import cache
from typing import Any

import markdown

# MkDocs always adds these to the configured ones.
_MKDOCS_DEFAULTS = ("toc", "tables", "fenced_code")


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


def to_html(text: str, extensions: list[Any]) -> str:
    """`text` as HTML, with mkdocs.yml's Markdown extensions."""
    renderer = _renderer(json.dumps(extensions, sort_keys=True, default=str))
    renderer.reset()
    return renderer.convert(text)
