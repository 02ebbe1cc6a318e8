"""`practica build`: validate everything, build into a fresh folder, then swap it in as one step.

With any content error nothing is written and the previous site stays exactly as it was; the same
holds when MkDocs itself fails half way, because it only ever writes into a temporary sibling folder.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import logging
import os
import re
import shutil
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from ..community import Community
from ..content.load import load_community
from ..content.problems import errors
from ..errors import BuildError, ConfigError, ContentError
from ..settings import Settings

if TYPE_CHECKING:
    from ..adapters.preview import Preview

log = logging.getLogger("practica")


@dataclass
class BuildResult:
    site_dir: Path
    pages: int
    seconds: float
    preview: Preview | None = None  # with `keep`: what an incremental rebuild of this site needs (serve.py)


def build(config_file: Path, settings: Settings, site_dir: Path | None = None, strict: bool = False,
          keep: bool = False) -> BuildResult:
    started = time.monotonic()
    _require(config_file)  # before validating: a missing config should not cost a whole validation first
    community = load_community(settings)
    if errors(community.problems) or (strict and community.problems):
        raise ContentError(community.problems)
    for problem in community.problems:
        log.warning("%s: %s (fix: %s)", problem.where, problem.message, problem.hint)
    return build_site(config_file, settings, community, site_dir, strict, started, keep)


def build_site(config_file: Path, settings: Settings, community: Community, site_dir: Path | None = None,
               strict: bool = False, started: float | None = None, keep: bool = False) -> BuildResult:
    """Build an already validated community (tests also hand it one whose problems were ignored, to show
    that what validation would miss is still never published)."""
    started = time.monotonic() if started is None else started
    # MkDocs (~0.3 s to import) only once there is something to build: `practica build` reports content
    # errors, and `practica validate` runs, without loading it. Only the adapter imports MkDocs.
    from ..adapters.mkdocs import load_site_config, run_build
    from ..adapters.preview import Preview

    _require(config_file)
    config = load_site_config(config_file, settings, strict)
    target = Path(site_dir or config.site_dir).resolve()
    target.parent.mkdir(parents=True, exist_ok=True)
    remove_abandoned(target)
    # The builder's pid in the name lets a later build tell a folder a killed build left from one in progress.
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}-building-{os.getpid()}-", dir=target.parent))
    try:
        state = run_build(config, settings, community, staging, keep)
    except BuildError as exc:
        shutil.rmtree(staging, ignore_errors=True)
        raise BuildError(f"the site build failed; {target} was left as it was: {exc}") from exc.__cause__
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    os.chmod(staging, 0o755)
    swap_in(staging, target)
    preview = Preview(state, target) if state is not None else None
    pages = sum(1 for _ in target.rglob("index.html"))
    return BuildResult(target, pages, time.monotonic() - started, preview)


def _require(config_file: Path) -> None:
    """A ConfigError (one line, no traceback) unless `config_file` exists."""
    if not Path(config_file).is_file():
        raise ConfigError(f"{config_file}: no such file; run practica in the site's folder (the one with "
                          "mkdocs.yml), or name the file with --config-file")


def remove_abandoned(target: Path) -> list[Path]:
    """Remove the staging (and swapped-out) folders next to `target` whose builder process has died."""
    pattern = re.compile(rf"\.{re.escape(target.name)}-(?:building-(\d+)-.+|old-(\d+))")
    removed = []
    for path in target.parent.iterdir():
        found = pattern.fullmatch(path.name)
        if found and path.is_dir() and not path.is_symlink() and not _alive(int(found[1] or found[2])):
            shutil.rmtree(path, ignore_errors=True)
            removed.append(path)
    if removed:
        log.info("removed %d folder(s) left by interrupted builds next to %s", len(removed), target)
    return removed


def _alive(pid: int) -> bool:
    """Whether a process `pid` exists (one we may not signal counts: it is somebody's build)."""
    if pid <= 0:  # kill(0, …) and kill(-n, …) address process groups, not one process
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def swap_in(new: Path, target: Path) -> None:
    """Replace `target` with `new` so that readers see the old site or the new one, never a mixture."""
    if not target.exists():
        new.rename(target)
        return
    if not _exchange(new, target):
        # Without an atomic exchange, two renames leave a window of microseconds with no site at all.
        old = target.with_name(f".{target.name}-old-{os.getpid()}")
        target.rename(old)
        new.rename(target)
        new = old
    shutil.rmtree(new, ignore_errors=True)


def _exchange(a: Path, b: Path) -> bool:
    """Atomically swap two paths with Linux's renameat2(RENAME_EXCHANGE); False where unsupported."""
    libc_name = ctypes.util.find_library("c")
    if not libc_name:
        return False
    libc = ctypes.CDLL(libc_name, use_errno=True)
    renameat2 = getattr(libc, "renameat2", None)
    if renameat2 is None:
        return False
    at_fdcwd, rename_exchange = -100, 2
    result = renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange)
    return bool(result == 0)
