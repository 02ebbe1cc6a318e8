"""Search on a phone: Material's built-in search (on the baseline site) against Pagefind (on Practica's).

Headless Chromium (Debian's, driven by Playwright) with a phone viewport and CDP CPU throttling (4×).
Chromium throttles only a page's main thread: a dedicated worker runs at full speed, and CDP refuses to
throttle one ("Operation is only supported for pages, not workers"). Material builds its index in a
worker, Pagefind searches on the main thread; so Material's worker time is also measured on its own and
an estimate with that worker 4× slower is reported beside the measured figure.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from measure import ENV, free_port, gzip_size, run

from generator import search as practica_search

HERE = Path(__file__).resolve().parent
CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"]
PHONE = {"viewport": {"width": 412, "height": 915}, "device_scale_factor": 2.625, "is_mobile": True,
         "has_touch": True}
THROTTLE = 4
TIMEOUT_MS = 240_000


@contextmanager
def host(site: Path, seconds: float = 1800) -> Iterator[str]:
    """Serve `site` on 127.0.0.1 in its own process (gzip, cacheable); yield its base URL."""
    port = free_port()
    proc = subprocess.Popen([sys.executable, str(HERE / "serve_static.py"), str(site), str(port),
                             "--seconds", str(seconds)], env=ENV)
    base = f"http://127.0.0.1:{port}/"
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                urllib.request.urlopen(base, timeout=2).close()
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)
        yield base
    finally:
        proc.terminate()
        proc.wait(timeout=20)


def index_sizes(site: Path) -> dict[str, int | None]:
    from measure import brotli_size

    data = (site / "search" / "search_index.json").read_bytes()
    return {"raw": len(data), "gzip": gzip_size(data), "br": brotli_size(data),
            "docs": len(json.loads(data)["docs"])}


def pagefind_index(site: Path, scratch: Path, logs: Path) -> dict[str, Any]:
    """The Pagefind bundle Practica's build wrote into `site`, and what indexing that site costs (the build's
    own runs, one per part, timed again into a scratch folder so the site stays as built): wall and CPU
    summed over the runs, peak memory the largest run's."""
    bundle = site / practica_search.BUNDLE
    if not (bundle / "pagefind-entry.json").is_file():
        raise RuntimeError(f"no Pagefind bundle in {site}: was it built by practica build?")
    out = scratch / "pagefind-timing"
    shutil.rmtree(out, ignore_errors=True)
    with practica_search.runs(site, out) as planned:
        done = [run(r.command, logs / f"pagefind-{site.parent.name}-{n}.log", cwd=r.cwd, timeout=900)
                for n, r in enumerate(planned, 1)]
    failed = [d for d in done if d.returncode != 0]
    if failed:
        raise RuntimeError(f"pagefind failed:\n{failed[0].tail()}")
    files = [p for p in bundle.rglob("*") if p.is_file()]
    chunks = [p for p in files if p.parent.name in practica_search.CHUNKS]
    return {"seconds": sum(d.wall for d in done), "cpu": sum(d.cpu for d in done),
            "peak_mb": max(d.peak_mb for d in done), "parts": len(done), "files": len(files),
            "bytes": sum(p.stat().st_size for p in files), "offline_bytes": sum(p.stat().st_size for p in chunks)}


def queries(content: Path) -> dict[str, str]:
    """Two common words; three coined (rare) words from different communities for the offline check."""
    from generate import COMMON

    common = set(COMMON)
    rare = []
    for path in sorted((content / "faq").glob("*.md"))[3:200:7]:
        title = re.search(r'^title: "(.*)"$', path.read_text(encoding="utf-8"), re.M)
        words = [w for w in re.findall(r"[a-z]+", title.group(1).lower()) if w not in common] if title else []
        if words and words[0] not in rare:
            rare.append(words[0])
    return {"first": "warehouse", "second": "invoice", "rare1": rare[0], "rare2": rare[1], "rare3": rare[2]}


