"""What a submission tells people: the resident's mail (受付完了のお知らせ), the
department's mail (新着申請) and the webhook's payload. Sent by the jobs in effects.py
through the transports of app.notify."""

from __future__ import annotations

from email.message import EmailMessage

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _

from app.clock import format_time, iso_time
from app.formengine import render
from app.formengine.render import flat
from app.links import absolute_url
from app.notify import mail

from .models import Submission
from .receipts import status_url, ui_locale
from .uploads import files_of
from .validation import context
from .versions import definition


def resident_email(defn, answers) -> str | None:
    """The resident's address: the first answered `email` field (hidden ones are never stored)."""
    for _page, f in defn.all_fields():
        if f.type == "email" and isinstance(answers.get(f.id), str) and answers[f.id]:
            return answers[f.id]
    return None


def _render(name: str, **values) -> str:
    return current_app.jinja_env.get_template(name).render(**values)


def _common(sub: Submission) -> dict:
    defn = definition(sub.form_version)
    lang = sub.lang or "ja"
    return {
        "sub": sub,
        "defn": defn,
        "lang": lang,
        "received_at": format_time(sub.created_at, lang),
        "status_link": status_url(sub),
        "t": lambda text: text.get(lang) if text is not None else "",
    }


def resident_mail(sub: Submission) -> EmailMessage:
    """受付完了のお知らせ: receipt number, form, next steps, status link — no answers."""
    values = _common(sub)
    to = resident_email(values["defn"], sub.answers or {})
    if not to:
        raise LookupError("the submission has no email answer")
    with force_locale(ui_locale(values["lang"])):
        subject = _("【三重県】申請を受け付けました（到達番号 %(no)s）", no=sub.receipt_no)
        return mail.message(to, subject, _render("mail/resident.txt", **values))


def department_mail(sub: Submission, to: str) -> EmailMessage:
    """新着申請: every answer through the shared renderer, in Japanese (staff read Japanese)."""
    values = _common(sub)
    values.update(
        lang="ja",
        received_at=format_time(sub.created_at, "ja"),
        t=lambda text: text.get("ja") if text is not None else "",
    )
    pairs = flat(render(values["defn"], sub.answers or {}, "ja", context("ja")))
    subject = f"【新着申請】{values['defn'].title.get('ja')}（到達番号 {sub.receipt_no}）"
    body = _render(
        "mail/department.txt",
        answers=pairs,
        files=files_of(sub),
        staff_link=absolute_url("staff.home"),
        **values,
    )
    return mail.message(to, subject, body)


def webhook_payload(sub: Submission) -> dict:
    """The submission as stored: answers as JSON (file answers are references), plus the
    files' metadata."""
    return {
        "event": "submission.received",
        "receipt_no": sub.receipt_no,
        "form": sub.form_version.form_id,
        "form_version": sub.form_version.version,
        "procedure": sub.procedure_code,
        "fiscal_year": sub.fiscal_year,
        "submitted_at": iso_time(sub.created_at),
        "lang": sub.lang,
        "channel": sub.channel,
        "answers": sub.answers,
        "files": [
            {
                "id": f.id,
                "field": f.field_id,
                "name": f.original_name,
                "type": f.content_type,
                "size": f.size,
                "sha256": f.sha256,
            }
            for f in files_of(sub)
        ],
    }
