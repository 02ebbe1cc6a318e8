"""Build a real site, ingest its feed, add content, rebuild, ingest again: each subscriber gets what it follows."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from generator.cli import main
from generator.service.config import ServiceSettings
from generator.service.models import Preferences, Subscription, utcnow
from generator.service.push.ingest import ingest_source
from generator.service.push.schedule import Rules
from generator.service.store.sqlite import SqliteStore
from tests.conftest import MINI, write_config

from .conftest import ReceiverClient, run_send

pytestmark = pytest.mark.both_backends

NEW_LESSON = """---
title: Forecast error in one number
summary: MAPE and bias, and when each one misleads.
topics: [data]
authors: [ada]
objectives: [Compute MAPE, Spot a biased forecast]
date: 2026-10-01
---
Error has a size and a direction.
"""
NEW_FAQ = """---
title: Should a chart's axis start at zero?
topics: [data]
answered_by: bo
date: 2026-10-02
---
For bars, yes; for lines, not always.
"""


def _build(config: Path, content: Path, site: Path) -> Path:
    assert main(["build", "--config-file", str(config), "--content", str(content), "--site-dir", str(site)]) == 0
    return site / "feed.json"


def test_a_rebuilt_site_notifies_exactly_the_matching_subscribers(tmp_path: Path, store: SqliteStore,
                                                                   settings: ServiceSettings,
                                                                   receiver: ReceiverClient) -> None:
    content = tmp_path / "content"
    shutil.copytree(MINI, content)
    config = write_config(tmp_path / "config", docs_dir=str(content))
    site = tmp_path / "site"
    first = ingest_source(store, str(_build(config, content, site)), utcnow(), Rules())
    assert first.initial and first.new > 0 and first.queued == 0

    wanted = {"community": Preferences(topics=("data",)), "bo": Preferences(people=("bo",)),
              "videos": Preferences(types=("video",)),
              "lessons by ada": Preferences(people=("ada",), types=("lesson",))}
    endpoints = {}
    for (name, prefs), sub in zip(wanted.items(), receiver.subscribe(len(wanted)), strict=True):
        store.save_subscription(Subscription(sub["endpoint"], sub["keys"]["p256dh"], sub["keys"]["auth"], prefs))
        endpoints[name] = sub["endpoint"]

    (content / "learn" / "forecast-error.md").write_text(NEW_LESSON, encoding="utf-8")
    (content / "faq" / "axis-at-zero.md").write_text(NEW_FAQ, encoding="utf-8")
    second = ingest_source(store, str(_build(config, content, site)), utcnow(), Rules())
    assert (second.new, second.queued) == (2, 3)
    assert run_send(store, settings, utcnow()).sent == 3

    report = receiver.report()
    assert report["rejections"] == []
    shown = {name: list(report["devices"][e]["shown"].values()) for name, e in endpoints.items()}
    base = "http://127.0.0.1:8000/"  # the mini community's site_url
    assert [(n["title"], n["url"]) for n in shown["community"]] == [
        ("2 new in Data & Analytics", f"{base}topics/data/")]
    # newest first, as the feed lists them
    assert shown["community"][0]["body"] == "Should a chart's axis start at zero? · Forecast error in one number"
    assert [(n["title"], n["url"]) for n in shown["bo"]] == [("New answer by Bo Lindqvist", f"{base}faq/axis-at-zero/")]
    assert [n["url"] for n in shown["lessons by ada"]] == [f"{base}learn/forecast-error/"]
    assert shown["videos"] == []
