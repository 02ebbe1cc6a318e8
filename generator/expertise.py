"""Who knows what, published for the search dialog: evidence, not text matches.

Pagefind ranks people by how often a word appears on their profile, so "who knows forecasting" used to list
whoever mentioned forecasts. The build knows better (declared expertise, then what each person wrote,
answered, verified and curated): `search/skills.json` names every skill someone has evidence for (with its
aliases, so the dialog can resolve a query and correct a typo), and `search/experts/<id>.json` ranks that
skill's people exactly as the skill page does. The dialog fetches the small index with Pagefind and one
ranking only when a query names its skill.
"""

from __future__ import annotations

import json

from . import urls
from .community import Community
from .pages.skills import evidence


def files(c: Community) -> dict[str, str]:
    """The skill index and one ranking per skill with experts, by site path."""
    used = [s for s in c.taxonomy.skills.values() if c.skill_evidence.get(s.id)]
    out = {urls.SEARCH_SKILLS: _json({"skills": [[s.id, s.name, s.aliases] for s in used]})}
    for skill in used:
        out[urls.search_experts(skill.id)] = _json({"url": urls.page("skill", skill.id), "people": [
            [urls.page("person", p.id), p.title, p.meta.role, evidence(c, p.id, skill.id)]
            for p, _ in c.experts_for_skill(skill.id)]})
    return out


def _json(data: object) -> str:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))
