"""Images on other hosts: refused by default; downloaded through the guard from listed hosts, cached, reused.

A local HTTP server stands for an allowed third party (listed by its exact origin, as a site would list an
intranet image server); host names are resolved by the real resolver (localhost) or by a resolver the test
hands in (a name that resolves to a metadata or private address), since this machine has no other DNS.
"""

from __future__ import annotations

import http.server
import io
import socket
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from bs4 import BeautifulSoup
from PIL import Image

from generator.content.load import load_community
from generator.media import Media, MediaError, MediaPolicy
from generator.settings import load_settings
from tests.conftest import CliResult, line_of, write_config
from tests.soup import attr, one

PNG = (Path(__file__).parent / "fixtures" / "mini" / "learn" / "truncated.png").read_bytes()


class ThirdParty(http.server.BaseHTTPRequestHandler):
    """What an image host might answer, path by path."""

    requests: list[str] = []  # noqa: RUF012 (shared by the class on purpose: the test reads it)

    def do_GET(self) -> None:
        self.requests.append(self.path)
        port = self.server.server_port  # type: ignore[attr-defined]  # an HTTPServer, as started below
        routes: dict[str, tuple[int, dict[str, str], bytes]] = {
            "/ok.png": (200, {"Content-Type": "image/png"}, PNG),
            "/big.png": (200, {"Content-Type": "image/png"}, PNG + b"\0" * 5000),
            "/page.html": (200, {"Content-Type": "text/html"}, b"<h1>not an image</h1>"),
            "/fake.png": (200, {"Content-Type": "image/png"}, b"<svg onload=alert(1)>"),
            "/drawing.svg": (200, {"Content-Type": "image/svg+xml"}, b"<svg xmlns='http://www.w3.org/2000/svg'/>"),
            "/gone.png": (404, {"Content-Type": "text/plain"}, b"no"),
            "/to-metadata": (302, {"Location": "http://169.254.169.254/latest/meta-data/"}, b""),
            "/to-other-port": (302, {"Location": f"http://127.0.0.1:{port + 1}/x"}, b""),
            "/to-ok": (302, {"Location": "/ok.png"}, b""),
            "/loop": (302, {"Location": "/loop"}, b""),
        }
        status, headers, body = routes.get(self.path, (404, {}, b""))
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture(scope="module")
def host() -> Iterator[str]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), ThirdParty)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def media(tmp_path: Path, download: list[str], max_bytes: int = 4096, **kwargs: Any) -> Media:
    return Media(MediaPolicy.from_lists(download, [], max_bytes), tmp_path / "cache", **kwargs)


def refused(m: Media, url: str) -> str:
    with pytest.raises(MediaError) as caught:
        m.take(url)
    return caught.value.message


def test_a_listed_host_s_image_is_downloaded_once_and_reused_from_the_cache(tmp_path: Path, host: str) -> None:
    ThirdParty.requests.clear()
    first = media(tmp_path, [host])
    first.take(f"{host}/ok.png")
    medium = first.downloaded[f"{host}/ok.png"]
    assert medium.file.read_bytes() == PNG and medium.mime == "image/png" and medium.size[0] > 0
    assert medium.site_path.startswith("media/") and medium.site_path.endswith(".png")
    again = media(tmp_path, [host])  # a later build: same cache folder
    again.take(f"{host}/ok.png")
    assert again.downloaded[f"{host}/ok.png"] == medium
    assert ThirdParty.requests == ["/ok.png"], "the second build used the cached copy"


def test_a_redirect_is_followed_only_where_the_guard_allows(tmp_path: Path, host: str) -> None:
    m = media(tmp_path, [host])
    m.take(f"{host}/to-ok")
    assert m.downloaded[f"{host}/to-ok"].file.read_bytes() == PNG
    assert "not on a host the site downloads images from" in refused(m, f"{host}/to-metadata")
    assert "not on a host the site downloads images from" in refused(m, f"{host}/to-other-port")
    assert "redirects more than 3 times" in refused(m, f"{host}/loop")


