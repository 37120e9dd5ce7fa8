"""The operator's runbook (docs/operations.md), end to end, with its own commands: the
wheel installed into a new virtual environment, PostgreSQL and Redis, the first
migration and the configuration check, the first admin signing in with two factors,
gunicorn (over TLS, as in production) and a worker, an application submitted and
processed, /metrics scraped, a backup restored into a second database with its own
Redis prefix, and an upgrade to a new migration and back.

Real servers: PostgreSQL at TEST_DATABASE_URL and Redis at TEST_REDIS_URL (this run's own
database names and key prefix, removed at the end)."""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import sysconfig
import time
import uuid
import venv
from pathlib import Path

import pyotp
import pytest
import requests
import urllib3
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy.engine import make_url

from config import TestConfig

ROOT = Path(__file__).resolve().parent.parent
RUN = uuid.uuid4().hex[:8]
ADMIN, PASSWORD = "admin@pref.example.jp", "first admin's long password"

FORM = """\
id: ops-request
version: 1
procedure: P-0067
title: {ja: 運用試験の申請, en: Operations test request}
languages: [ja, en]
declaration: {ja: 上記のとおり申請します。, en: I apply as above.}
outputs:
  - {type: email, to: ops@example.pref.mie.lg.jp}
pages:
  - id: applicant
    title: {ja: 申請者, en: Applicant}
    fields:
      - {id: name, type: name, label: {ja: 氏名, en: Name}, required: true}
      - {id: email, type: email, label: {ja: メールアドレス, en: Email}, required: true}
"""

MIGRATION = '''"""ops check: a table added by an upgrade

Revision ID: 9001_ops_check
Revises: {head}
"""
from alembic import op
import sqlalchemy as sa

revision = "9001_ops_check"
down_revision = "{head}"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table("ops_check", sa.Column("id", sa.Integer(), primary_key=True))


def downgrade():
    op.drop_table("ops_check")
'''


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _libpq(url) -> str:
    return url.set(drivername="postgresql").render_as_string(hide_password=False)


class Box:
    """The machine of the runbook: a venv with the wheel, settings, folders, processes."""

    def __init__(self, tmp: Path):
        self.tmp = tmp
        self.procs: list[subprocess.Popen] = []

    def run(self, *args: str, env: dict | None = None, ok: bool = True, stdin: str | None = None):
        done = subprocess.run(
            args, env=env or self.env, cwd=self.tmp, capture_output=True, text=True,
            timeout=600, input=stdin,
        )  # fmt: skip
        if ok:
            assert done.returncode == 0, f"{args}: {done.stdout}\n{done.stderr}"
        return done

    def tetsuzuki(self, *args: str, env: dict | None = None, ok: bool = True):
        return self.run(str(self.bin / "tetsuzuki"), *args, env=env, ok=ok)


@pytest.fixture(scope="module")
def servers():
    """(admin libpq url, redis url) of the real servers, or a clear failure."""
    admin = make_url(TestConfig.TEST_DATABASE_URL)
    import psycopg
    from redis import Redis

    try:
        psycopg.connect(_libpq(admin), connect_timeout=3).close()
        Redis.from_url(TestConfig.TEST_REDIS_URL, socket_connect_timeout=3).ping()
    except Exception as exc:  # noqa: BLE001 - either server missing
        pytest.fail(f"PostgreSQL and Redis are needed for the operations check: {exc}")
    names = [f"tetsuzuki_ops_{RUN}", f"tetsuzuki_ops_{RUN}_copy"]
    yield admin, TestConfig.TEST_REDIS_URL, names
    with psycopg.connect(_libpq(admin), autocommit=True) as conn:
        for name in names:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    client = Redis.from_url(TestConfig.TEST_REDIS_URL)
    for key in client.scan_iter(match=f"*ops{RUN}*"):
        client.delete(key)


