"""HTML → tagged PDF (PDF/UA-1) with WeasyPrint: one font configuration and one
stylesheet object, made once per process and reused for every document."""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path
from time import perf_counter

from .fonts import require_japanese_font

STYLESHEET = Path(__file__).resolve().parent.parent / "templates" / "documents" / "pdf.css"
PDF_VARIANT = "pdf/ua-1"

# name → seconds, after each PDF: who wants to know (metrics, registered by app/wiring.py)
AFTER_RENDER: dict[str, Callable[[float], None]] = {}

_lock = threading.Lock()
_font_config = None
_stylesheet = None


def _shared():
    """(FontConfiguration, CSS), made on first use: loading fonts is the slow part."""
    global _font_config, _stylesheet
    if _stylesheet is None:
        with _lock:
            if _stylesheet is None:
                # WeasyPrint (with Pango) is loaded only by a process that makes a PDF:
                # the web processes, which never do, do not pay for it
                from weasyprint import CSS
                from weasyprint.text.fonts import FontConfiguration

                require_japanese_font()
                fc = FontConfiguration()
                _stylesheet = CSS(string=STYLESHEET.read_text(encoding="utf-8"), font_config=fc)
                _font_config = fc
    return _font_config, _stylesheet


def write_pdf(html: str, base_url: str | None = None) -> bytes:
    """A tagged PDF of `html` (its <html lang> and <title> become the PDF's language and title)."""
    from weasyprint import HTML  # loaded only where a PDF is made (see _shared)

    font_config, stylesheet = _shared()
    started = perf_counter()
    pdf = HTML(string=html, base_url=base_url).write_pdf(
        stylesheets=[stylesheet], font_config=font_config, pdf_variant=PDF_VARIANT
    )
    seconds = perf_counter() - started
    for heard in AFTER_RENDER.values():
        heard(seconds)
    return pdf


def warm_up() -> None:
    """Load fonts and the stylesheet now (the worker does this before its first job)."""
    _shared()
