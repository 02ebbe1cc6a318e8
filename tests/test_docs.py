"""The docs cannot drift: every front-matter field and every setting is named in the README."""

from __future__ import annotations

import re

import pytest
from pydantic import BaseModel

from generator.content.models import FeatureDef, GuidelinesMeta, SkillDef
from generator.kinds import KINDS
from generator.settings import PracticaConfig
from tests.conftest import ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")
# Field names written as `code`, or as keys in the README's YAML examples.
CODE_WORDS = set(re.findall(r"`([a-z_]+)`", README)) | set(re.findall(r"^\s*(?:- )?([a-z_]+):", README, re.M))
# Each kind's front matter, the entries of skills.yml and featured.yml, and the guidelines' front matter.
MODELS: dict[str, type[BaseModel]] = {**{name: kind.model for name, kind in KINDS.items()},
                                      "skills": SkillDef, "featured": FeatureDef, "guidelines": GuidelinesMeta}


def fields(model: type[BaseModel]) -> set[str]:
    names = set(model.model_fields)
    for info in model.model_fields.values():
        for arg in (info.annotation, *getattr(info.annotation, "__args__", ())):
            for inner in (arg, *getattr(arg, "__args__", ())):
                if isinstance(inner, type) and issubclass(inner, BaseModel):
                    names |= fields(inner)
    return names


@pytest.mark.parametrize("kind", list(MODELS))
def test_every_front_matter_field_is_documented(kind: str) -> None:
    missing = sorted(fields(MODELS[kind]) - CODE_WORDS)
    assert not missing, f"README.md does not mention these {kind} fields: {missing}"


def test_every_setting_is_documented() -> None:
    missing = sorted(set(PracticaConfig.model_fields) - CODE_WORDS)
    assert not missing, f"README.md does not mention these extra.practica settings: {missing}"


def test_the_readme_starts_with_the_two_commands() -> None:
    first_block = README.split("```", 2)[1]
    assert "make demo" in first_block and "make test" in first_block
