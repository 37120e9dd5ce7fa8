"""Where documents are kept, and what the pages and the API ask about them."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from flask import current_app

from app.clock import as_utc, utcnow

READY, PENDING, FAILED, DELETED = "ready", "pending", "failed", "deleted"


def document_dir() -> Path:
    """DOCUMENT_DIR, or <instance>/documents: a shared volume when workers are on other machines."""
    configured = current_app.config.get("DOCUMENT_DIR")
    return Path(configured) if configured else Path(current_app.instance_path) / "documents"


def write_once(path: Path, data: bytes) -> bool:
    """Write `path` unless it exists; two runs at once still leave one whole file.
    → True when this call wrote it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.exists():
        return False
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(6)}.tmp")
    tmp.write_bytes(data)
    try:
        os.link(tmp, path)  # fails if another run got there first: theirs is kept
        return True
    except FileExistsError:
        return False
    finally:
        tmp.unlink(missing_ok=True)


def receipt_state(sub) -> str:
    """`ready`, `pending` (being made), `failed` (the job gave up) or `deleted` (retention)."""
    from sqlalchemy import select

    from app.extensions import db
    from app.jobs.models import FAILED as JOB_FAILED
    from app.jobs.models import OutboxJob
    from app.jobs.outbox import RECEIPT_PDF
    from app.jobs.retention import is_deleted

    from .receipts import receipt_path

    if is_deleted(sub):
        return DELETED
    if receipt_path(sub).exists():
        return READY
    state = db.session.scalar(
        select(OutboxJob.state).where(OutboxJob.key == f"{RECEIPT_PDF}:{sub.id}")
    )
    return FAILED if state == JOB_FAILED else PENDING


def receipt_for(sub) -> tuple[bytes | None, str]:
    """The receipt PDF of a submission → (bytes, "ready"), or (None, state) while it is
    `pending`, when it `failed`, or when it was `deleted` after the retention period.
    For the API's `GET /submissions/<receipt_no>/receipt.pdf` (202 while pending)."""
    from .receipts import receipt_path

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
    from flask import Response

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
    from datetime import timedelta

    from sqlalchemy import select

    from app.extensions import db
    from app.jobs import outbox, queue
    from app.jobs.models import PENDING as JOB_PENDING
    from app.jobs.models import OutboxJob

    if queue.mode() != "inline":
        return False
    job = db.session.scalar(
        select(OutboxJob).where(
            OutboxJob.key == f"{outbox.RECEIPT_PDF}:{sub.id}", OutboxJob.state == JOB_PENDING
        )
    )
    if job is None:
        return False
    if utcnow() - as_utc(job.created_at) < timedelta(seconds=CATCH_UP_AFTER_SECONDS):
        return False
    outbox.dispatch_now([job.id])
    return True
