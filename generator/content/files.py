"""Which files in the content folder may be published: one walk that never follows links, one rule per file.

Published are: Markdown (`.md`) in the type folders, the YAML files Practica reads, and media and documents
whose first bytes match their extension. Links must lead to a file inside the content folder. Anything else
is a problem naming the file and the fix; dot-files and dot-folders (`.git`, `.DS_Store`) are ignored. The
build asks the same `Policy.refusal` of every file MkDocs finds, so what validation missed is not published.
"""

from __future__ import annotations

import codecs
import os
import stat
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from .problems import Problem

_BOM = b"\xef\xbb\xbf"
_HEAD_BYTES = 512


def _plain_text(head: bytes) -> bool:
    # Served as text, never run; but a server that sends no type lets browsers sniff a leading `<` as HTML.
    try:
        codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
    except UnicodeDecodeError:
        return False
    return b"\0" not in head and not head.removeprefix(_BOM).lstrip().startswith(b"<")


def _jpeg(head: bytes) -> bool:
    return head.startswith(b"\xff\xd8\xff")


# Extension → test of the file's first bytes. Documents: PDFs, and the CSV and text files lessons link to
# (sample data, exercise files), which browsers only ever show as text.
SNIFF: dict[str, Callable[[bytes], bool]] = {
    ".png": lambda head: head.startswith(b"\x89PNG\r\n\x1a\n"),
    ".jpg": _jpeg,
    ".jpeg": _jpeg,
    ".gif": lambda head: head[:6] in (b"GIF87a", b"GIF89a"),
    ".webp": lambda head: head[:4] == b"RIFF" and head[8:12] == b"WEBP",
    ".avif": lambda head: head[4:8] == b"ftyp" and (b"avif" in head[8:64] or b"avis" in head[8:64]),
    ".mp4": lambda head: head[4:8] == b"ftyp",
    ".webm": lambda head: head.startswith(b"\x1a\x45\xdf\xa3"),
    ".vtt": lambda head: head.removeprefix(_BOM).startswith(b"WEBVTT"),
    ".pdf": lambda head: head.startswith(b"%PDF-"),
    ".csv": _plain_text,
    ".txt": _plain_text,
}
_OTHER_MARKDOWN = (".markdown", ".mdown", ".mkd", ".mkdn", ".mdwn", ".mdtxt", ".mdtext", ".md")
_ACTIVE = (".html", ".htm", ".xhtml", ".xht", ".shtml", ".xml", ".svg", ".svgz", ".js", ".mjs", ".css", ".wasm")


@dataclass(frozen=True)
class Refusal:
    """Why a file is not published: what is wrong, the fix, and the problem code."""

    message: str
    hint: str
    code: str


HIDDEN = Refusal("hidden file", "files and folders whose names start with '.' are never published", "hidden")
_OUTSIDE = Refusal("links outside the content folder", "copy the file into content/ instead of linking to it",
                   "outside-link")
_DANGLING = Refusal("is a link to a file that does not exist (or through links that loop)",
                    "copy the file into content/ instead of linking to it", "outside-link")
_LOOP = Refusal("links to a folder that contains it", "remove the link", "outside-link")
_NOT_A_FILE = Refusal("is not a regular file (a pipe, device or socket)", "remove it; only files can be published",
                      "not-a-file")


@dataclass
class Scan:
    """What one walk of the content folder found: each type folder's Markdown, refused files, problems."""

    markdown: dict[str, list[Path]]
    refused: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


