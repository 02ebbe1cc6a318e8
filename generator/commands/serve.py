"""`practica serve`: build, serve the site folder as a static host would, and rebuild on every change.

A change to contributed Markdown files (people, communities, items) is previewed incrementally: the
community is loaded and validated again, and only the outputs the change touches are rendered again
(`adapters.preview.Preview`, `outputs.py`); files are rewritten only where their bytes changed, then search is
indexed again while the changed pages are already served. Any other change (mkdocs.yml, a template, skills.yml,
curation files, an image), or a file added, removed or renamed, is a full `practica build`: it validates first
and swaps the new site in only when everything succeeded. Either way a change that breaks the content is
reported and the last good site keeps being served. (MkDocs' own live-reload server stops answering after a
failed rebuild; this one does not.) Open pages reload after each successful rebuild (livereload.py).
"""

from __future__ import annotations

import functools
import http.server
import io
import logging
import sys
import threading
import time
import urllib.parse
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO

from .. import csp
from ..content.load import load_community
from ..content.problems import errors, format_text
from ..errors import ContentError, PracticaError
from ..settings import Settings
from . import livereload
from .build import BuildResult, build
from .watch import Filter, watch

log = logging.getLogger("practica")


def serve(config_file: Path, load: Callable[[], Settings], dev_addr: str, site_dir: Path | None = None,
          watch: bool = True) -> int:
    """Serve until interrupted. `load` reads the settings afresh, so a changed mkdocs.yml is picked up."""
    settings = load()
    result = build(config_file, settings, site_dir=site_dir, keep=watch)
    host, _, port = dev_addr.rpartition(":")
    builds = livereload.Builds() if watch else None
    server = site_server(result.site_dir, host or "127.0.0.1", int(port), settings.base_path, builds)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    log.info("Serving %s at http://%s%s (Ctrl+C to stop)", result.site_dir, dev_addr, settings.base_path)
    try:
        if watch:
            _watch(config_file, load, site_dir, settings, result, builds or livereload.Builds())
        else:
            threading.Event().wait()
    except KeyboardInterrupt:
        log.info("Stopped.")
    finally:
        server.shutdown()
        server.server_close()
    return 0


def site_server(site: Path, host: str, port: int, mount: str = "/",
                builds: livereload.Builds | None = None) -> http.server.ThreadingHTTPServer:
    """An HTTP server for a built site under `mount`, as a static host would serve it (not yet started);
    with `builds`, its pages reload when the build number changes."""
    handler = type("SiteHandler", (_SiteHandler,), {"mount": mount, "builds": builds})
    return _QuietServer((host, port), functools.partial(handler, directory=str(site)))


class _QuietServer(http.server.ThreadingHTTPServer):
    """A browser that cancels a request (it navigated on, or a download was aborted) resets the connection:
    that is normal, not a traceback on the console. Other failures are logged in one line."""

    def handle_error(self, request: object, client_address: object) -> None:
        failure = sys.exc_info()[1]
        if isinstance(failure, ConnectionError):  # reset, aborted, broken pipe
            return
        log.warning("serving a request from %s failed: %r", client_address, failure)


class _SiteHandler(http.server.SimpleHTTPRequestHandler):
    """A static host: the site under its mount path (e.g. /cop/), revalidated on every request."""

    mount = "/"
    builds: livereload.Builds | None = None
    _html = False  # whether the response being sent is HTML (it then carries the page's policy)
    extensions_map = {**http.server.SimpleHTTPRequestHandler.extensions_map,  # noqa: RUF012 (a copy per class)
                      ".webmanifest": "application/manifest+json", ".js": "text/javascript", ".vtt": "text/vtt"}

    def translate_path(self, path: str) -> str:
        if not path.startswith(self.mount):
            return str(Path(self.directory) / "__outside_the_site__")
        return super().translate_path("/" + path[len(self.mount):])

    def send_head(self) -> io.BytesIO | BinaryIO | None:
        live = self._live() if self.builds is not None else None
        return live if live is not None else super().send_head()

    def _live(self) -> io.BytesIO | None:
        """The live-reload script, the build number (once it moves past `since`), or a page with the script."""
        assert self.builds is not None
        url = urllib.parse.urlsplit(self.path)
        if url.path == self.mount + livereload.SCRIPT:
            return self._send(livereload.script(), "text/javascript")
        if url.path == self.mount + livereload.ENDPOINT:
            since = urllib.parse.parse_qs(url.query).get("since", [""])[0]
            seen = int(since) if since.isdigit() else 0
            return self._send(str(self.builds.wait_past(seen)).encode(), "text/plain")
        path = Path(self.translate_path(self.path))
        page = path / "index.html" if path.is_dir() and url.path.endswith("/") else path
        if page.suffix != ".html" or not page.is_file():
            return None
        number = self.builds.number
        return self._send(livereload.inject(page.read_bytes(), self.mount, number), "text/html; charset=utf-8")

    def _send(self, body: bytes, content_type: str) -> io.BytesIO:
        self.send_response(200)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        return io.BytesIO(body)

    def send_header(self, keyword: str, value: str) -> None:
        if keyword.lower() == "content-type":
            self._html = value.startswith("text/html")
        super().send_header(keyword, value)

    def end_headers(self) -> None:
        self.send_header("Cache-Control", "no-cache")
        self.send_header("X-Content-Type-Options", "nosniff")
        self.send_header("Referrer-Policy", "strict-origin-when-cross-origin")
        if self._html:
            self.send_header("Content-Security-Policy", self._policy())
        self._html = False  # the next response on a kept-alive connection says its own type
        super().end_headers()

    def _policy(self) -> str:
        """A page's own policy (its meta) plus what only a header can say; a strict one for error pages."""
        path = Path(self.translate_path(self.path))
        page = path / "index.html" if path.is_dir() else path
        own = csp.meta_policy(page.read_text(encoding="utf-8", errors="replace")) if page.is_file() else None
        return (own or "default-src 'none'; base-uri 'none'; form-action 'none'") + "; frame-ancestors 'self'"

    def log_message(self, format: str, *args: object) -> None:
        log.debug("%s %s", self.address_string(), format % args)


