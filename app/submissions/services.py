"""The only place that changes forms, drafts and submissions."""

from __future__ import annotations

import errno
import hashlib
import hmac
import secrets
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import cache
from pathlib import Path
from time import monotonic
from typing import Any

from flask import current_app
from sqlalchemy import String, bindparam, cast, func, insert, select, union_all, update
from sqlalchemy.exc import IntegrityError

from app.catalogue.models import Procedure, utcnow
from app.clock import today
from app.extensions import db
from app.formengine import Context, FormDefinition, Page, Result, prune, validate_all, validate_page
from app.formengine.files import SNIFF_BYTES, check_upload
from app.formengine.normalise import UNUSABLE
from app.formengine.parser import check_file, parse
from app.formengine.postal import lookup as postal_lookup
from app.formengine.registry import FIELD_TYPES
from app.kpi import fiscal_year_of
from app.prepared import Prepared

from .models import Draft, FormVersion, FunnelCount, StoredFile, Submission, SubmissionEvent

# no look-alikes: no 0/O, 1/I/L
ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
RESUME_DAYS = 30


def random_code(length: int) -> str:
    """`length` characters of ALPHABET, each equally likely: one random number written in
    base 31 (one draw instead of one per character)."""
    n = secrets.randbelow(len(ALPHABET) ** length)
    out = []
    for _ in range(length):
        n, i = divmod(n, len(ALPHABET))
        out.append(ALPHABET[i])
    return "".join(out)


# --- form versions ----------------------------------------------------------------------

_definitions: dict[tuple[int, str], FormDefinition] = {}


def definition(fv: FormVersion) -> FormDefinition:
    """The parsed definition of a stored version (parsed once per process)."""
    key = (fv.id, fv.content_hash)
    defn = _definitions.get(key)
    if defn is None:
        defn, problems = parse(fv.yaml_text, path=f"{fv.form_id}@{fv.version}")
        if defn is None:  # stored versions were checked when loaded
            raise ValueError("; ".join(map(str, problems)))
        _definitions[key] = defn
    return defn


@dataclass(frozen=True)
class Version:
    """A published form version as read once: the rows never change after they are stored."""

    id: int
    form_id: str
    version: int
    procedure_code: str
    title_ja: str
    content_hash: str
    yaml_text: str


def _newest_row(form_id: str) -> FormVersion | None:
    return db.session.scalar(
        select(FormVersion)
        .where(FormVersion.form_id == form_id)
        .order_by(FormVersion.version.desc())
        .limit(1)
    )


def _version(row: FormVersion) -> Version:
    return Version(
        row.id, row.form_id, row.version, row.procedure_code, row.title_ja,
        row.content_hash, row.yaml_text,
    )  # fmt: skip


def version_by_id(version_id: int) -> Version | None:
    """A stored version by its id, read once per process (versions never change)."""
    cache = current_app.extensions.setdefault("form_versions_by_id", {})
    fv = cache.get(version_id)
    if fv is None:
        row = db.session.get(FormVersion, version_id)
        if row is None:
            return None
        fv = cache[version_id] = _version(row)
    return fv


def latest_version(form_id: str) -> Version | None:
    """The newest version of a form. Kept per process for FORM_VERSION_CACHE_SECONDS, so
    that a page or a submission does not ask the database each time: a version loaded by
    another process is taken up within that time (this process's loads at once)."""
    cache = current_app.extensions.setdefault("form_versions", {})
    now = monotonic()
    hit = cache.get(form_id)
    if hit is not None and hit[0] > now:
        return hit[1]
    row = _newest_row(form_id)
    fv = _version(row) if row is not None else None
    cache[form_id] = (now + current_app.config["FORM_VERSION_CACHE_SECONDS"], fv)
    return fv


def published_forms() -> list[FormVersion]:
    """The newest version of every form, by id."""
    newest = (
        select(FormVersion.form_id, func.max(FormVersion.version).label("v"))
        .group_by(FormVersion.form_id)
        .subquery()
    )
    return list(
        db.session.scalars(
            select(FormVersion)
            .join(
                newest,
                (FormVersion.form_id == newest.c.form_id) & (FormVersion.version == newest.c.v),
            )
            .order_by(FormVersion.form_id)
        )
    )