@dataclass(frozen=True)
class Policy:
    """The content-file policy of one site. `root` is resolved; `folders` are the type folders; `data_files`
    the YAML files (paths in the content folder) that Practica reads."""

    root: Path
    folders: frozenset[str]
    data_files: frozenset[str]

    def scan(self) -> Scan:
        """Walk the content folder once, without following links, classifying every entry."""
        found = Scan({folder: [] for folder in self.folders})
        self._walk(str(self.root), "", found)
        for paths in found.markdown.values():
            paths.sort()
        return found

    def refusal(self, rel: str) -> Refusal | None:
        """Why the file at `rel` (a `/`-separated path in the content folder) must not be published, or None."""
        if any(part.startswith(".") for part in rel.split("/")):
            return HIDDEN
        path = os.path.join(self.root, rel)
        through = self._through_links(rel)
        if through is not None:
            return through
        inside = self._inside(os.path.realpath(path))
        if inside is None:
            return _OUTSIDE
        if any(part.startswith(".") for part in inside.split(os.sep)):
            return HIDDEN
        try:
            mode = os.stat(path).st_mode  # as a reader opens it: a link that loops fails here
        except OSError:
            return _DANGLING
        return self._kind(rel, path) if stat.S_ISREG(mode) else _NOT_A_FILE

    def _walk(self, folder: str, prefix: str, found: Scan) -> None:
        try:
            with os.scandir(folder) as listing:
                entries = list(listing)
        except OSError as exc:
            found.problems.append(Problem(prefix.rstrip("/") or ".", None, None, None,
                                          f"cannot read the folder: {exc.strerror}", "check its permissions",
                                          code="unreadable"))
            return
        for entry in entries:
            rel = prefix + entry.name
            if entry.name.startswith("."):
                continue
            if entry.is_symlink():
                refused = self._folder_link(entry.path) if os.path.isdir(entry.path) else self.refusal(rel)
            elif entry.is_dir(follow_symlinks=False):
                self._walk(entry.path, rel + "/", found)
                continue
            elif entry.is_file(follow_symlinks=False):
                refused = self._kind(rel, entry.path)
            else:
                refused = _NOT_A_FILE
            self._record(rel, entry.path, refused, found)

    def _through_links(self, rel: str) -> Refusal | None:
        """A refusal of the first folder link on the way to `rel` (MkDocs follows a loop forty levels deep)."""
        parts = rel.split("/")
        for depth in range(1, len(parts)):
            folder = os.path.join(self.root, *parts[:depth])
            if os.path.islink(folder) and (refused := self._folder_link(folder)) is not None:
                return refused
        return None

    def _folder_link(self, path: str) -> Refusal | None:
        # Allowed when it stays inside (its files are checked where they really are), unless it loops.
        real = os.path.realpath(path)
        if real != str(self.root) and self._inside(real) is None:
            return _OUTSIDE
        link_folder = os.path.dirname(os.path.abspath(path))
        return _LOOP if link_folder == real or link_folder.startswith(real + os.sep) else None

    def _record(self, rel: str, path: str, refused: Refusal | None, found: Scan) -> None:
        if refused is not None:
            found.refused.append(rel)
            found.problems.append(Problem(rel, None, None, None, refused.message, refused.hint, code=refused.code))
        elif rel.endswith(".md") and (folder := rel.split("/", 1)[0]) in found.markdown:
            found.markdown[folder].append(Path(path))

    def _inside(self, real: str) -> str | None:
        """`real`'s path relative to the content folder, or None when it is not inside it."""
        root = str(self.root)
        return real[len(root) + 1:] if real.startswith(root + os.sep) else None

    def _kind(self, rel: str, real: str) -> Refusal | None:
        """The rule for a regular file, by its name and first bytes (`real` is where its bytes are)."""
        name = rel.rsplit("/", 1)[-1]
        ext = os.path.splitext(name)[1].lower()
        if rel.endswith(".md") and "/" in rel and rel.split("/", 1)[0] in self.folders:
            return None
        if rel in self.data_files:
            return None
        if rel.endswith(".md"):
            folders = ", ".join(f"{f}/" for f in sorted(self.folders))
            return Refusal("Markdown outside the type folders is not published",
                           f"move it into one of {folders}", "unknown-file")
        if ext in _OTHER_MARKDOWN:
            return Refusal(f"'{ext}' files are not read as pages", f"rename it to {name[:-len(ext)]}.md",
                           "unknown-file")
        if ext in _ACTIVE:
            return Refusal(f"'{ext}' files are active content and cannot be published",
                           "convert an SVG to PNG, write HTML as Markdown in a .md page, and leave scripts and "
                           "styles out (pages cannot run them)", "active-content")
        if ext in (".yml", ".yaml"):
            return Refusal("Practica does not read this YAML file",
                           f"put its contents into {' or '.join(sorted(self.data_files))}, or remove it",
                           "unknown-file")
        return self._content(name, ext, real)

    def _content(self, name: str, ext: str, real: str) -> Refusal | None:
        sniff = SNIFF.get(ext)
        if sniff is None:
            return Refusal(f"'{ext or name}' files are not published",
                           "publish images (.png, .jpg, .webp, .gif, .avif), video (.mp4, .webm), captions "
                           "(.vtt) or documents (.pdf, .csv, .txt); link to anything else where it lives",
                           "unknown-file")
        try:
            with open(real, "rb") as file:
                head = file.read(_HEAD_BYTES)
        except OSError as exc:
            return Refusal(f"cannot read the file: {exc.strerror}", "check its permissions", "unreadable")
        if sniff(head):
            return None
        return Refusal(f"the file is not really {ext} (its first bytes are not those of a {ext} file)",
                       f"save or export it as a real {ext} file, or give it the extension of what it is",
                       "wrong-content")


def inside_file(root: Path, path: Path) -> bool:
    """True when `path` leads (through any links) to a regular file inside `root` (a resolved folder)."""
    real = path.resolve()
    return real.is_relative_to(root) and real != root and real.is_file()
