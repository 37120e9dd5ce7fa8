"""PDF 様式 with form fields (AcroForm, read with pypdf): each field's tooltip (`/TU`) as
its label (its name when it has none), its type (text, multi-line text, check box,
radio group, choice list with its options), required flag and maximum length, in the
order of page and position (top to bottom, left to right). A PDF without fields is
scanned or print-only paper, which is not supported. No Flask, no database."""

from __future__ import annotations

import io
import logging
import re

from pypdf import PdfReader
from pypdf.errors import PdfReadError
from pypdf.generic import ArrayObject, DictionaryObject

from .checks import MAX_PDF_FIELDS, MAX_PDF_PAGES, Refused
from .found import Extracted, Found
from .layout import kind_of_line

# bits of /Ff (PDF 32000-1, 12.7.3.1 and the tables of 12.7.4)
REQUIRED = 1 << 1
MULTILINE = 1 << 12
RADIO = 1 << 15
PUSHBUTTON = 1 << 16
COMBO = 1 << 17
_MACHINE_NAME = re.compile(
    r"^(text|check ?box|radio|button|field|untitled|txt|chk|unknown)[\s_\-]*[0-9.\-]*$|^[A-Za-z_]+[0-9]+$",
    re.IGNORECASE,
)

logging.getLogger("pypdf").setLevel(logging.ERROR)  # a damaged file is told to the author


def extract(raw: bytes) -> Extracted:
    try:
        reader = PdfReader(io.BytesIO(raw), strict=False)
        if reader.is_encrypted and not reader.decrypt(""):
            raise Refused("encrypted")
        pages = len(reader.pages)
    except Refused:
        raise
    except Exception as exc:  # noqa: BLE001 - pypdf's errors on a damaged file vary
        if isinstance(exc, PdfReadError) and "crypt" in str(exc).lower():
            raise Refused("encrypted") from exc
        raise Refused("unreadable") from exc
    if pages > MAX_PDF_PAGES:
        raise Refused("pdf_pages", pages=MAX_PDF_PAGES)
    try:
        fields = _fields(reader)
        title = _title(reader)
    except Refused:
        raise
    except Exception as exc:  # noqa: BLE001
        raise Refused("unreadable") from exc
    if not fields:
        raise Refused("scanned")
    out = Extracted("pdf", title=title)
    for _order, item in sorted(fields, key=lambda x: x[0]):
        out.add(item)
    return out


def _title(reader: PdfReader) -> str:
    meta = reader.metadata
    title = str(meta.title) if meta and meta.title else ""
    if title:
        return title
    try:
        text = reader.pages[0].extract_text() or ""
    except Exception:  # noqa: BLE001 - a title is only a help
        return ""
    for line in text.splitlines()[:8]:
        if kind_of_line(line, top=True, wide=False, bold=False, in_attachments=False) == "title":
            return line.strip()
    return ""


def _text(value) -> str:
    return str(value).strip() if value is not None else ""


def _fields(reader: PdfReader) -> list[tuple[tuple, Found]]:
    root = reader.trailer["/Root"]
    acro = root.get("/AcroForm")
    acro = acro.get_object() if acro is not None else None
    if not isinstance(acro, DictionaryObject):
        return []
    listed = acro.get("/Fields")
    listed = listed.get_object() if listed is not None else None
    if not isinstance(listed, ArrayObject):
        return []
    if len(listed) > MAX_PDF_FIELDS * 2:
        raise Refused("pdf_fields", fields=MAX_PDF_FIELDS)
    page_no = {
        page.indirect_reference.idnum: n
        for n, page in enumerate(reader.pages)
        if page.indirect_reference
    }
    out: list[tuple[tuple, Found]] = []
    seen: set[int] = set()
    for ref in listed:
        f = ref.get_object()
        if not isinstance(f, DictionaryObject) or id(f) in seen:
            continue
        seen.add(id(f))
        if "/Parent" in f:  # a radio button of a group: read with its group
            continue
        item = _field(f, reader, page_no)
        if item is not None:
            out.append(item)
        if len(out) > MAX_PDF_FIELDS:
            raise Refused("pdf_fields", fields=MAX_PDF_FIELDS)
    return out


def _where(f: DictionaryObject, page_no: dict) -> tuple[int, float, float]:
    widget = f
    kids = f.get("/Kids")
    if kids:
        widget = kids[0].get_object()
    page = widget.get("/P")
    n = page_no.get(page.idnum, 0) if page is not None and hasattr(page, "idnum") else 0
    rect = widget.get("/Rect") or [0, 0, 0, 0]
    try:
        x, y = float(rect[0]), float(max(rect[1], rect[3]))
    except (TypeError, ValueError, IndexError):
        x, y = 0.0, 0.0
    return n, -round(y / 6), x  # rows about 6 points apart read as one line


def _field(f: DictionaryObject, reader, page_no: dict) -> tuple[tuple, Found] | None:
    name = _text(f.get("/T"))
    tooltip = _text(f.get("/TU"))
    kind = _text(f.get("/FT"))
    flags = int(f.get("/Ff", 0) or 0)
    label = tooltip or name
    trusted = not _MACHINE_NAME.match(label)
    found = Found(
        label,
        f"PDF: {name}"[:200],
        required=bool(flags & REQUIRED),
        trusted_label=trusted,
    )
    if kind == "/Tx":
        found.shape = "multiline" if flags & MULTILINE else ""
        max_len = f.get("/MaxLen")
        if max_len is not None:
            found.max_length = int(max_len) if str(max_len).isdigit() else None
    elif kind == "/Btn":
        if flags & PUSHBUTTON:
            return None
        if flags & RADIO:
            found.shape = "radio"
            found.options = _radio_options(f)
        else:
            found.shape = "checkbox"
    elif kind == "/Ch":
        found.shape = "select"
        found.options = _choice_options(f)
    elif kind == "/Sig":
        found.shape = "seal"
    else:
        return None
    page, row, x = _where(f, page_no)
    return (page, row, x), found


def _choice_options(f: DictionaryObject) -> list[str]:
    out = []
    for opt in f.get("/Opt") or []:
        opt = opt.get_object() if hasattr(opt, "get_object") else opt
        if isinstance(opt, list | ArrayObject) and opt:
            out.append(_text(opt[-1]) or _text(opt[0]))
        else:
            out.append(_text(opt))
    return [o for o in out if o]


def _radio_options(f: DictionaryObject) -> list[str]:
    opts = [_text(o) for o in (f.get("/Opt") or [])]
    if any(opts):
        return list(dict.fromkeys(o for o in opts if o))
    names = []
    for kid in f.get("/Kids") or []:
        kid = kid.get_object()
        normal = (kid.get("/AP") or {}).get("/N") or {}
        names += [str(k).lstrip("/") for k in normal if str(k) != "/Off"]
    return list(dict.fromkeys(names))
