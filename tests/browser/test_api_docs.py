"""The push service's docs page renders Swagger UI in Chromium under its Content-Security-Policy."""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import Browser, expect

from generator.service.api.app import create_app
from generator.service.config import load_settings
from generator.service.push.vapid import write_keys
from generator.service.store.backend import open_store

from ..service.conftest import environment, serving


def test_the_docs_page_works_under_its_policy(browser: Browser, tmp_path: Path) -> None:
    pem = write_keys(tmp_path / "keys")[0]
    settings = load_settings(environment(tmp_path / "push.sqlite3", pem, "http://127.0.0.1:9"), env_file=None)
    store = open_store(settings.db)
    refused: list[str] = []
    try:
        with serving(create_app(settings, store)) as base:
            page = browser.new_page()
            page.on("console", lambda m: refused.append(m.text) if "Content Security Policy" in m.text else None)
            page.goto(f"{base}/api/v1/docs")
            expect(page.locator(".swagger-ui .info .title")).to_contain_text("Practica push service")
            page.locator(".opblock-summary-path", has_text="/api/v1/health").first.click()
            page.get_by_role("button", name="Try it out").click()
            page.get_by_role("button", name="Execute").click()
            expect(page.locator(".live-responses-table tbody .response-col_status").first).to_contain_text("200")
            page.close()
    finally:
        store.close()
    assert refused == []
