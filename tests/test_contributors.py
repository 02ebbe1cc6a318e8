"""What a contributor meets first: a second title from a body `# H1`, `practica new` losing answers, and skill
suggestions that make no sense."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from generator.cli import _parser
from generator.commands.new import create
from generator.errors import PracticaError
from tests.conftest import CliResult

LESSON = "learn/forecast-basics.md"


@pytest.mark.parametrize("heading", ["# Why it matters", "Why it matters\n==============", "#"])
def test_a_top_level_heading_in_a_body_is_flagged_with_a_fix(cli: Callable[..., CliResult], mini: Path,
                                                              heading: str) -> None:
    lesson = mini / LESSON
    lesson.write_text(lesson.read_text().replace("## Why it matters", heading, 1))
    result = cli("validate", "--content", mini, "--strict")
    if heading == "#":  # an empty heading has no text to show twice
        assert result.code == 0, result.out
        return
    assert result.code == 1 and "top-level heading '# Why it matters'" in result.out, result.out
    assert "fix: write '## Why it matters'" in result.out


def test_hashes_in_code_and_h2_are_not_flagged(cli: Callable[..., CliResult], mini: Path) -> None:
    lesson = mini / LESSON
    lesson.write_text(lesson.read_text() + "\n```bash\n# a comment\n```\n\n#hashtag and `# code`\n")
    assert cli("validate", "--content", mini, "--strict").code == 0


def test_an_unknown_skill_suggests_only_a_similar_one_and_says_how_to_add_it(
        cli: Callable[..., CliResult], mini: Path) -> None:
    lesson = mini / LESSON
    lesson.write_text(lesson.read_text().replace("skills: [forecasting]", "skills: [control-charts, forcasting]"))
    out = cli("validate", "--content", mini).out
    unrelated = next(line for line in out.splitlines()[out.splitlines().index(
        next(x for x in out.splitlines() if "unknown skill 'control-charts'" in x)) + 1:])
    assert "did you mean" not in unrelated and "add it to skills.yml: '- id: control-charts'" in unrelated
    assert "did you mean 'Forecasting'?" in out


def _new(mini: Path, *args: str, answers: list[str]) -> tuple[int | None, list[str]]:
    parsed = _parser().parse_args(["new", *args, "--content", str(mini)])
    asked: list[str] = []

    def ask(prompt: str) -> str:
        asked.append(prompt)
        if not answers:
            raise EOFError
        return answers.pop(0)
    try:
        return create(parsed, ask), asked
    except PracticaError:
        return None, asked


def test_new_asks_again_for_an_empty_answer_and_an_unknown_id(mini: Path, capsys: pytest.CaptureFixture[str]
                                                              ) -> None:
    code, asked = _new(mini, "faq", answers=["", "Where are the forecasts?", "dta", "data", "adaa", "ada"])
    assert code == 0
    assert asked == ["The question, as someone would ask it: "] * 2 + ["Community id(s): "] * 2 + \
        ["Who answers it (person id): "] * 2
    err = capsys.readouterr().err
    assert "required" in err and "No 'dta' exists; did you mean 'data'?" in err and "did you mean 'ada'?" in err
    written = (mini / "faq" / "where-are-the-forecasts.md").read_text()
    assert '"data"' in written and '"ada"' in written


def test_new_checks_ids_given_as_flags_and_stops_cleanly_when_input_ends(mini: Path) -> None:
    code, asked = _new(mini, "path", "--title", "T", "--summary", "S", "--curated-by", "ada",
                       "--step", "forecast-basics", "--step", "nope", answers=[])
    assert code is None and asked == ["Item ids of the steps, in order: "]
    assert not (mini / "paths" / "t.md").exists(), "nothing is written"
