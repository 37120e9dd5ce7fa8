"""The only place that changes forms, drafts and submissions."""

from __future__ import annotations

import errno
import hashlib
import hmac
import json
import logging
import secrets
import shutil
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import cache
from pathlib import Path
from time import monotonic
from typing import Any

from flask import current_app
from sqlalchemy import (
    String,
    Text,
    bindparam,
    cast,
    delete,
    exists,
    func,
    insert,
    or_,
    select,
    union_all,
    update,
)
from sqlalchemy.exc import IntegrityError

from app.catalogue.models import Procedure, utcnow
from app.clock import as_utc, today
from app.extensions import db
from app.formengine import (
    Context,
    FormDefinition,
    Page,
    Result,
    confirm_declaration,
    prune,
    validate_all,
    validate_page,
)
from app.formengine.destinations import ANY as ANY_WEBHOOK
from app.formengine.files import SNIFF_BYTES, check_upload
from app.formengine.messages import message
from app.formengine.parser import check_file, parse
from app.formengine.postal import lookup as postal_lookup
from app.formengine.types import FileType
from app.jobs.outbox import dispatch
from app.kpi import fiscal_year_of
from app.notify import webhook
from app.prepared import Prepared

from .models import Draft, FormVersion, FunnelCount, StoredFile, Submission, SubmissionEvent

log = logging.getLogger(__name__)

MB = 1024 * 1024
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
    """The parsed definition of a stored version (parsed once per process). Its webhook
    URLs were checked against the settings of the day it was loaded; delivery checks
    them again against today's (notify/webhook.py), so a version stays readable."""
    key = (fv.id, fv.content_hash)
    defn = _definitions.get(key)
    if defn is None:
        defn, problems = parse(
            fv.yaml_text, path=f"{fv.form_id}@{fv.version}", webhooks=ANY_WEBHOOK
        )
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
    rules = webhook.rules()
    ok, problems = [], []
    seen: dict[str, Path] = {}
    for path in form_files(paths):
        defn, found = check_file(path, procedures=codes or None, webhooks=rules)
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


def move_draft(draft: Draft, fv: Version, ctx: Context) -> None:
    """Take a draft to a newer version of its form, at the resident's request: answers to
    questions the new version still has, with the same type, are kept (pruned by its
    conditions); what was typed but not saved is dropped. Whatever the new version asks
    that the answers do not satisfy is then asked again (views._first_incomplete), so a
    submission never holds half of one version and half of another."""
    old = definition(version_by_id(draft.form_version_id))
    new = definition(fv)
    same = {
        f.id
        for _, f in new.all_fields()
        if (before := old.field(f.id)) is not None and before.type == f.type
    }
    kept = {k: v for k, v in (draft.answers or {}).items() if k in same}
    draft.form_version_id = fv.id
    draft.answers = prune(new, kept, ctx)
    draft.pending = {}
    draft.pages_seen = []
    bump(fv.id, "start")
    db.session.commit()


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
    dropped: list[StoredFile] = []
    if result.ok:
        before = _ref_ids(draft)
        answers = {
            k: v for k, v in (draft.answers or {}).items() if k not in {f.id for f in page.fields}
        }
        answers.update(result.values)
        draft.answers = prune(defn, answers, ctx)
        draft.pending = {k: v for k, v in (draft.pending or {}).items() if k != page.id}
        # files of answers no longer asked (a page now hidden) go with those answers
        dropped = _forget_files(draft, before - _ref_ids(draft))
    else:
        keep_typed(draft, page, raw)
    db.session.commit()
    discard_files(dropped)
    return result


def keep_typed(draft: Draft, page: Page, raw: Mapping[str, Any]) -> None:
    """Keep what the resident typed on a page, unchecked, so nothing entered is lost."""
    draft.pending = {**(draft.pending or {}), page.id: _jsonable(raw)}


def _jsonable(value):
    if isinstance(value, Mapping):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, str | int | float | bool) or value is None:
        return value
    return str(value)


def save_for_later(draft: Draft) -> Draft:
    """一時保存: a resume code valid for RESUME_DAYS days; the draft and its files are
    deleted once it has expired (purge_drafts)."""
    if not draft.resume_code or _expired(draft):
        draft.resume_code = f"{random_code(5)}-{random_code(5)}"
    draft.resume_expires_at = utcnow() + timedelta(days=RESUME_DAYS)
    db.session.commit()
    return draft


