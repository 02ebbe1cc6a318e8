"""`practica faq from-thread ID`: a board question with an accepted answer becomes an FAQ file that validates,
with readers' text kept as text; refusals are clear and write nothing."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from pathlib import Path

import yaml

from generator.service.identity.principal import Principal
from generator.service.privacy.people import remember
from generator.service.store.backend import open_store

from .conftest import CliResult, write_config

T0 = dt.datetime(2026, 11, 20, 9, 0, tzinfo=dt.UTC)
HOSTILE = ("Why does <script>alert(1)</script> show? {: onclick=x} ![pixel](https://evil.example/p.png)\n"
           "# not a heading\n[ref]: javascript:alert(1)\n[click](javascript:alert(1)) and `<b>code</b>`\n")


def board(db: Path, answerer_person: str | None, accept: bool = True) -> int:
    """A question on the data board by Robert (no profile), answered by someone; the answer accepted."""
    store = open_store(db)
    try:
        remember(store, Principal("sso|robert", "robert@example.org", "Robert Example", "jwt"), T0)
        remember(store, Principal("sso|ans", "ans@example.org", "Ann Swer", "jwt", answerer_person), T0)
        thread = store.create_thread("board", "data", "question", "How do I <b>forecast</b> {{ demand }}?",
                                     "sso|robert", T0)
        store.add_post(thread.id, None, "sso|robert", HOSTILE, "visible", "k-question", T0)
        answer = store.add_post(thread.id, None, "sso|ans", "Use **MAPE** <i>first</i>, see "
                                "[the guide](https://example.org/g).", "visible", "k-answer", T0)
        if accept:
            store.accept(thread.id, answer.id)
        return thread.id
    finally:
        store.close()


def export(cli: Callable[..., CliResult], tmp_path: Path, tid: int) -> Path:
    out = tmp_path / "thread.json"
    result = cli("push", "export-thread", tid, "--db", tmp_path / "push.sqlite3", "--out", out)
    assert result.code == 0, result.err
    return out


def test_an_accepted_answer_becomes_a_valid_faq(cli: Callable[..., CliResult], mini: Path, tmp_path: Path) -> None:
    config = write_config(tmp_path / "site", docs_dir=str(mini))
    tid = board(tmp_path / "push.sqlite3", "ada")
    result = cli("faq", "from-thread", tid, "--export", export(cli, tmp_path, tid), "-f", config)
    assert result.code == 0, result.err
    written = mini / "faq" / "how-do-i-b-forecast-b-demand.md"
    assert str(written) in result.out
    _, head, body = written.read_text(encoding="utf-8").split("---\n", 2)
    meta = yaml.safe_load(head)
    assert meta["title"] == "How do I <b>forecast</b> {{ demand }}?"
    assert meta["topics"] == ["data"] and meta["answered_by"] == ["ada"] and isinstance(meta["date"], dt.date)
    assert "Use **MAPE** &lt;i>first&lt;/i>, see [the guide](https://example.org/g)." in body
    assert "> Why does &lt;script>alert(1)&lt;/script> show? \\{: onclick=x\\} !\\[pixel]" in body
    assert "> \\# not a heading" in body and "> \\[ref]: javascript" in body and "]\\(javascript:" in body
    assert "`<b>code</b>`" in body
    check = cli("validate", "-f", config)
    assert check.code == 0, check.out + check.err
    again = cli("faq", "from-thread", tid, "--export", tmp_path / "thread.json", "-f", config)
    assert again.code == 1 and "already exists" in again.err


def test_no_accepted_answer_is_refused(cli: Callable[..., CliResult], mini: Path, tmp_path: Path) -> None:
    config = write_config(tmp_path / "site", docs_dir=str(mini))
    tid = board(tmp_path / "push.sqlite3", "ada", accept=False)
    result = cli("faq", "from-thread", tid, "--db", tmp_path / "push.sqlite3", "-f", config)
    assert result.code == 1 and "has no accepted answer" in result.err
    assert sorted(p.name for p in (mini / "faq").iterdir()) == ["what-is-mape.md", "which-chart.md"]


def test_an_answerer_without_a_profile_is_named(cli: Callable[..., CliResult], mini: Path, tmp_path: Path) -> None:
    config = write_config(tmp_path / "site", docs_dir=str(mini))
    tid = board(tmp_path / "push.sqlite3", None)
    result = cli("faq", "from-thread", tid, "--export", export(cli, tmp_path, tid), "-f", config)
    assert result.code == 1 and "by Ann Swer, who has no profile" in result.err
    assert json.loads((tmp_path / "thread.json").read_text())["answer"]["person"] is None
