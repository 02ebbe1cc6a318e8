"""One page per skill: who knows it (ranked by evidence) and what teaches it."""

from __future__ import annotations

from collections.abc import Iterator

from .. import languages, urls
from ..community import Community
from ..content.skills import Skill
from ..languages import N_
from . import listing
from .render import GeneratedPage
from .site import Site

EXPERTS = 12  # the strongest evidence first; the directory's skill filter shows everyone
ITEMS = 12


def build(site: Site) -> Iterator[GeneratedPage]:
    _ = site.gettext
    c = site.community
    used = [s for s in c.taxonomy.skills.values() if s.id in c.skill_evidence or s.id in c.items_by_skill]
    rows = [(s, len(c.experts_for_skill(s.id)), len(c.items_by_skill.get(s.id, [])))
            for s in sorted(used, key=lambda s: s.name.lower())]
    yield site.page("skills.md.j2", urls.index("skill"), _("Skills"), skills=rows,
                    meta={"description": _("Every skill in the community, with the people who have it."),
                          "search": {"exclude": True}})
    for skill in used:
        yield skill_page(site, skill)
        items = c.items_by_skill.get(skill.id, [])
        if len(items) > ITEMS:
            trail = [(_("Home"), urls.HOME), (_("Skills"), urls.index("skill")),
                     (skill.name, urls.page("skill", skill.id))]
            yield from listing.pages(site, listing.Listing(
                urls.all_of("skill", skill.id, "all"), _("Everything on %(skill)s") % {"skill": skill.name},
                _("Newest first."), items, trail, searchable=False))


def skill_page(site: Site, skill: Skill) -> GeneratedPage:
    _ = site.gettext
    c = site.community
    url = urls.page("skill", skill.id)
    ranked = c.experts_for_skill(skill.id)
    experts = [(person, evidence(c, person.id, skill.id, site.settings.language))
               for person, _score in ranked[:EXPERTS]]
    items = c.items_by_skill.get(skill.id, [])
    trail = [(_("Home"), urls.HOME), (_("Skills"), urls.index("skill")), (skill.name, url)]
    return site.page("skill.md.j2", url, skill.name, skill=skill, trail=trail, experts=experts,
                     experts_total=len(ranked), items=items[:ITEMS], items_total=len(items),
                     all_url=urls.all_of("skill", skill.id, "all"), ask_communities=site.ask_communities(
                         c.skill_topics(skill.id)),
                     meta={"description": _("Who knows %(skill)s, and what to read to learn it.")
                                          % {"skill": skill.name},
                           "practica": {"kind": "skill", "id": skill.id}})


def evidence(c: Community, person_id: str, skill_id: str, lang: str = "en") -> str:
    """Why someone ranks for a skill, in words (in `lang`): 'wrote 2 · answered 1 · declares it'."""
    _ = languages.translations(lang).gettext
    said = {"wrote": N_("wrote %(num)s"), "answered": N_("answered %(num)s"), "verified": N_("verified %(num)s"),
            "curated": N_("curated %(num)s")}
    done = c.contributions_of(person_id)
    parts = []
    for role in ("wrote", "answered", "verified", "curated"):
        n = sum(1 for item in getattr(done, role) if skill_id in item.skills)
        if n:
            parts.append(_(said[role]) % {"num": n})
    if skill_id in c.people[person_id].skills:
        parts.append(_("declares it"))
    return " · ".join(parts)