def _expired(draft: Draft) -> bool:
    at = draft.resume_expires_at
    if at is None:
        return True
    return as_utc(at) < utcnow()


def resume(code: str) -> Draft | None:
    """The draft saved under this code, if not expired and not yet submitted."""
    code = (code or "").strip().upper().replace(" ", "")
    if len(code) == 10:
        code = f"{code[:5]}-{code[5:]}"
    draft = db.session.scalar(select(Draft).where(Draft.resume_code == code))
    if draft is None or _expired(draft) or submission_of(draft) is not None:
        return None
    return draft


@dataclass
class DraftPurge:
    drafts: int = 0
    files: int = 0
    emptied: int = 0  # submitted drafts that still held a copy of the answers


def purge_drafts(now: datetime | None = None, *, batch: int = 500) -> DraftPurge:
    """Delete, with their files, the drafts never submitted whose resume code (if they
    have one) has expired and that have not changed for DRAFT_IDLE_DAYS; empty submitted
    drafts that still hold answers (the submission has them). Part of the daily retention
    run. Files go first: a run cut short repeats the deletion, never leaves a file behind."""
    now = now or utcnow()
    idle = timedelta(days=current_app.config["DRAFT_IDLE_DAYS"])
    submitted = exists().where(Submission.draft_id == Draft.id)
    stale = (
        select(Draft.id)
        .where(
            Draft.updated_at < now - idle,
            or_(Draft.resume_expires_at.is_(None), Draft.resume_expires_at < now),
            ~submitted,
        )
        .order_by(Draft.id)
        .limit(batch)
    )
    report = DraftPurge()
    while ids := list(db.session.scalars(stale)):
        files = list(
            db.session.scalars(
                select(StoredFile).where(
                    StoredFile.draft_id.in_(ids), StoredFile.submission_id.is_(None)
                )
            )
        )
        discard_files(files)
        db.session.execute(
            delete(StoredFile)
            .where(StoredFile.draft_id.in_(ids), StoredFile.submission_id.is_(None))
            .execution_options(synchronize_session=False)
        )
        db.session.execute(  # a submission's files are never deleted here
            update(StoredFile)
            .where(StoredFile.draft_id.in_(ids))
            .values(draft_id=None)
            .execution_options(synchronize_session=False)
        )
        db.session.execute(
            delete(Draft).where(Draft.id.in_(ids)).execution_options(synchronize_session=False)
        )
        db.session.commit()
        report.drafts += len(ids)
        report.files += len(files)
    report.emptied = db.session.execute(
        update(Draft)
        .where(
            submitted,
            or_(
                Draft.resume_code.is_not(None),
                cast(Draft.answers, Text) != "{}",
                cast(Draft.pending, Text) != "{}",
            ),
        )
        .values(answers={}, pending={}, resume_code=None, resume_expires_at=None)
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.commit()
    return report


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


@dataclass(frozen=True)
class Usage:
    """What a draft's files (or one request's uploads) take: bytes and files."""

    bytes: int = 0
    files: int = 0

    def __add__(self, other: Usage) -> Usage:
        return Usage(self.bytes + other.bytes, self.files + other.files)

    def __sub__(self, other: Usage) -> Usage:
        return Usage(self.bytes - other.bytes, self.files - other.files)

    @classmethod
    def of(cls, rows: Iterable[StoredFile]) -> Usage:
        rows = list(rows)
        return cls(sum(r.size for r in rows), len(rows))


def quota_error(used: Usage, upload: Upload, lang: str) -> str | None:
    """The one rule for how much one application may attach (DRAFT_UPLOAD_MAX_MB in all,
    DRAFT_UPLOAD_MAX_FILES files): the message for an upload that would pass it, else None.
    The pages apply it to a draft's stored files, the API to one submission's uploads."""
    cfg = current_app.config
    max_files, max_mb = cfg["DRAFT_UPLOAD_MAX_FILES"], cfg["DRAFT_UPLOAD_MAX_MB"]
    if max_files and used.files + 1 > max_files:
        return message("quota_files", lang, name=upload.name, n=max_files)
    if max_mb and used.bytes + len(upload.data) > max_mb * MB:
        return message("quota_bytes", lang, name=upload.name, max=f"{max_mb:g}")
    return None


def draft_usage(draft: Draft) -> Usage:
    """The files stored for a draft and not (yet) part of a submission."""
    size, count = db.session.execute(
        select(func.coalesce(func.sum(StoredFile.size), 0), func.count()).where(
            StoredFile.draft_id == draft.id, StoredFile.submission_id.is_(None)
        )
    ).one()
    return Usage(int(size), int(count))


def files_on_page(draft: Draft | DraftState, page: Page) -> dict[str, list[dict]]:
    """The file references each file field of a page holds: as typed, else as answered."""
    out = {}
    for f in page.fields:
        if f.type == "file":
            typed = (draft.pending or {}).get(page.id, {}).get(f.id)
            out[f.id] = FileType.refs(typed or (draft.answers or {}).get(f.id))
    return out


@dataclass
class PageUploads:
    """A page's file fields after a request: their values for the answers, the refusals
    by field, and whether the upload folder had no room (the page is then a 507)."""

    values: dict[str, Any] = field(default_factory=dict)
    errors: dict[str, list[str]] = field(default_factory=dict)
    storage_full: bool = False


def take_uploads(
    draft: Draft,
    page: Page,
    sent: Mapping[str, list],
    removed: Mapping[str, set[str]],
    lang: str,
) -> PageUploads:
    """Store the files sent for a page's file fields (werkzeug FileStorage by field id) and
    keep the earlier ones not removed. A file the resident removed, or replaced on a
    single-file field, is deleted at once (row and bytes); an upload that would take the
    draft over its quota is refused at its field, like one the field refuses."""
    out = PageUploads()
    used = draft_usage(draft)
    stored: list[StoredFile] = []
    dropped: list[StoredFile] = []
    try:
        for f in page.fields:
            if f.type != "file":
                continue
            multiple = bool(f.get("multiple"))
            earlier = files_on_page(draft, page)[f.id]
            gone = removed.get(f.id) or set()
            refs = [r for r in earlier if r.get("id") not in gone]
            freed = _forget_files(draft, {r.get("id") for r in earlier if r.get("id") in gone})
            used, dropped = used - Usage.of(freed), dropped + freed
            for storage in sent.get(f.id) or []:
                upload, error = receive_upload(f, storage, lang)
                if upload is not None:
                    replaced = [] if multiple else _draft_files(draft, {r.get("id") for r in refs})
                    error = quota_error(used - Usage.of(replaced), upload, lang)
                if error:
                    out.errors.setdefault(f.id, []).append(error)
                    continue
                try:
                    stored.append(store_upload(upload, draft=draft))
                except StorageFull:
                    out.errors.setdefault(f.id, []).append(
                        message("file_not_saved", lang, name=upload.name)
                    )
                    out.storage_full = True
                    continue
                used += Usage(len(upload.data), 1)
                if not multiple:  # the new file takes the place of the one before
                    freed = _forget_files(draft, {r.get("id") for r in refs})
                    used, dropped = used - Usage.of(freed), dropped + freed
                refs = (refs if multiple else []) + [upload.ref()]
            out.values[f.id] = (refs if multiple else (refs[-1] if refs else None)) or None
        db.session.commit()
    except Exception:
        db.session.rollback()
        discard_files(stored)  # no file without its row
        raise
    discard_files(dropped)  # their rows are gone: the bytes go now
    return out


def _draft_files(draft: Draft, ids: Iterable[Any]) -> list[StoredFile]:
    """Rows of these ids that are this draft's and no submission's."""
    ids = [i for i in ids if isinstance(i, str)]
    if not ids:
        return []
    return list(
        db.session.scalars(
            select(StoredFile).where(
                StoredFile.id.in_(ids),
                StoredFile.draft_id == draft.id,
                StoredFile.submission_id.is_(None),
            )
        )
    )


def _forget_files(draft: Draft, ids: Iterable[Any]) -> list[StoredFile]:
    """Delete these files of the draft from the session (never another draft's or a
    submission's) and every reference to them in its answers and typed pages. The caller
    commits, then deletes the bytes (discard_files). → the rows deleted"""
    ids = {i for i in ids if isinstance(i, str)}
    if not ids:
        return []
    rows = _draft_files(draft, ids)
    draft.answers = _without_refs(draft.answers or {}, ids)
    draft.pending = {
        page_id: _without_refs(typed, ids) if isinstance(typed, Mapping) else typed
        for page_id, typed in (draft.pending or {}).items()
    }
    for row in rows:
        db.session.delete(row)
    return rows


def _is_ref(value) -> bool:
    return isinstance(value, Mapping) and isinstance(value.get("id"), str) and "size" in value


def _without_refs(values: Mapping[str, Any], ids: set[str]) -> dict[str, Any]:
    """Answers without the file references of `ids` (a field left with none is dropped)."""
    out = {}
    for key, value in values.items():
        if _is_ref(value) and value["id"] in ids:
            continue
        if isinstance(value, list) and value and all(_is_ref(v) for v in value):
            value = [v for v in value if v["id"] not in ids]
            if not value:
                continue
        out[key] = value
    return out


def _ref_ids(draft: Draft) -> set[str]:
    """The ids of every file the draft's answers and typed pages refer to."""
    values = list((draft.answers or {}).values())
    for typed in (draft.pending or {}).values():
        if isinstance(typed, Mapping):
            values += list(typed.values())
    return {ref["id"] for v in values for ref in _refs(v)}


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
    """Delete the bytes of rows whose transaction failed (no file without its row), or of
    rows deleted (no file left behind)."""
    for row in rows:
        file_path(row).unlink(missing_ok=True)


def ensure_room(size: int, name: str) -> None:
    """Refuse a file that would leave the upload folder less free space than
    UPLOAD_MIN_FREE_MB, before the disk is full: the same StorageFull (507) as a full disk."""
    floor = current_app.config.get("UPLOAD_MIN_FREE_MB") or 0
    if floor <= 0:
        return
    folder = upload_dir()
    while not folder.exists() and folder != folder.parent:
        folder = folder.parent  # not made yet: the disk it will be on
    free = shutil.disk_usage(folder).free
    if free - size < floor * MB:
        log.warning(
            "upload refused: %.0f MB free in the upload folder, UPLOAD_MIN_FREE_MB is %g",
            free / MB,
            floor,
        )
        raise StorageFull(name)


def store_upload(
    upload: Upload, *, draft: Draft | None = None, submission_id: int | None = None
) -> StoredFile:
    """Write the bytes under a server-made name outside the web root; add the row.
    A write that fails leaves nothing behind; a full disk, or one that the file would
    take under UPLOAD_MIN_FREE_MB, raises StorageFull."""
    ensure_room(len(upload.data), upload.name)
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
    "request_fingerprint", "declared_at",
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
    kept = {ref["id"] for v in result.values.values() for ref in _refs(v)}
    try:
        receipt, jobs = _store(
            fv.id, fv.procedure_code, defn, result.values, draft.lang, "web",
            draft_id=draft.id, declared_at=utcnow() if defn.declaration else None,
        )  # fmt: skip
        if kept:
            db.session.execute(
                update(StoredFile)
                .where(StoredFile.draft_id == draft.id, StoredFile.id.in_(kept))
                .values(submission_id=receipt.id)
            )
        # the submission holds the answers now: the draft keeps no copy, no resume code,
        # and no file the submission does not have
        unused = list(
            db.session.scalars(
                select(StoredFile).where(
                    StoredFile.draft_id == draft.id, StoredFile.submission_id.is_(None)
                )
            )
        )
        for row in unused:
            db.session.delete(row)
        draft.answers, draft.pending = {}, {}
        draft.resume_code = draft.resume_expires_at = None
        db.session.commit()
    except IntegrityError:  # the same draft submitted at the same moment, or a receipt clash
        db.session.rollback()
        existing = submission_of(draft)
        if existing is not None:
            return Receipt.of(existing), Result()
        return submit_draft(draft, ctx, declared=declared)
    discard_files(unused)
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
        raw[field_id] = refs if f is not None and f.get("multiple") else (refs[0] if refs else None)
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
        kept = {ref["id"] for v in result.values.values() for ref in _refs(v)}
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


def _refs(value) -> list[Mapping]:
    if isinstance(value, Mapping) and "id" in value and "size" in value:
        return [value]
    if isinstance(value, list) and all(isinstance(v, Mapping) and "size" in v for v in value):
        return list(value)
    return []


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
    from .models import CASE_TRANSITIONS

    allowed = CASE_TRANSITIONS.get(sub.status, {})
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
