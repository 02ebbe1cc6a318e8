"""Images in contributed bodies that live on other hosts: refused, downloaded and served from the site, or embedded.

By default an image on another host is an error: readers' phones would fetch it from a third party (who then
learns who reads what) and it would be missing offline. A site may list, under `extra.practica.media`:
- `download`: hosts whose images are fetched at build time, cached in `.cache/practica/media/` (a later build
  reuses the copy without the network) and published under `media/` with a name taken from their content;
- `embed`: hosts whose images stay where they are (the page's Content-Security-Policy allows the host and the
  page says it loads from it).

Fetching whatever URL a pull request names would let a contribution make the build machine read internal
addresses (a cloud's metadata service, the intranet) and publish the answer. So a download is guarded: https
only, port 443, to a listed host name whose every address is public (not loopback, private, link-local,
shared or reserved), connecting to the address that was checked (no second DNS answer), redirects followed
only to places that pass the same checks (at most three), at most `max_bytes`, and only PNG, JPEG, GIF or
WebP that Pillow reads as what the server said it is (no SVG: opened on its own it would run script on the
site's origin). An exact origin (`http://127.0.0.1:8123`) names one server the site trusts as it is, an
intranet image server say, and skips the address check for that origin only.
"""

from __future__ import annotations

import hashlib
import io
import ipaddress
import json
import re
import socket
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urljoin, urlsplit

if TYPE_CHECKING:
    import http.client

CACHE_FOLDER = "media"
SITE_FOLDER = "media"
TIMEOUT_SECONDS = 10.0
MAX_REDIRECTS = 3
# What Pillow calls each format we publish, its MIME type and the extension it is published with.
FORMATS = {"PNG": ("image/png", "png"), "JPEG": ("image/jpeg", "jpg"), "GIF": ("image/gif", "gif"),
           "WEBP": ("image/webp", "webp")}
TYPES = {mime for mime, _ in FORMATS.values()}
_HOST = re.compile(r"[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*")
_FIX = "save the image next to this file and link it by its file name"
Resolver = Callable[..., Sequence[tuple[Any, ...]]]  # socket.getaddrinfo, or a test's


class MediaError(Exception):
    """Why an external image is not on the site: `message` for the problem, `hint` for its fix."""

    def __init__(self, message: str, hint: str = _FIX) -> None:
        super().__init__(message)
        self.message, self.hint = message, hint


@dataclass(frozen=True)
class Medium:
    """A downloaded image: where it came from, the cached file, and where the site publishes it."""

    url: str
    file: Path
    mime: str
    size: tuple[int, int]

    @property
    def site_path(self) -> str:
        """`media/<first 20 hex digits of its SHA-256>.<ext>`: the same image is one file, a changed one a new one."""
        return f"{SITE_FOLDER}/{self.file.name}"


@dataclass(frozen=True)
class MediaPolicy:
    """The site's lists: hosts (or exact origins) to download from and hosts to embed from."""

    download: frozenset[str] = frozenset()
    embed: frozenset[str] = frozenset()
    max_bytes: int = 5_000_000

    @classmethod
    def from_lists(cls, download: list[str], embed: list[str], max_bytes: int) -> MediaPolicy:
        """Entries checked the way a reader of mkdocs.yml would expect (a ValueError says which one is wrong)."""
        for entry in [*download, *embed]:
            if "://" in entry:
                _origin_entry(entry)
            elif not _HOST.fullmatch(entry):
                raise ValueError(f"media host {entry!r} is neither a host name (images.example.org) nor an exact "
                                 "origin (https://host:port)")
        for entry in embed:
            if entry.startswith("http://"):
                raise ValueError(f"media embed entry {entry!r}: embedded images must be https")
        return cls(frozenset(_normal(e) for e in download), frozenset(_normal(e) for e in embed), max_bytes)

    def embeds(self, url: str) -> bool:
        parts = _parts(url)
        return parts is not None and parts[0] == "https" and _listed(parts, self.embed)

    def downloads(self, url: str) -> bool:
        parts = _parts(url)
        return parts is not None and _listed(parts, self.download)

    def embed_sources(self) -> list[str]:
        """The CSP sources for embedded hosts (`https://host`, or the exact origin)."""
        return sorted(e if "://" in e else f"https://{e}" for e in self.embed)


