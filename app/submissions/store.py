"""Storing a submission: its rows in one transaction, its receipt, the API's Idempotency-Key; finding it again."""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from functools import cache
from typing import Any

from flask import current_app
from sqlalchemy import (
    String,
    cast,
    insert,
    null,
    select,
    union_all,
    update,
)
from sqlalchemy.exc import IntegrityError

from app.clock import as_utc, today, utcnow
from app.extensions import db
from app.formengine import (
    Context,
    FormDefinition,
    Result,
    confirm_declaration,
    validate_all,
)
from app.formengine.types import FileType
from app.jobs.models import OutboxJob
from app.jobs.outbox import dispatch, new_job
from app.kpi import fiscal_year_of
from app.logs import stamped
from app.metrics import SUBMISSIONS
from app.prepared import Prepared, param

from . import deadlines, prefill
from .codes import normalise_access_code, normalise_receipt_no, random_code
from .drafts import submission_of
from .effects import submission_jobs
from .models import Draft, StoredFile, Submission, SubmissionEvent
from .uploads import Upload, asks_for_files, discard_files, refs_in, store_upload
from .validation import context
from .versions import Version, definition, version_by_id


@dataclass(frozen=True)
class Receipt:
    """What the resident is given for a stored submission."""

    id: int
    receipt_no: str
    access_code: str
    status: str
    form_version_id: int

    @classmethod
    def of(cls, sub: Submission) -> Receipt:
        return cls(sub.id, sub.receipt_no, sub.access_code, sub.status, sub.form_version_id)


def _store(
    fv_id: int,
    procedure_code: str,
    defn: FormDefinition,
    answers: dict,
    lang: str,
    channel: str,
    **extra,
) -> tuple[Receipt, list[int]]:
    """Insert the submission, its first event and its outbox jobs in the caller's
    transaction → (receipt, job ids). The caller commits, then dispatches the jobs."""
    fy = fiscal_year_of(today())
    now = utcnow()
    row = {
        "receipt_no": f"{fy}-{random_code(8)}",
        "access_code": random_code(8),
        "form_version_id": fv_id,
        "procedure_code": procedure_code,
        "fiscal_year": fy,
        "answers": answers,
        "lang": lang,
        "status": "received",
        "channel": channel,
        "created_at": now,
        "due_on": deadlines.first_due_on(procedure_code, defn, now),
        "workflow_step": 0,
        **extra,
    }
    jobs = [
        {"kind": kind, "suffix": suffix, "payload": stamped(payload), **new_job(now)}
        for kind, suffix, payload in submission_jobs(defn, answers)
    ]
    conn = db.session.connection()
    if conn.dialect.name == "postgresql":
        sub_id, job_ids = _insert_at_once(conn, row, jobs)
    else:
        sub_id, job_ids = _insert_one_by_one(conn, row, jobs)
    return Receipt(sub_id, row["receipt_no"], row["access_code"], "received", fv_id), job_ids


def _insert_one_by_one(conn, row: dict, jobs: list[dict]) -> tuple[int, list[int]]:
    statements, params = _statements(), _submission_params(row)
    (sub_id,) = statements.submission.rows(conn, params)[0]
    statements.first_event.rows(conn, params | {"s_id": sub_id})
    job_ids = [statements.job.rows(conn, _job_params(0, j) | {"s_id": sub_id})[0][0] for j in jobs]
    return sub_id, job_ids


def _insert_at_once(conn, row: dict, jobs: list[dict]) -> tuple[int, list[int]]:
    """The same rows in one statement (PostgreSQL runs INSERTs inside WITH): one round
    trip to the server instead of three."""
    params = _submission_params(row)
    for n, j in enumerate(jobs):
        params |= _job_params(n, j)
    got = _at_once_statement(len(jobs)).rows(conn, params)
    return got[0][1], sorted(r[0] for r in got if r[0] is not None)


