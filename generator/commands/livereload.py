"""Live reload for `practica serve`: pages open in a browser reload after each successful rebuild.

The site's Content-Security-Policy allows no inline script, so the server adds `<script src>` (allowed as
'self') to every HTML page it sends; the script long-polls `.practica/livereload/`, which answers as soon
as the build number moves past the page's (or after `WAIT_SECONDS`, with the same number, to be asked
again). Nothing of this is in the built site: `practica build` output never mentions it.
"""

from __future__ import annotations

import html
import threading
from importlib.resources import files

PREFIX = ".practica/"
SCRIPT = PREFIX + "livereload.js"
ENDPOINT = PREFIX + "livereload/"  # "/livereload/": the service worker leaves it alone
WAIT_SECONDS = 20.0


class Builds:
    """The number of the build being served; waiters are woken when it changes."""

    def __init__(self) -> None:
        self.number = 1
        self._changed = threading.Condition()

    def bump(self) -> None:
        with self._changed:
            self.number += 1
            self._changed.notify_all()

    def wait_past(self, seen: int, timeout: float = WAIT_SECONDS) -> int:
        """The build number, as soon as it is not `seen` (or when `timeout` runs out)."""
        with self._changed:
            self._changed.wait_for(lambda: self.number != seen, timeout)
            return self.number


def script() -> bytes:
    return files(__package__ or "generator.commands").joinpath("livereload.js").read_bytes()


def inject(page: bytes, mount: str, build: int) -> bytes:
    """`page` with the live-reload script at the end of its head (left alone if it has no head)."""
    tag = (f'<script src="{html.escape(mount + SCRIPT)}" data-endpoint="{html.escape(mount + ENDPOINT)}" '
           f'data-build="{build}" defer></script>').encode()
    head = page.find(b"</head>")
    return page if head < 0 else page[:head] + tag + page[head:]