def _watch(config_file: Path, load: Callable[[], Settings], site_dir: Path | None, settings: Settings,
           built: BuildResult, builds: livereload.Builds) -> None:
    previewer = Previewer(config_file, load, site_dir, settings, built)

    def rebuild(changed: list[str]) -> None:
        previewer.rebuild(changed, builds.bump)  # a failed rebuild keeps the open pages as they are

    paths = Filter([settings.content_dir, settings.root / "pwa"], [config_file],
                   [built.site_dir, settings.root / ".cache"])
    watch(paths, rebuild, threading.Event())


class Previewer:
    """What `practica serve` keeps between rebuilds: the settings and the last good build (with its
    Preview, for incremental rebuilds)."""

    def __init__(self, config_file: Path, load: Callable[[], Settings], site_dir: Path | None, settings: Settings,
                 built: BuildResult) -> None:
        self.config_file, self.load, self.site_dir = config_file, load, site_dir
        self.settings, self.built = settings, built

    def rebuild(self, changed: list[str], done: Callable[[], None]) -> bool:
        """Rebuild after `changed` (absolute paths); call `done` once the changed pages are served."""
        names = ", ".join(Path(p).name for p in changed[:3]) + " …" * (len(changed) > 3)
        rels = self._contributed(changed)
        if rels is not None and self.built.preview is not None:
            log.info("Changed %s: updating", names)
            try:
                outcome = self._update(rels, done)
            except ContentError as exc:
                log.error("The change breaks the content; still serving the last good build.\n%s",
                          format_text(exc.problems))
                return False
            except PracticaError as exc:
                log.error("%s; still serving the last good build.", exc)
                return False
            except Exception:  # the in-memory site may be half updated: a full build starts afresh
                log.exception("The incremental update failed; building the whole site instead")
                outcome = False
            if outcome:
                return True
            self.built.preview = None  # perhaps half updated: only the full build's own may follow
        log.info("Changed %s: rebuilding", names)
        result = _rebuild(self.config_file, self.load, self.site_dir, changed)
        if result is None:
            return False
        self.built = result
        self.settings = result.preview.state.settings if result.preview is not None else self.settings
        done()
        return True

    def _contributed(self, changed: list[str]) -> set[str] | None:
        """The changed files as content paths, when every one is a contributed Markdown file (else None)."""
        content = self.settings.content_dir.resolve()
        rels = set()
        for raw in changed:
            path = Path(raw).resolve()
            if path.suffix != ".md" or not path.is_relative_to(content):
                return None
            rels.add(path.relative_to(content).as_posix())
        return rels

    def _update(self, rels: set[str], done: Callable[[], None]) -> bool:
        """An incremental rebuild; False when the change needs a full build."""
        preview = self.built.preview
        assert preview is not None
        started = time.monotonic()
        community = load_community(self.settings)
        if errors(community.problems):
            raise ContentError(community.problems)
        update = preview.update(community, rels)
        if update is None:
            return False
        for problem in community.problems:
            log.warning("%s: %s (fix: %s)", problem.where, problem.message, problem.hint)
        if update.written:
            done()
        log.info("Updated %d file(s) in %.2f s (%d output(s) rendered again): %s", len(update.written),
                 time.monotonic() - started, update.rendered, ", ".join(update.written[:5]) or "no page changed")
        if update.written:
            began = time.monotonic()
            preview.reindex()
            log.info("Search indexed again in %.1f s", time.monotonic() - began)
        return True


def _rebuild(config_file: Path, load: Callable[[], Settings], site_dir: Path | None,
             changed: list[str]) -> BuildResult | None:
    try:
        result = build(config_file, load(), site_dir=site_dir, keep=True)
    except ContentError as exc:
        log.error("The change breaks the content; still serving the last good build.\n%s",
                  format_text(exc.problems))
        return None
    except PracticaError as exc:
        log.error("%s; still serving the last good build.", exc)
        return None
    log.info("Rebuilt %d pages in %.1f s", result.pages, result.seconds)
    return result
