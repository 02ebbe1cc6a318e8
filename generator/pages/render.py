"""The Jinja environment page builders share, and the page they return."""

from __future__ import annotations

import datetime as dt
import json
import re
import secrets
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from babel.dates import format_date
from jinja2 import Environment, FileSystemLoader, StrictUndefined, pass_context
from jinja2.runtime import Context
from markupsafe import Markup, escape

from .. import languages, urls
from ..kinds import ITEM_KINDS
from . import icons

TEMPLATES = Path(__file__).parent / "templates"
_MD_SPECIAL = re.compile(r"([\\`*_\[\]{}#!|])")
_LINE_BREAKS = re.compile(r"[\r\n\v\f\x1c-\x1e\x85\u2028\u2029]+")
# A value never starts a line or a heading: its line breaks and `#` become character references (the same text
# in HTML), so `split` can only ever hand the template's own headings to Markdown.
_TEXT_CODES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&#34;", "'": "&#39;",
                             "\n": "&#10;", "\r": "&#13;", "#": "&#35;"})
# Marks a rendered template uses around the contributor's Markdown (see `split`).
MD_OPEN, MD_CLOSE = "<!--pr:md-->", "<!--pr:/md-->"
_HEADING = re.compile(r"^#{1,6} ")
# A placeholder is a paragraph of one word: Markdown passes it through as <p>…</p> without the HTML parser
# it would run on a raw HTML block.
# The per-process key keeps a contributor's paragraph that merely reads like one from being replaced.
_KEY = secrets.token_hex(6)
PLACEHOLDER = re.compile(rf"<p>PRACTICABLOCK{_KEY}_(\d+)Z</p>")


@dataclass
class GeneratedPage:
    """One page of the site: where it goes, its title, its Markdown and the front matter MkDocs sees."""

    url: str
    title: str
    markdown: str
    meta: dict[str, Any] = field(default_factory=dict)
    source: str | None = None  # content file it comes from, for the edit link
    files: dict[str, str] = field(default_factory=dict)  # companion files (site path → text), e.g. lists
    blocks: dict[str, str] = field(default_factory=dict)  # placeholder id → HTML (see `split`)
    # Content files whose body the page shows (its own source's, and any `Site.body` rendered for it): what,
    # beyond every entry's facts (titles, summaries, dates, credits…), a change must re-render it for.
    depends: frozenset[str] = frozenset()

    @property
    def src_uri(self) -> str:
        return urls.source_uri(self.url)


@pass_context
def _rel(context: Context, to_url: str) -> str:
    """Link from the page being rendered (its `here`) to a site-relative URL."""
    return urls.relative(context["here"], to_url)


@pass_context
def _date(context: Context, value: dt.date) -> str:
    """`3 Mar 2026`, in the page's language (`lang` in the context; English without one)."""
    return date_text(value, context.get("lang") or "en")


def date_text(value: dt.date, lang: str = "en") -> str:
    if lang.startswith("en"):
        return f"{value.day} {value:%b %Y}"
    return format_date(value, "d MMM y", locale=lang.replace("-", "_"))


@pass_context
def _minutes(context: Context, value: int) -> str:
    return minutes(value, context.get("lang") or "en")


