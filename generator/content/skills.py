"""Skills: one id per skill however people spell it (case, spaces, aliases from `skills.yml`)."""

from __future__ import annotations

import difflib
import re
import unicodedata
from dataclasses import dataclass, field

_NON_WORD = re.compile(r"[^a-z0-9]+")


def slugify(text: str) -> str:
    """`Machine Learning ` → `machine-learning`; `C++` → `c-plus-plus`; `Café` → `cafe`."""
    text = text.replace("++", " plus plus").replace("#", " sharp ").replace("&", " and ")
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return _NON_WORD.sub("-", ascii_text.lower()).strip("-")


@dataclass
class Skill:
    id: str
    name: str
    aliases: list[str] = field(default_factory=list)


@dataclass
class Taxonomy:
    """Known skills. `closed` when a skills.yml defines them: then an unknown skill is an error."""

    skills: dict[str, Skill] = field(default_factory=dict)
    closed: bool = False
    _lookup: dict[str, str] = field(default_factory=dict)

    def add(self, skill: Skill) -> None:
        self.skills[skill.id] = skill
        for spelling in (skill.id, skill.name, *skill.aliases):
            self._lookup.setdefault(slugify(spelling), skill.id)

    def resolve(self, text: str) -> str | None:
        """The skill id for any spelling; in an open taxonomy a new spelling becomes a new skill."""
        key = slugify(text)
        if key in self._lookup:
            return self._lookup[key]
        if self.closed or not key:
            return None
        self.add(Skill(key, text.strip()))
        return key

    def suggest(self, text: str) -> str | None:
        key = slugify(text)
        # 0.8, not difflib's 0.6: a short alias ("charts", "contrast") half-matched unrelated skills.
        close = difflib.get_close_matches(key, list(self._lookup), n=1, cutoff=0.8)
        return self.skills[self._lookup[close[0]]].name if close else None
