"""Numbers a reader sees agree with what they count: a report's headline, and a path's time."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from bs4 import BeautifulSoup

from generator.content.load import load_community
from generator.content.models import VideoMeta
from generator.settings import load_settings
from tests.conftest import CliResult, write_config
from tests.soup import one


def test_the_report_headline_counts_the_sections_shown(cli: Callable[..., CliResult], mini: Path) -> None:
    feedback = {"pages": {"learn/forecast-basics/": {"helpful": 0, "not_helpful": 2, "comments": ["Too short"]}}}
    (mini.parent / "feedback.json").write_text(json.dumps(feedback))
    config = write_config(mini.parent, docs_dir="content")
    for fmt in ("text", "markdown"):
        out = cli("report", "--config-file", config, "--only", "feedback", "--feedback", mini.parent / "feedback.json",
                  "--format", fmt).out
        headline = out.splitlines()[2 if fmt == "markdown" else 0]
        assert "1 thing to look at" in headline and "Reader feedback (1)" in out, out


def test_a_paths_time_is_the_sum_of_its_steps_everywhere(cli: Callable[..., CliResult], mini: Path) -> None:
    config = write_config(mini.parent, docs_dir="content")
    community = load_community(load_settings(config))
    path = community.paths["first-week"]
    steps = [step for step, _ in community.steps(path)]
    video = next(s for s in steps if s.kind == "video")
    assert isinstance(video.meta, VideoMeta)
    assert video.minutes == -(-video.meta.duration // 60), "a video counts for its duration"
    assert path.minutes == sum(s.minutes for s in steps) > 1
    site = mini.parent / "site"
    assert cli("build", "--config-file", config, "--site-dir", site).code == 0
    feed = json.loads((site / "feed.json").read_text())
    item = next(i for i in feed["items"] if i["url"].endswith("/paths/first-week/"))
    assert item["_practica"]["minutes"] == path.minutes
    page = BeautifulSoup((site / "paths/first-week/index.html").read_text(), "html.parser")
    assert f"{path.minutes} min in all" in one(page, ".pr-path__progress").get_text()
    listing = BeautifulSoup((site / "paths/index.html").read_text(), "html.parser").get_text(" ")
    assert f"{path.minutes} min" in listing
