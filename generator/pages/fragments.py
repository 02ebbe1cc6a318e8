"""Pieces of HTML that appear on many pages — a person's chip or card, an item's row — rendered once.

Links are relative, so a fragment depends only on what it shows and on how deep the page is; it is
rendered from `_macros.html.j2` once per (arguments, depth) and reused on every other page at that depth.
This is where most of the page builders' time went before (hundreds of thousands of macro calls).
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import partial
from typing import Any

from markupsafe import Markup

from .. import languages
from ..community import Community, Item, Person
from .render import environment, noindex


class Fragments:
    """The cache, shared by all pages of one build."""

    def __init__(self, context: dict[str, Any]) -> None:
        self._context = context
        self._modules: dict[tuple[int, str], Any] = {}
        self._cache: dict[tuple[Any, ...], Markup] = {}

    @property
    def community(self) -> Community:
        found: Community = self._context["community"]
        return found

    def at(self, here: str, lang: str) -> Bound:
        return Bound(self, (here.count("/"), lang))

    def call(self, where: tuple[int, str], name: str, *args: Any) -> Markup:
        key = (name, where, *args)
        found = self._cache.get(key)
        if found is None:
            found = self._cache[key] = Markup(getattr(self._module(where), name)(*args))
        return found

    def _module(self, where: tuple[int, str]) -> Any:
        """The macros for pages at one depth in one language."""
        module = self._modules.get(where)
        if module is None:
            # A stand-in page at the same depth: "·" is never a real folder, so links come out the same.
            depth, lang = where
            context = {**self._context, "here": "·/" * depth, "lang": lang, "dir": languages.direction(lang),
                       "item_time": partial(self._context["item_time"], lang=lang)}
            module = environment(lang).get_template("_macros.html.j2").make_module(context)
            self._modules[where] = module
        return module


class Bound:
    """Fragments for pages at one depth, as templates call them (`frag.item_list(items)`)."""

    def __init__(self, fragments: Fragments, where: tuple[int, str]) -> None:
        self._f, self._depth = fragments, where

    def avatar(self, person: Person, size: int = 64) -> Markup:
        return self._f.call(self._depth, "avatar", person, size)

    def person_chip(self, person: Person) -> Markup:
        return self._f.call(self._depth, "person_chip", person)

    def people_chips(self, people: Iterable[Person], shown: int | None = None) -> Markup:
        chips = [self.person_chip(p) for p in people]
        cut = shown if shown and len(chips) > shown else len(chips)
        more = Markup("")
        if cut < len(chips):  # the rest behind a disclosure, as in `chip_list` (_macros.html.j2)
            more = Markup('<details class="pr-chipmore"><summary class="pr-chip pr-chipmore__toggle">'
                          '<span class="pr-chipmore__closed">+{} more<span class="pr-sr"> people</span></span>'
                          '<span class="pr-chipmore__open">Fewer<span class="pr-sr"> people</span></span></summary>'
                          '<span class="pr-people">{}</span></details>').format(len(chips) - cut,
                                                                                Markup("").join(chips[cut:]))
        return Markup('<span class="pr-people">') + Markup("").join(chips[:cut]) + more + Markup("</span>")

    def person_card(self, person: Person, heading: str = "h3", chips: int = 3, filterable: bool = False) -> Markup:
        return self._f.call(self._depth, "person_card", person, heading, chips, filterable)

    def directory_card(self, person: Person) -> Markup:
        return self._f.call(self._depth, "directory_card", person)

    def contact_actions(self, person: Person) -> Markup:
        return self._f.call(self._depth, "contact_actions", person)

    def skill_chips(self, skill_ids: Iterable[str], shown: int | None = None) -> Markup:
        return self._f.call(self._depth, "skill_chips", tuple(skill_ids), shown)

    def topic_chips(self, topic_ids: Iterable[str], shown: int | None = None) -> Markup:
        return self._f.call(self._depth, "topic_chips", tuple(topic_ids), shown)

    def item_row(self, item: Item, show_date: bool = True, note: str | None = None) -> Markup:
        return self._f.call(self._depth, "item_row", item, show_date, note)

    def item_list(self, items: Iterable[Item], show_date: bool = True, label: str | None = None) -> Markup:
        rows = [self.item_row(item, show_date) for item in self.one_per_translation(items)]
        if not rows:
            return Markup("")
        aria = Markup(' aria-label="{}"').format(label) if label else Markup("")
        return noindex(Markup('<ul class="pr-items"{}>\n').format(aria) + Markup("\n").join(rows) +
                        Markup("\n</ul>"))

    def one_per_translation(self, items: Iterable[Item]) -> list[Item]:
        """One row for an item and its translations: the one in the page's language, else the site's, else the
        first listed. Its row offers the others (item_row: `data-pr-langs`, which practica.js uses to show the
        reader's own language when the device prefers it)."""
        community = self._f.community
        listed = list(items)
        groups: dict[str, list[Item]] = {}
        for item in listed:
            groups.setdefault(community.original_of(item).id, []).append(item)
        wanted = (self._depth[1], community.settings.language)
        chosen = {key: next((i for lang in wanted for i in group if community.language_of(i) == lang), group[0])
                  for key, group in groups.items()}
        return [item for item in listed if chosen[community.original_of(item).id] is item]

    def featured_list(self, featured: Iterable[tuple[Item, str | None]]) -> Markup:
        rows = Markup("\n").join(self.item_row(item, True, note) for item, note in featured)
        return noindex(Markup('<ul class="pr-items pr-items--featured" aria-label="Featured">\n') + rows +
                        Markup("\n</ul>"))

