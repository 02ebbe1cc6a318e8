"""Issue 12, "Text is text": hostile front matter, bodies and reader comments never become markup or script.

The hostile community (tests/fixtures/hostile) is built once with its validation problems dropped, so these
tests show what the build itself publishes; the validation tests show what `practica validate` reports.
"""

from __future__ import annotations

import gzip
import json
import re
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from bs4 import BeautifulSoup, Tag

from tests.conftest import HOSTILE, HOSTILE_COMMENTS, MINI, CliResult, HostileSite

URL_ATTRIBUTES = ("href", "src", "action", "formaction", "xlink:href", "poster", "data", "srcdoc")
BAD_SCHEMES = ("javascript:", "vbscript:", "data:")
ALLOWED_HTTP_EQUIV = {"content-security-policy"}
ARTICLE_FORMS = {"pr-check", "pr-feedback"}  # forms the templates write inside an article (at least)
SITE_NAME = "Harbourline Communities"

# Each body payload (file, exact text in it): validation must report it at a line it spans.
BODY_PAYLOADS: list[tuple[str, str]] = [("learn/hostile-body.md", text) for text in (
    "A paragraph with an attribute list.\n{: onclick=alert(1) }",
    "## A heading with a handler {: onclick=alert(1) }",
    "![a](x.png){: onerror=alert(1) }",
    "[a link](https://example.org/){: onclick=alert(1) }",
    "<img\nsrc=x\nonerror=alert(1)>",
    "<svg/onload=alert(1)>",
    "<details/open/ontoggle=alert(1)>",
    "<input/autofocus/onfocus=alert(1)>",
    "[x](jav&#x61;script:alert(1))",
    "A reference link: [x][r].\n\n[r]: jav&#x61;script:alert(1)",
    "[x](javascript&colon;alert(1))",
    '<iframe srcdoc="<script>alert(1)</script>"></iframe>',
    '<iframe src="data:text/html,<script>alert(1)</script>"></iframe>',
    '<object data="data:text/html,<script>alert(1)</script>"></object>',
    '<base href="https://evil.example/">',
    '<meta http-equiv="refresh" content="0;url=https://evil.example/">',
    '<form action="https://evil.example/"><input type="password"></form>',
    "<style>body{display:none}</style>",
    "<script>alert(1)</script>",
    '<a href="vbscript:msgbox(1)">vb link</a>',
    '<a href="data:text/html,<script>alert(1)</script>">data link</a>',
)] + [
    ("people/bo.md", "<img src=x onerror=alert(1)>"),
    ("topics/data.md", "<svg/onload=alert(1)>"),
    ("faq/which-chart.md", "[x](javascript&colon;alert(1))"),
    ("paths/first-week.md", "<details/open/ontoggle=alert(1)>"),
    ("videos/external-talk.md", "<input/autofocus/onfocus=alert(1)>"),
]
# Problems that are about an image or link target, not about active content.
NOT_ABOUT_SCRIPTS = {"no-alt-text", "missing-file", "broken-link"}

# Pages whose title, summary, name… are hostile front matter: (page URL, content file).
HOSTILE_ITEMS = [
    ("learn/forecast-basics/", "learn/forecast-basics.md"),
    ("learn/reading-charts/", "learn/reading-charts.md"),
    ("videos/intro-video/", "videos/intro-video.md"),
    ("videos/external-talk/", "videos/external-talk.md"),
    ("faq/what-is-mape/", "faq/what-is-mape.md"),
    ("paths/first-week/", "paths/first-week.md"),
]
FEED_IDS = {"urn:practica:lesson:forecast-basics": "learn/forecast-basics.md",
            "urn:practica:lesson:reading-charts": "learn/reading-charts.md",
            "urn:practica:video:intro-video": "videos/intro-video.md",
            "urn:practica:video:external-talk": "videos/external-talk.md",
            "urn:practica:faq:what-is-mape": "faq/what-is-mape.md",
            "urn:practica:path:first-week": "paths/first-week.md"}


def front_matter(rel: str) -> dict[str, Any]:
    """The front matter of a hostile fixture file, as YAML reads it (the text every slot must show)."""
    text = (HOSTILE / rel).read_text(encoding="utf-8")
    front: dict[str, Any] = yaml.safe_load(text.split("---\n", 2)[1])
    return front


def same(text: str | None) -> str:
    """Whitespace (including U+2028) collapsed: slots may fold lines, never change or escape the text."""
    return " ".join((text or "").split())


def parse(path: Path) -> BeautifulSoup:
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


