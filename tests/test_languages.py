"""Languages (issue 22): an item's `lang` and `translation_of`, pages in the item's language and direction,
Practica's own strings from the gettext catalogues, one list row per translated item, and the search filter."""

from __future__ import annotations

import json
import re
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml
from babel.messages.pofile import read_po
from bs4 import BeautifulSoup

from generator import languages
from generator.content.load import load_community
from generator.errors import ConfigError
from generator.settings import load_settings
from tests.conftest import ROOT, CliResult, line_of, write_config
from tests.soup import attr, one

ARABIC = """---
title: "أساسيات التنبؤ"
summary: "ما هو التنبؤ وما ليس هو."
lang: ar
translation_of: forecast-basics
topics: [data]
authors: [ada]
objectives:
  - "التمييز بين التنبؤ والهدف"
level: beginner
date: 2026-05-10
check:
  - question: "التنبؤ هو…"
    options: ["هدف", "تقدير مع عدم يقين"]
    answer: 2
---

التنبؤ تقدير، والهدف غاية نسعى إليها.
"""
FRENCH_ONLY = """---
title: "Lire un tableau de bord en réunion"
summary: "Trois questions à poser avant de commenter un chiffre."
lang: fr
topics: [data]
authors: [ada]
objectives:
  - "Poser trois questions avant de commenter un chiffre"
date: 2026-05-12
---

Avant de commenter un chiffre, demandez d'où il vient, ce qu'il mesure et à quoi le comparer.
"""


def with_translations(mini: Path) -> Path:
    (mini / "learn" / "forecast-basics-ar.md").write_text(ARABIC, encoding="utf-8")
    (mini / "learn" / "tableau-de-bord.md").write_text(FRENCH_ONLY, encoding="utf-8")
    return mini


def problems(mini: Path, config: Path | None = None) -> list[str]:
    settings = load_settings(config or mini.parent / "mkdocs.yml", content_dir=mini)
    return [f"{p.where}: {p.message} (fix: {p.hint})" for p in load_community(settings).problems]


def built(cli: Callable[..., CliResult], tmp_path: Path, mini: Path, **config: object) -> Path:
    result = cli("build", "--config-file", write_config(tmp_path / "cfg", **config), "--content", mini,
                 "--site-dir", tmp_path / "site")
    assert result.code == 0, result.err
    return tmp_path / "site"


def page(site: Path, url: str) -> BeautifulSoup:
    return BeautifulSoup((site / url / "index.html").read_text(encoding="utf-8"), "html.parser")


# The catalogues

def extracted(folder: Path) -> set[str | tuple[str, ...]]:
    """Every interface string in the code, as `make messages` extracts it (babel.cfg)."""
    pot = folder / "messages.pot"
    subprocess.run([str(ROOT / ".venv" / "bin" / "pybabel"), "extract", "-F", "babel.cfg", "-k", "N_", "-k", "tr",
                    "--omit-header", "-o", str(pot), "."], cwd=ROOT, capture_output=True, check=True)
    with pot.open("rb") as file:
        return {m.id if isinstance(m.id, str) else tuple(m.id) for m in read_po(file) if m.id}


@pytest.fixture(scope="module")
def strings(tmp_path_factory: pytest.TempPathFactory) -> set[str | tuple[str, ...]]:
    return extracted(tmp_path_factory.mktemp("messages"))


def test_two_languages_besides_english_are_shipped_one_right_to_left() -> None:
    shipped = languages.shipped()
    assert len(shipped) >= 2
    assert "rtl" in {languages.direction(lang) for lang in shipped}


@pytest.mark.parametrize("lang", languages.shipped())
def test_every_interface_string_is_translated_with_the_same_placeholders(
        lang: str, strings: set[str | tuple[str, ...]]) -> None:
    path = languages.catalogue_path(lang)
    assert path is not None
    with path.open("rb") as po:
        catalogue = {m.id if isinstance(m.id, str) else tuple(m.id): m.string for m in read_po(po) if m.id}
    assert sorted(map(str, strings - catalogue.keys())) == [], f"run `make messages` and translate ({lang})"
    for msgid in strings:
        text = catalogue[msgid]
        forms = [text] if isinstance(text, str) else list(text or ())
        assert all(forms), f"{lang}: {msgid!r} is not translated"
        wanted = set(re.findall(r"%\(\w+\)[sd]", msgid if isinstance(msgid, str) else msgid[-1]))
        for form in forms:
            # A plural form for exactly one or two may say the number in words.
            assert set(re.findall(r"%\(\w+\)[sd]", form)) <= wanted, f"{lang}: {msgid!r} → {form!r}"
            if isinstance(msgid, str):
                assert set(re.findall(r"%\(\w+\)[sd]", form)) == wanted, f"{lang}: {msgid!r} → {form!r}"


# Validation

