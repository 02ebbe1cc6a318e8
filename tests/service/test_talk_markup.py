"""Readers' text (issue 17): hostile Markdown and HTML come out as text, links only http(s)/mailto with
`rel="ugc nofollow noopener"`, @mentions of real people only, limits refused, rendering linear.

Every rendering is checked by parsing it and walking every element and attribute against the allowlist,
written out here on its own rather than read from the module under test."""

from __future__ import annotations

import os
import random
import subprocess
import sys
from urllib.parse import urlsplit

import pytest
from bs4 import BeautifulSoup, Tag

from generator.errors import PracticaError
from generator.service.models import Ref
from generator.service.talk import markup
from generator.service.talk.markup import PostRejected, Rendered, clean, render
from tests.conftest import ROOT
from tests.soup import attr, one

SITE = "https://learn.example.org/"
PEOPLE = {p.id: p for p in (Ref("ada", "Ada Lovelace", SITE + "people/ada/", "ada@example.org"),
                            Ref("grace-hopper", "Grace Hopper", SITE + "people/grace-hopper/"),
                            Ref("mallory", "<b>Mallory</b> & co", SITE + "people/mallory/"))}
ALLOWED_TAGS = {"p", "br", "em", "strong", "code", "pre", "ul", "ol", "li", "a"}
REL = ["ugc", "nofollow", "noopener"]


def soup(html: str) -> BeautifulSoup:
    return BeautifulSoup(html, "html.parser")


def assert_safe(html: str) -> BeautifulSoup:
    """Every element is allowed; only links carry attributes: an http(s)/mailto href, the rel, the mention class."""
    doc = soup(html)
    for element in doc.find_all(True):
        assert element.name in ALLOWED_TAGS, html
        if element.name != "a":
            assert element.attrs == {}, html
            continue
        assert set(element.attrs) <= {"href", "rel", "class"}, html
        assert element.get("rel") == REL, html
        assert element.get("class") in (None, ["pr-mention"]), html
        href = element.get("href")
        assert href is None or urlsplit(str(href)).scheme in ("http", "https", "mailto"), html
    return doc


def shown(text: str) -> Rendered:
    rendered = render(text, PEOPLE, SITE)
    assert_safe(rendered.html)
    return rendered


def links(rendered: Rendered) -> list[Tag]:
    return soup(rendered.html).find_all("a")


def visible(rendered: Rendered) -> str:
    return soup(rendered.html).get_text()


# Each must render as text: no element but p/br, no link, and what was written readable on the page.
STAYS_TEXT = {
    "script": "<script>alert(1)</script>",
    "img onerror": "<img src=x onerror=alert(1)>",
    "html link": '<a href="javascript:alert(1)">x</a>',
    "svg onload": "<svg onload=alert(1)>",
    "iframe": '<iframe src="https://evil.example/"></iframe>',
    "onclick": '<b onclick="alert(1)">x</b>',
    "onmouseover unquoted": "<p onmouseover=alert(1)>x</p>",
    "attribute break-out": 'x" onmouseover="alert(1)',
    "style": "<style>body{display:none}</style>",
    "comment": "<!-- <script>alert(1)</script> -->",
    "attribute list": "para\n{: onclick=alert(1) .big }",
    "inline attribute list": "*x*{: onclick=alert(1)}",
    "javascript": "[x](javascript:alert(1))",
    "mixed case": "[x](JaVaScRiPt:alert(1))",
    "tab entity": "[x](java&#x09;script:alert(1))",
    "colon entity": "[x](javascript&colon;alert(1))",
    "letter entity": "[x](&#106;avascript:alert(1))",
    "data": "[x](data:text/html,<script>alert(1)</script>)",
    "data base64": "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "vbscript": "[x](vbscript:msgbox(1))",
    "file": "[x](file:///etc/passwd)",
    "zero width": "[x](java\u200bscript:alert(1))",
    "zero width first": "[x](\u200bjavascript:alert(1))",
    "relative": "[x](/admin)",
    "protocol relative": "[x](//evil.example/)",
    "bold javascript": "**[a](javascript:b)**",
    "reference definition": "[a]: javascript:b\n\n[a]",
    "reference with link": "[a][b]\n\n[b]: javascript:alert(1)",
    "autolink javascript": "<javascript:alert(1)>",
    "autolink data": "<data:text/html,x>",
    "image": "![alt](https://tracker.example/pixel.png)",
    "image with title": '![a](https://tracker.example/p.png "t")',
    "heading": "# Heading",
    "setext heading": "Heading\n=======",
    "table": "| a | b |\n|---|---|\n| 1 | 2 |",
    "quote": "> quoted",
    "rule": "***",
    "strikethrough": "~~gone~~",
    "html entity markup": "&lt;script&gt;alert(1)&lt;/script&gt;",
}


