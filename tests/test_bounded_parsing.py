"""Hostile YAML: aliases that expand a few lines into billions of values are refused, early and cheaply."""

from __future__ import annotations

import tracemalloc
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

from generator.content import yamlsize
from generator.content.frontmatter import Loader
from generator.content.load import load_community
from generator.content.problems import Problem
from generator.settings import load_settings
from tests.conftest import line_of
from tests.test_validate import LESSON, TODAY, load

# Nine levels, each a list of nine aliases to the level before: 9**9 (387 million) values once expanded.
LEVELS = ["a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]"] + [
    f"{name}: &{name} [{', '.join([f'*{before}'] * 9)}]" for before, name in zip("abcdefgh", "bcdefghi", strict=True)]
# `e` stands for 66,430 values, so the first `*e` on the line of `f` takes the file over 100,000.
CROSSING = "f: &f [*e"


def bomb(indent: str) -> str:
    return "".join(f"{indent}{line}\n" for line in LEVELS)


def put_in_lesson(content: Path) -> str:
    path = content / LESSON
    path.write_text(path.read_text(encoding="utf-8").replace("level: beginner\n", "level: beginner\nbomb:\n"
                                                             + bomb("  "), 1), encoding="utf-8")
    return LESSON


def put_in_skills(content: Path) -> str:
    path = content / "skills.yml"
    path.write_text(path.read_text(encoding="utf-8") + "- id: bomb\n  name: Bomb\n  bomb:\n" + bomb("    "),
                    encoding="utf-8")
    return "skills.yml"


def put_in_featured(content: Path) -> str:
    (content / "featured.yml").write_text("- item: forecast-basics\n  bomb:\n" + bomb("    "), encoding="utf-8")
    return "featured.yml"


def too_complex(problems: list[Problem], rel: str) -> list[Problem]:
    return [p for p in problems if p.file == rel and p.code == "yaml-too-complex"]


@pytest.mark.parametrize("put", [put_in_lesson, put_in_skills, put_in_featured], ids=["lesson", "skills", "featured"])
def test_an_alias_bomb_is_one_problem_at_the_alias_that_crosses_the_limit(mini: Path, put: Callable[[Path], str]
                                                                          ) -> None:
    rel = put(mini)
    problems = load(mini)
    found = too_complex(problems, rel)
    assert len(found) == 1, problems
    problem = found[0]
    line = line_of(mini / rel, CROSSING)
    assert (problem.line, problem.column) == (line, (mini / rel).read_text().splitlines()[line - 1].index("*e") + 1)
    assert "aliases" in problem.message and "100,000 values" in problem.message
    assert problem.hint == "write the values out instead of repeating them with aliases (*name)"
    # The other files still load, and nothing is checked against the refused file: references to the lesson
    # resolve, and skills are not all unknown.
    assert [p.file for p in problems] == [rel], problems


def test_validating_three_alias_bombs_stays_small(mini: Path) -> None:
    for put in (put_in_lesson, put_in_skills, put_in_featured):
        put(mini)
    tracemalloc.start()
    try:
        problems = load(mini)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert {p.file for p in problems if p.code == "yaml-too-complex"} == {LESSON, "skills.yml", "featured.yml"}
    assert peak < 50 * 2**20, f"peak {peak / 2**20:.0f} MB"


def test_the_check_visits_each_node_once_however_often_aliases_repeat_it() -> None:
    node = yaml.compose(bomb(""), Loader=Loader)
    assert node is not None
    expansion = yamlsize.Expansion()
    assert expansion.values(node) > yamlsize.MAX_VALUES
    # 9 keys, 9 lists and the 9 scalars of `a`, plus the top mapping: what is written, not what it stands for.
    assert expansion.visited == 28
    assert expansion.aliases == 72


def test_the_count_is_exact_below_the_limit() -> None:
    node = yaml.compose("a: &a [x, y]\nb: [*a, *a]\nc: *a\n", Loader=Loader)
    assert node is not None
    expansion = yamlsize.Expansion()
    # mapping, 3 keys, `a` (3), `b` (1 + 3 + 3), `c` (3)
    assert expansion.values(node) == 1 + 3 + 3 + 7 + 3
    assert (expansion.visited, expansion.aliases) == (8, 3)


def aliases(count: int) -> str:
    return "level: beginner\nreused: &r [one value]\nmany: [" + ", ".join(["*r"] * count) + "]\n"


def test_a_hundred_aliases_are_read_and_one_more_is_refused_at_its_place(mini: Path) -> None:
    path = mini / LESSON
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("level: beginner\n", aliases(yamlsize.MAX_ALIASES), 1), encoding="utf-8")
    assert too_complex(load(mini), LESSON) == []
    path.write_text(text.replace("level: beginner\n", aliases(yamlsize.MAX_ALIASES + 1), 1), encoding="utf-8")
    found = too_complex(load(mini), LESSON)
    line = line_of(path, "many: [")
    assert [(p.line, p.column) for p in found] == [(line, len("many: [") + 1 + 4 * yamlsize.MAX_ALIASES)]


def test_ordinary_aliases_still_work(mini: Path) -> None:
    path = mini / LESSON
    path.write_text(path.read_text(encoding="utf-8")
                    .replace("summary: What a forecast is, and what it is not.", "summary: &s A short summary.")
                    .replace("reflect: Which number in your team is really a target?", "reflect: *s"),
                    encoding="utf-8")
    (mini / "featured.yml").write_text("- item: forecast-basics\n  where: &w [home, data]\n"
                                       "- item: reading-charts\n  where: *w\n", encoding="utf-8")
    community = load_community(load_settings(mini.parent / "mkdocs.yml", content_dir=mini, today=TODAY))
    assert community.problems == []
    assert community.lessons["forecast-basics"].meta.reflect == "A short summary."
    assert [f.where for f in community.featured] == [["home", "data"], ["home", "data"]]