@dataclass
class LoadReport:
    problems: list[str] = field(default_factory=list)
    loaded: list[tuple[str, int, str]] = field(default_factory=list)  # (id, version, new|unchanged)


def form_files(paths: Iterable[Path]) -> list[Path]:
    out: list[Path] = []
    for p in paths:
        out += sorted(p.glob("*.yaml")) + sorted(p.glob("*.yml")) if p.is_dir() else [p]
    return out


def check_forms(paths: Iterable[Path], *, with_catalogue: bool = True) -> tuple[list, list[str]]:
    """Parse every file → ([(path, definition, text)], problems as `path:line: message`)."""
    codes = set(db.session.scalars(select(Procedure.code))) if with_catalogue else None
    ok, problems = [], []
    seen: dict[str, Path] = {}
    for path in form_files(paths):
        defn, found = check_file(path, procedures=codes or None)
        problems += [str(p) for p in found]
        if defn is None:
            continue
        if defn.id in seen:
            problems.append(
                f"{path}:1: 様式ID {defn.id} が {seen[defn.id]} と重複しています / form id {defn.id} is also used by {seen[defn.id]}"
            )
            continue
        seen[defn.id] = path
        ok.append((path, defn, path.read_text(encoding="utf-8")))
    return ok, problems


def load_forms(paths: Iterable[Path]) -> LoadReport:
    """Check, then store new versions; a changed file under a published version is refused."""
    report = LoadReport()
    ok, report.problems = check_forms(paths)
    new = []
    for path, defn, text in ok:
        digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
        existing = db.session.scalar(
            select(FormVersion).where(
                FormVersion.form_id == defn.id, FormVersion.version == defn.version
            )
        )
        if existing is None:
            new.append(
                FormVersion(
                    form_id=defn.id,
                    version=defn.version,
                    procedure_code=defn.procedure,
                    title_ja=defn.title.get("ja"),
                    content_hash=digest,
                    yaml_text=text,
                )
            )
            report.loaded.append((defn.id, defn.version, "new"))
        elif existing.content_hash != digest:
            report.problems.append(
                f"{path}:1: 公開済みの版 {defn.version} と内容が異なります。version を上げてください"
                f" / version {defn.version} is published and this file differs from it: bump the version"
            )
        else:
            report.loaded.append((defn.id, defn.version, "unchanged"))
        newer = _newest_row(defn.id)
        if existing is None and newer is not None and newer.version > defn.version:
            report.problems.append(
                f"{path}:1: 版 {defn.version} は公開済みの版 {newer.version} より古い番号です"
                f" / version {defn.version} is older than the published version {newer.version}"
            )
    if report.problems:
        db.session.rollback()
        return report
    db.session.add_all(new)
    db.session.commit()
    current_app.extensions.pop("form_versions", None)
    return report


# --- context ------------------------------------------------------------------------------


def context(
    lang: str, draft: Draft | None = None, pending_files: Mapping[str, Any] | None = None
) -> Context:
    """What validation needs: the language, today in Japan, postcodes, and file lookups."""

    def file_exists(ref: Mapping[str, Any]) -> bool:
        if pending_files is not None and ref.get("id") in pending_files:
            return True
        if draft is None:
            return False
        stored = db.session.get(StoredFile, ref.get("id"))
        return stored is not None and stored.draft_id == draft.id

    return Context(lang=lang, today=today(), postal_lookup=postal_lookup, file_exists=file_exists)


# --- funnel -------------------------------------------------------------------------------


def bump(form_version_id: int, step: str) -> None:
    """Count one more resident at this step (no cookie, no personal data)."""
    done = db.session.execute(
        update(FunnelCount)
        .where(FunnelCount.form_version_id == form_version_id, FunnelCount.step == step)
        .values(count=FunnelCount.count + 1)
    ).rowcount
    if done:
        return
    try:
        with db.session.begin_nested():
            db.session.add(FunnelCount(form_version_id=form_version_id, step=step, count=1))
    except IntegrityError:  # another request made the row first
        db.session.execute(
            update(FunnelCount)
            .where(FunnelCount.form_version_id == form_version_id, FunnelCount.step == step)
            .values(count=FunnelCount.count + 1)
        )


