"""A department sends its catalogue files in the browser: it sees what would change and
every bad row by file and line before anything is written, then applies; it downloads
its own files."""

from __future__ import annotations

import io
import re

from openpyxl import load_workbook
from sqlalchemy import select

from app.catalogue.models import Procedure, StatusChange
from app.extensions import db

from .conftest import sign_in


def text(r) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", r.get_data(as_text=True)))


def upload(client, **files: str):
    data = {
        name.replace("_csv", ".csv"): (io.BytesIO(content.encode("utf-8-sig")), name.replace("_csv", ".csv"))
        for name, content in files.items()
    }
    return client.post("/staff/catalogue/check", data=data, content_type="multipart/form-data")


def token(r) -> str:
    return re.search(r'name="token" value="([0-9a-f]+)"', r.get_data(as_text=True)).group(1)


GOOD = (
    "code,name_ja,department_code,priority,summary\n"
    "A,手続A,01,1,手続Aの説明\n"
    "E,新しい手続E,01,0,\n"
)


def test_a_bad_row_is_named_then_the_fixed_file_is_previewed_and_applied(office):
    app, _ = office
    client = sign_in(app, "d01@example.jp")
    bad = GOOD + "F,,01,maybe,\n"
    r = upload(client, procedures_csv=bad)
    assert r.status_code == 422
    page = text(r)
    assert "procedures.csv:4: name_ja が空です" in page and "procedures.csv:4: priority の値" in page
    assert "この内容で取り込む" not in page
    r = upload(client, procedures_csv=GOOD)
    assert r.status_code == 200
    page = text(r)
    assert "まだ取り込んでいません" in page
    assert re.search(r"手続 1 1 0", page)  # E added, A changed (its summary), none unchanged
    with app.app_context():
        assert db.session.scalar(select(Procedure).where(Procedure.code == "E")) is None
    done = client.post("/staff/catalogue/apply", data={"token": token(r)})
    assert done.status_code == 302
    with app.app_context():
        assert db.session.scalar(select(Procedure.summary).where(Procedure.code == "A")) == "手続Aの説明"
        assert db.session.scalar(select(Procedure).where(Procedure.code == "E")) is not None
    again = client.post("/staff/catalogue/apply", data={"token": token(r)})
    assert "もう一度アップロードしてください" in text(client.get(again.headers["Location"]))


def test_a_department_sends_only_its_own_rows(office):
    app, _ = office
    client = sign_in(app, "d01@example.jp")
    r = upload(
        client,
        procedures_csv="code,name_ja,department_code,priority\nC,手続C,02,1\n",
        status_history_csv="code,status,effective_date\nD,online,2026-04-01\n",
    )
    assert r.status_code == 422
    page = text(r)
    assert "procedures.csv:2: 部局 02 の手続は取り込めません" in page
    assert "status_history.csv:2: 手続 D は自分の部局（01）の手続ではありません" in page
    r = upload(client, status_history_csv="code,status,effective_date,note\nA,end_to_end,2026-04-01,一括\n")
    assert r.status_code == 200, text(r)
    assert client.post("/staff/catalogue/apply", data={"token": token(r)}).status_code == 302
    with app.app_context():
        assert db.session.scalar(select(StatusChange.note).order_by(StatusChange.id.desc())) == "一括"


def test_downloads_hold_only_the_own_department_and_are_neutralised(office):
    app, _ = office
    with app.app_context():
        db.session.scalar(select(Procedure).where(Procedure.code == "A")).summary = "=HYPERLINK(\"x\")"
        db.session.commit()
    client = sign_in(app, "d01@example.jp")
    r = client.get("/staff/catalogue/procedures.csv")
    body = r.data.decode("utf-8-sig")
    assert r.status_code == 200 and "attachment" in r.headers["Content-Disposition"]
    codes = [line.split(",")[0] for line in body.splitlines()[1:]]
    assert codes == ["A", "B"]
    assert "'=HYPERLINK" in body and "\r\n" in body
    book = load_workbook(io.BytesIO(client.get("/staff/catalogue/catalogue.xlsx").data))
    assert book.sheetnames == ["procedures", "volumes", "status_history"]
    rows = list(book["procedures"].iter_rows(values_only=True))
    assert [r[0] for r in rows[1:]] == ["A", "B"]
    summary = rows[1][rows[0].index("summary")]
    assert summary == "'=HYPERLINK(\"x\")"
    volumes = list(book["volumes"].iter_rows(values_only=True))
    assert isinstance(volumes[1][2], int)  # numbers stay numbers
    bureau = sign_in(app, "bureau@example.jp")
    all_codes = bureau.get("/staff/catalogue/procedures.csv").data.decode("utf-8-sig")
    assert [line.split(",")[0] for line in all_codes.splitlines()[1:]] == ["A", "B", "C", "D"]
