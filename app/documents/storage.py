"""Where documents are kept: a folder of write-once files (receipts, reports, mail records)."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from flask import current_app


def document_dir() -> Path:
    """DOCUMENT_DIR, or <instance>/documents: a shared volume when workers are on other machines."""
    configured = current_app.config.get("DOCUMENT_DIR")
    return Path(configured) if configured else Path(current_app.instance_path) / "documents"


def write_once(path: Path, data: bytes) -> bool:
    """Write `path` unless it exists; two runs at once still leave one whole file.
    → True when this call wrote it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.exists():
        return False
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(6)}.tmp")
    tmp.write_bytes(data)
    try:
        os.link(tmp, path)  # fails if another run got there first: theirs is kept
        return True
    except FileExistsError:
        return False
    finally:
        tmp.unlink(missing_ok=True)
