"""A form with every kind of output, a webhook receiver, private Redis servers, a worker."""

from __future__ import annotations

import io
import json
import shutil
import signal
import socket
import subprocess
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from app.catalogue.services import import_catalogue
from app.extensions import db
from app.submissions import versions
from tests.conftest import WORKED_EXAMPLE, _unavailable

SECRET = "webhook-test-secret"
# the receiver listens on 127.0.0.1 over http: allowed only by these development settings
LOCAL_RECEIVER = {"WEBHOOK_ALLOW_HTTP": True, "WEBHOOK_ALLOW_PRIVATE": True}

FORM = """\
id: jobs-permit
version: 1
procedure: A
title: {{ja: ジョブ試験許可申請, en: Jobs test permit}}
languages: [ja, en]
retention_days: 30
processing_days: 5
what_happens_next: {{ja: 5営業日以内に審査します。, en: We review it within 5 business days.}}
outputs:
  - {{type: email, to: shinsa@example.pref.mie.lg.jp}}
  - {{type: webhook, url: "{webhook}"}}
pages:
  - id: applicant
    title: {{ja: 申請者, en: Applicant}}
    fields:
      - {{id: name, type: name, label: {{ja: 氏名, en: Name}}, required: true}}
      - {{id: birth_date, type: date, label: {{ja: 生年月日, en: Date of birth}}, required: true}}
      - {{id: email, type: email, label: {{ja: メールアドレス, en: Email}}}}
      - {{id: photo, type: file, label: {{ja: 写真, en: Photo}}, accept: [image/png]}}
"""

ANSWERS = {
    "name": {"family": "伊勢", "given": "花子", "family_kana": "イセ", "given_kana": "ハナコ"},
    "birth_date": "1990-04-01",
    "email": "hanako@example.jp",
}


class Receiver:
    """A webhook endpoint on 127.0.0.1: records each request, answers from a script."""

    def __init__(self):
        self.requests: list[dict] = []
        # statuses (or (status, headers)) to answer in turn; then 200
        self.answers: list[int | tuple[int, dict]] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 - the stdlib's name
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                receiver.requests.append(
                    {"headers": dict(self.headers), "body": body, "path": self.path}
                )
                answer = receiver.answers.pop(0) if receiver.answers else 200
                status, headers = answer if isinstance(answer, tuple) else (answer, {})
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/intake"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver():
    r = Receiver()
    yield r
    r.close()


def load(app, tmp_path: Path, webhook_url: str) -> None:
    folder = tmp_path / "catalogue"
    folder.mkdir(exist_ok=True)
    for name, text in WORKED_EXAMPLE.items():
        (folder / name).write_text(text, encoding="utf-8")
    form = tmp_path / "jobs-permit.yaml"
    form.write_text(FORM.format(webhook=webhook_url), encoding="utf-8")
    with app.app_context():
        db.create_all()
        assert import_catalogue(folder).ok
        report = versions.load_forms([form])
        assert not report.problems, report.problems


@pytest.fixture
def jobs_app(make_app, tmp_path, receiver):
    """Inline jobs (no Redis), .eml files for mail, a webhook to `receiver`."""
    app = make_app(
        UPLOAD_DIR=str(tmp_path / "uploads"),
        WEBHOOK_SECRET=SECRET,
        JOB_PERIODIC=False,
        **LOCAL_RECEIVER,
    )
    load(app, tmp_path, receiver.url)
    return app


def png() -> bytes:
    from tests.documents.fill import png as make

    return make()


def submit(app, answers=None, *, lang="ja", photo=True, key=None):
    """POST through the API and close the response (inline jobs then run) → JSON."""
    data = {
        "answers": json.dumps(answers or ANSWERS, ensure_ascii=False),
        "lang": lang,
        "declaration": "true",
    }
    if photo:
        data["photo"] = (io.BytesIO(png()), "photo.png", "image/png")
    headers = {"Idempotency-Key": key} if key else {}
    r = app.test_client().post(
        "/api/v1/forms/jobs-permit/submissions",
        data=data,
        headers=headers,
        content_type="multipart/form-data",
    )
    r.close()
    assert r.status_code == 201, r.get_json()
    return r.get_json()


def outbox_rows(app):
    from sqlalchemy import select

    from app.jobs.models import OutboxJob

    with app.app_context():
        return {j.key: j for j in db.session.scalars(select(OutboxJob).order_by(OutboxJob.id))}


# --- Redis ---------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class RedisProcess:
    """A redis-server of the test's own, to stop and start again (nothing kept on disk)."""

    def __init__(self, binary: str, folder: Path):
        self.binary, self.folder, self.port = binary, folder, free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.proc: subprocess.Popen | None = None

    def start(self) -> None:
        self.proc = subprocess.Popen(
            [
                self.binary,
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.folder),
                "--logfile",
                "",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        from redis import Redis

        client = Redis.from_url(self.url, socket_connect_timeout=0.2)
        deadline = time.monotonic() + 10
        while True:
            try:
                client.ping()
                break
            except Exception:  # noqa: BLE001 - not up yet
                if time.monotonic() > deadline or self.proc.poll() is not None:
                    raise RuntimeError("redis-server did not start") from None
                time.sleep(0.05)
            finally:
                client.close()

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(timeout=10)
        self.proc = None


@pytest.fixture
def private_redis(tmp_path):
    binary = shutil.which("redis-server")
    if binary is None:
        _unavailable("redis-server", "the binary is not installed")
    folder = tmp_path / "redis"
    folder.mkdir()
    server = RedisProcess(binary, folder)
    server.start()
    yield server
    server.stop()


def work(app, **kw) -> bool:
    """A real RQ worker, in burst mode, in this process (its sweep runs first)."""
    from app.jobs.worker import make_worker

    handlers = {s: signal.getsignal(s) for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        with app.app_context():
            return make_worker(app, **kw).work(burst=True, logging_level="WARNING")
    finally:
        for s, h in handlers.items():
            signal.signal(s, h)


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def backend_jobs_app(request, make_app, tmp_path, receiver):
    """`jobs_app` on SQLite and on PostgreSQL (a database of this run's own)."""
    url = request.getfixturevalue("postgres_url") if request.param == "postgresql" else None
    app = make_app(
        url,
        UPLOAD_DIR=str(tmp_path / "uploads"),
        WEBHOOK_SECRET=SECRET,
        JOB_PERIODIC=False,
        **LOCAL_RECEIVER,
    )
    load(app, tmp_path, receiver.url)
    yield app
    with app.app_context():
        db.session.remove()
        db.drop_all()


def ask_receipt(app, body: dict):
    """The resident asks for the receipt PDF through the API (made when first asked for:
    at once without a queue) → the response."""
    return app.test_client().get(
        f"/api/v1/submissions/{body['receipt_no']}/receipt.pdf",
        headers={"X-Access-Code": body["access_code"]},
    )