def html_files(site: Path) -> list[Path]:
    return sorted(site.rglob("*.html"))


def describe(site: Path, path: Path, element: Tag) -> str:
    """`file: <tag attr=…>` for a failure message."""
    attrs = " ".join(f"{k}={v!r}" for k, v in element.attrs.items())
    return f"{path.relative_to(site)}: <{element.name} {attrs}>"[:300]


def elements(site: Path) -> Iterator[tuple[Path, BeautifulSoup, Tag]]:
    for path in html_files(site):
        page = parse(path)
        for element in page.find_all(True):
            yield path, page, element


def url_value(value: str) -> str:
    """An attribute's URL as a browser reads its scheme: no whitespace or control characters, lower case."""
    return "".join(ch for ch in value if ord(ch) > 0x20 and not 0x7F <= ord(ch) <= 0x9F).lower()


def in_article(element: Tag) -> bool:
    return element.find_parent("article") is not None or element.find_parent(class_="md-content") is not None


@pytest.fixture(scope="module")
def all_elements(hostile_site: HostileSite) -> list[tuple[Path, Tag]]:
    return [(path, element) for path, _, element in elements(hostile_site.site)]


def test_the_hostile_site_was_built(hostile_site: HostileSite) -> None:
    pages = {p.parent.relative_to(hostile_site.site).as_posix() + "/" for p in hostile_site.site.rglob("index.html")}
    expected = {url for url, _ in HOSTILE_ITEMS} | {"learn/hostile-body/", "people/ada/", "people/bo/",
                                                    "topics/data/", "health/"}
    assert expected <= pages


def test_no_element_has_an_event_handler(hostile_site: HostileSite, all_elements: list[tuple[Path, Tag]]) -> None:
    found = [f"{describe(hostile_site.site, path, e)}: attribute {name!r}"
             for path, e in all_elements for name in e.attrs if name.lower().startswith("on")]
    assert found == []


def test_no_url_attribute_has_a_script_or_data_scheme(hostile_site: HostileSite,
                                                      all_elements: list[tuple[Path, Tag]]) -> None:
    found = []
    for path, e in all_elements:
        for name in URL_ATTRIBUTES:
            value = e.attrs.get(name)
            if isinstance(value, str) and url_value(value).startswith(BAD_SCHEMES):
                found.append(f"{describe(hostile_site.site, path, e)}: {name}={value!r}")
    assert found == []


def test_the_theme_uses_no_data_urls(mini_site: Path) -> None:
    """Guards the rule above: if the theme ever ships data: images, the rule must allow exactly those."""
    found = [f"{describe(mini_site, path, e)}: {name}" for path, _, e in elements(mini_site) for name in URL_ATTRIBUTES
             if isinstance(value := e.attrs.get(name), str) and url_value(value).startswith("data:")]
    assert found == []


def test_no_frames_objects_base_or_refresh(hostile_site: HostileSite, all_elements: list[tuple[Path, Tag]]) -> None:
    found = []
    for path, e in all_elements:
        where = describe(hostile_site.site, path, e)
        if e.name in ("iframe", "frame", "object", "embed", "base"):
            found.append(f"{where}: <{e.name}> element")
        if "srcdoc" in e.attrs:
            found.append(f"{where}: srcdoc attribute")
        equiv = e.attrs.get("http-equiv")
        if e.name == "meta" and equiv is not None and str(equiv).lower() not in ALLOWED_HTTP_EQUIV:
            found.append(f"{where}: <meta http-equiv={equiv!r}>")
    assert found == []


def article_form_classes(site: Path) -> set[str]:
    """The classes of the forms the templates write inside articles (read from the clean mini build)."""
    return {c for path, _, e in elements(site) if e.name == "form" and in_article(e) for c in e.get("class") or []}


def test_no_styles_forms_or_password_fields_from_contributors(hostile_site: HostileSite, mini_site: Path,
                                                              all_elements: list[tuple[Path, Tag]]) -> None:
    allowed = article_form_classes(mini_site)
    assert allowed >= ARTICLE_FORMS
    found = []
    for path, e in all_elements:
        where = describe(hostile_site.site, path, e)
        if e.name == "style" and in_article(e):
            found.append(f"{where}: <style> in the article")
        if e.name == "form" and in_article(e) and not allowed & set(e.get("class") or []):
            found.append(f"{where}: <form> in the article")
        if e.name == "input" and str(e.get("type", "")).lower() == "password":
            found.append(f"{where}: password field")
    assert found == []


