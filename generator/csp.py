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
        # Hosts a site lists under extra.practica.media.embed are the exception it chose (pages say so).
        "img-src": ["'self'", "data:", *_push_origin(settings), *settings.practica.media.policy().embed_sources()],
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


# One linear pass with a tokenizer of regular expressions rather than html.parser, which cost ~10 ms a page
# (a third of a build). The policy's safety does not rest on finding every script the way a browser would:
# only texts that a theme template writes are ever hashed, so a script found wrongly (or missed) is at worst
# a theme script allowed where it does not run, or a script left blocked. Comments are consumed whole, so a
# script inside one is not a script; <style> bodies likewise, so their text is not markup.
_TOKENS = re.compile(
    r"<!--.*?(?:-->|\Z)"
    r"|<(?P<raw>script|style)\b(?P<attrs>[^<>]*)>(?P<body>.*?)(?:</(?P=raw)\s*>|\Z)"
    r"|<(?P<tag>head|meta|body)\b(?P<tag_attrs>[^<>]*)>",
    re.DOTALL | re.IGNORECASE)
# Apart, so that every branch above starts with "<" and the engine skips from one "<" to the next.
_EMBED = re.compile(r"data-embed\s*=\s*(?:\"([^\"]*)\"|'([^']*)')")
# A <meta charset> as the first thing in <head> (blanks and comments aside): the policy goes right after it.
_FIRST_CHARSET = re.compile(r"(?:\s|<!--.*?-->)*<meta\b(?P<attrs>[^<>]*)>", re.DOTALL | re.IGNORECASE)
_ATTR = re.compile(r"""([^\s"'>/=]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+)))?""")


def _attrs(text: str) -> dict[str, str | None]:
    """A tag's attributes as HTML reads them: names lower-cased, the first of a repeated name wins."""
    found: dict[str, str | None] = {}
    for m in _ATTR.finditer(text):
        value = next((v for v in m.groups()[1:] if v is not None), None)
        found.setdefault(m[1].lower(), htmllib.unescape(value) if value is not None else None)
    return found


def _scan(page: str) -> _Scan:
    found = _Scan()
    in_head = False
    for m in _TOKENS.finditer(page):
        if m["raw"] is not None:
            values = _attrs(m["attrs"])
            if m["raw"].lower() == "script" and not values.get("src") and _runs(values):
                text = _newlines(m["body"])
                if text not in found.scripts:
                    found.scripts.append(text)
            continue
        if m["tag"] is not None:
            tag, values = m["tag"].lower(), _attrs(m["tag_attrs"])
            if tag == "head" and found.insert_at is None:
                # The charset must stay in the first 1024 bytes, before anything else.
                first = _FIRST_CHARSET.match(page, m.end())
                charset = first is not None and "charset" in _attrs(first["attrs"])
                in_head, found.insert_at = True, first.end() if first and charset else m.end()
            elif tag == "body":
                in_head = False
            elif in_head and tag == "meta" and (values.get("http-equiv") or "").lower() == "content-security-policy":
                found.policy = found.policy or values.get("content")
    found.embeds = [htmllib.unescape(m[1] if m[1] is not None else m[2]) for m in _EMBED.finditer(page)]
    return found


def _runs(attrs: dict[str, str | None]) -> bool:
    """Whether a browser executes a <script> with these attributes (else it is a data block)."""
    if "type" in attrs:
        kind = attrs["type"] or ""
    else:
        language = attrs.get("language") or ""
        kind = "text/" + language if language else ""
    return kind.strip().lower() in _RUN