def _submission_params(row: dict) -> dict:
    return {f"s_{k}": row.get(k) for k in _SUBMISSION_COLUMNS}


def _job_params(n: int, job: dict) -> dict:
    params = {f"j{n}_{k}": job[k] for k in _JOB_COLUMNS}
    params[f"j{n}_prefix"] = f"{job['kind']}:"
    params[f"j{n}_suffix"] = job["suffix"]
    return params


_SUBMISSION_COLUMNS = (
    "receipt_no", "access_code", "form_version_id", "procedure_code", "fiscal_year",
    "answers", "lang", "status", "channel", "created_at", "draft_id", "idempotency_key",
    "request_fingerprint", "declared_at", "due_on", "workflow_step", "vouched",
)  # fmt: skip
_JOB_COLUMNS = ("kind", "payload", "state", "attempts", "run_after", "created_at")


def _job_key(n: int, submission_id, outbox):
    """`<kind>:<submission id><suffix>`, made by the database from the new id."""
    return (
        param(f"j{n}_prefix", outbox.c.key)
        + cast(submission_id, String)
        + param(f"j{n}_suffix", outbox.c.key)
    )


@dataclass(frozen=True)
class _OneByOne:
    submission: Prepared
    first_event: Prepared
    job: Prepared


@cache
def _statements() -> _OneByOne:
    """The rows of a submission, one statement each (SQLite: no INSERT inside WITH)."""
    subs, events, outbox = _tables()
    sub_id = param("s_id", events.c.submission_id)
    return _OneByOne(
        submission=Prepared(
            insert(subs)
            .values({c: param(f"s_{c}", subs.c[c]) for c in _SUBMISSION_COLUMNS})
            .returning(subs.c.id)
        ),
        first_event=Prepared(
            insert(events).values(
                submission_id=sub_id,
                status=param("s_status", events.c.status),
                at=param("s_created_at", events.c.at),
            )
        ),
        job=Prepared(
            insert(outbox)
            .values(
                submission_id=sub_id,
                key=_job_key(0, sub_id, outbox),
                **{c: param(f"j0_{c}", outbox.c[c]) for c in _JOB_COLUMNS},
            )
            .returning(outbox.c.id)
        ),
    )


@cache
def _at_once_statement(jobs: int) -> Prepared:
    """Built once per number of jobs, with parameters for every value → rows of (job id,
    submission id); without jobs one row (NULL, submission id)."""
    subs, events, outbox = _tables()
    new = (
        insert(subs)
        .values({c: param(f"s_{c}", subs.c[c]) for c in _SUBMISSION_COLUMNS})
        .returning(subs.c.id)
        .cte("new_submission")
    )
    first_event = (
        insert(events)
        .from_select(
            ["submission_id", "status", "at"],
            select(
                new.c.id, param("s_status", events.c.status), param("s_created_at", events.c.at)
            ),
        )
        .cte("first_event")
    )
    if not jobs:
        return Prepared(select(null(), new.c.id).add_cte(new, first_event))
    parts = [
        select(
            new.c.id,
            _job_key(n, new.c.id, outbox),
            *(param(f"j{n}_{c}", outbox.c[c]) for c in _JOB_COLUMNS),
        )
        for n in range(jobs)
    ]
    return Prepared(
        insert(outbox)
        .from_select(
            ["submission_id", "key", *_JOB_COLUMNS],
            union_all(*parts) if len(parts) > 1 else parts[0],
        )
        .returning(outbox.c.id, outbox.c.submission_id)
        .add_cte(new, first_event)
    )


def _tables():
    return Submission.__table__, SubmissionEvent.__table__, OutboxJob.__table__


