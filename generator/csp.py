"""Content-Security-Policy for built pages: a `<meta>` policy that runs only the theme's own inline scripts.

A page's inline script is hashed into `script-src` only if its text is one the theme's templates write
(`theme_scripts`), so a script that reached a page any other way (an escaping bug, a sanitiser gap) is left
out of the policy and browsers refuse to run it. Hashes are per page because Material writes the page's
depth into one of its scripts (`__md_scope=new URL("../..",location)`).
"""

from __future__ import annotations

import base64
import hashlib
import html as htmllib
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urlsplit

from .errors import ConfigError
from .settings import Settings

# The hosts pages.player.embed_url sends YouTube and Vimeo videos to (a test keeps the two in step).
EMBED_ORIGINS = ("https://www.youtube-nocookie.com", "https://player.vimeo.com")
# Script types a browser runs (HTML's "JavaScript MIME type essence match", plus module and the two JSON
# types CSP still checks); any other type is a data block (application/json, application/ld+json).
_RUN = {"", "module", "importmap", "speculationrules", "application/ecmascript", "application/javascript",
        "application/x-ecmascript", "application/x-javascript", "text/ecmascript", "text/javascript",
        "text/javascript1.0", "text/javascript1.1", "text/javascript1.2", "text/javascript1.3",
        "text/javascript1.4", "text/javascript1.5", "text/jscript", "text/livescript", "text/x-ecmascript",
        "text/x-javascript"}
# What a `{{ … }}` inside a theme script may stand for: a base URL such as `../..` or `/cop/`. No quote,
# backslash, bracket, comma, semicolon or space, so a value can neither leave a string nor call anything.
_TEMPLATE_VALUE = r"[\w./:~%-]*"
_TEMPLATE_SCRIPT = re.compile(r"<script>(.*?)</script>", re.DOTALL)
_JINJA = re.compile(r"{{.*?}}", re.DOTALL)
_HOST = re.compile(r"[a-z0-9.-]+|[0-9a-f:.]+")  # urlsplit lower-cases hostname and drops brackets


@dataclass(frozen=True)
class Secured:
    """A page with its policy, and what the policy blocks that the build should report."""

    html: str
    refused: tuple[str, ...] = ()  # inline scripts the theme did not write (not hashed: browsers block them)
    blocked_frames: tuple[str, ...] = ()  # video players outside frame-src (readers get the "Open on" link)


def secure(page: str, settings: Settings, theme: Sequence[re.Pattern[str]]) -> Secured:
    """The page with its Content-Security-Policy meta inserted at the top of <head> (after <meta charset>)."""
    scan = _scan(page)
    trusted = [s for s in scan.scripts if any(p.fullmatch(s) for p in theme)]
    refused = tuple(s for s in scan.scripts if s not in trusted)
    frames = tuple(url for url in scan.embeds if _origin(url) not in EMBED_ORIGINS)
    if scan.insert_at is None:
        return Secured(page, refused, frames)
    meta = f'<meta http-equiv="Content-Security-Policy" content="{_attribute(policy(settings, trusted))}">'
    return Secured(page[:scan.insert_at] + meta + page[scan.insert_at:], refused, frames)


def policy(settings: Settings, scripts: Iterable[str] = ()) -> str:
    """The policy for a page whose trusted inline scripts are `scripts`."""
    directives = {
        # Everything not named below comes from the site itself (fonts are system fonts: theme.font false).
        "default-src": ["'self'"],
        # Theme scripts by hash, never 'unsafe-inline'. Pagefind compiles its WebAssembly in the page (and in
        # its worker), which needs 'wasm-unsafe-eval'; it allows no JavaScript eval.
        "script-src": ["'self'", "'wasm-unsafe-eval'", *sorted({sha256(s) for s in scripts})],
        # Style attributes stay: Practica writes sizes and colours as custom properties (style="--pr-size:48px")
        # and Material positions tooltips through them; hashing them would need 'unsafe-hashes' and would break
        # on instant navigation, whose new page runs under the first page's policy. An attribute cannot select
        # elements, so it cannot read the page; <style> elements can, so those come only from files
        # (style-src-elem). Browsers without the -elem/-attr split fall back to style-src.
        "style-src": ["'self'", "'unsafe-inline'"],
        "style-src-elem": ["'self'"],
        "style-src-attr": ["'unsafe-inline'"],
        # Photos, posters and icons are the site's; Material's CSS icons are data: SVGs; introduced readers'
        # photos come from the community service (re-encoded there). Nothing is fetched from third parties
        # (DESIGN.md: privacy, offline), so an image in a body pointing elsewhere stays blank.
        "img-src": ["'self'", "data:", *_push_origin(settings)],
        "media-src": ["'self'"],
        # Only the players the click-to-load facade opens.
        "frame-src": list(EMBED_ORIGINS),
        # The page's scripts fetch pages (instant navigation), search chunks and the push service.
        "connect-src": ["'self'", *_push_origin(settings)],
        "worker-src": ["'self'"],  # the service worker and Pagefind's worker
        "manifest-src": ["'self'"],
        "form-action": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        # frame-ancestors is ignored in a meta policy: hosts send it as a header (README, "Hosting").
    }
    return "; ".join(f"{name} {' '.join(values)}" for name, values in directives.items())


