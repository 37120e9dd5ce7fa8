"""Email: to the resident, to the department, the monthly report. With MAIL_URL unset,
each mail is written as an .eml file to <instance>/outbox/ instead of being sent."""

from __future__ import annotations

import hashlib
import re
import smtplib
import ssl
from email.message import EmailMessage
from email.utils import formatdate
from pathlib import Path
from urllib.parse import unquote, urlsplit

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _

from app.clock import format_time
from app.documents.services import write_once


def outbox_dir() -> Path:
    return Path(current_app.instance_path) / "outbox"


def _file_name(key: str) -> str:
    return re.sub(r"[^A-Za-z0-9_-]", "-", key) + ".eml"


def eml_paths_for(submission_id: int) -> list[Path]:
    """The .eml files written for one submission (keys `mail_…:<id>` and `mail_…:<id>:<n>`)."""
    folder = outbox_dir()
    if not folder.is_dir():
        return []
    return sorted(
        {*folder.glob(f"mail_*-{submission_id}.eml"), *folder.glob(f"mail_*-{submission_id}-*.eml")}
    )


def send(msg: EmailMessage, key: str) -> str:
    """Send once per key: the Message-ID comes from the key, so a repeat is recognisable;
    without MAIL_URL the .eml file is the record and is written only once."""
    digest = hashlib.sha256(f"{current_app.config['SECRET_KEY']}:{key}".encode()).hexdigest()[:24]
    msg["Message-ID"] = f"<{digest}@tetsuzuki.invalid>"
    msg["Date"] = formatdate(localtime=False)
    if "From" not in msg:
        msg["From"] = current_app.config["MAIL_FROM"]
    url = current_app.config.get("MAIL_URL")
    if not url:
        name = _file_name(key)
        written = write_once(outbox_dir() / name, bytes(msg))
        return f"{'written' if written else 'exists'}: outbox/{name}"
    _smtp(url, msg)
    return f"sent: {msg['Message-ID']}"


def _smtp(url: str, msg: EmailMessage) -> None:
    """`smtp://user:pass@host:port` (STARTTLS when offered) or `smtps://…` (TLS from the start)."""
    parts = urlsplit(url)
    secure = parts.scheme == "smtps"
    if parts.scheme not in ("smtp", "smtps"):
        raise ValueError(f"MAIL_URL must start with smtp:// or smtps:// (got {parts.scheme}://)")
    host, port = parts.hostname or "localhost", parts.port or (465 if secure else 25)
    context = ssl.create_default_context()
    client = (
        smtplib.SMTP_SSL(host, port, timeout=30, context=context)
        if secure
        else smtplib.SMTP(host, port, timeout=30)
    )
    with client:
        client.ehlo()
        if not secure and client.has_extn("starttls"):
            client.starttls(context=context)
            client.ehlo()
        if parts.username:
            client.login(unquote(parts.username), unquote(parts.password or ""))
        client.send_message(msg)


def _render(name: str, **context) -> str:
    return current_app.jinja_env.get_template(name).render(**context)


def _message(to: str, subject: str, body: str) -> EmailMessage:
    msg = EmailMessage()
    msg["To"] = to
    msg["Subject"] = subject
    msg.set_content(body, charset="utf-8")
    return msg


def _common(sub) -> dict:
    from app.documents.receipts import status_url
    from app.submissions.services import definition

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


def resident_mail(sub) -> EmailMessage:
    """受付完了のお知らせ: receipt number, form, next steps, status link — no answers."""
    from app.documents.receipts import ui_locale
    from app.jobs.outbox import resident_email

    ctx = _common(sub)
    to = resident_email(ctx["defn"], sub.answers or {})
    if not to:
        raise LookupError("the submission has no email answer")
    with force_locale(ui_locale(ctx["lang"])):
        subject = _("【三重県】申請を受け付けました（到達番号 %(no)s）", no=sub.receipt_no)
        return _message(to, subject, _render("mail/resident.txt", **ctx))


def department_mail(sub, to: str) -> EmailMessage:
    """新着申請: every answer through the shared renderer, in Japanese (staff read Japanese)."""
    from app.formengine import render
    from app.formengine.render import flat
    from app.submissions.services import context, files_of

    ctx = _common(sub)
    ctx.update(
        lang="ja",
        received_at=format_time(sub.created_at, "ja"),
        t=lambda text: text.get("ja") if text is not None else "",
    )
    pairs = flat(render(ctx["defn"], sub.answers or {}, "ja", context("ja")))
    base = current_app.config["BASE_URL"].rstrip("/")
    subject = f"【新着申請】{ctx['defn'].title.get('ja')}（到達番号 {sub.receipt_no}）"
    body = _render(
        "mail/department.txt",
        answers=pairs,
        files=files_of(sub),
        staff_link=f"{base}/staff/",
        **ctx,
    )
    return _message(to, subject, body)


def report_mail(month: str, path: Path, to: str) -> EmailMessage:
    """The monthly KPI report for 推進本部, attached."""
    subject = f"【月次報告】行政手続のデジタル化の状況（{month}）"
    body = _render("mail/report.txt", month=month, base=current_app.config["BASE_URL"].rstrip("/"))
    msg = _message(to, subject, body)
    msg.add_attachment(path.read_bytes(), maintype="application", subtype="pdf", filename=path.name)
    return msg