def submit_draft(draft: Draft, ctx: Context, *, declared: bool) -> tuple[Receipt | None, Result]:
    """Store the draft as a submission of the version it was answered on, once: a second
    submit (the caller looks first; two at the same moment meet the unique draft_id)
    returns the first. `declared`: the resident ticked the declaration (宣誓)."""
    fv = version_by_id(draft.form_version_id)
    defn = definition(fv)
    result = validate_all(defn, draft.answers or {}, ctx, unknown_is_error=False)
    confirm_declaration(defn, declared, ctx, result)
    if not result.ok:
        return None, result
    kept = {ref["id"] for v in result.values.values() for ref in refs_in(v)}
    try:
        receipt, jobs = _store(
            fv.id, fv.procedure_code, defn, result.values, draft.lang, "web",
            draft_id=draft.id, declared_at=utcnow() if defn.declaration else None,
            vouched=prefill.vouched(draft.prefilled, result.values),
        )  # fmt: skip
        if kept:
            db.session.execute(
                update(StoredFile)
                .where(StoredFile.draft_id == draft.id, StoredFile.id.in_(kept))
                .values(submission_id=receipt.id)
            )
        # the submission holds the answers now: the draft keeps no copy, no resume code,
        # and no file the submission does not have
        unused = (
            list(
                db.session.scalars(
                    select(StoredFile).where(
                        StoredFile.draft_id == draft.id, StoredFile.submission_id.is_(None)
                    )
                )
            )
            if asks_for_files(f for _, f in defn.all_fields())
            else []  # a form without file questions: its drafts hold no files
        )
        for row in unused:
            db.session.delete(row)
        draft.answers, draft.pending, draft.prefilled = {}, {}, None
        draft.resume_code = draft.resume_expires_at = None
        db.session.commit()
    except IntegrityError:  # the same draft submitted at the same moment, or a receipt clash
        db.session.rollback()
        existing = submission_of(draft)
        if existing is not None:
            return Receipt.of(existing), Result()
        return submit_draft(draft, ctx, declared=declared)
    discard_files(unused)
    SUBMISSIONS.labels(fv.form_id, "web").inc()
    dispatch(jobs)  # only after the commit; what fails here stays pending for the sweep
    return receipt, result


class IdempotencyConflict(Exception):
    """An Idempotency-Key already used with another request (another form or other
    answers): nothing of the earlier submission is told (422)."""


def request_fingerprint(
    form_id: str,
    answers: Mapping[str, Any],
    lang: str,
    declared: bool,
    uploads: Mapping[str, list[Upload]],
) -> str:
    """What makes two API requests the same request: the form, the answers as JSON with
    sorted keys, the language, the declaration and each file's content (not the way the
    body was laid out: a multipart boundary changes with every send)."""
    files = sorted(
        (field_id, hashlib.sha256(u.data).hexdigest())
        for field_id, items in uploads.items()
        for u in items
    )
    payload = {"form": form_id, "answers": answers, "lang": lang, "declared": declared}
    try:
        text = json.dumps(
            payload | {"files": files}, sort_keys=True, ensure_ascii=False, default=str
        )
    except (RecursionError, ValueError, TypeError):  # too deep to write: never a match
        text = secrets.token_hex(16)
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def submit_answers(
    fv: Version,
    defn: FormDefinition,
    answers: Mapping[str, Any],
    lang: str,
    uploads: Mapping[str, list[Upload]],
    idempotency_key: str | None,
    *,
    declared: bool = False,
) -> tuple[Receipt | None, Result, bool]:
    """The API's submission → (receipt, result, replayed).

    With an Idempotency-Key, a repeat of the same request (same form, answers, files,
    language and declaration) within IDEMPOTENCY_KEY_HOURS gets the first submission's
    receipt (replayed); the key with any other request raises IdempotencyConflict. An
    expired key is free again."""
    fingerprint = None
    if idempotency_key:
        fingerprint = request_fingerprint(fv.form_id, answers, lang, declared, uploads)
        existing = _replay(idempotency_key, fingerprint)
        if existing is not None:
            return existing, Result(), True
    raw = dict(answers)
    pending = {}
    for field_id, files in uploads.items():
        refs = [u.ref() for u in files]
        f = defn.field(field_id)
        raw[field_id] = FileType.answer_of(f, refs) if f is not None else refs
        pending.update({u.id: u for u in files})
    ctx = context(lang, pending_files=pending)
    result = validate_all(defn, raw, ctx)
    confirm_declaration(defn, declared, ctx, result)
    if not result.ok:
        return None, result, False
    extra = {"declared_at": utcnow() if defn.declaration else None}
    if idempotency_key:
        extra |= {"idempotency_key": idempotency_key, "request_fingerprint": fingerprint}
    stored: list[StoredFile] = []
    try:
        receipt, jobs = _store(fv.id, fv.procedure_code, defn, result.values, lang, "api", **extra)
        kept = {ref["id"] for v in result.values.values() for ref in refs_in(v)}
        for upload in pending.values():
            if upload.id in kept:
                stored.append(store_upload(upload, submission_id=receipt.id))
        db.session.commit()
    except IntegrityError:
        discard_files(stored)
        db.session.rollback()
        if idempotency_key:  # the same key at the same moment: the first one stored wins
            existing = _replay(idempotency_key, fingerprint)
            if existing is not None:
                return existing, Result(), True
        raise
    except Exception:
        discard_files(stored)  # storage full, or the database gone: no file without its row
        db.session.rollback()
        raise
    SUBMISSIONS.labels(fv.form_id, "api").inc()
    dispatch(jobs)  # only after the commit; what fails here stays pending for the sweep
    return receipt, result, False


