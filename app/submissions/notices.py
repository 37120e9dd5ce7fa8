"""What a submission tells people: the resident's mails (受付完了のお知らせ, and one at
each change of status they should know about), the department's mail (新着申請: no
answers) and the webhook's payload. No mail carries an answer or the access code. Sent by the jobs in effects.py
through the transports of app.notify."""

from __future__ import annotations

from email.message import Message

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import select

from app.clock import format_time, iso_time
from app.extensions import db
from app.links import absolute_url
from app.notify import mail

from .deadlines import standard_days
from .models import CorrectionRequest, Submission, SubmissionEvent
from .receipts import status_url, ui_locale
from .uploads import files_of
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
        "processing_days": standard_days(sub.procedure_code, defn),
        "status_link": status_url(sub),
        "t": lambda text: text.get(lang) if text is not None else "",
    }


def resident_mail(sub: Submission) -> Message:
    """受付完了のお知らせ: receipt number, form, next steps, status link — no answers."""
    values = _common(sub)
    to = resident_email(values["defn"], sub.answers or {})
    if not to:
        raise LookupError("the submission has no email answer")
    with force_locale(ui_locale(values["lang"])):
        subject = _("【三重県】申請を受け付けました（到達番号 %(no)s）", no=sub.receipt_no)
        return mail.message(to, subject, _render("mail/resident.txt", **values))


def department_mail(sub: Submission, to: str) -> Message:
    """新着申請: the receipt number, the form and a link to the inbox, in Japanese (staff
    read Japanese) — never the answers or the files: staff read them signed in."""
    values = _common(sub)
    values.update(
        lang="ja",
        received_at=format_time(sub.created_at, "ja"),
        t=lambda text: text.get("ja") if text is not None else "",
    )
    subject = f"【新着申請】{values['defn'].title.get('ja')}（到達番号 {sub.receipt_no}）"
    body = _render(
        "mail/department.txt",
        inbox_link=absolute_url("staff.inbox", q=sub.receipt_no),
        **values,
    )
    return mail.message(to, subject, body)


def first_line(message: str | None) -> str:
    """The first line of a message to the resident, for a mail (the rest is on the status
    page, after the access code: it may name them)."""
    line = (message or "").strip().splitlines()[0] if (message or "").strip() else ""
    return line[:200] + ("…" if len(line) > 200 else "")


def _resident_message(sub: Submission, subject: str, template: str, **extra) -> Message:
    values = _common(sub)
    to = resident_email(values["defn"], sub.answers or {})
    if not to:
        raise LookupError("the submission has no email answer")
    with force_locale(ui_locale(values["lang"])):
        return mail.message(to, subject, _render(template, **values, **extra))


def status_mail(sub: Submission, event: SubmissionEvent) -> Message:
    """The resident's mail about a change of status: received again after a correction,
    returned (the message's first line and the deadline), approved, rejected."""
    lang = sub.lang or "ja"
    req = db.session.scalar(select(CorrectionRequest).where(CorrectionRequest.event_id == event.id))
    with force_locale(ui_locale(lang)):
        subjects = {
            "received": _(
                "【三重県】補正後の申請を受け付けました（到達番号 %(no)s）", no=sub.receipt_no
            ),
            "returned": _(
                "【三重県】申請の補正をお願いします（到達番号 %(no)s）", no=sub.receipt_no
            ),
            "approved": _("【三重県】申請が承認されました（到達番号 %(no)s）", no=sub.receipt_no),
            "rejected": _(
                "【三重県】申請の審査結果のお知らせ（到達番号 %(no)s）", no=sub.receipt_no
            ),
        }
        return _resident_message(
            sub,
            subjects[event.status],
            "mail/status.txt",
            event=event,
            first_line=first_line(event.message) if event.status == "returned" else "",
            due_on=req.due_on.isoformat() if req and req.due_on else "",
            changed_at=format_time(event.at, lang),
        )


def result_mail(sub: Submission, documents: list[str]) -> Message:
    """The resident's mail that a result (通知書・許可証) can be downloaded."""
    with force_locale(ui_locale(sub.lang or "ja")):
        subject = _("【三重県】通知書をダウンロードできます（到達番号 %(no)s）", no=sub.receipt_no)
        return _resident_message(sub, subject, "mail/result.txt", documents=documents)


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
