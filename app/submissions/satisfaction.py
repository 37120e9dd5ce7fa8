"""One question on the done page: 「この手続の使いやすさはいかがでしたか」.

The answer is tied to its submission by a signed token in the form (no cookie, nothing
about the resident): the token names the submission, the unique submission id in
`satisfaction_answers` keeps it to one answer. A comment is kept with the phone numbers,
e-mail addresses and postcodes it held masked (kpi.quality.mask_personal). One rule for
every way in: `read_answer`.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app
from flask_babel import gettext as _
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from app.extensions import db
from app.kpi.quality import mask_personal

from .models import SatisfactionAnswer, Submission

COMMENT_MAX = 1000
SCORES = (5, 4, 3, 2, 1)


def score_labels() -> list[tuple[int, str]]:
    """The five answers, best first, in the page's language."""
    return [
        (5, _("とても使いやすい")),
        (4, _("使いやすい")),
        (3, _("どちらともいえない")),
        (2, _("使いにくい")),
        (1, _("とても使いにくい")),
    ]


def _signer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt="satisfaction")


def token_for(sub: Submission) -> str:
    return _signer().dumps(sub.id)


def submission_of(token: str | None) -> Submission | None:
    if not token or len(token) > 200:
        return None
    try:
        sub_id = _signer().loads(token)
    except BadSignature:
        return None
    return db.session.get(Submission, sub_id) if isinstance(sub_id, int) else None


def answered(sub: Submission) -> bool:
    return (
        db.session.scalar(
            select(SatisfactionAnswer.id).where(SatisfactionAnswer.submission_id == sub.id)
        )
        is not None
    )


@dataclass
class Answer:
    score: int | None
    comment: str
    errors: dict[str, str]


def read_answer(score: str | None, comment: str | None) -> Answer:
    """The score (1–5, required) and the comment (optional, at most COMMENT_MAX characters)."""
    errors = {}
    comment = (comment or "").replace("\x00", "").strip()
    value = None
    if score in {str(n) for n in SCORES}:
        value = int(score)
    else:
        errors["score"] = _("5段階のうち、あてはまるものを1つ選んでください。")
    if len(comment) > COMMENT_MAX:
        errors["comment"] = _(
            "ご意見は%(n)s文字以内で入力してください（いま%(m)s文字）。",
            n=COMMENT_MAX,
            m=len(comment),
        )
    return Answer(value, comment, errors)


def record(sub: Submission, answer: Answer) -> bool:
    """Store the answer → False when the submission already has one."""
    row = SatisfactionAnswer(
        submission_id=sub.id,
        form_version_id=sub.form_version_id,
        procedure_code=sub.procedure_code,
        score=answer.score,
        comment=mask_personal(answer.comment) or None,
    )
    try:
        with db.session.begin_nested():
            db.session.add(row)
    except IntegrityError:
        return False
    db.session.commit()
    return True
