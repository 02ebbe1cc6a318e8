"""Profile photos and app icons, resized once with Pillow and cached by the source's content hash."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageOps

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
        partial = target.with_suffix(".tmp")
        square.save(partial, "WEBP", quality=80, method=4)
        partial.replace(target)
    return target


def image_size(path: Path) -> tuple[int, int] | None:
    """Pixel size of an image file (reads only its header), or None if it is not one."""
    from PIL import UnidentifiedImageError

    try:
        with Image.open(path) as image:
            return image.size
    except (UnidentifiedImageError, OSError):
        return None
