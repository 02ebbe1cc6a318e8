"""The allowlist for HTML rendered from contributors' Markdown: clean it (nh3), or say what cleaning removes.

Only what Material's Markdown extensions produce is kept: text structure, tables, code highlighting, footnotes,
admonitions, details, task lists, images with alt text and size, links with http(s), mailto, tel or relative
URLs. Everything else (scripts, event handlers, styles, forms, `<base>`, `<meta>`, objects, frames,
`javascript:` and `data:` URLs) is removed. No frames, not even video embeds: a video is a `videos/` item,
whose player loads nothing from another site until the reader presses play. The build cleans
every contributed page with `clean()`; validation reports the same removals with `removals()`, one policy for both.
"""

from __future__ import annotations

import html as html_lib
import re
from collections.abc import Iterator
from dataclasses import dataclass

import nh3
from lxml import etree
from lxml import html as lxml_html

TAGS = frozenset({
    "a", "abbr", "b", "blockquote", "br", "caption", "cite", "code", "col", "colgroup", "dd", "del", "details",
    "dfn", "div", "dl", "dt", "em", "figcaption", "figure", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "i",
    "img", "input", "ins", "kbd", "label", "li", "mark", "ol", "p", "pre", "q", "s", "samp", "small",
    "span", "strong", "sub", "summary", "sup", "table", "tbody", "td", "tfoot", "th", "thead", "time", "tr",
    "u", "ul", "var", "wbr",
})
# Removed with everything inside them: their content is code, styles or a document of its own, not text.
DROPPED_WITH_CONTENT = frozenset({"script", "style", "template", "noscript", "iframe", "object", "embed", "svg", "math",
                                  "textarea", "select", "title", "xmp", "noembed", "noframes", "frameset"})
_GLOBAL = {"class", "id", "title", "lang", "dir"}
ATTRIBUTES: dict[str, set[str]] = {
    "*": _GLOBAL,
    "a": {"href", "name", "hreflang"},
    "img": {"src", "alt", "width", "height", "loading", "decoding"},
    "ol": {"start", "type"}, "li": {"value"},
    "td": {"colspan", "rowspan", "align", "style"}, "th": {"colspan", "rowspan", "align", "scope", "style"},
    "col": {"span"}, "colgroup": {"span"},
    "blockquote": {"cite"}, "q": {"cite"}, "del": {"cite", "datetime"}, "ins": {"cite", "datetime"},
    "time": {"datetime"}, "details": {"open"}, "label": {"for"}, "abbr": {"title"},
}
# Task lists (pymdownx.tasklist) are the only inputs: every input becomes a disabled checkbox.
TAG_ATTRIBUTE_VALUES = {"input": {"type": {"checkbox"}, "checked": {"", "checked"}, "disabled": {"", "disabled"}}}
SET_ATTRIBUTES = {"input": {"type": "checkbox", "disabled": "disabled"}}
# Tables' column alignment is the only style Markdown writes.
STYLE_PROPERTIES = frozenset({"text-align"})
URL_SCHEMES = frozenset({"http", "https", "mailto", "tel"})
URL_ATTRIBUTES = frozenset({"href", "src", "cite", "action", "formaction", "poster", "data", "xlink:href",
                            "background", "longdesc", "srcset", "ping"})
# Material's own elements are found by id (`__config`, `__search`, `__drawer`…) and Practica's by `pr-`: a
# contributed element with such an id could stand in for them.
# (Code blocks' line anchors, `__codelineno-…`, are Markdown's own.)
_RESERVED_ID = re.compile(r"^(__(?!codelineno-)|pr-)", re.IGNORECASE)
_TAG_IN_TEXT = re.compile(r"<([a-zA-Z][a-zA-Z0-9]*)")
_SCHEME = re.compile(r"^([a-z][a-z0-9+.-]*):", re.IGNORECASE)
# What a browser ignores in a URL: leading and trailing controls and spaces, and tabs and newlines anywhere.
_URL_NOISE = re.compile(r"[\t\n\r]+")
_URL_EDGES = "".join(map(chr, range(0x21)))


def _attribute_filter(tag: str, attribute: str, value: str) -> str | None:
    if attribute in ("id", "name", "for") and _RESERVED_ID.match(value):
        return None
    return value


def clean(html: str) -> str:
    """The HTML with everything outside the allowlist removed."""
    return nh3.clean(html, tags=set(TAGS), clean_content_tags=set(DROPPED_WITH_CONTENT), attributes=ATTRIBUTES,
                     tag_attribute_values=TAG_ATTRIBUTE_VALUES, set_tag_attribute_values=SET_ATTRIBUTES,
                     url_schemes=set(URL_SCHEMES), attribute_filter=_attribute_filter,
                     filter_style_properties=set(STYLE_PROPERTIES), strip_comments=True, link_rel=None)


def url_allowed(value: str) -> bool:
    """Relative URLs and the allowed schemes (what a browser would see: entities decoded, blanks removed)."""
    scheme = _SCHEME.match(_browser_view(value))
    return scheme is None or scheme.group(1).lower() in URL_SCHEMES


def _browser_view(url: str) -> str:
    return _URL_NOISE.sub("", html_lib.unescape(url)).strip(_URL_EDGES)


@dataclass(frozen=True)
class Removal:
    """Something `clean()` removes: what it is, a piece of source text that finds its line, and the pieces of
    source text its removal takes with it (a removed element's attributes, which are not reported again)."""

    what: str
    needle: str
    takes: tuple[str, ...] = ()


def removals(html: str) -> Iterator[Removal]:
    """What `clean()` would remove from `html`, element by element, in document order."""
    if not html.strip():
        return
    try:
        root = lxml_html.document_fromstring(html)
    except (etree.ParserError, ValueError):
        return
    for element in root.iter():
        tag = element.tag if isinstance(element.tag, str) else None
        if tag is None:
            continue  # comments and processing instructions are dropped silently
        tag = tag.lower()
        if tag in ("html", "head", "body"):
            continue
        if tag not in TAGS:
            yield Removal(f"<{tag}> element", f"<{tag}", _written_in(element.attrib))
            continue
        yield from _attribute_removals(tag, element.attrib)


def _written_in(attributes: etree._Attrib) -> tuple[str, ...]:
    """What a removed element's attributes show in the source: names, URL schemes and tags inside values."""
    out: list[str] = []
    for name, value in attributes.items():
        out.append(str(name).lower())
        scheme = _SCHEME.match(_browser_view(value))
        if scheme:
            out.append(scheme.group(1).lower() + ":")
        out.extend("<" + tag.lower() for tag in _TAG_IN_TEXT.findall(value))
    return tuple(out)


def _attribute_removals(tag: str, attributes: etree._Attrib) -> Iterator[Removal]:
    allowed = ATTRIBUTES["*"] | ATTRIBUTES.get(tag, set())
    values = TAG_ATTRIBUTE_VALUES.get(tag, {})
    for name, value in attributes.items():
        name = str(name).lower()
        if name in values:
            if value not in values[name]:
                yield Removal(f'{name}="{value}" on <{tag}>', name)
        elif name not in allowed:
            yield Removal(f"{name} attribute on <{tag}>", name)
        elif name in URL_ATTRIBUTES and not url_allowed(value):
            scheme = _SCHEME.match(_browser_view(value))
            shown = scheme.group(1).lower() if scheme else "?"
            yield Removal(f"{shown}: link in {name} on <{tag}>", f"{shown}:")
        elif _attribute_filter(tag, name, value) is None:
            yield Removal(f'{name}="{value}" on <{tag}>', value)
