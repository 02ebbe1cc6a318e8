"""`practica serve`'s incremental preview: after each edit, what it rewrote in place is byte for byte what a
full build of the same content writes, and it re-renders only what the edit touches."""

from __future__ import annotations

import hashlib
import json
import logging
import re
import shutil
from pathlib import Path

import pytest

from generator.commands.build import BuildResult, build
from generator.commands.serve import Previewer
from generator.settings import Settings, load_settings
from tests.conftest import write_config

# Pagefind writes its filter index and language metadata in a different order on every run (measured: three
# runs over the same site, three filter files), and names them by their hash; the entry file and the service
# worker's precache list name those. Everything else two builds of the same content write is identical.
PAGEFIND_UNORDERED = re.compile(r"pagefind/(?:filter/en_[0-9a-f]+\.pf_filter|pagefind\.en_[0-9a-f]+\.pf_meta|"
                                r"pagefind-entry\.json)")
_LISTED = re.compile(r'("(?:pagefind/pagefind-entry\.json|pagefind/pagefind\.en_[0-9a-f]+\.pf_meta)",\s*)"[0-9a-f]+"')


def tree(folder: Path) -> dict[str, str]:
    """Every file with a hash of its bytes (Pagefind's unordered files by name only, and the lists that name
    them without their hashes)."""
    out = {}
    for path in sorted(folder.rglob("*")):
        rel = path.relative_to(folder).as_posix()
        if not path.is_file():
            continue
        if PAGEFIND_UNORDERED.fullmatch(rel):
            out[re.sub(r"en_[0-9a-f]+", "en_*", rel)] = "unordered"
            continue
        data = path.read_bytes()
        if rel == "pagefind/offline.json":  # it lists the filter files too, sorted by their names
            listed = (re.sub(r"en_[0-9a-f]+\.pf_filter", "en_*.pf_filter", f) for f in json.loads(data)["files"])
            data = json.dumps(sorted(listed)).encode()
        if rel in ("sw.js", "precache.json"):
            text = _LISTED.sub(r'\1"*"', data.decode())
            text = re.sub(r"en_[0-9a-f]+", "en_*", text)
            text = re.sub(r'"bytes": \d+', '"bytes": *', text)  # the total size counts them too
            data = re.sub(r'(VERSION = |"version": )"[0-9a-f]+"', r"\1*", text).encode()
        out[rel] = hashlib.sha256(data).hexdigest()
    return out


class Session:
    def __init__(self, folder: Path, content: Path) -> None:
        self.folder, self.content = folder, content
        self.config = write_config(folder, docs_dir=str(content))
        self.site = folder / "site"
        self.updates = 0
        result: BuildResult = build(self.config, self.settings(), site_dir=self.site, keep=True)
        self.previewer = Previewer(self.config, self.settings, self.site, self.settings(), result)

    def settings(self) -> Settings:
        return load_settings(self.config, content_dir=self.content)

    def edit(self, *changed: Path) -> bool:
        def done() -> None:
            self.updates += 1
        return self.previewer.rebuild([str(p) for p in changed], done)

    def full(self) -> dict[str, str]:
        full = self.folder / "full"
        shutil.rmtree(full, ignore_errors=True)
        build(self.config, self.settings(), site_dir=full)
        return tree(full)


def replace(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def assert_same(session: Session) -> None:
    served, full = tree(session.site), session.full()
    differ = sorted(p for p in served.keys() | full.keys() if served.get(p) != full.get(p))
    assert not differ, f"the preview differs from a full build in {len(differ)} file(s): {differ[:10]}"


@pytest.fixture
def session(tmp_path: Path, mini: Path) -> Session:
    return Session(tmp_path, mini)


def test_two_full_builds_of_the_same_content_are_identical(session: Session) -> None:
    """What the comparison below rests on: a build is deterministic."""
    assert tree(session.site) == session.full()


def test_a_sequence_of_edits_previews_exactly_as_a_full_build(session: Session,
                                                               caplog: pytest.LogCaptureFixture) -> None:
    content = session.content
    lesson = content / "learn/forecast-basics.md"
    caplog.set_level(logging.INFO, logger="practica")

    # A one-line change to a lesson's body: its own page only, in place.
    before = (session.site / "learn/reading-charts/index.html").stat().st_mtime_ns
    replace(lesson, "Targets are what we want;",
            "A new sentence about seasonality, added in preview. Targets are what we want;")
    assert session.edit(lesson)
    page = (session.site / "learn/forecast-basics/index.html").read_text(encoding="utf-8")
    assert "A new sentence about seasonality, added in preview." in page
    assert "Updated" in caplog.text and "rebuilding" not in caplog.text
    assert (session.site / "learn/reading-charts/index.html").stat().st_mtime_ns == before  # not rewritten
    assert_same(session)

    # A fact other pages show (the title): every page listing it is made again.
    replace(lesson, "title: Forecast basics", "title: Forecasting basics")
    assert session.edit(lesson)
    assert "Forecasting basics" in (session.site / "index.html").read_text(encoding="utf-8") or \
        "Forecasting basics" in (session.site / "learn/index.html").read_text(encoding="utf-8")
    assert_same(session)

    # A person renamed: their profile, and every byline, list and chip that names them.
    person = content / "people/bo.md"
    text = person.read_text(encoding="utf-8")
    name = next(line for line in text.splitlines() if line.startswith("name:"))
    person.write_text(text.replace(name, "name: Bo Renamed-Person", 1), encoding="utf-8")
    assert session.edit(person)
    assert "Bo Renamed-Person" in (session.site / "people/bo/index.html").read_text(encoding="utf-8")
    assert "rebuilding" not in caplog.text  # three edits, each incremental
    assert_same(session)

    # A lesson added, then one deleted: a full build (pages come and go), still the same as one.
    added = content / "learn/added-lesson.md"
    added.write_text(lesson.read_text(encoding="utf-8").replace("title: Forecasting basics",
                                                                 "title: An added lesson"), encoding="utf-8")
    assert session.edit(added)
    assert (session.site / "learn/added-lesson/index.html").is_file()
    assert "rebuilding" in caplog.text
    assert_same(session)
    # Made a draft: its page goes, which the incremental update notices and leaves to a full build.
    caplog.clear()
    replace(added, "title:", "status: draft\ntitle:")
    assert session.edit(added)
    assert "updating" in caplog.text and "rebuilding" in caplog.text
    assert not (session.site / "learn/added-lesson/index.html").exists()
    assert_same(session)
    added.unlink()
    assert session.edit(added)
    assert not (session.site / "learn/added-lesson/index.html").exists()
    assert_same(session)
    assert session.updates == 6


def test_a_broken_edit_keeps_the_last_good_page(session: Session, caplog: pytest.LogCaptureFixture) -> None:
    lesson = session.content / "learn/forecast-basics.md"
    good = (session.site / "learn/forecast-basics/index.html").read_bytes()
    replace(lesson, "title: Forecast basics", "title: [unclosed")
    assert not session.edit(lesson)
    assert session.updates == 0
    assert (session.site / "learn/forecast-basics/index.html").read_bytes() == good
    assert "still serving the last good build" in caplog.text
    assert "forecast-basics.md" in caplog.text  # the problem names the file
