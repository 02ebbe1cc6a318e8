"""Practica's settings: the site part of `mkdocs.yml` plus `extra.practica`, read without MkDocs."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Mapping
from functools import cached_property
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from . import languages
from .errors import ConfigError
from .media import MediaPolicy
from .search import PART_PAGES

CACHE_DIR = ".cache/practica"  # under the site's root: resized photos and icons, downloaded media


class MediaConfig(BaseModel):
    """`extra.practica.media`: hosts whose images contributed pages may show (generator/media.py)."""

    model_config = ConfigDict(extra="forbid")

    download: list[str] = Field([], description="Hosts (or exact origins) whose images are downloaded at build "
                                                "time and served from the site.")
    embed: list[str] = Field([], description="Hosts whose images pages load from them (the page says so).")
    max_bytes: int = Field(5_000_000, ge=1, description="Largest image downloaded, in bytes.")

    @model_validator(mode="after")
    def _entries(self) -> MediaConfig:
        self.policy()  # a ValueError names the entry that is wrong
        return self

    def policy(self) -> MediaPolicy:
        return MediaPolicy.from_lists(self.download, self.embed, self.max_bytes)


class PracticaConfig(BaseModel):
    """Everything under `extra.practica` in mkdocs.yml. Each field is documented in the README."""

    model_config = ConfigDict(extra="forbid")

    microlearning_minutes: int = Field(10, ge=1, description="Lessons longer than this are flagged.")
    review_every: str = Field("1 year", description="Re-check interval when a review or verification has none.")
    words_per_minute: int = Field(200, ge=50, description="Reading speed used for reading times.")
    push_url: str | None = Field(None, description="Base URL of the push service API, e.g. https://push.example.org/api/v1.")
    icon: str | None = Field(None, description="Square source image for the app icons (PNG, ≥ 512 px).")
    short_name: str | None = Field(None, description="App name under the icon on a phone (≤ 12 characters).")
    featured: str = Field("featured.yml", description="Curated file of featured items, in the content folder.")
    feedback_file: str | None = Field(None, description="Feedback export (JSON) shown on /health/ and in reports.")
    conversations_file: str | None = Field(None, description="Conversations export (JSON: unanswered questions) "
                                                             "shown on /health/ and in reports.")
    learning_file: str | None = Field(None, description="Learning-records export (JSON: `practica push "
                                                        "export-learning`) shown on /health/ and in reports.")
    search_part_pages: int = Field(PART_PAGES, ge=1, description="Most pages one search indexing run holds; a site "
                                   "with more is indexed in parts (bounds the build's peak memory).")
    media: MediaConfig = MediaConfig()


class Settings(BaseModel):
    """The settings one build or validation runs with."""

    model_config = ConfigDict(frozen=True)

    root: Path
    docs_dir: str = "docs"
    site_name: str = "Practica"
    site_url: str = "http://127.0.0.1:8000/"
    site_description: str = ""
    repo_url: str | None = None
    edit_uri: str | None = None
    theme_color: str = "#3f51b5"
    language: str = "en"  # theme.language, Material's own setting: the site's language (items may say their own)
    markdown_extensions: list[Any] = Field(default_factory=list)  # as in mkdocs.yml: names, or {name: config}
    practica: PracticaConfig = PracticaConfig()
    today: dt.date = Field(default_factory=dt.date.today)

    @cached_property
    def content_dir(self) -> Path:
        """The community's Markdown: MkDocs' `docs_dir` (contributed .md files are replaced by built pages)."""
        return (self.root / self.docs_dir).resolve()

    @property
    def cache_dir(self) -> Path:
        return self.root / CACHE_DIR

    @property
    def base_path(self) -> str:
        """URL path the site is served under: `/` or e.g. `/cop/`."""
        path = urlsplit(self.site_url).path or "/"
        return path if path.endswith("/") else path + "/"

    def edit_url(self, content_rel: str) -> str | None:
        """Link to edit a content file in the repository, or None without `repo_url`."""
        if not self.repo_url or not self.content_dir.is_relative_to(self.root):
            return None
        edit = self.edit_uri if self.edit_uri is not None else "edit/main/"
        base = self.repo_url.rstrip("/") + "/" + edit.strip("/") + "/"
        return base + os.path.relpath(self.content_dir, self.root).replace(os.sep, "/") + "/" + content_rel


class _TolerantLoader(yaml.SafeLoader):
    """Reads mkdocs.yml, whose `!!python/name:` and `!ENV` tags only MkDocs itself resolves."""


def _unknown_tag(loader: yaml.SafeLoader, suffix: str, node: yaml.Node) -> Any:
    if isinstance(node, yaml.ScalarNode):
        return loader.construct_scalar(node)
    if isinstance(node, yaml.SequenceNode):
        return loader.construct_sequence(node)
    return None


_TolerantLoader.add_multi_constructor("", _unknown_tag)


def load_settings(config_file: Path | str = "mkdocs.yml", *, content_dir: Path | None = None,
                  **overrides: Any) -> Settings:
    """Settings from a mkdocs.yml (a missing file gives the defaults, rooted at its folder)."""
    path = Path(config_file).resolve()
    raw: dict[str, Any] = {}
    if path.exists():
        try:
            raw = yaml.load(path.read_text(encoding="utf-8"), Loader=_TolerantLoader) or {}
        except yaml.YAMLError as exc:
            raise ConfigError(f"{path.name}: not valid YAML: {exc}") from None
    if content_dir is not None:
        overrides["docs_dir"] = str(Path(content_dir).resolve())
    return settings_from(path.parent, raw, path.name, **overrides)


def settings_from(root: Path, raw: Mapping[str, Any], source: str = "mkdocs.yml", **overrides: Any) -> Settings:
    """Settings from a mapping shaped like mkdocs.yml (the file as read, or MkDocs' own config)."""
    extra = raw.get("extra") or {}
    values: dict[str, Any] = {"root": root, "practica": dict(extra.get("practica") or {})}
    for key in ("docs_dir", "site_name", "site_url", "site_description", "repo_url", "edit_uri"):
        if raw.get(key):
            values[key] = str(raw[key])
    if isinstance(raw.get("markdown_extensions"), list):
        values["markdown_extensions"] = raw["markdown_extensions"]
    color = _theme_color(raw.get("theme") or {})
    language = (raw.get("theme") or {}).get("language")
    if language:
        wrong = languages.problem(str(language))
        if wrong:
            raise ConfigError(f"{source}: setting 'theme.language': {wrong} (use a language tag such as en, "
                              "ar or pt-BR)")
        values["language"] = languages.normal(str(language))
    if color:
        values["theme_color"] = color
    values.update(overrides)
    try:
        return Settings(**values)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise ConfigError(f"{source}: setting '{where}': {first['msg']}") from None


_MATERIAL_PRIMARY = {
    "red": "#ef5350", "pink": "#e91e63", "purple": "#ab47bc", "deep-purple": "#7e56c2", "indigo": "#4051b5",
    "blue": "#2094f3", "light-blue": "#02a6f2", "cyan": "#00bdd6", "teal": "#009485", "green": "#4cae4f",
    "light-green": "#8bc34b", "lime": "#cbdc38", "yellow": "#ffec3d", "amber": "#ffc105", "orange": "#ffa724",
    "deep-orange": "#ff6e42", "brown": "#795649", "grey": "#757575", "blue-grey": "#546d78",
    "black": "#000000", "white": "#ffffff",
}


def _theme_color(theme: Mapping[str, Any]) -> str | None:
    palette = theme.get("palette") if hasattr(theme, "get") else None
    first = palette[0] if isinstance(palette, list) and palette else palette
    if not isinstance(first, dict):
        return None
    return _MATERIAL_PRIMARY.get(str(first.get("primary", "")).lower().replace(" ", "-"))
