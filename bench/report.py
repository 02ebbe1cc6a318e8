"""The Markdown tables of bench/BENCHMARKS.md, from one run's results."""

from __future__ import annotations

from typing import Any

from measure import kb


def markdown(r: dict[str, Any]) -> str:
    flag = " --quick" if r["mode"] == "quick" else ""
    parts = [f"Run of {r['date']} (`{r['mode']}`, seed {r['seed']}, {r['machine']['cpus']} CPUs, Python "
             f"{r['machine']['python']}), {r['seconds'] / 60:.1f} min in all: "
             f"`.venv/bin/python bench/run.py{flag}`.\n"]
    for name, render in (("build", _build), ("serve", _serve), ("weight", _weight), ("search", _search),
                         ("validate", _validate), ("push", _push), ("fanout", _fanout)):
        if r.get(name):
            parts.append(render(r))
    return "\n".join(parts)


def _fanout(r: dict[str, Any]) -> str:
    import fanout

    return "### Fan-out on PostgreSQL (`--only fanout`, issue 19)\n\n" + fanout.markdown(r["fanout"]) + "\n"


def _build(r: dict[str, Any]) -> str:
    rows = ["### Build (`--only build`)\n",
            "| items | pages | plain wall | plain CPU | Practica wall | Practica CPU | ratio (CPU) | ratio (wall) "
            "| peak RSS plain / Practica | budget ≤ 1.3× |",
            "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|"]
    for b in r["build"]:
        p, q = b["plain"], b["practica"]
        rows.append(f"| {b['items']:,} | {b['pages']:,} | {q_s(p['wall'])} | {q_s(p['cpu'])} | {q_s(q['wall'])} | "
                    f"{q_s(q['cpu'])} | {b['ratio_cpu']:.2f}× | {b['ratio_wall']:.2f}× | "
                    f"{p['peak_mb']:.0f} / {q['peak_mb']:.0f} MB | {_met(b['ratio_cpu'] <= 1.3)} |")
    lin = r["linearity"]
    rows.append("\nCPU seconds per 1,000 items (flat = linear): "
                + "; ".join(f"{name}: " + ", ".join(f"{int(n):,} → {v:.1f}" for n, v in per.items())
                            for name, per in lin.items()))
    return "\n".join(rows) + "\n"


