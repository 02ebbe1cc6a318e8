"""Build time: `practica build` against a plain mkdocs-material build of the same Markdown, side by side.

Each round runs the baseline and Practica back to back (alternating which goes first), so both see the
same machine load; the ratio is taken per round and the median reported. CPU time (user+sys of the
build process) is less sensitive to other load than wall time and is the figure the budget is judged on.
"""

from __future__ import annotations

import re
import statistics
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

from measure import ENV, Run, free_port, run

REPO = Path(__file__).resolve().parent.parent
BIN = REPO / ".venv" / "bin"


@dataclass
class Case:
    """One synthetic community and where its two sites are built."""

    items: int
    root: Path  # bench/out/c<items>

    @property
    def content(self) -> Path:
        return self.root / "content"

    @property
    def practica_site(self) -> Path:
        return self.root / "site-practica"

    @property
    def plain_site(self) -> Path:
        return self.root / "site-plain"

    @property
    def plain_config(self) -> Path:
        return self.root / "plain.yml"


def practica_cmd(case: Case) -> list[str]:
    return [str(BIN / "practica"), "build", "--content", str(case.content), "--site-dir", str(case.practica_site)]


def plain_cmd(case: Case) -> list[str]:
    return [str(BIN / "mkdocs"), "build", "-q", "-f", str(case.plain_config)]


def compare(case: Case, rounds: int, logs: Path) -> dict[str, object]:
    """Alternate plain and Practica builds; medians of time, CPU, memory and the per-round CPU ratio."""
    runs: dict[str, list[Run]] = {"plain": [], "practica": []}
    for r in range(rounds):
        order = ("plain", "practica") if r % 2 == 0 else ("practica", "plain")
        for name in order:
            cmd = plain_cmd(case) if name == "plain" else practica_cmd(case)
            done = run(cmd, logs / f"build-{name}-{case.items}-{r}.log", cwd=REPO)
            if done.returncode != 0:
                raise RuntimeError(f"{' '.join(cmd)} failed:\n{done.tail()}")
            runs[name].append(done)
    ratios_cpu = [p.cpu / b.cpu for p, b in zip(runs["practica"], runs["plain"], strict=True)]
    ratios_wall = [p.wall / b.wall for p, b in zip(runs["practica"], runs["plain"], strict=True)]
    out: dict[str, object] = {"items": case.items, "rounds": rounds,
                              "ratio_cpu": statistics.median(ratios_cpu), "ratio_wall": statistics.median(ratios_wall)}
    for name, builds in runs.items():
        out[name] = {"wall": statistics.median(b.wall for b in builds), "cpu": statistics.median(b.cpu for b in builds),
                     "peak_mb": max(b.peak_mb for b in builds)}
    out["pages"] = sum(1 for _ in case.practica_site.rglob("index.html"))
    out["plain_pages"] = sum(1 for _ in case.plain_site.rglob("index.html"))
    return out


def linearity(results: list[dict[str, object]]) -> dict[str, object]:
    """Seconds per 1,000 items at each size: flat means linear."""
    out: dict[str, object] = {}
    for name in ("practica", "plain"):
        out[name] = {r["items"]: r[name]["cpu"] / r["items"] * 1000 for r in results}  # type: ignore[index]
    return out


_UPDATED = re.compile(r"Updated \d+ file\(s\) in ([\d.]+) s")


def serve_rebuild(case: Case, practica: bool, logs: Path, timeout: float = 900) -> dict[str, float]:
    """Start `practica serve` (or `mkdocs serve` on the baseline), change one file, time the rebuild.

    `mkdocs serve` rebuilds the whole site on any change; `practica serve` re-validates the community and
    re-renders what the change touches (an incremental preview), then indexes search again. This measures
    from the moment the file is written to the moment the server logs the changed page as served ("Updated
    N file(s)" from Practica, "Reloading browsers" from MkDocs), and for Practica also until search has
    caught up ("Search indexed again"), and the process's peak memory (VmHWM) at that point.
    """
    port = free_port()
    if practica:
        cmd = [str(BIN / "practica"), "serve", "--dev-addr", f"127.0.0.1:{port}", "--content", str(case.content),
               "--site-dir", str(case.root / "site-serve"), "--verbose"]
        changed, done = sorted((case.content / "learn").glob("*.md"))[0], "Updated "
    else:
        cmd = [str(BIN / "mkdocs"), "serve", "-a", f"127.0.0.1:{port}", "-f", str(case.plain_config)]
        changed, done = sorted((case.root / "plain" / "learn").glob("lesson-*.md"))[0], "Reloading browsers"
    log = logs / f"serve-{'practica' if practica else 'plain'}-{case.items}.log"
    original = changed.read_text(encoding="utf-8")
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("w") as out:
        proc = subprocess.Popen(cmd, cwd=REPO, env=ENV, stdout=out, stderr=subprocess.STDOUT, text=True)
    try:
        started = time.monotonic()
        _wait_for(log, "Serving ", started + timeout, proc)
        first = time.monotonic() - started
        time.sleep(2)  # let the watcher settle
        before, indexed = _count(log, done), _count(log, "Search indexed again")
        changed.write_text(original.replace("\n\n", "\n\nA sentence added by the rebuild benchmark.\n\n", 1),
                           encoding="utf-8")
        touched = time.monotonic()
        _wait_for(log, done, touched + timeout, proc, after=before)
        rebuild = time.monotonic() - touched
        extra: dict[str, float] = {}
        if practica:
            _wait_for(log, "Search indexed again", touched + timeout, proc, after=indexed)
            extra["search"] = time.monotonic() - touched
        extra["peak_mb"] = _peak_mb(proc.pid)
    finally:
        changed.write_text(original, encoding="utf-8")
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    reported = _UPDATED.findall(log.read_text(errors="replace"))
    return {"startup": first, "rebuild": rebuild, **extra, **({"reported": float(reported[0])} if reported else {})}


def _peak_mb(pid: int) -> float:
    """The process's peak resident memory so far (VmHWM), in MB; 0 where /proc cannot say."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return 0.0
    found = re.search(r"VmHWM:\s+(\d+) kB", status)
    return int(found[1]) / 1024 if found else 0.0


def _count(log: Path, text: str) -> int:
    return log.read_text(errors="replace").count(text)


def _wait_for(log: Path, text: str, deadline: float, proc: subprocess.Popen[str], after: int = -1) -> None:
    while time.monotonic() < deadline:
        content = log.read_text(errors="replace")
        if (content.count(text) > after) if after >= 0 else (text in content):
            return
        if proc.poll() is not None:
            raise RuntimeError(f"{proc.args!r} exited early:\n{content[-2000:]}")
        time.sleep(0.05)
    raise TimeoutError(f"no '{text}' from {proc.args!r} in time; see {log}")
