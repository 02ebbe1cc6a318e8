"""The watcher behind `practica serve`: one rebuild per save, none for reads, whatever else reads the files.

Each test counts rebuilds, never times them: after the action under test it saves a sentinel file and waits
for the rebuild that carries it. The kernel reports events in order, so a stray rebuild caused by the action
would come before the sentinel's and show up in the count.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from generator.commands.watch import Filter, changed_paths, is_editor_temp, watch


class Rebuilds:
    def __init__(self) -> None:
        self.batches: list[list[str]] = []
        self.seen = threading.Condition()

    def __call__(self, changed: list[str]) -> None:
        with self.seen:
            self.batches.append([Path(p).name for p in changed])
            self.seen.notify_all()

    def wait_for(self, count: int) -> None:
        with self.seen:
            assert self.seen.wait_for(lambda: len(self.batches) >= count, timeout=30), self.batches


@pytest.fixture
def site(tmp_path: Path) -> Iterator[tuple[Path, Rebuilds]]:
    content = tmp_path / "content"
    (content / "learn").mkdir(parents=True)
    (content / "learn" / "a.md").write_text("---\ntitle: A\n---\nBody\n")
    (content / ".cache").mkdir()
    (tmp_path / "site").mkdir()
    (tmp_path / "mkdocs.yml").write_text("site_name: T\n")
    rebuilds, stop = Rebuilds(), threading.Event()
    paths = Filter([content], [tmp_path / "mkdocs.yml"], [tmp_path / "site", content / ".cache"])
    thread = threading.Thread(target=watch, args=(paths, rebuilds, stop, 0.2), daemon=True)
    thread.start()
    for attempt in range(60):  # the observer starts watching in its own thread: save until it notices
        (content / "ready.md").write_text(str(attempt))
        with rebuilds.seen:
            if rebuilds.seen.wait_for(lambda: rebuilds.batches, timeout=0.5):
                break
    _sentinel(tmp_path, rebuilds, len(rebuilds.batches) + 1)  # drains any late "ready" saves
    rebuilds.batches.clear()
    yield tmp_path, rebuilds
    stop.set()
    thread.join(timeout=10)


def _sentinel(root: Path, rebuilds: Rebuilds, count: int) -> None:
    (root / "content" / "sentinel.md").write_text(f"{count}\n")
    rebuilds.wait_for(count)
    assert rebuilds.batches[-1] == ["sentinel.md"], rebuilds.batches


def test_one_save_is_exactly_one_rebuild(site: tuple[Path, Rebuilds]) -> None:
    root, rebuilds = site
    lesson = root / "content" / "learn" / "a.md"
    lesson.write_text(lesson.read_text() + "More\n")  # open, truncate, write, close: several events
    rebuilds.wait_for(1)
    assert rebuilds.batches == [["a.md"]]
    _sentinel(root, rebuilds, 2)
    assert len(rebuilds.batches) == 2


def test_reading_files_never_rebuilds(site: tuple[Path, Rebuilds]) -> None:
    root, rebuilds = site
    for _ in range(20):  # what a build, `practica validate` or an editor's file tree does
        for path in [*root.rglob("*.md"), root / "mkdocs.yml"]:
            path.read_bytes()
        list((root / "content").iterdir())
    _sentinel(root, rebuilds, 1)
    assert len(rebuilds.batches) == 1


def test_a_burst_of_changes_is_one_rebuild(site: tuple[Path, Rebuilds]) -> None:
    root, rebuilds = site
    learn = root / "content" / "learn"
    for i in range(10):  # a `git checkout` of ten files
        (learn / f"b{i}.md").write_text("x\n")
    (learn / "a.md").unlink()
    (learn / "b0.md").rename(learn / "c.md")
    rebuilds.wait_for(1)
    _sentinel(root, rebuilds, 2)
    assert len(rebuilds.batches) == 2
    assert set(rebuilds.batches[0]) >= {"a.md", "c.md", "b9.md"}


def test_the_site_caches_and_editor_temp_files_are_ignored_but_mkdocs_yml_is_not(
        site: tuple[Path, Rebuilds]) -> None:
    root, rebuilds = site
    (root / "site" / "index.html").write_text("built")
    (root / "content" / ".cache" / "thumb.webp").write_bytes(b"x")
    for name in (".a.md.swp", "4913", "a.md~", ".#a.md"):
        (root / "content" / "learn" / name).write_text("temp")
    (root / "notes.txt").write_text("beside mkdocs.yml, not watched")
    _sentinel(root, rebuilds, 1)
    (root / "mkdocs.yml").write_text("site_name: U\n")
    rebuilds.wait_for(2)
    assert rebuilds.batches[-1] == ["mkdocs.yml"]


def test_an_atomic_save_counts_by_its_destination() -> None:
    class Moved:
        event_type, is_directory, src_path, dest_path = "moved", False, "/c/learn/.a.md.tmp", "/c/learn/a.md"
    accepts = Filter([Path("/c")]).accepts
    assert [p for p in changed_paths(Moved()) if accepts(p)] == ["/c/learn/a.md"]
    assert is_editor_temp(".a.md.swp") and not is_editor_temp("a.md")


@pytest.mark.parametrize("kind", ["opened", "closed_no_write", "closed"])
def test_reads_and_closes_are_not_changes(kind: str) -> None:
    class Event:
        event_type, is_directory, src_path = kind, False, "/c/a.md"
    assert list(changed_paths(Event())) == []
