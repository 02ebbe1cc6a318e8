"""A real Learning Record Store for the tests: Ralph (`ralph-malph`, installed by `make ralph` in .ralph-venv, its own
virtualenv: its `lrs` extra pins an older FastAPI), with its file-system backend and a Basic-auth user made by
`ralph auth`, started on 127.0.0.1. Ralph validates statements on receipt, so an ill-formed one fails a test."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[2]
VENV = ROOT / ".ralph-venv" / "bin"
USER, PASSWORD = "practica-lrs", "lrs-secret-for-tests"
# Ralph's API on uvicorn, with two corrections: Ralph 5.x's file-system LRS backend writes each request's statements
# in "create" mode, which refuses to write to its statements file once it exists (every POST or PUT after the
# first answers 500). Appending is what an LRS file needs; validation, ids and duplicates stay Ralph's own. And its
# `verb` filter compares the parsed IRI object with the stored string, so `GET /statements?verb=` never matched
# anything: the filter gets the string (its `activity` filter has the same fault and is left as it is, so the
# export's own filtering by object id is exercised).
SERVE = """
import sys
import uvicorn
from ralph.backends.data.base import BaseOperationType
from ralph.backends.lrs.fs import FSLRSBackend
FSLRSBackend.default_operation_type = BaseOperationType.APPEND
_by_verb = FSLRSBackend._add_filter_by_verb
FSLRSBackend._add_filter_by_verb = staticmethod(lambda filters, verb: _by_verb(filters, str(verb) if verb else verb))
uvicorn.run("ralph.api:app", host="127.0.0.1", port=int(sys.argv[1]), log_level="info")
"""


@dataclass(frozen=True)
class Ralph:
    endpoint: str  # the xAPI base URL, ending in /

    def statements(self, activity: str | None = None, related: bool = False) -> list[dict[str, Any]]:
        """The statements the LRS holds (GET /statements, every page), those about `activity` if given (with
        `related`, also those that name it among their context activities). Filtered here: Ralph 5.1's file-system
        backend compares its parsed `activity` filter with stored strings, so it never matches."""
        found: list[dict[str, Any]] = []
        url: str | None = self.endpoint + "statements"
        params: dict[str, str] | None = {"limit": "1000"}
        with httpx.Client(auth=(USER, PASSWORD), headers={"X-Experience-API-Version": "1.0.3"}, timeout=30) as http:
            while url:
                response = http.get(url, params=params)
                assert response.status_code == 200, response.text
                page = response.json()
                found += page["statements"]
                more = page.get("more")
                url, params = (self.endpoint.split("/xAPI/")[0] + more, None) if more else (None, None)
        return [s for s in found if activity is None or activity in _activities(s, related)]


def _activities(statement: dict[str, Any], related: bool) -> set[str]:
    ids = {statement["object"].get("id")}
    if related:
        for group in statement.get("context", {}).get("contextActivities", {}).values():
            ids |= {a["id"] for a in group}
    return ids

def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def running_ralph(folder: Path) -> Iterator[Ralph]:
    """Ralph on an ephemeral port, storing statements under `folder`; stopped on exit."""
    if not (VENV / "ralph").exists():
        raise AssertionError("Ralph is not installed: run `make ralph` (it makes .ralph-venv)")
    env = {k: v for k, v in os.environ.items() if not k.startswith("RALPH_")} | {
        "RALPH_APP_DIR": str(folder), "RALPH_AUTH_FILE": str(folder / "auth.json"), "RALPH_RUNSERVER_BACKEND": "fs",
        "RALPH_BACKENDS__LRS__FS__DEFAULT_DIRECTORY_PATH": str(folder / "lrs")}
    (folder / "lrs").mkdir(parents=True, exist_ok=True)
    subprocess.run([str(VENV / "ralph"), "auth", "-u", USER, "-p", PASSWORD, "-s", "all",
                    "-M", "mailto:lrs-admin@example.org", "-w"], env=env, check=True, capture_output=True, timeout=120)
    port = _free_port()
    log = (folder / "ralph.log").open("w")
    process = subprocess.Popen([str(VENV / "python"), "-c", SERVE, str(port)], env=env, stdout=log,
                               stderr=subprocess.STDOUT)
    ralph = Ralph(f"http://127.0.0.1:{port}/xAPI/")
    try:
        deadline = time.monotonic() + 60
        while True:
            assert process.poll() is None, "Ralph exited: " + (folder / "ralph.log").read_text()
            try:
                if httpx.get(f"http://127.0.0.1:{port}/__lbheartbeat__", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, "Ralph did not start: " + (folder / "ralph.log").read_text()
            time.sleep(0.1)
        yield ralph
    finally:
        process.terminate()
        process.wait(10)
        log.close()


if __name__ == "__main__":  # `python -m tests.service.ralph DIR`: a Ralph to try the demo against
    with running_ralph(Path(sys.argv[1])) as found:
        print(json.dumps({"endpoint": found.endpoint, "username": USER, "password": PASSWORD}), flush=True)
        while True:
            time.sleep(3600)
