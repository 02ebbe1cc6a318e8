"""Hostile body lines: the image, link, heading and inline-code scans stay linear, and line numbers match
editors'."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from generator.content import body
from tests.test_validate import LESSON, load

CPU_SECONDS = 2
# About 200 KB each, built to make a scan that is restarted from every possible start run to the end of
# the line: 200 KB of `<img ` took the old `<img\b[^>]*>` ~5 s of CPU, `[a](` the old link scan minutes.
HOSTILE = {
    "_HTML_IMAGE": ["<img " * 40_000, "<IMG src=x " * 18_000, "<img alt='" * 20_000],
    "_ALT": ["alt " * 50_000, 'alt="' * 40_000, "alt=" + " " * 200_000],
    "_SRC": ["src " * 50_000, "src='" * 40_000, "src=" + "\t" * 200_000],
    "_MD_IMAGE": ["![" * 100_000, "![a](" * 40_000, '![a](b "' * 25_000, "![a](" + " " * 200_000,
                  "![](b){" * 30_000, "![](b)" * 30_000 + "{" + "a" * 100_000],
    "_EMPTY_ALT": ["alt=" * 50_000, " alt = " * 30_000, "alt" + " " * 200_000],
    "_MD_LINK": ["[" * 200_000, "[a](" * 50_000, '[a](b "' * 30_000, "[a](<" * 40_000],
    "_INLINE_CODE": ["`" + "x" * 200_000, "`x" * 100_000, "``" * 100_000],
    "_ATX_H1": ["# a" + " " * 200_000 + "b", "# " + "a #" * 70_000, "#" + "\t" * 200_000 + "x"],
    "_SETEXT_H1": ["=" * 200_000 + "x", "=" + " " * 200_000 + "x"],
}
# body.py tries the heading patterns at the start of a line only; the others anywhere in it.
AT_START = {"_ATX_H1", "_SETEXT_H1"}
# The child imports nothing but `re`, so the whole CPU budget goes to the scans.
CHILD = """
import re, resource
resource.setrlimit(resource.RLIMIT_CPU, ({seconds}, {seconds}))
pattern = re.compile({pattern!r}, {flags})
for line in {lines!r}:
    if {at_start}:
        pattern.match(line)
    else:
        for _ in pattern.finditer(line):
            pass
        pattern.sub(" ", line)
"""


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_each_body_scan_is_linear_on_hostile_lines(name: str) -> None:
    """Each scan runs in a child process that the kernel stops after CPU_SECONDS of CPU time.

    Python's `re` has no step counter to assert on, and a linear regex is a property of its construction
    (no repetition runs past the next place a match can start), which a test cannot read off the pattern.
    So the bound is the honest next best: CPU time of the child alone, not wall time, so other processes on
    the machine do not change it; the lines take about a millisecond each with the linear patterns and
    seconds to minutes with the quadratic ones they replace, so the limit sits far from both."""
    pattern: re.Pattern[str] = getattr(body, name)
    code = CHILD.format(seconds=CPU_SECONDS, pattern=pattern.pattern, flags=int(pattern.flags), lines=HOSTILE[name],
                       at_start=name in AT_START)
    # On stdin: the lines are larger than one command-line argument may be.
    done = subprocess.run([sys.executable, "-"], input=code, capture_output=True, text=True, check=False)
    assert done.returncode == 0, f"{name} used more than {CPU_SECONDS} s of CPU ({done.returncode}) {done.stderr}"


@pytest.mark.parametrize("char", ["\u2028", "\u2029", "\x85", "\x0c", "\x1e"])
def test_a_line_separator_inside_a_line_does_not_shift_line_numbers(mini: Path, char: str) -> None:
    path = mini / LESSON
    path.write_text(path.read_text(encoding="utf-8").replace(
        "## Why it matters", f"One line{char}still the same line.\n\n![](missing.png)\n\n## Why it matters", 1),
        encoding="utf-8")
    lines = path.read_text(encoding="utf-8").split("\n")  # as editors and Markdown count lines
    expected = next(n for n, line in enumerate(lines, 1) if "(missing.png)" in line)
    found = [(p.line, p.code) for p in load(mini) if p.file == LESSON and "missing.png" in p.message]
    assert found == [(expected, "missing-file")]


def test_windows_and_old_mac_line_ends_count_as_one_line_each() -> None:
    text = "a\r\nb\rc\n![](x.png)\r\n"
    assert [(n, line) for n, line in body.code_free_lines(text, 1) if line] == [
        (1, "a"), (2, "b"), (3, "c"), (4, "![](x.png)")]


def test_what_the_scans_still_find() -> None:
    line = ('See [a [note](faq/x.md), ![chart](c.png "A title") and <img src="d.png" alt="D"> or <IMG SRC=e.png>, '
            '![](f.png){: alt="" }.')
    assert [m.group(1) for m in body._MD_LINK.finditer(line)] == ["faq/x.md"]
    assert [m.groups() for m in body._MD_IMAGE.finditer(line)] == [("chart", "c.png", None), ("", "f.png", ': alt="" ')]
    assert [m.group(0) for m in body._HTML_IMAGE.finditer(line)] == ['<img src="d.png" alt="D">', "<IMG SRC=e.png>"]
    headings = {"# Title": "Title", "#   Title ## ": "Title", "# a # b #": "a # b", "# Title#": "Title", "#": None,
                "# ": "", "#Title": "no match", "    # code": "no match"}
    found = {line: (m.group(1) if (m := body._ATX_H1.match(line)) else "no match") for line in headings}
    assert found == headings
