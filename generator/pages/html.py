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


_HTML_LANG = re.compile(r'<html lang="[^"]*"')
_BODY_DIR = re.compile(r'<body dir="[^"]*"')
# The theme's chrome (header, navigation, footer) is in the site's language whatever the page's is.
_CHROME = re.compile(r'<(?:header|footer) class="md-(?:header|footer)\b|<div class="md-sidebar md-sidebar--primary"')


def set_language(page: str, lang: str, direction: str, site_lang: str, site_direction: str) -> str:
    """A page whose content is in another language than the site's: `<html lang dir>` say the content's (what
    screen readers, hyphenation, fonts and the search index go by), the theme's chrome keeps the site's."""
    page = _HTML_LANG.sub(f'<html lang="{lang}" dir="{direction}"', page, count=1)
    page = _BODY_DIR.sub(f'<body dir="{direction}"', page, count=1)
    return _CHROME.sub(lambda m: f'{m.group(0).split(" ", 1)[0]} lang="{site_lang}" dir="{site_direction}" '
                       f'{m.group(0).split(" ", 1)[1]}', page)
