"""Plain text from Markdown, and excerpts of it: what indexes, hubs, profiles, feeds and notifications show.

The result is TEXT, not Markdown or HTML: `**WCAG**` becomes `WCAG`, `&amp;` becomes `&`, `<b>` disappears.
It must be escaped where it is placed (Jinja autoescapes; feeds are JSON or XML) and never fed back to
Markdown. Nothing here imports the content model, so the push service can use `excerpt` too.
"""

from __future__ import annotations

import html
import re

ELLIPSIS = "…"
EXCERPT_LIMIT = 200

_BLOCKS = [  # line by line, in order: what a line starts with that is syntax, not text
    (re.compile(r"^ {0,3}(?:```|~~~).*$", re.M), ""),  # code fence markers (the code inside stays)
    (re.compile(r"^ {0,3}(?:!!!|\?\?\?\+?)[ \t].*$", re.M), ""),  # admonition openers: !!! note "Title"
    (re.compile(r"^ {0,3}(?:[-*_][ \t]*){3,}$", re.M), ""),  # horizontal rules
    (re.compile(r"^ {0,3}\[[^\]\n]+\]:[ \t]+\S.*$", re.M), ""),  # link reference definitions
    (re.compile(r"^ {0,3}#{1,6}(?=[ \t]|$)", re.M), ""),  # ATX headings
    (re.compile(r"^ {0,3}(?:>[ \t]?)+", re.M), ""),  # blockquotes
    (re.compile(r"^[ \t]*(?:[-*+]|\d{1,9}[.)])[ \t]+(?:\[[ xX]\][ \t]+)?", re.M), ""),  # list items, task boxes
    (re.compile(r"^[ \t]*\|?(?:[ \t]*:?-+:?[ \t]*\|)+[ \t]*:?-*:?[ \t]*$", re.M), ""),  # table rules
]


def _spans(*delimiters: str) -> list[tuple[re.Pattern[str], str]]:
    """Patterns that unwrap text between a pair of delimiters. The text may not contain the delimiter's
    character, so a scan stops at the next one: linear on hostile input (`**a **a **a …`), where `.+?` ran
    from every delimiter to the end of the text."""
    return [(re.compile(rf"{d}(?=\S)([^{d[-1]}]+?)(?<=\S){d}"), r"\1") for d in delimiters]


_INLINE = [
    (re.compile(r"<!--.*?(?:-->|$)", re.S), " "),  # HTML comments (unclosed ones run to the end)
    (re.compile(r"<(script|style|template|iframe|noscript)\b.*?(?:</\1\s*>|$)", re.S | re.I), " "),
    (re.compile(r"<(https?://[^>\s]+)>"), r"\1"),  # autolinks
    (re.compile(r"</?[A-Za-z][^<>]*>"), " "),  # other HTML tags; their text stays
    (re.compile(r"!\[[^\]]*\]\([^()]*\)|!\[[^\]]*\]\[[^\]]*\]"), " "),  # images
    (re.compile(r"\[\^[^\]]+\]"), ""),  # footnote references
    (re.compile(r"\[([^\]]*)\]\((?:[^()]|\([^()]*\))*\)"), r"\1"),  # inline links keep their text
    (re.compile(r"\[([^\]]+)\]\[[^\]]*\]"), r"\1"),  # reference links
    (re.compile(r"\{[:.#][^{}\n]*\}"), ""),  # attribute lists: { .class #id }
    (re.compile(r"(`+)(.+?)\1", re.S), r"\2"),  # code spans keep their code
    *_spans(r"\*\*", r"__"),  # strong (before emphasis, and again after it, for `**a *b* c**`)
    (re.compile(r"(?<![\w*])\*(?=\S)([^*]+?)(?<=\S)\*(?![\w*])"), r"\1"),  # emphasis
    (re.compile(r"(?<![\w_])_(?=\S)([^_]+?)(?<=\S)_(?![\w_])"), r"\1"),  # emphasis (snake_case stays)
    *_spans(r"\*\*", r"__", r"~~", r"==", r"\^\^"),  # strong, strikethrough, mark, insert
    (re.compile(r"(?<=\s)\|(?=\s)|^\||\|$", re.M), " "),  # table cell borders
]
_ESCAPE = re.compile(r"\\([\\`*_{}\[\]()#+\-.!|<>~=^&])")
_PRIVATE = 0xF0000  # escaped characters hide in Unicode's private use plane until the syntax is gone
_HIDDEN = re.compile("[\U000F0000-\U000F00FF]")
_SENTENCE_END = re.compile(r"(?<!\b[eE]\.g)(?<!\b[iI]\.e)(?<!\betc)(?<!\bvs)(?<!\bcf)[.!?](?=\s+[\"“(]?[A-Z0-9])")


def plain(markdown: str) -> str:
    """The readable text of Markdown, on one line: syntax removed (not shown), entities decoded."""
    text = _ESCAPE.sub(lambda m: chr(_PRIVATE + ord(m[1])), _HIDDEN.sub("", markdown))
    for pattern, replacement in (*_BLOCKS, *_INLINE):
        text = pattern.sub(replacement, text)
    text = _HIDDEN.sub(lambda m: chr(ord(m[0]) - _PRIVATE), html.unescape(text))
    return re.sub(r"\s+", " ", text).strip()


def first_paragraph(markdown: str) -> str:
    """The first paragraph of prose in a body: headings, images, HTML blocks and admonition openers skipped."""
    for block in re.split(r"\n[ \t]*\n", markdown):
        text = plain(block)
        lines = block.strip().splitlines()
        if text and not re.match(r" {0,3}(#|!!!|\?\?\?|<|```|~~~|\|)", lines[0] if lines else ""):
            return text
    return ""


def first_sentence(text: str) -> str:
    """Plain text up to the end of its first sentence (abbreviations such as "e.g." do not end one)."""
    end = _SENTENCE_END.search(text)
    return text[:end.end()] if end else text


def excerpt(text: str, limit: int = EXCERPT_LIMIT) -> str:
    """`text` if it fits in `limit` characters, else cut at the last word boundary before it, with an ellipsis."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    space = text[:limit].rfind(" ")
    head = text[:space] if space > 0 else text[:max(limit - 1, 0)]
    return head.rstrip(" ,;:-–—(") + ELLIPSIS


def summary(markdown: str, limit: int = EXCERPT_LIMIT) -> str:
    """An excerpt for listings: the first sentence of the first paragraph, as plain text, within `limit`."""
    return excerpt(first_sentence(first_paragraph(markdown)), limit)