@pytest.mark.parametrize("text", STAYS_TEXT.values(), ids=STAYS_TEXT.keys())
def test_hostile_input_stays_text(text: str) -> None:
    rendered = shown(text)
    doc = soup(rendered.html)
    assert {e.name for e in doc.find_all(True)} <= {"p", "br", "em", "strong"}, rendered.html


@pytest.mark.parametrize(("text", "literal"), [
    ("<script>alert(1)</script>", "<script>alert(1)</script>"),
    ("<img src=x onerror=alert(1)>", "<img src=x onerror=alert(1)>"),
    ("&lt;script&gt;", "<script>"),
    ("# Heading", "# Heading"),
    ("![alt](https://tracker.example/pixel.png)", "![alt](https://tracker.example/pixel.png)"),
    ("[x](javascript:alert(1))", "[x](javascript:alert(1))"),
    ("{: onclick=alert(1)}", "{: onclick=alert(1)}"),
])
def test_what_is_refused_is_shown_as_written(text: str, literal: str) -> None:
    rendered = shown(text)
    assert visible(rendered).strip() == literal
    assert rendered.text == literal


def test_a_link_inside_an_image_inside_a_link_makes_no_image_and_no_script_link() -> None:
    rendered = shown("[![x](https://y.example/)](javascript:z)")
    assert all(a["href"] == "https://y.example/" for a in links(rendered))
    assert "javascript:z" in visible(rendered)


def test_a_link_title_and_attributes_in_the_destination_are_not_kept() -> None:
    rendered = shown('[x](https://ok.example/ "onclick=alert(1)") [y](https://ok.example/" onclick="alert(1))')
    assert [dict(a.attrs) for a in links(rendered)] == [{"href": "https://ok.example/", "rel": REL}]


@pytest.mark.parametrize(("text", "href"), [
    ("[x](https://ok.example/a?b=1&c=2#d)", "https://ok.example/a?b=1&c=2#d"),
    ("[x](HTTP://ok.example/)", "HTTP://ok.example/"),
    ("<http://ok.example>", "http://ok.example"),
    ("<ann@example.org>", "mailto:ann@example.org"),
    ("[write](mailto:ann@example.org?subject=Hi)", "mailto:ann@example.org?subject=Hi"),
    ("[x](https://ok.example/<b>)", "https://ok.example/%3Cb%3E"),
])
def test_http_and_mailto_links_are_kept(text: str, href: str) -> None:
    assert [a["href"] for a in links(shown(text))] == [href]


def test_bare_urls_stay_text() -> None:
    """No linkify: a bare URL is text (readers write `<https://…>` or `[text](https://…)` for a link)."""
    assert links(shown("see https://ok.example/ now")) == []


def test_every_link_is_exactly_ugc_nofollow_noopener() -> None:
    rendered = shown("[a](https://a.example/) <https://b.example/> <ann@example.org> @ada **[c](http://c.example/)**")
    found = links(rendered)
    assert len(found) == 5
    assert all(a["rel"] == REL for a in found)
    assert ' rel="ugc nofollow noopener"' in rendered.html


def test_code_shows_markup_as_text() -> None:
    rendered = shown("```html\n<b>x</b> <script>y</script>\n```\n\n    <i>indented</i>\n\nand `<b>inline</b>`")
    doc = soup(rendered.html)
    assert [c.get_text() for c in doc.find_all("code")] == ["<b>x</b> <script>y</script>\n", "<i>indented</i>\n",
                                                          "<b>inline</b>"]
    assert doc.find("b") is None and doc.find("i") is None
    assert one(doc, "code").attrs == {}  # the language class is not kept


def test_markdown_lite_renders() -> None:
    rendered = shown("Hello *you* and **all**,\nsecond line\n\n- one\n- two\n  1. nested\n\n3. three\n4. four")
    doc = soup(rendered.html)
    assert [e.name for e in doc.find_all(True)] == ["p", "em", "strong", "br", "ul", "li", "li", "ol", "li", "ol",
                                                    "li", "li"]


# Mentions

def mentions_in(rendered: Rendered) -> list[tuple[str, str]]:
    return [(attr(a, "href"), a.get_text()) for a in soup(rendered.html).select("a.pr-mention")]


def test_a_known_person_is_linked_by_name() -> None:
    rendered = shown("thanks @ada!")
    assert mentions_in(rendered) == [(SITE + "people/ada/", "@Ada Lovelace")]
    assert rendered.mentions == ("ada",)
    assert rendered.text == "thanks @Ada Lovelace!"


def test_mentions_are_in_order_and_unique() -> None:
    rendered = shown("@grace-hopper, then @ada and @grace-hopper again")
    assert rendered.mentions == ("grace-hopper", "ada")
    assert len(mentions_in(rendered)) == 3


