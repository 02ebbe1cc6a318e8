"""Builds that run at the same time, builds that were killed, and builds started in the wrong folder."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from collections.abc import Callable
from pathlib import Path

import pytest
from PIL import Image

from generator import pwa, urls
from generator.commands.build import remove_abandoned
from generator.images import square_webp
from generator.settings import load_settings

from .conftest import CliResult, write_config

WRITERS = 4


def _photo(path: Path) -> Path:
    image = Image.new("RGB", (900, 600))
    for x in range(0, 900, 7):  # some detail, so encoding takes a while and the writers overlap
        for y in range(0, 600, 5):
            image.putpixel((x, y), (x % 256, y % 256, (x * y) % 256))
    image.save(path, "JPEG")
    return path


def _at_once(work: Callable[[], Path]) -> list[Path | BaseException]:
    """Run `work` in WRITERS threads released together by a barrier; each thread's result or exception."""
    barrier = threading.Barrier(WRITERS)
    results: list[Path | BaseException] = [RuntimeError("did not run")] * WRITERS

    def run(n: int) -> None:
        barrier.wait()
        try:
            results[n] = work()
        except BaseException as exc:  # reported by the assertion in the test
            results[n] = exc

    threads = [threading.Thread(target=run, args=(n,)) for n in range(WRITERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def test_concurrent_cold_cache_photo_resizes_all_succeed_with_one_valid_file(tmp_path: Path) -> None:
    source = _photo(tmp_path / "ada.jpg")
    cache = tmp_path / "cache" / "photos"
    results = _at_once(lambda: square_webp(source, 320, cache))
    assert all(isinstance(r, Path) for r in results), results
    assert len(set(results)) == 1
    target = results[0]
    assert isinstance(target, Path)
    with Image.open(target) as image:
        assert (image.format, image.size) == ("WEBP", (320, 320))
        image.load()  # the whole file decodes, not only its header
    assert [p.name for p in cache.iterdir()] == [target.name]  # no temporary file left behind
    assert target.stat().st_mode & 0o777 == 0o644


def test_concurrent_cold_cache_icon_resizes_all_succeed(tmp_path: Path) -> None:
    settings = load_settings(write_config(tmp_path / "site"))
    cache = tmp_path / "icons"
    results = _at_once(lambda: pwa.icon_files(settings, cache)[urls.icon("icon-512.png")])
    paths = [r for r in results if isinstance(r, Path)]
    assert len(paths) == len(results), results
    assert len({p.read_bytes() for p in paths}) == 1
    with Image.open(paths[0]) as image:
        assert image.size == (512, 512)
        image.load()
    assert sorted(p.suffix for p in cache.iterdir()) == [".png"] * len(pwa.ICONS)


def _dead_pid() -> int:
    """The pid of a process that has certainly exited and been reaped."""
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def test_a_build_removes_staging_folders_of_killed_builds_and_keeps_live_ones(
        cli: Callable[..., CliResult], tmp_path: Path, mini: Path) -> None:
    config = write_config(tmp_path, docs_dir=str(mini))
    site = tmp_path / "site"
    dead = _dead_pid()
    stale = tmp_path / f".site-building-{dead}-x1y2z3"
    stale_old = tmp_path / f".site-old-{dead}"
    live = tmp_path / f".site-building-{os.getpid()}-other"
    unrelated = tmp_path / f".elsewhere-building-{dead}-abc"
    for folder in (stale, stale_old, live, unrelated):
        (folder / "learn").mkdir(parents=True)
        (folder / "learn" / "index.html").write_text("half a site", encoding="utf-8")
    result = cli("build", "--config-file", config, "--site-dir", site)
    assert result.code == 0, result.err
    assert not stale.exists() and not stale_old.exists()
    assert live.is_dir() and unrelated.is_dir()
    assert (site / "index.html").is_file()
    leftovers = sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".site-"))
    assert leftovers == [live.name]  # the build's own staging folder became the site


def test_abandoned_folder_names_that_are_not_pids_are_left_alone(tmp_path: Path) -> None:
    site = tmp_path / "site"
    odd = [tmp_path / ".site-building-0-abc", tmp_path / ".site-building-abc-def", tmp_path / ".site-old-",
           tmp_path / ".site-building-"]
    for folder in odd:
        folder.mkdir()
    (tmp_path / f".site-building-{_dead_pid()}-file").write_text("a file, not a folder", encoding="utf-8")
    assert remove_abandoned(site) == []
    assert all(folder.is_dir() for folder in odd)


def test_build_without_mkdocs_yml_is_one_clear_line(cli: Callable[..., CliResult], tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch, mini: Path) -> None:
    folder = tmp_path / "no-config"
    folder.mkdir()
    monkeypatch.chdir(folder)
    result = cli("build", "--content", mini)
    assert result.code == 1
    assert result.err.strip().splitlines() == [
        "practica: mkdocs.yml: no such file; run practica in the site's folder (the one with mkdocs.yml), "
        "or name the file with --config-file"]
    assert "Traceback" not in result.err and not (folder / "site").exists()
