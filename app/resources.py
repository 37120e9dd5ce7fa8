"""Folders the code reads at run time that live beside `app/` in a checkout and inside it
(`app/shipped/`) in an installed wheel (setup.py puts them there): the migrations, the
shipped forms and the shipped catalogue."""

from __future__ import annotations

from pathlib import Path

_APP = Path(__file__).resolve().parent


def shipped(name: str) -> Path:
    """`migrations`, `forms` or `procedures`: the installed copy, else the checkout's."""
    inside = _APP / "shipped" / name
    return inside if inside.is_dir() else _APP.parent / name
