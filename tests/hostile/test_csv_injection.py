"""Every CSV the project writes, after staff recorded names and notes a spreadsheet would run.

The routes are found in the URL map (any rule ending in .csv), so a new CSV download
that is not in the table below fails the first test; each is fetched in Japanese and
English with its parameters, and the catalogue export is read too. No text cell may
begin with = + - @ TAB or CR (only a number such as -5 may begin with -), and no NUL
may appear; every hostile text must come back from some file once its mark is off.
"""

from __future__ import annotations

import csv
import io
import re
from datetime import date

import pytest
from sqlalchemy import select, update

from app import csvfile
from app.catalogue.models import Department, Procedure, StatusChange
from app.extensions import db
from app.opendata.services import DATASETS
from app.staff import services as staff
from tests.conftest import HOSTILE_TEXTS, record_hostile_catalogue

TRIGGERS = frozenset("=+-@\t\r")
NUMBER = re.compile(r"-?\d+(\.\d+)?([eE][-+]?\d+)?")

# rule → the values of its arguments and query parameters to fetch it with
CSV_ROUTES = {
    "/opendata/<name>.csv": [{"name": name} for name in DATASETS],
    "/dashboard/departments.csv": [
        {},
        {"scope": "all"},
        {"fy": 2023, "scope": "priority"},
        {"fy": 2023, "scope": "all", "basis": "fixed:2023"},
        {"fy": 2022, "basis": "latest"},
    ],
    # the staff catalogue downloads (an administrator's: every department)
    "/staff/catalogue/<any(procedures, volumes, status_history):name>.csv": [
        {"name": name} for name in ("procedures", "volumes", "status_history")
    ],
}
ADMIN = ("csv-admin@example.jp", "correct horse battery")
NUL_NOTE = "\x00=1+2"


def csv_rules(app):
    return [rule for rule in app.url_map.iter_rules() if rule.rule.endswith(".csv")]


def rows_of(data: bytes) -> list[list[str]]:
    assert data.startswith(b"\xef\xbb\xbf"), "UTF-8 with a BOM, as Excel expects"
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def check(where: str, data: bytes) -> list[str]:
    """Assert the file is safe to open; → its cells with the writer's mark taken off."""
    assert b"\x00" not in data, where
    rows = rows_of(data)
    assert len(rows) > 1, f"{where}: no data rows"
    cells = []
    for row in rows:
        for cell in row:
            assert not cell or cell[0] not in TRIGGERS or NUMBER.fullmatch(cell), (where, cell)
            cells.append(csvfile.restore(cell))
    return cells


@pytest.fixture
def hostile(backend_app, tmp_path):
    """The app after staff recorded HOSTILE_TEXTS as names and notes.

    On SQLite also a note holding a NUL, as a row recorded before the ways in refused it
    would: PostgreSQL cannot hold a NUL at all."""
    with backend_app.app_context():
        record_hostile_catalogue(tmp_path / "sent")
        # no way in records a department's English name yet: set it as a database edit would
        db.session.execute(update(Department).values(name_en=Department.name_ja))
        if db.engine.dialect.name == "sqlite":
            proc = db.session.scalar(select(Procedure).filter_by(code="H00"))
            db.session.add(
                StatusChange(
                    procedure_id=proc.id,
                    status="paper",
                    effective_date=date(2020, 4, 1),
                    note=NUL_NOTE,
                    recorded_by="legacy",
                )
            )
        db.session.commit()
    return backend_app


def test_every_csv_route_is_in_the_table(app):
    found = {rule.rule for rule in csv_rules(app)}
    assert found == set(CSV_ROUTES), "a new CSV route: add it to CSV_ROUTES"


def test_no_csv_the_project_writes_holds_a_cell_a_spreadsheet_would_run(hostile, tmp_path):
    client = hostile.test_client()
    with hostile.app_context():
        staff.create_user(*ADMIN, "admin")
        db.session.commit()
    signed_in = hostile.test_client()
    r = signed_in.post("/staff/login", data={"email": ADMIN[0], "password": ADMIN[1]})
    assert r.status_code == 302
    seen: set[str] = set()
    fetched = 0
    for rule in csv_rules(hostile):
        for values in CSV_ROUTES[rule.rule]:
            for lang in ("ja", "en"):
                path_values = {k: v for k, v in values.items() if k in rule.arguments}
                query = {k: v for k, v in values.items() if k not in rule.arguments}
                _, url = rule.build({**(rule.defaults or {}), **path_values, **query, "lang": lang})
                r = (signed_in if rule.rule.startswith("/staff/") else client).get(url)
                assert r.status_code == 200 and r.mimetype == "text/csv", url
                seen.update(check(url, r.data))
                fetched += 1
    assert fetched == 2 * sum(len(v) for v in CSV_ROUTES.values())

    result = hostile.test_cli_runner().invoke(args=["catalogue", "export", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    for name in ("procedures.csv", "volumes.csv", "status_history.csv"):
        seen.update(check(name, (tmp_path / "out" / name).read_bytes()))

    assert set(HOSTILE_TEXTS) <= seen  # the hostile texts were there, with only the mark added
    with hostile.app_context():
        if db.engine.dialect.name == "sqlite":
            assert "\ufffd=1+2" in seen  # written, with U+FFFD in place of the NUL
