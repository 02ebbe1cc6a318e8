"""The one module that touches MkDocs: it feeds Practica's pages and assets into an MkDocs build.

MkDocs' `docs_dir` is the content folder. Every contributed `.md` file there is replaced by the page
Practica builds for it (items keep their path, so contributors' relative links between files resolve);
other files (videos, captions, images) are published at the same path; original profile photos are
replaced by small resized copies. Per-build state lives on the config object, created in `on_config`,
because MkDocs loads hook files once and `mkdocs serve` reuses them across builds.
"""

from __future__ import annotations

import functools
import json
import logging
import os
import posixpath
import re
import zlib
from dataclasses import dataclass, field
from pathlib import Path

import markdown
from jinja2 import Environment
from markupsafe import Markup, escape
from mkdocs.commands.build import build as mkdocs_build
from mkdocs.config import load_config
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import ConfigurationError, MkDocsException, PluginError
from mkdocs.structure.files import File, Files
from mkdocs.structure.nav import Navigation
from mkdocs.structure.pages import (
    Page,
    _ExtractAnchorsTreeprocessor,
    _ExtractTitleTreeprocessor,
    _RawHTMLPreprocessor,
    _RelativePathTreeprocessor,
)
from mkdocs.structure.toc import get_toc
from mkdocs.utils.templates import TemplateContext

from .. import csp, languages, outputs, pwa, sanitize, search, urls
from ..community import Community
from ..content.files import HIDDEN, Policy
from ..content.load import file_policy, load_community
from ..content.problems import errors, format_text
from ..errors import BuildError, ConfigError
from ..health import conversations_for, feedback_for, learning_for
from ..images import image_size, photos
from ..kinds import KINDS
from ..outputs import Output
from ..pages import GeneratedPage, Site, icons
from ..pages.html import point_images, set_language, size_images
from ..pages.render import restore
from ..settings import Settings, settings_from

log = logging.getLogger("mkdocs.plugins.practica")
PRELOADED = "practica_preloaded"
_THEME_TEXT = ("title", "description")
_STATE = "practica_state"
_THEME_SCRIPTS = "practica_theme_scripts"
NAV = [("Home", urls.HOME), *((kind.title, urls.index(kind.name)) for kind in KINDS.values()), ("What's new", urls.NEW)]
# The search filter's name for each kind of page (pwa/overrides/main.html); skills have pages but are no content kind.
SEARCH_KINDS: dict[str, str] = {**{kind.name: kind.label for kind in KINDS.values()}, "skill": "Skill"}


@dataclass
class BuildState:
    config: MkDocsConfig
    settings: Settings
    community: Community
    site: Site
    pages: dict[str, GeneratedPage] = field(default_factory=dict)
    outputs: dict[str, Output] = field(default_factory=dict)
    keep: bool = False  # for an incremental preview: keep each output's digest and MkDocs' structures
    digests: dict[str, str] = field(default_factory=dict)
    files: Files | None = None
    nav: Navigation | None = None
    env: Environment | None = None
    markdown: markdown.Markdown | None = None  # one instance for every generated page (`_render_shared`)
    packed: dict[str, bytes] = field(default_factory=dict)  # each page's Markdown and blocks, compressed (`_pack`)
    held: dict[str, bytes] = field(default_factory=dict)  # each page's HTML, compressed, until its template (`_hold`)


def load_site_config(config_file: Path, settings: Settings, strict: bool = False) -> MkDocsConfig:
    """mkdocs.yml read by MkDocs, with the content folder as its docs_dir; a ConfigError when MkDocs refuses it."""
    try:
        return load_config(str(config_file), docs_dir=str(settings.content_dir), strict=strict)
    except ConfigurationError as exc:
        raise ConfigError(f"{config_file}: {exc}") from None


