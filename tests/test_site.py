"""The built site, page type by page type, read by parsing its HTML (the mini fixture community)."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

import pytest
from bs4 import BeautifulSoup, Tag

from generator.pages import topics
from tests.soup import after, attr, one


def page(site: Path, url: str) -> BeautifulSoup:
    return BeautifulSoup((site / url / "index.html").read_text(encoding="utf-8"), "html.parser")


def article(site: Path, url: str) -> Tag:
    return one(page(site, url), "article.md-content__inner")


def texts(elements: list[Tag]) -> list[str]:
    return [" ".join(e.get_text(" ", strip=True).split()) for e in elements]


def section(body: Tag, anchor: str) -> Tag:
    """The list that follows the heading with id `anchor`."""
    return after(one(body, f"#{anchor}"), ["ul", "ol"])


def jsonld(site: Path, url: str) -> dict[str, Any]:
    script = page(site, url).select_one('head script[type="application/ld+json"]')
    assert script is not None, f"{url} has no JSON-LD"
    data: dict[str, Any] = json.loads(script.string or "")
    return data


def resolve(site: Path, from_url: str, href: str) -> Path:
    """The file a relative link on the page at `from_url` points to."""
    target = urlsplit(urljoin("http://x/" + from_url, href)).path.lstrip("/")
    path = site / target
    return path / "index.html" if target.endswith("/") or target == "" else path


def test_directory_has_a_card_per_person_that_reads_without_javascript(mini_site: Path) -> None:
    body = article(mini_site, "people/")
    cards = body.select(".pr-directory > li.pr-person")
    assert [one(c, ".pr-person__name").get_text(strip=True) for c in cards] == ["Ada Okafor", "Bo Lindqvist"]
    ada = cards[0]
    photo = one(ada, "img.pr-avatar")
    assert photo["alt"] == "Ada Okafor" and photo["width"] == "48" and photo["height"] == "48"
    assert attr(photo, "src").endswith(".webp") and "320w" in attr(photo, "srcset")
    assert one(ada, ".pr-person__role").get_text() == "Senior Demand Planner · Planning"
    assert one(ada, ".pr-person__skills").get_text() == "Forecasting, SQL"
    assert one(ada, ".pr-person__open").get_text() == "Open to questions, mentoring"
    where = one(ada, ".pr-person__where")
    assert where.get_text() == "Leeds", "the local time is filled in by the browser, never baked in"
    assert one(where, ".pr-localtime")["data-tz"] == "Europe/London"
    assert ada["data-skills"] == "forecasting sql" and ada["data-topics"] == "data"
    assert ada.select(".pr-chip") == [], "a short row: skills as text"
    assert one(ada, ".pr-person__motto").get_text() == "“A forecast is a conversation, not a number.”"
    bo = cards[1]
    assert one(bo, ".pr-avatar--initials").get_text(strip=True) == "BL", "no photo: initials"
    form = one(body, "form.pr-filter")
    assert form.has_attr("hidden"), "the filter appears only when JavaScript can run it"
    assert {o["value"] for o in form.select("select[name=skill] option")} == {"", "forecasting", "sql",
                                                                              "data-visualisation"}
    assert texts(form.select("select[name=team] option")) == ["Any", "Planning"]
    assert bo.select_one(".pr-person__where") is None and bo.select_one(".pr-person__open") is None


def test_profile_shows_the_person_and_everything_they_did(mini_site: Path) -> None:
    body = article(mini_site, "people/ada/")
    photo = one(body, ".pr-profile img.pr-avatar")
    largest = resolve(mini_site, "people/ada/", attr(photo, "srcset").split(",")[-1].split()[0])
    assert largest.suffix == ".webp" and largest.stat().st_size < 30_000, "phones get a small resized photo"
    assert one(body, ".pr-motto").get_text(strip=True) == "A forecast is a conversation, not a number."
    assert texts(body.select(".pr-askme .pr-chip")) == ["Forecasting", "SQL"]
    actions = body.select(".pr-contact a")
    assert actions[0]["href"] == "mailto:ada.okafor@example.org"
    assert actions[1]["href"] == "https://chat.example.org/u/ada"
    assert "Thursdays 14:00-15:00" in one(body, ".pr-contact__hours").get_text()
    assert "Steward of Data & Analytics" in one(body, ".pr-member").get_text(" ", strip=True)
    groups = {h.get_text(strip=True).rstrip("¶"): h for h in body.select("h2")}
    wrote = after(groups["Wrote"], "ul").select(".pr-item__title")
    assert texts(wrote) == ["Forecasting at scale", "Welcome to the data community", "Forecast basics"], \
        "newest first"
    assert texts(after(groups["Answered"], "ul").select(".pr-item__title")) == ["What does MAPE mean?"]
    assert texts(after(groups["Verified"], "ul").select(".pr-item__title")) == ["What does MAPE mean?"]
    assert texts(after(groups["Curated"], "ul").select(".pr-item__title")) == ["Your first week with data"]
    assert jsonld(mini_site, "people/ada/")["@type"] == "Person"
    assert jsonld(mini_site, "people/ada/")["knowsAbout"] == ["Forecasting", "SQL"]


def test_community_hub(mini_site: Path) -> None:
    body = article(mini_site, "topics/data/")
    text = body.get_text(" ", strip=True)
    assert "Every team can read a forecast and question it." in text
    assert "Lunch & learn, first Tuesday of the month, 12:30" in text
    assert one(body, ".pr-meets a")["href"] == "https://chat.example.org/c/data"
    latest = texts(section(body, "new").select(".pr-item__title"))
    assert latest[0] == "Your first week with data" and len(latest) == topics.LATEST == 5
    assert texts(section(body, "paths").select(".pr-item__title")) == ["Your first week with data"]
    assert texts(body.select(".pr-stewards .pr-person-chip > span:last-child")) == ["Ada Okafor"]
    ask = after(one(body, "#people"), "p")
    assert texts(ask.select(".pr-person-chip > span:last-child")) == ["Bo Lindqvist"], "stewards not twice"
    follow = one(body, "a.pr-follow")
    assert follow["data-follow-topic"] == "data"
    save = one(body, ".pr-save")
    listing = json.loads((mini_site / "topics/data" / attr(save, "data-list")).read_text())
    assert len(listing["pages"]) == 8, "the hub and its seven items"
    assert listing["pages"][0] == "./" and "../../learn/forecast-basics/" in listing["pages"]


def test_skill_pages_rank_people_by_evidence(mini_site: Path) -> None:
    forecasting = article(mini_site, "skills/forecasting/")
    ranked = forecasting.select(".pr-ranked__person")
    assert texts([one(r, "a") for r in ranked]) == ["Ada Okafor"]
    assert one(ranked[0], ".pr-ranked__evidence").get_text() == "wrote 2 · answered 1 · verified 1 · declares it"
    assert set(texts(section(forecasting, "items").select(".pr-item__title"))) == {
        "Forecasting at scale", "What does MAPE mean?", "Forecast basics"}
    dataviz = article(mini_site, "skills/data-visualisation/")
    assert texts(dataviz.select(".pr-ranked__person > div > a")) == ["Bo Lindqvist"], "alias 'dataviz' resolved"


def test_search_gets_the_skill_pages_ranking_of_people(mini_site: Path) -> None:
    index = json.loads((mini_site / "search/skills.json").read_text())["skills"]
    assert ["data-visualisation", "Data visualisation", ["dataviz", "data visualization", "charts"]] in index
    forecasting = json.loads((mini_site / "search/experts/forecasting.json").read_text())
    assert forecasting["people"] == [["people/ada/", "Ada Okafor", forecasting["people"][0][2],
                                      "wrote 2 · answered 1 · verified 1 · declares it"]]
    assert {f.stem for f in (mini_site / "search/experts").iterdir()} == {s[0] for s in index}


def test_lesson_page(mini_site: Path) -> None:
    body = article(mini_site, "learn/forecast-basics/")
    assert texts(body.select(".pr-crumbs li")) == ["Home", "Lessons", "Forecast basics"]
    assert texts(body.select(".pr-objectives li")) == ["Tell a forecast from a target"]
    assert one(body, ".pr-meta__time").get_text(strip=True) == "1 min read"
    assert one(body, ".pr-meta__level").get_text(strip=True) == "Beginner"
    assert one(body, ".pr-badge--ok").get_text(strip=True) == "Reviewed by Ada Okafor on 1 Sep 2026"
    assert texts(body.select(".pr-byline .pr-person-chip")) == ["Ada Okafor"]
    form = one(body, "form.pr-check")
    assert form["data-answer"] == "2"
    assert one(form, "legend").get_text(strip=True) == "1. A forecast is…"
    assert [i["value"] for i in form.select("input[type=radio]")] == ["1", "2"]
    assert form.select_one("[role=status][aria-live=polite]") is not None
    assert "Which number in your team is really a target?" in one(body, ".pr-callout--reflect").get_text()
    assert "forecast error" in one(body, ".pr-callout--action").get_text()
    experts = texts(body.select(".pr-expert__name"))
    assert experts[0] == "Ada Okafor" and len(experts) <= 3
    edit = attr(one(body, "a.pr-edit"), "href")
    assert edit.endswith("/learn/forecast-basics.md") and edit.startswith("https://")
    data = jsonld(mini_site, "learn/forecast-basics/")
    assert data["@type"] == "LearningResource" and data["teaches"] == ["Tell a forecast from a target"]


def test_local_video_plays_with_captions_and_loads_nothing_until_asked(mini_site: Path) -> None:
    body = article(mini_site, "videos/intro-video/")
    video = one(body, "video")
    assert video["preload"] == "none" and video.has_attr("controls")
    assert resolve(mini_site, "videos/intro-video/", attr(video, "poster")).is_file()
    assert resolve(mini_site, "videos/intro-video/", attr(one(video, "source"), "src")).is_file()
    track = one(video, "track")
    assert track["kind"] == "captions" and resolve(mini_site, "videos/intro-video/", attr(track, "src")).is_file()
    assert [b["data-seek"] for b in body.select(".pr-chapters [data-seek]")] == ["0", "4"]
    assert "quokka" in one(body, "details.pr-transcript").get_text()
    data = jsonld(mini_site, "videos/intro-video/")
    assert data["@type"] == "VideoObject" and data["duration"] == "PT0M8S" and "quokka" in data["transcript"]


def test_external_video_is_a_click_to_load_facade(mini_site: Path) -> None:
    html = page(mini_site, "videos/external-talk/")
    facade = one(html, ".pr-facade")
    assert facade["data-embed"] == "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ?autoplay=1"
    assert html.select("iframe") == [], "no third-party frame until the reader taps play"
    assert attr(one(facade, "button.pr-facade__play"), "aria-label").startswith("Play")
    note = one(facade, ".pr-facade__note")
    assert "Plays from youtube-nocookie.com." in note.get_text(" ", strip=True)
    source = one(note, "a")
    assert (source.get_text(), source["href"]) == ("Open on youtube.com", "https://www.youtube.com/watch?v=dQw4w9WgXcQ")
    assert jsonld(mini_site, "videos/external-talk/")["embedUrl"].startswith("https://www.youtube-nocookie.com/")


def test_faq_pages_show_who_answered_and_verification(mini_site: Path) -> None:
    body = article(mini_site, "faq/what-is-mape/")
    assert one(body, "h1").get_text(strip=True).startswith("What does MAPE mean?")
    assert "Answered by" in one(body, ".pr-byline").get_text()
    assert one(body, ".pr-badge--ok").get_text(strip=True) == "Verified by Ada Okafor on 1 Oct 2026"
    assert "Asked by a new analyst" in body.get_text()
    unverified = one(article(mini_site, "faq/which-chart/"), ".pr-badge--unverified")
    assert unverified.get_text(strip=True) == "Not yet verified by an expert"
    data = jsonld(mini_site, "faq/what-is-mape/")
    assert data["@type"] == "FAQPage" and data["mainEntity"][0]["acceptedAnswer"]["text"].startswith("MAPE is")


def test_path_page_lists_steps_with_total_time_and_action_plan(mini_site: Path) -> None:
    body = article(mini_site, "paths/first-week/")
    steps = body.select(".pr-step")
    assert [s["data-step"] for s in steps] == ["forecast-basics", "reading-charts", "what-is-mape", "intro-video"]
    assert "Start here." in steps[0].get_text()
    assert "4 steps · 4 min in all" in one(body, ".pr-path__progress").get_text(" ", strip=True)
    assert texts(body.select(".pr-action-plan li")) == ["Read one forecast with your manager.",
                                                        "Bring one question to the lunch & learn."]
    assert jsonld(mini_site, "paths/first-week/")["hasPart"][0]["name"] == "Forecast basics"


def test_indexes_and_home(mini_site: Path) -> None:
    new = texts(article(mini_site, "new/").select(".pr-item__title"))
    assert new[0] == "Your first week with data" and new[-1] == "Forecast basics", "newest first"
    faq = article(mini_site, "faq/")
    assert texts(faq.select("h2"))[0].startswith("Data & Analytics")
    assert set(texts(article(mini_site, "videos/").select(".pr-item__title"))) == {
        "Forecasting at scale", "Welcome to the data community"}
    assert texts(article(mini_site, "paths/").select(".pr-item__title")) == ["Your first week with data"]
    home = article(mini_site, "")
    assert one(home, ".pr-home-actions a")["href"] == "people/"
    assert texts(section(home, "communities").select("h3")) == ["Data & Analytics"]
    assert len(section(home, "new").select("li")) == 6


def test_feeds_have_stable_ids_types_topics_and_people(mini_site: Path) -> None:
    feed = json.loads((mini_site / "feed.json").read_text())
    assert feed["version"] == "https://jsonfeed.org/version/1.1"
    first = feed["items"][0]
    assert first["id"] == "urn:practica:path:first-week"
    assert first["url"] == "http://127.0.0.1:8000/paths/first-week/"
    assert first["_practica"] == {"type": "path", "topics": ["data"], "people": ["ada"], "skills": [],
                                  "minutes": 4,  # its four steps' times, a minute each
                                  "experts": first["_practica"]["experts"]}  # test_ask_site.py checks them
    assert first["date_published"] == "2026-10-10T00:00:00Z" and first["image"].startswith("http://127.0.0.1:8000/")
    assert [(t["id"], t["stewards"]) for t in feed["_practica"]["topics"]] == [("data", ["ada"])]  # who moderates
    assert {p["id"] for p in feed["_practica"]["people"]} == {"ada", "bo"}
    atom = ET.fromstring((mini_site / "feed.xml").read_text())
    ns = {"a": "http://www.w3.org/2005/Atom"}
    assert [e.findtext("a:id", namespaces=ns) for e in atom.findall("a:entry", ns)] == [i["id"] for i in feed["items"]]
    topic = json.loads((mini_site / "topics/data/feed.json").read_text())
    assert len(topic["items"]) == 7 and "_practica" not in topic


def test_the_feed_carries_what_learning_records_need(mini_site: Path) -> None:
    """A lesson's knowledge check (question, options, correct option) and the site's language, which the
    community service turns into cmi.interaction activities; other items carry no `check`."""
    feed = json.loads((mini_site / "feed.json").read_text())
    assert feed["language"] == "en"
    items = {i["id"]: i["_practica"] for i in feed["items"]}
    assert items["urn:practica:lesson:forecast-basics"]["check"] == [
        {"question": "A forecast is…", "options": ["A target", "An estimate with uncertainty"], "answer": 2}]
    assert not any("check" in ext for item, ext in items.items() if not item.startswith("urn:practica:lesson:"))
    lesson = page(mini_site, "learn/forecast-basics")
    assert one(lesson, "[data-pr-learn]")["data-pr-learn"] == "urn:practica:lesson:forecast-basics"


def test_search_indexes_what_readers_look_for_and_skips_the_rest(mini_site: Path) -> None:
    """What Pagefind indexes is chosen in the HTML (its queries are tested in Chromium, test_mobile.py)."""
    entry = json.loads((mini_site / "pagefind/pagefind-entry.json").read_text())
    searchable = [p for p in mini_site.rglob("index.html") if "data-pagefind-body" in p.read_text()]
    assert entry["languages"]["en"]["page_count"] == len(searchable)
    unsearched = {p.parent.relative_to(mini_site).as_posix() for p in mini_site.rglob("index.html")} - \
        {p.parent.relative_to(mini_site).as_posix() for p in searchable}
    assert {".", "new", "offline", "health", "skills", "learn/page/2"} & unsearched >= {".", "new", "offline"}
    profile = one(page(mini_site, "people/ada/"), "[data-pagefind-body]")
    assert profile["data-pagefind-filter"] == "kind:Person"
    assert one(profile, ".pr-askme")["data-pagefind-weight"] == "10", "expertise weighs most"
    for ignored in (".pr-crumbs", ".pr-contact", ".pr-items"):
        assert one(profile, ignored).find_parent(attrs={"data-pagefind-ignore": True}), ignored
    video = one(page(mini_site, "videos/intro-video/"), "[data-pagefind-body]")
    assert "quokka" in one(video, "details.pr-transcript").get_text(), "the transcript is indexed"
    assert not (mini_site / "search/search_index.json").exists(), "Material's whole-site index is gone"
    offline = json.loads((mini_site / "pagefind/offline.json").read_text())
    assert offline["bytes"] == sum((mini_site / "pagefind" / f).stat().st_size for f in offline["files"])


def test_navigation_lists_sections_not_items(mini_site: Path) -> None:
    nav = page(mini_site, "learn/forecast-basics/").select(".md-nav--primary a.md-nav__link")
    hrefs = {a["href"] for a in nav}
    assert len(hrefs) <= 10
    assert not any("forecast-basics" in h or "ada" in h for h in hrefs)


@pytest.mark.parametrize("url", ["", "people/", "people/ada/", "learn/forecast-basics/", "videos/external-talk/",
                                 "topics/data/", "paths/first-week/"])
def test_pages_request_nothing_from_other_sites(mini_site: Path, url: str) -> None:
    html = page(mini_site, url)
    fetched = [(t.name, attr(t, name)) for t in html.find_all(True)
               for name in ("src", "srcset", "poster", "data-src")
               if t.get(name)]
    fetched += [("link", attr(t, "href")) for t in html.select("link[href]")
                if set(t.get_attribute_list("rel")) & {"stylesheet", "preload", "preconnect", "icon", "manifest",
                                                       "modulepreload", "apple-touch-icon", "dns-prefetch"}]
    external = [(tag, value) for tag, value in fetched if re.match(r"^(https?:)?//", value)]
    assert external == [], f"{url} fetches from other sites: {external}"


def test_stylesheets_fetch_nothing_from_other_sites(mini_site: Path) -> None:
    for css in mini_site.rglob("*.css"):
        text = css.read_text(encoding="utf-8", errors="replace")
        assert not re.search(r"(@import|url\()\s*['\"]?(https?:)?//", text), css


def test_content_pages_stay_small(mini_site: Path) -> None:
    sizes = {p: p.stat().st_size for p in mini_site.rglob("index.html")}
    largest = max(sizes, key=sizes.__getitem__)
    assert sizes[largest] < 40_000, f"{largest} is {sizes[largest]} bytes"


def test_contributed_images_have_dimensions_so_nothing_jumps(mini_site: Path) -> None:
    image = one(article(mini_site, "learn/reading-charts/"), "p img")
    assert image["alt"] == "A bar chart with a truncated axis"
    assert (image["width"], image["height"], image["loading"]) == ("300", "150", "lazy")