def funnel(form_version_id: int) -> dict[str, int]:
    """Counts by step; `submitted` is the submissions themselves (not a counter that every
    submission would have to lock)."""
    counts = dict(
        db.session.execute(
            select(FunnelCount.step, FunnelCount.count).where(
                FunnelCount.form_version_id == form_version_id
            )
        ).all()
    )
    counts["submitted"] = db.session.scalar(
        select(func.count(Submission.id)).where(Submission.form_version_id == form_version_id)
    )
    return counts


# --- drafts -------------------------------------------------------------------------------


def start_draft(fv: FormVersion, lang: str) -> Draft:
    draft = Draft(
        token=secrets.token_urlsafe(32),
        form_version_id=fv.id,
        answers={},
        pending={},
        pages_seen=[],
        lang=lang,
    )
    db.session.add(draft)
    bump(fv.id, "start")
    db.session.commit()
    return draft


def draft_by_token(token: str | None) -> Draft | None:
    if not token:
        return None
    return db.session.scalar(select(Draft).where(Draft.token == token))


@dataclass(frozen=True)
class DraftState:
    """A draft as the pages that only show it read it: its row and whether it was
    submitted, in one statement and without the ORM (the form pages' fast path)."""

    id: int
    token: str
    form_version_id: int
    answers: dict
    pending: dict
    pages_seen: list
    submitted: bool


@cache
def _draft_state_statement() -> Prepared:
    d, s = Draft.__table__, Submission.__table__
    submitted = select(s.c.id).where(s.c.draft_id == d.c.id).scalar_subquery()
    return Prepared(
        select(
            d.c.id, d.c.token, d.c.form_version_id, d.c.answers, d.c.pending, d.c.pages_seen,
            submitted.label("submitted"),
        ).where(d.c.token == _param("token", d.c.token))
    )  # fmt: skip


def draft_state(token: str | None) -> DraftState | None:
    if not token:
        return None
    rows = _draft_state_statement().read(db.engine, {"token": token})
    if not rows:
        return None
    id_, token, fv_id, answers, pending, seen, submitted = rows[0]
    return DraftState(
        id_, token, fv_id, answers or {}, pending or {}, seen or [], submitted is not None
    )


def reach_page(draft: Draft | DraftState, step: str) -> None:
    """Count the first time this draft reaches a page (or the check page)."""
    if step in (draft.pages_seen or []):
        return
    row = draft if isinstance(draft, Draft) else db.session.get(Draft, draft.id)
    row.pages_seen = [*(row.pages_seen or []), step]
    bump(row.form_version_id, step)
    db.session.commit()


def save_page(
    draft: Draft, defn: FormDefinition, page: Page, raw: Mapping[str, Any], ctx: Context
) -> Result:
    """Validate a page; keep its answers when valid, or what was typed when not."""
    result = validate_page(defn, page, raw, draft.answers or {}, ctx)
    if result.ok:
        answers = {
            k: v for k, v in (draft.answers or {}).items() if k not in {f.id for f in page.fields}
        }
        answers.update(result.values)
        draft.answers = prune(defn, answers, ctx)
        draft.pending = {k: v for k, v in (draft.pending or {}).items() if k != page.id}
    else:
        keep_typed(draft, page, raw)
    db.session.commit()
    return result


def keep_typed(draft: Draft, page: Page, raw: Mapping[str, Any]) -> None:
    """Keep what the resident typed on a page, unchecked, so nothing entered is lost."""
    draft.pending = {**(draft.pending or {}), page.id: _jsonable(raw)}


# What is kept of a text typed on a refused page: never a character the database cannot
# hold (the page said so; it is dropped), and at most one character more than the longest
# text any form takes, so that a text kept shortened is still refused, never passed.
KEPT_CHARS = max(t.max_length_ceiling or t.max_length or 0 for t in FIELD_TYPES.values()) + 1


def _jsonable(value):
    if isinstance(value, str):
        return UNUSABLE.sub("", value[:KEPT_CHARS])
    if isinstance(value, Mapping):
        return {_jsonable(str(k)): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, int | float | bool) or value is None:
        return value
    return _jsonable(str(value))


