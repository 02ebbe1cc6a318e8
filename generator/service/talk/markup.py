"""Readers' text: Markdown-lite to safe HTML and plain text, with @mentions of the site's people.

Two independent layers, so a mistake in one is caught by the other. The parser (markdown-it-py, CommonMark)
knows only paragraphs, line breaks, emphasis, lists, code and links, with raw HTML off: it cannot write a tag
it was not asked for, and anything else it reads (HTML, headings, tables, images) stays literal text. Then nh3
keeps only the tags, attributes and URL schemes those produce. Limits keep every post cheap to render.
"""

from __future__ import annotations

import re
from collections import OrderedDict
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urljoin, urlsplit

import nh3
from markdown_it import MarkdownIt
from markdown_it.rules_core import StateCore
from markdown_it.rules_inline import StateInline
from markdown_it.token import Token

from ...errors import PracticaError
from ..models import Ref

MAX_CHARS = 10_000
MAX_LINES = 500
MAX_LINKS = 50  # mentions included: a post is text, not a list of links
MAX_MENTIONS = 20  # people notified by one post
MAX_DEPTH = 4  # lists inside lists

TAGS = frozenset({"p", "br", "em", "strong", "code", "pre", "ul", "ol", "li", "a"})
ATTRIBUTES: dict[str, set[str]] = {"*": set(), "a": {"href"}}  # "*" empty, or nh3 keeps lang and title
CLASSES = {"a": {"pr-mention"}}
URL_SCHEMES = frozenset({"http", "https", "mailto"})
REL = "ugc nofollow noopener"
MENTION_CLASS = "pr-mention"

_BREAKS = {"softbreak": " ", "hardbreak": " "}
_LINE_ENDS = re.compile("\r\n?|[\u2028\u2029\x85]")
# Controls (but newline and tab) and the bidi embeddings, overrides and isolates that make text read
# differently from how it is stored.
_UNWANTED = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
# A person id (generator/content/models.py's SLUG_RE) after an `@` that does not end a word or an address,
# and not followed by more of one (`ann@example.org`, `@ada@example.org`, `@ada.org` are no mentions).
_MENTION = re.compile(r"(?<![\w@.+-])@([a-z0-9]+(?:-[a-z0-9]+)*)(?![\w@]|[.-]\w)")


class PostRejected(PracticaError):
    """A post that is not rendered; `code` names the rule for the API's error shape, the message says why."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


@dataclass(frozen=True)
class Rendered:
    """A post as safe HTML, as plain text (notifications, reports, feeds) and the people it mentions."""

    html: str
    text: str
    mentions: tuple[str, ...]


def render(text: str, people: Mapping[str, Ref], site_url: str) -> Rendered:
    """`text` rendered, mentions linked to `people`'s profiles; PostRejected if it breaks a limit."""
    source = _bounded(_normalised(text))
    tokens = _PARSER.parse(source, {"people": people, "site_url": site_url})
    mentions = _checked(tokens)
    html = _PARSER.renderer.render(tokens, _PARSER.options, {})
    return Rendered(clean(html), _plain(tokens), mentions)


class Renderer:
    """`render` with the last feed's people and site URL, remembering the last `size` results: posts are stored
    as their source and rendered on every read (a renamed person's mentions follow), and a thread of 200 posts
    takes 55–90 ms to read cold, ≈ 5 ms warm (bench/BENCHMARKS.md). A new feed (`generation`) forgets all."""

    def __init__(self, size: int = 4096) -> None:
        self.size, self.generation = size, ""
        self._done: OrderedDict[str, Rendered] = OrderedDict()

    def __call__(self, text: str, people: Mapping[str, Ref], site_url: str, generation: str) -> Rendered:
        if generation != self.generation:
            self._done.clear()
            self.generation = generation
        found = self._done.get(text)
        if found is None:
            found = self._done[text] = render(text, people, site_url)
            if len(self._done) > self.size:
                self._done.popitem(last=False)
        else:
            self._done.move_to_end(text)
        return found


def clean(html: str) -> str:
    """The HTML with everything outside the readers' allowlist removed, and `rel` set on every link."""
    return nh3.clean(html, tags=set(TAGS), clean_content_tags=set(), attributes=ATTRIBUTES,
                     allowed_classes=CLASSES, url_schemes=set(URL_SCHEMES), attribute_filter=_kept,
                     strip_comments=True, link_rel=REL)


