"""What a notification says: one summary per outbox row, as JSON that fits in one push record; on a `private`
lock screen, only that something is new in a community."""

from __future__ import annotations

import json
from collections import Counter
from typing import Any
from urllib.parse import urljoin

from ...text import excerpt
from ..models import Activity, FeedItem, FeedState, LockScreen, Preferences, Ref
from ..talk import notices

# RFC 8291: 4,096 bytes per record minus 86 (header), 16 (AEAD tag) and 1 (padding delimiter).
MAX_PAYLOAD = 3993
MAX_TITLE, MAX_BODY = 120, 600
TYPE_NAMES = {"lesson": "lesson", "video": "video", "faq": "answer", "path": "learning path"}


def tag_for(row_id: int) -> str:
    """The notification tag: stable per outbox row, so a resend replaces the shown notification."""
    return f"practica-{row_id}"


def topic_for(row_id: int) -> str:
    """The Topic header (≤ 32 base64url characters): a push service replaces an undelivered copy."""
    return f"practica-{row_id}"


def summarise(items: tuple[FeedItem, ...], prefs: Preferences, state: FeedState, tag: str) -> dict[str, Any]:
    """The notification for `items` matched by `prefs`: opens the single item, the one community, or what's new."""
    groups = [_group(item, prefs, state) for item in items]
    counts = Counter(g for g in groups if g is not None)
    if len(items) == 1:
        item, group = items[0], groups[0]
        kind = TYPE_NAMES[item.type]
        where = "" if group is None else f" {'in' if group[0] == 'topic' else 'by'} {group[1].name}"
        title, url = f"New {kind}{where}", item.url
        body = f"{item.title}: {item.summary}" if item.summary else item.title
    else:
        top = counts.most_common(1)[0][0] if counts else None
        if top is not None and counts[top] == len(items):
            title, url = f"{len(items)} new {'in' if top[0] == 'topic' else 'from'} {top[1].name}", top[1].url
        elif top is not None:
            more = len(counts) - 1
            title = f"{len(items)} new in {top[1].name}" + (f" and {more} more" if more else "")
            url = urljoin(state.site_url, "new/")
        else:
            title, url = f"{len(items)} new in {state.title}", urljoin(state.site_url, "new/")
        body = " · ".join(item.title for item in items)
    if prefs.frequency != "immediate":
        title = f"{prefs.frequency.capitalize()} digest: {title}"
    return {"title": title, "body": body, "url": url, "icon": state.icon, "tag": tag}


def private_summary(items: tuple[FeedItem, ...], prefs: Preferences, state: FeedState, tag: str) -> dict[str, Any]:
    """What a `private` lock screen shows: the site's title and "Something new in <community>" (the first item's
    followed topic, else its first); no item title, summary or person's name. Url, tag and icon as `summarise`."""
    community = _community(items[0], prefs, state) if items else None
    body = f"Something new in {community.name}" if community else "Something new"
    return {**summarise(items, prefs, state, tag), "title": state.title, "body": body}


def activity_summary(activities: tuple[Activity, ...], prefs: Preferences, state: FeedState, row_tag: str,
                     private: bool) -> dict[str, Any]:
    """The notification for conversation activity: one post ("Priya replied in “…”", its words, the post's URL),
    or several ("3 new responses", their headlines). The tag is the thread's, so replies there replace each
    other. On a `private` lock screen: "Something new in <community>" only."""
    first = activities[0]
    threads = {a.thread_id for a in activities}
    tag = f"practica-thread-{first.thread_id}" if len(threads) == 1 else row_tag
    url = notices.url(first, state) if len(threads) == 1 else state.site_url
    if len(activities) == 1:
        title, body = notices.headline(first, state), notices.text(first, state)
    else:
        title, body = f"{len(activities)} new responses", " · ".join(notices.headline(a, state) for a in activities)
    if prefs.frequency != "immediate":
        title = f"{prefs.frequency.capitalize()} digest: {title}"
    if private:
        community = notices.community_of(first, state)
        title, body = state.title, f"Something new in {community}" if community else "Something new"
    return {"title": title, "body": body, "url": url, "icon": state.icon, "tag": tag}


def lock_screen(device: LockScreen | None, owner: LockScreen | None, default: LockScreen) -> LockScreen:
    """The lock screen a delivery is for: the device's choice, else its person's, else the deployment's."""
    return device or owner or default


def trial_notification(state: FeedState | None, tag: str) -> dict[str, Any]:
    """What 'Send me a test notification' shows; opens the notification settings."""
    site = state.title if state else "Practica"
    url = urljoin(state.site_url, "notifications/") if state else None
    return {"title": f"{site}: notifications work", "body": "This is the test you asked for. New content in what "
            "you follow will arrive like this.", "url": url, "icon": state.icon if state else None, "tag": tag}


def encode(payload: dict[str, Any]) -> str:
    """JSON of `payload` in at most MAX_PAYLOAD UTF-8 bytes: trims the body, then the title, then drops the
    icon; never touches the URL (the feed contract keeps URLs short enough)."""
    payload = {**payload, "title": _cut(payload["title"], MAX_TITLE), "body": _cut(payload["body"], MAX_BODY)}
    text = _dump(payload)
    if len(text.encode()) <= MAX_PAYLOAD:  # nearly always: only huge titles or many items need the trimming below
        return text
    for field in ("body", "title"):
        if _size(payload) <= MAX_PAYLOAD:
            break
        payload[field] = _shrink(payload, field)
    if _size(payload) > MAX_PAYLOAD:
        payload["icon"] = None
    text = _dump(payload)
    if len(text.encode()) > MAX_PAYLOAD:
        raise ValueError(f"the notification for {payload['url'][:80]!r} cannot fit in {MAX_PAYLOAD} bytes")
    return text


def _group(item: FeedItem, prefs: Preferences, state: FeedState) -> tuple[str, Ref] | None:
    """What the item is filed under for this subscriber: a followed topic, a followed person, or its first topic."""
    for kind, ids, known in (("topic", prefs.topics, state.topics), ("person", prefs.people, state.people)):
        for ref_id in (item.topics if kind == "topic" else item.people):
            if ref_id in ids and ref_id in known:
                return kind, known[ref_id]
    first = next((state.topics[t] for t in item.topics if t in state.topics), None)
    return ("topic", first) if first else None


def _community(item: FeedItem, prefs: Preferences, state: FeedState) -> Ref | None:
    known = [state.topics[t] for t in item.topics if t in state.topics]
    return next((ref for ref in known if ref.id in prefs.topics), known[0] if known else None)


def _shrink(payload: dict[str, Any], field: str) -> str:
    """The longest prefix of payload[field] (with an ellipsis) that keeps the payload within the limit."""
    text, lo, hi = payload[field], 0, len(payload[field])
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if _size({**payload, field: _cut(text, mid)}) <= MAX_PAYLOAD:
            lo = mid
        else:
            hi = mid - 1
    return _cut(text, lo) if lo else ""


def _cut(text: str, limit: int) -> str:
    """`text` within `limit` characters, cut at a word boundary with an ellipsis (a feed's summary is already
    plain text; see generator/text.py)."""
    return excerpt(text, limit)


def _size(payload: dict[str, Any]) -> int:
    return len(_dump(payload).encode())


def _dump(payload: dict[str, Any]) -> str:
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":"))
