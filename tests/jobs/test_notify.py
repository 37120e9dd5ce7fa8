"""Mails to the resident and the department (.eml or SMTP), and the signed webhook."""

from __future__ import annotations

import email
import json
import socketserver
import threading
from datetime import UTC, datetime, timedelta
from email import policy
from pathlib import Path

from sqlalchemy import select

from app.extensions import db
from app.formengine import render
from app.formengine.render import flat
from app.jobs import outbox
from app.notify import webhook
from app.submissions import validation, versions
from app.submissions.models import Submission

from .conftest import SECRET, outbox_rows, submit


def read_eml(app, name):
    data = (Path(app.instance_path) / "documents" / "mail" / name).read_bytes()
    return email.message_from_bytes(data, policy=policy.default)


def test_the_resident_mail_says_what_was_received_and_nothing_personal(jobs_app):
    body = submit(jobs_app)
    with jobs_app.app_context():
        sub_id = db.session.scalar(select(Submission.id))
    msg = read_eml(jobs_app, f"mail_resident-{sub_id}.eml")
    assert msg["To"] == "hanako@example.jp"
    assert msg["Subject"] == f"【三重県】申請を受け付けました（到達番号 {body['receipt_no']}）"
    assert msg["From"].addresses[0].addr_spec == "no-reply@example.pref.mie.lg.jp"
    text = msg.get_content()
    assert (
        body["receipt_no"] in text
        and "ジョブ試験許可申請" in text
        and "5営業日以内に審査します。" in text
    )
    assert f"http://127.0.0.1:5000/status?receipt_no={body['receipt_no']}" in text
    assert body["access_code"] not in text and "1990" not in text and "伊勢" not in text


def test_the_resident_mail_is_in_the_residents_language(jobs_app):
    body = submit(jobs_app, lang="en")
    with jobs_app.app_context():
        sub_id = db.session.scalar(select(Submission.id))
    msg = read_eml(jobs_app, f"mail_resident-{sub_id}.eml")
    assert (
        msg["Subject"]
        == f"[Mie Prefecture] Application received (receipt number {body['receipt_no']})"
    )
    assert "We have received your application: Jobs test permit." in msg.get_content()


def test_the_department_mail_has_the_receipt_and_a_link_never_the_answers(jobs_app):
    submit(jobs_app)
    with jobs_app.app_context():
        sub = db.session.scalar(select(Submission))
        pairs = flat(
            render(
                versions.definition(sub.form_version), sub.answers, "ja", validation.context("ja")
            )
        )
        sub_id, receipt_no = sub.id, sub.receipt_no
    msg = read_eml(jobs_app, f"mail_department-{sub_id}-0.eml")
    assert msg["To"] == "shinsa@example.pref.mie.lg.jp" and receipt_no in msg["Subject"]
    text = msg.get_content()
    assert receipt_no in text and "ジョブ試験許可申請" in text
    assert f"http://127.0.0.1:5000/staff/submissions?q={receipt_no}" in text
    assert len(pairs) == 4
    for _label, value in pairs:  # no answer, however short, and no file name
        assert value not in text
    assert "photo.png" not in text and "伊勢" not in text and "1990" not in text


class SMTPRecorder(socketserver.ThreadingTCPServer):
    """Just enough SMTP to take one message: what an MTA would receive."""

    allow_reuse_address = True

    def __init__(self):
        self.messages: list[tuple[str, list[str], bytes]] = []
        recorder = self

        class Handler(socketserver.StreamRequestHandler):
            def handle(self):
                def say(line):
                    self.wfile.write(line.encode() + b"\r\n")

                say("220 test ESMTP")
                sender, rcpts = None, []
                while True:
                    line = self.rfile.readline().decode().strip()
                    verb = line.split(" ", 1)[0].upper()
                    if verb in ("EHLO", "HELO"):
                        say("250-test\r\n250 8BITMIME")
                    elif verb == "MAIL":
                        sender = line
                        say("250 ok")
                    elif verb == "RCPT":
                        rcpts.append(line.split(":", 1)[1].strip("<> "))
                        say("250 ok")
                    elif verb == "DATA":
                        say("354 go")
                        data = b""
                        while (chunk := self.rfile.readline()) != b".\r\n":
                            data += chunk
                        recorder.messages.append((sender, rcpts, data))
                        say("250 queued")
                    elif verb == "QUIT" or not line:
                        say("221 bye")
                        return
                    else:
                        say("250 ok")

        super().__init__(("127.0.0.1", 0), Handler)


