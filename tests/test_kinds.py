"""The table of content kinds (generator/kinds.py) holds together: each row names a model field, a template, a
Community attribute and a `practica new` starter that exist, so adding a kind cannot half-work."""

from __future__ import annotations

import typing

import pytest

from generator.commands import new
from generator.community import Community
from generator.content.models import PersonMeta
from generator.kinds import ITEM_KINDS, KINDS, ContentKind, ItemKind, Kind, Meta
from generator.pages.render import TEMPLATES


@pytest.mark.parametrize("kind", KINDS.values(), ids=list(KINDS))
def test_each_row_names_what_exists(kind: ContentKind) -> None:
    assert (TEMPLATES / kind.template).is_file()
    assert kind.collection in Community.__dataclass_fields__
    assert kind.name in new.QUESTIONS and kind.name in new._OPTIONAL and kind.name in new._BODY


@pytest.mark.parametrize("kind", ITEM_KINDS.values(), ids=list(ITEM_KINDS))
def test_an_item_kind_credits_people(kind: ItemKind) -> None:
    field = kind.model.model_fields[kind.credits]
    assert typing.get_origin(field.annotation) is list and field.is_required(), f"{kind.name}.{kind.credits}"
    assert kind.role in ("wrote", "answered", "curated")


def test_the_table_and_the_types_agree() -> None:
    assert list(KINDS) == list(typing.get_args(Kind))
    assert [k.model for k in KINDS.values()] == list(typing.get_args(Meta))
    assert len({k.folder for k in KINDS.values()}) == len(KINDS), "a folder belongs to one kind"
    assert KINDS["person"].model is PersonMeta
