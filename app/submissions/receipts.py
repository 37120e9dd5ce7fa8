"""The PDF receipt (申請受付票): receipt number, date and time, form and version,
every answer through the shared renderer, what happens next, a QR code to the status page."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from flask import Response, current_app
from flask_babel import force_locale
from sqlalchemy import select

from app.clock import as_utc, format_time, iso_time, utcnow
from app.documents import pdf
from app.documents.qr import qr_data_uri
from app.documents.storage import document_dir, write_once
from app.extensions import db
from app.formengine import render
from app.jobs import outbox, queue
from app.jobs.models import FAILED as JOB_FAILED
from app.jobs.models import PENDING as JOB_PENDING
from app.jobs.models import OutboxJob
from app.links import absolute_url

from . import revisions
from .deadlines import standard_days
from .models import is_deleted
from .validation import context
from .versions import definition

RECEIPT_PDF = "receipt_pdf"  # the job kind that makes a submission's receipt (effects.py)


def receipt_path(sub, revision: int | None = None) -> Path:
    """The receipt of one revision of the answers (the newest when not given): the first
    as `<receipt>.pdf`, then one per resubmission after a correction (`<receipt>-r2.pdf`…),
    so that a receipt a resident was given is never written over."""
    n = revision if revision is not None else revisions.revision_count(sub)
    name = sub.receipt_no if n <= 1 else f"{sub.receipt_no}-r{n}"
    return document_dir() / "receipts" / str(sub.fiscal_year) / f"{name}.pdf"


def every_receipt(sub) -> list[Path]:
    """The receipts of every revision written so far (retention deletes them all)."""
    return [receipt_path(sub, n) for n in range(1, revisions.revision_count(sub) + 1)]


def receipt_job_key(sub, revision: int = 1) -> str:
    """The outbox key of the job that makes a revision's receipt (the first: store.py)."""
    return f"{RECEIPT_PDF}:{sub.id}" + (f":r{revision}" if revision > 1 else "")


def make_receipt(sub, revision: int | None = None) -> tuple[Path, bool]:
    """Write the receipt unless it exists (a second run does nothing) → (path, written)."""
    path = receipt_path(sub, revision)
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
    return absolute_url("submissions.status", receipt_no=sub.receipt_no)


def receipt_html(sub) -> str:
    fv = sub.form_version
    defn = definition(fv)
    lang = sub.lang or "ja"
    sections = render(defn, sub.answers or {}, lang, context(lang))
    link = status_url(sub)
    versions_made = revisions.revisions_of(sub)
    revision = versions_made[-1] if len(versions_made) > 1 else None  # corrected (補正)
    with force_locale(ui_locale(lang)):
        return current_app.jinja_env.get_template("documents/receipt.html").render(
            sub=sub,
            revision=revision,
            processing_days=standard_days(sub.procedure_code, defn),
            revised_at=format_time(revision.created_at, lang) if revision else None,
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


# --- what the pages and the API ask about a receipt -----------------------------------------

READY, PENDING, FAILED, DELETED = "ready", "pending", "failed", "deleted"


def receipt_state(sub) -> str:
    """`ready`, `pending` (being made), `failed` (the job gave up) or `deleted` (retention)."""
    if is_deleted(sub):
        return DELETED
    if receipt_path(sub).exists():
        return READY
    state = db.session.scalar(
        select(OutboxJob.state).where(
            OutboxJob.key == receipt_job_key(sub, revisions.revision_count(sub))
        )
    )
    return FAILED if state == JOB_FAILED else PENDING


def receipt_for(sub) -> tuple[bytes | None, str]:
    """The receipt PDF of a submission → (bytes, "ready"), or (None, state) while it is
    `pending`, when it `failed`, or when it was `deleted` after the retention period.
    For the API's `GET /submissions/<receipt_no>/receipt.pdf` (202 while pending)."""
    state = receipt_state(sub)
    if state == PENDING and _catch_up_inline(sub):
        state = receipt_state(sub)
    if state != READY:
        return None, state
    try:
        return receipt_path(sub).read_bytes(), READY
    except FileNotFoundError:  # deleted between the two looks
        return None, receipt_state(sub)


def receipt_download(sub, data: bytes):
    """The receipt PDF as a download for the resident (pages and API alike)."""
    return Response(
        data,
        mimetype="application/pdf",
        headers={
            "Content-Disposition": f'attachment; filename="receipt-{sub.receipt_no}.pdf"',
            "Cache-Control": "private, no-store",
        },
    )


CATCH_UP_AFTER_SECONDS = 5


def _catch_up_inline(sub) -> bool:
    """Without a queue (REDIS_URL unset) an inline job runs when the server closes the
    response; a development server skips that when the browser hangs up first. A receipt
    still pending a few seconds later is then made now, for the resident who asks for it.
    """
    if queue.mode() != "inline":
        return False
    job = db.session.scalar(
        select(OutboxJob).where(
            OutboxJob.key == receipt_job_key(sub, revisions.revision_count(sub)),
            OutboxJob.state == JOB_PENDING,
        )
    )
    if job is None:
        return False
    if utcnow() - as_utc(job.created_at) < timedelta(seconds=CATCH_UP_AFTER_SECONDS):
        return False
    outbox.dispatch_now([job.id])
    return True
