"""Checks on a contributed Markdown body: nothing the sanitiser removes, images with alt text that exist."""

from __future__ import annotations

import html as html_lib
import re
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from .. import sanitize
from ..media import Media, MediaError, MediaPolicy
from . import markup
from .files import inside_file
from .problems import Problem

_FENCE = re.compile(r"^\s*(```|~~~)")
_INLINE_CODE = re.compile(r"`[^`]*`")
# Linear on any line: a match can start at every `[` or `<`, so no repetition may run past the next one (a
# scan to the end of the line from each would be quadratic: 37 s for 200 KB of `<img <img …`). Text in
# brackets never held `[` (`[a [b]](c)` did not match before either); an `<img …>` with a `<` inside is
# not checked. Quoted titles and values stop at the next quote, the inline-code scan at the next backtick.
_MD_IMAGE = re.compile(r"!\[([^\[\]]*)\]\(\s*<?([^)\[\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)(?:\{([^{}]*)\})?")
# An attribute list (`{: …}` right after the image; its scan stops at the next brace) that sets alt to nothing: how
# Markdown marks an image as decorative (WCAG technique H67).
_EMPTY_ALT = re.compile(r"(?:^|\s)alt\s*=\s*(?:\"\"|'')(?=\s|$)")
_HTML_IMAGE = re.compile(r"<img\b[^<>]*>", re.IGNORECASE)
_ALT = re.compile(r"\balt\s*=\s*(\"[^\"]*\"|'[^']*'|[^\s>]+)", re.IGNORECASE)
_SRC = re.compile(r"\bsrc\s*=\s*(\"[^\"]*\"|'[^']*'|[^\s>]+)", re.IGNORECASE)
_MD_LINK = re.compile(r"(?<!!)\[[^\[\]]*\]\(\s*<?([^)\[\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
# Line breaks as Python-Markdown counts them (str.splitlines also breaks at \x0b, \x0c, \x1c-\x1e, \x85,
# U+2028 and U+2029, which editors show inside a line: every line number after one would be off).
_NEWLINE = re.compile(r"\r\n?|\n")
# Markup comes from raw HTML (`<`), attribute lists (`{`) or links and reference definitions (`](`, `]:`).
_MARKUP_SIGNS = ("<", "{", "](", "]:")
_URL_NOISE = re.compile(r"[\t\n\r]")
_DENSE_LENGTH, _DENSE_COUNT = 20_000, 200
_ACTIVE = re.compile(r"^<(script|iframe|object|embed|base|meta|form|svg|math|link)>|^on|: link in|^srcdoc")
_ACTIVE_FIX = ("remove it; contributed pages cannot run scripts, load other sites or change the page around them "
               "(to show code, put it in a fenced code block)")
_FRAME_FIX = ("to show a video, add it to videos/ with `src:` its link: its player loads nothing from the other "
              "site until the reader presses play; for anything else, link to it")
_OTHER_FIX = ("use Markdown instead; pages keep text, links (http, https, mailto, tel or relative), images, tables, "
              "code and Markdown's own formatting (to show HTML as an example, put it in a fenced code block)")
# The image and link checks need `<` or `](` in the line: lines and bodies without either are skipped, which
# is most of them.


def code_free_lines(text: str, first_line: int) -> Iterator[tuple[int, str]]:
    """(line number, text) of each line outside fenced code, with inline code blanked out."""
    fence: str | None = None
    for offset, line in enumerate(_NEWLINE.split(text) if "\r" in text else text.split("\n")):
        opened = _FENCE.match(line)
        if fence is not None:
            if opened and opened.group(1) == fence:
                fence = None
            continue
        if opened:
            fence = opened.group(1)
            continue
        yield first_line + offset, _INLINE_CODE.sub(lambda m: " " * len(m.group(0)), line)


def check(rel: str, body: str, first_line: int, root: Path, extensions: Sequence[Any] = (),
          media: Media | None = None) -> Iterator[Problem]:
    """Every problem of a body. `media` decides about images on other hosts (downloading the ones the site
    downloads); without it, every one is refused."""
    media = media or Media(MediaPolicy(), root)
    yield from unsafe_markup(rel, body, first_line, extensions)
    yield from top_headings(rel, body, first_line)
    if not _may_match(body):
        return
    for number, line in code_free_lines(body, first_line):
        if not _may_match(line):
            continue
        for match in _MD_LINK.finditer(line):
            yield from _link(rel, number, match.start() + 1, match.group(1), root)
        for match in _MD_IMAGE.finditer(line):
            text, attributes = match.group(1), match.group(3)
            # `![](x.png)` may be a forgotten description; only an explicit `{: alt=""}` says "decorative".
            alt = "" if not text and attributes is not None and _EMPTY_ALT.search(attributes) else text or None
            yield from _image(rel, number, match.start() + 1, alt, match.group(2), root, media, markdown=True)
        for match in _HTML_IMAGE.finditer(line):
            found = _ALT.search(match.group(0))
            src = _SRC.search(match.group(0))
            alt = None if found is None else found.group(1).strip("\"'")
            yield from _image(rel, number, match.start() + 1, alt,
                              src.group(1).strip("\"'") if src else "", root, media, markdown=False)


def unsafe_markup(rel: str, body: str, first_line: int, extensions: Sequence[Any]) -> Iterator[Problem]:
    """What the site's sanitiser would remove from the body's HTML, at the line it comes from.

    The body is rendered as the site renders it, so nothing that Markdown turns into markup (attribute lists,
    entity-encoded links, reference definitions, raw HTML over several lines) escapes the check. Only bodies
    with a line (outside code) that could make markup, or with enough of Markdown's punctuation to be slow to
    render, are rendered: most have neither."""
    lines = list(code_free_lines(body, first_line))
    signs = [n for n, line in lines if any(t in line for t in _MARKUP_SIGNS)]
    if not signs and not _dense(body):
        return
    try:
        rendered = markup.to_html(body, list(extensions))
    except markup.TooSlow:
        yield Problem(rel, first_line, None, None,
                      f"this text takes more than {markup.BUDGET_SECONDS:g} s to turn into a page, and would slow "
                      "every build", "look for many unclosed '[' or HTML tags ('<' without '>'): write them as \\[ "
                      "and &lt;, or put them in `code`", code="too-complex")
        return
    seen: set[tuple[int, str]] = set()
    found: dict[str, int] = {}  # removals so far per needle: the n-th is reported at the n-th place it is written
    for removal in sanitize.removals(rendered):
        places = _places(removal.needle, lines) or signs
        number = places[min(found.get(removal.needle, 0), len(places) - 1)]
        for needle in (removal.needle, *removal.takes):
            found[needle] = found.get(needle, 0) + 1
        if (number, removal.what) in seen:
            continue
        seen.add((number, removal.what))
        active = _ACTIVE.search(removal.what) is not None
        fix = _FRAME_FIX if removal.what.startswith("<iframe>") else _ACTIVE_FIX if active else _OTHER_FIX
        yield Problem(rel, number, None, None, f"{removal.what} is not allowed: the site removes it", fix,
                      code="script" if active else "unsafe-html")


def _dense(body: str) -> bool:
    """Long, or rich in what Python-Markdown may rescan (an unclosed `[` or `<` is scanned again from every
    later one): below these counts no body renders slowly, so only these need the budgeted render."""
    return len(body) > _DENSE_LENGTH or any(body.count(c) > _DENSE_COUNT for c in "[<(`*_&!{")


def _places(needle: str, lines: list[tuple[int, str]]) -> list[int]:
    """The line of each place `needle` is written, as written or as a browser decodes it (entities, tabs)."""
    wanted = needle.lower()
    places = []
    for number, line in lines:
        lowered = line.lower()
        count = lowered.count(wanted) or _URL_NOISE.sub("", html_lib.unescape(lowered)).count(wanted)
        places.extend([number] * count)
    return places


def _may_match(text: str) -> bool:
    return "<" in text or "](" in text


def _image(rel: str, line: int, column: int, alt: str | None, src: str, root: Path, media: Media, markdown: bool
           ) -> Iterator[Problem]:
    """`alt` is the image's text alternative: None when there is none (or only spaces), "" when it is marked
    decorative (an explicit empty alt), which is valid: screen readers skip the image."""
    if alt is None or (alt and not alt.strip()):
        example, decorative = (("![A chart of weekly sales](sales.png)", '![](border.png){: alt=""}') if markdown
                               else ('<img alt="A chart of weekly sales" …>', '<img alt="" …>'))
        yield Problem(rel, line, column, None, "image without alt text",
                      f"describe the image for people who cannot see it, e.g. {example}; if it is only decoration "
                      f"and says nothing the text does not, mark it decorative with an empty alt: {decorative}",
                      code="no-alt-text")
    if re.match(r"^(https?:)?//", src, re.IGNORECASE):
        try:
            media.take(html_lib.unescape(src))
        except MediaError as exc:
            yield Problem(rel, line, column, None, exc.message, exc.hint, code="remote-image")
    elif src and not re.match(r"^[a-z]+:|^#", src):
        target = (root / src.lstrip("/")) if src.startswith("/") else (root / rel).parent / src
        if not inside_file(root, target):
            yield Problem(rel, line, column, None, f"image '{src}' does not exist",
                          "add the image next to this file, or correct the path", code="missing-file")


def _link(rel: str, line: int, column: int, target: str, root: Path) -> Iterator[Problem]:
    """A relative link to a file (another page's .md, a PDF, …) must lead to a file in the content folder."""
    path = target.split("#", 1)[0].split("?", 1)[0]
    if not path or re.match(r"^[a-z][a-z0-9+.-]*:|^//", path, re.IGNORECASE) or "." not in path.rsplit("/", 1)[-1]:
        return
    resolved = (root / path.lstrip("/")) if path.startswith("/") else (root / rel).parent / path
    if not inside_file(root, resolved):
        yield Problem(rel, line, column, None, f"link to '{target}' leads nowhere",
                      "link to an existing file, relative to this one (e.g. ../faq/some-question.md)",
                      "warning", "broken-link")


# The heading's text runs to its last character that is not a space, tab or closing `#`. Taken as whole
# runs of those and the character after, never retried: a lazy `(.*?)` rescanned the trailing run at every
# step (quadratic, ~100 s for a 200 KB line of spaces).
_ATX_H1 = re.compile(r" {0,3}#(?:[ \t]+((?:[ \t#]*+[^ \t#])*+))?[ \t#]*$")
_SETEXT_H1 = re.compile(r" {0,3}=+[ \t]*$")


def top_headings(rel: str, body: str, first_line: int) -> Iterator[Problem]:
    """A `# Heading` (or `===` underline) in a body: the page's title is already its one top-level heading."""
    previous = ""
    for number, line in code_free_lines(body, first_line):
        atx = _ATX_H1.match(line)
        text = atx.group(1) if atx else previous.strip() if _SETEXT_H1.match(line) and previous.strip() else None
        if text is not None:
            yield Problem(rel, number, 1, None, f"top-level heading '# {text}' in the body",
                          f"write '## {text}' (headings start at ##: the title is already the page's heading, "
                          "so a '#' heading shows a second title)", "warning", "top-heading")
        previous = line
