"""Production refuses a configuration that would fail later, at start-up, with the fix;
development is not stopped; commands that put things right still run."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import click
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID
from flask_migrate import upgrade

from app import startup
from app.catalogue.models import Department, Procedure
from app.documents import signing
from app.extensions import db
from app.staff.models import User

ROOT = Path(__file__).resolve().parent.parent
GOOD_KEY = "k" * 40


def prefecture_key(folder: Path, password: str = "pw") -> Path:
    """A PKCS#12 key like a prefecture's (not marked as the development key), made once."""
    path = folder / "prefecture.p12"
    if path.exists():
        return path
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "三重県"),
            x509.NameAttribute(NameOID.COMMON_NAME, "三重県知事"),
        ]
    )
    now = datetime.now(UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=365))
        .sign(key, hashes.SHA256())
    )
    folder.mkdir(parents=True, exist_ok=True)
    path.write_bytes(
        pkcs12.serialize_key_and_certificates(
            b"prefecture", key, cert, None, serialization.BestAvailableEncryption(password.encode())
        )
    )
    return path


def _env(tmp: Path, **extra) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("FLASK_")}
    for name in ("REDIS_URL", "MAIL_URL", "SECRET_KEY", "BASE_URL", "DATABASE_URL"):
        env.pop(name, None)
    env.update(
        TETSUZUKI_ENV="production",
        SECRET_KEY=GOOD_KEY,
        BASE_URL="https://tetsuzuki.example.jp",
        DATABASE_URL=f"sqlite:///{tmp / 'app.db'}",
        UPLOAD_DIR=str(tmp / "uploads"),
        DOCUMENT_DIR=str(tmp / "documents"),
        RESULT_SIGNING_P12=str(prefecture_key(tmp / "keys")),
        RESULT_SIGNING_PASSWORD="pw",
    )
    env.update(extra)
    return env


def _start(env: dict, cwd: Path) -> subprocess.CompletedProcess:
    """What gunicorn does: import the app and build it, outside any command."""
    return subprocess.run(
        [sys.executable, "-c", "from app import create_app; create_app(); print('serving')"],
        capture_output=True, text=True, env=env, cwd=cwd, timeout=120,
    )  # fmt: skip


def _flask(env: dict, cwd: Path, *args) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "flask", "--app", "app", *args],
        capture_output=True, text=True, env=env, cwd=cwd, timeout=120,
    )  # fmt: skip


@pytest.fixture
def migrated(tmp_path):
    env = _env(tmp_path, PYTHONPATH=str(ROOT))
    done = _flask(env, ROOT, "db", "upgrade")
    assert done.returncode == 0, done.stderr
    return env


def test_a_good_production_configuration_starts(migrated, tmp_path):
    started = _start(migrated, tmp_path)
    assert started.returncode == 0, started.stderr
    assert started.stdout.strip() == "serving"