@pytest.mark.parametrize("text", [
    "@nobody here", "`@ada`", "```\n@ada\n```", "    @ada", "[ask @ada](https://ok.example/)", "ann@example.org",
    "<ada@example.org>", "@ada@example.org", "@@ada", "\\@ada", "@Ada", "@ada.org", "@ada-x", "x@ada",
])
def test_no_mention(text: str) -> None:
    rendered = shown(text)
    assert rendered.mentions == ()
    assert mentions_in(rendered) == []


@pytest.mark.parametrize(("text", "after"), [
    ("@ada.", "."), ("@ada,", ","), ("@ada's", "'s"), ("(@ada)", ")"), ("@ada-", "-"), ("@ada:", ":"),
])
def test_punctuation_after_a_mention_is_text(text: str, after: str) -> None:
    rendered = shown(text)
    assert rendered.mentions == ("ada",)
    assert visible(rendered).strip().endswith("@Ada Lovelace" + after)


def test_mentions_in_emphasis_and_lists_are_linked() -> None:
    assert shown("- **@ada** and *@grace-hopper*").mentions == ("ada", "grace-hopper")


def test_a_persons_name_is_text_and_a_bad_profile_url_is_dropped() -> None:
    people = {"mallory": Ref("mallory", "<b>Mallory</b>", "javascript:alert(1)")}
    rendered = render("@mallory", people, SITE)
    doc = assert_safe(rendered.html)
    assert doc.find("b") is None
    assert one(doc, "a").get_text() == "@<b>Mallory</b>"
    assert "href" not in one(doc, "a").attrs  # the cleaner's layer on its own


# Unicode, controls, line endings

def test_bidi_overrides_and_controls_are_removed() -> None:
    rendered = shown("invoice\u202eexe.pdf \u2066x\u2069 a\x00b\x07c\x1bd\x7f\x9b")
    for char in ("\u202e", "\u2066", "\u2069", "\x00", "\x07", "\x1b", "\x7f", "\x9b"):
        assert char not in rendered.html and char not in rendered.text
    assert rendered.text == "invoiceexe.pdf x abcd"


def test_line_endings_are_normalised() -> None:
    assert shown("a\r\nb\rc\u2028d").html == "<p>a<br>\nb<br>\nc<br>\nd</p>\n"


# Plain text

def test_plain_text_has_no_markup_and_folded_whitespace() -> None:
    rendered = shown("**Hello**  @ada,\n\nsee [the *lesson*](https://ok.example/x)\n\n- one\n- `two`\n\n```\nthree\n\n"
                     "four\n```\n\n&lt;b&gt;")
    assert rendered.text == "Hello @Ada Lovelace, see the lesson one two three four <b>"


# Limits

def test_at_the_limits_a_post_renders() -> None:
    shown("x" * markup.MAX_CHARS)
    shown("x\n" * (markup.MAX_LINES - 1) + "x")
    shown(" ".join(["<https://ok.example/>"] * markup.MAX_LINKS))
    shown("".join("  " * depth + "- x\n" for depth in range(markup.MAX_DEPTH)))


@pytest.mark.parametrize(("text", "code"), [
    ("x" * (markup.MAX_CHARS + 1), "post_too_long"),
    ("x\n" * markup.MAX_LINES + "x", "post_too_long"),
    (" ".join(["<https://ok.example/>"] * (markup.MAX_LINKS + 1)), "too_many_links"),
    (" ".join(["@ada"] * (markup.MAX_LINKS + 1)), "too_many_links"),
    ("".join("  " * depth + "- x\n" for depth in range(markup.MAX_DEPTH + 1)), "lists_too_deep"),
    ("".join("   " * depth + "1. x\n" for depth in range(markup.MAX_DEPTH + 1)), "lists_too_deep"),
    ("- " * 5000, "lists_too_deep"),
    ("", "post_empty"),
    (" \n\t\u202e\x00 ", "post_empty"),
])
def test_a_post_over_a_limit_is_refused_with_a_reason(text: str, code: str) -> None:
    with pytest.raises(PostRejected) as caught:
        render(text, PEOPLE, SITE)
    assert caught.value.code == code
    assert isinstance(caught.value, PracticaError) and str(caught.value)


def test_too_many_people_mentioned_is_refused() -> None:
    people = {f"p{n}": Ref(f"p{n}", f"P {n}", f"{SITE}people/p{n}/") for n in range(markup.MAX_MENTIONS + 1)}
    assert len(render(" ".join(f"@p{n}" for n in range(markup.MAX_MENTIONS)), people, SITE).mentions) == 20
    with pytest.raises(PostRejected) as caught:
        render(" ".join(f"@{p}" for p in people), people, SITE)
    assert caught.value.code == "too_many_mentions"


# The cleaner on its own: the second layer, as if the parser had let something through

