"""Page weight: HTML bytes per page type, and what a first visit on a phone downloads, compressed."""

from __future__ import annotations

import json
import statistics
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin, urlsplit

from measure import brotli_size, gzip_size


def html_sizes(site: Path, folder: str) -> dict[str, int]:
    """Median and largest HTML of the pages under `/folder/<id>/` (the section index excluded)."""
    sizes = sorted(p.stat().st_size for p in (site / folder).glob("*/index.html"))
    if not sizes:
        return {"n": 0}
    return {"n": len(sizes), "median": int(statistics.median(sizes)), "max": sizes[-1]}


def pages(site: Path) -> dict[str, object]:
    return {
        "lesson": html_sizes(site, "learn"), "video": html_sizes(site, "videos"), "faq": html_sizes(site, "faq"),
        "path": html_sizes(site, "paths"), "profile": html_sizes(site, "people"), "hub": html_sizes(site, "topics"),
        "skill": html_sizes(site, "skills"),
        "directory": (site / "people" / "index.html").stat().st_size,
        "home": (site / "index.html").stat().st_size,
        "lessons_index": (site / "learn" / "index.html").stat().st_size,
        "faq_index": (site / "faq" / "index.html").stat().st_size,
    }


class _Assets(HTMLParser):
    """Stylesheets, scripts and the manifest a page asks for before it is usable."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        rel = (a.get("rel") or "").split()
        if tag == "link" and a.get("href") and ("stylesheet" in rel or "manifest" in rel):
            self.urls.append(a["href"] or "")
        elif tag == "script" and a.get("src"):
            self.urls.append(a["src"] or "")


def first_visit(site: Path, page: str = "index.html") -> dict[str, object]:
    """HTML + CSS + JS + manifest of one page, raw and compressed (gzip -6, brotli -11), per file and total."""
    html = (site / page).read_bytes()
    parser = _Assets()
    parser.feed(html.decode("utf-8"))
    files: list[tuple[str, bytes]] = [(page, html)]
    base = "http://site/" + page
    for url in parser.urls:
        target = urljoin(base, url)
        if not target.startswith("http://site/"):
            files.append((url, b""))  # third party: nothing fetched from here (the site tests forbid it)
            continue
        path = site / urlsplit(target).path.lstrip("/")
        files.append((path.relative_to(site).as_posix(), path.read_bytes() if path.is_file() else b""))
    sizes = [(name, {"raw": len(data), "gzip": gzip_size(data), "br": brotli_size(data)}) for name, data in files]
    total = {key: sum(size[key] or 0 for _, size in sizes) for key in ("raw", "gzip", "br")}
    return {"files": [{"file": name, **size} for name, size in sizes], "total": total}


def precache(site: Path) -> dict[str, object]:
    """What the service worker downloads after the first visit (its precache list), compressed."""
    listing = site / "precache.json"
    if not listing.is_file():
        return {}
    entries = json.loads(listing.read_text())["entries"]
    raw = gz = br = 0
    biggest = ("", 0)
    for url, _ in entries:
        path = site / url
        path = path / "index.html" if path.is_dir() else path
        if not path.is_file():
            continue
        data = path.read_bytes()
        raw += len(data)
        gz += gzip_size(data)
        br += brotli_size(data) or 0
        biggest = max(biggest, (url, len(data)), key=lambda kv: kv[1])
    return {"files": len(entries), "raw": raw, "gzip": gz, "br": br, "largest": biggest[0], "largest_raw": biggest[1]}