def test_every_problem_is_named_at_once_and_the_process_exits(tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    env = _env(
        tmp_path,
        PYTHONPATH=str(ROOT),
        SECRET_KEY="short",
        BASE_URL="http://tetsuzuki.example.jp",
        UPLOAD_DIR=str(blocker / "uploads"),  # under a file: cannot be made
    )  # and the database was never migrated
    started = _start(env, tmp_path)
    assert started.returncode == startup.EXIT_STATUS
    assert "serving" not in started.stdout
    err = started.stderr
    assert "refusing to start" in err and "Traceback" not in err
    assert "set SECRET_KEY to at least 32 characters" in err
    assert "set BASE_URL to the public https:// address (now 'http://tetsuzuki.example.jp')" in err
    assert "run `flask --app app db upgrade`" in err
    assert f"UPLOAD_DIR ({blocker / 'uploads'}) is not writable" in err


def test_a_database_that_does_not_answer_stops_the_start(tmp_path):
    env = _env(
        tmp_path, PYTHONPATH=str(ROOT), DATABASE_URL="postgresql+psycopg://nobody@127.0.0.1:1/none"
    )
    started = _start(env, tmp_path)
    assert started.returncode == startup.EXIT_STATUS
    assert "the database does not answer" in started.stderr


def test_a_generated_secret_key_is_for_development_only(tmp_path):
    env = _env(tmp_path, PYTHONPATH=str(ROOT))
    del env["SECRET_KEY"]  # the app would make one in its instance folder
    started = _start(env, tmp_path)
    assert started.returncode == startup.EXIT_STATUS
    assert "set SECRET_KEY" in started.stderr


def test_development_is_not_stopped(tmp_path):
    env = _env(tmp_path, PYTHONPATH=str(ROOT), TETSUZUKI_ENV="development", SECRET_KEY="")
    started = _start(env, tmp_path)
    assert started.returncode == 0, started.stderr


def test_the_worker_checks_before_taking_a_job(tmp_path, redis_server):
    url, prefix = redis_server
    env = _env(tmp_path, PYTHONPATH=str(ROOT), REDIS_URL=url, REDIS_KEY_PREFIX=prefix)
    done = _flask(env, tmp_path, "worker", "--burst")
    assert done.returncode == startup.EXIT_STATUS
    assert "run `flask --app app db upgrade`" in done.stderr


def test_config_check_reports_in_any_environment(make_app, tmp_path):
    app = make_app(BASE_URL="http://127.0.0.1:5000")
    result = app.test_cli_runner().invoke(args=["config", "check"])
    assert result.exit_code == startup.EXIT_STATUS
    assert "set BASE_URL to the public https:// address" in result.output


def test_config_check_passes_a_fit_configuration(make_app, tmp_path):
    app = make_app(
        BASE_URL="https://tetsuzuki.example.jp",
        SECRET_KEY=GOOD_KEY,
        UPLOAD_DIR=str(tmp_path / "u"),
        DOCUMENT_DIR=str(tmp_path / "d"),
        RESULT_SIGNING_P12=str(prefecture_key(tmp_path)),
        RESULT_SIGNING_PASSWORD="pw",
    )
    with app.app_context():
        upgrade()
    result = app.test_cli_runner().invoke(args=["config", "check"])
    assert result.exit_code == 0, result.output
    assert "fit to serve" in result.output


def test_result_documents_need_the_prefectures_key(make_app, tmp_path):
    """Unset, unreadable, a wrong password or the development key: each named."""
    dev = tmp_path / "dev.p12"
    signing.make_development_key(dev, "dev", "Tetsuzuki development signature")
    cases = {
        None: "set RESULT_SIGNING_P12 to the PKCS#12 key",
        str(tmp_path / "missing.p12"): "cannot be read",
        str(prefecture_key(tmp_path, "right")): "cannot be read",  # with the password "pw"
        str(dev): "is the development key",
    }
    for path, said in cases.items():
        app = make_app(
            RESULT_SIGNING_P12=path, RESULT_SIGNING_PASSWORD="dev" if path == str(dev) else "pw"
        )
        found = " ".join(startup.problems(app))
        assert said in found, (path, found)


def test_demo_refuses_production(make_app):
    with click.Context(click.Command("demo")):  # built by a command, as `flask demo` does
        app = make_app(ENVIRONMENT="production")
    with app.app_context():
        db.create_all()
    result = app.test_cli_runner().invoke(args=["demo"])
    assert result.exit_code == 2
    assert "refused with TETSUZUKI_ENV=production" in result.output
    with app.app_context():
        assert db.session.query(User).count() == 0  # no demo account was made


def test_forms_check_needs_no_migrated_database(make_app):
    app = make_app()  # an empty database: no tables at all
    result = app.test_cli_runner().invoke(args=["forms", "check"])
    assert result.exit_code == 0, result.output
    assert "procedure codes not checked" in result.output
    assert "no problems: 6 form(s)" in result.output


def test_forms_check_still_checks_codes_when_it_can(make_app, tmp_path):
    app = make_app()
    with app.app_context():
        db.create_all()
        department = Department(code="01", name_ja="部局")
        db.session.add(department)
        db.session.flush()
        db.session.add(Procedure(code="X-1", name_ja="別の手続", department_id=department.id))
        db.session.commit()
    form = ROOT / "forms" / "hunting-licence-renewal.yaml"  # procedure P-0034
    result = app.test_cli_runner().invoke(args=["forms", "check", str(form)])
    assert result.exit_code == 1
    assert "P-0034" in result.output
    assert "procedure codes not checked" not in result.output
