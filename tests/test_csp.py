"""The Content-Security-Policy: the pure module on small pages, every page of a built site, and the headers
`practica serve` sends."""

from __future__ import annotations

import base64
import hashlib
import re
import subprocess
import sys
import threading
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from bs4 import BeautifulSoup, Tag

from generator import csp
from generator.commands.serve import site_server
from generator.errors import ConfigError
from generator.pages.player import embed_url
from generator.settings import PracticaConfig, Settings

THEME = csp.theme_scripts(['<script>__md_scope=new URL("{{ base_url }}",location)</script>',
                           "<script>var a=1;if(a<2)a++</script>", '<script id="__config" type="application/json">x'
                           "</script>", "<script>{% if x %}y{% endif %}</script>"])
PUSH = Settings(root=Path("."), practica=PracticaConfig(push_url="http://127.0.0.1:8001/api/v1"))


def page(head: str = "", body: str = "") -> str:
    return f'<!doctype html><html lang="en"><head>\n<meta charset="utf-8">{head}</head><body>{body}</body></html>'


def digest(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode()).digest()).decode() + "'"


def directives(policy: str) -> dict[str, list[str]]:
    return {name: values for name, *values in (part.split() for part in policy.split(";"))}


def csp_meta(soup: BeautifulSoup) -> list[Tag]:
    return [m for m in soup.find_all("meta") if str(m.get("http-equiv", "")).lower() == "content-security-policy"]


def secured(html: str, settings: Settings = PUSH) -> tuple[BeautifulSoup, dict[str, list[str]]]:
    soup = BeautifulSoup(csp.secure(html, settings, THEME).html, "html.parser")
    (meta,) = csp_meta(soup)
    return soup, directives(str(meta["content"]))


def first_elements(soup: BeautifulSoup) -> list[Tag]:
    assert soup.head is not None
    return [child for child in soup.head.children if isinstance(child, Tag)]


def test_a_theme_script_is_listed_by_the_base64_sha256_of_its_text() -> None:
    script = '__md_scope=new URL("../..",location)'
    _, policy = secured(page(f"<script>{script}</script>", "<script>var a=1;if(a<2)a++</script>"))
    assert policy["script-src"] == ["'self'", "'wasm-unsafe-eval'", *sorted([digest(script),
                                                                           digest("var a=1;if(a<2)a++")])]


def test_the_meta_comes_right_after_the_charset_before_any_script() -> None:
    soup, _ = secured(page('<script src="x.js"></script><link rel="stylesheet" href="a.css">'))
    head = first_elements(soup)
    assert head[0].get("charset") == "utf-8"
    assert head[1].get("http-equiv") == "Content-Security-Policy"


def test_without_a_charset_the_meta_is_the_first_thing_in_head() -> None:
    soup, _ = secured('<html><head><script src="x.js"></script></head><body></body></html>')
    assert first_elements(soup)[0].get("http-equiv") == "Content-Security-Policy"


def test_data_blocks_and_external_scripts_are_not_hashed() -> None:
    _, policy = secured(page('<script type="application/ld+json">{"@type":"Person"}</script>'
                             '<script id="__config" type="application/json">x</script><script src="a.js"></script>'
                             '<script type="text/javascript; charset=utf-8">y</script>'))
    assert policy["script-src"] == ["'self'", "'wasm-unsafe-eval'"]


def test_each_distinct_script_is_listed_once_and_crlf_hashes_as_the_browser_reads_it() -> None:
    theme = csp.theme_scripts(["<script>a()\r\nb()</script>"])
    result = csp.secure(page(body="<script>a()\r\nb()</script><script>a()\nb()</script>"), PUSH, theme)
    (meta,) = csp_meta(BeautifulSoup(result.html, "html.parser"))
    assert directives(str(meta["content"]))["script-src"][2:] == [digest("a()\nb()")]


def test_a_script_the_theme_does_not_write_is_reported_and_left_out() -> None:
    hostile = ['alert(1)', '__md_scope=new URL("x",location),alert(1)//",location)',
               '__md_scope=new URL("a"+alert(1)+"",location)', "y"]  # the last: the template had {% %} in it
    result = csp.secure(page(body="".join(f"<script>{s}</script>" for s in hostile)), PUSH, THEME)
    assert result.refused == tuple(hostile)
    (meta,) = csp_meta(BeautifulSoup(result.html, "html.parser"))
    assert directives(str(meta["content"]))["script-src"] == ["'self'", "'wasm-unsafe-eval'"]


def test_a_script_in_a_comment_or_in_text_is_not_a_script() -> None:
    result = csp.secure(page(body="<!-- <script>alert(1)</script> --><p>&lt;script&gt;alert(2)&lt;/script&gt;</p>"),
                        PUSH, THEME)
    assert result.refused == ()


def test_the_push_service_origin_and_only_the_video_players_are_allowed() -> None:
    _, policy = secured(page())
    assert policy["connect-src"] == ["'self'", "http://127.0.0.1:8001"]
    assert policy["frame-src"] == ["https://www.youtube-nocookie.com", "https://player.vimeo.com"]
    assert policy["object-src"] == ["'none'"] and policy["base-uri"] == ["'self'"]
    assert "'unsafe-inline'" not in policy["script-src"] and "'unsafe-eval'" not in policy["script-src"]
    _, without_push = secured(page(), Settings(root=Path(".")))
    assert without_push["connect-src"] == ["'self'"]


