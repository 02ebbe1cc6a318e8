"""Search: a Pagefind index of the built site.

Chosen over Material's built-in search by measurement (bench/BENCHMARKS.md): a first query on a phone
fetches ~140–300 KB instead of the whole 1–14 MB index, and answers in seconds instead of a minute.
Pagefind indexes what is inside `data-pagefind-body` (the article of pages meant to be found) and skips
`data-pagefind-ignore` (Practica's "noindex" blocks: breadcrumbs, bylines, lists of other pages, forms).
"""

from __future__ import annotations

import json
import logging
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from . import urls
from .errors import BuildError

log = logging.getLogger("mkdocs.plugins.practica")
BUNDLE = "pagefind"
OFFLINE_LIST = f"{BUNDLE}/offline.json"
# What a browser needs before its first query (precached by the service worker); index chunks and page
# fragments are fetched per query, or saved all at once with "save search for offline".
SHELL = (f"{BUNDLE}/pagefind.js", f"{BUNDLE}/pagefind-worker.js", f"{BUNDLE}/wasm.*.pagefind",
         f"{BUNDLE}/pagefind-entry.json", f"{BUNDLE}/*.pf_meta")
# Pagefind's own ready-made interfaces; Practica has its own search dialog, so they are not published.
UNUSED = ("pagefind-ui.js", "pagefind-ui.css", "pagefind-modular-ui.js", "pagefind-modular-ui.css",
          "pagefind-component-ui.js", "pagefind-component-ui.css", "pagefind-highlight.js")
EXCLUDE = ".headerlink"  # the ¶ after headings
TIMEOUT_SECONDS = 600


@dataclass(frozen=True)
class SearchIndex:
    pages: int
    files: int
    bytes: int


def pagefind_command(site_dir: Path, *output: str, language: str = "en") -> list[str]:
    """Pagefind over `site_dir` as Practica runs it; `output` names where the bundle goes (default: its
    `pagefind/` folder).

    One index for every language, analysed as the site's (`language`): Pagefind would otherwise split the
    index by each page's `lang`, and a reader could then not find an item that exists only in another
    language (a bundle cannot merge its own other-language indexes). Pages carry a `lang` filter instead;
    the search dialog lists results in the page's language first, then the others, labelled."""
    return [sys.executable, "-m", "pagefind", "--site", str(site_dir), *(output or ("--output-subdir", BUNDLE)),
            "--exclude-selectors", EXCLUDE, "--force-language", language, "--quiet"]


def index(site_dir: Path, language: str = "en") -> SearchIndex:
    """Index `site_dir` into `site_dir/pagefind/`, and list the files "save search for offline" needs."""
    command = pagefind_command(site_dir, language=language)
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=TIMEOUT_SECONDS, check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise BuildError(f"the search index could not be built: {exc}") from exc
    if done.returncode != 0:
        raise BuildError(f"the search index could not be built (pagefind exited {done.returncode}):\n"
                         f"{done.stdout}{done.stderr}")
    bundle = site_dir / BUNDLE
    for name in UNUSED:
        (bundle / name).unlink(missing_ok=True)
    return _offline_list(site_dir, bundle)


def _offline_list(site_dir: Path, bundle: Path) -> SearchIndex:
    files = sorted(p for folder in ("index", "fragment") for p in (bundle / folder).glob("*") if p.is_file())
    experts = sorted((site_dir / urls.SEARCH_EXPERTS).glob("*.json"))  # who knows what (expertise.py), beside the index
    size = sum(p.stat().st_size for p in files + experts)
    listing = {"files": [p.relative_to(bundle).as_posix() for p in files] +
               [f"../{p.relative_to(site_dir).as_posix()}" for p in experts], "bytes": size}
    (site_dir / OFFLINE_LIST).write_text(json.dumps(listing, separators=(",", ":")), encoding="utf-8")
    pages = len(list((bundle / "fragment").glob("*")))
    log.info("Search index: %d pages, %d files to save for offline (%d bytes)", pages, len(files), size)
    return SearchIndex(pages, len(files) + len(experts), size)
