"""`practica build`: validates first, never leaves a half-built or broken site, and the CLI's exit codes."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from pathlib import Path

from bs4 import BeautifulSoup

from tests.conftest import CliResult, write_config
from tests.soup import one


def snapshot(folder: Path) -> dict[str, str]:
    """Every file under `folder` with a hash of its content."""
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def build(cli: Callable[..., CliResult], tmp_path: Path, content: Path, *extra: str, **config_changes: object
          ) -> CliResult:
    config = write_config(tmp_path, **config_changes)
    return cli("build", "--config-file", config, "--content", content, "--site-dir", tmp_path / "site", *extra)


def test_build_writes_a_site_with_every_page_type(cli: Callable[..., CliResult], tmp_path: Path, mini: Path) -> None:
    result = build(cli, tmp_path, mini)
    assert result.code == 0, result.err
    site = tmp_path / "site"
    for page in ("index.html", "people/index.html", "people/ada/index.html", "topics/data/index.html",
                 "skills/forecasting/index.html", "learn/forecast-basics/index.html", "videos/intro-video/index.html",
                 "faq/what-is-mape/index.html", "paths/first-week/index.html", "new/index.html", "offline/index.html"):
        assert (site / page).is_file(), page
    for asset in ("feed.json", "feed.xml", "manifest.webmanifest", "videos/intro.mp4", "videos/intro.vtt"):
        assert (site / asset).is_file(), asset
    html = BeautifulSoup((site / "learn/forecast-basics/index.html").read_text(), "html.parser")
    assert one(html, "article h1").get_text(strip=True).startswith("Forecast basics")
    # Contributed Markdown is never published as it is: no raw front matter, no original photos.
    assert not list(site.rglob("*.md"))
    assert not (site / "people/ada.png").exists()
    assert not (site / "skills.yml").exists()
    assert not [p for p in tmp_path.iterdir() if "building" in p.name], "no staging folder is left behind"


def test_a_failed_build_leaves_the_previous_site_exactly_as_it_was(
        cli: Callable[..., CliResult], tmp_path: Path, mini: Path) -> None:
    assert build(cli, tmp_path, mini).code == 0
    before = snapshot(tmp_path / "site")
    lesson = mini / "learn" / "forecast-basics.md"
    lesson.write_text(lesson.read_text().replace("authors: [ada]", "authors: [nobody]"))

    result = build(cli, tmp_path, mini)

    assert result.code == 1
    assert "no person with id 'nobody'" in result.out
    assert "nothing was built" in result.err
    assert snapshot(tmp_path / "site") == before
    assert not [p for p in tmp_path.iterdir() if "building" in p.name]


def test_a_failure_inside_mkdocs_also_keeps_the_previous_site(
        cli: Callable[..., CliResult], tmp_path: Path, mini: Path) -> None:
    assert build(cli, tmp_path, mini).code == 0
    before = snapshot(tmp_path / "site")
    # Valid for Practica, but MkDocs (told to warn about missing anchors) fails in strict mode at the very
    # end, after writing every page.
    lesson = mini / "learn" / "forecast-basics.md"
    lesson.write_text(lesson.read_text() + "\nSee [charts](reading-charts.md#no-such-heading).\n")

    result = build(cli, tmp_path, mini, "--strict", validation={"anchors": "warn"})

    assert result.code == 1
    assert "site build failed" in result.err
    assert snapshot(tmp_path / "site") == before


def test_a_successful_rebuild_replaces_the_site(cli: Callable[..., CliResult], tmp_path: Path, mini: Path) -> None:
    assert build(cli, tmp_path, mini).code == 0
    lesson = mini / "learn" / "forecast-basics.md"
    lesson.write_text(lesson.read_text().replace("title: Forecast basics", "title: Forecasting basics"))
    (tmp_path / "site" / "stale.txt").write_text("left over from an old build")

    assert build(cli, tmp_path, mini).code == 0

    html = (tmp_path / "site/learn/forecast-basics/index.html").read_text()
    assert "Forecasting basics" in html
    assert not (tmp_path / "site" / "stale.txt").exists()


def test_validate_exit_codes_and_formats(cli: Callable[..., CliResult], mini: Path) -> None:
    ok = cli("validate", "--content", mini)
    assert ok.code == 0 and "no problems found" in ok.out

    lesson = mini / "learn" / "forecast-basics.md"
    lesson.write_text(lesson.read_text().replace("level: beginner", "level: beginner\nminutes: 30"))
    warned = cli("validate", "--content", mini)
    assert warned.code == 0 and "warning" in warned.out
    assert cli("validate", "--content", mini, "--strict").code == 1

    lesson.write_text(lesson.read_text().replace("authors: [ada]", "authors: [adaa]"))
    failed = cli("validate", "--content", mini, "--format", "github")
    assert failed.code == 1
    annotations = [line for line in failed.out.splitlines() if line.startswith("::error ")]
    assert len(annotations) == 1
    assert "learn/forecast-basics.md,line=5," in annotations[0]
    assert "no person with id 'adaa'" in annotations[0] and "did you mean 'ada'?" in annotations[0]

    as_json = cli("validate", "--content", mini, "--format", "json")
    problems = json.loads(as_json.out)
    assert {p["severity"] for p in problems} == {"error", "warning"}
    error = next(p for p in problems if p["severity"] == "error")
    assert error["line"] == 5 and error["field"] == "authors[1]" and error["hint"] == "did you mean 'ada'?"


def test_build_exits_non_zero_on_content_errors(cli: Callable[..., CliResult], tmp_path: Path, mini: Path) -> None:
    (mini / "learn" / "broken.md").write_text("no front matter here\n")
    result = build(cli, tmp_path, mini)
    assert result.code == 1
    assert not (tmp_path / "site").exists()


def test_build_strict_fails_on_content_warnings(cli: Callable[..., CliResult], tmp_path: Path, mini: Path) -> None:
    # The CLI logs as `practica`, outside MkDocs' warning count: --strict still holds content warnings.
    lesson = mini / "learn" / "forecast-basics.md"
    lesson.write_text(lesson.read_text().replace("level: beginner", "level: beginner\nminutes: 30"))

    strict = build(cli, tmp_path, mini, "--strict")

    assert strict.code == 1 and "warning" in strict.out
    assert not (tmp_path / "site").exists()
    assert build(cli, tmp_path, mini).code == 0
