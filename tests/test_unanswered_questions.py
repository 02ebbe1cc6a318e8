"""Unanswered questions: `practica push export-conversations` lists board questions nobody but the asker has
answered after N days; `practica report` and /health/ show them per community, linked to the hub's thread,
with readers' titles kept as text."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from collections.abc import Callable
from pathlib import Path

from bs4 import BeautifulSoup

from generator.service.identity.principal import Principal
from generator.service.privacy.people import remember
from generator.service.store.backend import open_store

from .conftest import MINI, CliResult, write_config
from .service.forum import SQL_JOINS, ingest_talk_feed
from .soup import after, attr

NOW = dt.datetime.now(dt.UTC)
TITLE = "Why is <b>MAPE</b> [huge](x) @ada?"


def forum(db: Path) -> dict[str, int]:
    """Questions on the data board: waiting 5 days, answered, answered by the asker only, asked yesterday."""
    store = open_store(db)
    ids = {}
    try:
        for subject in ("sso|a", "sso|b", "sso|c", "sso|d", "sso|e"):
            remember(store, Principal(subject, None, None, "jwt"), NOW - dt.timedelta(days=10))
        for name, days, answers in (("waiting", 5, ()), ("answered", 6, ("sso|b",)), ("self", 4, ("sso|a",)),
                                    ("new", 1, ())):
            at = NOW - dt.timedelta(days=days)
            thread = store.create_thread("board", "data", "question", TITLE if name == "waiting" else name,
                                         "sso|a", at)
            store.add_post(thread.id, None, "sso|a", "Help?", "visible", f"q-{name}", at)
            for n, who in enumerate(answers):
                store.add_post(thread.id, None, who, "This.", "visible", f"a-{name}-{n}", at)
            ids[name] = thread.id
        insight = store.create_thread("board", "data", "insight", "An insight", "sso|a", NOW - dt.timedelta(days=9))
        store.add_post(insight.id, None, "sso|a", "Note", "visible", "i-1", insight.created_at)
        # The discussion of a lesson of the data community: sso|c is new there, sso|d returns after 40 days,
        # sso|e only posted long ago, sso|b (already on the board) counts once.
        ingest_talk_feed(store)
        lesson = store.create_thread("item", SQL_JOINS, None, None, "sso|d", NOW - dt.timedelta(days=40))
        for n, (who, days) in enumerate((("sso|d", 40), ("sso|e", 39), ("sso|d", 2), ("sso|c", 1), ("sso|b", 1))):
            store.add_post(lesson.id, None, who, "On the lesson.", "visible", f"l-{n}", NOW - dt.timedelta(days=days))
    finally:
        store.close()
    return ids


def export(cli: Callable[..., CliResult], tmp_path: Path, out: Path) -> dict[str, int]:
    ids = forum(tmp_path / "push.sqlite3")
    result = cli("push", "export-conversations", "--db", tmp_path / "push.sqlite3", "--out", out)
    assert result.code == 0, result.err
    return ids


def test_the_export_lists_only_questions_nobody_else_answered_in_time(cli: Callable[..., CliResult],
                                                                      tmp_path: Path) -> None:
    ids = export(cli, tmp_path, tmp_path / "c.json")
    data = json.loads((tmp_path / "c.json").read_text())
    assert data["days"] == 3 and data["window_days"] == 30
    # 4 questions, 1 answered by someone else (at once: 0 h; the asker's own reply does not count);
    # the asker, sso|b and sso|c (on a lesson of the community) posted for the first time in the window,
    # sso|d came back to a discussion they first joined 40 days ago.
    assert data["communities"] == {"data": {"questions": 4, "answered": 1, "median_hours_to_answer": 0.0,
                                            "new": 3, "returning": 1}}
    assert [(q["thread"], q["community"], q["title"]) for q in data["unanswered"]] == [
        (ids["waiting"], "data", TITLE), (ids["self"], "data", "self")]


def test_report_and_health_page_show_unanswered_questions(cli: Callable[..., CliResult], tmp_path: Path) -> None:
    folder = tmp_path / "site-src"
    shutil.copytree(MINI, folder / "content")
    # Cy publishes their first lesson in the community within the window: a new contributor.
    (folder / "content/people/cy.md").write_text(
        "---\nname: Cy <b>Tran</b>\nrole: Planner\ntopics: [data]\n---\nCy plans.\n")
    recent = (NOW - dt.timedelta(days=3)).date().isoformat()
    lesson = (folder / "content/learn/forecast-basics.md").read_text()
    (folder / "content/learn/cy-first.md").write_text(
        lesson.replace("authors: [ada]", "authors: [cy]").replace("date: 2026-05-04", f"date: {recent}")
        .replace("Forecast basics", "Cy's first forecast").replace("  by: ada", "  by: cy"))
    ids = export(cli, tmp_path, folder / "conversations.json")
    config = write_config(folder, docs_dir="content", practica={"conversations_file": "conversations.json"})
    text = cli("report", "--config-file", config, "--only", "unanswered_questions").out
    asked = (NOW - dt.timedelta(days=5)).date().isoformat()
    assert "Unanswered questions (2)" in text
    assert f"{TITLE}: asked {asked} on the Data & Analytics board, no answer yet (Ada Okafor)" in text
    markdown = cli("report", "--config-file", config, "--format", "markdown", "--only", "unanswered_questions").out
    assert (f"- [ ] [Why is &lt;b&gt;MAPE&lt;/b&gt; \\[huge\\]\\(x\\) \\@ada?](http://127.0.0.1:8000/topics/data/"
            f"?thread={ids['waiting']})") in markdown
    rows = json.loads(cli("report", "--config-file", config, "--format", "json").out)["sections"]
    assert [r["page"] for r in rows["unanswered_questions"]] == [f"topics/data/?thread={ids[k]}"
                                                                 for k in ("waiting", "self")]

    assert cli("build", "--config-file", config, "--site-dir", folder / "site").code == 0
    html = BeautifulSoup((folder / "site/health/index.html").read_text(), "html.parser")
    heading = html.select_one("article h2#unanswered-questions")
    assert heading is not None and heading.get_text(strip=True).startswith("Unanswered questions (2)")
    first = after(heading, "table").select("tbody tr")[0]
    link = first.select("td a")[0]
    assert link.get_text() == TITLE and attr(link, "href") == f"../topics/data/?thread={ids['waiting']}"
    assert "on the Data & Analytics board, no answer yet" in first.get_text()
    assert html.select("article b") == []
    table = after(heading.find_next("h2", id="conversation"), "table")  # type: ignore[arg-type]
    cells = [td.get_text(strip=True) for td in table.select("tbody tr")[0].select("td")]
    assert cells[0] == "Data & Analytics" and cells[2:] == ["4", "25%", "0.0 h", "3", "1", "1(Cy <b>Tran</b>)"]
    text = cli("report", "--config-file", config).out
    assert "Data & Analytics (goal: " in text and ": 4 questions, 25% answered, first answer in 0 h (median); " \
           "3 new and 1 returning participants; 1 new contributor (Cy <b>Tran</b>)" in text
    markdown = cli("report", "--config-file", config, "--format", "markdown").out
    assert ("| Data &amp; Analytics | Every team can read a forecast and question it. | 4 questions, 25% answered, "
            "first answer in 0 h \\(median\\); 3 new and 1 returning participants; 1 new contributor \\(Cy "
            "&lt;b&gt;Tran&lt;/b&gt;\\) |") in markdown
