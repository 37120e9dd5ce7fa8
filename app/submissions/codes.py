"""Random codes residents are given: receipt numbers, access codes, resume codes."""

from __future__ import annotations

import secrets

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