def save_for_later(draft: Draft) -> Draft:
    """一時保存: a resume code valid for RESUME_DAYS days."""
    if not draft.resume_code or _expired(draft):
        draft.resume_code = f"{random_code(5)}-{random_code(5)}"
    draft.resume_expires_at = utcnow() + timedelta(days=RESUME_DAYS)
    db.session.commit()
    return draft


def _expired(draft: Draft) -> bool:
    at = draft.resume_expires_at
    if at is None:
        return True
    if at.tzinfo is None:
        at = at.replace(tzinfo=utcnow().tzinfo)
    return at < utcnow()


def resume(code: str) -> Draft | None:
    """The draft saved under this code, if not expired and not yet submitted."""
    code = (code or "").strip().upper().replace(" ", "")
    if len(code) == 10:
        code = f"{code[:5]}-{code[5:]}"
    draft = db.session.scalar(select(Draft).where(Draft.resume_code == code))
    if draft is None or _expired(draft) or submission_of(draft) is not None:
        return None
    return draft


def is_submitted(draft: Draft) -> bool:
    conn = db.session.connection()
    return conn.scalar(select(Submission.id).where(Submission.draft_id == draft.id)) is not None


def submission_of(draft: Draft) -> Submission | None:
    return db.session.scalar(select(Submission).where(Submission.draft_id == draft.id))


# --- files --------------------------------------------------------------------------------


@dataclass
class Upload:
    """A file received in a request, checked and ready to be stored."""

    id: str
    field_id: str
    name: str
    content_type: str
    data: bytes

    def ref(self) -> dict[str, Any]:
        return {"id": self.id, "name": self.name, "size": len(self.data), "type": self.content_type}


def receive_upload(f, storage, lang: str) -> tuple[Upload | None, str | None]:
    """Read an uploaded file (werkzeug FileStorage), check it against the field."""
    from app.formengine.files import safe_name, sniff

    name = safe_name(storage.filename)  # shown and offered back, never used as a path
    try:
        data = storage.read()
    finally:
        storage.close()  # large uploads are spooled to a temporary file
    error = check_upload(f, name, data, len(data), lang)
    if error:
        return None, error
    return Upload(
        secrets.token_hex(16),
        f.id,
        name,
        sniff(data[:SNIFF_BYTES]) or "application/octet-stream",
        data,
    ), None


def upload_dir() -> Path:
    return Path(current_app.config["UPLOAD_DIR"])


class StorageFull(Exception):
    """The upload folder has no room (ENOSPC, EDQUOT). Nothing of the file was kept; the
    resident is asked to try again later (507)."""


def discard_files(rows: Iterable[StoredFile]) -> None:
    """Delete the files of rows whose transaction failed: no file without its row."""
    for row in rows:
        file_path(row).unlink(missing_ok=True)


def store_upload(
    upload: Upload, *, draft: Draft | None = None, submission_id: int | None = None
) -> StoredFile:
    """Write the bytes under a server-made name outside the web root; add the row.
    A write that fails leaves nothing behind; a full disk raises StorageFull."""
    now = datetime.now()
    rel = Path(f"{now:%Y}") / f"{now:%m}" / upload.id
    target = upload_dir() / rel
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(upload.data)
    except OSError as exc:
        target.unlink(missing_ok=True)
        if exc.errno in (errno.ENOSPC, errno.EDQUOT):
            raise StorageFull(upload.name) from exc
        raise
    row = StoredFile(
        id=upload.id,
        draft_id=draft.id if draft else None,
        submission_id=submission_id,
        field_id=upload.field_id,
        original_name=upload.name,
        content_type=upload.content_type,
        size=len(upload.data),
        sha256=hashlib.sha256(upload.data).hexdigest(),
        path=str(rel),
    )
    db.session.add(row)
    return row


def file_path(row: StoredFile) -> Path:
    return upload_dir() / row.path


def file_download(row: StoredFile):
    """The attachment as a download under its original name, never cached."""
    from flask import send_file

    return send_file(
        file_path(row),
        mimetype=row.content_type,
        as_attachment=True,
        download_name=row.original_name,
        max_age=0,
    )


