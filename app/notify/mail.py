"""Email, as a transport: a message in, sent once per key by SMTP (MAIL_URL), or written
as an .eml file to DOCUMENT_DIR/mail/ when MAIL_URL is unset (backed up with the
receipts). What a mail says is the
business of the feature that sends it (submissions/notices.py, dashboard/effects.py)."""

from __future__ import annotations

import hashlib
import re
import smtplib
import ssl
from email.header import Header
from email.message import Message
from email.mime.application import MIMEApplication
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from email.utils import formataddr, formatdate, parseaddr
from pathlib import Path
from urllib.parse import unquote, urlsplit

from flask import current_app

from app.documents.storage import document_dir, write_once


def outbox_dir() -> Path:
    """Where mails are written as .eml files without MAIL_URL: beside the receipts, so a
    backup of DOCUMENT_DIR holds them."""
    return document_dir() / "mail"


def _file_name(key: str) -> str:
    return re.sub(r"[^A-Za-z0-9_-]", "-", key) + ".eml"


def send(msg: Message, key: str) -> str:
    """Send once per key: the Message-ID comes from the key, so a repeat is recognisable;
    without MAIL_URL the .eml file is the record and is written only once."""
    digest = hashlib.sha256(f"{current_app.config['SECRET_KEY']}:{key}".encode()).hexdigest()[:24]
    msg["Message-ID"] = f"<{digest}@tetsuzuki.invalid>"
    msg["Date"] = formatdate(localtime=False)
    if "From" not in msg:
        msg["From"] = address(current_app.config["MAIL_FROM"])
    url = current_app.config.get("MAIL_URL")
    if not url:
        name = _file_name(key)
        written = write_once(outbox_dir() / name, bytes(msg))
        return f"{'written' if written else 'exists'}: mail/{name}"
    _smtp(url, msg)
    return f"sent: {msg['Message-ID']}"


def _smtp(url: str, msg: Message) -> None:
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


def message(to: str, subject: str, body: str, pdfs: tuple[Path, ...] = ()) -> Message:
    """A plain-text mail (UTF-8) to one address, with PDFs attached if given.

    Its headers are encoded here (RFC 2047), with the classic `email` API: the newer
    `EmailMessage` folds Japanese headers at about 5 ms of CPU a mail, ten times this, and
    a worker sends one or two mails for every submission (docs/operations.md)."""
    text = MIMEText(body, "plain", "utf-8")
    msg: Message = text
    if pdfs:
        msg = MIMEMultipart()
        msg.attach(text)
        for path in pdfs:
            part = MIMEApplication(path.read_bytes(), "pdf")
            part.add_header("Content-Disposition", "attachment", filename=path.name)
            msg.attach(part)
    msg["To"] = address(to)
    msg["Subject"] = Header(subject, "utf-8")
    return msg


def address(value: str) -> str:
    """`名前 <addr>` or `addr` → a header value, the name encoded when it is not ASCII."""
    name, addr = parseaddr(value)
    return formataddr((name, addr), charset="utf-8") if name else addr


def forget(key: str) -> None:
    """Delete the .eml record of the mail sent under `key`, if mail went to files
    (retention: a resident's mail names them)."""
    (outbox_dir() / _file_name(key)).unlink(missing_ok=True)
