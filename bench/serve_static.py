"""A static host for the search benchmark, as a CDN would be: gzip for text, cacheable responses.

    python bench/serve_static.py SITE_DIR PORT [--seconds N]

Binds 127.0.0.1 only and stops by itself after `--seconds` (default 1800). It counts the body bytes it
sends per path, because requests made by web workers are invisible to the page's DevTools session:
`GET /__bench/bytes` returns the counts as JSON, `GET /__bench/reset` clears them. `/__bench/sw.js` is
a minimal service worker that saves every file under `pagefind/` (listed by `/__bench/pagefind-files`)
and answers from that cache first: "the index saved for offline use".
"""

from __future__ import annotations

import argparse
import functools
import gzip
import http.server
import io
import json
import os
import threading
from pathlib import Path
from typing import BinaryIO

TEXT = (".html", ".css", ".js", ".json", ".xml", ".svg", ".webmanifest", ".txt", ".mjs")
_cache: dict[tuple[str, float], bytes] = {}
_lock = threading.Lock()
_sent: dict[str, int] = {}
SAVE_WORKER = b"""
self.addEventListener('install', event => event.waitUntil((async () => {
  const files = await (await fetch('/__bench/pagefind-files')).json();
  await (await caches.open('bench-pagefind')).addAll(files);
  await self.skipWaiting();
})()));
self.addEventListener('activate', event => event.waitUntil(self.clients.claim()));
self.addEventListener('fetch', event => event.respondWith(
  caches.match(event.request, {ignoreSearch: true}).then(hit => hit || fetch(event.request))));
"""


class Handler(http.server.SimpleHTTPRequestHandler):
    def end_headers(self) -> None:
        self.send_header("Cache-Control", "public, max-age=3600")
        super().end_headers()

    def send_head(self) -> io.BytesIO | BinaryIO | None:
        if self.path.startswith("/__bench/"):
            return self._counters()
        body = self._head()
        if body is not None:
            size = len(body.getvalue()) if isinstance(body, io.BytesIO) else os.fstat(body.fileno()).st_size
            with _lock:
                _sent[self.path] = _sent.get(self.path, 0) + size
        return body

    def _counters(self) -> io.BytesIO:
        kind = "application/json"
        if self.path == "/__bench/sw.js":
            data, kind = SAVE_WORKER, "text/javascript"
        elif self.path == "/__bench/pagefind-files":
            root = Path(self.directory)
            data = json.dumps(sorted("/" + p.relative_to(root).as_posix()
                                     for p in (root / "pagefind").rglob("*") if p.is_file())).encode()
        else:
            with _lock:
                data = json.dumps(_sent).encode()
                if self.path == "/__bench/reset":
                    _sent.clear()
        self.send_response(200)
        self.send_header("Service-Worker-Allowed", "/")
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        return io.BytesIO(data)

    def _head(self) -> io.BytesIO | BinaryIO | None:
        path = Path(self.translate_path(self.path))
        if path.is_dir():
            path = path / "index.html"
        accepts_gzip = "gzip" in self.headers.get("Accept-Encoding", "")
        if not (accepts_gzip and path.suffix in TEXT and path.is_file()):
            return super().send_head()
        key = (str(path), path.stat().st_mtime)
        with _lock:
            body = _cache.get(key)
            if body is None:
                body = _cache[key] = gzip.compress(path.read_bytes(), compresslevel=6, mtime=0)
        self.send_response(200)
        self.send_header("Content-Type", self.guess_type(str(path)))
        self.send_header("Content-Encoding", "gzip")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        return io.BytesIO(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


class Server(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: object, client_address: object) -> None:
        pass  # a browser closing a connection early is not news


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("site", type=Path)
    parser.add_argument("port", type=int)
    parser.add_argument("--seconds", type=float, default=1800)
    args = parser.parse_args()
    Handler.extensions_map = {**Handler.extensions_map, ".webmanifest": "application/manifest+json",
                              ".wasm": "application/wasm", ".mjs": "text/javascript"}
    handler = functools.partial(Handler, directory=str(args.site))
    with Server(("127.0.0.1", args.port), handler) as server:
        stop = threading.Timer(args.seconds, server.shutdown)
        stop.daemon = True
        stop.start()
        server.serve_forever()


if __name__ == "__main__":
    main()