def sha256(script: str) -> str:
    """The CSP source for an inline script: 'sha256-<base64 of the SHA-256 of its text>'."""
    return "'sha256-" + base64.b64encode(hashlib.sha256(script.encode("utf-8")).digest()).decode("ascii") + "'"


def theme_scripts(templates: Iterable[str]) -> tuple[re.Pattern[str], ...]:
    """Patterns of the bare inline <script>s in theme template sources; `{{ … }}` matches a URL-like value."""
    patterns = []
    for source in templates:
        for body in _TEMPLATE_SCRIPT.findall(source):
            if "{%" in body or "{#" in body:
                continue  # logic inside a script cannot be matched safely: such a script stays blocked
            parts = _JINJA.split(_newlines(body))
            patterns.append(re.compile(_TEMPLATE_VALUE.join(re.escape(p) for p in parts), re.DOTALL))
    return tuple(dict.fromkeys(patterns))


def meta_policy(page: str) -> str | None:
    """The policy of a page's Content-Security-Policy meta, if it has one in <head>."""
    return _scan(page).policy


def _push_origin(settings: Settings) -> list[str]:
    url = settings.practica.push_url
    if not url:
        return []
    origin = _origin(url)
    if origin is None:
        raise ConfigError(f"extra.practica.push_url: '{url}' is not an http(s) URL with a host name")
    return [origin]


def _origin(url: str) -> str | None:
    """scheme://host[:port] of an http(s) URL, or None when it is not one (or would not be safe in a policy)."""
    try:
        parts = urlsplit(url.strip())
        host, port = parts.hostname or "", parts.port
    except ValueError:
        return None
    if parts.scheme not in ("http", "https") or not _HOST.fullmatch(host):
        return None
    host = f"[{host}]" if ":" in host else host
    return f"{parts.scheme}://{host}" + (f":{port}" if port else "")


def _attribute(text: str) -> str:
    """Escaped for a double-quoted attribute, leaving the policy's single quotes readable."""
    return htmllib.escape(text, quote=False).replace('"', "&quot;")


def _newlines(text: str) -> str:
    """Text as a browser's parser sees it (CR LF and lone CR become LF before any hashing)."""
    return text.replace("\r\n", "\n").replace("\r", "\n")


@dataclass
class _Scan:
    scripts: list[str] = field(default_factory=list)  # distinct inline executable scripts, in page order
    embeds: list[str] = field(default_factory=list)
    insert_at: int | None = None
    policy: str | None = None


class _Scanner(HTMLParser):
    """One pass over a page: inline scripts, video embeds, and where the policy goes in <head>."""

    def __init__(self, page: str) -> None:
        super().__init__(convert_charrefs=True)
        self.found = _Scan()
        self._lines = [0] + [m.end() for m in re.finditer(r"\n", page)]
        self._in_head = False
        self._head_empty = False
        self._script: list[str] | None = None

    def _offset(self) -> int:
        line, column = self.getpos()
        return self._lines[line - 1] + column

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        end = self._offset() + len(self.get_starttag_text() or "")
        if tag == "head" and self.found.insert_at is None:
            self._in_head, self._head_empty, self.found.insert_at = True, True, end
            return
        if self._in_head:
            self._in_head_tag(tag, values, end)
        if tag == "script" and not values.get("src") and _runs(values):
            self._script = []
        if tag == "body":
            self._in_head = False
        if values.get("data-embed"):
            self.found.embeds.append(values["data-embed"] or "")

    def _in_head_tag(self, tag: str, values: dict[str, str | None], end: int) -> None:
        if tag == "meta" and "charset" in values and self._head_empty:
            self.found.insert_at = end  # the charset must stay in the first 1024 bytes, before anything else
        elif tag == "meta" and (values.get("http-equiv") or "").lower() == "content-security-policy":
            self.found.policy = self.found.policy or values.get("content")
        self._head_empty = False

    def handle_data(self, data: str) -> None:
        if self._script is not None:
            self._script.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "head":
            self._in_head = False
        if tag == "script" and self._script is not None:
            text = _newlines("".join(self._script))
            if text not in self.found.scripts:
                self.found.scripts.append(text)
            self._script = None


def _runs(attrs: dict[str, str | None]) -> bool:
    """Whether a browser executes a <script> with these attributes (else it is a data block)."""
    if "type" in attrs:
        kind = attrs["type"] or ""
    else:
        language = attrs.get("language") or ""
        kind = "text/" + language if language else ""
    return kind.strip().lower() in _RUN


def _scan(page: str) -> _Scan:
    scanner = _Scanner(page)
    scanner.feed(page)
    scanner.close()
    return scanner.found
