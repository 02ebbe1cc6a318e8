"""Languages: the site's (Material's `theme.language`), each item's (`lang`), their writing direction, their
names, and Practica's own interface strings in them.

Tags are BCP 47 as HTML's `lang` attribute takes them (`ar`, `pt-BR`); Babel's CLDR data says whether a
language is known, how it names itself and which way it is written. Interface strings live in gettext
catalogues, `generator/locale/<language>/LC_MESSAGES/messages.po`, extracted from the templates and scripts
with Babel (`make messages`) and read as they are (no compiled .mo files in the repository).
"""

from __future__ import annotations

import io
import json
import re
from functools import cache
from gettext import NullTranslations
from pathlib import Path

from babel import Locale, UnknownLocaleError
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations

LOCALE_DIR = Path(__file__).parent / "locale"
DOMAIN = "messages"
_TAG = re.compile(r"^[A-Za-z]{2,3}(?:-[A-Za-z0-9]{2,8})*$")


def N_(text: str) -> str:
    """Marks a string defined in Python for the catalogues; the template that shows it translates it (`_()`)."""
    return text


# Words the code shows from data (a lesson's level, capitalised), listed so the catalogues have them.
LEVEL_NAMES = (N_("Beginner"), N_("Intermediate"), N_("Advanced"))


def normal(tag: str) -> str:
    """`AR` → `ar`, `pt_br` → `pt-BR`: the form HTML, Pagefind and the catalogues' folders use."""
    parts = tag.strip().replace("_", "-").split("-")
    rest = [p.upper() if len(p) == 2 else p.title() if len(p) == 4 else p.lower() for p in parts[1:]]
    return "-".join([parts[0].lower(), *rest])


def problem(tag: str) -> str | None:
    """Why `tag` is not a language Practica can write pages in (None: it is)."""
    if not _TAG.match(tag.strip()):
        return f"'{tag}' is not a language tag"
    try:
        Locale.parse(normal(tag), sep="-")
    except (UnknownLocaleError, ValueError):
        return f"'{tag}' is not a known language"
    return None


@cache
def _locale(tag: str) -> Locale:
    return Locale.parse(tag, sep="-")


def direction(tag: str) -> str:
    """`rtl` for languages written right to left (Arabic, Hebrew, Persian, Urdu…), else `ltr`."""
    return "rtl" if _locale(tag).character_order == "right-to-left" else "ltr"


def autonym(tag: str) -> str:
    """The language's name in itself, as a language menu shows it: `العربية`, `Français`."""
    name = _locale(tag).get_display_name(_locale(tag)) or tag
    return name[:1].upper() + name[1:]


def shipped() -> list[str]:
    """The languages Practica's interface strings are translated into (besides English, the source)."""
    found = (p for p in LOCALE_DIR.iterdir() if (p / "LC_MESSAGES" / f"{DOMAIN}.po").is_file())
    return sorted(p.name.replace("_", "-") for p in found)


def catalogue_path(tag: str) -> Path | None:
    """The catalogue for `tag`, or for its language without region (`pt-BR` → `pt`); None: English strings."""
    for candidate in (tag, tag.split("-")[0]):
        path = LOCALE_DIR / candidate.replace("-", "_") / "LC_MESSAGES" / f"{DOMAIN}.po"
        if path.is_file():
            return path
    return None


@cache
def translations(tag: str) -> NullTranslations:
    """Practica's interface strings in `tag` (English, the source language, when there is no catalogue)."""
    path = catalogue_path(tag)
    if path is None:
        return NullTranslations()
    with path.open("rb") as po:
        catalog = read_po(po, locale=_locale(tag).language)
    compiled = io.BytesIO()
    write_mo(compiled, catalog)
    compiled.seek(0)
    return Translations(compiled, domain=DOMAIN)


def strings_file(tag: str) -> str:
    """Where the site serves the scripts' strings in `tag`: one file per language, not in every page; beside the
    scripts, so the service worker precaches it with them (pages in that language work offline)."""
    return f"assets/practica/strings-{tag}.js"


def strings_script(tag: str) -> str:
    """That file: it adds the language's table to `practicaStrings`, which `practica.tr` (shared.js) reads for pages
    whose <html lang> is `tag`. JSON is valid JavaScript; `<` is escaped so the text can never close a tag."""
    table = json.dumps({tag: script_strings(tag)}, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return ("self.practicaStrings = Object.assign(self.practicaStrings || {}, " + table.replace("<", "\\u003c")
            + ");\n")


@cache
def script_strings(tag: str) -> dict[str, str]:
    """The translated strings the browser scripts use (msgid → text), for pages in `tag`; empty in English."""
    path = catalogue_path(tag)
    if path is None:
        return {}
    with path.open("rb") as po:
        catalog = read_po(po)
    return {str(m.id): str(m.string) for m in catalog if m.id and m.string and isinstance(m.id, str)
            and any(loc[0].endswith(".js") for loc in m.locations)}
