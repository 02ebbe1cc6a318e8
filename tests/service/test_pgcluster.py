"""The tests' throwaway PostgreSQL (tests/pgcluster.py): a run that died without stopping its cluster (SIGKILL)
leaves a server running and a folder in /tmp; the next run stops and removes it, and leaves live runs' alone."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

from tests.conftest import ROOT
from tests.pgcluster import OWNER, Cluster

MAKE = "from tests.pgcluster import Cluster; import time; c = Cluster(); print(c.root, flush=True); time.sleep(600)"


def _server_runs(root: Path) -> bool:
    pid_file = root / "data" / "postmaster.pid"
    if not pid_file.exists():
        return False
    pid = int(pid_file.read_text().split()[0])
    return Path(f"/proc/{pid}").exists() and "postgres" in Path(f"/proc/{pid}/cmdline").read_text(errors="replace")


def test_a_killed_run_s_cluster_is_stopped_and_removed_by_the_next(pg_cluster: Cluster) -> None:
    maker = subprocess.Popen([sys.executable, "-c", MAKE], cwd=ROOT, stdout=subprocess.PIPE, text=True)
    try:
        assert maker.stdout is not None
        orphan = Path(maker.stdout.readline().strip())
        assert _server_runs(orphan)
    finally:
        maker.send_signal(signal.SIGKILL)
        maker.wait(timeout=30)
    assert _server_runs(orphan)  # what a killed run leaves behind
    Cluster._sweep(pg_cluster)
    deadline = time.monotonic() + 30
    while orphan.exists() and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not orphan.exists()
    assert (pg_cluster.root / OWNER).exists() and _server_runs(pg_cluster.root)  # this run's own is left alone