# --- submissions --------------------------------------------------------------------------


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
    from app.jobs.outbox import new_job, submission_jobs

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
        **extra,
    }
    jobs = [
        {"kind": kind, "suffix": suffix, "payload": payload, **new_job(now)}
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
    return got[0][1], sorted(r[0] for r in got)


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
)  # fmt: skip
_JOB_COLUMNS = ("kind", "payload", "state", "attempts", "run_after", "created_at")


def _param(name: str, column):
    return bindparam(name, type_=column.type)


def _job_key(n: int, submission_id, outbox):
    """`<kind>:<submission id><suffix>`, made by the database from the new id."""
    return (
        _param(f"j{n}_prefix", outbox.c.key)
        + cast(submission_id, String)
        + _param(f"j{n}_suffix", outbox.c.key)
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
    sub_id = _param("s_id", events.c.submission_id)
    return _OneByOne(
        submission=Prepared(
            insert(subs)
            .values({c: _param(f"s_{c}", subs.c[c]) for c in _SUBMISSION_COLUMNS})
            .returning(subs.c.id)
        ),
        first_event=Prepared(
            insert(events).values(
                submission_id=sub_id,
                status=_param("s_status", events.c.status),
                at=_param("s_created_at", events.c.at),
            )
        ),
        job=Prepared(
            insert(outbox)
            .values(
                submission_id=sub_id,
                key=_job_key(0, sub_id, outbox),
                **{c: _param(f"j0_{c}", outbox.c[c]) for c in _JOB_COLUMNS},
            )
            .returning(outbox.c.id)
        ),
    )


@cache
def _at_once_statement(jobs: int) -> Prepared:
    """Built once per number of jobs, with parameters for every value."""
    subs, events, outbox = _tables()
    new = (
        insert(subs)
        .values({c: _param(f"s_{c}", subs.c[c]) for c in _SUBMISSION_COLUMNS})
        .returning(subs.c.id)
        .cte("new_submission")
    )
    first_event = (
        insert(events)
        .from_select(
            ["submission_id", "status", "at"],
            select(
                new.c.id, _param("s_status", events.c.status), _param("s_created_at", events.c.at)
            ),
        )
        .cte("first_event")
    )
    parts = [
        select(
            new.c.id,
            _job_key(n, new.c.id, outbox),
            *(_param(f"j{n}_{c}", outbox.c[c]) for c in _JOB_COLUMNS),
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
    from app.jobs.models import OutboxJob

    return Submission.__table__, SubmissionEvent.__table__, OutboxJob.__table__


def submit_draft(draft: Draft, defn: FormDefinition, ctx: Context) -> tuple[Receipt | None, Result]:
    """Store the draft as a submission, once: a second submit (the caller looks first; two
    at the same moment meet the unique draft_id) returns the first."""
    result = validate_all(defn, draft.answers or {}, ctx, unknown_is_error=False)
    if not result.ok:
        return None, result
    from app.jobs.outbox import dispatch

    fv = version_by_id(draft.form_version_id)
    try:
        receipt, jobs = _store(
            fv.id, fv.procedure_code, defn, result.values, draft.lang, "web", draft_id=draft.id
        )
        db.session.execute(
            update(StoredFile)
            .where(StoredFile.draft_id == draft.id)
            .values(submission_id=receipt.id)
        )
        db.session.commit()
    except IntegrityError:  # the same draft submitted at the same moment, or a receipt clash
        db.session.rollback()
        existing = submission_of(draft)
        if existing is not None:
            return Receipt.of(existing), Result()
        return submit_draft(draft, defn, ctx)
    dispatch(jobs)  # only after the commit; what fails here stays pending for the sweep
    return receipt, result


def submit_answers(
    fv: Version,
    defn: FormDefinition,
    answers: Mapping[str, Any],
    lang: str,
    uploads: Mapping[str, list[Upload]],
    idempotency_key: str | None,
) -> tuple[Receipt | None, Result, bool]:
    """The API's submission → (receipt, result, replayed)."""
    if idempotency_key:
        existing = _by_idempotency_key(idempotency_key)
        if existing is not None:
            return existing, Result(), True
    raw = dict(answers)
    pending = {}
    for field_id, files in uploads.items():
        refs = [u.ref() for u in files]
        f = defn.field(field_id)
        raw[field_id] = refs if f is not None and f.get("multiple") else (refs[0] if refs else None)
        pending.update({u.id: u for u in files})
    result = validate_all(defn, raw, context(lang, pending_files=pending))
    if not result.ok:
        return None, result, False
    from app.jobs.outbox import dispatch

    extra = {"idempotency_key": idempotency_key} if idempotency_key else {}
    stored: list[StoredFile] = []
    try:
        receipt, jobs = _store(fv.id, fv.procedure_code, defn, result.values, lang, "api", **extra)
        kept = {ref["id"] for v in result.values.values() for ref in _refs(v)}
        for upload in pending.values():
            if upload.id in kept:
                stored.append(store_upload(upload, submission_id=receipt.id))
        db.session.commit()
    except IntegrityError:
        discard_files(stored)
        db.session.rollback()
        if idempotency_key:
            existing = _by_idempotency_key(idempotency_key)
            if existing is not None:
                return existing, Result(), True
        raise
    except Exception:
        discard_files(stored)  # storage full, or the database gone: no file without its row
        db.session.rollback()
        raise
    dispatch(jobs)  # only after the commit; what fails here stays pending for the sweep
    return receipt, result, False


def _by_idempotency_key(key: str) -> Receipt | None:
    sub = db.session.scalar(select(Submission).where(Submission.idempotency_key == key))
    return Receipt.of(sub) if sub is not None else None


def _refs(value) -> list[Mapping]:
    if isinstance(value, Mapping) and "id" in value and "size" in value:
        return [value]
    if isinstance(value, list) and all(isinstance(v, Mapping) and "size" in v for v in value):
        return list(value)
    return []


def find_submission(receipt_no: str, access_code: str) -> Submission | None:
    """The submission for this receipt number and access code; None for either wrong."""
    receipt_no = (receipt_no or "").strip().upper()
    code = (access_code or "").strip().upper().replace("-", "").replace(" ", "")
    sub = db.session.scalar(select(Submission).where(Submission.receipt_no == receipt_no))
    if sub is None:
        hmac.compare_digest(code, "X" * 8)  # the same work either way
        return None
    return sub if hmac.compare_digest(code, sub.access_code) else None


def files_of(sub: Submission) -> list[StoredFile]:
    return list(db.session.scalars(select(StoredFile).where(StoredFile.submission_id == sub.id)))


def submission_counts() -> dict[str, dict[int, int]]:
    """Procedure code → fiscal year → submissions received here (the KPI's take-up)."""
    out: dict[str, dict[int, int]] = {}
    for code, fy, count in db.session.execute(
        select(Submission.procedure_code, Submission.fiscal_year, func.count()).group_by(
            Submission.procedure_code, Submission.fiscal_year
        )
    ):
        out.setdefault(code, {})[fy] = count
    return out


def submissions_stamp():
    """Changes whenever a submission is stored (they are never deleted while counted)."""
    return db.session.scalar(select(func.max(Submission.id)))


def find_by_receipt(receipt_no: str) -> Submission | None:
    return db.session.scalar(select(Submission).where(Submission.receipt_no == receipt_no))


def db_commit() -> None:
    db.session.commit()


def db_get(model, key):
    return db.session.get(model, key)


class TransitionError(ValueError):
    """A status change that is not allowed; the message says why (日本語 / English)."""


def transition(sub: Submission, to: str, message: str | None, by: str) -> SubmissionEvent:
    """Move a submission to its next status, with a message to the resident when needed."""
    from .models import TRANSITIONS

    allowed = TRANSITIONS.get(sub.status, {})
    if to not in allowed:
        raise TransitionError(
            f"「{sub.status}」から「{to}」には変更できません / cannot move from {sub.status} to {to}"
        )
    message = (message or "").strip() or None
    if allowed[to] and not message:
        raise TransitionError(
            "申請者へのメッセージを入力してください / a message to the resident is required"
        )
    if message and len(message) > 2000:
        raise TransitionError(
            "メッセージは2000文字以内です / the message is longer than 2000 characters"
        )
    event = SubmissionEvent(submission_id=sub.id, status=to, message=message, by=by)
    sub.status = to
    db.session.add(event)
    db.session.flush()
    return event