class Media:
    """The external images of one build: each URL's verdict once, downloads through the cache."""

    def __init__(self, policy: MediaPolicy, cache_dir: Path, resolver: Resolver = socket.getaddrinfo) -> None:
        self.policy, self.cache_dir, self.resolver = policy, cache_dir, resolver
        self.downloaded: dict[str, Medium] = {}
        self.embedded: set[str] = set()
        self._failed: dict[str, MediaError] = {}

    def take(self, url: str) -> None:
        """Accept an external image for the site, or raise MediaError saying why it cannot be."""
        if url in self.downloaded or url in self.embedded:
            return
        if url in self._failed:
            raise self._failed[url]
        try:
            if self.policy.embeds(url):
                self.embedded.add(url)
            elif self.policy.downloads(url):
                self.downloaded[url] = self._cached(url) or self._download(url)
            else:
                raise MediaError(f"image '{url}' is on another site",
                                 _FIX + ": pages load nothing from other sites (readers' privacy, and offline "
                                 "reading); a site's maintainers can list hosts to download or embed images from "
                                 "under extra.practica.media in mkdocs.yml")
        except MediaError as exc:
            self._failed[url] = exc
            raise

    def site_path(self, url: str) -> str | None:
        """Where the site serves its copy of a downloaded image (None: not downloaded)."""
        medium = self.downloaded.get(url)
        return medium.site_path if medium else None

    def published(self) -> dict[str, Path]:
        """The copies the site publishes: site path → cached file."""
        return {m.site_path: m.file for m in self.downloaded.values()}

    def embedded_hosts(self, srcs: Iterable[str]) -> list[str]:
        """The hosts among `srcs` that a page loads images from as they are (the page says so)."""
        return sorted({urlsplit(s).hostname or s for s in srcs if s in self.embedded})

    def _cached(self, url: str) -> Medium | None:
        record = self.cache_dir / CACHE_FOLDER / (hashlib.sha256(url.encode()).hexdigest() + ".json")
        try:
            saved = json.loads(record.read_text(encoding="utf-8"))
            file = self.cache_dir / CACHE_FOLDER / saved["file"]
            if saved["url"] == url and file.is_file():
                return Medium(url, file, saved["mime"], (int(saved["width"]), int(saved["height"])))
        except (OSError, ValueError, KeyError, TypeError):
            pass
        return None

    def _download(self, url: str) -> Medium:
        data, mime = fetch(url, self.policy, self.resolver)
        size = _check_image(url, data, mime)
        folder = self.cache_dir / CACHE_FOLDER
        folder.mkdir(parents=True, exist_ok=True)
        file = folder / f"{hashlib.sha256(data).hexdigest()[:20]}.{FORMATS_BY_MIME[mime]}"
        _write(file, data)
        record = {"url": url, "file": file.name, "mime": mime, "width": size[0], "height": size[1]}
        _write(folder / (hashlib.sha256(url.encode()).hexdigest() + ".json"), json.dumps(record).encode())
        return Medium(url, file, mime, size)


FORMATS_BY_MIME = {mime: ext for mime, ext in FORMATS.values()}


def fetch(url: str, policy: MediaPolicy, resolver: Resolver = socket.getaddrinfo) -> tuple[bytes, str]:
    """The body and MIME type of `url`, through the guard (module docstring); MediaError otherwise."""
    deadline = time.monotonic() + 3 * TIMEOUT_SECONDS
    for _ in range(MAX_REDIRECTS + 1):
        parts = _parts(url)
        if parts is None or not _listed(parts, policy.download):
            raise MediaError(f"image '{url}' is not on a host the site downloads images from",
                             _FIX + " (a redirect to an unlisted host is not followed either)")
        address = _address(parts, policy, resolver)
        status, headers, body = _get(url, parts, address, policy.max_bytes, deadline)
        if status in (301, 302, 303, 307, 308) and headers.get("location"):
            url = urljoin(url, headers["location"])
            continue
        if status != 200:
            raise MediaError(f"image '{url}' could not be downloaded: the server answered {status}",
                             "correct the address, or " + _FIX)
        mime = headers.get("content-type", "").split(";")[0].strip().lower()
        if mime not in TYPES:
            raise MediaError(f"image '{url}' is not a PNG, JPEG, GIF or WebP image (the server says "
                             f"'{mime[:60] or 'nothing'}')", _FIX)
        return body, mime
    raise MediaError(f"image '{url}' redirects more than {MAX_REDIRECTS} times", "link the final address, or " + _FIX)


