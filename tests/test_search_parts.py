"""A site with more searchable pages than `search_part_pages` is indexed in parts (generator/search.py): every
page in exactly one part, each part its own Pagefind bundle, all of them listed for the search dialog, the
service worker and "save search for offline". The mini community, built with parts of at most 4 pages."""

from __future__ import annotations

import gzip
import json
import shutil
from collections import Counter
from pathlib import Path

import pytest

from generator import search
from generator.cli import main
from tests.conftest import MINI, write_config

MOST = 4


@pytest.fixture(scope="module")
def parted(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("parted")
    shutil.copytree(MINI, folder / "content")
    config = write_config(folder, docs_dir="content", practica={"search_part_pages": MOST})
    assert main(["build", "--config-file", str(config), "--site-dir", str(folder / "site")]) == 0
    return folder / "site"


def bundles(site: Path) -> list[Path]:
    """The first part's bundle and the others, in the order parts.json lists them."""
    listing = json.loads((site / search.PARTS_LIST).read_text())
    return [site / search.BUNDLE, *(site / search.BUNDLE / part for part in listing["parts"])]


def indexed_urls(bundle: Path) -> list[str]:
    """The URL of every page a bundle holds, read from its page fragments (gzipped, after a signature)."""
    urls = []
    for fragment in (bundle / "fragment").glob("*.pf_fragment"):
        data = gzip.decompress(fragment.read_bytes())
        urls.append(json.loads(data[data.index(b"{"):])["url"])
    return urls


def searchable_urls(site: Path) -> list[str]:
    return sorted("/" + page.removesuffix("index.html") for page in search.searchable(site))


def test_every_searchable_page_is_in_exactly_one_part_of_at_most_the_set_size(parted: Path) -> None:
    parts = bundles(parted)
    expected = searchable_urls(parted)
    assert len(parts) == -(-len(expected) // MOST) >= 3
    counts = Counter(url for bundle in parts for url in indexed_urls(bundle))
    assert sorted(counts) == expected and set(counts.values()) == {1}
    for bundle in parts:
        entry = json.loads((bundle / "pagefind-entry.json").read_text())
        assert 0 < entry["languages"]["en"]["page_count"] <= MOST
    assert sorted(p.name for p in (parted / search.BUNDLE).glob(f"{search.PART}*")) == \
        sorted(p.name for p in parts[1:]), "no part folder is left out of parts.json"


def test_a_merged_part_publishes_only_its_entry_metadata_and_chunks(parted: Path) -> None:
    """It is searched with the first part's code and WebAssembly."""
    first, *others = bundles(parted)
    assert (first / "pagefind.js").is_file() and list(first.glob("wasm.*.pagefind"))
    for bundle in others:
        files = {p.name for p in bundle.iterdir() if p.is_file()}
        assert "pagefind-entry.json" in files and all(f.endswith(".pf_meta") for f in files - {"pagefind-entry.json"})
        assert {p.name for p in bundle.iterdir() if p.is_dir()} <= set(search.CHUNKS)


def test_save_for_offline_lists_every_chunk_of_every_part(parted: Path) -> None:
    offline = json.loads((parted / search.OFFLINE_LIST).read_text())
    bundle = parted / search.BUNDLE
    chunks = {p.relative_to(bundle).as_posix() for part in bundles(parted) for folder in search.CHUNKS
              for p in (part / folder).glob("*")}
    assert {f for f in offline["files"] if not f.startswith("../")} == chunks
    assert any(f.startswith("part-2/fragment/") for f in chunks) and any("/filter/" in f for f in chunks)
    assert offline["bytes"] == sum((bundle / f).stat().st_size for f in offline["files"])


def test_the_service_worker_precaches_every_parts_entry_and_metadata(parted: Path) -> None:
    precached = {url for url, _ in json.loads((parted / "precache.json").read_text())["entries"]}
    assert search.PARTS_LIST in precached
    for bundle in bundles(parted):
        rel = bundle.relative_to(parted).as_posix()
        assert f"{rel}/pagefind-entry.json" in precached
        assert {f"{rel}/{p.name}" for p in bundle.glob("*.pf_meta")} <= precached


def test_a_site_within_the_part_size_keeps_one_bundle(mini_site: Path) -> None:
    assert json.loads((mini_site / search.PARTS_LIST).read_text()) == {"parts": []}
    assert not list((mini_site / search.BUNDLE).glob(f"{search.PART}*"))
    assert sorted(indexed_urls(mini_site / search.BUNDLE)) == searchable_urls(mini_site)


def test_parts_are_balanced_deterministic_and_cover_every_page() -> None:
    pages = [f"learn/lesson-{n}/index.html" for n in range(103)]
    split = search.parts(pages, 10)
    assert len(split) == 11 and {len(p) for p in split} == {9, 10}
    assert sorted(p for part in split for p in part) == sorted(pages)
    assert search.parts(list(reversed(pages)), 10) == split
    assert search.parts(pages, 103) == [sorted(pages)]


def test_a_parts_glob_matches_exactly_its_pages_whatever_their_names(tmp_path: Path) -> None:
    """Pagefind's glob syntax gives meaning to , { } [ ] ( ) * ? : < > $ — a path holding them still names
    itself only."""
    names = ["a,b", "c{d}", "e[f]", "g*h", "q?m", "x:y", "p(q)", "lt<gt>", "dol$lar", "ex!c", "h#sh", "é", "sp ace",
             "gah", "qam"]
    for n, name in enumerate(names):
        (tmp_path / "site" / name).mkdir(parents=True)
        (tmp_path / "site" / name / "index.html").write_text(
            f'<html lang="en"><body><main data-pagefind-body><p>word{n}</p></main></body></html>', encoding="utf-8")
    site = tmp_path / "site"
    assert search.index(site, most=5).parts == 3
    found = Counter(url for bundle in bundles(site) for url in indexed_urls(bundle))
    assert sorted(found) == sorted(f"/{name}/" for name in names) and set(found.values()) == {1}
