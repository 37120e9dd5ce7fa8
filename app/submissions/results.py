"""Result documents (電子交付): on a decision, each of the form's `results:` for that
outcome becomes a PDF filled from the answers and the decision, signed (PAdES) with the
prefecture's key, kept write-once, and listed on the resident's status page.

`issue` (in the decision's transaction) records the documents and writes one
`result_pdf` job each; the job renders, signs and stores the file (`make_document`).
`revoke` withdraws them when a decision is undone: /verify then says so.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from flask import Response, current_app
from flask_babel import force_locale
from jinja2.sandbox import SandboxedEnvironment
from markupsafe import Markup, escape
from sqlalchemy import select

from app.clock import format_time, japan_time, utcnow
from app.documents import pdf, signing
from app.documents.storage import document_dir, write_once
from app.extensions import db
from app.formengine import render
from app.formengine.model import ResultDocument
from app.jobs import outbox

from .case_models import ResultRecord
from .codes import random_code
from .models import Submission, is_deleted
from .receipts import ui_locale
from .validation import context
from .versions import definition

RESULT_PDF = "result_pdf"  # the job kind (effects.py registers it)
DEV_KEY_NAME = "result-signing-dev.p12"
DEV_KEY_PASSWORD = "development"
_SANDBOX = SandboxedEnvironment(autoescape=False)  # plain text: escaped line by line below


# --- the signing key ------------------------------------------------------------------------


def signing_key() -> tuple[Path, str]:
    """(PKCS#12 path, password): RESULT_SIGNING_P12, or the development key in the instance."""
    configured = current_app.config.get("RESULT_SIGNING_P12")
    if configured:
        return Path(configured), current_app.config.get("RESULT_SIGNING_PASSWORD") or ""
    return Path(current_app.instance_path) / DEV_KEY_NAME, DEV_KEY_PASSWORD


def make_development_key() -> Path:
    """The development key and self-signed certificate (`flask results dev-key`, make run)."""
    path, password = signing_key()
    return signing.make_development_key(path, password, "Tetsuzuki development signature")


def signer():
    path, password = signing_key()
    return signing.load_signer(path, password)


# --- issuing ------------------------------------------------------------------------------


def documents_for(sub: Submission, outcome: str) -> list[ResultDocument]:
    return [r for r in definition(sub.form_version).results if r.when == outcome]


def issue(sub: Submission, outcome: str) -> list[int]:
    """Record the result documents of a decision and write their jobs (caller commits,
    then dispatches the returned job ids)."""
    lang = sub.lang or "ja"
    jobs = []
    for doc in documents_for(sub, outcome):
        record = ResultRecord(
            submission_id=sub.id,
            result_id=doc.id,
            kind=doc.kind,
            decision=outcome,
            document_no=f"{sub.fiscal_year}-R{random_code(8)}",
            title=doc.title.get(lang)[:300],
            lang=lang,
        )
        db.session.add(record)
        db.session.flush()
        job = outbox.add(
            RESULT_PDF, f"{RESULT_PDF}:{record.id}", submission_id=sub.id, payload={"id": record.id}
        )
        db.session.flush()
        jobs.append(job.id)
    return jobs


def revoke(sub: Submission, reason: str) -> int:
    """Withdraw the documents of a decision that was undone → how many."""
    rows = list(
        db.session.scalars(
            select(ResultRecord).where(
                ResultRecord.submission_id == sub.id, ResultRecord.revoked_at.is_(None)
            )
        )
    )
    for row in rows:
        row.revoked_at, row.revoke_reason = utcnow(), reason
    return len(rows)


def forget(sub: Submission) -> int:
    """Delete a case's result files after its retention (retention.py) → how many. The
    records stay without a file: /verify still knows the prefecture issued a copy a
    resident kept, by its digest."""
    gone = 0
    for row in db.session.scalars(
        select(ResultRecord).where(
            ResultRecord.submission_id == sub.id, ResultRecord.path.is_not(None)
        )
    ):
        (document_dir() / row.path).unlink(missing_ok=True)
        row.path = None
        gone += 1
    return gone


def issued(sub: Submission) -> list[ResultRecord]:
    """The documents of a case still in force, made or being made, newest first."""
    return list(
        db.session.scalars(
            select(ResultRecord)
            .where(ResultRecord.submission_id == sub.id, ResultRecord.revoked_at.is_(None))
            .order_by(ResultRecord.id.desc())
        )
    )


def by_document_no(sub: Submission, document_no: str) -> ResultRecord | None:
    return db.session.scalar(
        select(ResultRecord).where(
            ResultRecord.submission_id == sub.id, ResultRecord.document_no == document_no
        )
    )


def by_digest(sha256: str) -> ResultRecord | None:
    return db.session.scalar(select(ResultRecord).where(ResultRecord.sha256 == sha256))


# --- making the PDF (in the job) ----------------------------------------------------------------


@dataclass(frozen=True)
class Filled:
    title: str
    paragraphs: list[Markup]


def fill(sub: Submission, doc: ResultDocument, record: ResultRecord) -> Filled:
    """The document's body for the resident's language, filled in the sandbox: each
    answer as a person reads it, and the facts of the decision."""
    defn = definition(sub.form_version)
    lang = record.lang
    answers = {}
    for section in render(defn, sub.answers or {}, lang, context(lang)):
        for row in section.rows:
            answers[row.field_id] = row.value
    decided = next((e for e in reversed(sub.events) if e.status == record.decision), None)
    values = {
        "answers": answers,
        "receipt_no": sub.receipt_no,
        "applied_on": _day(sub.created_at, lang),
        "decided_on": _day(decided.at if decided else utcnow(), lang),
        "message": (decided.message if decided else "") or "",
        "form_title": defn.title.get(lang),
        "document_no": record.document_no,
    }
    text = _SANDBOX.from_string(doc.body.get(lang)).render(values)
    paragraphs = [
        Markup("<br>").join(escape(line) for line in block.strip("\n").split("\n"))
        for block in text.split("\n\n")
        if block.strip()
    ]
    return Filled(doc.title.get(lang), paragraphs)


def _day(at, lang: str) -> str:
    day = japan_time(at).date()
    if lang == "en":
        return f"{day.day} {day.strftime('%B')} {day.year}"
    return f"{day.year}年{day.month}月{day.day}日"


def result_html(sub: Submission, record: ResultRecord, development: bool) -> str:
    defn = definition(sub.form_version)
    doc = next(r for r in defn.results if r.id == record.result_id)
    filled = fill(sub, doc, record)
    lang = record.lang
    base = current_app.config["BASE_URL"].rstrip("/")
    with force_locale(ui_locale(lang)):
        return current_app.jinja_env.get_template("documents/result.html").render(
            sub=sub,
            record=record,
            filled=filled,
            form_title=defn.title.get(lang),
            html_lang=ui_locale(lang),
            issued_on=format_time(utcnow(), lang),
            verify_url=f"{base}/verify",
            development=development,
        )


def result_path(record: ResultRecord) -> Path:
    year = record.document_no.split("-")[0]
    return document_dir() / "results" / year / f"{record.document_no}.pdf"


def make_document(record: ResultRecord) -> str:
    """Render, sign and keep one result document (idempotent: a made one stays)."""
    if record.sha256:
        return f"exists: {record.document_no}"
    sub = db.session.get(Submission, record.submission_id)
    if record.revoked_at is not None or is_deleted(sub):
        return f"skipped: {record.document_no} withdrawn"
    key = signer()
    development = signing.is_development(signing.certificate_of(key))
    data = pdf.write_pdf(result_html(sub, record, development))
    with force_locale(ui_locale(record.lang)):
        signed = signing.sign_pdf(data, key, reason=record.title, location="三重県", name="三重県")
    path = result_path(record)
    write_once(path, signed)
    kept = path.read_bytes()
    record.sha256 = hashlib.sha256(kept).hexdigest()
    record.path = str(path.relative_to(document_dir()))
    record.made_at = utcnow()
    return f"signed: {record.document_no}"


def make_from_job(job) -> str:
    record = db.session.get(ResultRecord, job.payload["id"])
    if record is None:
        raise LookupError(f"result document {job.payload['id']} does not exist")
    return make_document(record)


def download(record: ResultRecord):
    """The signed PDF for the resident, or None while it is being made."""
    if not record.path:
        return None
    try:
        data = (document_dir() / record.path).read_bytes()
    except FileNotFoundError:
        return None
    return Response(
        data,
        mimetype="application/pdf",
        headers={
            "Content-Disposition": f'attachment; filename="{record.document_no}.pdf"',
            "Cache-Control": "private, no-store",
        },
    )
