"""Checks on a contributed Markdown body: no scripts, images with alt text that exist."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

from .problems import Problem

_FENCE = re.compile(r"^\s*(```|~~~)")
_INLINE_CODE = re.compile(r"`[^`]*`")
_SCRIPT = re.compile(r"<\s*script\b|\bjavascript:", re.IGNORECASE)
_HANDLER = re.compile(r"<[a-z][^>]*\son[a-z]+\s*=", re.IGNORECASE)
_MD_IMAGE = re.compile(r"!\[([^\]]*)\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
_HTML_IMAGE = re.compile(r"<img\b[^>]*>", re.IGNORECASE)
_ALT = re.compile(r"\balt\s*=\s*(\"[^\"]*\"|'[^']*'|[^\s>]+)", re.IGNORECASE)
_SRC = re.compile(r"\bsrc\s*=\s*(\"[^\"]*\"|'[^']*'|[^\s>]+)", re.IGNORECASE)
_MD_LINK = re.compile(r"(?<!!)\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
# Every check below needs `<`, `](` or `javascript:` (any case) in the line: lines and bodies without
# any are skipped, which is most of them.
_JAVASCRIPT = re.compile(r"javascript:", re.IGNORECASE)


def code_free_lines(text: str, first_line: int) -> Iterator[tuple[int, str]]:
    """(line number, text) of each line outside fenced code, with inline code blanked out."""
    fence: str | None = None
    for offset, line in enumerate(text.splitlines()):
        opened = _FENCE.match(line)
        if fence is not None:
            if opened and opened.group(1) == fence:
                fence = None
            continue
        if opened:
            fence = opened.group(1)
            continue
        yield first_line + offset, _INLINE_CODE.sub(lambda m: " " * len(m.group(0)), line)


def check(rel: str, body: str, first_line: int, root: Path) -> Iterator[Problem]:
    if not _may_match(body):
        return
    for number, line in code_free_lines(body, first_line):
        if not _may_match(line):
            continue
        for match in _SCRIPT.finditer(line):
            yield Problem(rel, number, match.start() + 1, None, "raw <script> or javascript: link in the text",
                          "remove it; contributed pages cannot run scripts (use a fenced code block to show code)",
                          code="script")
        for match in _HANDLER.finditer(line):
            yield Problem(rel, number, match.start() + 1, None, "HTML event handler (on…=) in the text",
                          "remove the attribute; contributed pages cannot run scripts", code="script")
        for match in _MD_LINK.finditer(line):
            yield from _link(rel, number, match.start() + 1, match.group(1), root)
        for match in _MD_IMAGE.finditer(line):
            yield from _image(rel, number, match.start() + 1, match.group(1), match.group(2), root, markdown=True)
        for match in _HTML_IMAGE.finditer(line):
            alt = _ALT.search(match.group(0))
            src = _SRC.search(match.group(0))
            # An explicit alt="" marks a decorative image, which is allowed in HTML.
            alt_text = None if alt is None else alt.group(1).strip("\"'") or " "
            yield from _image(rel, number, match.start() + 1, alt_text,
                              src.group(1).strip("\"'") if src else "", root, markdown=False)


def _may_match(text: str) -> bool:
    # Substring tests are far faster than a case-insensitive regex; only `t` and `T` match `t` in any case.
    return "<" in text or "](" in text or (("t:" in text or "T:" in text) and _JAVASCRIPT.search(text) is not None)


def _image(rel: str, line: int, column: int, alt: str | None, src: str, root: Path, markdown: bool
           ) -> Iterator[Problem]:
    if not (alt or "").strip():
        example = "![A chart of weekly sales](sales.png)" if markdown else '<img alt="A chart of weekly sales" …>'
        yield Problem(rel, line, column, None, "image without alt text",
                      f"describe the image for people who cannot see it, e.g. {example}", code="no-alt-text")
    if src and not re.match(r"^[a-z]+:|^//|^#", src):
        target = (root / src.lstrip("/")) if src.startswith("/") else (root / rel).parent / src
        if not target.resolve().is_file():
            yield Problem(rel, line, column, None, f"image '{src}' does not exist",
                          "add the image next to this file, or correct the path", code="missing-file")


def _link(rel: str, line: int, column: int, target: str, root: Path) -> Iterator[Problem]:
    """A relative link to a file (another page's .md, a PDF, …) must lead to a file in the content folder."""
    path = target.split("#", 1)[0].split("?", 1)[0]
    if not path or re.match(r"^[a-z][a-z0-9+.-]*:|^//", path, re.IGNORECASE) or "." not in path.rsplit("/", 1)[-1]:
        return
    resolved = (root / path.lstrip("/")) if path.startswith("/") else (root / rel).parent / path
    if not resolved.resolve().is_file():
        yield Problem(rel, line, column, None, f"link to '{target}' leads nowhere",
                      "link to an existing file, relative to this one (e.g. ../faq/some-question.md)",
                      "warning", "broken-link")
