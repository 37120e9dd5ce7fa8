"""The PDF receipt (申請受付票): receipt number, date and time, form and version,
every answer through the shared renderer, what happens next, a QR code to the status page.

A receipt is made when it is first asked for (the done page's link, the status page, the
API), by a job, from what the submission stored: the answers of that revision, when it
was received, the form version it was made with. Most residents never ask (the mail and
the status page carry the receipt number), and a PDF costs a worker about as much CPU as
everything else a submission does together (docs/operations.md, "Receipts")."""

from __future__ import annotations

from pathlib import Path

from flask import Response, current_app
from flask_babel import force_locale
from sqlalchemy import select

from app.clock import format_time, iso_time
from app.documents import pdf
from app.documents.qr import qr_data_uri
from app.documents.storage import document_dir, write_once
from app.extensions import db
from app.formengine import render
from app.jobs import outbox, queue
from app.jobs.models import FAILED as JOB_FAILED
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
    return path, write_once(path, render_receipt(sub, revision))


def render_receipt(sub, revision: int | None = None) -> bytes:
    return pdf.write_pdf(receipt_html(sub, revision))


def ui_locale(lang: str) -> str:
    """The site's language for a content language (やさしい日本語 keeps Japanese labels)."""
    return "en" if lang == "en" else "ja"


def status_url(sub) -> str:
    """The status look-up page with the receipt number filled in (the access code is not
    in the link: it stays with the resident)."""
    return absolute_url("submissions.status", receipt_no=sub.receipt_no)


def receipt_html(sub, revision: int | None = None) -> str:
    """The receipt of one revision of the answers (the newest when not given): what was
    received then, also when it is made after a later correction."""
    fv = sub.form_version
    defn = definition(fv)
    lang = sub.lang or "ja"
    versions_made = revisions.revisions_of(sub)
    n = revision or len(versions_made) or 1
    answers = versions_made[n - 1].answers if versions_made else sub.answers
    sections = render(defn, answers or {}, lang, context(lang))
    link = status_url(sub)
    corrected = versions_made[n - 1] if n > 1 else None  # 補正後の申請内容
    with force_locale(ui_locale(lang)):
        return current_app.jinja_env.get_template("documents/receipt.html").render(
            sub=sub,
            revision=corrected,
            processing_days=standard_days(sub.procedure_code, defn),
            revised_at=format_time(corrected.created_at, lang) if corrected else None,
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

READY, ON_REQUEST, PENDING, FAILED, DELETED = (
    "ready",
    "on_request",
    "pending",
    "failed",
    "deleted",
)


def receipt_state(sub) -> str:
    """`ready`, `on_request` (not asked for yet: made when it is), `pending` (being made),
    `failed` (the job gave up) or `deleted` (retention) — of the newest revision."""
    if is_deleted(sub):
        return DELETED
    n = revisions.revision_count(sub)
    if receipt_path(sub, n).exists():
        return READY
    state = db.session.scalar(
        select(OutboxJob.state).where(OutboxJob.key == receipt_job_key(sub, n))
    )
    if state is None:
        return ON_REQUEST
    return FAILED if state == JOB_FAILED else PENDING


def request_receipt(sub) -> str:
    """The resident asked for a receipt not made yet: a job makes it (once, however many
    ask at the same moment) → the state now. Without a queue it is made here and now."""
    n = revisions.revision_count(sub)
    job = outbox.add(
        RECEIPT_PDF,
        receipt_job_key(sub, n),
        submission_id=sub.id,
        payload={"revision": n} if n > 1 else {},
        unique_check=True,
    )
    db.session.commit()
    if job is not None:
        if queue.mode() == "inline":
            outbox.dispatch_now([job.id])
        else:
            outbox.dispatch([job.id])
    return receipt_state(sub)


def receipt_for(sub) -> tuple[bytes | None, str]:
    """The receipt PDF of a submission → (bytes, "ready"), or (None, state) while it is
    `pending` (asking for one not made yet starts it), when it `failed`, or when it was
    `deleted` after the retention period. For the pages' links and the API's
    `GET /submissions/<receipt_no>/receipt.pdf` (202 while pending)."""
    state = receipt_state(sub)
    if state == ON_REQUEST:
        state = request_receipt(sub)
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
