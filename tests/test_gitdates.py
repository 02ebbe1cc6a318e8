"""Dates from git: the first commit of a file (across renames), else the file's modification time."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess
from pathlib import Path

from generator.community import Community
from generator.content.load import load_community
from generator.settings import load_settings
from tests.conftest import MINI


def git(repo: Path, *args: str, when: str | None = None) -> None:
    env = {**os.environ, "GIT_AUTHOR_NAME": "T", "GIT_AUTHOR_EMAIL": "t@example.org", "GIT_COMMITTER_NAME": "T",
           "GIT_COMMITTER_EMAIL": "t@example.org"}
    if when:
        env.update(GIT_AUTHOR_DATE=when, GIT_COMMITTER_DATE=when)
    subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True, env=env)


def community(content: Path) -> Community:
    return load_community(load_settings(content.parent / "mkdocs.yml", content_dir=content))


def without_dates(content: Path) -> None:
    for path in content.rglob("*.md"):
        lines = path.read_text().splitlines(keepends=True)
        path.write_text("".join(line for line in lines if not line.startswith("date:")))


def test_first_commit_date_survives_a_rename_and_last_commit_is_the_update(tmp_path: Path) -> None:
    content = tmp_path / "content"
    shutil.copytree(MINI, content)
    without_dates(content)
    git(tmp_path, "init", "-q", "-b", "main")
    git(tmp_path, "add", ".")
    git(tmp_path, "commit", "-qm", "first", when="2025-01-15T10:00:00+00:00")
    git(tmp_path, "mv", "content/learn/reading-charts.md", "content/learn/charts-on-a-phone.md")
    path = content / "paths" / "first-week.md"
    path.write_text(path.read_text().replace("reading-charts", "charts-on-a-phone"))
    lesson = content / "learn" / "charts-on-a-phone.md"
    lesson.write_text(lesson.read_text() + "\nOne more tip.\n")
    git(tmp_path, "commit", "-qam", "rename", when="2025-03-02T10:00:00+00:00")
    (content / "faq" / "new-question.md").write_text(
        "---\ntitle: Is this new?\ntopics: [data]\nanswered_by: [bo]\n---\nYes.\n")

    c = community(content)

    assert c.problems == []
    moved = c.lessons["charts-on-a-phone"]
    assert (moved.date, moved.updated) == (dt.date(2025, 1, 15), dt.date(2025, 3, 2))
    assert c.lessons["forecast-basics"].date == dt.date(2025, 1, 15)
    assert c.faqs["new-question"].date == dt.date.today(), "uncommitted: its modification time"


def test_outside_git_dates_come_from_modification_times(tmp_path: Path) -> None:
    content = tmp_path / "content"
    shutil.copytree(MINI, content)
    without_dates(content)
    stamp = dt.datetime(2024, 6, 1, 12, 0).timestamp()
    os.utime(content / "learn" / "forecast-basics.md", (stamp, stamp))
    c = community(content)
    assert c.problems == []
    assert c.lessons["forecast-basics"].date == dt.date(2024, 6, 1)


def test_a_declared_date_wins(mini: Path) -> None:
    assert community(mini).lessons["forecast-basics"].date == dt.date(2026, 5, 4)
