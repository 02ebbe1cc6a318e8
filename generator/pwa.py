"""What makes the site an installable app: icons, the web app manifest, the service worker."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

from PIL import Image

from . import urls
from .images import file_digest, save_atomically
from .kinds import PERSON
from .search import SHELL as SEARCH_SHELL
from .settings import Settings

DEFAULT_ICON = "pwa/icons/icon.png"
# name → (size, padding fraction): maskable icons keep the artwork inside the 80 % safe zone.
ICONS = {"icon-192.png": (192, 0.0), "icon-512.png": (512, 0.0), "maskable-512.png": (512, 0.1),
         "apple-touch-icon.png": (180, 0.0), "favicon-32.png": (32, 0.0)}


def icon_source(settings: Settings) -> Path:
    return settings.root / (settings.practica.icon or DEFAULT_ICON)


def icon_files(settings: Settings, cache_dir: Path) -> dict[str, Path]:
    """Every app icon, resized once per source image (cached by its content hash)."""
    source = icon_source(settings)
    digest = file_digest(source)[:16]
    out = {}
    for name, (size, pad) in ICONS.items():
        target = cache_dir / f"{digest}-{name}"
        if not target.exists():
            _resize(source, target, size, pad)
        out[urls.icon(name)] = target
    return out


def _resize(source: Path, target: Path, size: int, pad: float) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    with Image.open(source) as image:
        art = image.convert("RGBA")
        inner = round(size * (1 - 2 * pad))
        canvas = Image.new("RGBA", (size, size), art.getpixel((0, 0)))
        canvas.alpha_composite(art.resize((inner, inner), Image.Resampling.LANCZOS),
                               ((size - inner) // 2, (size - inner) // 2))
    save_atomically(canvas.convert("RGB"), target, "PNG", optimize=True)


def manifest(settings: Settings) -> str:
    """The web app manifest. URLs are relative to it (it sits at the site root), so any sub-path works."""
    short = settings.practica.short_name or settings.site_name[:12]
    icons = [{"src": urls.icon("icon-192.png"), "sizes": "192x192", "type": "image/png", "purpose": "any"},
             {"src": urls.icon("icon-512.png"), "sizes": "512x512", "type": "image/png", "purpose": "any"},
             {"src": urls.icon("maskable-512.png"), "sizes": "512x512", "type": "image/png", "purpose": "maskable"}]
    shortcut_icon = [{"src": urls.icon("icon-192.png"), "sizes": "192x192", "type": "image/png"}]
    data = {
        "id": "./", "name": settings.site_name, "short_name": short,
        "description": settings.site_description or f"{settings.site_name}: learn from the people around you.",
        "start_url": "./", "scope": "./", "display": "standalone", "orientation": "any",
        "theme_color": settings.theme_color, "background_color": "#ffffff", "lang": "en", "dir": "ltr",
        "categories": ["education", "productivity"], "icons": icons,
        "shortcuts": [
            {"name": "Search", "short_name": "Search", "url": "./?q=", "icons": shortcut_icon},
            {"name": "What's new", "short_name": "New", "url": urls.NEW, "icons": shortcut_icon},
            {"name": PERSON.title, "short_name": PERSON.title, "url": urls.index("person"), "icons": shortcut_icon},
        ],
    }
    return json.dumps(data, ensure_ascii=False, indent=1)


# The app shell: what the site needs to open and search offline. Globs are relative to the site folder.
SHELL_PATTERNS = ("assets/stylesheets/*.css", "assets/javascripts/bundle.*.js", "assets/practica/*", "assets/icons/*",
                  urls.MANIFEST, "sitemap.xml", urls.SEARCH_SKILLS, *SEARCH_SHELL)
SHELL_PAGES = (urls.HOME, urls.OFFLINE)


@dataclass(frozen=True)
class Precache:
    entries: list[tuple[str, str]]  # (site-relative URL, content hash)
    version: str
    total_bytes: int


def precache(site_dir: Path) -> Precache:
    """The shell files with content hashes, and a version that changes whenever the site does."""
    entries: dict[str, str] = {}
    total = 0
    for pattern in SHELL_PATTERNS:
        for path in sorted(site_dir.glob(pattern)):
            if path.is_file() and not path.name.endswith(".map"):
                entries[path.relative_to(site_dir).as_posix()] = file_digest(path)[:16]
                total += path.stat().st_size
    for url in SHELL_PAGES:
        path = site_dir / url / "index.html"
        entries[url] = file_digest(path)[:16]
        total += path.stat().st_size
    site = hashlib.sha256()
    for path in sorted(site_dir.rglob("*.html")):
        site.update(path.relative_to(site_dir).as_posix().encode())
        site.update(hashlib.sha256(path.read_bytes()).digest())
    for url, revision in sorted(entries.items()):
        site.update(f"{url}={revision}".encode())
    return Precache(sorted(entries.items()), site.hexdigest()[:16], total)


def write_service_worker(site_dir: Path, template: Path, service: str | None = None) -> Precache:
    """Render the service worker into the site, and the precache list next to it (for tools and tests).
    `service` is the community service's API (push_url), whose answers about the reader the worker keeps."""
    shell = precache(site_dir)
    entries = json.dumps([list(e) for e in shell.entries], indent=1)
    text = template.read_text(encoding="utf-8")
    text = text.replace("__PRACTICA_VERSION__", shell.version).replace("__PRACTICA_PRECACHE__", entries)
    text = text.replace("__PRACTICA_SERVICE__", json.dumps((service or "").rstrip("/"))[1:-1])
    (site_dir / urls.SERVICE_WORKER).write_text(text, encoding="utf-8")
    summary = {"version": shell.version, "files": len(shell.entries), "bytes": shell.total_bytes,
               "entries": shell.entries}
    (site_dir / urls.PRECACHE).write_text(json.dumps(summary, indent=1), encoding="utf-8")
    return shell