def theme_script(text: str) -> str:
    """An inline script with its page-depth-relative base (`new URL("../..",location)`) made depth-free."""
    return re.sub(r'new URL\("\.(?:\.?(?:/\.\.)*)",location\)', 'new URL(BASE,location)', text.strip())


def test_every_script_is_the_themes_or_inert_data(hostile_site: HostileSite, mini_site: Path) -> None:
    theme = {theme_script(s.string or "") for path in html_files(mini_site) for s in parse(path).find_all("script")
             if not s.get("src") and not s.get("type")}
    found = []
    for path in html_files(hostile_site.site):
        for script in parse(path).find_all("script"):
            where = describe(hostile_site.site, path, script)
            kind, src, text = script.get("type"), script.get("src"), script.string or ""
            if kind == "application/ld+json":
                try:
                    json.loads(text)
                except ValueError as exc:
                    found.append(f"{where}: JSON-LD that is not JSON ({exc}): {text[:120]!r}")
            elif kind == "application/json":
                if script.get("id") != "__config":
                    found.append(f"{where}: application/json script that is not Material's config")
            elif src is not None:
                if re.match(r"^[a-z][a-z0-9+.-]*:|^//", url_value(str(src))):
                    found.append(f"{where}: script from another origin")
            elif kind is not None or theme_script(text) not in theme:
                found.append(f"{where}: inline script not written by the theme: {text[:120]!r}")
    assert found == []


def visible(element: Tag | None) -> str:
    """An element's visible text, without Material's ¶ permalinks."""
    assert element is not None
    copy = BeautifulSoup(str(element), "html.parser")
    for link in copy.select("a.headerlink"):
        link.decompose()
    return same(copy.get_text())


@pytest.mark.parametrize(("url", "rel"), HOSTILE_ITEMS)
def test_titles_and_descriptions_show_the_front_matter_text(hostile_site: HostileSite, url: str, rel: str) -> None:
    meta = front_matter(rel)
    page = parse(hostile_site.site / url / "index.html")
    article = page.select_one("article")
    assert article is not None
    assert visible(article.find("h1")) == same(meta["title"]), f"{url}: <h1>"
    assert visible(page.title) == same(f"{meta['title']} - {SITE_NAME}"), f"{url}: <title>"
    assert visible(page.select(".md-header__topic")[-1]) == same(meta["title"]), f"{url}: header title"
    if "summary" in meta:
        description = page.select_one('meta[name="description"]')
        assert description is not None and same(str(description["content"])) == same(meta["summary"]), \
            f"{url}: <meta name=description>"


def test_commitment_forms_carry_the_front_matter_text(hostile_site: HostileSite) -> None:
    """learning.js copies a lesson's action and title from the commit form's data attributes into what the reader
    keeps: they must be the front matter's text (escaped once, by the attribute), not markup."""
    lesson = front_matter("learn/forecast-basics.md")
    [form] = parse(hostile_site.site / "learn/forecast-basics/index.html").select("form[data-commit]")
    assert same(str(form["data-action"])) == same(lesson["action"])
    assert same(str(form["data-title"])) == same(lesson["title"])
    assert form["data-item"] == "urn:practica:lesson:forecast-basics"


def test_a_paths_action_plan_has_a_commitment_form(mini_site: Path) -> None:
    [plan] = parse(mini_site / "paths/first-week/index.html").select("form[data-commit]")
    assert plan["data-item"] == "urn:practica:path:first-week"
    assert str(plan["data-action"]) == "The action plan of " + str(plan["data-title"])
    assert plan.find_previous("ol", class_="pr-action-plan") is not None


def test_names_show_the_front_matter_text(hostile_site: HostileSite) -> None:
    ada = front_matter("people/ada.md")
    page = parse(hostile_site.site / "people/ada/index.html")
    assert visible(page.select_one("h1")) == same(ada["name"]), "people/ada/: <h1>"
    assert visible(page.title) == same(f"{ada['name']} - {SITE_NAME}"), "people/ada/: <title>"
    assert same(ada["role"]) in visible(page.select_one("article")), "people/ada/: role"
    assert same(ada["motto"]) in visible(page.select_one("article")), "people/ada/: motto"
    topic = front_matter("topics/data.md")
    page = parse(hostile_site.site / "topics/data/index.html")
    assert visible(page.select_one("article h1")) == same(topic["name"]), "topics/data/: <h1>"
    description = page.select_one('meta[name="description"]')
    assert description is not None and same(str(description["content"])) == same(topic["summary"])