def test_the_cleaner_alone_keeps_only_the_allowlist() -> None:
    hostile = ('<p onclick="x" class="pr-mention" style="color:red">a<script>b</script><img src=x onerror=y>'
               '<a href="javascript:x" target="_blank" title="t" class="pr-mention evil">c</a>'
               '<a href="/relative">d</a><a href="data:text/html,x">e</a><iframe src="https://e.example/"></iframe>'
               '<svg onload=x><circle/></svg><h1>f</h1><table><tr><td>g</td></tr></table>'
               '<a href="https://ok.example/" rel="opener">h</a></p>')
    doc = assert_safe(clean(hostile))
    assert [dict(a.attrs) for a in doc.find_all("a")] == [
        {"class": ["pr-mention"], "rel": REL}, {"rel": REL}, {"rel": REL}, {"href": "https://ok.example/", "rel": REL}]


# Any mixture of the characters Markdown and HTML care about stays inside the allowlist.

PIECES = ["<", ">", "[", "]", "(", ")", "!", "`", "```", "*", "**", "_", "~", "#", "|", "-", "1.", "\n", "\n\n",
          "  ", "    ", "\\", "&", "&#x6a;", "&lt;", ";", ":", '"', "'", "=", "@ada", "@", "javascript:", "JAVASCRIPT:",
          "data:", "mailto:", "https://ok.example/", "//", "onerror=alert(1)", "script", "img", "a href=", "{:",
          "\u202e", "\u200b", "\t", "x"]


def test_random_mixtures_stay_inside_the_allowlist() -> None:
    rng = random.Random(17)
    for _ in range(2000):
        text = "".join(rng.choice(PIECES) for _ in range(rng.randint(1, 40)))
        try:
            rendered = render(text, PEOPLE, SITE)
        except PostRejected:
            continue
        assert_safe(rendered.html)
        assert set(rendered.mentions) <= {"ada"}


# Rendering is linear: 10,000 hostile characters render in a small fraction of a CPU second each.

N = markup.MAX_CHARS
HOSTILE = {
    "angle brackets": ">" * N, "quote nesting": "> " * (N // 2), "list nesting": "* " * (N // 2),
    "list lines": "".join("  " * (i % 4) + "* x\n" for i in range(N // 10))[:N],
    "stars": "*" * N, "underscores": "_" * N, "star words": "*a **" * (N // 5), "mixed emphasis": "*a_" * (N // 3),
    "closers then openers": "a**" * (N // 6) + "**a" * (N // 6),
    "open brackets": "[" * N, "brackets": "[" * (N // 2) + "]" * (N // 2),
    "nested labels": "[a" * (N // 2 - 2) + "](x)",
    "link starts": "[a](" * (N // 4), "link titles": '[a](b "' * (N // 7), "angle destinations": "[a](<" * (N // 5),
    "images": "![" * (N // 2), "backticks": "`" * N, "backtick runs": "".join("`" * i + "x" for i in range(1, 140)),
    "backtick mixture": "a`a``a" * (N // 6), "ats": "@" * N, "at words": "@a" * (N // 2),
    "mentions": "@ada " * (N // 100), "emails": "a@ada." * (N // 6), "autolinks": "<http:" * (N // 6),
    "mail autolinks": "<a@" * (N // 3), "entities": "&#" * (N // 2), "backslashes": "\\" * N,
    "escaped brackets": "\\[" * (N // 2), "fences": "```\n" * (N // 4), "lines": "a\n" * (markup.MAX_LINES - 1),
}
CPU_SECONDS = 2
# The child imports the renderer first; the limit then counts from the CPU time that took.
CHILD = """
import resource, sys
from generator.service.models import Ref
from generator.service.talk.markup import PostRejected, render
used = resource.getrusage(resource.RUSAGE_SELF)
limit = int(used.ru_utime + used.ru_stime) + 1 + {seconds}
resource.setrlimit(resource.RLIMIT_CPU, (limit, limit))
try:
    render(sys.stdin.read(), {{"ada": Ref("ada", "Ada", "https://learn.example.org/people/ada/")}},
           "https://learn.example.org/")
except PostRejected:
    pass
"""


@pytest.mark.parametrize("text", HOSTILE.values(), ids=HOSTILE.keys())
def test_hostile_input_renders_in_bounded_cpu_time(text: str) -> None:
    """CPU time of a child process, which the kernel stops past the limit (SIGXCPU): no timed assert, and other
    processes on the machine do not count. Each of these takes about 0.1 s; a quadratic step over 10,000
    characters would take tens of seconds, so the limit sits far from both."""
    assert len(text) <= N
    done = subprocess.run([sys.executable, "-c", CHILD.format(seconds=CPU_SECONDS)], input=text, text=True,
                          capture_output=True, cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)}, check=False)
    assert done.returncode == 0, f"more than {CPU_SECONDS} s of CPU ({done.returncode}): {done.stderr[-2000:]}"
