"""A draft's and a submission's files: checked, stored outside the web root, counted against a quota."""

from __future__ import annotations

import errno
import hashlib
import logging
import secrets
import shutil
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from flask import current_app, send_file
from sqlalchemy import (
    func,
    select,
)

from app.extensions import db
from app.formengine import (
    Page,
)
from app.formengine.files import SNIFF_BYTES, check_upload, safe_name, sniff
from app.formengine.messages import message
from app.formengine.types import FileType

from .models import Draft, StoredFile, Submission

log = logging.getLogger(__name__)


MB = 1024 * 1024


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


def files_on_page(draft, page: Page) -> dict[str, list[dict]]:
    """The file references each file field of a page holds: as typed, else as answered."""
    out = {}
    for f in page.fields:
        if f.type == "file":
            typed = (draft.pending or {}).get(page.id, {}).get(f.id)
            out[f.id] = FileType.refs(typed or (draft.answers or {}).get(f.id))
    return out


def asks_for_files(fields) -> bool:
    """Whether any of these questions (or of a group's) takes files: only then can a draft
    hold files of theirs."""
    return any(f.type == "file" or asks_for_files(f.fields) for f in fields)


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
    if not asks_for_files(page.fields):
        return out  # nothing to take: no statement, no commit
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
            freed = forget_files(draft, {r.get("id") for r in earlier if r.get("id") in gone})
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
                    freed = forget_files(draft, {r.get("id") for r in refs})
                    used, dropped = used - Usage.of(freed), dropped + freed
                refs = (refs if multiple else []) + [upload.ref()]
            out.values[f.id] = FileType.answer_of(f, refs)
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


def forget_files(draft: Draft, ids: Iterable[Any]) -> list[StoredFile]:
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


def ref_ids(draft: Draft) -> set[str]:
    """The ids of every file the draft's answers and typed pages refer to."""
    values = list((draft.answers or {}).values())
    for typed in (draft.pending or {}).values():
        if isinstance(typed, Mapping):
            values += list(typed.values())
    return {ref["id"] for v in values for ref in refs_in(v)}


def receive_upload(f, storage, lang: str) -> tuple[Upload | None, str | None]:
    """Read an uploaded file (werkzeug FileStorage), check it against the field."""
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
    return send_file(
        file_path(row),
        mimetype=row.content_type,
        as_attachment=True,
        download_name=row.original_name,
        max_age=0,
    )


def files_of(sub: Submission) -> list[StoredFile]:
    return list(db.session.scalars(select(StoredFile).where(StoredFile.submission_id == sub.id)))


def refs_in(value) -> list[Mapping]:
    """The file references in an answer: one, a list, or none."""
    if isinstance(value, Mapping) and "id" in value and "size" in value:
        return [value]
    if isinstance(value, list) and all(isinstance(v, Mapping) and "size" in v for v in value):
        return list(value)
    return []


def stored_file(file_id: str) -> StoredFile | None:
    return db.session.get(StoredFile, file_id)