def run_build(config: MkDocsConfig, settings: Settings, community: Community, site_dir: Path,
              keep: bool = False) -> BuildState | None:
    """Build an already validated community into `site_dir` with MkDocs and Material; a BuildError (the
    MkDocs or OS error as its cause) when MkDocs fails. With `keep`, the build's state, holding what an
    incremental preview needs (adapters/preview.py)."""
    config.site_dir = str(site_dir)
    preload(config, settings, community, keep)
    try:
        mkdocs_build(config)
    except (MkDocsException, OSError) as exc:
        raise BuildError(str(exc)) from exc
    return _state(config) if keep else None


def preload(config: MkDocsConfig, settings: Settings, community: Community, keep: bool = False) -> None:
    """Hand an already validated community to the build, so it is not loaded twice."""
    setattr(config, PRELOADED, (settings, community, keep))


def settings_of(config: MkDocsConfig) -> Settings:
    root = Path(config.config_file_path or ".").resolve().parent
    return settings_from(root, config, Path(config.config_file_path or "mkdocs.yml").name)


def on_config(config: MkDocsConfig) -> MkDocsConfig:
    settings, community, keep = getattr(config, PRELOADED, None) or (*_load(config), False)
    if not config.use_directory_urls:
        raise PluginError("Practica needs use_directory_urls: true (its URLs are /people/<id>/ and so on)")
    if icons.CSS_FILE not in config.extra_css:
        config.extra_css.append(icons.CSS_FILE)
    if not config.nav:
        config.nav = [{title: urls.source_uri(url)} for title, url in NAV]
    site = Site(community, photos(community), _topic_icons(config, community), feedback_for(settings),
                conversations_for(settings), learning_for(settings))
    state = BuildState(config, settings, community, site, keep=keep)
    for output in outputs.render(site, settings):
        state.outputs[output.path] = output
        if keep:
            state.digests[output.path] = output.digest
        if output.page is not None:
            state.pages[output.path] = output.page
            _pack(state, output.path, output.page)
    setattr(config, _STATE, state)
    return config


def _pack(state: BuildState, path: str, page: GeneratedPage) -> None:
    """Keep a generated page's Markdown and HTML blocks compressed until MkDocs reads the page (`on_pre_page`).

    The render phase makes every page before MkDocs reads any: at 10,000 items their Markdown and blocks were
    ≈ 260 MB of the build process's peak as Python strings (most of them two bytes a character), a few tens of
    MB compressed. `Output.digest` has read them already."""
    state.packed[path] = zlib.compress(json.dumps([page.markdown, page.blocks]).encode("utf-8"), 1)
    page.markdown, page.blocks = "", {}


def _unpack(state: BuildState, page: Page) -> None:
    """A packed page's Markdown into its File, for MkDocs to read next, and its blocks back for `restore`."""
    packed = state.packed.pop(page.file.src_uri, None)
    if packed is not None:
        page.file.content_string, state.pages[page.file.src_uri].blocks = json.loads(zlib.decompress(packed))


def _load(config: MkDocsConfig) -> tuple[Settings, Community]:
    settings = settings_of(config)
    community = load_community(settings)
    if errors(community.problems):
        raise PluginError("Practica: the content has errors; nothing was built.\n" + format_text(community.problems))
    for problem in community.problems:
        log.warning("%s: %s (fix: %s)", problem.where, problem.message, problem.hint)
    return settings, community


def _state(config: MkDocsConfig) -> BuildState:
    state: BuildState = getattr(config, _STATE)
    return state


def on_files(files: Files, config: MkDocsConfig) -> Files:
    state = _state(config)
    photo_sources = {p.source for p in state.site.photos.values()}
    policy = file_policy(state.settings)
    for file in list(files):
        if _replaced(file, photo_sources, policy):
            files.remove(file)
    for output in state.outputs.values():
        if output.page is not None:  # its Markdown comes from `_unpack` when MkDocs reads the page
            files.append(File.generated(config, output.path, content=output.page.markdown))
        elif output.text is not None:
            files.append(File.generated(config, output.path, content=output.text))
            output.text = None
        elif output.file is not None:
            files.append(File.generated(config, output.path, abs_src_path=str(output.file)))
    if state.keep:
        state.files = files
    return files


