"""How a video plays: a local file in <video>, or an external embed (YouTube, Vimeo) behind a click-to-load
facade. Item pages, their JSON-LD and the feeds' images all read it."""

from __future__ import annotations

import posixpath
from typing import Any
from urllib.parse import parse_qs, urlsplit

from .. import urls
from ..community import Video

VIDEO_TYPES = {".mp4": "video/mp4", ".webm": "video/webm"}


def player(video: Video) -> dict[str, Any]:
    """How a video plays: a local file in <video>, or an external embed behind a click-to-load facade."""
    meta = video.meta
    poster = urls.media(_beside(video.rel, meta.poster)) if meta.poster else None
    if not meta.src.startswith("https://"):
        src = _beside(video.rel, meta.src)
        suffix = src[src.rfind("."):].lower()
        captions = urls.media(_beside(video.rel, meta.captions)) if meta.captions else None
        return {"local": True, "src": urls.media(src), "type": VIDEO_TYPES.get(suffix, "video/mp4"),
                "captions": captions, "poster": poster, "lang": "en"}
    embed, host = embed_url(meta.src)
    source_host = (urlsplit(meta.src).hostname or host).removeprefix("www.")
    return {"local": False, "embed": embed, "host": host, "source_host": source_host, "poster": poster}


def embed_url(src: str) -> tuple[str | None, str]:
    """The privacy-friendly embed address of an external video and the host it loads from; None for a host
    whose player the site does not frame (its Content-Security-Policy allows these two only): readers get a
    link to watch it there."""
    parts = urlsplit(src)
    host = parts.hostname or ""
    video_id = None
    if host.endswith("youtube.com") or host.endswith("youtube-nocookie.com"):
        segments = [s for s in parts.path.split("/") if s]
        query = parse_qs(parts.query)
        video_id = query.get("v", [None])[0] or (segments[1] if len(segments) > 1 and segments[0] in
                                                   ("embed", "shorts", "live") else None)
    elif host == "youtu.be":
        video_id = parts.path.strip("/") or None
    if video_id:
        return f"https://www.youtube-nocookie.com/embed/{video_id}?autoplay=1", "youtube-nocookie.com"
    if host.endswith("vimeo.com"):
        vimeo_id = next((s for s in parts.path.split("/") if s.isdigit()), None)
        if vimeo_id:
            return f"https://player.vimeo.com/video/{vimeo_id}?dnt=1&autoplay=1", "player.vimeo.com"
    return None, host


def _beside(rel: str, value: str) -> str:
    """A file named in front matter, as a path in the content folder (and so in the site)."""
    if value.startswith("/"):
        return value.lstrip("/")
    return posixpath.normpath(posixpath.join(posixpath.dirname(rel), value))
