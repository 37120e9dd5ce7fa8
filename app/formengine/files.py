"""Uploaded files: the type is read from the content, never from the name.

Beyond the field's `accept` and `max_size_mb`, an upload is refused when it would be
dangerous to open: an image whose header declares more than MAX_PIXELS pixels (a
"decompression bomb": a few hundred bytes that a viewer would inflate to gigabytes), and
a compressed file (zip, and so xlsx or docx; gzip, bzip2, xz) that expands to more than
MAX_EXPANDED bytes or cannot be read. Dimensions are read from the header only, nothing
is decoded; archives are inflated in chunks and abandoned at the limit.
"""

from __future__ import annotations

import bz2
import gzip
import io
import lzma
import math
import re
import struct
import unicodedata
import zipfile
import zlib

import filetype

from .messages import message
from .model import Field

SNIFF_BYTES = 8192

# 100 million pixels: more than a phone photo at its usual settings (48 MP is 8,064 × 6,048);
# decoded, that is 400 MB of memory already.
MAX_PIXELS = 100_000_000
MAX_EXPANDED = 100 * 1024 * 1024  # what a compressed upload may expand to, in bytes
MAX_ENTRIES = 10_000  # files inside one zip

MAX_NAME = 200  # characters of a file's name that are kept
# characters that change how a name is shown without being seen: direction marks and
# overrides ("photo\u202egpj.exe" shows as "photoexe.jpg"), the byte-order mark
_INVISIBLE = re.compile("[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\ufeff]")


def sniff(head: bytes) -> str | None:
    """The MIME type the first bytes show, or None when unknown."""
    kind = filetype.guess(head[:SNIFF_BYTES])
    return kind.mime if kind else None


def safe_name(filename: str | None) -> str:
    """The name to keep and show for an upload (never a path: files are stored under a
    random name). The last part after any `/` or `\\`, in NFC, without control or
    direction characters, at most MAX_NAME characters with its extension kept; `file`
    when nothing is left, such as for a name of dots only."""
    name = unicodedata.normalize("NFC", filename or "")
    name = re.split(r"[/\\]", name)[-1]
    name = _INVISIBLE.sub("", name)
    name = "".join(c for c in name if unicodedata.category(c) not in ("Cc", "Cs")).strip()
    if not name.strip("."):
        return "file"
    if len(name) > MAX_NAME:
        stem, dot, ext = name.rpartition(".")
        keep = f"{dot}{ext}" if dot and 0 < len(ext) <= 10 else ""
        name = name[: MAX_NAME - len(keep)] + keep
    return name


