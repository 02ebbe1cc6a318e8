"""Read the content folder into a Community, collecting every problem instead of stopping at the first."""

from __future__ import annotations

import datetime as dt
import gc
import math
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TypeVar

from pydantic import BaseModel, ValidationError

from ..community import Community, Entry
from ..kinds import FOLDERS, ITEM_KINDS, KINDS, Kind, Meta, both
from ..media import Media
from ..settings import Settings
from . import body, checks, guidelines
from .explain import problems_from
from .files import Policy, inside_file
from .frontmatter import ReadError, Source, parse, parse_yaml_list
from .gitdates import commit_dates
from .models import SLUG_RE, EventMeta, FeatureDef, LessonMeta, PersonMeta, SkillDef, TopicMeta, VideoMeta
from .problems import Problem
from .skills import Skill, Taxonomy, slugify

SKILLS_FILE = "skills.yml"
_WORD = re.compile(r"\w+")
# ASCII text: every byte that is not a word character (\w) becomes a space, so split() finds the same words.
_NON_WORD_TO_SPACE = bytes(i if i < 128 and (chr(i).isalnum() or chr(i) == "_") else 32 for i in range(256))


def load_community(settings: Settings) -> Community:
    """Load, validate and cross-reference everything under the content folder."""
    with _collector_paused():
        return _load(settings)


@contextmanager
def _collector_paused() -> Iterator[None]:
    # Loading makes hundreds of thousands of objects and next to no reference cycles; the cyclic
    # collector's passes over them all cost about a tenth of a validation, for nothing to collect.
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _load(settings: Settings) -> Community:
    root = settings.content_dir
    community = Community(settings, media=Media(settings.practica.media.policy(), settings.cache_dir))
    if not root.is_dir():
        community.problems.append(Problem(str(root), None, None, None, "the content folder does not exist",
                                          "create it, or point docs_dir in mkdocs.yml (or --content) at it",
                                          code="no-content"))
        return community
    community.taxonomy = _load_taxonomy(root, community.problems)
    dates = commit_dates(root)
    scan = file_policy(settings).scan()
    community.problems.extend(scan.problems)
    for rel in scan.refused:
        folder, _, name = rel.partition("/")
        if folder in FOLDERS and name.endswith(".md"):
            community.unloaded.add((FOLDERS[folder], Path(name).stem))
    sources: list[tuple[Kind, Path, Source]] = []
    for folder, kind in FOLDERS.items():
        for path in scan.markdown[folder]:
            rel = path.relative_to(root).as_posix()
            try:
                sources.append((kind, path, parse(rel, path.read_bytes())))
            except ReadError as exc:
                community.problems.append(exc.problem)
                community.unloaded.add((kind, path.stem))
            except OSError as exc:
                community.problems.append(Problem(rel, None, None, None, f"cannot read the file: {exc.strerror}",
                                                  "check its permissions", code="unreadable"))
            except Exception as exc:  # a file Practica cannot read is a problem for that file, never a crash
                community.problems.append(Problem(rel, 1, None, None,
                                                  f"this file could not be read ({type(exc).__name__}: {exc})",
                                                  "simplify its front matter; if it looks right, report this file "
                                                  "to the site's maintainers", code="unreadable"))
                community.unloaded.add((kind, path.stem))
    for kind, path, source in sources:
        entry = _entry(kind, path, source, community.problems)
        if entry is None:
            # Still check what can be checked, and let references to this id resolve: one broken file
            # should not make every file that mentions it look broken too.
            community.unloaded.add((kind, path.stem))
            community.problems.extend(body.check(source.rel, source.body, source.body_line, root,
                                                  settings.markdown_extensions, community.media))
        else:
            if not SLUG_RE.match(entry.id):
                _not_a_slug(community, entry, path)
            _date(entry, path, dates, settings.today)
            _add(community, entry, community.problems)
    featured = read_list_file(root, settings.practica.featured, FeatureDef, community.problems)
    sources_by_rel = {s.rel: s for _, _, s in sources}
    if featured is not None:
        sources_by_rel[featured[0].rel] = featured[0]
        community.featured = featured[1]
    checks.check_community(community, sources_by_rel)
    community.guidelines = guidelines.load(root, scan.markdown.get(guidelines.FOLDER, []), community.topics,
                                           settings.markdown_extensions, community.problems)
    for learning_path in community.paths.values():  # its time is its steps' (a video's is its duration)
        learning_path.minutes = sum(step.minutes for step, _ in community.steps(learning_path))
    return community


def file_policy(settings: Settings) -> Policy:
    """This site's content-file policy: its type folders (and the communities' guidelines), and the files
    Practica reads at the top of the content folder (the YAML files and the site's guidelines)."""
    return Policy(settings.content_dir, frozenset(FOLDERS) | {guidelines.FOLDER},
                  frozenset({SKILLS_FILE, settings.practica.featured, guidelines.SITE_FILE}))


