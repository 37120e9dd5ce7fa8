"""The resident's result documents (電子交付) on the status page: listed after the access
code, each downloadable as its signed PDF; and, for the start page, what the procedure
still needs on paper (honesty.py)."""

from __future__ import annotations

from flask import Blueprint, abort, redirect, render_template, url_for

from app.web import content_lang

from . import honesty, results, versions
from .views import _verified

bp = Blueprint("results", __name__)


@bp.app_context_processor
def _documents():
    return {"result_documents": results.issued, "offline_steps": honesty.offline_steps}


@bp.get("/status/<receipt_no>/results/<document_no>.pdf")
def result_pdf(receipt_no: str, document_no: str):
    sub = _verified(receipt_no)
    if sub is None:
        return redirect(url_for("submissions.status", receipt_no=receipt_no))
    record = results.by_document_no(sub, document_no)
    if record is None or record.revoked_at is not None:
        abort(404)
    response = results.download(record)
    if response is None:  # still being made
        defn = versions.definition(sub.form_version)
        page = render_template(
            "status/result_pending.html",
            sub=sub,
            record=record,
            lang=content_lang(defn.languages),
        )
        return page, 202, {"Retry-After": "5"}
    return response