def jsonld(site: Path, url: str) -> dict[str, Any]:
    script = parse(site / url / "index.html").select_one('script[type="application/ld+json"]')
    assert script is not None, f"{url}: no JSON-LD"
    data: dict[str, Any] = json.loads(script.string or "")
    return data


@pytest.mark.parametrize(("url", "rel"), HOSTILE_ITEMS)
def test_json_ld_carries_the_front_matter_text(hostile_site: HostileSite, url: str, rel: str) -> None:
    meta, data = front_matter(rel), jsonld(hostile_site.site, url)
    if data.get("@type") == "FAQPage":  # the question is the page's main entity
        data = data["mainEntity"][0]
    assert same(data.get("name")) == same(meta["title"]), f"{url}: JSON-LD name"
    if "summary" in meta:
        assert same(data.get("description")) == same(meta["summary"]), f"{url}: JSON-LD description"


def test_json_ld_of_people_carries_the_front_matter_text(hostile_site: HostileSite) -> None:
    ada, data = front_matter("people/ada.md"), jsonld(hostile_site.site, "people/ada/")
    assert (same(data.get("name")), same(data.get("jobTitle")), same(data.get("description"))) == (
        same(ada["name"]), same(ada["role"]), same(ada["motto"]))


def test_feed_json_carries_the_front_matter_text(hostile_site: HostileSite) -> None:
    feeds = sorted(hostile_site.site.rglob("feed.json"))
    assert feeds
    seen = set()
    for path in feeds:
        feed = json.loads(path.read_text(encoding="utf-8"))
        for item in feed["items"]:
            if item["id"] in FEED_IDS:
                meta = front_matter(FEED_IDS[item["id"]])
                seen.add(item["id"])
                assert same(item["title"]) == same(meta["title"]), f"{path.name} {item['id']}: title"
                if "summary" in meta:
                    assert same(item["summary"]) == same(meta["summary"]), f"{path.name} {item['id']}: summary"
    assert seen == set(FEED_IDS)
    site_feed = json.loads((hostile_site.site / "feed.json").read_text(encoding="utf-8"))
    names = {t["id"]: t["name"] for t in site_feed["_practica"]["topics"] + site_feed["_practica"]["people"]}
    assert same(names["data"]) == same(front_matter("topics/data.md")["name"])
    assert same(names["ada"]) == same(front_matter("people/ada.md")["name"])


def test_feed_xml_is_xml_with_the_front_matter_text(hostile_site: HostileSite) -> None:
    atom = "{http://www.w3.org/2005/Atom}"
    seen = set()
    for path in sorted(hostile_site.site.rglob("feed.xml")):
        root = ET.fromstring(path.read_bytes())
        for entry in root.iter(f"{atom}entry"):
            entry_id = entry.findtext(f"{atom}id")
            if entry_id in FEED_IDS:
                meta = front_matter(FEED_IDS[entry_id])
                seen.add(entry_id)
                assert same(entry.findtext(f"{atom}title")) == same(meta["title"]), f"{path.name} {entry_id}"
                if "summary" in meta:
                    assert same(entry.findtext(f"{atom}summary")) == same(meta["summary"]), f"{path.name} {entry_id}"
    assert seen == set(FEED_IDS)


def test_health_shows_reader_comments_as_text(hostile_site: HostileSite) -> None:
    article = parse(hostile_site.site / "health/index.html").select_one("article")
    assert article is not None
    text = visible(article)
    assert "onerror=alert(1)" in text
    missing = [c for c in HOSTILE_COMMENTS if same(c) not in text]
    assert missing == [], f"health/: comments not shown as their text: {missing}"
    made = [str(e)[:200] for e in article.select('img[src="x"], img[src="x.png"], a[href^="javascript"]')]
    made += [str(h)[:200] for h in article.find_all(re.compile("^h[1-6]$")) if "onerror" in h.get_text()]
    assert made == [], "health/: elements made from a reader's comment"


def fragments(site: Path) -> Iterator[tuple[str, dict[str, Any]]]:
    for path in sorted((site / "pagefind" / "fragment").glob("*.pf_fragment")):
        raw = gzip.decompress(path.read_bytes()).decode("utf-8")
        yield path.name, json.loads(raw.removeprefix("pagefind_dcd"))


RAW_TAG = re.compile(r"<\s*/?\s*(img|svg|script|iframe|object|details|input|a|style|base|meta|form)\b[^>]*>?", re.I)


