"""Profile photos and app icons, resized once with Pillow and cached by the source's content hash."""

from __future__ import annotations

import hashlib
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageOps, UnidentifiedImageError

from . import urls
from .community import Community
from .content.checks import resolve_local

PHOTO_WIDTHS = (64, 128, 320)


@dataclass(frozen=True)
class Photo:
    person_id: str
    source: Path
    digest: str

    def url(self, width: int) -> str:
        return urls.photo(self.person_id, width, self.digest)


def photos(community: Community) -> dict[str, Photo]:
    """Every person's photo, keyed by person id (people without a readable photo are left out)."""
    out = {}
    for person in community.people.values():
        if not person.meta.photo:
            continue
        source = resolve_local(community.settings.content_dir, person.rel, person.meta.photo)
        if source is not None and source.is_file():
            out[person.id] = Photo(person.id, source, file_digest(source))
    return out


def file_digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def square_webp(source: Path, width: int, cache_dir: Path, digest: str | None = None) -> Path:
    """A centre-cropped square WebP of `source`, made once per (content, width) and reused after."""
    digest = digest or file_digest(source)
    target = cache_dir / f"{digest[:24]}-{width}.webp"
    if not target.exists():
        cache_dir.mkdir(parents=True, exist_ok=True)
        with Image.open(source) as image:
            square = ImageOps.fit(ImageOps.exif_transpose(image).convert("RGB"), (width, width),
                                  Image.Resampling.LANCZOS)
        save_atomically(square, target, "WEBP", quality=80, method=4)
    return target


def save_atomically(image: Image.Image, target: Path, fmt: str, **options: object) -> None:
    """Write `image` to `target` so readers see no file or the whole file; concurrent writers never collide."""
    # A fixed temporary name would let two cold-cache builds write into one file; each writer gets its own.
    handle, partial = tempfile.mkstemp(prefix=f".{target.name}-", suffix=".tmp", dir=target.parent)
    try:
        os.fchmod(handle, 0o644)  # mkstemp makes 0600; a cache is no secret, and others may serve from it
        with os.fdopen(handle, "wb") as out:
            image.save(out, fmt, **options)
        os.replace(partial, target)
    except BaseException:
        Path(partial).unlink(missing_ok=True)
        raise


def image_size(path: Path) -> tuple[int, int] | None:
    """Pixel size of an image file (reads only its header), or None if it is not one."""
    try:
        with Image.open(path) as image:
            return image.size
    except (UnidentifiedImageError, OSError):
        return None