class Phone:
    """One phone-sized browser context (CPU-throttled unless told not to) on a fresh HTTP cache."""

    def __init__(self, browser: Any, base: str, throttle: bool = True, block: str | None = None,
                 workers: bool = False) -> None:
        self.base = base
        # Service workers blocked unless asked for: what Practica's precaches (Pagefind's shell among the
        # app shell) is page weight (reported there), not the cost of a query.
        self.context = browser.new_context(**PHONE, service_workers="allow" if workers else "block")
        if workers:
            # only the benchmark's own worker, not Practica's
            self.context.route(lambda url: url == base + "sw.js", lambda route: route.abort())
        self.page = self.context.new_page()
        if throttle:
            self.context.new_cdp_session(self.page).send("Emulation.setCPUThrottlingRate", {"rate": THROTTLE})
        if block:
            self.page.route(block, lambda route: route.abort())
        sent(base, reset=True)

    def fetched(self, pattern: str = "") -> int:
        """Body bytes the host sent since this context opened, for paths matching `pattern`."""
        return sum(n for path, n in sent(self.base).items() if re.search(pattern, path))

    def close(self) -> None:
        self.context.close()


def sent(base: str, reset: bool = False) -> dict[str, int]:
    with urllib.request.urlopen(base + ("__bench/reset" if reset else "__bench/bytes"), timeout=10) as reply:
        counts: dict[str, int] = json.loads(reply.read())
    return counts


def material(browser: Any, base: str, q: dict[str, str]) -> dict[str, Any]:
    """Open the home page and search at once; time to the first result, then a second query."""
    phone = Phone(browser, base)
    page = phone.page
    started = time.monotonic()
    page.goto(base, wait_until="domcontentloaded")
    page.click('label.md-header__button[for="__search"]')
    page.fill('input[data-md-component="search-query"]', q["first"])
    page.press('input[data-md-component="search-query"]', "End")
    page.wait_for_selector(".md-search-result__item", timeout=TIMEOUT_MS)
    first = time.monotonic() - started
    count = page.inner_text(".md-search-result__meta")
    page.evaluate("""() => { window.__changed = new Promise(resolve => new MutationObserver((_, o) => {
        o.disconnect(); resolve(performance.now()); }).observe(document.querySelector('.md-search-result__list'),
        {childList: true})); window.__typed = performance.now(); }""")
    page.fill('input[data-md-component="search-query"]', q["second"])
    page.press('input[data-md-component="search-query"]', "End")
    second = page.evaluate("async () => (await window.__changed) - window.__typed") / 1000
    out = {"first_result_s": first, "second_query_s": second, "results": count,
           "bytes_first_query": phone.fetched(r"search/search_index\.json|workers/search"),
           "bytes_page": phone.fetched()}
    phone.close()
    return out


_WORKER = """async ([worker, url, q]) => {
  const t0 = performance.now();
  const index = await (await fetch(url)).json();
  const t1 = performance.now();
  const w = new Worker(worker);
  const next = type => new Promise(resolve => { w.onmessage = e => { if (e.data.type === type) resolve(e.data); }; });
  let reply = next(1);
  w.postMessage({type: 0, data: {config: index.config, docs: index.docs, options: {suggest: true}}});
  await reply;
  const t2 = performance.now();
  reply = next(3);
  w.postMessage({type: 2, data: q});
  const result = await reply;
  const t3 = performance.now();
  w.terminate();
  return {fetch_parse_s: (t1 - t0) / 1000, worker_setup_s: (t2 - t1) / 1000, worker_query_s: (t3 - t2) / 1000,
          results: result.data.items.length};
}"""


def material_worker(browser: Any, base: str, site: Path, q: dict[str, str]) -> dict[str, Any]:
    """Material's search worker driven directly (unthrottled: workers cannot be): index build and one query."""
    worker = next((site / "assets" / "javascripts" / "workers").glob("search.*.min.js"))
    phone = Phone(browser, base, throttle=False)
    phone.page.goto(base + "offline/", wait_until="domcontentloaded")
    rel = worker.relative_to(site).as_posix()
    out: dict[str, Any] = phone.page.evaluate(_WORKER, [base + rel, base + "search/search_index.json",
                                                                 q["first"]])
    phone.close()
    return out


