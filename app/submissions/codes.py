"""Random codes residents are given: receipt numbers, access codes, resume codes."""

from __future__ import annotations

import secrets
import unicodedata

# no look-alikes: no 0/O, 1/I/L
ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"


def random_code(length: int) -> str:
    """`length` characters of ALPHABET, each equally likely: one random number written in
    base 31 (one draw instead of one per character)."""
    n = secrets.randbelow(len(ALPHABET) ** length)
    out = []
    for _ in range(length):
        n, i = divmod(n, len(ALPHABET))
        out.append(ALPHABET[i])
    return "".join(out)


# what a keyboard may type for a hyphen or a space: full-width, long vowel mark, dashes
_DASHES = "-‐‑‒–—―−ー－ｰ"


def _folded(text: str | None) -> str:
    """Full-width to half-width (NFKC), upper case, no spaces, every dash a hyphen."""
    text = unicodedata.normalize("NFKC", text or "").upper()
    text = "".join("-" if ch in _DASHES else ch for ch in text)
    return "".join(text.split())


def normalise_receipt_no(text: str | None) -> str:
    """A receipt number as a resident may type it (`２０２６－２６ＭＸＶ３ＴＣ`, `202626MXV3TC`,
    `2026 26mxv3tc`) → `2026-26MXV3TC`. The one rule for pages and the API."""
    code = _folded(text).replace("-", "")
    if len(code) == 12 and code[:4].isdigit():
        return f"{code[:4]}-{code[4:]}"
    return _folded(text)


def normalise_access_code(text: str | None) -> str:
    """An access code as typed (full-width, with hyphens or spaces) → `ABCD2345`."""
    return _folded(text).replace("-", "")


def normalise_resume_code(text: str | None) -> str:
    """A resume code as typed → `ABCDE-FGHJK` (the hyphen optional when typing)."""
    code = _folded(text).replace("-", "")
    return f"{code[:5]}-{code[5:]}" if len(code) == 10 else _folded(text)
