"""The PDF receipt (申請受付票): receipt number, date and time, form and version,
every answer through the shared renderer, what happens next, a QR code to the status page."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlencode

from flask import current_app
from flask_babel import force_locale

from app.clock import format_time, iso_time

from . import pdf
from .services import document_dir, write_once


def receipt_path(sub) -> Path:
    return document_dir() / "receipts" / str(sub.fiscal_year) / f"{sub.receipt_no}.pdf"


def make_receipt(sub) -> tuple[Path, bool]:
    """Write the receipt unless it exists (a second run does nothing) → (path, written)."""
    path = receipt_path(sub)
    if path.exists():
        return path, False
    return path, write_once(path, render_receipt(sub))


def render_receipt(sub) -> bytes:
    return pdf.write_pdf(receipt_html(sub))


def ui_locale(lang: str) -> str:
    """The site's language for a content language (やさしい日本語 keeps Japanese labels)."""
    return "en" if lang == "en" else "ja"


def status_url(sub) -> str:
    """The status look-up page with the receipt number filled in (the access code is not
    in the link: it stays with the resident)."""
    base = current_app.config["BASE_URL"].rstrip("/")
    return f"{base}/status?{urlencode({'receipt_no': sub.receipt_no})}"


def qr_data_uri(text: str) -> str:
    import segno

    return segno.make(text, error="m", micro=False).svg_data_uri(scale=4, border=2, dark="#1a1a1c")


def receipt_html(sub) -> str:
    from app.formengine import render
    from app.submissions import services as subs

    fv = sub.form_version
    defn = subs.definition(fv)
    lang = sub.lang or "ja"
    sections = render(defn, sub.answers or {}, lang, subs.context(lang))
    link = status_url(sub)
    with force_locale(ui_locale(lang)):
        return current_app.jinja_env.get_template("documents/receipt.html").render(
            sub=sub,
            fv=fv,
            defn=defn,
            lang=lang,
            html_lang=ui_locale(lang),
            sections=sections,
            received_at=format_time(sub.created_at, lang),
            status_link=link,
            created_w3c=iso_time(sub.created_at, timespec="seconds"),
            qr=qr_data_uri(link),
            t=lambda text: text.get(lang) if text is not None else "",
        )