def _serve(r: dict[str, Any]) -> str:
    rows = ["### Preview after a one-line change to one lesson (`--only serve`)\n",
            "`practica serve` updates incrementally; \"page served\" is until the changed page is written, \"search\" "
            "until the search index has caught up. A full build is the build step's Practica wall time.\n",
            "| items | `practica serve` start | page served | search caught up | serve peak RSS | `mkdocs serve` "
            "start | rebuild | vs `mkdocs serve` | vs a full build |",
            "|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    builds = {int(b["items"]): b for b in r.get("build", [])} if isinstance(r.get("build"), list) else {}
    for n, s in r["serve"].items():
        if not isinstance(s, dict) or "practica" not in s:
            continue
        p, b = s["practica"], s["plain"]
        full = builds.get(int(n), {}).get("practica", {}).get("wall")
        share = f"{p['rebuild'] / full:.1%}" if full else "—"
        rows.append(f"| {int(n):,} | {q_s(p['startup'])} | {q_s(p['rebuild'])} | {q_s(p.get('search', 0))} | "
                    f"{p.get('peak_mb', 0):.0f} MB | {q_s(b['startup'])} | {q_s(b['rebuild'])} | "
                    f"{p['rebuild'] / b['rebuild']:.2f}× | {share} |")
    return "\n".join(rows) + "\n"


def _weight(r: dict[str, Any]) -> str:
    rows = ["### Page weight (`--only weight`): HTML bytes, uncompressed\n",
            "| items | lesson (median / max) | profile (median / max) | directory | home | video | FAQ | path | "
            "hub | skill | /learn/ index | budget: content page ≤ 40 KB |",
            "|---:|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---|"]
    for n, w in r["weight"].items():
        p = w["pages"]
        content_max = max(p[k]["max"] for k in ("lesson", "video", "faq", "path", "profile"))
        rows.append(f"| {int(n):,} | {kb(p['lesson']['median'])} / {kb(p['lesson']['max'])} | "
                    f"{kb(p['profile']['median'])} / {kb(p['profile']['max'])} | {kb(p['directory'])} | "
                    f"{kb(p['home'])} | {kb(p['video']['median'])} | {kb(p['faq']['median'])} | "
                    f"{kb(p['path']['median'])} | {kb(p['hub']['median'])} | {kb(p['skill']['median'])} | "
                    f"{kb(p['lessons_index'])} | {_met(content_max <= 40_000)} (largest {kb(content_max)}) |")
    rows += ["\nFirst visit on a phone (home page HTML + CSS + JS + manifest; gzip -6 / brotli -11):\n",
             "| items | raw | gzip | brotli | budget ≤ 120 KB compressed | then the service worker precaches "
             "(gzip) | of which |",
             "|---:|---:|---:|---:|---|---:|---|"]
    for n, w in r["weight"].items():
        t, pc = w["first_visit"]["total"], w["precache"]
        rows.append(f"| {int(n):,} | {kb(t['raw'])} | {kb(t['gzip'])} | {kb(t['br'])} | {_met(t['gzip'] <= 120_000)} | "
                    f"{kb(pc.get('gzip'))} in {pc.get('files')} files | largest: {pc.get('largest')} "
                    f"({kb(pc.get('largest_raw'))} raw) |")
    first = next(iter(r["weight"].values()))["first_visit"]["files"]
    rows.append("\nFiles of the first visit: " + ", ".join(f"{f['file']} {kb(f['gzip'])}" for f in first) + " (gzip).")
    return "\n".join(rows) + "\n"


def _search(r: dict[str, Any]) -> str:
    rows = ["### Search on a phone (`--only search`): 412×915 viewport, CDP CPU throttling 4× (main thread)\n",
            "Material's built-in search on the baseline site; Pagefind on Practica's site (its build's bundle).\n",
            "| items | Material index raw / gzip | Material: bytes for first query | first result (measured) | "
            "worker index build, unthrottled | first result, worker 4× (estimate) | next query | "
            "Pagefind bundle | Pagefind: bytes for first query | first result (worker) | first result (main "
            "thread, 4×) | next query |",
            "|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for n, s in r["search"].items():
        mi, m, mw, pf, pm = (s["material_index"], s["material"], s["material_worker"], s["pagefind"],
                             s["pagefind_main_thread"])
        estimate = m["first_result_s"] + 3 * (mw["worker_setup_s"] + mw["worker_query_s"])
        rows.append(f"| {int(n):,} | {kb(mi['raw'])} / {kb(mi['gzip'])} | {kb(m['bytes_first_query'])} | "
                    f"{q_s(m['first_result_s'])} | {q_s(mw['worker_setup_s'])} | {q_s(estimate)} | "
                    f"{q_s(m['second_query_s'])} | {kb(s['pagefind_index']['bytes'])} in "
                    f"{s['pagefind_index']['files']:,} files | {kb(pf['bytes_first_query'])} | "
                    f"{q_s(pf['first_result_s'])} | {q_s(pm['first_result_s'])} | {q_s(pm['second_query_s'])} |")
    offline = next((s["pagefind_offline"] for s in r["search"].values() if "pagefind_offline" in s), None)
    if offline:
        rows.append(f"\nPagefind offline: a new word with only what one online query fetched: "
                    f"**{offline['unsaved_new_word']}**; with every Pagefind file saved by a service worker "
                    f"({kb(offline['save_bytes'])} fetched to save it): **{offline['saved_new_word']}**.")
    rows.append("\nPagefind indexing (part of `practica build`), wall / CPU: " + ", ".join(
        f"{int(n):,} items {q_s(s['pagefind_index']['seconds'])} / {q_s(s['pagefind_index'].get('cpu', 0))}"
        f" in {s['pagefind_index'].get('parts', 1)} part(s), largest run's peak "
        f"{s['pagefind_index'].get('peak_mb', 0):,.0f} MB"
        for n, s in r["search"].items()) + "; \"save search for offline\" downloads " + ", ".join(
        f"{kb(s['pagefind_index'].get('offline_bytes', 0))} at {int(n):,}" for n, s in r["search"].items()) + ".")
    return "\n".join(rows) + "\n"


def _validate(r: dict[str, Any]) -> str:
    v = r["validate"]
    return ("### Validation (`--only validate`)\n\n"
            f"| items | wall (best of {len(v['walls'])}) | CPU | peak RSS | budget ≤ 3 s |\n|---:|---:|---:|---:|---|\n"
            f"| {v['items']:,} | {q_s(v['wall'])} | {q_s(v['cpu'])} | {v['peak_mb']:.0f} MB | "
            f"{_met(v['wall'] <= 3)} |\n")


def _push(r: dict[str, Any]) -> str:
    p = r["push"]
    if "skipped" in p:
        return f"### Push fan-out (`--only push`)\n\nNot measured: {p['skipped']}\n"
    rows = ["### Push fan-out (`--only push`)\n",
            "| subscriptions | `practica push send` | per second | naive `webpush()` loop | crypto floor | "
            "vs naive | service peak RSS | budget ≥ 1,000/s and ≥ 3× naive |",
            "|---:|---:|---:|---:|---:|---:|---:|---|"]
    ok = p["service_per_s"] >= 1000 and p["service_per_s"] >= 3 * p["naive_per_s"]
    rows.append(f"| {p['subscriptions']:,} | {q_s(p['service_s'])} ({p['delivered']:,} delivered) | "
                f"{p['service_per_s']:,.0f}/s | {p['naive_per_s']:,.0f}/s (sample of {p['naive_n']:,}) | "
                f"{p['floor_per_s']:,.0f}/s | {p['service_per_s'] / p['naive_per_s']:.1f}× | "
                f"{p['service_peak_mb']:.0f} MB | {_met(ok)} |")
    return "\n".join(rows) + "\n"


def q_s(seconds: float) -> str:
    return f"{seconds:.2f} s" if seconds < 10 else f"{seconds:.1f} s"


def _met(ok: bool) -> str:
    return "**met**" if ok else "**missed**"
