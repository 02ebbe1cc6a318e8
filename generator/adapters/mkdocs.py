"""The one module that touches MkDocs: it feeds Practica's pages and assets into an MkDocs build.

MkDocs' `docs_dir` is the content folder. Every contributed `.md` file there is replaced by the page
Practica builds for it (items keep their path, so contributors' relative links between files resolve);
other files (videos, captions, images) are published at the same path; original profile photos are
replaced by small resized copies. Per-build state lives on the config object, created in `on_config`,
because MkDocs loads hook files once and `mkdocs serve` reuses them across builds.
"""

from __future__ import annotations

import logging
import os
import posixpath
import re
from dataclasses import dataclass, field
from pathlib import Path

from jinja2 import Environment
from markupsafe import Markup, escape
from mkdocs.commands.build import build as mkdocs_build
from mkdocs.config import load_config
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import ConfigurationError, MkDocsException, PluginError
from mkdocs.structure.files import File, Files
from mkdocs.structure.pages import Page

from .. import csp, expertise, feeds, languages, pwa, sanitize, search, urls
from ..community import Community
from ..content.files import HIDDEN, Policy
from ..content.load import file_policy, load_community
from ..content.problems import errors, format_text
from ..errors import BuildError, ConfigError
from ..health import conversations_for, feedback_for
from ..images import PHOTO_WIDTHS, image_size, photos, square_webp
from ..kinds import KINDS
from ..pages import GeneratedPage, Site, build_pages, icons
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
    settings: Settings
    community: Community
    site: Site
    pages: dict[str, GeneratedPage] = field(default_factory=dict)
    assets: dict[str, Path] = field(default_factory=dict)


def load_site_config(config_file: Path, settings: Settings, strict: bool = False) -> MkDocsConfig:
    """mkdocs.yml read by MkDocs, with the content folder as its docs_dir; a ConfigError when MkDocs refuses it."""
    try:
        return load_config(str(config_file), docs_dir=str(settings.content_dir), strict=strict)
    except ConfigurationError as exc:
        raise ConfigError(f"{config_file}: {exc}") from None


def run_build(config: MkDocsConfig, settings: Settings, community: Community, site_dir: Path) -> None:
    """Build an already validated community into `site_dir` with MkDocs and Material; a BuildError (the
    MkDocs or OS error as its cause) when MkDocs fails."""
    config.site_dir = str(site_dir)
    preload(config, settings, community)
    try:
        mkdocs_build(config)
    except (MkDocsException, OSError) as exc:
        raise BuildError(str(exc)) from exc


def preload(config: MkDocsConfig, settings: Settings, community: Community) -> None:
    """Hand an already validated community to the build, so it is not loaded twice."""
    setattr(config, PRELOADED, (settings, community))


def settings_of(config: MkDocsConfig) -> Settings:
    root = Path(config.config_file_path or ".").resolve().parent
    return settings_from(root, config, Path(config.config_file_path or "mkdocs.yml").name)


def on_config(config: MkDocsConfig) -> MkDocsConfig:
    settings, community = getattr(config, PRELOADED, None) or _load(config)
    if not config.use_directory_urls:
        raise PluginError("Practica needs use_directory_urls: true (its URLs are /people/<id>/ and so on)")
    if icons.CSS_FILE not in config.extra_css:
        config.extra_css.append(icons.CSS_FILE)
    if not config.nav:
        config.nav = [{title: urls.source_uri(url)} for title, url in NAV]
    site = Site(community, photos(community), _topic_icons(config, community), feedback_for(settings),
                conversations_for(settings))
    state = BuildState(settings, community, site)
    state.pages = {page.src_uri: page for page in build_pages(site)}
    cache = settings.cache_dir
    for photo in site.photos.values():
        for width in PHOTO_WIDTHS:
            state.assets[photo.url(width)] = square_webp(photo.source, width, cache / "photos", photo.digest)
    state.assets.update(pwa.icon_files(settings, cache / "icons"))
    setattr(config, _STATE, state)
    return config


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
    for page in state.pages.values():
        files.append(File.generated(config, page.src_uri, content=page.markdown))
        for companion, text in page.files.items():
            files.append(File.generated(config, companion, content=text))
    for src_uri, path in state.assets.items():
        files.append(File.generated(config, src_uri, abs_src_path=str(path)))
    if state.community.media is not None:
        for src_uri, path in state.community.media.published().items():
            files.append(File.generated(config, src_uri, abs_src_path=str(path)))
    for src_uri, content in feeds.files(state.community, state.site).items():
        files.append(File.generated(config, src_uri, content=content))
    for src_uri, content in expertise.files(state.community).items():
        files.append(File.generated(config, src_uri, content=content))
    files.append(File.generated(config, urls.MANIFEST, content=pwa.manifest(state.settings)))
    files.append(File.generated(config, icons.CSS_FILE, content=icons.stylesheet()))
    return files


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

    def size_of(src: str) -> tuple[int, int] | None:
        if "://" in src or src.startswith(("/", "data:")):
            return None
        target = posixpath.normpath(posixpath.join(posixpath.dirname(page.file.dest_uri), src))
        file = files.get_file_from_path(target) if not target.startswith("..") else None
        return image_size(Path(file.abs_src_path)) if file and file.abs_src_path else None
    return size_images(html, size_of)


def on_post_build(config: MkDocsConfig) -> None:
    search.index(Path(config.site_dir), _state(config).settings.language)
    shell = pwa.write_service_worker(Path(config.site_dir), _pwa_dir(config) / "sw.js",
                                     _state(config).settings.practica.push_url)
    log.info("Service worker %s precaches %d files (%d bytes)", shell.version, len(shell.entries), shell.total_bytes)


def on_post_page(output: str, page: Page, config: MkDocsConfig) -> str:
    """Every page gets a Content-Security-Policy meta (with hashes of the theme's inline scripts in it); a page
    in another language than the site's says so (html lang and dir)."""
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

