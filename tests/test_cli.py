"""`practica new` and `practica schema`."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import jsonschema
import pytest
import yaml

from generator.content.frontmatter import parse
from tests.conftest import MINI, ROOT, CliResult

NEW_ARGS = {
    "lesson": ["--title", "Reading a control chart", "--summary", "Spot a real change.", "--topic", "data",
               "--author", "ada", "--objective", "Tell noise from a signal"],
    "video": ["--title", "Depot tour", "--summary", "Five minutes round a depot.", "--topic", "data",
              "--author", "ada", "--src", "https://vimeo.com/123456", "--duration", "5:00"],
    "faq": ["--title", "How do I get access to the data warehouse?", "--topic", "data", "--answered-by", "ada"],
    "person": ["--name", "Chen Wei", "--role", "Route planner"],
    "topic": ["--name", "Safety First", "--summary", "Everyone home safe.", "--steward", "ada"],
    "path": ["--title", "Forecasting in a week", "--summary", "Five steps.", "--curated-by", "ada",
             "--step", "forecast-basics", "--step", "what-is-mape"],
    "event": ["--title", "Coffee chat", "--summary", "Meet people.", "--topic", "data", "--host", "ada",
              "--start", "2027-01-05 10:00", "--timezone", "Europe/London", "--duration", "30"],
}


@pytest.mark.parametrize("kind", list(NEW_ARGS))
def test_new_writes_a_valid_commented_starter(cli: Callable[..., CliResult], mini: Path, kind: str) -> None:
    result = cli("new", kind, "--content", mini, *NEW_ARGS[kind])
    assert result.code == 0, result.err
    written = Path(result.out.split("Wrote ", 1)[1].split(". Edit", 1)[0])
    assert written.parent.parent == mini and written.exists()
    if kind == "video":  # a video needs a transcript or captions before it is valid
        written.write_text(written.read_text() + "A transcript of the tour.\n")
    assert "# " in written.read_text(), "optional fields are explained in comments"
    check = cli("validate", "--content", mini, "--strict")
    assert check.code == 0, check.out


def test_new_never_overwrites(cli: Callable[..., CliResult], mini: Path) -> None:
    before = (mini / "learn" / "forecast-basics.md").read_text()
    result = cli("new", "lesson", "--content", mini, "--id", "forecast-basics", *NEW_ARGS["lesson"])
    assert result.code == 1 and "already exists" in result.err
    assert (mini / "learn" / "forecast-basics.md").read_text() == before


def test_new_without_a_terminal_names_the_missing_flags(cli: Callable[..., CliResult], mini: Path) -> None:
    result = cli("new", "faq", "--content", mini, "--title", "Why?")
    assert result.code == 1
    assert "--topic" in result.err and "--answered-by" in result.err


def test_schemas_accept_the_fixture_and_reject_mistakes(cli: Callable[..., CliResult], tmp_path: Path) -> None:
    assert cli("schema", "--out", tmp_path).code == 0
    schemas = {p.name.split(".")[0]: json.loads(p.read_text()) for p in tmp_path.glob("*.schema.json")}
    assert set(schemas) == {"person", "topic", "lesson", "video", "faq", "path", "event", "skills",
                            "guidelines"}
    folders = {"people": "person", "topics": "topic", "learn": "lesson", "videos": "video", "faq": "faq",
               "paths": "path"}
    for folder, kind in folders.items():
        for path in (MINI / folder).glob("*.md"):
            meta = json.loads(json.dumps(parse(path.name, path.read_bytes()).meta, default=str))
            jsonschema.validate(meta, schemas[kind])
    jsonschema.validate(yaml.safe_load((MINI / "skills.yml").read_text()), schemas["skills"])
    for path in (ROOT / "content").glob("guidelines*/**/*.md"):
        jsonschema.validate(parse(path.name, path.read_bytes()).meta, schemas["guidelines"])
    jsonschema.validate(parse("g.md", (ROOT / "content" / "guidelines.md").read_bytes()).meta, schemas["guidelines"])
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({"title": "x", "summary": "x" * 401}, schemas["guidelines"])
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({"title": "x", "titel": "y"}, schemas["lesson"])
