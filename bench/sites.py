"""The baseline site: the same community as ordinary Markdown pages for a plain mkdocs-material build.

Every item becomes `<folder>/<id>.md` with its title, summary and contributed body; people and topics the
same; each section gets an index page linking every page in it (so items are reachable, as in Practica);
the nav lists the sections only. The config is the repository's `mkdocs.yml` minus what is Practica's
(the hook, `theme.custom_dir`, the PWA logo/favicon, extra CSS/JS and `extra.practica`); theme options and
Markdown extensions stay as they are. The repository turns MkDocs' search plugin off (Practica indexes with
Pagefind); the baseline turns it back on, so both sites are searchable, as a plain Material site is.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

SECTIONS = {"people": "People", "topics": "Communities", "learn": "Lessons", "videos": "Videos", "faq": "FAQ",
            "paths": "Learning paths"}
PRACTICA_THEME_KEYS = ("custom_dir", "favicon", "logo")
PRACTICA_KEYS = ("hooks", "extra_css", "extra_javascript")


@dataclass
class Tagged:
    """A YAML value with a tag only MkDocs resolves (`!!python/name:`, `!ENV`), kept as written."""

    tag: str
    value: Any


class _Loader(yaml.SafeLoader):
    pass


class _Dumper(yaml.SafeDumper):
    pass


def _tagged(loader: yaml.SafeLoader, suffix: str, node: yaml.Node) -> Tagged:
    if isinstance(node, yaml.ScalarNode):
        return Tagged(node.tag, loader.construct_scalar(node))
    if isinstance(node, yaml.SequenceNode):
        return Tagged(node.tag, loader.construct_sequence(node, deep=True))
    assert isinstance(node, yaml.MappingNode), node  # a YAML node is a scalar, a sequence or a mapping
    return Tagged(node.tag, loader.construct_mapping(node, deep=True))


def _represent(dumper: yaml.SafeDumper, data: Tagged) -> yaml.Node:
    if isinstance(data.value, list):
        return dumper.represent_sequence(data.tag, data.value)
    if isinstance(data.value, dict):
        return dumper.represent_mapping(data.tag, data.value)
    return dumper.represent_scalar(data.tag, str(data.value))


_Loader.add_multi_constructor("!", _tagged)
_Loader.add_multi_constructor("tag:yaml.org,2002:python/", _tagged)
_Dumper.add_representer(Tagged, _represent)


def plain_config(repo_config: Path, docs_dir: Path, site_dir: Path, out: Path, search: bool = True) -> Path:
    """Write the baseline's mkdocs config (paths absolute, so it can live anywhere); `search=False` leaves
    MkDocs' search plugin off, as Practica's own config does."""
    config = yaml.load(repo_config.read_text(encoding="utf-8"), Loader=_Loader) or {}
    for key in PRACTICA_KEYS:
        config.pop(key, None)
    theme = config.get("theme") or {}
    for key in PRACTICA_THEME_KEYS:
        theme.pop(key, None)
    (config.get("extra") or {}).pop("practica", None)
    config.update(docs_dir=str(docs_dir), site_dir=str(site_dir), plugins=["search"] if search else [], nav=[
        {"Home": "index.md"}, *({title: f"{folder}/index.md"} for folder, title in SECTIONS.items()),
        {"What's new": "new/index.md"}])
    out.write_text(yaml.dump(config, Dumper=_Dumper, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return out


def plain_docs(content: Path, docs: Path) -> int:
    """Write the baseline's docs folder from a community; return the number of pages."""
    if docs.exists():
        shutil.rmtree(docs)
    docs.mkdir(parents=True)
    everything: list[tuple[str, str, str, str]] = []  # date, folder, id, title
    for folder, title in SECTIONS.items():
        (docs / folder).mkdir()
        links = []
        for path in sorted((content / folder).glob("*.md")):
            meta, body = _split(path.read_text(encoding="utf-8"))
            name = str(meta.get("title") or meta.get("name"))
            lead = meta.get("summary") or meta.get("role") or ""
            (docs / folder / path.name).write_text(f"# {name}\n\n{lead}\n\n{body}", encoding="utf-8")
            links.append(f"- [{name}]({path.name})")
            everything.append((str(meta.get("date", "")), folder, path.stem, name))
        for extra in (content / folder).iterdir():
            if extra.suffix != ".md":
                shutil.copy2(extra, docs / folder / extra.name)
        (docs / folder / "index.md").write_text(f"# {title}\n\n" + "\n".join(links) + "\n", encoding="utf-8")
    newest = sorted(everything, reverse=True)[:60]
    (docs / "new").mkdir()
    (docs / "new" / "index.md").write_text("# What's new\n\n" + "\n".join(
        f"- [{title}](../{folder}/{item_id}.md)" for _, folder, item_id, title in newest) + "\n", encoding="utf-8")
    (docs / "index.md").write_text("# Home\n\n" + "\n".join(
        f"- [{title}]({folder}/{item_id}.md)" for _, folder, item_id, title in newest[:6]) + "\n", encoding="utf-8")
    return len(everything) + len(SECTIONS) + 2


def _split(text: str) -> tuple[dict[str, Any], str]:
    _, front, body = text.split("---\n", 2)
    return yaml.safe_load(front) or {}, body
