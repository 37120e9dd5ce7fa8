"""/verify: the page, the upload rules (size, a PDF by its content) and the verdict."""

from __future__ import annotations

from dataclasses import dataclass

import filetype
from flask import Blueprint, current_app, render_template, request
from flask_babel import gettext as _

from app.documents import signing
from app.extensions import limiter
from app.submissions import results
from app.submissions.case_models import ResultRecord

bp = Blueprint("verify", __name__)

# what the page concludes, worst first
NOT_PDF, NO_SIGNATURE, OTHER_SIGNER, CHANGED, NO_RECORD, WITHDRAWN, GENUINE = (
    "not_pdf",
    "no_signature",
    "other_signer",
    "changed",
    "no_record",
    "withdrawn",
    "genuine",
)


@dataclass(frozen=True)
class Finding:
    outcome: str
    verdict: signing.Verdict | None = None
    record: ResultRecord | None = None
    development: bool = False

    @property
    def good(self) -> bool:
        return self.outcome == GENUINE


@bp.get("/verify")
def page():
    return render_template("verify/page.html", finding=None, error=None)


@bp.post("/verify")
@limiter.limit(lambda: current_app.config["LOOKUP_RATE_LIMIT"])
def check():
    upload = request.files.get("document")
    data = upload.read(_max_bytes() + 1) if upload else b""
    error = None
    if not data:
        error = _("確認する PDF ファイルを選んでください。")
    elif len(data) > _max_bytes():
        error = _(
            "ファイルが大きすぎます（%(mb)s MB まで）。",
            mb=f"{current_app.config['VERIFY_MAX_MB']:g}",
        )
    elif not _is_pdf(data):
        error = _("PDF ファイルではありません。県から交付された PDF をそのまま選んでください。")
    if error:
        return render_template("verify/page.html", finding=None, error=error), 422
    try:
        trusted = signing.certificate_of(results.signer())
    except signing.SigningKeyError:
        current_app.logger.warning("verify: the signing certificate is not configured")
        return render_template(
            "verify/page.html",
            finding=None,
            error=_("ただいま確認できません。時間をおいてもう一度お試しください。"),
        ), 503
    finding = examine(data, trusted)
    return render_template("verify/page.html", finding=finding, error=None)


def examine(data: bytes, trusted) -> Finding:
    """What a person learns about `data`: one outcome, with the verdict and record."""
    verdict = signing.verify_pdf(data, trusted)
    development = signing.is_development(trusted)
    if not verdict.signed:
        return Finding(NO_SIGNATURE, verdict)
    if not verdict.trusted:
        return Finding(CHANGED if not verdict.intact else OTHER_SIGNER, verdict)
    if not verdict.intact or not verdict.whole_file:
        return Finding(CHANGED, verdict)
    record = results.by_digest(verdict.sha256)
    if record is None:
        return Finding(NO_RECORD, verdict, development=development)
    if record.revoked_at is not None:
        return Finding(WITHDRAWN, verdict, record, development)
    return Finding(GENUINE, verdict, record, development)


def _max_bytes() -> int:
    return int(current_app.config["VERIFY_MAX_MB"] * 1024 * 1024)


def _is_pdf(data: bytes) -> bool:
    kind = filetype.guess(data[:8192])
    return kind is not None and kind.mime == "application/pdf"
