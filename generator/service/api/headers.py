"""Security headers on every response of the push service: errors, 404s, preflights and the docs page too."""

from __future__ import annotations

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

# The API answers JSON only: nothing in a response may load, run or be framed.
JSON_POLICY = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
ALWAYS = {"X-Content-Type-Options": "nosniff", "Referrer-Policy": "no-referrer", "X-Frame-Options": "DENY"}


def docs_policy(script_hashes: list[str]) -> str:
    """The docs page's policy: Swagger UI's files from here, its one inline script by hash, calls to here only."""
    scripts = " ".join(f"'sha256-{h}'" for h in script_hashes)
    return (f"default-src 'none'; script-src 'self' {scripts}; style-src 'self'; img-src 'self' data:; "
            "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'")


class SecurityHeaders:
    """Add ALWAYS, a Content-Security-Policy (JSON_POLICY unless the route set its own) and, outside
    `cacheable` (path prefixes: the docs' assets, photos with their own validator), `Cache-Control: no-store`
    (answers carry subscriptions and preferences) to every response."""

    def __init__(self, app: ASGIApp, cacheable: tuple[str, ...]) -> None:
        self.app, self.cacheable = app, cacheable

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        store = not scope["path"].startswith(self.cacheable)

        async def adding(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for key, value in ALWAYS.items():
                    headers[key] = value
                headers.setdefault("Content-Security-Policy", JSON_POLICY)
                if store:
                    headers["Cache-Control"] = "no-store"
            await send(message)

        await self.app(scope, receive, adding)
