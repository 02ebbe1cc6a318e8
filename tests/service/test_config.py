"""Settings (named errors, secrets never shown), VAPID keys, the CLI's plain errors, docs and import boundaries."""

from __future__ import annotations

import os
import re
import stat
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from generator.errors import ConfigError
from generator.service.config import SETTINGS, Secret, load_settings
from generator.service.push.vapid import VapidKey, VapidSigner
from generator.service.security import b64url

from .conftest import SUBJECT, environment

ROOT = Path(__file__).resolve().parents[2]


def test_missing_settings_are_named(tmp_path: Path) -> None:
    settings = load_settings({}, env_file=None)
    with pytest.raises(ConfigError, match=re.escape(
            "Config 'PRACTICA_PUSH_VAPID_PRIVATE_KEY' is missing, and has no default.")):
        settings.vapid()
    with pytest.raises(ConfigError, match="Config 'PRACTICA_PUSH_VAPID_SUBJECT' is missing"):
        load_settings({"PRACTICA_PUSH_VAPID_PRIVATE_KEY": "x"}, env_file=None).vapid()


@pytest.mark.parametrize(("name", "value"), [
    ("TTL", "a day"), ("MAX_ATTEMPTS", "0"), ("VAPID_EXPIRY", "48h"), ("VAPID_SUBJECT", "admin"),
    ("VAPID_SUBJECT", "mailto:root@localhost"), ("DIGEST_TIME", "9am"), ("DIGEST_WEEKDAY", "someday"),
    ("RATE_LIMIT", "lots"), ("SITE_ORIGIN", "https://learn.example.org/path/"), ("POLL_EVERY", "soon"),
])
def test_bad_values_are_named_with_what_was_expected(name: str, value: str) -> None:
    with pytest.raises(ConfigError, match=f"Config 'PRACTICA_PUSH_{name}' has value {re.escape(repr(value))}"):
        load_settings({f"PRACTICA_PUSH_{name}": value}, env_file=None)


def test_the_env_file_is_read_and_the_environment_wins(tmp_path: Path) -> None:
    env_file = tmp_path / ".env"
    env_file.write_text('# push\nexport PRACTICA_PUSH_TTL=600\nPRACTICA_PUSH_DB="data/x.sqlite3"\n'
                        "PRACTICA_PUSH_ADMIN_TOKEN='tok en'\n", encoding="utf-8")
    settings = load_settings({"PRACTICA_PUSH_TTL": "60"}, env_file=env_file)
    assert (settings.ttl, settings.db, settings.admin_token and settings.admin_token.reveal()) == \
        (60, Path("data/x.sqlite3"), "tok en")


def test_secrets_never_show(vapid_pem: Path) -> None:
    pem = vapid_pem.read_text()
    settings = load_settings({"PRACTICA_PUSH_VAPID_PRIVATE_KEY": pem, "PRACTICA_PUSH_ADMIN_TOKEN": "hunter2",
                              "PRACTICA_PUSH_VAPID_SUBJECT": SUBJECT}, env_file=None)
    for shown in (repr(settings), str(settings), f"{settings.admin_token}", repr(VapidKey.load(Secret(pem)))):
        assert "hunter2" not in shown and pem.splitlines()[1] not in shown
    assert "**********" in repr(settings)


def test_a_vapid_key_loads_from_a_path_pem_text_or_raw_base64url(vapid_pem: Path) -> None:
    key = VapidKey.load(Secret(str(vapid_pem)))
    assert VapidKey.load(Secret(vapid_pem.read_text())).public_key == key.public_key
    raw = key._private.private_numbers().private_value.to_bytes(32, "big")
    assert VapidKey.load(Secret(b64url(raw))).public_key == key.public_key
    with pytest.raises(ConfigError, match="not a P-256 private key"):
        VapidKey.load(Secret("definitely not a key"))


def test_tokens_live_at_most_a_day_and_are_renewed_before_they_end(vapid_pem: Path) -> None:
    now = [1_800_000_000.0]
    signer = VapidSigner(VapidKey.load(Secret(str(vapid_pem))), SUBJECT, 12 * 3600, clock=lambda: now[0])
    first = signer.header("https://fcm.googleapis.com/fcm/send/a")
    assert signer.header("https://fcm.googleapis.com/fcm/send/b") == first
    assert signer.header("https://updates.push.services.mozilla.com/wpush/v2/x") != first
    now[0] += 11.5 * 3600  # less than an hour left: sign a fresh one
    assert signer.header("https://fcm.googleapis.com/fcm/send/a") != first
    assert signer.signatures == 3
    with pytest.raises(ValueError):
        VapidSigner(signer.key, SUBJECT, 25 * 3600)


def test_keys_command_writes_a_private_file_only_its_owner_reads(cli: Callable[..., Any], tmp_path: Path) -> None:
    result = cli("push", "keys", "--out", tmp_path / "keys")
    assert result.code == 0
    private = tmp_path / "keys" / "vapid_private.pem"
    assert stat.S_IMODE(private.stat().st_mode) == 0o600
    public = (tmp_path / "keys" / "vapid_public.txt").read_text().strip()
    assert public in result.out and "PRIVATE KEY" not in result.out + result.err
    assert private.read_text().splitlines()[1] not in result.out + result.err
    again = cli("push", "keys", "--out", tmp_path / "keys")
    assert again.code == 1 and "--force" in again.err and "Traceback" not in again.err


def test_commands_report_missing_settings_plainly(cli: Callable[..., Any], tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    for name in [n for n in __import__("os").environ if n.startswith("PRACTICA_PUSH_")]:
        monkeypatch.delenv(name)
    result = cli("push", "send", "--db", tmp_path / "db.sqlite3")
    assert result.code == 1
    assert "Config 'PRACTICA_PUSH_VAPID_PRIVATE_KEY' is missing, and has no default." in result.err
    assert "Traceback" not in result.err


def test_a_second_sender_on_the_same_database_is_refused(tmp_path: Path, vapid_pem: Path) -> None:
    from generator.service.store.backend import open_store
    from generator.service.store.base import SenderBusy

    store = open_store(tmp_path / "db.sqlite3")
    env = {**os.environ, **environment(tmp_path / "db.sqlite3", vapid_pem, "push.example.net")}  # os: PYTHONPATH
    with store.sender_lock():
        other = subprocess.run([sys.executable, "-m", "generator.cli", "push", "send"], cwd=tmp_path, env=env,
                               capture_output=True, text=True, timeout=120)
        assert other.returncode == 1 and "another sender" in other.stderr and "Traceback" not in other.stderr
        with pytest.raises(SenderBusy):
            open_store(tmp_path / "db.sqlite3").sender_lock().__enter__()


def test_every_setting_is_documented_in_the_architecture() -> None:
    text = (ROOT / "ARCHITECTURE.md").read_text(encoding="utf-8")
    missing = [s.env for s in SETTINGS if f"`{s.env}`" not in text]
    assert not missing, f"ARCHITECTURE.md does not document: {missing}"


def test_the_push_service_never_imports_the_content_model_or_pages() -> None:
    service = ROOT / "generator" / "service"
    every = ", ".join(".".join(("generator", "service", *f.relative_to(service).with_suffix("").parts))
                      .removesuffix(".__init__") for f in sorted(service.rglob("*.py")))
    code = (f"import sys, {every};"
            "bad = sorted(m for m in sys.modules if m.startswith(('generator.content', 'generator.pages', "
            "'generator.community', 'mkdocs')));"
            "print(bad); sys.exit(1 if bad else 0)")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
