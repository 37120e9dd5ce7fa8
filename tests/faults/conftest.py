"""Real servers of the tests' own to break: a private PostgreSQL, a private Redis (from
tests/jobs), a tiny tmpfs; the test form, residents and API callers that record what
they were answered."""

from __future__ import annotations

import json
import os
import pwd
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from sqlalchemy import select

from app.catalogue.services import import_catalogue
from app.extensions import db
from app.jobs.models import OutboxJob
from app.submissions import versions
from app.submissions.models import Submission, SubmissionEvent
from tests.conftest import WORKED_EXAMPLE, _unavailable
from tests.jobs.conftest import free_port
from tests.submissions.conftest import FORM, GOOD, png

FORM_ID = "test-permit"
SUBMIT_URL = f"/api/v1/forms/{FORM_ID}/submissions"
# the API's answers: every submission sets off a mail to the resident
API_ANSWERS = {
    "name": {"family": "伊勢", "given": "花子", "family_kana": "イセ", "given_kana": "ハナコ"},
    "email": "hanako@example.jp",
    "kind": "a",
}
WEB_APPLICANT = {**GOOD, "kind": "a"}
UNAVAILABLE_JA = "ただいまサービスを利用できません。時間をおいてもう一度お試しください。"
# what must never reach a resident: a stack trace or the names of the parts behind it
LEAKS = ("Traceback", "sqlalchemy", "psycopg", "OperationalError", "redis.exceptions", 'File "')


def load_form(app, folder: Path) -> None:
    """The worked-example catalogue and the test form (tests/submissions), into `app`."""
    folder.mkdir(parents=True, exist_ok=True)
    catalogue = folder / "catalogue"
    catalogue.mkdir(exist_ok=True)
    for name, text in WORKED_EXAMPLE.items():
        (catalogue / name).write_text(text, encoding="utf-8")
    form = folder / f"{FORM_ID}.yaml"
    form.write_text(FORM, encoding="utf-8")
    with app.app_context():
        db.create_all()
        assert import_catalogue(catalogue).ok
        report = versions.load_forms([form])
        assert not report.problems, report.problems


def api_submit(client, key: str | None = None, *, photo: bytes | None = None):
    """One API submission (the response is not closed: no inline job runs in the test)."""
    headers = {"Idempotency-Key": key} if key else {}
    if photo is None:
        return client.post(
            SUBMIT_URL, json={"answers": API_ANSWERS, "declaration": True}, headers=headers
        )
    import io

    return client.post(
        SUBMIT_URL,
        data={
            "answers": json.dumps(API_ANSWERS, ensure_ascii=False),
            "declaration": "true",
            "photo": (io.BytesIO(photo), "photo.png", "image/png"),
        },
        headers=headers,
        content_type="multipart/form-data",
    )


def assert_no_leak(body: str) -> None:
    for word in LEAKS:
        assert word not in body, f"{word!r} shown to the resident:\n{body[:2000]}"


def assert_unavailable(r) -> None:
    """503 as a resident or a client sees it: the app's own page or JSON, Japanese first,
    a Retry-After, nothing of what broke."""
    body = r.get_data(as_text=True)
    assert r.status_code == 503, (r.status_code, body[:2000])
    assert int(r.headers["Retry-After"]) > 0
    assert_no_leak(body)
    if r.request.path.startswith("/api/"):
        assert r.get_json() == {
            "error": "unavailable",
            "message": f"{UNAVAILABLE_JA} / The service is unavailable right now. Please try again later.",
        }
    else:
        assert r.mimetype == "text/html"
        assert f"<h1>{UNAVAILABLE_JA}</h1>" in body and '<html lang="ja">' in body


@dataclass
class Consistency:
    submissions: int
    receipts: set[str]
    without_event: list[str] = field(default_factory=list)
    without_jobs: list[str] = field(default_factory=list)


def consistency(app) -> Consistency:
    """What the database holds: every submission should have its first status event and
    its job (the mail to the resident; a receipt PDF is made when asked for)."""
    with app.app_context():
        subs = list(db.session.scalars(select(Submission)))
        events = set(
            db.session.scalars(
                select(SubmissionEvent.submission_id).where(SubmissionEvent.status == "received")
            )
        )
        jobs = set(db.session.scalars(select(OutboxJob.key)))
        out = Consistency(len(subs), {s.receipt_no for s in subs})
        for s in subs:
            if s.id not in events:
                out.without_event.append(s.receipt_no)
            if f"mail_resident:{s.id}" not in jobs:
                out.without_jobs.append(s.receipt_no)
        db.session.remove()
        return out


# --- a private PostgreSQL -----------------------------------------------------------------


