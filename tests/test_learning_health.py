"""Learning-record figures (`practica push export-learning`) per item and per community on /health/ (from
`extra.practica.learning_file`) and in `practica report`; a broken export names its file, line and fix."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from bs4 import BeautifulSoup

from tests.conftest import CliResult, write_config
from tests.soup import after, attr, one

FIGURES = {"read": 0, "completed": 0, "answers": 0, "answers_right": 0, "video_started": 0, "video_completed": 0}
EXPORT = {
    "generated_at": "2026-11-23T08:00:00Z", "source": "lrs",
    "pages": {"learn/reading-charts/": FIGURES | {"title": "Reading charts", "read": 5, "completed": 3,
                                                  "answers": 4, "answers_right": 3},
              "videos/intro-video/": FIGURES | {"title": "Welcome", "video_started": 4, "video_completed": 1},
              "learn/gone/": FIGURES | {"title": "<script>alert(1)</script>", "read": "lots", "completed": -2,
                                        "answers": True}},
    "communities": {"data": FIGURES | {"read": 7, "completed": 3, "answers": 4, "answers_right": 3,
                                       "video_started": 4, "video_completed": 1},
                    "retired": FIGURES | {"read": 1}}}


def site_with(folder: Path, export: object) -> Path:
    (folder / "learning.json").write_text(json.dumps(export) if not isinstance(export, str) else export)
    return write_config(folder, docs_dir="content", practica={"learning_file": "learning.json"})


def test_health_page_shows_learning_per_item_and_community(cli: Callable[..., CliResult], mini: Path) -> None:
    folder = mini.parent
    config = site_with(folder, EXPORT)
    built = cli("build", "--config-file", config, "--site-dir", folder / "site")
    assert built.code == 0, built.err
    html = BeautifulSoup((folder / "site/health/index.html").read_text(), "html.parser")
    heading = one(html, "article h2#learning")
    assert heading.get_text(strip=True).startswith("Learning records (xAPI) (5)")
    table = after(heading, "table")
    rows = [[td.get_text(" ", strip=True) for td in tr.select("td")] for tr in table.select("tbody tr")]
    assert [r[:2] for r in rows] == [
        ["Reading charts on a phone", "5 read, 3 completed, check 75% right (4 answers)"],
        ["Welcome to the data community", "0 read, 0 completed, video finished by 1 of 4"],
        ["<script>alert(1)</script>", "0 read, 0 completed"],  # hostile figures count as nothing, text stays text
        ["Community: Data & Analytics", "7 read, 3 completed, check 75% right (4 answers), video finished by 1 of 4"],
        ["Community: retired", "1 read, 0 completed"]]
    assert table.select_one("script") is None
    links = {a.get_text(strip=True): attr(a, "href") for a in table.select("tbody tr td:first-child a")}
    assert links == {"Reading charts on a phone": "../learn/reading-charts/",
                     "Welcome to the data community": "../videos/intro-video/",
                     "Community: Data & Analytics": "../topics/data/"}
    assert rows[3][2] == "Ada Okafor"  # the community's stewards can act on it


def test_report_shows_the_learning_file_and_a_broken_one_names_file_line_and_fix(cli: Callable[..., CliResult],
                                                                                 mini: Path) -> None:
    folder = mini.parent
    config = site_with(folder, EXPORT)
    shown = cli("report", "--config-file", config, "--content", mini, "--only", "learning")
    assert shown.code == 0, shown.err
    assert "Reading charts on a phone: 5 read, 3 completed, check 75% right (4 answers)" in shown.out
    assert "Community: Data & Analytics: 7 read, 3 completed" in shown.out
    given = folder / "other.json"
    given.write_text(json.dumps({"pages": {}, "communities": {"data": FIGURES | {"read": 2}}}))
    chosen = cli("report", "--config-file", config, "--content", mini, "--only", "learning", "--learning", given)
    assert "Community: Data & Analytics: 2 read" in chosen.out and "Reading charts" not in chosen.out
    site_with(folder, '{\n  "pages": {\n    "learn/x/": {"read": 1,}\n  }\n}')
    broken = cli("report", "--config-file", config, "--content", mini)
    assert broken.code == 1
    assert "learning.json, line 3: not a learning-records export" in broken.err
    assert "practica push export-learning --out FILE" in broken.err
    site_with(folder, {"pages": [], "communities": {}})
    wrong = cli("report", "--config-file", config, "--content", mini)
    assert wrong.code == 1 and "field 'pages' must be an object" in wrong.err
    missing = cli("report", "--config-file", config, "--content", mini, "--learning", folder / "nope.json")
    assert missing.code == 1 and "nope.json: the learning-records export does not exist" in missing.err


def test_a_build_with_a_broken_learning_file_stops_and_says_why(cli: Callable[..., CliResult], mini: Path) -> None:
    folder = mini.parent
    config = site_with(folder, '{\n "pages": [\n')
    built = cli("build", "--config-file", config, "--site-dir", folder / "site")
    assert built.code == 1 and not (folder / "site/health/index.html").exists()
    assert "learning.json, line 3: not a learning-records export" in built.err


def test_a_broken_feedback_or_conversations_export_names_file_line_and_fix(cli: Callable[..., CliResult],
                                                                           mini: Path) -> None:
    """The other two exports `practica report` and /health/ read fail the same way: no traceback."""
    folder = mini.parent
    config = write_config(folder, docs_dir="content")
    cut = folder / "cut.json"
    cut.write_text('{\n  "pages": {\n    "learn/x/": {"helpful": 1,\n')
    listed = folder / "listed.json"
    listed.write_text("[1, 2]")
    for option, what, command in (("--feedback", "feedback export", "practica push export-feedback --out FILE"),
                                  ("--conversations", "conversations export",
                                   "practica push export-conversations --out FILE")):
        broken = cli("report", "--config-file", config, "--content", mini, option, cut)
        assert broken.code == 1 and "Traceback" not in broken.err
        assert f"cut.json, line 4: not a {what}" in broken.err and command in broken.err
        wrong = cli("report", "--config-file", config, "--content", mini, option, listed)
        assert wrong.code == 1 and f"listed.json: not a {what} (a JSON object)" in wrong.err
        missing = cli("report", "--config-file", config, "--content", mini, option, folder / "nope.json")
        assert missing.code == 1 and f"nope.json: the {what} does not exist" in missing.err
