"""様式から作る: a department's paper 様式 (a PDF with form fields, an Excel or a Word
file) read into an ordinary builder draft, each question marked with where it came from
and how sure the importer is.

    imported = read_file(raw, "様式第1号.xlsx", form_id="kari-permit", procedure="P-0312")
    imported.data      # the form's plain data: document.dump() is the draft's YAML
    imported.marks     # {"questions": {id: {"from", "sure", "why"}}, "notes": [...], ...}

`checks.kind_of` decides from the content whether the file is read at all (the upload
rules of app/formengine/files.py, then macros and sizes); a file that is not read is a
`Refused` with a `日本語 / English` message. No network, nothing in the file is run. No
Flask, no database.
"""

from __future__ import annotations

import logging

from . import docx, pdf, xlsx
from .checks import Refused, kind_of
from .draft import Imported, build

log = logging.getLogger(__name__)

READERS = {"pdf": pdf.extract, "xlsx": xlsx.extract, "docx": docx.extract}

__all__ = ["Imported", "Refused", "read_file"]


def read_file(
    raw: bytes, filename: str, *, form_id: str, procedure: str, title: str = ""
) -> Imported:
    kind = kind_of(raw, filename)
    try:
        found = READERS[kind](raw)
    except Refused:
        raise
    except Exception as exc:  # noqa: BLE001 - a file a reader trips on is one it cannot read
        log.warning("%s could not be read as a %s 様式: %r", filename[:80], kind, exc)
        raise Refused("unreadable") from exc
    if not found.items and not found.declaration:
        raise Refused("nothing")
    return build(found, form_id, procedure, title)