def minutes(value: int, lang: str = "en") -> str:
    _ = languages.translations(lang).gettext
    if value < 60:
        return _("%(minutes)s min") % {"minutes": value}
    return _("%(hours)s h %(minutes)s min") % {"hours": value // 60, "minutes": f"{value % 60:02d}"}


def clock(seconds: int) -> str:
    hours, rest = divmod(seconds, 3600)
    return f"{hours}:{rest // 60:02d}:{rest % 60:02d}" if hours else f"{rest // 60}:{rest % 60:02d}"


def _md(text: str) -> Markup:
    """Text that Markdown shows as written, on one line (for a heading): HTML-escaped, every character that
    Markdown or its attribute lists would act on (`*`, `#`, `{`…) backslash-escaped."""
    return escape(_MD_SPECIAL.sub(r"\\\1", _LINE_BREAKS.sub(" ", text)))


def _text(value: Any) -> Any:
    """What `{{ value }}` writes: text escaped once (by autoescape), with its line breaks and `#` as character
    references; HTML the templates built (Markup) as it is."""
    if isinstance(value, str) and not isinstance(value, Markup):
        return Markup(value.translate(_TEXT_CODES))
    return value


@pass_context
def _translations_attr(context: Context, item: Any, others: list[Any]) -> str:
    """An item row's other languages, for practica.js: {lang: {url, title, summary}}, the row's own included."""
    community = context["community"]
    return _json_attr({community.language_of(t): {"url": urls.relative(context["here"], urls.page(t.kind, t.id)),
                                                  "title": t.title, "summary": t.summary} for t in [item, *others]})


def _json_attr(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


@cache
def environment(lang: str = "en") -> Environment:
    """The templates' environment for pages in `lang`: Practica's strings (`{% trans %}`, `_()`) in that language."""
    env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=True, undefined=StrictUndefined,
                      trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True, finalize=_text,
                      extensions=["jinja2.ext.i18n"])
    env.install_gettext_translations(languages.translations(lang), newstyle=True)  # type: ignore[attr-defined]
    env.filters.update(rel=_rel, date=_date, minutes=_minutes, clock=clock, json_attr=_json_attr, md=_md,
                       noindex=noindex)
    env.globals.update(icon=icons.svg, urls=urls, kinds=ITEM_KINDS, text_direction=languages.direction,
                       translations_attr=_translations_attr)
    return env


def render(template: str, lang: str = "en", **context: Any) -> str:
    """Render a page template in `lang`; `here` (the page's own URL) must be in the context for relative links."""
    return environment(lang).get_template(template).render(lang=lang, dir=languages.direction(lang), **context)


def markdown_block(text: str) -> Markup:
    """Contributed Markdown placed between HTML blocks, marked so that `split` hands it to Markdown."""
    return Markup(f"\n{MD_OPEN}\n\n{text.strip()}\n\n{MD_CLOSE}\n")


def noindex(value: str) -> Markup:
    """HTML that search should not index (breadcrumbs, bylines, lists of other pages, forms). The wrapper
    takes no part in layout (`display: contents`)."""
    return Markup(f'\n<div class="pr-noindex" data-pagefind-ignore>\n{value}\n</div>\n')


def split(rendered: str) -> tuple[str, dict[str, str]]:
    """Take the HTML out of a rendered page, so Markdown only parses what is Markdown.

    Practica's templates are mostly HTML around a contributor's Markdown body and a few `##` headings (which
    MkDocs must see for the table of contents). Each run of HTML becomes one placeholder, which the adapter
    replaces after Markdown has run: Python-Markdown parses a handful of tags per page instead of hundreds.
    """
    out: list[str] = []
    blocks: dict[str, str] = {}
    html: list[str] = []
    in_md = False

    def flush() -> None:
        if any(line.strip() for line in html):
            ident = str(len(blocks))
            blocks[ident] = "\n".join(html)
            out.extend(["", f"PRACTICABLOCK{_KEY}_{ident}Z", ""])
        html.clear()

    # "\n" only: splitlines() also breaks at U+2028 and other characters that Markdown keeps within a line.
    for line in rendered.split("\n"):
        if line in (MD_OPEN, MD_CLOSE):
            flush()
            in_md = line == MD_OPEN
        elif in_md:
            out.append(line)
        elif _HEADING.match(line):
            flush()
            out.extend(["", line, ""])
        else:
            html.append(line)
    flush()
    return "\n".join(out) + "\n", blocks


def restore(html: str, blocks: dict[str, str]) -> str:
    """Put back the HTML blocks that `split` took out."""
    return PLACEHOLDER.sub(lambda m: blocks[m.group(1)], html)
