"""The allowlist sanitiser, validation's report of what it removes, and text placed once as text."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from generator import sanitize
from generator.commands.report import _md as report_text
from generator.content import body, markup
from generator.pages.render import environment, split
from generator.pages.structured import dumps
from generator.settings import load_settings
from tests.soup import attr, one

ROOT = Path(__file__).resolve().parent.parent
EXTENSIONS = load_settings(ROOT / "mkdocs.yml").markdown_extensions

# (name, Markdown body, the 1-based body line the problem must be reported on)
PAYLOADS = [
    ("attribute list on a paragraph", "Hello\n{: onclick=alert(1) }", 2),
    ("attribute list on a heading", "## Hi { onclick=alert(1) }", 1),
    ("attribute list on an image", "Text\n\n![a](x.png){: onerror=alert(1) }", 3),
    ("multi-line tag", "Text\n\n<img\nsrc=x\nonerror=alert(1)>", 5),
    ("svg onload", "<svg/onload=alert(1)>", 1),
    ("details ontoggle", "Text\n\n<details/open/ontoggle=alert(1)>", 3),
    ("input onfocus", "<input/autofocus/onfocus=alert(1)>", 1),
    ("entity-encoded scheme", "See [x](jav&#x61;script:alert(1))", 1),
    ("reference link", "See [x][r]\n\n[r]: jav&#x61;script:alert(1)", 3),
    ("named-entity colon", "See [x](javascript&colon;alert(1))", 1),
    ("iframe srcdoc", 'Text\n\n<iframe srcdoc="<script>alert(1)</script>"></iframe>', 3),
    ("data iframe", '<iframe src="data:text/html,<script>alert(1)</script>"></iframe>', 1),
    ("data object", '<object data="data:text/html,<script>alert(1)</script>"></object>', 1),
    ("base", 'Text\n\n<base href="https://evil.example/">', 3),
    ("meta refresh", '<meta http-equiv="refresh" content="0;url=https://evil.example/">', 1),
    ("password form", '<form action="https://evil.example/"><input type="password"></form>', 1),
    ("style", "<style>body{display:none}</style>", 1),
    ("script", "Text\n\n<script>alert(1)</script>", 3),
    ("vbscript link", '<a href="vbscript:msgbox(1)">x</a>', 1),
    ("data link", "[x](data:text/html,hi)", 1),
    ("iframe from another host", '<iframe src="https://evil.example/"></iframe>', 1),
    ("video embed in a body", '<iframe src="https://www.youtube-nocookie.com/embed/x"></iframe>', 1),
    ("reserved id", '<div id="__config">x</div>', 1),
]


def _executable(html: str) -> list[str]:
    """Every tag, attribute or URL in `html` that could run script or load another document."""
    found = []
    for tag in BeautifulSoup(html, "html.parser").find_all(True):
        if tag.name in ("script", "style", "base", "meta", "form", "iframe", "object", "embed", "svg", "link"):
            found.append(f"<{tag.name}>")
        for name, value in tag.attrs.items():
            text = " ".join(value) if isinstance(value, list) else str(value)
            if name.startswith("on") or name in ("srcdoc", "style", "autofocus"):
                found.append(f"{name} on <{tag.name}>")
            if name in ("href", "src", "data", "action") and not sanitize.url_allowed(text):
                found.append(f"{name}={text!r} on <{tag.name}>")
            if name == "id" and text.startswith("__"):
                found.append(f"id {text!r}")
    return found


@pytest.mark.parametrize(("name", "source", "line"), PAYLOADS, ids=[p[0] for p in PAYLOADS])
def test_the_build_removes_every_payload(name: str, source: str, line: int) -> None:
    rendered = markup.to_html(source, EXTENSIONS)
    assert _executable(rendered), f"the payload {name!r} no longer produces markup: the test proves nothing"
    assert _executable(sanitize.clean(rendered)) == []


@pytest.mark.parametrize(("name", "source", "line"), PAYLOADS, ids=[p[0] for p in PAYLOADS])
def test_validation_reports_every_payload_at_its_line(name: str, source: str, line: int, tmp_path: Path) -> None:
    problems = list(body.check("learn/x.md", source, 10, tmp_path, EXTENSIONS))
    unsafe = [p for p in problems if p.code in ("script", "unsafe-html")]
    assert unsafe, f"{name}: nothing reported"
    assert {p.line for p in unsafe} == {10 + line - 1}, [(p.line, p.message) for p in unsafe]
    assert all(p.severity == "error" and p.hint for p in unsafe)


def test_what_markdown_makes_for_contributors_survives_cleaning() -> None:
    source = """## A heading

