"""`practica codeowners`: write CODEOWNERS, so a pull request asks its items' authors and stewards to review."""

from __future__ import annotations

import logging
from pathlib import Path

from ..codeowners import codeowners
from ..content.load import load_community
from ..settings import Settings

log = logging.getLogger("practica")


def write_codeowners(settings: Settings, out: Path) -> Path:
    """Write the community's CODEOWNERS to `out` (creating its folder); returns `out`."""
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(codeowners(load_community(settings)), encoding="utf-8")
    log.info("wrote %s", out)
    return out
