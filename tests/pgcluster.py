"""A throwaway PostgreSQL cluster for the tests: Debian's `postgresql` binaries, a temporary data folder, a free
port on 127.0.0.1, fsync off (nothing here needs to survive a power cut), removed afterwards.

`initdb` and `postgres` refuse to run as root, and CI runs as root: then the cluster runs as the `postgres`
system user the Debian package creates (its folder is made theirs), and the tests connect over TCP as the
cluster's superuser `practica` with trust authentication, which only loopback clients can reach.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

SUPERUSER = "practica"
PREFIX = "practica-pg-"
OWNER = "owner.pid"  # the test run (pytest's pid) that made the cluster


def binaries() -> Path | None:
    """The newest Debian PostgreSQL bin folder (/usr/lib/postgresql/<version>/bin), if installed."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(Path(p).parent.parent.name))
    return Path(found[-1]).parent if found else None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _as_owner() -> tuple[Callable[[], None] | None, int | None, int | None]:
    """How to run the server: as ourselves, or (as root) as the `postgres` system user."""
    if os.geteuid() != 0:
        return None, None, None
    user = pwd.getpwnam("postgres")

    def drop() -> None:
        os.setgid(user.pw_gid)
        os.setgroups([])
        os.setuid(user.pw_uid)
    return drop, user.pw_uid, user.pw_gid


class Cluster:
    """One running cluster; `url(name)` for a database in it, `create(name)` to make one."""

    def __init__(self) -> None:
        bindir = binaries()
        if bindir is None:
            raise RuntimeError("PostgreSQL is not installed: `make test` installs Debian's postgresql package")
        self.bin = bindir
        self._sweep()
        self.port = _free_port()
        # Under /tmp itself, not pytest's 0700 folder: the postgres user must be able to reach it.
        self.root = Path(tempfile.mkdtemp(prefix=PREFIX))
        (self.root / OWNER).write_text(str(os.getpid()))
        self._drop, uid, gid = _as_owner()
        if uid is not None and gid is not None:
            os.chown(self.root, uid, gid)
        self.data = self.root / "data"
        self.log = self.root / "server.log"
        self._run("initdb", "-D", str(self.data), "-A", "trust", "-U", SUPERUSER, "-E", "UTF8", "--locale=C",
                  "--no-sync", "--no-instructions")
        self._options = (f"-c listen_addresses=127.0.0.1 -p {self.port} -k {self.root} -c fsync=off "
                         "-c synchronous_commit=off -c full_page_writes=off -c max_connections=200")
        try:
            self.start()
        except RuntimeError:
            shutil.rmtree(self.root, ignore_errors=True)
            raise

    def _sweep(self) -> None:
        """Stop and remove the clusters of test runs that died without stopping theirs (a SIGKILLed pytest leaves
        its server running and its folder in /tmp); a cluster whose run is still alive is left alone."""
        for root in Path(tempfile.gettempdir()).glob(PREFIX + "*"):
            try:
                owner = int((root / OWNER).read_text())
                os.kill(owner, 0)
                continue  # its test run is alive
            except ProcessLookupError:
                pass
            except (OSError, ValueError):
                continue  # being made, or not ours to judge
            if (root / "data" / "postmaster.pid").exists():
                subprocess.run([str(self.bin / "pg_ctl"), "-D", str(root / "data"), "-m", "immediate", "-w", "stop"],
                               preexec_fn=_as_owner()[0], capture_output=True, timeout=60, check=False)
            shutil.rmtree(root, ignore_errors=True)

    def start(self) -> None:
        """Start the server (again, after `halt`), on the same port; returns once it accepts connections."""
        self._ctl("start", "-o", self._options, "-l", str(self.log))

    def halt(self) -> None:
        """Stop the server as an administrator would (`pg_ctl stop -m fast`: sessions are ended, the data kept)."""
        self._ctl("stop", "-m", "fast")

    def restart(self) -> None:
        """`pg_ctl restart -m fast`: every session is ended, the server back on the same port when this returns."""
        self._ctl("restart", "-m", "fast", "-o", self._options, "-l", str(self.log))

    def _ctl(self, action: str, *args: str) -> None:
        try:
            self._run("pg_ctl", "-D", str(self.data), "-w", "-t", "60", action, *args)
        except (subprocess.CalledProcessError, subprocess.TimeoutExpired) as exc:
            log = self.log.read_text(errors="replace")[-2000:] if self.log.exists() else ""
            raise RuntimeError(f"the test PostgreSQL did not {action}: {exc}\n{log}") from None

    def _run(self, program: str, *args: str) -> None:
        subprocess.run([str(self.bin / program), *args], preexec_fn=self._drop, check=True, capture_output=True,
                       text=True, timeout=120, cwd=self.root)

    def url(self, database: str = "postgres") -> str:
        return f"postgresql://{SUPERUSER}@127.0.0.1:{self.port}/{database}"

    def create(self, database: str) -> str:
        """A new empty database; its URL."""
        import psycopg

        with psycopg.connect(self.url(), autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{database}" TEMPLATE template0')
        return self.url(database)

    def drop(self, database: str) -> None:
        import psycopg

        with psycopg.connect(self.url(), autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')

    def stop(self) -> None:
        try:
            self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop")
        except (subprocess.CalledProcessError, subprocess.TimeoutExpired):
            pass
        finally:
            for _ in range(3):
                shutil.rmtree(self.root, ignore_errors=True)
                if not self.root.exists():
                    break
                time.sleep(0.2)
