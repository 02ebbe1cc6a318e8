"""Issue 12, points 5–7: only content is published — no active file types, no links out of the content
folder, no topic icons from outside the theme's icon set.

Each finding is a hostile file in a copy of the mini community: validation must name it with a fix, and
a build whose validation problems were dropped (a validator gap) must still publish none of it.
"""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from generator.content.load import load_community
from generator.content.problems import Problem
from generator.settings import load_settings
from tests.conftest import ROOT, CliResult, line_of, write_config

SCRIPT_MARKER = "hostile-script-marker"
OUTSIDE_MARKER = "outside-lesson-marker"
ICON_MARKER = "evil-icon-marker"
LESSON = """---
title: Leaked lesson
summary: {marker}
topics: [data]
authors: [ada]
objectives: [Leak]
level: beginner
skills: [forecasting]
---
{marker}
"""

# (file in the content folder, problem code, words of the message or fix): one row per hostile file.
HOSTILE: list[tuple[str, str, str]] = [
    ("learn/raw.markdown", "unknown-file", "rename it to raw.md"),
    ("learn/page.html", "active-content", "active content"),
    ("learn/chart.svg", "active-content", "convert an SVG to PNG"),
    ("learn/app.js", "active-content", "active content"),
    ("learn/data.xml", "active-content", "active content"),
    ("learn/env.txt", "outside-link", "links outside the content folder"),
    ("learn/passwd.txt", "outside-link", "copy the file into content/ instead of linking to it"),
    ("learn/outside", "outside-link", "links outside the content folder"),
    ("learn/leak.md", "outside-link", "links outside the content folder"),
    ("learn/gone.png", "outside-link", "does not exist"),
    ("learn/loop", "outside-link", "links to a folder that contains it"),
    ("learn/fake.png", "wrong-content", "not really .png"),
    ("videos/fake.mp4", "wrong-content", "not really .mp4"),
    ("learn/notes.txt", "wrong-content", "not really .txt"),
    ("learn/pipe.png", "not-a-file", "not a regular file"),
    ("README.md", "unknown-file", "move it into one of"),
    ("extra.yml", "unknown-file", "does not read this YAML file"),
    ("learn/tool.exe", "unknown-file", "link to anything else where it lives"),
]


