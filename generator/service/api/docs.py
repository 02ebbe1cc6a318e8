"""The API's docs page (`/api/v1/docs`), with Swagger UI served from this machine.

FastAPI's built-in page loads Swagger UI's script and styles from a CDN; a service that may run where
nothing outside is reachable (and should not tell a CDN who reads its docs) serves them itself, from the
`swagger-ui-bundle-v2` package (FastAPI's documented way to self-host the docs assets).
"""

from __future__ import annotations

import base64
import hashlib
import re

from fastapi import FastAPI, Request
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles
from swagger_ui_bundle import swagger_ui_path

from .headers import docs_policy

DOCS = "/api/v1/docs"
ASSETS = f"{DOCS}/assets"


def add_docs(app: FastAPI) -> None:
    """Add the docs page and its local assets to `app` (left out of the OpenAPI document)."""
    app.mount(ASSETS, StaticFiles(directory=str(swagger_ui_path)), name="docs-assets")

    @app.get(DOCS, include_in_schema=False)
    async def docs(request: Request) -> HTMLResponse:
        root = request.scope.get("root_path", "").rstrip("/")
        assert app.openapi_url is not None
        page = get_swagger_ui_html(openapi_url=root + app.openapi_url, title=f"{app.title} — API",
                                   swagger_js_url=f"{root}{ASSETS}/swagger-ui-bundle.js",
                                   swagger_css_url=f"{root}{ASSETS}/swagger-ui.css",
                                   swagger_favicon_url=f"{root}{ASSETS}/favicon-32x32.png")
        page.headers["Content-Security-Policy"] = docs_policy(inline_script_hashes(bytes(page.body)))
        return page


def inline_script_hashes(html: bytes) -> list[str]:
    """The CSP hashes (base64 SHA-256) of the page's inline scripts, exactly as they are written."""
    return [base64.b64encode(hashlib.sha256(body).digest()).decode()
            for body in re.findall(rb"<script>(.*?)</script>", html, re.S)]