def test_frame_src_covers_every_player_the_video_pages_embed() -> None:
    for src in ("https://www.youtube.com/watch?v=abc", "https://youtu.be/abc", "https://vimeo.com/123"):
        embed, _ = embed_url(src)
        assert embed is not None and csp._origin(embed) in csp.EMBED_ORIGINS
    assert embed_url("https://videos.example.org/v/1")[0] is None, "other hosts are linked, never framed"


def test_a_video_player_from_another_host_is_reported() -> None:
    result = csp.secure(page(body='<figure class="pr-facade" data-embed="https://videos.example.org/v/1">'
                                  "</figure>"), PUSH, THEME)
    assert result.blocked_frames == ("https://videos.example.org/v/1",)


@pytest.mark.parametrize("url", ["https://push.example.org; script-src *", "javascript:alert(1)",
                                 "https://push.example.org'/api", "ftp://push.example.org/", "https://:80/"])
def test_a_push_url_that_could_change_the_policy_is_a_config_error(url: str) -> None:
    settings = Settings(root=Path("."), practica=PracticaConfig(push_url=url))
    with pytest.raises(ConfigError, match="push_url"):
        csp.secure(page(), settings, THEME)


def test_every_built_page_has_one_policy_first_in_head_listing_each_inline_script(mini_site: Path) -> None:
    pages = sorted(mini_site.rglob("*.html"))
    assert mini_site / "404.html" in pages and len(pages) > 20
    for path in pages:
        soup = BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")
        metas = csp_meta(soup)
        assert len(metas) == 1, path
        head = first_elements(soup)
        assert head[int(head[0].has_attr("charset"))] is metas[0], f"{path}: the policy is not first in <head>"
        policy = directives(str(metas[0]["content"]))
        inline = [s for s in soup.find_all("script") if not s.get("src")
                  and s.get("type") not in ("application/json", "application/ld+json")]
        assert inline, path
        for script in inline:
            assert digest(script.string or "") in policy["script-src"], f"{path}: {script.string!r:.60}"


@pytest.fixture(scope="module")
def server(mini_site: Path) -> Iterator[str]:
    httpd = site_server(mini_site, "127.0.0.1", 0)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/"
    httpd.shutdown()
    httpd.server_close()


def test_serve_sends_the_page_policy_with_frame_ancestors_and_nosniff(server: str, mini_site: Path) -> None:
    with urllib.request.urlopen(server + "learn/forecast-basics/", timeout=5) as response:
        headers = response.headers
    meta = csp.meta_policy((mini_site / "learn" / "forecast-basics" / "index.html").read_text(encoding="utf-8"))
    assert headers["Content-Security-Policy"] == f"{meta}; frame-ancestors 'self'"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    with urllib.request.urlopen(server + "feed.json", timeout=5) as response:
        assert "Content-Security-Policy" not in response.headers
        assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_serve_error_pages_get_a_policy_that_allows_nothing(server: str) -> None:
    with pytest.raises(urllib.error.HTTPError) as missing:
        urllib.request.urlopen(server + "no/such/page/", timeout=5)
    policy = directives(missing.value.headers["Content-Security-Policy"])
    assert policy["default-src"] == ["'none'"] and policy["frame-ancestors"] == ["'self'"]


SCAN_CHILD = """
import resource, sys
resource.setrlimit(resource.RLIMIT_CPU, ({seconds}, {seconds}))
sys.path.insert(0, {root!r})
from generator import csp
for page in {pages!r}:
    csp.meta_policy(page)  # the whole scan
"""


def test_the_page_scan_stays_linear_on_hostile_pages() -> None:
    """A page scan runs once per built page: unterminated tags, comments and attributes repeated ~200 KB long
    each take milliseconds with the scan's patterns (a restarted `[^>]*` took seconds, html.parser ~10 ms a
    page in every build). The bound is the child's CPU time (see tests/test_linear_body.py for why)."""
    pages = ["<script " * 25_000, "<head><meta" + " charset" * 25_000, "<head>" + "<!--" * 50_000,
             "<meta " * 30_000, "<style " * 25_000, 'data-embed="' * 20_000, "<head>" + " " * 200_000 + "<meta",
             "<script>" * 25_000, "<body><head " * 15_000]
    code = SCAN_CHILD.format(seconds=2, root=str(Path(__file__).resolve().parent.parent), pages=pages)
    done = subprocess.run([sys.executable, "-"], input=code, capture_output=True, text=True, check=False)
    assert done.returncode == 0, f"the scan used more than 2 s of CPU ({done.returncode}) {done.stderr[-500:]}"


def test_only_shared_js_inserts_html_and_only_the_services_sanitised_fields() -> None:
    """Page scripts build readers' text as text (practica.el); the one place HTML is inserted is shared.js's
    serviceHtml, and it is called only with the service's sanitised `html` fields."""
    scripts = Path(__file__).resolve().parent.parent / "pwa" / "overrides" / "assets" / "practica"
    sinks = re.compile(r"\.innerHTML\s*=|\.outerHTML\s*=|insertAdjacentHTML|document\.write")
    found = {path.name: len(sinks.findall(path.read_text())) for path in sorted(scripts.glob("*.js"))}
    assert {name: n for name, n in found.items() if n} == {"shared.js": 1}
    calls = re.compile(r"serviceHtml\(([^,)]+)")
    for path in scripts.glob("*.js"):
        for argument in calls.findall(path.read_text()):
            assert argument.strip() in {"html", "post.html", "post.note.html"}, (path.name, argument)
