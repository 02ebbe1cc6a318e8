"""Search: a Pagefind index of the built site, in parts on a large site.

Chosen over Material's built-in search by measurement (bench/BENCHMARKS.md): a first query on a phone
fetches ~140–300 KB instead of the whole 1–14 MB index, and answers in seconds instead of a minute.
Pagefind indexes what is inside `data-pagefind-body` (the article of pages meant to be found) and skips
`data-pagefind-ignore` (Practica's "noindex" blocks: breadcrumbs, bylines, lists of other pages, forms).

Pagefind holds everything it indexes in memory until it writes the bundle: over a whole 10,000-item site one
run peaks at 1.6 GB, eight times a plain Material build. So a site with more searchable pages than
`search_part_pages` is indexed in parts, one Pagefind run after another (each run's peak is its part's): the
first part is the bundle at `pagefind/`, the others `pagefind/part-2/`… beside it, listed in
`pagefind/parts.json`, and the search dialog merges them into the first with Pagefind's `mergeIndex`.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from . import urls
from .errors import BuildError

log = logging.getLogger("mkdocs.plugins.practica")
BUNDLE = "pagefind"
OFFLINE_LIST = f"{BUNDLE}/offline.json"
PARTS_LIST = f"{BUNDLE}/parts.json"  # the other parts' folders, relative to the bundle: {"parts": ["part-2/"]}
PART = "part-"  # part 2's bundle is pagefind/part-2/: under the first, so the service worker and CSP treat it alike
PART_PAGES = 2000  # the default of extra.practica.search_part_pages: see BENCHMARKS.md "Search in parts"
# What a browser needs before its first query (precached by the service worker); index chunks and page
# fragments are fetched per query, or saved all at once with "save search for offline". A merged part is
# searched with the first part's code and WebAssembly: it needs only its entry and metadata.
SHELL = (f"{BUNDLE}/pagefind.js", f"{BUNDLE}/pagefind-worker.js", f"{BUNDLE}/wasm.*.pagefind",
         f"{BUNDLE}/pagefind-entry.json", f"{BUNDLE}/*.pf_meta", PARTS_LIST,
         f"{BUNDLE}/{PART}*/pagefind-entry.json", f"{BUNDLE}/{PART}*/*.pf_meta")
# Pagefind's own ready-made interfaces; Practica has its own search dialog, so they are not published.
UNUSED = ("pagefind-ui.js", "pagefind-ui.css", "pagefind-modular-ui.js", "pagefind-modular-ui.css",
          "pagefind-component-ui.js", "pagefind-component-ui.css", "pagefind-highlight.js")
CHUNKS = ("index", "fragment", "filter")  # a bundle's folders of chunks, fetched as queries need them
EXCLUDE = ".headerlink"  # the ¶ after headings
TIMEOUT_SECONDS = 600
SEARCHABLE = b"data-pagefind-body"
# Characters a path must escape in a Pagefind (wax) glob. A backslash cannot be escaped there: it is matched by
# `?` (any one character), which could only add a page whose path differs from a listed one in that character.
_GLOB_SPECIAL = re.compile(r"([*?$:<>\[\]{},()])")


@dataclass(frozen=True)
class SearchIndex:
    pages: int
    files: int
    bytes: int
    parts: int


@dataclass(frozen=True)
class Run:
    """One Pagefind run: its command, and the folder it runs in (whose pagefind.json names a part's pages)."""

    command: list[str]
    cwd: Path
    bundle: Path


def pagefind_command(site_dir: Path, bundle: Path, language: str = "en") -> list[str]:
    """Pagefind over `site_dir` as Practica runs it, writing the bundle to `bundle`.

    One index for every language, analysed as the site's (`language`): Pagefind would otherwise split the
    index by each page's `lang`, and a reader could then not find an item that exists only in another
    language (a bundle cannot merge its own other-language indexes). Pages carry a `lang` filter instead;
    the search dialog lists results in the page's language first, then the others, labelled."""
    return [sys.executable, "-m", "pagefind", "--site", str(site_dir.resolve()), "--output-path",
            str(bundle.resolve()), "--exclude-selectors", EXCLUDE, "--force-language", language, "--quiet"]


def searchable(site_dir: Path) -> list[str]:
    """The site-relative paths of the pages Pagefind indexes, sorted: those with a `data-pagefind-body`
    (Pagefind ignores the others once any page has one, so a part holds only these)."""
    return sorted(p.relative_to(site_dir).as_posix() for p in site_dir.rglob("*.html")
                  if p.is_file() and SEARCHABLE in p.read_bytes())


def parts(pages: list[str], most: int) -> list[list[str]]:
    """`pages` in as few parts of at most `most` pages as can be, of near-equal sizes: runs of the pages in the
    order of a hash of their paths, not of the paths themselves. Each part is then a sample of the whole site
    (people, lessons, answers alike), so the word statistics Pagefind ranks by are alike in every part and
    scores from different parts compare."""
    count = max(1, -(-len(pages) // most))
    ordered = sorted(pages, key=lambda page: hashlib.sha256(page.encode()).digest())
    size, larger = divmod(len(ordered), count)
    split, start = [], 0
    for number in range(count):
        end = start + size + (number < larger)
        split.append(sorted(ordered[start:end]))
        start = end
    return split


def glob(pages: list[str]) -> str:
    """A Pagefind glob that matches exactly `pages` (site-relative paths)."""
    return "{" + ",".join("?".join(_GLOB_SPECIAL.sub(r"\\\1", piece) for piece in page.split("\\"))
                          for page in pages) + "}"


@contextmanager
def runs(site_dir: Path, bundle: Path, language: str = "en", most: int = PART_PAGES) -> Iterator[list[Run]]:
    """The Pagefind runs that index `site_dir` into `bundle`: one for a site of at most `most` searchable
    pages, else one per part. A part's pages go to Pagefind in a pagefind.json in a scratch folder, which lives
    as long as this context: their glob (≈ 40 bytes a page) outgrows a command-line argument (128 KB) past
    ≈ 3,000 pages."""
    pages = searchable(site_dir)
    split = parts(pages, most) if len(pages) > most else [[]]
    with tempfile.TemporaryDirectory(prefix="practica-search-") as scratch:
        planned = []
        for number, part in enumerate(split, 1):
            cwd = Path(scratch) / str(number)
            cwd.mkdir()
            if part:
                (cwd / "pagefind.json").write_text(json.dumps({"glob": glob(part)}), encoding="utf-8")
            folder = bundle if number == 1 else bundle / f"{PART}{number}"
            planned.append(Run(pagefind_command(site_dir, folder, language), cwd, folder))
        yield planned


def index(site_dir: Path, language: str = "en", most: int = PART_PAGES) -> SearchIndex:
    """Index `site_dir` into `site_dir/pagefind/` (in parts of at most `most` pages), list the parts for the
    search dialog, and list the files "save search for offline" needs."""
    bundle = site_dir / BUNDLE
    shutil.rmtree(bundle, ignore_errors=True)  # no part of an earlier build may be left to list or merge
    with runs(site_dir, bundle, language, most) as planned:
        for run in planned:  # one after another: the build's peak is the largest part's, not their sum
            _pagefind(run)
    folders = [run.bundle for run in planned]
    _prune(folders)
    others = [f"{folder.relative_to(bundle).as_posix()}/" for folder in folders[1:]]
    (site_dir / PARTS_LIST).write_text(json.dumps({"parts": others}), encoding="utf-8")
    return _offline_list(site_dir, bundle, folders)


def _pagefind(run: Run) -> None:
    try:
        done = subprocess.run(run.command, cwd=run.cwd, capture_output=True, text=True, timeout=TIMEOUT_SECONDS,
                              check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise BuildError(f"the search index could not be built: {exc}") from exc
    if done.returncode != 0:
        raise BuildError(f"the search index could not be built (pagefind exited {done.returncode}):\n"
                         f"{done.stdout}{done.stderr}")


def _prune(folders: list[Path]) -> None:
    """Remove what is not published: Pagefind's ready-made interfaces, and in a merged part everything but its
    entry, metadata and chunks (it is searched with the first part's code and WebAssembly)."""
    for name in UNUSED:
        (folders[0] / name).unlink(missing_ok=True)
    for folder in folders[1:]:
        for path in folder.iterdir():
            if path.is_file() and path.name != "pagefind-entry.json" and path.suffix != ".pf_meta":
                path.unlink()


def _offline_list(site_dir: Path, bundle: Path, folders: list[Path]) -> SearchIndex:
    files = sorted(p for folder in folders for chunks in CHUNKS for p in (folder / chunks).glob("*") if p.is_file())
    experts = sorted((site_dir / urls.SEARCH_EXPERTS).glob("*.json"))  # who knows what (expertise.py), beside the index
    size = sum(p.stat().st_size for p in files + experts)
    listing = {"files": [p.relative_to(bundle).as_posix() for p in files] +
               [f"../{p.relative_to(site_dir).as_posix()}" for p in experts], "bytes": size}
    (site_dir / OFFLINE_LIST).write_text(json.dumps(listing, separators=(",", ":")), encoding="utf-8")
    pages = sum(1 for folder in folders for _ in (folder / "fragment").glob("*"))
    log.info("Search index: %d pages in %d part(s), %d files to save for offline (%d bytes)", pages, len(folders),
             len(files), size)
    return SearchIndex(pages, len(files) + len(experts), size, len(folders))
