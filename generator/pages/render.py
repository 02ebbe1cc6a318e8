"""The Jinja environment page builders share, and the page they return."""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, pass_context
from jinja2.runtime import Context
from markupsafe import Markup, escape

from .. import urls
from . import icons

TEMPLATES = Path(__file__).parent / "templates"
_MD_SPECIAL = re.compile(r"([\\`*_\[\]#!|])")


@dataclass
class GeneratedPage:
    """One page of the site: where it goes, its title, its Markdown and the front matter MkDocs sees."""

    url: str
    title: str
    markdown: str
    meta: dict[str, Any] = field(default_factory=dict)
    source: str | None = None  # content file it comes from, for the edit link
    files: dict[str, str] = field(default_factory=dict)  # companion files (site path → text), e.g. lists

    @property
    def src_uri(self) -> str:
        return urls.source_uri(self.url)


@pass_context
def _rel(context: Context, to_url: str) -> str:
    """Link from the page being rendered (its `here`) to a site-relative URL."""
    return urls.relative(context["here"], to_url)


def _date(value: dt.date) -> str:
    return f"{value.day} {value:%b %Y}"


def _minutes(value: int) -> str:
    return f"{value} min" if value < 60 else f"{value // 60} h {value % 60:02d} min"


def _clock(seconds: int) -> str:
    hours, rest = divmod(seconds, 3600)
    return f"{hours}:{rest // 60:02d}:{rest % 60:02d}" if hours else f"{rest // 60}:{rest % 60:02d}"


def _md(text: str) -> Markup:
    """Text that Markdown shows as written (titles can contain `*`, `_` or `#`), HTML-escaped."""
    return escape(_MD_SPECIAL.sub(r"\\\1", text))


def _json_attr(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


@cache
def environment() -> Environment:
    env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=True, undefined=StrictUndefined,
                      trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True)
    env.filters.update(rel=_rel, date=_date, minutes=_minutes, clock=_clock, json_attr=_json_attr, md=_md)
    env.globals.update(icon=icons.svg, urls=urls)
    return env


def render(template: str, **context: Any) -> str:
    """Render a page template; `here` (the page's own URL) must be in the context for relative links."""
    return environment().get_template(template).render(**context)


def markdown_block(text: str) -> Markup:
    """Contributed Markdown placed between HTML blocks: blank lines around it keep it Markdown."""
    return Markup("\n\n" + text.strip("\n") + "\n\n")
