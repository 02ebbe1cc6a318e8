"""Shared fixtures: copies of the fixture communities, the CLI run in-process, real builds in tmp dirs."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import yaml

from generator.cli import main
from tests.service.ralph import Ralph, running_ralph

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures"
MINI = FIXTURES / "mini"


@pytest.fixture
def mini(tmp_path: Path) -> Path:
    """A fresh, valid copy of the mini community, to break in a test."""
    target = tmp_path / "content"
    shutil.copytree(MINI, target)
    return target


class CliResult:
    def __init__(self, code: int, out: str, err: str) -> None:
        self.code, self.out, self.err = code, out, err


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str]) -> Callable[..., CliResult]:
    """Run `practica ARGS…` in-process; returns its exit code and output."""
    def run(*args: str | Path) -> CliResult:
        capsys.readouterr()
        code = main([str(a) for a in args])
        captured = capsys.readouterr()
        return CliResult(code, captured.out, captured.err)
    return run


def write_config(folder: Path, **changes: object) -> Path:
    """A mkdocs.yml like the project's, with absolute paths (so it works from a temp folder) and changes
    (`practica={…}` changes settings under extra.practica)."""
    from generator.settings import _TolerantLoader

    config = yaml.load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"), Loader=_TolerantLoader)
    config["hooks"] = [str(ROOT / "hooks" / "practica.py")]
    config["theme"]["custom_dir"] = str(ROOT / "pwa" / "overrides")
    config["extra"]["practica"]["icon"] = str(ROOT / "pwa" / "icons" / "icon.png")
    config["docs_dir"] = str(MINI)
    config["extra"]["practica"].update(changes.pop("practica", {}))
    for key, value in changes.items():
        config[key] = value
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "mkdocs.yml"
    path.write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")
    return path


def line_of(path: Path, text: str) -> int:
    """The 1-based line of the first line containing `text`."""
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if text in line:
            return number
    raise AssertionError(f"{text!r} not in {path}")


@pytest.fixture(scope="session")
def mini_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The mini community, built once per session (read-only for tests)."""
    folder = tmp_path_factory.mktemp("mini-site")
    shutil.copytree(MINI, folder / "content")
    config = write_config(folder, docs_dir="content")
    assert main(["build", "--config-file", str(config), "--site-dir", str(folder / "site")]) == 0
    return folder / "site"


@pytest.fixture(scope="session")
def ralph(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Ralph]:
    """One real Learning Record Store (Ralph) for the whole run, the service's tests and the browser's; tests tell
    their statements apart by activity."""
    with running_ralph(tmp_path_factory.mktemp("ralph")) as found:
        yield found


HOSTILE = FIXTURES / "hostile"
# Reader comments as `practica push export-feedback` writes them: Markdown and HTML that must stay text on /health/.
HOSTILE_COMMENTS = [
    "ok\n## ![a](x.png){: onerror=alert(1) } z",
    "ok\u2028## ![a](x.png){: onerror=alert(1) } z",
    "<img src=x onerror=alert(1)>",
    "[x](javascript:alert(1))",
]


class HostileSite:
    def __init__(self, folder: Path) -> None:
        self.folder, self.content, self.site = folder, folder / "content", folder / "site"
        self.config = folder / "mkdocs.yml"


@pytest.fixture(scope="session")
def hostile_site(tmp_path_factory: pytest.TempPathFactory) -> HostileSite:
    """The hostile community (issue 12) built once per session, its validation problems ignored."""
    from generator.commands.build import build_site
    from generator.content.load import load_community
    from generator.settings import load_settings

    built = HostileSite(tmp_path_factory.mktemp("hostile-site"))
    shutil.copytree(HOSTILE, built.content)
    feedback = {"generated_at": "2026-11-30T00:00:00+00:00",
                "pages": {"learn/forecast-basics/": {"helpful": 1, "not_helpful": 2, "comments": HOSTILE_COMMENTS}}}
    (built.folder / "feedback.json").write_text(json.dumps(feedback), encoding="utf-8")
    write_config(built.folder, docs_dir="content", practica={"feedback_file": "feedback.json"})
    settings = load_settings(built.config)
    community = load_community(settings)
    # Simulates a validator gap: the build alone must never publish active content, whatever validation misses.
    community.problems.clear()
    build_site(built.config, settings, community, built.site)
    return built