def on_nav(nav: Navigation, config: MkDocsConfig, files: Files) -> Navigation:
    state = _state(config)
    if state.keep:
        state.nav = nav
    return nav


def _replaced(file: File, photo_sources: set[Path], policy: Policy) -> bool:
    """Contributed Markdown, the taxonomy/curation files and original photos are not published as they are;
    nor is any file the content-file policy refuses (validation reports those; this holds if it did not)."""
    if file.generated_by or file.abs_src_path is None:
        return False
    if file.src_uri.endswith(".md"):
        return True
    if "/" not in file.src_uri and file.src_uri.endswith((".yml", ".yaml")):
        return True
    if os.path.realpath(file.src_dir or "") != str(policy.root):
        return False  # the theme's own files
    refused = policy.refusal(file.src_uri)
    if refused is not None and refused is not HIDDEN:
        log.warning("%s: not published: %s (fix: %s)", file.src_uri, refused.message, refused.hint)
    return refused is not None or Path(file.abs_src_path).resolve() in photo_sources


def on_pre_page(page: Page, config: MkDocsConfig, files: Files) -> Page:
    """Practica's pages: their Markdown and blocks unpacked (`_pack`), rendered with one Markdown instance for the
    whole build (see `_render_shared`)."""
    state = _state(config)
    if page.file.src_uri in state.pages:
        _unpack(state, page)
        page.render = functools.partial(_render_shared, page)  # type: ignore[method-assign]
    return page


def _render_shared(page: Page, config: MkDocsConfig, files: Files) -> None:
    """`Page.render` (MkDocs 1.6) with one Markdown instance per build instead of one per page.

    Setting up Python-Markdown with mkdocs.yml's extensions costs about as much as converting a generated
    page's skeleton (placeholders, a few headings and the contributor's body): cProfile of a 1,000-item build
    put a third of the Markdown phase in `Markdown.__init__`. `reset()` clears what one conversion leaves
    (stash, references, footnotes, the TOC); MkDocs' per-page processors (raw-HTML anchors, anchors, relative
    links, the title) are registered afresh for each page under their names, replacing the last page's.
    """
    state = _state(config)
    md = state.markdown
    if md is None:
        md = state.markdown = markdown.Markdown(extensions=config["markdown_extensions"],
                                                extension_configs=config["mdx_configs"] or {})
    md.reset()
    raw_html = _RawHTMLPreprocessor()
    raw_html._register(md)
    anchors = _ExtractAnchorsTreeprocessor(page.file, files, config)
    anchors._register(md)
    relative = _RelativePathTreeprocessor(page.file, files, config)
    relative._register(md)
    title = _ExtractTitleTreeprocessor()
    title._register(md)
    page.content = md.convert(page.markdown or "")
    page.toc = get_toc(getattr(md, "toc_tokens", []))
    page._title_from_render = title.title
    page.present_anchor_ids = anchors.present_anchor_ids | raw_html.present_anchor_ids
    if logging.getLogger("mkdocs.structure.pages").getEffectiveLevel() > logging.DEBUG:
        page.links_to_anchors = relative.links_to_anchors


def on_page_markdown(markdown: str, page: Page, config: MkDocsConfig, files: Files) -> str:
    state = _state(config)
    generated = state.pages.get(page.file.src_uri)
    if generated is not None:
        page.meta.update(generated.meta)
        # Material writes these into <title>, <meta name="description"> and its header without escaping them
        # (MkDocs' theme environment does not autoescape): escape them here, once. Markup, so that a template
        # that does escape (`| e`) leaves them as they are.
        for key in _THEME_TEXT:
            if isinstance(page.meta.get(key), str):
                page.meta[key] = escape(page.meta[key])
        page.edit_url = state.settings.edit_url(generated.source) if generated.source else None
    return markdown


