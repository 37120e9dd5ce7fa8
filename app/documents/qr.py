"""QR codes for documents: a link a phone can open from paper (the receipt's status page)."""

from __future__ import annotations

import segno


def qr_data_uri(text: str) -> str:
    return segno.make(text, error="m", micro=False).svg_data_uri(scale=4, border=2, dark="#1a1a1c")