def check_upload(f: Field, filename: str, content: bytes, size: int, lang: str) -> str | None:
    """An error message for this upload against the field, or None.

    `content` is the file's bytes (at least its first SNIFF_BYTES; the whole file for
    the image-size and archive checks, which look no further than they are given).
    """
    if size == 0:
        return message("file_empty", lang, name=filename)
    limit = float(f.get("max_size_mb", 10))
    if size > limit * 1024 * 1024:
        # rounded up, so that a file just over the limit is never said to be at it ("5.0MB")
        shown = math.ceil(size / 1024 / 1024 * 10) / 10
        return message("file_size", lang, name=filename, size=f"{shown:.1f}", max=f"{limit:g}")
    accept = f.get("accept")
    found = sniff(content)
    if accept and found not in accept:
        names = ("、" if lang in ("ja", "ja-easy") else ", ").join(_short(a) for a in accept)
        return message(
            "file_type",
            lang,
            name=filename,
            found=_short(found) if found else {"en": "an unknown type"}.get(lang, "不明な形式"),
            allowed=names,
        )
    dimensions = image_size(content)
    if dimensions and dimensions[0] * dimensions[1] > MAX_PIXELS:
        width, height = dimensions
        return message(
            "file_pixels",
            lang,
            name=filename,
            width=f"{width:,}",
            height=f"{height:,}",
            max=_pixels(MAX_PIXELS, lang),
        )
    expanded = archive_problem(content)
    if expanded == "too_large":
        return message("file_expands", lang, name=filename, max=MAX_EXPANDED // 1024 // 1024)
    if expanded == "unreadable":
        return message("file_unreadable", lang, name=filename)
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


def _pixels(n: int, lang: str) -> str:
    if lang in ("ja", "ja-easy"):
        if n % 100_000_000 == 0:
            return f"{n // 100_000_000:,}億画素"
        return f"{n // 10_000:,}万画素" if n % 10_000 == 0 else f"{n:,}画素"
    return f"{n / 1_000_000:g} million pixels" if n % 1_000_000 == 0 else f"{n:,} pixels"


# --- image dimensions, from the header ---------------------------------------------------


def image_size(data: bytes) -> tuple[int, int] | None:
    """(width, height) as an image's header declares them (PNG, JPEG, GIF, WebP, BMP,
    HEIC), without decoding anything; None for another type or a header that cannot be
    read."""
    try:
        if data.startswith(b"\x89PNG\r\n\x1a\n") and data[12:16] == b"IHDR":
            return struct.unpack(">II", data[16:24])
        if data.startswith(b"\xff\xd8"):
            return _jpeg_size(data)
        if data[:6] in (b"GIF87a", b"GIF89a"):
            return _gif_size(data)
        if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
            return _webp_size(data)
        if data[:2] == b"BM" and len(data) >= 26:
            width, height = struct.unpack("<ii", data[18:26])
            return abs(width), abs(height)
        if data[4:8] == b"ftyp":
            return _heif_size(data)
    except struct.error:  # a header cut short
        return None
    return None


# JPEG start-of-frame markers: every SOFn except DHT (C4), JPG (C8) and DAC (CC)
_SOF = frozenset(range(0xC0, 0xD0)) - {0xC4, 0xC8, 0xCC}


def _jpeg_size(data: bytes) -> tuple[int, int] | None:
    pos = 2
    while pos + 4 <= len(data):
        if data[pos] != 0xFF:
            return None
        marker = data[pos + 1]
        if marker == 0xFF:  # fill byte
            pos += 1
            continue
        if marker in (0xD9, 0xDA):  # end of image, start of scan: no frame header before
            return None
        if 0xD0 <= marker <= 0xD7 or marker == 0x01:  # markers without a length
            pos += 2
            continue
        (length,) = struct.unpack(">H", data[pos + 2 : pos + 4])
        if marker in _SOF:
            height, width = struct.unpack(">HH", data[pos + 5 : pos + 9])
            return width, height
        pos += 2 + length
    return None


def _gif_size(data: bytes) -> tuple[int, int]:
    """The logical screen, grown to hold every frame (a frame may be larger)."""
    width, height, flags = struct.unpack("<HHB", data[6:11])
    pos = 13 + (3 * (2 << (flags & 7)) if flags & 0x80 else 0)
    while pos < len(data):
        block = data[pos]
        if block == 0x2C:  # an image: left, top, width, height, flags
            left, top, w, h, frame_flags = struct.unpack("<HHHHB", data[pos + 1 : pos + 10])
            width, height = max(width, left + w), max(height, top + h)
            pos += 10 + (3 * (2 << (frame_flags & 7)) if frame_flags & 0x80 else 0)
            pos = _skip_sub_blocks(data, pos + 1)  # after the LZW code size
        elif block == 0x21:  # an extension: its label, then sub-blocks
            pos = _skip_sub_blocks(data, pos + 2)
        else:  # the trailer (0x3B), or something else: stop
            break
    return width, height


def _skip_sub_blocks(data: bytes, pos: int) -> int:
    while pos < len(data) and data[pos]:
        pos += 1 + data[pos]
    return pos + 1


def _webp_size(data: bytes) -> tuple[int, int] | None:
    chunk = data[12:16]
    if chunk == b"VP8X":  # extended: the canvas, 24 bits each, minus one
        return 1 + int.from_bytes(data[24:27], "little"), 1 + int.from_bytes(data[27:30], "little")
    if chunk == b"VP8L":  # lossless: 14 bits each, minus one
        bits = int.from_bytes(data[21:25], "little")
        return (bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1
    if chunk == b"VP8 ":  # lossy: 14 bits each in the key frame header
        width, height = struct.unpack("<HH", data[26:30])
        return width & 0x3FFF, height & 0x3FFF
    return None


def _heif_size(data: bytes) -> tuple[int, int] | None:
    """HEIC/AVIF: the largest `ispe` (image spatial extents) property in the file."""
    best = None
    for found in re.finditer(b"ispe", data[: 1024 * 1024]):
        at = found.start() + 8  # after the box type and its version and flags
        if at + 8 <= len(data):
            size = struct.unpack(">II", data[at : at + 8])
            if best is None or size[0] * size[1] > best[0] * best[1]:
                best = size
    return best


# --- compressed files ---------------------------------------------------------------------

_STREAMS = {
    b"\x1f\x8b": lambda raw: gzip.GzipFile(fileobj=raw),
    b"BZh": bz2.BZ2File,
    b"\xfd7zXZ\x00": lzma.LZMAFile,
}


def archive_problem(data: bytes) -> str | None:
    """`too_large` for a compressed file that expands beyond MAX_EXPANDED bytes (or a zip
    of more than MAX_ENTRIES files), `unreadable` for one that cannot be read (damaged,
    encrypted), None for one that is fine or is not compressed."""
    if data[:4] in (b"PK\x03\x04", b"PK\x05\x06"):
        return _zip_problem(data)
    for magic, opener in _STREAMS.items():
        if data.startswith(magic):
            try:
                with opener(io.BytesIO(data)) as stream:
                    return "too_large" if _exceeds(stream, MAX_EXPANDED) else None
            except (OSError, EOFError, lzma.LZMAError, zlib.error):
                return "unreadable"
    return None


def _zip_problem(data: bytes) -> str | None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
            if len(members) > MAX_ENTRIES:
                return "too_large"
            if sum(m.file_size for m in members) > MAX_EXPANDED:  # as declared
                return "too_large"
            left = MAX_EXPANDED
            for member in members:  # as inflated: a member stops at its declared size
                with archive.open(member) as stream:
                    if _exceeds(stream, left):
                        return "too_large"
                left -= member.file_size
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, RuntimeError,
            OSError, EOFError, ValueError, zlib.error, lzma.LZMAError):  # fmt: skip
        return "unreadable"  # damaged, encrypted, or compressed in a way we cannot read
    return None


def _exceeds(stream, limit: int) -> bool:
    total = 0
    while chunk := stream.read(1024 * 1024):
        total += len(chunk)
        if total > limit:
            return True
    return False