_PAGEFIND = """async ([q, n, noWorker]) => {
  const t0 = performance.now();
  if (!window.__pf) {
    const bundle = new URL('pagefind/', document.baseURI);
    const [pf, listing] = await Promise.all([import(new URL('pagefind.js', bundle).href),
                                             fetch(new URL('parts.json', bundle)).then(r => r.json())]);
    if (noWorker) await pf.options({noWorker: true});
    await Promise.all(listing.parts.map(part => pf.mergeIndex(new URL(part, bundle).pathname)));
    window.__pf = pf;
  }
  const search = await window.__pf.search(q);
  const data = await Promise.all(search.results.slice(0, n).map(r => r.data()));
  return {s: (performance.now() - t0) / 1000, results: search.results.length, title: data[0] && data[0].meta.title};
}"""
SHOWN = 5  # results whose excerpts are loaded, as Pagefind's own UI does for its first page


def pagefind(browser: Any, base: str, q: dict[str, str], worker: bool = True) -> dict[str, Any]:
    """Open Practica's home page and search at once with Pagefind: first and second query.

    With `worker=False` Pagefind searches on the (throttled) main thread: the phone-speed figure.
    """
    phone = Phone(browser, base)
    started = time.monotonic()
    phone.page.goto(base, wait_until="domcontentloaded")
    first = phone.page.evaluate(_PAGEFIND, [q["first"], SHOWN, not worker])
    first_s = time.monotonic() - started
    bytes_first = phone.fetched(r"/pagefind/")
    second = phone.page.evaluate(_PAGEFIND, [q["second"], SHOWN, not worker])
    out = {"first_result_s": first_s, "first_query_only_s": first["s"], "second_query_s": second["s"],
           "results": first["results"], "bytes_first_query": bytes_first,
           "bytes_after_second": phone.fetched(r"/pagefind/"), "bytes_page": phone.fetched()}
    phone.close()
    return out


def pagefind_offline(browser: Any, base: str, q: dict[str, str]) -> dict[str, Any]:
    """Offline: a word never searched before, with only what one online query fetched, and with every
    Pagefind file saved by a service worker (as "save for offline" would). Counts compare with online."""
    truth = Phone(browser, base, throttle=False)
    truth.page.goto(base, wait_until="load")
    online = {w: truth.page.evaluate(_PAGEFIND, [q[w], SHOWN, False])["results"] for w in ("rare2", "rare3")}
    truth.close()

    unsaved = Phone(browser, base, throttle=False)
    unsaved.page.goto(base, wait_until="load")
    unsaved.page.evaluate(_PAGEFIND, [q["rare1"], SHOWN, False])
    unsaved.context.set_offline(True)
    without = _try(unsaved.page, q["rare2"], online["rare2"])
    unsaved.close()

    saved = Phone(browser, base, throttle=False, workers=True)
    saved.page.goto(base, wait_until="load")
    saved.page.evaluate("""async () => { await navigator.serviceWorker.register('/__bench/sw.js', {scope: '/'});
        await navigator.serviceWorker.ready;
        while (!navigator.serviceWorker.controller) await new Promise(r => setTimeout(r, 50)); }""")
    save_bytes = saved.fetched(r"/pagefind/")
    saved.context.set_offline(True)
    with_saved = _try(saved.page, q["rare3"], online["rare3"])
    saved.close()
    return {"unsaved_new_word": without, "saved_new_word": with_saved, "save_bytes": save_bytes}


def _try(page: Any, word: str, expected: int) -> str:
    try:
        found = page.evaluate(_PAGEFIND, [word, SHOWN, False])["results"]
    except Exception as exc:  # a failed fetch surfaces as a JS error
        return f"fails ({str(exc).splitlines()[0][:80]})"
    verdict = "works" if found == expected else "silently wrong"
    return f"{verdict} ({found} results offline, {expected} online)"


def launch(playwright: Any) -> Any:
    return playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