def _entry(kind: Kind, path: Path, source: Source, problems: list[Problem]) -> Entry[Meta] | None:
    model = KINDS[kind].model
    try:
        meta = model.model_validate(source.meta)
    except ValidationError as exc:
        problems.extend(problems_from(exc, source, model))
        # Check the rest of the file too: without its broken fields it may still be complete enough.
        broken = {error["loc"][0] for error in exc.errors() if error["loc"]}
        try:
            meta = model.model_validate({k: v for k, v in source.meta.items() if k not in broken})
        except ValidationError:
            return None
    return Entry(kind, path.stem, source.rel, meta, source.body, source.body_line)


def _not_a_slug(community: Community, entry: Entry[Meta], path: Path) -> None:
    """A file name that is not an id is one problem; references to the id it will have once renamed (what
    the fix says) resolve, so that the files mentioning it are not flagged too."""
    slug = slugify(path.stem)
    community.problems.append(Problem(entry.rel, 1, None, None, f"the file name '{path.name}' is not a valid id",
                                      f"rename the file to '{slug or 'my-item'}.md' (lowercase, hyphens)",
                                      code="not-a-slug"))
    if slug:
        community.unloaded.add((entry.kind, slug))


def _date(entry: Entry[Meta], path: Path, dates: dict[Path, tuple[dt.date, dt.date]], today: dt.date) -> None:
    # Paths under the (resolved) content folder are already real; resolve only when a symlink may hide one.
    span = dates.get(path) or (dates.get(path.resolve()) if dates else None)
    if span is None:
        try:
            mtime = dt.date.fromtimestamp(path.stat().st_mtime)
        except OSError:
            mtime = today
        span = (mtime, mtime)
    meta = entry.meta
    declared = None if isinstance(meta, (PersonMeta, TopicMeta, EventMeta)) else meta.date
    entry.date = declared or span[0]
    entry.updated = max(span[1], entry.date)


def _add(community: Community, entry: Entry[Meta], problems: list[Problem]) -> None:
    collection = community.collection(entry.kind)
    clash = community.item(entry.id) if entry.kind in ITEM_KINDS else collection.get(entry.id)
    if clash is not None:
        problems.append(Problem(entry.rel, 1, None, None, f"id '{entry.id}' is already used by {clash.rel}",
                                "rename one of the two files; ids are unique across "
                                + both([kind.nouns for kind in ITEM_KINDS.values()]),
                                code="duplicate-id"))
        return
    collection[entry.id] = entry
    entry.minutes = _minutes(entry, community.settings)


def _minutes(entry: Entry[Meta], settings: Settings) -> int:
    meta = entry.meta
    if isinstance(meta, VideoMeta):
        return max(1, math.ceil(meta.duration / 60))
    if isinstance(meta, LessonMeta) and meta.minutes:
        return meta.minutes
    words = _word_count(entry.body)
    for question in meta.check if isinstance(meta, LessonMeta) else []:
        words += _word_count(" ".join([question.question, *question.options, question.explain or ""]))
    return max(1, round(words / settings.practica.words_per_minute))


def _word_count(text: str) -> int:
    r"""The number of `\w+` runs in `text` (three times faster for ASCII text, the usual case)."""
    if text.isascii():
        return len(text.encode("ascii").translate(_NON_WORD_TO_SPACE).split())
    return len(_WORD.findall(text))


M = TypeVar("M", bound=BaseModel)


def read_list_file(root: Path, name: str, model: type[M], problems: list[Problem]) -> tuple[Source, list[M]] | None:
    """The valid entries of a YAML list file in the content folder (None when there is no such file, or when
    it cannot be read: its problem is reported, and nothing is checked against an empty list instead)."""
    path = root / name
    if not inside_file(root, path):  # absent, or refused by the file policy (which reports it)
        return None
    try:
        source = parse_yaml_list(name, path.read_bytes())
    except ReadError as exc:
        problems.append(exc.problem)
        return None
    entries = []
    for i, raw in enumerate(source.meta):
        try:
            entries.append(model.model_validate(raw))
        except ValidationError as exc:
            problems.extend(problems_from(exc, source, model, prefix=(i,)))
    return source, entries


def _load_taxonomy(root: Path, problems: list[Problem]) -> Taxonomy:
    found = read_list_file(root, SKILLS_FILE, SkillDef, problems)
    if found is None:
        return Taxonomy()
    taxonomy = Taxonomy(closed=True)
    for skill in found[1]:
        taxonomy.add(Skill(skill.id, skill.name, list(skill.aliases)))
    return taxonomy