@pytest.mark.parametrize(("line", "message"), [
    ("lang: english", "'english' is not a language tag"),
    ("lang: xx", "'xx' is not a known language"),
])
def test_a_wrong_language_is_an_error_at_its_line(mini: Path, line: str, message: str) -> None:
    rel = "learn/forecast-basics.md"
    text = (mini / rel).read_text(encoding="utf-8")
    (mini / rel).write_text(text.replace("level: beginner", f"level: beginner\n{line}"), encoding="utf-8")
    found = problems(mini)
    assert len(found) == 1 and found[0].startswith(f"{rel}:{line_of(mini / rel, line)}:"), found
    assert message in found[0] and "write a language tag such as en, ar, fr or pt-BR" in found[0]


@pytest.mark.parametrize(("change", "message", "fix"), [
    (("translation_of: forecast-basics", "translation_of: forecast-basix"), "no lesson, video, FAQ or path with id "
     "'forecast-basix'", "did you mean 'forecast-basics'?"),
    (("translation_of: forecast-basics", "translation_of: forecast-basics-ar"), "an item cannot be a translation of "
     "itself", "name the item this one translates"),
    (("translation_of: forecast-basics", "translation_of: first-week"), "'first-week' is a path, this is a lesson",
     "name the lesson this one translates"),
    (("lang: ar", "lang: en"), "'forecast-basics' is written in 'en' too", "set 'lang' to the language"),
])
def test_a_wrong_translation_is_an_error_naming_the_fix(mini: Path, change: tuple[str, str], message: str,
                                                        fix: str) -> None:
    with_translations(mini)
    rel = "learn/forecast-basics-ar.md"
    (mini / rel).write_text(ARABIC.replace(*change), encoding="utf-8")
    found = problems(mini)
    assert len(found) == 1, found
    assert found[0].startswith(f"{rel}:{line_of(mini / rel, 'translation_of:')}:"), found
    assert message in found[0] and fix in found[0], found


def test_a_translation_of_a_translation_and_two_in_one_language_are_errors(mini: Path) -> None:
    with_translations(mini)
    second = ARABIC.replace("date: 2026-05-10", "date: 2026-05-11")
    (mini / "learn" / "forecast-basics-ar2.md").write_text(second, encoding="utf-8")
    chained = ARABIC.replace("lang: ar", "lang: fr").replace("translation_of: forecast-basics",
                                                              "translation_of: forecast-basics-ar")
    (mini / "learn" / "forecast-basics-fr.md").write_text(chained, encoding="utf-8")
    found = problems(mini)
    assert any("learn/forecast-basics-ar2.md" in p and "'forecast-basics' already has a translation in 'ar': "
               "learn/forecast-basics-ar.md" in p for p in found), found
    assert any("learn/forecast-basics-fr.md" in p and "'forecast-basics-ar' is itself a translation (of "
               "'forecast-basics')" in p and "translation_of: forecast-basics)" in p for p in found), found


def test_a_wrong_site_language_is_a_config_error(tmp_path: Path) -> None:
    config = write_config(tmp_path, theme={"name": "material", "language": "xx"})
    with pytest.raises(ConfigError, match=r"setting 'theme\.language': 'xx' is not a known language"):
        load_settings(config)


# Pages

