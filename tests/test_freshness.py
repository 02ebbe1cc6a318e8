"""Time never breaks a build: "due for review" is a reminder (report, review issue, /health/), held against a
pull request only for the files it changes; and content that was never reviewed falls due from its date."""

from __future__ import annotations

import datetime as dt
import re
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml
from bs4 import BeautifulSoup

from tests.conftest import ROOT, CliResult, write_config
from tests.soup import after

TWO_YEARS_AGO = dt.date.today() - dt.timedelta(days=730)


@pytest.fixture
def old(mini: Path) -> tuple[Path, Path]:
    """The mini community with a two-year-old lesson that was never reviewed, and one whose review lapsed."""
    lesson = mini / "learn" / "reading-charts.md"
    lesson.write_text(re.sub(r"date: .*", f"date: {TWO_YEARS_AGO}", lesson.read_text()))
    faq = mini / "faq" / "what-is-mape.md"
    faq.write_text(faq.read_text().replace("on: 2026-10-01", f"on: {TWO_YEARS_AGO}"))
    return write_config(mini.parent, docs_dir="content"), lesson


def test_a_never_reviewed_lesson_falls_due_from_its_date_but_fails_no_check(
        cli: Callable[..., CliResult], old: tuple[Path, Path]) -> None:
    config, _ = old
    result = cli("validate", "--strict", "--config-file", config)
    assert result.code == 0, result.out
    assert "Note: 2 items are due for review" in result.out and "never fails" in result.out
    report = cli("report", "--only", "due_for_review", "--config-file", config)
    assert "Due for review (2)" in report.out
    assert f"due for review: dated {TWO_YEARS_AGO} and never reviewed (every 1 year)" in report.out
    assert f"due for review: last verified on {TWO_YEARS_AGO}, every 1 year" in report.out


def test_a_pull_request_is_held_to_due_dates_only_for_the_files_it_changes(
        cli: Callable[..., CliResult], old: tuple[Path, Path]) -> None:
    config, lesson = old
    other = lesson.parent / "forecast-basics.md"
    assert cli("validate", "--strict", "--config-file", config, "--changed", other).code == 0
    held = cli("validate", "--strict", "--format", "github", "--config-file", config, "--changed", lesson)
    assert held.code == 1
    assert "::warning file=" in held.out and "reading-charts.md,line=9" in held.out and "never reviewed" in held.out
    assert "what-is-mape" not in held.out  # due too, but not changed by this pull request
    faq = cli("validate", "--format", "github", "--config-file", config, "--changed", lesson.parent.parent / "faq")
    assert faq.code == 0, "a folder is not a changed file"
    faq = cli("validate", "--format", "github", "--config-file", config, "--changed",
              lesson.parent.parent / "faq" / "what-is-mape.md")
    assert faq.code == 0 and "what-is-mape.md,line=8,col=3,title=review-due (verified.on)" in faq.out, faq.out
    hostile = cli("validate", "--strict", "--config-file", config, "--changed", "/etc/passwd", "no/such.md", "..")
    assert hostile.code == 0, hostile.out + hostile.err


def test_since_takes_the_changed_files_from_git(cli: Callable[..., CliResult], old: tuple[Path, Path]) -> None:
    config, lesson = old
    repo = config.parent
    def git(*args: str) -> None:
        subprocess.run(["git", "-C", str(repo), "-c", "user.name=t", "-c", "user.email=t@example.org", *args],
                       check=True, capture_output=True)
    git("init", "-q", "-b", "main")
    git("add", "-A")
    git("commit", "-q", "-m", "start")
    assert cli("validate", "--strict", "--config-file", config, "--since", "HEAD").code == 0
    lesson.write_text(lesson.read_text() + "\nOne more line.\n")
    git("commit", "-q", "-am", "edit the old lesson")
    result = cli("validate", "--strict", "--config-file", config, "--since", "HEAD~1")
    assert result.code == 1 and "never reviewed" in result.out
    bad = cli("validate", "--config-file", config, "--since", "no-such-ref")
    assert bad.code == 1 and bad.err.startswith("practica: --since no-such-ref: git failed"), bad.err


def test_the_build_never_fails_on_dates_and_the_site_shows_what_is_due(
        cli: Callable[..., CliResult], old: tuple[Path, Path]) -> None:
    config, _ = old
    site = config.parent / "site"
    assert cli("build", "--strict", "--config-file", config, "--site-dir", site).code == 0
    page = BeautifulSoup((site / "learn" / "reading-charts" / "index.html").read_text(), "html.parser")
    assert "Due for review" in page.get_text()
    health = BeautifulSoup((site / "health" / "index.html").read_text(), "html.parser")
    heading = health.find(id="due-for-review")
    assert heading is not None and "(2)" in heading.get_text()
    assert "Reading charts on a phone" in after(heading, "table").get_text()


def test_the_workflows_publish_daily_and_hold_pull_requests_only_to_their_changes() -> None:
    publish = yaml.safe_load((ROOT / ".github" / "workflows" / "publish.yml").read_text())
    assert publish[True]["schedule"], "featured dates and /health/ are computed at build time"
    validate = (ROOT / ".github" / "workflows" / "validate.yml").read_text()
    assert "--strict --since" in validate