def link_allowed(url: str) -> bool:
    """An absolute http(s) URL with a host, or a mailto: nothing relative, nothing that runs."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    return parts.scheme == "mailto" or (parts.scheme in ("http", "https") and bool(parts.hostname))


def _kept(tag: str, attribute: str, value: str) -> str | None:
    return value if attribute != "href" or link_allowed(value) else None


def _normalised(text: str) -> str:
    return _UNWANTED.sub("", _LINE_ENDS.sub("\n", text))


def _bounded(text: str) -> str:
    if not text.strip():
        raise PostRejected("post_empty", "the post is empty: write something")
    if len(text) > MAX_CHARS:
        raise PostRejected("post_too_long", f"the post has {len(text):,} characters; at most {MAX_CHARS:,} fit")
    lines = text.count("\n") + 1
    if lines > MAX_LINES:
        raise PostRejected("post_too_long", f"the post has {lines:,} lines; at most {MAX_LINES} fit")
    return text


def _checked(tokens: Sequence[Token]) -> tuple[str, ...]:
    """The people mentioned, once the post is known to stay within the limits on links and lists."""
    links = [t for t in _inline(tokens) if t.type == "link_open"]
    if len(links) > MAX_LINKS:
        raise PostRejected("too_many_links", f"the post has {len(links)} links; at most {MAX_LINKS} fit")
    depth = max((t.level // 2 + 1 for t in tokens if t.type.endswith("_list_open")), default=0)
    if depth > MAX_DEPTH:
        raise PostRejected("lists_too_deep", f"lists go {depth} deep; at most {MAX_DEPTH} lists inside each other")
    mentions = tuple(dict.fromkeys(t.meta["mention"] for t in links if "mention" in t.meta))
    if len(mentions) > MAX_MENTIONS:
        raise PostRejected("too_many_mentions", f"the post mentions {len(mentions)} people; at most "
                                                f"{MAX_MENTIONS} can be notified by one post")
    return mentions


def _inline(tokens: Sequence[Token]) -> Iterator[Token]:
    for token in tokens:
        yield from token.children or ()


def _plain(tokens: Sequence[Token]) -> str:
    """Text without markup, whitespace folded: inline text as written, code as code, blocks apart."""
    pieces = (token.content if token.type in ("fence", "code_block") else _inline_text(token) for token in tokens)
    return " ".join(" ".join(pieces).split())


def _inline_text(token: Token) -> str:
    return "".join(c.content if c.type in ("text", "code_inline") else _BREAKS.get(c.type, "")
                   for c in token.children or ())


# The parser: one instance, shared (markdown-it keeps no state between parses; a parse's state is its own).

def _image_stays_text(state: StateInline, silent: bool) -> bool:
    """`![` is text: a reader's post shows no images (a remote one is a tracking pixel), nor a link for one."""
    if not state.src.startswith("![", state.pos):
        return False
    if not silent:
        state.pending += "!["
    state.pos += 2
    return True


def _link_mentions(state: StateCore) -> None:
    """`@person-id` in text (not in code, not in a link) becomes a link to that person's profile."""
    for token in state.tokens:
        if token.children:
            token.children = list(_with_mentions(token.children, state.env))


def _with_mentions(children: list[Token], env: Mapping[str, Any]) -> Iterator[Token]:
    in_link = 0
    for token in children:
        in_link += {"link_open": 1, "link_close": -1}.get(token.type, 0)
        if token.type == "text" and not in_link:
            yield from _split(token.content, env["people"], env["site_url"])
        else:
            yield token


def _split(text: str, people: Mapping[str, Ref], site_url: str) -> Iterator[Token]:
    start = 0
    for match in _MENTION.finditer(text):
        person = people.get(match.group(1))
        if person is not None:
            yield from _text(text[start:match.start()])
            yield from _mention(person, site_url)
            start = match.end()
    yield from _text(text[start:])


def _text(content: str) -> Iterator[Token]:
    if content:
        yield Token("text", "", 0, content=content)


def _mention(person: Ref, site_url: str) -> Iterator[Token]:
    yield Token("link_open", "a", 1, attrs={"href": urljoin(site_url, person.url), "class": MENTION_CLASS},
                meta={"mention": person.id})
    yield from _text("@" + person.name)
    yield Token("link_close", "a", -1)


def _parser() -> MarkdownIt:
    parser = MarkdownIt("zero", {"html": False, "breaks": True, "linkify": False, "typographer": False})
    parser.enable(["newline", "escape", "entity", "emphasis", "backticks", "link", "autolink",
                   "list", "code", "fence"])
    parser.inline.ruler.before("link", "image_stays_text", _image_stays_text)
    # Before text_join, so an escaped `\@` (a token of its own until then) is no mention.
    parser.core.ruler.before("text_join", "mentions", _link_mentions)
    parser.validateLink = link_allowed  # type: ignore[method-assign]
    return parser


_PARSER = _parser()
