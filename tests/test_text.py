"""Excerpts are plain text cut at a word: in indexes, hubs, profiles, feeds and push notification bodies."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from generator.cli import main
from generator.service.models import Preferences
from generator.service.push.feed import parse_feed
from generator.service.push.payload import encode, summarise
from generator.text import ELLIPSIS, excerpt, plain, summary
from tests.conftest import MINI, ROOT, write_config

WCAG = ("**WCAG 2.2, level AA**, for all websites, apps, documents and _internal_ tools, as `acceptance` "
        "criteria say in [the policy](https://example.org/p) and in every contract we sign with customers who "
        "buy from us, whether they are public bodies or large retailers with their own accessibility rules. "
        "That is also the level most customers require.\n")


@pytest.mark.parametrize(("markdown", "text"), [
    ("**WCAG 2.2, level AA**, for all", "WCAG 2.2, level AA, for all"),
    ("*a* _b_ __c__ ~~d~~ ==e== `f_g`", "a b c d e f_g"),
    ("keep snake_case and 2*3*4 as written", "keep snake_case and 2*3*4 as written"),
    ("[text](https://x.org/a_(b)) and ![alt](p.png) and <https://y.org>", "text and and https://y.org"),
    ("## Heading\n> quote\n- item\n1. first\n- [x] done", "Heading quote item first done"),
    ("| a | b |\n|---|---|\n| 1 | 2 |", "a b 1 2"),
    ('!!! note "Title"\n    Inside {: .big }', "Inside"),
    ("AT&amp;T &lt;b&gt; \\*not emphasis\\*", "AT&T <b> *not emphasis*"),
])
def test_plain_removes_markdown_syntax(markdown: str, text: str) -> None:
    assert plain(markdown) == text


@pytest.mark.parametrize("hostile", [
    "<script>alert(1)</script>Hello", "<img src=x onerror=alert(1)>Hello", "<!-- x -->Hello",
    "<style>*{}</style>Hello", "<script>alert(1)", "<b onclick='x()'>Hello</b>",
])
def test_plain_drops_html_and_scripts(hostile: str) -> None:
    assert plain(hostile).replace(" ", "") in ("Hello", "")
    assert "alert" not in plain(hostile) and "<" not in plain(hostile)


def test_excerpts_cut_at_a_word_boundary_with_an_ellipsis() -> None:
    text = "Forecasting is the craft of saying what will happen next, and how sure we are about it."
    cut = excerpt(text, 40)
    assert cut.endswith(ELLIPSIS) and len(cut) <= 40
    assert text.startswith(cut[:-1]) and text[len(cut) - 1] == " "
    assert excerpt(text, 200) == text
    assert excerpt("x" * 50, 10) == "x" * 9 + ELLIPSIS  # one word longer than the limit: cut anyway
    assert summary("Use e.g. a line chart. Then label it.") == "Use e.g. a line chart."
    assert summary("# Title\n\n![x](y.png)\n\nFirst\nparagraph. Second.") == "First paragraph."
    assert summary(WCAG).startswith("WCAG 2.2, level AA, for all") and summary(WCAG).endswith(ELLIPSIS)


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("excerpts")
    shutil.copytree(MINI, folder / "content")
    faq = folder / "content" / "faq" / "which-chart.md"
    head, _, _ = faq.read_text(encoding="utf-8").rpartition("---\n")
    faq.write_text(head + "---\n" + WCAG, encoding="utf-8")
    config = write_config(folder, docs_dir="content")
    assert main(["build", "--config-file", str(config), "--site-dir", str(folder / "site")]) == 0
    return folder / "site"


def _summaries(site: Path, page: str) -> list[str]:
    soup = BeautifulSoup((site / page / "index.html").read_text(encoding="utf-8"), "html.parser")
    return [s.get_text() for s in soup.select(".pr-item__summary")]


@pytest.mark.parametrize("page", ["faq", "new", "topics/data", "people/bo"])
def test_indexes_hubs_and_profiles_show_plain_excerpts(built: Path, page: str) -> None:
    shown = [s for s in _summaries(built, page) if "WCAG" in s]
    assert shown, _summaries(built, page)
    assert all("*" not in s and "`" not in s and "](" not in s for s in shown), shown
    assert all(s.endswith(ELLIPSIS) and len(s) <= 200 for s in shown), shown


def test_feeds_and_notification_bodies_carry_plain_excerpts(built: Path) -> None:
    data = json.loads((built / "feed.json").read_text(encoding="utf-8"))
    item = next(i for i in data["items"] if i["url"].endswith("/faq/which-chart/"))
    assert item["summary"].startswith("WCAG 2.2, level AA, for all websites") and "*" not in item["summary"]
    atom = BeautifulSoup((built / "feed.xml").read_text(encoding="utf-8"), "xml")
    assert all("**" not in s.get_text() for s in atom.find_all("summary"))
    feed = parse_feed(data)
    chosen = tuple(i for i in feed.items if i.url == item["url"])
    body = json.loads(encode(summarise(chosen, Preferences(), feed.state, "t")))["body"]
    assert body.startswith("Which chart should I use for a trend?: WCAG 2.2, level AA") and "*" not in body


def test_a_long_notification_body_is_cut_at_a_word() -> None:
    from generator.service.push.payload import MAX_BODY, _cut

    cut = _cut("word " * 200, MAX_BODY)
    assert cut.endswith("word" + ELLIPSIS) and len(cut) <= MAX_BODY


# About 120-240 KB each: every one made an excerpt pattern restart from each delimiter and run to the end of
# the text (`**a **a …` took 4 s at 20 KB, so about 7 minutes at 200 KB; `{: {: …` 22 s at 120 KB).
HOSTILE_TEXT = {"strong": "**a ", "emphasis": "*a ", "underscore": "_a ", "mark": "==a ", "strike": "~~a ",
                "link": "[a](", "nested link": "[a](b(", "image": "![a](", "attribute list": "{: ",
                "code": "`` a", "reference": "[a][", "sentence": "a. "}
CHILD = """
import resource, sys
resource.setrlimit(resource.RLIMIT_CPU, (3, 3))
from generator import text
hostile = sys.stdin.read()
text.plain(hostile)
text.summary(hostile)
"""


@pytest.mark.parametrize("name", sorted(HOSTILE_TEXT))
def test_excerpts_are_linear_on_hostile_text(name: str) -> None:
    """Plain text and summaries of 40,000 repetitions run in a child process the kernel stops after 3 s of
    CPU (CPU time of the child alone, not wall time; see test_linear_body.py for why a CPU limit is the
    honest bound for `re`): a linear pass takes about 0.1 s, the quadratic patterns minutes."""
    done = subprocess.run([sys.executable, "-c", CHILD], input=HOSTILE_TEXT[name] * 40_000, capture_output=True,
                          text=True, check=False, cwd=ROOT)
    assert done.returncode == 0, f"{name}: more than 3 s of CPU ({done.returncode}) {done.stderr[-500:]}"