def make_hostile(content: Path, outside: Path) -> None:
    """Every hostile file of HOSTILE, and the harmless ones that must still be allowed or ignored."""
    outside.mkdir(exist_ok=True)
    (outside / "photo.png").write_bytes((content / "people" / "ada.png").read_bytes())
    (outside / "leak.md").write_text(LESSON.format(marker=OUTSIDE_MARKER), encoding="utf-8")
    (outside / "evil.svg").write_text(f'<svg id="{ICON_MARKER}"><script>alert(1)</script></svg>', encoding="utf-8")
    learn = content / "learn"
    (learn / "raw.markdown").write_text(f"# Raw\n\n<script>{SCRIPT_MARKER}()</script>\n", encoding="utf-8")
    (learn / "page.html").write_text(f"<script>{SCRIPT_MARKER}()</script>", encoding="utf-8")
    (learn / "chart.svg").write_text(f"<svg onload='{SCRIPT_MARKER}()'/>", encoding="utf-8")
    (learn / "app.js").write_text(f"{SCRIPT_MARKER}();", encoding="utf-8")
    (learn / "data.xml").write_text(f"<x:script xmlns:x='http://www.w3.org/1999/xhtml'>{SCRIPT_MARKER}()</x:script>",
                                 encoding="utf-8")
    (learn / "env.txt").symlink_to("/proc/self/environ")
    (learn / "passwd.txt").symlink_to("/etc/passwd")
    (learn / "outside").symlink_to(outside, target_is_directory=True)
    (learn / "leak.md").symlink_to(outside / "leak.md")
    (learn / "gone.png").symlink_to(content / "no-such-file.png")
    (learn / "loop").symlink_to("..", target_is_directory=True)
    (learn / "fake.png").write_text(f"<html><script>{SCRIPT_MARKER}()</script></html>", encoding="utf-8")
    (content / "videos" / "fake.mp4").write_text(f"<script>{SCRIPT_MARKER}()</script>", encoding="utf-8")
    (learn / "notes.txt").write_text(f"  <!doctype html><script>{SCRIPT_MARKER}()</script>", encoding="utf-8")
    os.mkfifo(learn / "pipe.png")  # reading it would hang the build: it must never be opened
    (content / "README.md").write_text(f"<script>{SCRIPT_MARKER}()</script>", encoding="utf-8")
    (content / "extra.yml").write_text("a: 1\n", encoding="utf-8")
    (learn / "tool.exe").write_bytes(b"MZ\x90\x00")
    # Allowed: a link that stays inside, a real PDF and CSV; ignored: dot-files and dot-folders.
    (learn / "chart-copy.png").symlink_to("../videos/intro.png")
    (learn / "handout.pdf").write_bytes(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    (learn / "sample.csv").write_text("depot,late\nLeeds,3\n", encoding="utf-8")
    (content / ".DS_Store").write_bytes(b"\0\0\0\1Bud1")
    (content / ".git").mkdir()
    (content / ".git" / "config").write_text("[core]\n", encoding="utf-8")


def problems_of(content: Path) -> list[Problem]:
    return load_community(load_settings(ROOT / "mkdocs.yml", content_dir=content)).problems


@pytest.fixture
def hostile(mini: Path, tmp_path: Path) -> Path:
    make_hostile(mini, tmp_path / "outside")
    return mini


def test_every_hostile_file_is_an_error_naming_it_with_a_fix(hostile: Path) -> None:
    problems = problems_of(hostile)
    for rel, code, words in HOSTILE:
        found = [p for p in problems if p.file == rel]
        assert [p.code for p in found] == [code], (rel, found)
        assert found[0].severity == "error"
        assert words in found[0].message + " " + found[0].hint, (rel, found[0])
    assert {p.file for p in problems} == {rel for rel, _, _ in HOSTILE}, "nothing else is reported"


def test_a_link_inside_the_folder_and_real_documents_are_allowed(mini: Path) -> None:
    (mini / "learn" / "chart-copy.png").symlink_to("../videos/intro.png")
    (mini / "learn" / "pictures").symlink_to("../videos", target_is_directory=True)
    (mini / "learn" / "handout.pdf").write_bytes(b"%PDF-1.7\n")
    (mini / "learn" / "sample.csv").write_text("depot,late\nLeeds,3\n", encoding="utf-8")
    (mini / "learn" / "same-basics.md").symlink_to("forecast-basics.md")
    lesson = mini / "learn" / "forecast-basics.md"
    lesson.write_text(lesson.read_text() + "\n![Weekly volumes](pictures/intro.png)\n\n[Handout](handout.pdf)\n")
    assert problems_of(mini) == []


def test_practica_validate_lists_every_hostile_file(cli: Callable[..., CliResult], hostile: Path) -> None:
    result = cli("validate", "--content", hostile, "--format", "json")
    assert result.code == 1
    reported = {p["file"].rsplit("content/", 1)[-1] for p in json.loads(result.out)}
    assert reported == {rel for rel, _, _ in HOSTILE}


@pytest.mark.parametrize("value", ["material/chart-line", "fontawesome/brands/github", "octicons/people-16",
                                   "simple/hive_blockchain"])
def test_icon_names_of_the_theme_are_valid(mini: Path, value: str) -> None:
    topic = mini / "topics" / "data.md"
    topic.write_text(topic.read_text().replace("color:", f"icon: {value}\ncolor:"))
    assert problems_of(mini) == []


@pytest.mark.parametrize("value", ["../../../../../outside/evil", "/etc/evil", "material/../../evil",
                                   "material", "material/chart-line.svg"])
def test_a_topic_icon_that_is_a_path_is_a_field_error(mini: Path, value: str) -> None:
    topic = mini / "topics" / "data.md"
    topic.write_text(topic.read_text().replace("color:", f"icon: {value}\ncolor:"))
    problems = problems_of(mini)
    assert [(p.file, p.line, p.field, p.code) for p in problems] == [
        ("topics/data.md", line_of(topic, "icon:"), "icon", "bad-icon")]
    assert "material/chart-line" in problems[0].message


@pytest.mark.parametrize("photo", ["../../outside/photo.png", "/../../outside/photo.png", "/etc/passwd",
                                   "../../../../../../../../etc/passwd"])
def test_a_referenced_file_outside_the_folder_is_an_error(mini: Path, tmp_path: Path, photo: str) -> None:
    make_outside = tmp_path / "outside"
    make_outside.mkdir()
    (make_outside / "photo.png").write_bytes((mini / "people" / "ada.png").read_bytes())
    person = mini / "people" / "ada.md"
    person.write_text(person.read_text().replace("photo: ada.png", f"photo: {photo}"))
    lesson = mini / "learn" / "forecast-basics.md"
    lesson.write_text(lesson.read_text() + f"\n![A photo]({photo})\n")
    problems = problems_of(mini)
    assert {(p.file, p.field, p.code) for p in problems} == {
        ("people/ada.md", "photo", "outside-file" if photo != "/etc/passwd" else "missing-file"),
        ("learn/forecast-basics.md", None, "missing-file")}


BUILD = """
import sys
from pathlib import Path
from generator.commands.build import build_site
from generator.content.load import load_community
from generator.settings import load_settings

config, site, icon = Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3]
settings = load_settings(config)
community = load_community(settings)
community.problems.clear()  # a validator gap: the build alone must refuse what validation would report
topic = community.topics["data"]
topic.meta = topic.meta.model_copy(update={"icon": icon})  # past the model's check, as if it had none
build_site(config, settings, community, site)
"""


def test_the_build_publishes_none_of_it_even_without_validation(hostile: Path, tmp_path: Path) -> None:
    secret = f"PRACTICA_TEST_SECRET=leak-{secrets.token_hex(8)}"
    config = write_config(tmp_path, docs_dir=str(hostile))
    icon = "../" * 40 + str(tmp_path / "outside" / "evil")[1:]
    env = {**os.environ, secret.split("=")[0]: secret.split("=", 1)[1]}
    # Its own process, so that the secret is in the /proc/self/environ the build would read.
    subprocess.run([sys.executable, "-c", BUILD, str(config), str(tmp_path / "site"), icon],
                   cwd=ROOT, env=env, check=True, timeout=300)

    site = tmp_path / "site"
    published = {p.relative_to(site).as_posix() for p in site.rglob("*")}
    for rel, _, _ in HOSTILE:
        assert not [p for p in published if p == rel or p.startswith(rel + "/")], rel
    assert "learn/raw/index.html" not in published and "README/index.html" not in published
    assert "learn/leak/index.html" not in published
    assert not [p for p in published if ".git" in p or ".DS_Store" in p]
    assert {"learn/chart-copy.png", "learn/handout.pdf", "learn/sample.csv"} <= published
    passwd = Path("/etc/passwd").read_text().splitlines()[0]
    for path in site.rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            for marker in (SCRIPT_MARKER, OUTSIDE_MARKER, ICON_MARKER, secret.split("=", 1)[1], passwd):
                assert marker.encode() not in data, (path, marker)
