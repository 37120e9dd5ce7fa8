"""Drafts (一時保存): answers being entered, kept server-side; resume codes."""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from functools import cache
from typing import Any

from sqlalchemy import (
    select,
    update,
)

from app.clock import as_utc, utcnow
from app.extensions import db
from app.formengine import (
    Context,
    FormDefinition,
    Page,
    Result,
    prune,
    validate_page,
)
from app.formengine.normalise import UNUSABLE
from app.formengine.registry import FIELD_TYPES
from app.metrics import DRAFTS_STARTED
from app.prepared import Prepared, param

from .codes import normalise_resume_code, random_code
from .funnel import bump
from .models import Draft, FormVersion, StoredFile, Submission
from .uploads import discard_files, forget_files, ref_ids
from .versions import Version, definition, version_by_id

RESUME_DAYS = 30


def start_draft(fv: FormVersion, lang: str, resident_id: int | None = None) -> Draft:
    draft = Draft(
        token=secrets.token_urlsafe(32),
        form_version_id=fv.id,
        answers={},
        pending={},
        pages_seen=[],
        lang=lang,
        resident_id=resident_id,
    )
    db.session.add(draft)
    bump(fv.id, "start")
    db.session.commit()
    DRAFTS_STARTED.labels(fv.form_id).inc()
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
    resident_id: int | None = None
    prefilled: dict | None = None


@cache
def _draft_state_statement() -> Prepared:
    d, s = Draft.__table__, Submission.__table__
    submitted = select(s.c.id).where(s.c.draft_id == d.c.id).scalar_subquery()
    return Prepared(
        select(
            d.c.id, d.c.token, d.c.form_version_id, d.c.answers, d.c.pending, d.c.pages_seen,
            submitted.label("submitted"), d.c.resident_id, d.c.prefilled,
        ).where(d.c.token == param("token", d.c.token))
    )  # fmt: skip


def draft_state(token: str | None) -> DraftState | None:
    if not token:
        return None
    rows = _draft_state_statement().read(db.engine, {"token": token})
    if not rows:
        return None
    id_, token, fv_id, answers, pending, seen, submitted, resident_id, prefilled = rows[0]
    return DraftState(
        id_, token, fv_id, answers or {}, pending or {}, seen or [], submitted is not None,
        resident_id, prefilled,
    )  # fmt: skip


def residents_draft(resident_id: int, form_id: str) -> Draft | None:
    """The resident's newest draft of this form not yet submitted (resumed without a code)."""
    return db.session.scalar(
        select(Draft)
        .join(FormVersion, FormVersion.id == Draft.form_version_id)
        .where(
            Draft.resident_id == resident_id,
            FormVersion.form_id == form_id,
            ~select(Submission.id).where(Submission.draft_id == Draft.id).exists(),
        )
        .order_by(Draft.updated_at.desc(), Draft.id.desc())
        .limit(1)
    )


def reach_page(draft: Draft | DraftState, step: str) -> None:
    """Count the first time this draft reaches a page (or the check page)."""
    if step in (draft.pages_seen or []):
        return
    seen = [*(draft.pages_seen or []), step]
    if isinstance(draft, Draft):
        draft.pages_seen = seen
    else:  # a page that only shows the draft read no row to change: one UPDATE, no read
        table = Draft.__table__
        db.session.execute(
            update(table).where(table.c.id == draft.id).values(pages_seen=seen, updated_at=utcnow())
        )
    bump(draft.form_version_id, step)
    db.session.commit()


def save_page(
    draft: Draft, defn: FormDefinition, page: Page, raw: Mapping[str, Any], ctx: Context
) -> Result:
    """Validate a page; keep its answers when valid, or what was typed when not."""
    result = validate_page(defn, page, raw, draft.answers or {}, ctx)
    dropped: list[StoredFile] = []
    if result.ok:
        before = ref_ids(draft)
        answers = {
            k: v for k, v in (draft.answers or {}).items() if k not in {f.id for f in page.fields}
        }
        answers.update(result.values)
        draft.answers = prune(defn, answers, ctx)
        draft.pending = {k: v for k, v in (draft.pending or {}).items() if k != page.id}
        # files of answers no longer asked (a page now hidden) go with those answers
        dropped = forget_files(draft, before - ref_ids(draft))
    else:
        keep_typed(draft, page, raw)
    db.session.commit()
    discard_files(dropped)
    return result


def keep_typed(draft: Draft, page: Page, raw: Mapping[str, Any], *, commit: bool = False) -> None:
    """Keep what the resident typed on a page, unchecked, so nothing entered is lost."""
    draft.pending = {**(draft.pending or {}), page.id: _jsonable(raw)}
    if commit:
        db.session.commit()


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
    code = normalise_resume_code(code)
    draft = db.session.scalar(select(Draft).where(Draft.resume_code == code))
    if draft is None or _expired(draft) or submission_of(draft) is not None:
        return None
    return draft


def is_submitted(draft: Draft) -> bool:
    conn = db.session.connection()
    return conn.scalar(select(Submission.id).where(Submission.draft_id == draft.id)) is not None


def submission_of(draft: Draft) -> Submission | None:
    return db.session.scalar(select(Submission).where(Submission.draft_id == draft.id))
