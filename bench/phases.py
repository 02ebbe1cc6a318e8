"""Where `practica build`'s time goes, next to the baseline with and without Material's search plugin.

    .venv/bin/python bench/phases.py [--items 1000] [--rounds 2]

Uses the community and baseline that `bench/run.py` generated in bench/out/c<items>/. Each round runs, one
after the other: `practica build` in a child process whose phases are timed (CPU of the build process; the
Pagefind indexer is a grandchild, counted as children's CPU), the baseline `mkdocs build`, and the baseline
with its search plugin turned off. Prints the median of each figure as a Markdown table.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import sites  # noqa: E402
from build import BIN, REPO, Case  # noqa: E402
from measure import ENV, run  # noqa: E402

LOGS = HERE / "out" / "logs"

# Runs inside the child: wraps the phases, builds, prints one JSON line.
CHILD = r"""
import collections, functools, json, resource, sys, time
spent = collections.Counter()
active = collections.Counter()

def wrap(module, name, label):
    original = getattr(module, name)
    @functools.wraps(original)
    def timed(*args, **kwargs):
        active[label] += 1
        started = time.process_time()
        try:
            return original(*args, **kwargs)
        finally:
            active[label] -= 1
            if not active[label]:  # outermost call only
                spent[label] += time.process_time() - started
    setattr(module, name, timed)

started = time.process_time()
import mkdocs.commands.build as mkdocs_build
import generator.adapters.mkdocs as adapter
import generator.commands.build as command
from generator.cli import main

wrap(command, "load_community", "load and validate the content")
wrap(adapter, "on_config", "Practica's render phase (page builders, feeds, photos, icons)")
wrap(mkdocs_build, "_populate_page", "MkDocs: Markdown to HTML, per page")
wrap(mkdocs_build, "_build_page", "MkDocs: theme templates, per page")
main(["build", "--content", sys.argv[1], "--site-dir", sys.argv[2]])
total = time.process_time() - started
children = resource.getrusage(resource.RUSAGE_CHILDREN)
phases = dict(spent)
phases["the rest: imports, config, nav, feeds, photos, service worker, the swap"] = total - sum(spent.values())
phases["Pagefind indexing (a child process; its CPU)"] = children.ru_utime + children.ru_stime
print("PHASES " + json.dumps(phases))
"""


def practica_phases(case: Case, round_: int) -> dict[str, float]:
    done = subprocess.run([str(BIN / "python"), "-c", CHILD, str(case.content), str(case.root / "site-phases")],
                          cwd=REPO, env=ENV, capture_output=True, text=True, timeout=3600, check=False)
    (LOGS / f"phases-practica-{case.items}-{round_}.log").write_text(done.stdout + done.stderr)
    line = next((ln for ln in done.stdout.splitlines() if ln.startswith("PHASES ")), None)
    if done.returncode != 0 or line is None:
        raise RuntimeError(f"practica build failed:\n{done.stderr[-2000:]}")
    return dict(json.loads(line.removeprefix("PHASES ")))


def without_search(case: Case) -> Path:
    """The baseline's config with MkDocs' search plugin off (as in Practica's mkdocs.yml)."""
    return sites.plain_config(REPO / "mkdocs.yml", case.root / "plain", case.root / "site-plain-nosearch",
                              case.root / "plain-nosearch.yml", search=False)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    case = Case(args.items, HERE / "out" / f"c{args.items}")
    if not case.plain_config.is_file():
        sys.exit(f"no {case.plain_config}: run `.venv/bin/python bench/run.py --only build --sizes {args.items}` first")
    LOGS.mkdir(parents=True, exist_ok=True)
    nosearch = without_search(case)
    phases: dict[str, list[float]] = {}
    plain: dict[str, list[float]] = {"with search": [], "without search": []}
    for r in range(args.rounds):
        for label, value in practica_phases(case, r).items():
            phases.setdefault(label, []).append(value)
        for label, config in (("with search", case.plain_config), ("without search", nosearch)):
            done = run([str(BIN / "mkdocs"), "build", "-q", "-f", str(config)],
                       LOGS / f"phases-plain-{label.replace(' ', '-')}-{case.items}-{r}.log", cwd=REPO)
            if done.returncode != 0:
                raise RuntimeError(done.tail())
            plain[label].append(done.cpu)
    total = sum(statistics.median(v) for v in phases.values())
    print(f"`practica build` at {case.items:,} items, CPU seconds (median of {args.rounds}):\n")
    print("| phase | CPU | share |\n|---|---:|---:|")
    for label, values in phases.items():
        print(f"| {label} | {statistics.median(values):.2f} s | {statistics.median(values) / total:.0%} |")
    print(f"| **all** | **{total:.2f} s** | |")
    print("\nThe baseline, plain `mkdocs build`, CPU seconds (median):\n")
    print("| baseline | CPU |\n|---|---:|")
    for label, values in plain.items():
        print(f"| {label} | {statistics.median(values):.2f} s |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