@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The mini community with an Arabic translation and a French-only lesson, built once."""
    import shutil

    from generator.cli import main
    from tests.conftest import MINI

    folder = tmp_path_factory.mktemp("languages")
    shutil.copytree(MINI, folder / "content")
    with_translations(folder / "content")
    config = write_config(folder, docs_dir="content")
    assert main(["build", "--config-file", str(config), "--site-dir", str(folder / "site")]) == 0
    return folder / "site"


def test_an_arabic_lesson_is_right_to_left_in_arabic_with_the_site_s_chrome_in_english(site: Path) -> None:
    html = page(site, "learn/forecast-basics-ar")
    root, body = one(html, "html"), one(html, "body")
    assert (attr(root, "lang"), attr(root, "dir"), attr(body, "dir")) == ("ar", "rtl", "rtl")
    header = one(html, "header.md-header")
    assert (attr(header, "lang"), attr(header, "dir")) == ("en", "ltr")
    assert one(html, ".pr-objectives__title").get_text(strip=True) == "بعد هذا الدرس ستكون قادرًا على:"
    assert one(html, ".pr-check__submit").get_text(strip=True) == "تحقق من الإجابة"
    assert [a.get_text(strip=True) for a in html.select(".pr-crumbs a")] == ["الرئيسية", "الدروس"]
    assert "10 مايو 2026" in one(html, ".pr-meta__date").get_text()
    # The scripts' strings come from one cached file per language, loaded before the scripts (not in every page).
    scripts = [attr(s, "src") for s in html.select("script[src]")]
    assert scripts.index("../../assets/practica/strings-ar.js") < scripts.index("../../assets/practica/shared.js")
    source = (site / "assets/practica/strings-ar.js").read_text(encoding="utf-8")
    prefix = "self.practicaStrings = Object.assign(self.practicaStrings || {}, "
    assert source.startswith(prefix) and source.endswith(");\n")
    strings = json.loads(source[len(prefix):-3])["ar"]
    assert strings["Correct!"] == "إجابة صحيحة!" and "Lesson" not in strings  # the scripts' strings only


def test_translations_link_to_each_other_in_the_page(site: Path) -> None:
    english, arabic = page(site, "learn/forecast-basics"), page(site, "learn/forecast-basics-ar")
    link = one(english, ".pr-translations a")
    assert (attr(link, "href"), attr(link, "hreflang"), attr(link, "lang"), attr(link, "dir"),
            link.get_text(strip=True)) == ("../forecast-basics-ar/", "ar", "ar", "rtl", "العربية")
    assert one(arabic, ".pr-translations").get_text(" ", strip=True) == "متوفر أيضًا بـ: English"
    # Not in <head> as <link rel="alternate" hreflang>: Material takes those for other-language copies of the whole
    # site and fetches each one's sitemap.xml on every page view.
    assert not english.select("link[rel=alternate][hreflang]")
    assert not [s for s in english.select("script[src]") if "strings-" in attr(s, "src")]
    assert attr(one(english, "html"), "lang") == "en"
    assert not one(english, "html").has_attr("dir")  # Material's own page, as it was


def test_lists_show_one_row_per_translated_item_offering_the_other_languages(site: Path) -> None:
    hub = page(site, "topics/data")
    rows = [a for a in hub.select(".pr-item__title") if "forecast-basics" in attr(a, "href")]
    assert [attr(a, "href") for a in rows] == ["../../learn/forecast-basics/"]
    offered = json.loads(attr(one(hub, ".pr-item[data-pr-langs]"), "data-pr-langs"))
    assert offered == {"en": {"url": "../../learn/forecast-basics/", "title": "Forecast basics",
                              "summary": "What a forecast is, and what it is not."},
                       "ar": {"url": "../../learn/forecast-basics-ar/", "title": "أساسيات التنبؤ",
                              "summary": "ما هو التنبؤ وما ليس هو."}}
    french = next(a for a in hub.select(".pr-item__title") if "tableau-de-bord" in attr(a, "href"))
    assert (attr(french, "lang"), attr(french, "dir")) == ("fr", "ltr")  # an item only in French is listed as such


def test_search_indexes_every_language_in_one_index_with_a_language_filter(site: Path) -> None:
    pages = (("learn/forecast-basics", "en"), ("learn/forecast-basics-ar", "ar"), ("learn/tableau-de-bord", "fr"))
    for url, lang in pages:
        assert attr(one(page(site, url), "[data-pagefind-body] > [data-pagefind-filter^='lang:']"),
                    "data-pagefind-filter") == f"lang:{lang}"
    entry = json.loads((site / "pagefind" / "pagefind-entry.json").read_text())
    assert list(entry["languages"]) == ["en"]  # one index, so a reader finds items in every language


def test_a_right_to_left_site_is_mirrored_and_its_pages_speak_its_language(cli: Callable[..., CliResult],
                                                                          tmp_path: Path, mini: Path) -> None:
    from generator.settings import _TolerantLoader

    theme = yaml.load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"), Loader=_TolerantLoader)["theme"]
    theme.update(language="ar", custom_dir=str(ROOT / "pwa" / "overrides"))
    site = built(cli, tmp_path, mini, theme=theme)
    home = page(site, "")
    assert (attr(one(home, "html"), "lang"), attr(one(home, "body"), "dir")) == ("ar", "rtl")
    lesson = page(site, "learn/forecast-basics")  # written in the site's language: Arabic chrome, Arabic strings
    assert one(lesson, ".pr-objectives__title").get_text(strip=True) == "بعد هذا الدرس ستكون قادرًا على:"
    # The hubs, the home page and the profiles speak it too (issue 22's remaining strings), counts in Arabic's forms.
    assert one(home, ".pr-home-actions .md-button--primary").get_text(strip=True) == "ابحث عن خبير"
    assert one(home, "#pr-continue-title").get_text(strip=True) == "تابع من حيث توقفت"
    hub = page(site, "topics/data")
    assert one(hub, "#about").get_text(strip=True).startswith("عن هذا المجتمع")
    assert [a.get_text(strip=True) for a in hub.select(".pr-crumbs a")][:2] == ["الرئيسية", "المجتمعات"]
    topics = page(site, "topics")
    assert one(topics, "h1").get_text(strip=True).startswith("المجتمعات")
    counts = one(topics, ".pr-topic__counts").get_text()
    assert "item" not in counts and "·" in counts
    people = page(site, "people")
    assert one(people, ".pr-lead").get_text(strip=True).startswith("شخصان يشاركان ما يعرفانه")  # two people: the dual
    profile = page(site, "people/ada")
    assert one(profile, "#about").get_text(strip=True).startswith("نبذة")
    assert "Follow" not in one(profile, ".pr-follow").get_text()
    assert one(page(site, "offline"), "h1").get_text(strip=True).startswith("أنت غير متصل")
    assert problems(mini, tmp_path / "cfg" / "mkdocs.yml") == []
