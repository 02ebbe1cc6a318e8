"""`practica schema`: write a JSON Schema per content type, for editors that check fields as people type."""

from __future__ import annotations

import logging
from pathlib import Path

from ..content.schema import write_schemas

log = logging.getLogger("practica")


def schema(out_dir: Path) -> list[Path]:
    """Write the schemas into `out_dir`; returns the files written."""
    written = write_schemas(out_dir)
    for path in written:
        log.info("wrote %s", path)
    return written
