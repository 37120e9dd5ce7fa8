"""Documents kept for reuse (書類の再利用): a signed-in resident may keep a file they
attached (住民票の写し, a certificate) in マイページ and attach it again to a later
application with one choice — each use a choice of its own, made on the question's page
(the consent to send it with this application). A kept document is a copy of its own,
deleted with its file after KEPT_DOCUMENT_DAYS (90) or when the resident deletes it; a
copy attached again is a new file of that draft, checked like any upload, and staff see
that it was reused and when it was first uploaded."""

from __future__ import annotations

import io
import secrets
from datetime import datetime, timedelta
from pathlib import Path

from flask import current_app
from sqlalchemy import delete, select
from werkzeug.datastructures import FileStorage

from app.clock import as_utc, utcnow
from app.extensions import db

from .models import KeptDocument, StoredFile
from .uploads import file_path, upload_dir

KEPT_FOLDER = "kept"
MAX_CHOSEN = 20  # reuse choices read from one field of one request


def usable(resident_id: int, accept=None) -> list[KeptDocument]:
    """The resident's kept documents not expired (of the types a question accepts)."""
    rows = db.session.scalars(
        select(KeptDocument)
        .where(KeptDocument.resident_id == resident_id, KeptDocument.expires_at > utcnow())
        .order_by(KeptDocument.kept_at.desc())
    ).all()
    return [r for r in rows if not accept or r.content_type in accept]


def find(resident_id: int, doc_id: str) -> KeptDocument | None:
    if not isinstance(doc_id, str) or len(doc_id) > 32:
        return None
    doc = db.session.get(KeptDocument, doc_id)
    if doc is None or doc.resident_id != resident_id or as_utc(doc.expires_at) <= utcnow():
        return None
    return doc


def keep(resident_id: int, row: StoredFile, label: str) -> KeptDocument | None:
    """A copy of an attached file kept for the resident (the same content once); None when
    they keep KEPT_DOCUMENT_MAX already. The caller commits."""
    same = db.session.scalar(
        select(KeptDocument).where(
            KeptDocument.resident_id == resident_id, KeptDocument.sha256 == row.sha256
        )
    )
    if same is not None:
        return same
    if len(usable(resident_id)) >= current_app.config["KEPT_DOCUMENT_MAX"]:
        return None
    doc_id = secrets.token_hex(16)
    rel = Path(KEPT_FOLDER) / doc_id
    target = upload_dir() / rel
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(file_path(row).read_bytes())
    now = utcnow()
    doc = KeptDocument(
        id=doc_id,
        resident_id=resident_id,
        label=label[:200],
        original_name=row.original_name,
        content_type=row.content_type,
        size=row.size,
        sha256=row.sha256,
        path=str(rel),
        first_uploaded_at=row.reused_first_at or row.created_at or now,
        kept_at=now,
        expires_at=now + timedelta(days=current_app.config["KEPT_DOCUMENT_DAYS"]),
    )
    db.session.add(doc)
    return doc


def as_upload(doc: KeptDocument) -> FileStorage:
    """The kept document as the page's upload of it: checked and stored as any file."""
    data = (upload_dir() / doc.path).read_bytes()
    return FileStorage(
        stream=io.BytesIO(data), filename=doc.original_name, content_type=doc.content_type
    )


def mark_reused(draft_id: int, field_id: str, docs: list[KeptDocument]) -> None:
    """The draft's new files that are these documents: reused, first uploaded when."""
    for doc in docs:
        rows = db.session.scalars(
            select(StoredFile).where(
                StoredFile.draft_id == draft_id,
                StoredFile.field_id == field_id,
                StoredFile.sha256 == doc.sha256,
                StoredFile.submission_id.is_(None),
                StoredFile.reused_first_at.is_(None),
            )
        ).all()
        for row in rows:
            row.reused_first_at = doc.first_uploaded_at


def remove(doc: KeptDocument) -> None:
    """Delete the document and its file (committed)."""
    path = upload_dir() / doc.path
    db.session.delete(doc)
    db.session.commit()
    path.unlink(missing_ok=True)


def purge_expired(now: datetime | None = None) -> int:
    """Delete the kept documents past their date, with their files (the retention run)."""
    now = now or utcnow()
    rows = db.session.scalars(select(KeptDocument).where(KeptDocument.expires_at <= now)).all()
    paths = [upload_dir() / r.path for r in rows]
    if rows:
        db.session.execute(
            delete(KeptDocument)
            .where(KeptDocument.id.in_([r.id for r in rows]))
            .execution_options(synchronize_session=False)
        )
        db.session.commit()
    for path in paths:
        path.unlink(missing_ok=True)
    return len(rows)