def _pg_bindir() -> Path | None:
    found = shutil.which("initdb")
    if found:
        return Path(found).resolve().parent
    versions = sorted(
        Path("/usr/lib/postgresql").glob("*/bin/initdb"), key=lambda p: int(p.parent.parent.name)
    )
    if versions:
        return versions[-1].parent
    config = shutil.which("pg_config")
    if config:
        bindir = Path(
            subprocess.run([config, "--bindir"], capture_output=True, text=True).stdout.strip()
        )
        if (bindir / "initdb").exists():
            return bindir
    return None


class PostgresProcess:
    """A PostgreSQL cluster of the test's own (initdb into a temporary folder), on a free
    port, to stop and start while the app uses it. initdb refuses root: then it runs as
    the `postgres` system user."""

    def __init__(self, bindir: Path, folder: Path, user: str | None):
        self.bindir, self.folder, self.user = bindir, folder, user
        self.data = folder / "data"
        self.port = free_port()
        self.url = f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"

    def _run(self, *args: str, timeout: float = 60) -> None:
        cmd = [str(self.bindir / args[0]), *args[1:]]
        if self.user:
            cmd = ["runuser", "-u", self.user, "--", *cmd]
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
        if done.returncode != 0:
            log = self.folder / "postgres.log"
            raise RuntimeError(
                f"{args[0]} {args[1] if len(args) > 1 else ''} failed: {done.stderr or done.stdout}"
                + (log.read_text()[-2000:] if log.exists() else "")
            )

    def initdb(self) -> None:
        self._run(
            "initdb",
            "-D",
            str(self.data),
            "-U",
            "postgres",
            "-A",
            "trust",
            "-E",
            "UTF8",
            "--locale=C",
            "--no-sync",
        )

    def start(self) -> None:
        options = (
            f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 "
            "-c fsync=off -c synchronous_commit=off -c full_page_writes=off"
        )
        self._run(
            "pg_ctl",
            "-D",
            str(self.data),
            "-l",
            str(self.folder / "postgres.log"),
            "-o",
            options,
            "-w",
            "-t",
            "30",
            "start",
        )

    def stop(self, mode: str = "fast") -> None:
        self._run("pg_ctl", "-D", str(self.data), "-m", mode, "-w", "-t", "30", "stop")

    def running(self) -> bool:
        return (self.data / "postmaster.pid").exists()


@pytest.fixture
def private_postgres():
    """A private PostgreSQL server, removed afterwards; the machine's server is not touched."""
    bindir = _pg_bindir()
    if bindir is None or not (bindir / "pg_ctl").exists():
        _unavailable("PostgreSQL binaries (initdb, pg_ctl)", "not installed")
    user = None
    if os.geteuid() == 0:  # initdb and postgres refuse to run as root
        try:
            user = pwd.getpwnam("postgres")
        except KeyError:
            _unavailable("PostgreSQL as root", "no `postgres` system user to run it as")
        if shutil.which("runuser") is None:
            _unavailable("PostgreSQL as root", "no runuser to run it as `postgres`")
    # a folder the server's user can reach (pytest's tmp_path is private to root)
    folder = Path(tempfile.mkdtemp(prefix="tetsuzuki-pg-"))
    if user is not None:
        os.chown(folder, user.pw_uid, user.pw_gid)
    server = PostgresProcess(bindir, folder, user.pw_name if user else None)
    try:
        server.initdb()
        server.start()
        yield server
    finally:
        try:
            if server.running():
                server.stop("immediate")
        finally:
            shutil.rmtree(folder, ignore_errors=True)


# --- a tiny file system ---------------------------------------------------------------------


@pytest.fixture
def tiny_disk(tmp_path):
    """A 64 KiB tmpfs mounted for the test (root only), unmounted afterwards."""
    where = tmp_path / "tiny"
    where.mkdir()
    if shutil.which("mount") is None:
        _unavailable("a tmpfs mount", "no mount command")
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=64k,mode=0755", "tmpfs", str(where)],
        capture_output=True,
        text=True,
    )
    if done.returncode != 0:
        _unavailable("a tmpfs mount", (done.stderr or done.stdout).strip() or "not permitted")
    try:
        yield where
    finally:
        for _ in range(50):
            if subprocess.run(["umount", str(where)], capture_output=True).returncode == 0:
                break
            time.sleep(0.1)
        else:
            subprocess.run(["umount", "-l", str(where)], capture_output=True)


def fill(folder: Path) -> Path:
    """Write to `folder` until its file system is full → the filler file."""
    filler = folder / "filler"
    with open(filler, "wb", buffering=0) as fh:
        for size in (4096, 1):  # then byte by byte: nothing may be left that a small file fits in
            try:
                while fh.write(b"\0" * size):
                    pass
            except OSError:
                pass
    return filler


__all__ = ["GOOD", "png"]
