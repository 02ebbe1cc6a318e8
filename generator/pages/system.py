"""Pages the app itself needs: the offline fallback, the notification settings, "You and your data" and the
stewards' page."""

from __future__ import annotations

import json
from collections.abc import Iterator

from .. import urls
from .render import GeneratedPage
from .site import Site

APP_PAGE = {"search": {"exclude": True}, "hide": ["navigation", "toc"]}
# Only for the people who moderate (moderation.js asks the service); nothing in it is for search engines.
STEWARDS_PAGE = APP_PAGE | {"robots": "noindex"}


def build(site: Site) -> Iterator[GeneratedPage]:
    yield site.page("offline.md.j2", urls.OFFLINE, "Offline", meta=APP_PAGE)
    # The choices (communities, people) come from the push service at run time, so only what it can deliver
    # is offered; the page itself is the same on every build.
    yield site.page("notifications.md.j2", urls.NOTIFICATIONS, "Notifications", meta=APP_PAGE)
    me = site.page("me.md.j2", urls.ME, "You and your data", meta=APP_PAGE)
    if site.settings.practica.push_url:
        me.files.update(me_people(site))
    yield me
    if site.settings.practica.push_url:
        yield site.page("moderation.md.j2", urls.MODERATION, "Stewards' page", meta=STEWARDS_PAGE)


def me_people(site: Site) -> dict[str, str]:
    """One small file per person (their profile's URL and photos), which the header and /me/ fetch only for the
    reader who is that person: a list of everyone would grow with the community, and an attribute on every page
    would weigh on all."""
    return {urls.me_person(pid): json.dumps(person_card(site, pid), separators=(",", ":"))
            for pid in sorted(site.community.people)}


def person_card(site: Site, person_id: str) -> dict[str, str]:
    card = {"url": urls.page("person", person_id)}
    photo = site.photos.get(person_id)
    if photo:
        card |= {"photo": photo.url(64), "photo_large": photo.url(128)}
    return card
