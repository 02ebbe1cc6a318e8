"""Small rewrites of rendered HTML that Markdown cannot express."""

from __future__ import annotations

import html as html_lib
import re
from collections.abc import Callable

_IMG = re.compile(r"<img\b[^>]*>", re.IGNORECASE)
_SRC = re.compile(r'\bsrc="([^"]+)"')
_HAS_SIZE = re.compile(r"\b(width|height)=", re.IGNORECASE)


def point_images(html: str, new_src: Callable[[str], str | None]) -> str:
    """Give every <img> the src `new_src(src)` returns (None: its own). The src is HTML-escaped as written."""
    def fix(match: re.Match[str]) -> str:
        tag = match.group(0)
        src = _SRC.search(tag)
        if src is None:
            return tag
        target = new_src(html_lib.unescape(src.group(1)))
        if target is None:
            return tag
        return tag[:src.start(1)] + html_lib.escape(target) + tag[src.end(1):]
    return _IMG.sub(fix, html)


def size_images(html: str, size_of: Callable[[str], tuple[int, int] | None]) -> str:
    """Give every <img> without dimensions its width and height (no layout shift while it loads), and
    let it load lazily. `size_of(src)` returns the pixel size of the image a src points to, or None."""
    def fix(match: re.Match[str]) -> str:
        tag = match.group(0)
        src = _SRC.search(tag)
        if _HAS_SIZE.search(tag) or src is None:
            return tag
        size = size_of(src.group(1))
        if size is None:
            return tag
        extra = f' width="{size[0]}" height="{size[1]}"'
        if "loading=" not in tag:
            extra += ' loading="lazy" decoding="async"'
        return tag[:-1].rstrip("/").rstrip() + extra + ">"
    return _IMG.sub(fix, html)