def _address(parts: tuple[str, str, int], policy: MediaPolicy, resolver: Resolver) -> str:
    """The one address to connect to: for a host name, every address it resolves to must be public."""
    scheme, host, port = parts
    exact = f"{scheme}://{host}:{port}" in policy.download
    if _is_ip(host):
        if not exact:
            raise MediaError(f"image host {host} is an IP address, not a listed host name", _FIX)
        return host
    if scheme != "https" and not exact:
        raise MediaError(f"image address uses {scheme}, not https", "use its https address, or " + _FIX)
    try:
        found = resolver(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise MediaError(f"image host {host} cannot be found ({exc})", "check the address, or " + _FIX) from None
    addresses = [str(info[4][0]) for info in found]
    if not exact:
        for address in addresses:
            if not _public(address):
                raise MediaError(f"image host {host} resolves to {address}, an internal address: the build "
                                 "fetches nothing from the machine's own network", _FIX)
    return addresses[0]


def _get(url: str, parts: tuple[str, str, int], address: str, limit: int, deadline: float
         ) -> tuple[int, dict[str, str], bytes]:
    import http.client  # here, not at the top: `practica validate` of a site without external images skips it

    scheme, host, port = parts
    split = urlsplit(url)
    target = (split.path or "/") + (f"?{split.query}" if split.query else "")
    connection = _pinned(host, port, address, scheme == "https")
    try:
        connection.request("GET", target, headers={"Accept": ", ".join(sorted(TYPES)), "User-Agent": "Practica"})
        response = connection.getresponse()
        headers = {k.lower(): v for k, v in response.getheaders()}
        declared = headers.get("content-length", "")
        if declared.isdigit() and int(declared) > limit:
            raise MediaError(f"image '{url}' is {int(declared):,} bytes, over the site's limit of {limit:,}",
                             "use a smaller image, saved next to this file")
        body = bytearray()
        while len(body) <= limit:
            if time.monotonic() > deadline:
                raise MediaError(f"image '{url}' took too long to download", "try again, or " + _FIX)
            chunk = response.read(65536)
            if not chunk:
                break
            body.extend(chunk)
        if len(body) > limit:
            raise MediaError(f"image '{url}' is over the site's limit of {limit:,} bytes",
                             "use a smaller image, saved next to this file")
        return response.status, headers, bytes(body)
    except (OSError, http.client.HTTPException) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc) or type(exc).__name__
        raise MediaError(f"image '{url}' could not be downloaded: {reason}",
                         "check that the address works, or " + _FIX) from None
    finally:
        connection.close()


def _pinned(host: str, port: int, address: str, tls: bool) -> http.client.HTTPConnection:
    """A connection to the address that was checked, speaking to `host` (and checking its certificate, for
    https): the connection cannot land on another address than the one the guard allowed."""
    import http.client
    import ssl

    context = ssl.create_default_context()

    class Pinned(http.client.HTTPConnection):
        def connect(self) -> None:
            sock = socket.create_connection((address, self.port), self.timeout)
            self.sock = context.wrap_socket(sock, server_hostname=self.host) if tls else sock

    return Pinned(host, port, timeout=TIMEOUT_SECONDS)


def _check_image(url: str, data: bytes, mime: str) -> tuple[int, int]:
    """The image's pixel size, if it is the image the server said it is; otherwise MediaError."""
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(data)) as image:
            found = FORMATS.get(image.format or "")
            image.verify()
            size = image.size
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        found, size = None, (0, 0)
    if found is None or found[0] != mime:
        raise MediaError(f"image '{url}' is not a readable {mime.split('/')[1].upper()} image", _FIX)
    return size


def _write(path: Path, data: bytes) -> None:
    temporary = path.with_name(path.name + ".part")
    temporary.write_bytes(data)
    temporary.replace(path)


def _public(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return bool(re.fullmatch(r"(0x[0-9a-f]*|\d+)(\.(0x[0-9a-f]*|\d+))*", host))  # 127.1, 2130706433
    return True


def _parts(url: str) -> tuple[str, str, int] | None:
    """Scheme, lower-case host and port of an http(s) URL without user information; None for anything else."""
    if len(url) > 2048 or not url.isascii() or re.search(r"[\s\\\x00-\x1f\x7f]", url):
        return None
    try:
        split = urlsplit(url)
        port = split.port
    except ValueError:
        return None
    if split.scheme not in ("http", "https") or not split.hostname or "@" in split.netloc:
        return None
    return split.scheme, split.hostname.lower(), port or {"https": 443, "http": 80}[split.scheme]


def _listed(parts: tuple[str, str, int], entries: frozenset[str]) -> bool:
    scheme, host, port = parts
    return f"{scheme}://{host}:{port}" in entries or (scheme == "https" and port == 443 and host in entries)


def _origin_entry(entry: str) -> None:
    split = urlsplit(entry)
    try:
        port = split.port
    except ValueError:
        port = None
    if split.scheme not in ("http", "https") or not split.hostname or split.path.strip("/") or port is None \
            or split.username:
        raise ValueError(f"media entry {entry!r} must be a host name or exactly scheme://host:port")


def _normal(entry: str) -> str:
    if "://" not in entry:
        return entry.lower()
    split = urlsplit(entry)
    return f"{split.scheme}://{(split.hostname or '').lower()}:{split.port}"
