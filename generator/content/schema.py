"""JSON Schemas of the front matter, for editors that check fields as people type."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from pydantic import TypeAdapter

from ..kinds import KINDS
from .models import GuidelinesMeta, SkillDef

SCHEMA_BASE = "https://practica.invalid/schema/"


def schemas() -> dict[str, dict[str, Any]]:
    """File name → JSON Schema (draft 2020-12) for each content type, skills.yml and the guidelines."""
    out: dict[str, dict[str, Any]] = {}
    for kind in KINDS.values():
        schema = kind.model.model_json_schema()
        schema["title"] = f"Practica {kind.name} front matter ({kind.folder}/*.md)"
        out[f"{kind.name}.schema.json"] = _with_header(schema, kind.name)
    skills = TypeAdapter(list[SkillDef]).json_schema()
    skills["title"] = "Practica skills taxonomy (skills.yml)"
    out["skills.schema.json"] = _with_header(skills, "skills")
    guidelines = GuidelinesMeta.model_json_schema()
    guidelines["title"] = "Practica community guidelines front matter (guidelines.md, guidelines/*.md)"
    out["guidelines.schema.json"] = _with_header(guidelines, "guidelines")
    return out


def write_schemas(out_dir: Path) -> list[Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for name, schema in schemas().items():
        path = out_dir / name
        path.write_text(json.dumps(schema, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        written.append(path)
    return written


def _with_header(schema: dict[str, Any], kind: str) -> dict[str, Any]:
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", "$id": f"{SCHEMA_BASE}{kind}.schema.json",
            **schema}
