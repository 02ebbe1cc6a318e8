"""`practica serve`: validate, then serve with MkDocs' live-reload server, rebuilding on every change.

A change that breaks the content is reported and the last good build keeps being served: Practica's
hook refuses the rebuild before MkDocs writes anything.
"""

from __future__ import annotations

import contextlib
import logging
from pathlib import Path

from ..content.load import load_community
from ..content.problems import errors
from ..errors import ContentError
from ..settings import Settings

log = logging.getLogger("mkdocs.plugins.practica")


def serve(config_file: Path, settings: Settings, dev_addr: str, site_dir: Path | None = None,
          watch: bool = True) -> int:
    community = load_community(settings)
    if errors(community.problems):
        raise ContentError(community.problems)
    if not watch:
        return _static(config_file, settings, dev_addr, site_dir)
    from mkdocs.commands.serve import serve as mkdocs_serve

    pwa_dir = settings.root / "pwa"
    mkdocs_serve(config_file=str(config_file), dev_addr=dev_addr, docs_dir=str(settings.content_dir),
                 livereload=True, watch=[str(pwa_dir)] if pwa_dir.is_dir() else [])
    return 0


def _static(config_file: Path, settings: Settings, dev_addr: str, site_dir: Path | None) -> int:
    """Build once, then serve the built folder as a static host would (no reload script injected)."""
    import functools
    import http.server

    from .build import build

    result = build(config_file, settings, site_dir=site_dir)
    host, _, port = dev_addr.rpartition(":")
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(result.site_dir))
    with http.server.ThreadingHTTPServer((host or "127.0.0.1", int(port)), handler) as server:
        log.info("Serving %s on http://%s/ (Ctrl+C to stop)", result.site_dir, dev_addr)
        with contextlib.suppress(KeyboardInterrupt):
            server.serve_forever()
    return 0
