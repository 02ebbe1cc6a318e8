"""When an event happens, from its front matter alone: its zone, its length and the local start of each
occurrence. Validation (checks.py) and the calendar files, pages and feed (events.py) read the same rules."""

from __future__ import annotations

import calendar as monthdays
import datetime as dt
import zoneinfo
from functools import lru_cache

from .models import EventMeta

MAX_OCCURRENCES = 100  # two years of a weekly series; more is a mistake (a far `until`) and would bloat pages


@lru_cache(maxsize=256)
def zone(name: str) -> zoneinfo.ZoneInfo | None:
    """The IANA zone called `name`, or None when there is none (validation reports it)."""
    if not name or name.startswith(("/", ".")) or ".." in name:
        return None
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, OSError):
        return None


def minutes(meta: EventMeta) -> int | None:
    """How long each occurrence lasts, from `duration` or from `end` (None when neither gives a length)."""
    if meta.duration is not None:
        return meta.duration
    if meta.end is not None:
        return int((meta.end - meta.start).total_seconds() // 60)
    return None


def local_starts(meta: EventMeta, limit: int = MAX_OCCURRENCES + 1) -> list[dt.datetime]:
    """The naive local start of every occurrence, in order, at most `limit` of them: `start`, then the
    repeat's dates (`dates`, or `every` week/month up to `until`), less `skip`."""
    starts = [meta.start]
    repeat = meta.repeat
    if repeat is not None and repeat.dates:
        starts += repeat.dates
    elif repeat is not None and repeat.every and repeat.until:
        n = 1
        while len(starts) < limit:
            nxt = _nth(meta.start, repeat.every, repeat.interval * n)
            n += 1
            if nxt is None:
                continue
            if nxt.date() > repeat.until:
                break
            starts.append(nxt)
    skipped = set(repeat.skip) if repeat else set()
    return sorted({s for s in starts if s.date() not in skipped})[:limit]


def _nth(first: dt.datetime, every: str, steps: int) -> dt.datetime | None:
    """`steps` weeks or months after `first`; None for a month without that day (the 31st in April)."""
    if every == "week":
        return first + dt.timedelta(weeks=steps)
    months = first.month - 1 + steps
    year, month = first.year + months // 12, months % 12 + 1
    if first.day > monthdays.monthrange(year, month)[1]:
        return None
    return first.replace(year=year, month=month)