def _replay(key: str, fingerprint: str) -> Receipt | None:
    """The receipt of the submission made by this very request, if it was made already.
    Raises IdempotencyConflict when the key was used by another request; frees the key
    when it has expired."""
    sub = db.session.scalar(select(Submission).where(Submission.idempotency_key == key))
    if sub is None:
        return None
    hours = current_app.config["IDEMPOTENCY_KEY_HOURS"]
    if as_utc(sub.created_at) < utcnow() - timedelta(hours=hours):
        sub.idempotency_key = sub.request_fingerprint = None  # expired: the key is free again
        db.session.flush()
        return None
    if sub.request_fingerprint is None or not hmac.compare_digest(
        sub.request_fingerprint, fingerprint
    ):
        raise IdempotencyConflict(key)
    return Receipt.of(sub)


def own_submission(receipt_no: str, draft_token: str) -> Submission | None:
    """The submission made from the draft with this token: how the resident's own session
    finds it again (it keeps the receipt number and this reference, never the access code)."""
    if not receipt_no or not draft_token:
        return None
    return db.session.scalar(
        select(Submission)
        .join(Draft, Draft.id == Submission.draft_id)
        .where(Submission.receipt_no == receipt_no, Draft.token == draft_token)
    )


def find_submission(receipt_no: str, access_code: str) -> Submission | None:
    """The submission for this receipt number and access code; None for either wrong."""
    receipt_no = normalise_receipt_no(receipt_no)
    code = normalise_access_code(access_code)
    sub = db.session.scalar(select(Submission).where(Submission.receipt_no == receipt_no))
    if sub is None:
        hmac.compare_digest(code, "X" * 8)  # the same work either way
        return None
    return sub if hmac.compare_digest(code, sub.access_code) else None


def residents_submission(receipt_no: str, resident_id: int) -> Submission | None:
    """The submission made from a draft of this signed-in resident (docs/identity.md)."""
    return db.session.scalar(
        select(Submission)
        .join(Draft, Draft.id == Submission.draft_id)
        .where(Submission.receipt_no == receipt_no, Draft.resident_id == resident_id)
    )


def find_by_receipt(receipt_no: str) -> Submission | None:
    receipt_no = normalise_receipt_no(receipt_no)
    return db.session.scalar(select(Submission).where(Submission.receipt_no == receipt_no))