def on_page_content(html: str, page: Page, config: MkDocsConfig, files: Files) -> str:
    """Clean what Markdown made of contributed text, point its images at the site's files, put back the page's
    own HTML blocks, and give contributed images their width and height (so the page does not jump as they load)."""
    state = _state(config)
    media = state.community.media
    html = sanitize.clean(html)
    srcs: list[str] = []

    def published(path: str) -> bool:
        return not path.startswith("..") and files.get_file_from_path(path) is not None

    def new_src(src: str) -> str | None:
        """A downloaded image's copy; a raw-HTML <img> written relative to its Markdown file (MkDocs rewrites
        only Markdown's own images to the page's directory URL)."""
        srcs.append(src)
        here = posixpath.dirname(page.file.dest_uri) or "."
        copy = media.site_path(src) if media else None
        if copy is not None:
            return posixpath.relpath(copy, here)
        if "://" in src or src.startswith(("/", "data:", "#")) or any(c in src for c in "?#"):
            return None
        if published(posixpath.normpath(posixpath.join(here, src))):
            return None
        written = posixpath.normpath(posixpath.join(posixpath.dirname(page.file.src_uri), src))
        return posixpath.relpath(written, here) if published(written) else None

    html = point_images(html, new_src)
    if media and (hosts := media.embedded_hosts(srcs)):
        html += (f'\n<p class="pr-media-note">Some images on this page are loaded from '
                 f'{escape(", ".join(hosts))}.</p>\n')
    generated = state.pages.get(page.file.src_uri)
    if generated is not None:
        html = restore(html, generated.blocks)
        generated.blocks = {}  # the page's HTML is not kept once it is in MkDocs' hands
    def size_of(src: str) -> tuple[int, int] | None:
        if "://" in src or src.startswith(("/", "data:")):
            return None
        target = posixpath.normpath(posixpath.join(posixpath.dirname(page.file.dest_uri), src))
        file = files.get_file_from_path(target) if not target.startswith("..") else None
        return image_size(Path(file.abs_src_path)) if file and file.abs_src_path else None
    _release_markdown(page)
    return _hold(state, page, size_images(html, size_of))


def _release_markdown(page: Page) -> None:
    """Let the page's Markdown go once it is HTML: MkDocs would keep it (on the page, and for a generated page in
    its File) until the end of the build, though nothing reads it again; a preview hands the File a page's new
    Markdown before it renders the page again (adapters/preview.py)."""
    page.markdown = None
    if page.file.abs_src_path is None:  # generated: the File holds the text itself
        page.file.content_string = ""


def _hold(state: BuildState, page: Page, html: str) -> str:
    """Keep the page's HTML compressed until its template renders it (`on_page_context`); MkDocs holds the empty
    string meanwhile.

    MkDocs converts every page's Markdown before it writes any, so each page's HTML waits in memory for all the
    others: at 10,000 items 180 million characters, 350 MB as Python strings (two bytes a character: nearly
    every page has one past U+00FF, such as "…"). That was most of the build process's peak (bench/BENCHMARKS.md,
    "Search in parts"). Compressed (zlib level 1, ≈ 0.1 ms a page each way) it is a few tens of MB."""
    state.held[page.file.src_uri] = zlib.compress(html.encode("utf-8"), 1)
    return ""


def on_page_context(context: TemplateContext, page: Page, config: MkDocsConfig, nav: Navigation) -> TemplateContext:
    """The page's HTML back, just before its template renders it (see `_hold`)."""
    held = _state(config).held.pop(page.file.src_uri, None)
    if held is not None:
        page.content = zlib.decompress(held).decode("utf-8")
    return context


def on_post_build(config: MkDocsConfig) -> None:
    on_post_build_at(config, Path(config.site_dir))


