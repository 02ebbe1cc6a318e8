"""Small measuring tools: run a command and read its own time and peak memory; sizes on the wire."""

from __future__ import annotations

import contextlib
import gzip
import os
import socket
import subprocess
import threading
import time
from dataclasses import dataclass
from pathlib import Path

try:
    import brotli
except ImportError:  # pragma: no cover - bench/requirements.txt installs it
    brotli = None

ENV = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "PYTHONUNBUFFERED": "1"}


@dataclass
class Run:
    """One finished command: wall seconds, CPU seconds (user+sys, children included), peak RSS in MB."""

    wall: float
    cpu: float
    peak_mb: float
    returncode: int
    log: Path

    def tail(self, lines: int = 15) -> str:
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])


def run(cmd: list[str], log: Path, cwd: Path | None = None, timeout: float = 1500) -> Run:
    """Run `cmd` to completion (killed after `timeout` s); its rusage comes from wait4, so it is its own."""
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("wb") as out:
        started = time.monotonic()
        proc = subprocess.Popen(cmd, cwd=cwd, env=ENV, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
        timer = threading.Timer(timeout, _kill_group, (proc.pid,))
        timer.start()
        try:
            _, status, usage = os.wait4(proc.pid, 0)
        except BaseException:  # interrupted: do not leave a build running in its own session
            _kill_group(proc.pid)
            raise
        finally:
            timer.cancel()
        wall = time.monotonic() - started
    proc.returncode = os.waitstatus_to_exitcode(status)
    return Run(wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, proc.returncode, log)


def _kill_group(pid: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pid, 9)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def gzip_size(data: bytes) -> int:
    return len(gzip.compress(data, compresslevel=6, mtime=0))


def brotli_size(data: bytes) -> int | None:
    return len(brotli.compress(data, quality=11)) if brotli is not None else None


def kb(n: float | None) -> str:
    return "n/a" if n is None else f"{n / 1000:,.1f} KB"