@pytest.mark.parametrize(("path", "message"), [
    ("/page.html", "is not a PNG, JPEG, GIF or WebP image (the server says 'text/html')"),
    ("/fake.png", "is not a readable PNG image"),
    ("/drawing.svg", "is not a PNG, JPEG, GIF or WebP image (the server says 'image/svg+xml')"),
    ("/big.png", "over the site's limit of 4,096"),
    ("/gone.png", "the server answered 404"),
])
def test_what_is_not_a_small_image_is_refused(tmp_path: Path, host: str, path: str, message: str) -> None:
    m = media(tmp_path, [host], max_bytes=len(PNG) + 100)
    assert message.replace("4,096", f"{len(PNG) + 100:,}") in refused(m, host + path)
    assert not (tmp_path / "cache" / "media").exists() or not list((tmp_path / "cache" / "media").iterdir())


def test_an_unreachable_host_is_a_clear_error(tmp_path: Path) -> None:
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        closed = f"http://127.0.0.1:{probe.getsockname()[1]}"
    message = refused(media(tmp_path, [closed]), f"{closed}/chart.png")
    assert message == f"image '{closed}/chart.png' could not be downloaded: Connection refused"


def test_a_host_name_that_resolves_to_loopback_is_refused(tmp_path: Path) -> None:
    """`localhost` listed as a host: the real resolver says 127.0.0.1 (or ::1), which the build never fetches."""
    message = refused(media(tmp_path, ["localhost"]), "https://localhost/chart.png")
    assert "resolves to" in message and "an internal address" in message


@pytest.mark.parametrize("address", ["169.254.169.254", "10.0.0.7", "192.168.1.1", "100.64.0.1", "0.0.0.0",
                                     "::1", "fe80::1", "fd00::1", "::ffff:127.0.0.1", "224.0.0.1"])
def test_a_listed_name_resolving_to_an_internal_address_is_refused(tmp_path: Path, address: str) -> None:
    family = socket.AF_INET6 if ":" in address else socket.AF_INET

    def resolver(*args: object, **kwargs: object) -> list[tuple[Any, ...]]:
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("93.184.215.14", 443)),  # one public answer too
                (family, socket.SOCK_STREAM, 6, "", (address, 443))]

    m = media(tmp_path, ["images.example.org"], resolver=resolver)
    assert f"resolves to {address}, an internal address" in refused(m, "https://images.example.org/x.png")


@pytest.mark.parametrize("url", ["https://169.254.169.254/latest/meta-data/", "https://2130706433/x.png",
                                 "https://127.1/x.png", "https://0x7f.0.0.1/x.png"])
def test_an_ip_address_is_never_downloaded_from_unless_listed_as_an_exact_origin(tmp_path: Path, url: str) -> None:
    host = url.split("/")[2]
    assert "is an IP address" in refused(media(tmp_path, [host]), url)


@pytest.mark.parametrize("url", ["https://images.example.org.evil.test/x.png", "https://evil.test/images.example.org",
                                 "https://images.example.org@evil.test/x.png", "http://images.example.org/x.png",
                                 "https://images.example.org:8443/x.png", "ftp://images.example.org/x.png",
                                 "https://images.example.org\\@evil.test/x.png", "//images.example.org/x.png"])
def test_only_the_listed_host_itself_over_https_counts(tmp_path: Path, url: str) -> None:
    calls: list[object] = []

    def resolver(*args: object, **kwargs: object) -> list[tuple[Any, ...]]:
        calls.append(args)
        return []

    refused(media(tmp_path, ["images.example.org"], resolver=resolver), url)
    assert calls == [], "nothing was even resolved"


@pytest.mark.parametrize("entry", ["images example.org", "https://images.example.org/path", "ftp://x.org:21",
                                   "https://user@x.org:443", "https://x.org"])
def test_a_wrong_entry_in_the_lists_is_a_config_error(entry: str) -> None:
    with pytest.raises(ValueError, match="media"):
        MediaPolicy.from_lists([entry], [], 100)


# --- through validation: file, line, and the fix -----------------------------------------------------------

LESSON = "learn/reading-charts.md"


def site(tmp_path: Path, mini: Path, image: str, **media_settings: object) -> Path:
    text = (mini / LESSON).read_text(encoding="utf-8")
    (mini / LESSON).write_text(text.replace("![A bar chart with a truncated axis](truncated.png)",
                                            f"![A bar chart with a truncated axis]({image})"), encoding="utf-8")
    return write_config(tmp_path / "site", docs_dir=str(mini), practica={"media": media_settings})


def problems(config: Path, mini: Path) -> list[str]:
    community = load_community(load_settings(config, content_dir=mini))
    return [f"{p.where}: {p.message} (fix: {p.hint})" for p in community.problems]


