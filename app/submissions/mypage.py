"""マイページ: a signed-in resident's applications in every state — drafts to continue
(without a code), submitted ones with their status, those returned for correction and
those decided (their result documents on the status page) — the documents they keep for
reuse (kept.py), and their profile as the provider vouched for it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import delete, select, update

from app.extensions import db
from app.identity import accounts as identity
from app.identity import oidc
from app.web import allow_form_targets

from . import kept, versions
from .models import CASE_STATUSES, Draft, FormVersion, KeptDocument, StoredFile, Submission
from .uploads import file_path, upload_dir
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
    provider = oidc.provider(resident.provider)
    if provider is not None:  # ログアウト goes on to the provider's own sign-out
        allow_form_targets(oidc.form_target(provider, "end_session_endpoint"))
    return render_template(
        "identity/mypage.html",
        resident=resident,
        provider=provider,
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


@bp.route("/mypage/delete", methods=["GET", "POST"])
def delete_my_data():
    """Delete my data: drafts (with their files), kept documents and the profile; the
    applications sent stay with the prefecture, as the law requires, no longer linked."""
    resident = identity.current()
    if resident is None:
        return redirect(url_for("identity.signin_page", next=url_for(".mypage")))
    if request.method == "GET":
        return render_template("identity/delete.html", resident=resident)
    if request.form.get("confirm") != "y":
        return render_template(
            "identity/delete.html",
            resident=resident,
            error=_("削除してよいことを確認してください。"),
        ), 422
    submitted = select(Submission.id).where(Submission.draft_id == Draft.id).exists()
    open_ids = list(
        db.session.scalars(select(Draft.id).where(Draft.resident_id == resident.id, ~submitted))
    )
    files = list(
        db.session.scalars(
            select(StoredFile).where(
                StoredFile.draft_id.in_(open_ids), StoredFile.submission_id.is_(None)
            )
        )
    ) if open_ids else []  # fmt: skip
    documents = list(
        db.session.scalars(select(KeptDocument).where(KeptDocument.resident_id == resident.id))
    )
    paths = [file_path(f) for f in files] + [upload_dir() / d.path for d in documents]
    if open_ids:
        db.session.execute(
            delete(StoredFile)
            .where(StoredFile.draft_id.in_(open_ids), StoredFile.submission_id.is_(None))
            .execution_options(synchronize_session=False)
        )
        db.session.execute(
            update(StoredFile)
            .where(StoredFile.draft_id.in_(open_ids))
            .values(draft_id=None)
            .execution_options(synchronize_session=False)
        )
        db.session.execute(
            delete(Draft).where(Draft.id.in_(open_ids)).execution_options(synchronize_session=False)
        )
    db.session.execute(  # the applications sent stay, without the link to the account
        update(Draft)
        .where(Draft.resident_id == resident.id)
        .values(resident_id=None, prefilled=None)
        .execution_options(synchronize_session=False)
    )
    for doc in documents:
        db.session.delete(doc)
    identity.forget(resident)
    db.session.commit()
    for path in paths:  # the rows are gone: the bytes go now
        path.unlink(missing_ok=True)
    flash(
        _("マイページのデータを削除し、ログアウトしました。申請した手続の記録は県に残ります。"),
        "success",
    )
    return redirect(url_for("catalogue.index"))