def test_the_runbook_from_wheel_to_upgrade(tmp_path, servers):  # noqa: PLR0915 - one story
    urllib3.disable_warnings(urllib3.exceptions.InsecureRequestWarning)  # a self-signed cert
    admin_url, redis_url, (db_name, copy_name) = servers
    box = Box(tmp_path)

    # --- install: the wheel into a new virtual environment -------------------------------
    dist = tmp_path / "dist"
    box.env = {k: v for k, v in os.environ.items() if not k.startswith(("FLASK_", "PYTHON"))}
    box.run(sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(dist), str(ROOT))
    (wheel,) = dist.glob("tetsuzuki-*.whl")
    venv.create(tmp_path / "venv", with_pip=False)
    box.bin = tmp_path / "venv" / "bin"
    python = str(box.bin / "python")
    site = box.run(python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])")
    site = Path(site.stdout.strip())
    # the dependencies from this environment (the runbook's `pip install` fetches them)
    (site / "_deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    box.run(sys.executable, "-m", "pip", "--python", python, "install", "-q", "--no-deps", str(wheel))

    # --- the database, the settings, the first migration, the check ----------------------
    import psycopg

    with psycopg.connect(_libpq(admin_url), autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{db_name}"')
    port = _free_port()
    srv = tmp_path / "srv"
    # the key that signs result documents, as the runbook makes one for a trial
    key = tmp_path / "result-signing.p12"
    box.run("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "30",
            "-subj", "/O=Mie Prefecture/CN=Mie Prefecture", "-keyout", "key.pem", "-out", "cert.pem")
    box.run("openssl", "pkcs12", "-export", "-inkey", "key.pem", "-in", "cert.pem", "-out", str(key),
            "-passout", "pass:trial-password")
    settings = {
        "TETSUZUKI_ENV": "production",
        "DATABASE_URL": admin_url.set(database=db_name).render_as_string(hide_password=False),
        "REDIS_URL": redis_url,
        "REDIS_KEY_PREFIX": f"ops{RUN}:",
        "SECRET_KEY": "s" * 64,
        "BASE_URL": f"https://127.0.0.1:{port}",
        "UPLOAD_DIR": str(srv / "uploads"),
        "DOCUMENT_DIR": str(srv / "documents"),
        "PROMETHEUS_MULTIPROC_DIR": str(tmp_path / "metrics"),
        "JOB_SWEEP_SECONDS": "2",
        "RESULT_SIGNING_P12": str(key),
        "RESULT_SIGNING_PASSWORD": "trial-password",
    }
    (tmp_path / "metrics").mkdir()
    box.env = {**box.env, **settings}
    box.tetsuzuki("db", "upgrade")
    check = box.tetsuzuki("config", "check")
    assert "fit to serve (production)" in check.stdout
    assert box.tetsuzuki("demo", ok=False).returncode == 2  # never in production

    # --- the first admin, the catalogue, the forms ----------------------------------------
    box.tetsuzuki("staff", "create", ADMIN, "--role", "admin", "--name", "管理者",
                  "--password", PASSWORD)  # fmt: skip
    box.tetsuzuki("catalogue", "import", str(ROOT / "procedures"))
    forms = tmp_path / "forms"
    forms.mkdir()
    (forms / "ops-request.yaml").write_text(FORM, encoding="utf-8")
    box.tetsuzuki("forms", "load", str(forms))

    # --- web (gunicorn over TLS) and a worker ------------------------------------------------
    key, cert = tmp_path / "key.pem", tmp_path / "cert.pem"
    box.run("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj",
            "/CN=127.0.0.1", "-keyout", str(key), "-out", str(cert))  # fmt: skip
    log = (tmp_path / "web.log").open("w")
    web = subprocess.Popen(
        [python, "-m", "gunicorn", "-c", "python:app.gunicorn_conf", "-w", "2",
         "-b", f"127.0.0.1:{port}", "--certfile", str(cert), "--keyfile", str(key),
         "app:create_app()"],
        env=box.env, cwd=tmp_path, stdout=log, stderr=log,
    )  # fmt: skip
    worker_log = (tmp_path / "worker.log").open("w")
    worker = subprocess.Popen(
        [str(box.bin / "tetsuzuki"), "worker", "--name", f"ops{RUN}-1"],
        env=box.env, cwd=tmp_path, stdout=worker_log, stderr=worker_log,
    )  # fmt: skip
    base = f"https://127.0.0.1:{port}"
    http = requests.Session()
    http.verify, http.trust_env = False, False  # the environment's CA bundle would win
    try:
        _wait(lambda: http.get(base + "/healthz/live", timeout=2).ok, web, tmp_path / "web.log")
        ready = _wait(
            lambda: (r := http.get(base + "/healthz/ready", timeout=5)).ok
            and r.json().get("workers")
            and r,
            web,
            tmp_path / "worker.log",
        )
        body = ready.json()
        assert body["status"] == "ok" and body["queue"] == "rq", body

        # --- the first admin signs in with two factors ------------------------------------
        admin = requests.Session()
        admin.verify, admin.trust_env = False, False
        admin.headers["Referer"] = base + "/staff/"  # over https, CSRF checks the referrer
        page = admin.post(base + "/staff/login", data=_form(admin, base + "/staff/login")
                          | {"email": ADMIN, "password": PASSWORD})  # fmt: skip
        assert page.url.endswith("/staff/2fa/setup"), page.url  # an admin must enrol first
        secret = re.search(r'<code class="token" id="key">([A-Z2-7 ]+)</code>', page.text)
        totp = pyotp.TOTP(secret.group(1).replace(" ", ""))
        enrolled = admin.post(base + "/staff/2fa/setup",
                              data={"csrf_token": _csrf(page.text), "code": totp.now()})  # fmt: skip
        assert enrolled.status_code == 200, enrolled.text[:500]
        admin.post(base + "/staff/logout", data={"csrf_token": _csrf(enrolled.text)})
        admin.cookies.clear()
        step = admin.post(base + "/staff/login", data=_form(admin, base + "/staff/login")
                          | {"email": ADMIN, "password": PASSWORD})  # fmt: skip
        assert step.url.endswith("/staff/login/code"), step.url
        _next_step(totp)  # a code is good once: the enrolment used this step's
        inside = admin.post(base + "/staff/login/code",
                            data={"csrf_token": _csrf(step.text), "code": totp.now()})  # fmt: skip
        assert inside.ok and "/staff/login" not in inside.url, inside.url

        # --- an application, processed ------------------------------------------------------
        answers = {
            "name": {"family": "伊勢", "given": "太郎", "family_kana": "イセ", "given_kana": "タロウ"},
            "email": "taro@example.jp",
        }
        sub = http.post(base + "/api/v1/forms/ops-request/submissions",
                        json={"answers": answers, "declaration": True})  # fmt: skip
        assert sub.status_code == 201, sub.text
        receipt = sub.json()
        number, code = receipt["receipt_no"], receipt["access_code"]
        pdf = _wait(
            lambda: (r := http.get(f"{base}/api/v1/submissions/{number}/receipt.pdf",
                                   headers={"X-Access-Code": code})).status_code == 200 and r,
            worker, tmp_path / "worker.log",
        )  # fmt: skip — the worker made it
        assert pdf.content.startswith(b"%PDF-")
        detail = admin.get(f"{base}/staff/submissions/{number}")
        assert detail.ok and "伊勢" in detail.text
        case = f"{base}/staff/submissions/{number}"
        review = admin.post(f"{case}/status",
                            data={"csrf_token": _csrf(detail.text), "to": "in_review", "message": ""})  # fmt: skip
        assert review.ok and review.url.startswith(case), review.text[:300]
        # the decision is the workflow's last step (決裁), never a plain status move
        decided = admin.post(f"{case}/decision",
                             data={"csrf_token": _csrf(review.text), "action": "decide",
                                   "outcome": "approved", "message": ""})  # fmt: skip
        assert decided.ok and decided.url.startswith(case), decided.text[:300]
        assert "決裁しました" in decided.text, decided.text[:300]
        status = http.get(f"{base}/api/v1/submissions/{number}", headers={"X-Access-Code": code})
        assert [h["status"] for h in status.json()["history"]] == ["received", "in_review", "approved"]

        # --- /metrics -------------------------------------------------------------------------
        scraped = http.get(base + "/metrics").text
        families = {f.name: f for f in text_string_to_metric_families(scraped)}
        submitted = [s for s in families["tetsuzuki_submissions"].samples
                     if s.name.endswith("_total") and s.labels["form"] == "ops-request"]  # fmt: skip
        assert sum(s.value for s in submitted) == 1
        jobs = {s.labels["state"]: s.value for s in families["tetsuzuki_jobs"].samples}
        assert jobs.get("failed", 0) == 0 and jobs.get("done", 0) >= 2  # receipt and mail
        assert [s.value for s in families["tetsuzuki_queue_up"].samples] == [1]
        kpi_live = box.tetsuzuki("kpi", "--json").stdout

        # --- backup ---------------------------------------------------------------------------
        dump = tmp_path / "backup.dump"
        live_libpq = _libpq(make_url(settings["DATABASE_URL"]))
        box.run("pg_dump", "-Fc", "-f", str(dump), live_libpq)
        shutil.copytree(srv, tmp_path / "backup-files")
    finally:
        for proc in (worker, web):
            proc.send_signal(signal.SIGTERM)
        for proc in (worker, web):
            try:
                proc.wait(timeout=60)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=30)
        log.close()
        worker_log.close()

    # --- restore into a second database with its own prefix ---------------------------------
    with psycopg.connect(_libpq(admin_url), autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{copy_name}"')
    copy_url = admin_url.set(database=copy_name)
    box.run("pg_restore", "--no-owner", "-d", _libpq(copy_url), str(dump))
    copy_srv = tmp_path / "copy-srv"
    shutil.copytree(tmp_path / "backup-files" / "uploads", copy_srv / "uploads")  # not the receipts
    copy = {**box.env, "DATABASE_URL": copy_url.render_as_string(hide_password=False),
            "REDIS_KEY_PREFIX": f"ops{RUN}copy:", "UPLOAD_DIR": str(copy_srv / "uploads"),
            "DOCUMENT_DIR": str(copy_srv / "documents")}  # fmt: skip
    head = box.tetsuzuki("db", "current", env=copy).stdout
    assert "(head)" in head
    box.tetsuzuki("config", "check", env=copy)
    assert box.tetsuzuki("kpi", "--json", env=copy).stdout == kpi_live
    regenerated = box.tetsuzuki("receipts", "regenerate", number, env=copy).stdout
    assert f"{number}: written" in regenerated
    (made,) = (copy_srv / "documents").rglob(f"{number}.pdf")
    assert made.read_bytes().startswith(b"%PDF-")
    # the copy's queue is its own: the live queue's keys are untouched by its sweep
    box.tetsuzuki("jobs", "sweep", env=copy)

    # --- upgrade to a new migration, and back ------------------------------------------------
    versions = site / "app" / "shipped" / "migrations" / "versions"
    revision = re.search(r"^(\S+) \(head\)", head, re.M).group(1)
    (versions / "9001_ops_check.py").write_text(MIGRATION.format(head=revision))
    assert box.tetsuzuki("config", "check", ok=False).returncode == 3  # behind: refused
    box.tetsuzuki("db", "upgrade")
    assert "9001_ops_check (head)" in box.tetsuzuki("db", "current").stdout
    box.tetsuzuki("config", "check")
    box.tetsuzuki("db", "downgrade", revision)  # the rollback
    assert revision in box.tetsuzuki("db", "current").stdout


def _form(session: requests.Session, url: str) -> dict:
    return {"csrf_token": _csrf(session.get(url).text)}


def _csrf(html: str) -> str:
    m = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert m, html[:500]
    return m.group(1)


def _next_step(totp: pyotp.TOTP) -> None:
    step = int(time.time()) // totp.interval
    while int(time.time()) // totp.interval == step:
        time.sleep(0.5)


def _wait(check, proc: subprocess.Popen, log: Path, seconds: float = 120):
    deadline = time.monotonic() + seconds
    while True:
        try:
            got = check()
            if got:
                return got
        except requests.RequestException:
            pass
        if proc.poll() is not None or time.monotonic() > deadline:
            pytest.fail("gave up waiting:\n" + log.read_text()[-3000:])
        time.sleep(0.3)