def test_search_fragments_hold_no_markup(hostile_site: HostileSite) -> None:
    """Pagefind stores text: a tag shape in a fragment must be text the page shows (a hostile title), never
    markup that slipped through."""
    found = []
    for name, fragment in fragments(hostile_site.site):
        page = parse(hostile_site.site / fragment["url"].strip("/") / "index.html")
        shown = visible(page.select_one("[data-pagefind-body]") or page.select_one("article"))
        for field, value in [("content", fragment.get("content", "")), ("title", fragment["meta"].get("title"))]:
            for match in RAW_TAG.finditer(same(value)):
                if match.group(0) not in shown:
                    found.append(f"pagefind/fragment/{name} ({fragment['url']}): {field}: {match.group(0)!r}")
    assert found == []


def test_nothing_is_escaped_twice(hostile_site: HostileSite, all_elements: list[tuple[Path, Tag]]) -> None:
    """No payload contains an entity, so a parsed text or attribute showing one was escaped twice."""
    entity = re.compile(r"&(lt|gt|amp|quot|#\d+|#x[0-9a-f]+);", re.I)
    found = []
    for path, e in all_elements:
        if e.name in ("script", "style"):
            continue
        texts = [("text", str(t)) for t in e.find_all(string=True, recursive=False)]
        texts += [(name, str(v)) for name, v in e.attrs.items() if isinstance(v, str)]
        found += [f"{describe(hostile_site.site, path, e)}: {where} {value[:100]!r}"
                  for where, value in texts if entity.search(value) and "hostile-body" not in path.as_posix()]
    assert found == []


def payload_lines(rel: str, text: str) -> range:
    """The 1-based lines a payload spans in its file."""
    source = (HOSTILE / rel).read_text(encoding="utf-8")
    start = source.index(text)
    first = source.count("\n", 0, start) + 1
    return range(first, first + text.count("\n") + 1)


@pytest.fixture
def validation(hostile_site: HostileSite, cli: Callable[..., CliResult]) -> list[dict[str, Any]]:
    """`practica validate --format json` over the hostile community (in-process)."""
    result = cli("validate", "--config-file", hostile_site.config, "--format", "json")
    assert result.code == 1, result.err
    problems: list[dict[str, Any]] = json.loads(result.out)
    return problems


def relative(problem: dict[str, Any], hostile_site: HostileSite) -> str:
    """A problem's file relative to the content folder, however validate names it."""
    path = Path(problem["file"])
    return path.relative_to(hostile_site.content).as_posix() if path.is_absolute() else \
        path.as_posix().split("content/", 1)[-1]


@pytest.mark.parametrize(("rel", "text"), BODY_PAYLOADS, ids=[f"{r}:{t[:40]}" for r, t in BODY_PAYLOADS])
def test_validate_reports_every_body_payload_at_its_line(hostile_site: HostileSite, validation: list[dict[str, Any]],
                                                         rel: str, text: str) -> None:
    lines = payload_lines(rel, text)
    reported = [p for p in validation if relative(p, hostile_site) == rel and p["line"] in lines
                and p["severity"] == "error" and p["code"] not in NOT_ABOUT_SCRIPTS]
    in_file = [(p["line"], p["code"], p["message"]) for p in validation if relative(p, hostile_site) == rel]
    assert reported, f"{rel}:{lines.start}-{lines.stop - 1}: no error reported for {text!r}; {rel} has {in_file}"


def test_validate_does_not_flag_front_matter_text(hostile_site: HostileSite, validation: list[dict[str, Any]],
                                                 cli: Callable[..., CliResult]) -> None:
    """Text is text: hostile-looking titles, names and summaries are escaped when shown, not refused (problems
    the clean mini community also has, e.g. a review falling due, are not about the payloads)."""
    clean = json.loads(cli("validate", "--config-file", hostile_site.config, "--content", MINI, "--format",
                           "json").out or "[]")
    known = {(Path(p["file"]).name, p["code"], p["field"]) for p in clean}
    found = []
    for p in validation:
        rel = relative(p, hostile_site)
        source = (HOSTILE / rel).read_text(encoding="utf-8") if (HOSTILE / rel).is_file() else ""
        front_lines = source.split("\n---\n", 1)[0].count("\n") + 2 if rel.endswith(".md") else 10**9
        in_front = p["line"] is None or p["line"] <= front_lines or p["field"] is not None
        if in_front and (Path(rel).name, p["code"], p["field"]) not in known:
            found.append(f"{rel}:{p['line']} [{p['field']}] {p['code']}: {p['message']}")
    assert found == []
