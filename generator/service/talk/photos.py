"""An introduction's photo: what a reader uploads is never kept or served as sent. It is opened only as JPEG, PNG
or WebP (Pillow, with a pixel limit checked on the header, before any pixel is decoded: a decompression bomb
costs nothing), turned upright by its EXIF orientation, cropped to the centre square and re-encoded as a 256 px
WebP without any metadata (no EXIF, XMP, ICC or comments: location and camera stay with the reader)."""

from __future__ import annotations

import io
import warnings

from PIL import Image, ImageOps

from .policy import TalkError

MAX_BYTES = 2 * 1024 * 1024  # what a phone's photo is after the browser's own re-encoding; the API's body limit
MAX_PIXELS = 25_000_000  # phones save 12 MP by default; decoding 25 MP as RGBA takes 100 MB at most
SIZE = 256
FORMATS = ("JPEG", "PNG", "WEBP")
CONTENT_TYPES = {"image/jpeg", "image/png", "image/webp"}
SERVED_AS = "image/webp"


def reencoded(data: bytes) -> bytes:
    """The uploaded bytes as a small square WebP without metadata; 422 for anything else."""
    if not data:
        raise _refused("photo_empty", "send the photo's bytes as the request body")
    if len(data) > MAX_BYTES:
        raise _refused("photo_too_large", f"a photo may have at most {MAX_BYTES // (1024 * 1024)} MB")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data), formats=FORMATS) as image:
                width, height = image.size
                if width * height > MAX_PIXELS or width < 1 or height < 1:
                    raise _refused("photo_too_large", f"a photo may have at most {MAX_PIXELS // 1_000_000} million "
                                   "pixels")
                image.draft("RGB", (SIZE * 2, SIZE * 2))  # JPEG: decode at a fraction of the size when it can
                image.thumbnail((SIZE * 4, SIZE * 4))  # every later copy is small
                upright = ImageOps.exif_transpose(image)
                square = ImageOps.fit(upright.convert("RGBA" if _has_alpha(upright) else "RGB"), (SIZE, SIZE),
                                      Image.Resampling.LANCZOS)
    except TalkError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise _refused("photo_too_large", f"a photo may have at most {MAX_PIXELS // 1_000_000} million pixels"
                       ) from None
    except (OSError, SyntaxError, ValueError):  # UnidentifiedImageError is an OSError
        raise _refused("photo_unsupported", "send a JPEG, PNG or WebP photo") from None
    out = io.BytesIO()
    square.save(out, "WEBP", quality=80, method=4)  # nothing passed: no exif, xmp or icc_profile is written
    return out.getvalue()


def _has_alpha(image: Image.Image) -> bool:
    return image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info)


def _refused(code: str, message: str) -> TalkError:
    return TalkError(422, code, message, "photo")
