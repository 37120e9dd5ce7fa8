"""Uploaded files: the type is read from the content, never from the name."""

from __future__ import annotations

import math

import filetype

from .messages import message
from .model import Field

SNIFF_BYTES = 8192


def sniff(head: bytes) -> str | None:
    """The MIME type the first bytes show, or None when unknown."""
    kind = filetype.guess(head)
    return kind.mime if kind else None


def check_upload(f: Field, filename: str, head: bytes, size: int, lang: str) -> str | None:
    """An error message for this upload against the field's accept and size, or None."""
    if size == 0:
        return message("file_empty", lang, name=filename)
    limit = float(f.get("max_size_mb", 10))
    if size > limit * 1024 * 1024:
        # rounded up, so that a file just over the limit is never said to be at it ("5.0MB")
        shown = math.ceil(size / 1024 / 1024 * 10) / 10
        return message("file_size", lang, name=filename, size=f"{shown:.1f}", max=f"{limit:g}")
    accept = f.get("accept")
    found = sniff(head)
    if accept and found not in accept:
        names = ("、" if lang in ("ja", "ja-easy") else ", ").join(_short(a) for a in accept)
        return message(
            "file_type",
            lang,
            name=filename,
            found=_short(found) if found else {"en": "an unknown type"}.get(lang, "不明な形式"),
            allowed=names,
        )
    return None


def _short(mime: str) -> str:
    return {
        "application/pdf": "PDF",
        "image/jpeg": "JPEG",
        "image/png": "PNG",
        "image/gif": "GIF",
        "image/heic": "HEIC",
        "image/webp": "WebP",
    }.get(mime, mime)
