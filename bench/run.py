"""Practica's benchmarks: `make bench` (about 30 minutes) or `make bench ARGS=--quick` (under 5).

    python bench/run.py [--quick] [--only build,validate,weight,push,serve,search] [--sizes 1000,5000]
    python bench/run.py [--quick] --only fanout   # issue 19, not in the default steps: it starts PostgreSQL

Writes every figure to bench/out/results-<mode>.json and a Markdown report (the tables in
bench/BENCHMARKS.md) to bench/out/report-<mode>.md. Generated communities and sites go to bench/out/.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import logging
import platform
import sys
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import build  # noqa: E402
import generate  # noqa: E402
import report  # noqa: E402
import sites  # noqa: E402
import weight  # noqa: E402
from measure import run  # noqa: E402

OUT = HERE / "out"
LOGS = OUT / "logs"
SEED = 1
STEPS = ("build", "validate", "weight", "push", "serve", "search")
EXTRA = ("fanout",)  # run only when named in --only (bench/fanout.py: a throwaway PostgreSQL cluster)
log = logging.getLogger("bench")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true",
                        help="1,000 items, one round, no serve or offline check (validation still at 5,000)")
    parser.add_argument("--only", default=",".join(STEPS), help="comma-separated steps (default: all)")
    parser.add_argument("--sizes", help="comma-separated community sizes (default 1000,5000,10000)")
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s", datefmt="%H:%M:%S")
    mode = "quick" if args.quick else "full"
    sizes = [int(s) for s in args.sizes.split(",")] if args.sizes else ([1000] if args.quick else [1000, 5000, 10000])
    steps = [s for s in args.only.split(",") if s]
    saved = OUT / f"results-{mode}.json"
    # A run of some steps (--only) updates the figures of those steps and keeps the others, with dates.
    results: dict[str, Any] = json.loads(saved.read_text()) if saved.is_file() and args.only != ",".join(STEPS) else {}
    results.update({"date": dt.date.today().isoformat(), "mode": mode, "sizes": sizes, "machine": _machine(),
                    "seed": SEED})
    results.setdefault("dates", {}).update({step: dt.date.today().isoformat() for step in steps})
    step_started = [time.monotonic()]
    seconds = results.setdefault("step_seconds", {})
    for step in ("prepare", *steps):
        seconds[step] = 0.0

    def save(step: str) -> None:
        now = time.monotonic()
        seconds[step] += now - step_started[0]
        step_started[0] = now
        results["seconds"] = sum(results["step_seconds"].values())
        saved.write_text(json.dumps(results, indent=1, default=str))
        (OUT / f"report-{mode}.md").write_text(report.markdown(results))

    needs_sites = any(s not in ("push", *EXTRA) for s in steps)  # push and fanout make their own data
    cases = {n: _prepare(n) for n in sorted({*sizes, *([5000] if "validate" in steps else [])})} if needs_sites else {}
    save("prepare")
    if "build" in steps:
        rounds = 1 if args.quick else 2
        results["build"] = [build.compare(cases[n], rounds if n <= 1000 else 1, LOGS) for n in sizes]
        results["linearity"] = build.linearity(results["build"])
        save("build")
    if "validate" in steps:
        results["validate"] = _validate(cases[5000], 1 if args.quick else 3)
        save("validate")
    if "weight" in steps:
        results["weight"] = {n: _weight(cases[n]) for n in sizes if n in (1000, 10000) or len(sizes) == 1}
        save("weight")
    if "push" in steps:
        import push

        results["push"] = push.fanout(10_000 if not args.quick else 2_000, LOGS)
        save("push")
    if "fanout" in steps:
        import fanout

        quick = args.quick
        results["fanout"] = fanout.measure(2_000 if quick else 20_000, 1 if quick else 2, 2, 200 if quick else 2_000,
                                           ["send", "api"])
        log.info("fan-out (issue 19):\n%s", fanout.markdown(results["fanout"]))
        save("fanout")
    if "serve" in steps and not args.quick:
        results["serve"] = {}
        for n in sizes:  # each size's build step (when run) gives the full build's time to compare with
            results["serve"][n] = {"practica": build.serve_rebuild(cases[n], True, LOGS),
                                   "plain": build.serve_rebuild(cases[n], False, LOGS)}
            save("serve")
    if "search" in steps:
        results["search"] = {}
        for n in sizes:
            results["search"][n] = _search(cases[n], LOGS, offline=n == sizes[0] and not args.quick)
            save("search")
    log.info("done in %.0f s: %s", results["seconds"], OUT / f"report-{mode}.md")
    return 0


def _machine() -> dict[str, Any]:
    import os

    return {"cpus": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform()}


def _prepare(items: int) -> build.Case:
    """Generate the community (deterministic) and the baseline's docs and config, and make sure both sites
    exist (page weight and search need them even when the build step is skipped)."""
    case = build.Case(items, OUT / f"c{items}")
    log.info("generating %d items", items)
    generate.generate(items, SEED, case.content)
    sites.plain_docs(case.content, case.root / "plain")
    sites.plain_config(HERE.parent / "mkdocs.yml", case.root / "plain", case.plain_site, case.plain_config)
    return case


def _ensure_site(case: build.Case, plain: bool = False) -> None:
    """Build Practica's site (or the baseline's, with its search index) when a skipped build step left none."""
    name, built, cmd = (("plain", case.plain_site / "search" / "search_index.json", build.plain_cmd(case)) if plain
                        else ("practica", case.practica_site / "index.html", build.practica_cmd(case)))
    if not built.is_file():
        done = run(cmd, LOGS / f"build-{name}-{case.items}-ensure.log", cwd=build.REPO)
        if done.returncode != 0:
            raise RuntimeError(done.tail())


def _weight(case: build.Case) -> dict[str, Any]:
    _ensure_site(case)
    site = case.practica_site
    return {"pages": weight.pages(site), "first_visit": weight.first_visit(site),
            "precache": weight.precache(site)}


def _search(case: build.Case, logs: Path, offline: bool) -> dict[str, Any]:
    """Material's search on the baseline site (the plain Material site has it) against Pagefind on Practica's
    site (the bundle its build wrote), the same queries on both."""
    import search
    from playwright.sync_api import sync_playwright

    _ensure_site(case)
    _ensure_site(case, plain=True)
    log.info("search at %d items", case.items)
    row: dict[str, Any] = {"material_index": search.index_sizes(case.plain_site),
                           "pagefind_index": search.pagefind_index(case.practica_site, case.root, logs)}
    q = search.queries(case.content)
    row["queries"] = q
    with search.host(case.plain_site) as plain, search.host(case.practica_site) as practica, \
            sync_playwright() as playwright:
        browser = search.launch(playwright)
        try:
            row["material"] = search.material(browser, plain, q)
            row["material_worker"] = search.material_worker(browser, plain, case.plain_site, q)
            row["pagefind"] = search.pagefind(browser, practica, q)
            row["pagefind_main_thread"] = search.pagefind(browser, practica, q, worker=False)
            if offline:
                row["pagefind_offline"] = search.pagefind_offline(browser, practica, q)
        finally:
            browser.close()
    return row


def _validate(case: build.Case, times: int) -> dict[str, Any]:
    cmd = [str(build.BIN / "practica"), "validate", "--content", str(case.content)]
    runs = [run(cmd, LOGS / f"validate-{case.items}-{i}.log", cwd=build.REPO) for i in range(times)]
    best = min(runs, key=lambda r: r.wall)
    return {"items": case.items, "wall": best.wall, "cpu": best.cpu, "peak_mb": best.peak_mb,
            "walls": [r.wall for r in runs], "output": best.tail(2)}


if __name__ == "__main__":
    sys.exit(main())
