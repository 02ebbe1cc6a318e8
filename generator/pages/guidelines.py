"""The community guidelines as pages: the site's at guidelines/ and each community's own under it."""

from __future__ import annotations

from collections.abc import Iterator

from .. import urls
from ..content.guidelines import SITE
from .render import GeneratedPage
from .site import Site


def build(site: Site) -> Iterator[GeneratedPage]:
    c = site.community
    for scope, found in sorted(c.guidelines.items()):
        topic = c.topics.get(scope)
        yield site.page("guidelines.md.j2", urls.guidelines(scope), found.title, guidelines=found, topic=topic,
                        site_wide=c.guidelines.get(SITE) if scope else None, text=site.body(found),
                        meta={"description": found.meta.summary})