def test_with_mail_url_the_mail_goes_over_smtp_once(jobs_app):
    server = SMTPRecorder()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        jobs_app.config["MAIL_URL"] = f"smtp://127.0.0.1:{server.server_address[1]}"
        body = submit(jobs_app)
        assert sorted(r[1][0] for r in server.messages) == [
            "hanako@example.jp",
            "shinsa@example.pref.mie.lg.jp",
        ]
        msg = email.message_from_bytes(server.messages[0][2], policy=policy.default)
        assert body["receipt_no"] in msg["Subject"] and msg["Message-ID"].endswith(
            "@tetsuzuki.invalid>"
        )
        assert not (
            Path(jobs_app.instance_path) / "documents" / "mail"
        ).exists()  # sent, not written
        rows = outbox_rows(jobs_app)
        assert all(r.result.startswith("sent:") for k, r in rows.items() if k.startswith("mail_"))
    finally:
        server.shutdown()
        server.server_close()


def test_the_webhook_posts_the_submission_signed(jobs_app, receiver):
    body = submit(jobs_app)
    [req] = receiver.requests
    headers = {k.lower(): v for k, v in req["headers"].items()}
    assert webhook.verify(
        SECRET, headers["x-tetsuzuki-timestamp"], req["body"], headers["x-tetsuzuki-signature"]
    )
    assert not webhook.verify(
        "another secret",
        headers["x-tetsuzuki-timestamp"],
        req["body"],
        headers["x-tetsuzuki-signature"],
    )
    payload = json.loads(req["body"])
    assert payload["receipt_no"] == body["receipt_no"] and payload["form"] == "jobs-permit"
    assert payload["answers"]["name"]["family"] == "伊勢"
    assert [f["name"] for f in payload["files"]] == ["photo.png"]
    submitted = datetime.fromisoformat(payload["submitted_at"])  # Japan time, with its offset
    assert submitted.utcoffset() == timedelta(hours=9)
    assert abs(datetime.now(UTC) - submitted) < timedelta(minutes=1)
    assert headers["x-tetsuzuki-delivery"].startswith("webhook:")


def test_the_webhook_is_retried_with_backoff_then_gives_up_on_a_refusal(jobs_app, receiver):
    from datetime import timedelta

    from app.clock import utcnow

    receiver.answers = [503, 500]
    submit(jobs_app)
    hook = next(r for k, r in outbox_rows(jobs_app).items() if k.startswith("webhook"))
    assert (hook.state, hook.attempts) == ("pending", 1) and "HTTP 503" in hook.last_error
    with jobs_app.app_context():
        outbox.sweep(utcnow() + timedelta(minutes=1), periodic=False)  # 500: again later
        outbox.sweep(utcnow() + timedelta(hours=1), periodic=False)  # 200
    hook = next(r for k, r in outbox_rows(jobs_app).items() if k.startswith("webhook"))
    assert (hook.state, hook.attempts, hook.result) == ("done", 3, "HTTP 200")
    deliveries = {r["headers"]["X-Tetsuzuki-Delivery"] for r in receiver.requests}
    assert (
        len(receiver.requests) == 3 and len(deliveries) == 1
    )  # one delivery id for the receiver to deduplicate

    receiver.answers = [422]
    submit(jobs_app, key="second")
    refused = [r for k, r in outbox_rows(jobs_app).items() if k.startswith("webhook")][-1]
    assert (refused.state, refused.attempts) == ("failed", 1) and "HTTP 422" in refused.last_error
