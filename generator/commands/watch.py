"""Watch content for real changes and call back once per burst of them (what `practica serve` rebuilds on).

Only writes, creations, deletions and moves count: a build or `practica validate` reading files makes the
kernel report `opened` and `closed_no_write` events too, and treating those as changes made every rebuild
trigger the next one. Editors' temporary files, the built site and caches are ignored, and a burst of
changes (an editor's save, a `git checkout`) is one rebuild.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

from watchdog.events import FileSystemEvent, FileSystemEventHandler
from watchdog.observers import Observer

REAL_CHANGES = frozenset({"modified", "created", "deleted", "moved"})
IGNORED_FOLDERS = frozenset({".cache", ".git", "__pycache__", "node_modules", ".pytest_cache", ".mypy_cache",
                             ".ruff_cache", ".venv"})
DEBOUNCE_SECONDS = 0.4
Rebuild = Callable[[list[str]], object]


def is_editor_temp(name: str) -> bool:
    """Files editors write while saving (vim swap and probe files, emacs locks, backups, atomic-save temps)."""
    return (name.startswith((".#", "~$", ".goutputstream")) or name.endswith(("~", ".swp", ".swo", ".swx", ".tmp",
            ".part", ".crdownload", ".kate-swp")) or name in ("4913", ".DS_Store"))


class Filter:
    """Which paths count: files under the watched folders or named exactly, minus ignored places and temp files."""

    def __init__(self, folders: Iterable[Path], files: Iterable[Path] = (), ignored: Iterable[Path] = ()) -> None:
        self.folders = [f.resolve() for f in folders]
        self.files = {f.resolve() for f in files}
        self.ignored = [i.resolve() for i in ignored]

    def accepts(self, raw: str) -> bool:
        path = Path(raw).resolve()
        if path in self.files:
            return True
        if is_editor_temp(path.name) or any(path.is_relative_to(i) for i in self.ignored):
            return False
        inside = [f for f in self.folders if path.is_relative_to(f)]
        return any(not IGNORED_FOLDERS.intersection(path.relative_to(f).parts) for f in inside)


def changed_paths(event: Any) -> Iterator[str]:
    """The paths a watchdog event really changed (none for reads, or for a folder's own timestamp)."""
    if event.event_type not in REAL_CHANGES or (event.is_directory and event.event_type == "modified"):
        return
    yield str(event.src_path)
    if event.event_type == "moved":
        yield str(event.dest_path)


def watch(paths: Filter, rebuild: Rebuild, stop: threading.Event, debounce: float = DEBOUNCE_SECONDS) -> None:
    """Call `rebuild(changed paths)` once per burst of real changes, until `stop` is set."""
    pending: queue.SimpleQueue[str] = queue.SimpleQueue()

    class Changes(FileSystemEventHandler):
        def on_any_event(self, event: FileSystemEvent) -> None:
            for path in changed_paths(event):
                if paths.accepts(path):
                    pending.put(path)

    observer = Observer()
    for folder in {*paths.folders, *(f.parent for f in paths.files)}:
        if folder.is_dir():
            observer.schedule(Changes(), str(folder), recursive=folder in paths.folders)
    observer.start()
    try:
        while not stop.is_set():
            batch = _burst(pending, debounce)
            if batch:
                rebuild(sorted(batch))
    finally:
        observer.stop()
        observer.join(timeout=5)


def _burst(pending: queue.SimpleQueue[str], debounce: float) -> set[str]:
    """The paths of one burst: the first change (waited for briefly, so `stop` is noticed), then every change
    that follows within `debounce` seconds of the previous one."""
    try:
        batch = {pending.get(timeout=0.5)}
    except queue.Empty:
        return set()
    while True:
        try:
            batch.add(pending.get(timeout=debounce))
        except queue.Empty:
            return batch