def test_by_default_an_external_image_is_an_error_at_its_line(tmp_path: Path, mini: Path) -> None:
    config = site(tmp_path, mini, "https://avatars.example.com/x.png")
    line = line_of(mini / LESSON, "avatars.example.com")
    assert problems(config, mini) == [
        f"{LESSON}:{line}:1: image 'https://avatars.example.com/x.png' is on another site (fix: save the image "
        "next to this file and link it by its file name: pages load nothing from other sites (readers' privacy, "
        "and offline reading); a site's maintainers can list hosts to download or embed images from under "
        "extra.practica.media in mkdocs.yml)"]


def test_a_listed_host_s_image_validates(tmp_path: Path, mini: Path, host: str) -> None:
    assert problems(site(tmp_path, mini, f"{host}/ok.png", download=[host]), mini) == []


def test_an_image_the_listed_host_cannot_give_is_an_error_saying_why(tmp_path: Path, mini: Path, host: str) -> None:
    config = site(tmp_path, mini, f"{host}/gone.png", download=[host])
    line = line_of(mini / LESSON, "gone.png")
    assert problems(config, mini) == [
        f"{LESSON}:{line}:1: image '{host}/gone.png' could not be downloaded: the server answered 404 (fix: "
        "correct the address, or save the image next to this file and link it by its file name)"]


def test_an_embedded_host_s_image_validates_without_any_request(tmp_path: Path, mini: Path) -> None:
    config = site(tmp_path, mini, "https://avatars.example.com/x.png", embed=["avatars.example.com"])
    assert problems(config, mini) == []


def built(cli: Callable[..., CliResult], tmp_path: Path, config: Path, mini: Path) -> BeautifulSoup:
    result = cli("build", "--config-file", config, "--content", mini, "--site-dir", tmp_path / "out")
    assert result.code == 0, result.err
    return BeautifulSoup((tmp_path / "out" / "learn/reading-charts/index.html").read_text(), "html.parser")


def test_a_downloaded_image_is_served_from_the_site_with_its_size(cli: Callable[..., CliResult], tmp_path: Path,
                                                                   mini: Path, host: str) -> None:
    page = built(cli, tmp_path, site(tmp_path, mini, f"{host}/ok.png", download=[host]), mini)
    img = one(page, "article img[alt='A bar chart with a truncated axis']")
    copy = tmp_path / "out" / "learn/reading-charts" / attr(img, "src")
    assert attr(img, "src").startswith("../../media/") and copy.resolve().read_bytes() == PNG
    assert (img["width"], img["height"]) == tuple(str(n) for n in Image.open(io.BytesIO(PNG)).size)
    assert host not in str(page)  # readers' phones never ask the third party
    assert not page.select(".pr-media-note")


def test_an_embedded_image_stays_where_it_is_and_the_page_says_so(cli: Callable[..., CliResult], tmp_path: Path,
                                                                  mini: Path) -> None:
    url = "https://avatars.example.com/x.png"
    page = built(cli, tmp_path, site(tmp_path, mini, url, embed=["avatars.example.com"]), mini)
    assert one(page, "article img[alt='A bar chart with a truncated axis']")["src"] == url
    assert one(page, ".pr-media-note").get_text(strip=True) == \
        "Some images on this page are loaded from avatars.example.com."
    policy = attr(one(page, "meta[http-equiv='Content-Security-Policy']"), "content")
    img_src = next(d for d in policy.split("; ") if d.startswith("img-src "))
    assert "https://avatars.example.com" in img_src.split()


def test_a_raw_html_image_beside_its_lesson_is_found_from_the_page_s_address(
        cli: Callable[..., CliResult], tmp_path: Path, mini: Path) -> None:
    text = (mini / LESSON).read_text(encoding="utf-8")
    (mini / LESSON).write_text(text.replace("![A bar chart with a truncated axis](truncated.png)",
                                            '<img src="truncated.png" alt="A bar chart with a truncated axis">'),
                               encoding="utf-8")
    page = built(cli, tmp_path, write_config(tmp_path / "site", docs_dir=str(mini)), mini)
    img = one(page, "article img[alt='A bar chart with a truncated axis']")
    assert img["src"] == "../truncated.png"
    assert (tmp_path / "out" / "learn/reading-charts" / attr(img, "src")).resolve().is_file()
    assert img.get("width") and img.get("height")
