"""/health/: the content-health report as a page (linked from the footer, not the main navigation)."""

from __future__ import annotations

from collections.abc import Iterator

from .. import urls
from ..health import OPTIONAL, SECTIONS, health
from .render import GeneratedPage
from .site import Site


def build(site: Site) -> Iterator[GeneratedPage]:
    report = health(site.community, site.feedback, site.conversations, site.learning)
    yield site.page("health.md.j2", urls.HEALTH, site.gettext("Content health"), report=report, titles=SECTIONS,
                    optional=OPTIONAL, today=site.settings.today, edit_url=site.settings.edit_url,
                    meta={"search": {"exclude": True}, "hide": ["navigation"],
                          "description": "What in the community needs reviewing, verifying or captioning."})