def on_post_build_at(config: MkDocsConfig, site_dir: Path) -> None:
    settings = _state(config).settings
    search.index(site_dir, settings.language, settings.practica.search_part_pages)
    shell = pwa.write_service_worker(site_dir, _pwa_dir(config) / "sw.js", settings.practica.push_url)
    log.info("Service worker %s precaches %d files (%d bytes)", shell.version, len(shell.entries), shell.total_bytes)


def on_post_page(output: str, page: Page, config: MkDocsConfig) -> str:
    """Every page gets a Content-Security-Policy meta (with hashes of the theme's inline scripts in it); a page
    in another language than the site's says so (html lang and dir). MkDocs writes the page next and has no
    further use of its HTML: it is let go (its Markdown went once rendered, `_release_markdown`)."""
    page.content = None
    lang = page.meta.get("lang")
    if lang:
        site = _state(config).settings.language
        output = set_language(output, lang, languages.direction(lang), site, languages.direction(site))
    return _secure(output, page.file.dest_uri, config)


def on_post_template(output: str, template_name: str, config: MkDocsConfig) -> str:
    """Theme pages written without on_post_page (404.html) get one too; sitemap.xml and the like do not."""
    return _secure(output, template_name, config) if template_name.endswith(".html") else output


def _secure(html: str, where: str, config: MkDocsConfig) -> str:
    secured = csp.secure(html, _state(config).settings, _theme_scripts(config))
    for script in secured.refused:
        log.warning("%s: an inline script the theme does not write is blocked by the page's "
                    "Content-Security-Policy: %.80s", where, script)
    for url in secured.blocked_frames:
        log.warning("%s: the video player %s is not one the Content-Security-Policy allows (frame-src); "
                    "readers can only follow the link to it", where, url)
    return secured.html


def _theme_scripts(config: MkDocsConfig) -> tuple[re.Pattern[str], ...]:
    """The inline scripts the theme's templates write, read once per build (an edited override counts)."""
    patterns: tuple[re.Pattern[str], ...] | None = getattr(config, _THEME_SCRIPTS, None)
    if patterns is None:
        templates = (path.read_text(encoding="utf-8") for folder in config.theme.dirs
                     for path in sorted(Path(folder).rglob("*.html")))
        patterns = csp.theme_scripts(templates)
        setattr(config, _THEME_SCRIPTS, patterns)
    return patterns


def _pwa_dir(config: MkDocsConfig) -> Path:
    """pwa/ holds the theme overrides (theme.custom_dir) and, beside them, the service worker template."""
    custom = config.theme.custom_dir
    if not custom:
        raise PluginError("Practica needs theme.custom_dir: pwa/overrides (its templates, scripts and styles)")
    return Path(custom).parent


def on_env(env: Environment, config: MkDocsConfig, files: Files) -> Environment:
    settings = _state(config).settings
    env.globals["practica"] = {"theme_color": settings.theme_color, "push_url": settings.practica.push_url,
                               "short_name": settings.practica.short_name or settings.site_name[:12],
                               "kinds": SEARCH_KINDS}
    if _state(config).keep:
        _state(config).env = env
    return env


def _topic_icons(config: MkDocsConfig, community: Community) -> dict[str, Markup]:
    """Topic icons (`material/chart-line`) read from the theme's icon set, inlined as SVG."""
    out = {}
    for topic in community.topics.values():
        name = topic.meta.icon
        if not name:
            continue
        for folder in config.theme.dirs:
            # The model allows names only; resolving and staying inside the icon set holds even if it did not.
            icon_set = os.path.realpath(os.path.join(folder, ".icons"))
            path = os.path.realpath(os.path.join(icon_set, name + ".svg"))
            if path.startswith(icon_set + os.sep) and os.path.isfile(path):
                svg = Path(path).read_text(encoding="utf-8")
                out[topic.id] = Markup(svg.replace("<svg ", '<svg aria-hidden="true" focusable="false" ', 1))
                break
        else:
            log.warning("%s: icon '%s' is not in the theme's icon set", topic.rel, name)
    return out