Text with **bold**, `code`, a [link](https://example.org), a [relative one](../faq/x/), [mail](mailto:a@b.org)
and a footnote[^1].

| left | right |
|:-----|------:|
| 1    | 2     |

!!! note "Remember"
    An admonition.

- [x] done
- [ ] to do

```python
x = 1
```

<iframe src="https://www.youtube-nocookie.com/embed/abc" title="A talk"></iframe>

[^1]: The note.
"""
    rendered = markup.to_html(source, EXTENSIONS)
    cleaned = BeautifulSoup(sanitize.clean(rendered), "html.parser")
    assert cleaned.select_one("h2#a-heading a.headerlink[href='#a-heading']")
    assert [a["href"] for a in cleaned.select("p a")][:3] == ["https://example.org", "../faq/x/", "mailto:a@b.org"]
    assert attr(one(cleaned, "td"), "style").replace(" ", "").startswith("text-align:left")
    assert one(cleaned, "div.admonition.note p.admonition-title").get_text() == "Remember"
    checkboxes = cleaned.select("li.task-list-item input")
    assert [c.get("type") for c in checkboxes] == ["checkbox", "checkbox"] and all(c.has_attr("disabled")
                                                                                   for c in checkboxes)
    assert cleaned.select_one("div.highlight code a[id^='__codelineno-']"), "code line anchors are kept"
    assert cleaned.select_one("iframe") is None, "embeds go through the video facade, not a body iframe"
    assert cleaned.select_one("div.footnote li[id='fn:1']")
    assert [r.what for r in sanitize.removals(rendered)] == ["<iframe> element"]


def test_template_values_never_become_markdown() -> None:
    """A value with a line break and a heading, in an HTML line of a template, stays in its HTML block."""
    hostile = "Analyst\n## ![a](n.png){: onerror=alert(1) }\u2028## again\r## and again"
    template = environment().from_string('<p class="role">{{ role }}</p>\n{{ role }}\n\n## {{ role | md }}\n')
    skeleton, blocks = split(template.render(role=hostile))
    markdown_lines = [line for line in skeleton.split("\n") if line.strip()]
    assert len(markdown_lines) == 2, markdown_lines  # the HTML lines' placeholder and the template's own heading
    assert markdown_lines[1].startswith("## Analyst \\#\\# \\!\\[a\\](n.png)\\{: onerror=alert(1) \\}")
    html = markup.to_html(skeleton, EXTENSIONS)
    heading = one(BeautifulSoup(html, "html.parser"), "h2")
    assert set(heading.attrs) == {"id"}
    assert "onerror=alert(1)" in heading.get_text()
    joined = "".join(blocks.values())
    assert one(BeautifulSoup(joined, "html.parser"), "p").get_text() == hostile.replace("\r", "\r")


def test_template_text_is_escaped_exactly_once() -> None:
    text = "It's \"#1\" & <b>bold</b>"
    html = environment().from_string('<p title="{{ t }}">{{ t }}</p>').render(t=text)
    paragraph = one(BeautifulSoup(html, "html.parser"), "p")
    assert paragraph.get_text() == text and paragraph["title"] == text


def test_json_ld_cannot_end_its_script_element() -> None:
    text = dumps({"name": "</script><script>alert(1)</script><!--"})
    assert "<" not in text and ">" not in text
    assert json.loads(text)["name"] == "</script><script>alert(1)</script><!--"


def test_report_markdown_shows_reader_text_as_text() -> None:
    shown = report_text("## ![a](x.png){: onerror=alert(1) }\u2028<img src=x onerror=alert(1)> @all")
    assert "\n" not in shown and "\u2028" not in shown
    assert "<" not in shown and "![" not in shown and " @" not in shown and "\\#\\#" in shown


@pytest.mark.parametrize("source", ["![A chart](https://example.org/chart.png)",
                                    '<img alt="A chart" src="//cdn.example/c.png">'])
def test_an_image_from_another_site_is_an_error(source: str, tmp_path: Path) -> None:
    """The pages' CSP loads images from the site only (privacy, offline): say so before it shows broken."""
    problems = [p for p in body.check("learn/x.md", "Text\n\n" + source, 5, tmp_path, EXTENSIONS)
                if p.code == "remote-image"]
    assert [(p.line, p.severity) for p in problems] == [(7, "error")]


SLOW_TO_RENDER = {"unclosed brackets": "[ " * 100_000, "unclosed tags": "<img " * 40_000,
                  "CDATA": "<![CDATA[ " * 20_000, "unclosed links": "[a](" * 50_000}
RENDER_CHILD = """
import resource, sys
from pathlib import Path
resource.setrlimit(resource.RLIMIT_CPU, (20, 20))
from generator.content import body
from generator.settings import load_settings
extensions = load_settings("mkdocs.yml").markdown_extensions
problems = list(body.check("learn/x.md", sys.stdin.read(), 9, Path("."), extensions))
print(" ".join(f"{p.line}:{p.code}" for p in problems if p.code == "too-complex"))
"""


@pytest.mark.parametrize("name", sorted(SLOW_TO_RENDER))
def test_a_body_markdown_renders_slowly_is_one_problem_within_its_budget(name: str) -> None:
    """Python-Markdown (and so MkDocs) is quadratic on these 200 KB bodies: minutes to most of an hour each.
    Validation stops rendering one after markup.BUDGET_SECONDS of CPU and reports it, so a build never
    renders it. The child gets 20 s of CPU (CPU time, not wall time: see test_linear_body.py)."""
    done = subprocess.run([sys.executable, "-c", RENDER_CHILD], input=SLOW_TO_RENDER[name], capture_output=True,
                          text=True, check=False, cwd=ROOT)
    assert done.returncode == 0, f"{name}: more than 20 s of CPU ({done.returncode}) {done.stderr[-500:]}"
    assert done.stdout.split() == ["9:too-complex"]
