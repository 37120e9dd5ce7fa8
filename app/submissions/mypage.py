"""マイページ: a signed-in resident's applications in every state — drafts to continue
(without a code), submitted ones with their status, those returned for correction and
those decided (their result documents on the status page) — the documents they keep for
reuse (kept.py), and their profile as the provider vouched for it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from sqlalchemy import select

from app.extensions import db
from app.identity import accounts as identity
from app.identity import oidc

from . import kept, versions
from .models import CASE_STATUSES, Draft, FormVersion, Submission
from .views import bp

MAX_LISTED = 100  # of each kind, newest first


@dataclass(frozen=True)
class Listed:
    form_id: str
    title: object  # the form's Text
    at: datetime
    receipt_no: str | None = None
    status: str | None = None


def drafts_of(resident_id: int) -> list[Listed]:
    """Drafts not submitted yet, newest change first."""
    rows = db.session.execute(
        select(Draft, FormVersion)
        .join(FormVersion, FormVersion.id == Draft.form_version_id)
        .where(
            Draft.resident_id == resident_id,
            ~select(Submission.id).where(Submission.draft_id == Draft.id).exists(),
        )
        .order_by(Draft.updated_at.desc(), Draft.id.desc())
        .limit(MAX_LISTED)
    ).all()
    seen, out = set(), []
    for draft, fv in rows:
        if fv.form_id in seen:  # the start page continues the newest draft of a form
            continue
        seen.add(fv.form_id)
        out.append(Listed(fv.form_id, versions.definition(fv).title, draft.updated_at))
    return out


def submissions_of(resident_id: int) -> list[Listed]:
    rows = db.session.execute(
        select(Submission, FormVersion)
        .join(Draft, Draft.id == Submission.draft_id)
        .join(FormVersion, FormVersion.id == Submission.form_version_id)
        .where(Draft.resident_id == resident_id)
        .order_by(Submission.created_at.desc(), Submission.id.desc())
        .limit(MAX_LISTED)
    ).all()
    return [
        Listed(
            fv.form_id, versions.definition(fv).title, sub.created_at, sub.receipt_no, sub.status
        )
        for sub, fv in rows
    ]


@bp.get("/mypage")
def mypage():
    resident = identity.current()
    if resident is None:
        return redirect(url_for("identity.signin_page", next=url_for(".mypage")))
    return render_template(
        "identity/mypage.html",
        resident=resident,
        provider=oidc.provider(resident.provider),
        drafts=drafts_of(resident.id),
        submissions=submissions_of(resident.id),
        statuses=CASE_STATUSES,
        documents=kept.usable(resident.id),
    )


@bp.post("/mypage/documents/<doc_id>/delete")
def delete_kept(doc_id: str):
    """The resident deletes a kept document (and its file) now."""
    resident = identity.current()
    if resident is None:
        return redirect(url_for("identity.signin_page", next=url_for(".mypage")))
    doc = kept.find(resident.id, doc_id)
    if doc is None:
        abort(404)
    kept.remove(doc)
    flash(_("保管した書類を削除しました。"), "success")
    return redirect(url_for(".mypage"))
