"""An admin imports the catalogue's CSV files from the workspace: checked and listed
first, then written, each new row recording the admin; refused files write nothing."""

from __future__ import annotations

import io
import re

from sqlalchemy import select

from app.catalogue.models import Procedure, VolumeRecord
from app.extensions import db
from app.staff.models import AuditEvent
from tests.conftest import WORKED_EXAMPLE

from .conftest import sign_in


def text(r) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", r.get_data(as_text=True)))


def files(**changed):
    data = {**WORKED_EXAMPLE, **changed}
    return {name: (io.BytesIO(content.encode("utf-8")), name) for name, content in data.items()}


CHANGED = {"volumes.csv": WORKED_EXAMPLE["volumes.csv"].replace("A,2023,40000", "A,2023,41000")}


def test_check_lists_the_changes_then_import_records_the_admin(office):
    app, _ = office
    admin = sign_in(app, "admin@example.jp")
    assert "台帳の取込" in admin.get("/staff/").get_data(as_text=True)
    r = admin.post(
        "/staff/catalogue/import",
        data={**files(**CHANGED), "action": "check"},
        content_type="multipart/form-data",
    )
    assert r.status_code == 200
    page = text(r)
    assert "確認しました（まだ何も書き込んでいません）" in page
    assert "volumes.csv:3: A 2023年度 / FY2023: receipts: 40000 → 41000" in page
    assert "catalogue-import-" not in page  # no server path
    with app.app_context():
        assert db.session.scalar(select(VolumeRecord).where(VolumeRecord.receipts == 41000)) is None
    r = admin.post(
        "/staff/catalogue/import",
        data={**files(**CHANGED), "action": "import"},
        content_type="multipart/form-data",
    )
    assert r.status_code == 200 and "取り込みました" in text(r)
    with app.app_context():
        row = db.session.scalar(select(VolumeRecord).where(VolumeRecord.receipts == 41000))
        assert row.recorded_by == "admin@example.jp"
        event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "catalogue.import"))
        assert event.actor == "admin@example.jp" and event.detail["volumes_added"] == 1


def test_a_bad_file_writes_nothing_and_says_where(office):
    app, _ = office
    admin = sign_in(app, "admin@example.jp")
    bad = WORKED_EXAMPLE["procedures.csv"].replace("B,手続B,01,部局01,1", "B,,01,部局01,1")
    r = admin.post(
        "/staff/catalogue/import",
        data={**files(**{"procedures.csv": bad}), "action": "import"},
        content_type="multipart/form-data",
    )
    assert r.status_code == 422
    page = text(r)
    assert "誤りがあるため、何も取り込んでいません" in page and "procedures.csv:3:" in page
    with app.app_context():
        assert db.session.scalar(select(Procedure.name_ja).where(Procedure.code == "B")) == "手続B"


def test_without_procedures_csv_it_asks_for_it(office):
    app, _ = office
    admin = sign_in(app, "admin@example.jp")
    r = admin.post("/staff/catalogue/import", data={"action": "check"})
    assert r.status_code == 422 and "procedures.csv を選んでください" in text(r)
