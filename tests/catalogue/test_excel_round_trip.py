"""A catalogue file opened in Excel and saved as "CSV (コンマ区切り)" (Shift_JIS): the
export warns about the texts that cannot survive it, the import refuses a "?" that
replaced a character, and --dry-run lists what an import would change, field by field."""

from __future__ import annotations

from sqlalchemy import select

from app.catalogue import excel
from app.catalogue.models import Department, Procedure, StatusChange
from app.extensions import db
from tests.conftest import WORKED_EXAMPLE

NAMED = {
    **WORKED_EXAMPLE,
    "procedures.csv": WORKED_EXAMPLE["procedures.csv"]
    .replace("code,name_ja,", "code,name_ja,name_en,")
    .replace("A,手続A,", "A,手続A,Tōkyō Office permit,")
    .replace("B,手続B,", "B,手続B,,")
    .replace("C,手続C,", "C,手続C,,")
    .replace("D,手続D,", "D,手続D,,")
    .replace("部局01", "部局01 Ōita"),
    "status_history.csv": WORKED_EXAMPLE["status_history.csv"].replace(
        "B,online,2023-06-01,", "B,online,2023-06-01,Café 窓口も継続"
    ),
}


def run(app, *args):
    return app.test_cli_runner().invoke(args=["catalogue", *map(str, args)])


def resaved_by_excel(folder, tmp_path):
    """The folder's files as Excel saves them as "CSV (コンマ区切り)": CP932, "?" for
    what CP932 cannot hold, CRLF line ends."""
    out = tmp_path / "resaved"
    out.mkdir()
    for path in folder.iterdir():
        text = path.read_text(encoding="utf-8-sig")
        (out / path.name).write_bytes(text.replace("\n", "\r\n").encode("cp932", errors="replace"))
    return out


def test_the_export_warns_about_each_text_cp932_cannot_hold(app, write_catalogue, tmp_path):
    assert run(app, "import", write_catalogue(NAMED)).exit_code == 0
    result = run(app, "export", tmp_path / "out")
    assert result.exit_code == 0
    warnings = [line for line in result.stderr.splitlines() if "warning" in line]
    assert len(warnings) == 3 + 1  # A's name_en, the department name on A's and B's rows; B's note
    assert any(
        "procedures.csv:2: name_en の 「ō」 は Shift_JIS（CP932）で表せません" in w
        and "「CSV UTF-8（コンマ区切り）」を選んでください" in w
        and "save as 'CSV UTF-8 (Comma delimited)'" in w
        for w in warnings
    )
    assert any("status_history.csv" in w and "「é」" in w for w in warnings)


def test_a_question_mark_that_replaced_a_character_is_refused(app, write_catalogue, tmp_path):
    assert run(app, "import", write_catalogue(NAMED)).exit_code == 0
    assert run(app, "export", tmp_path / "out").exit_code == 0
    resaved = resaved_by_excel(tmp_path / "out", tmp_path)
    assert "T?ky? Office permit" in (resaved / "procedures.csv").read_bytes().decode("cp932")
    result = run(app, "import", resaved)
    assert result.exit_code == 1
    assert (
        "procedures.csv:2: name_en の「?」は、登録済みの「Tōkyō Office permit」のうち"
        " Shift_JIS（CP932）で表せない文字 「ō」(U+014D) が置き換わったものです。" in result.stderr
    )
    assert "department_name" in result.stderr and "Ōita" in result.stderr
    assert "status_history.csv:4: note" in result.stderr and "Café" in result.stderr
    with app.app_context():  # nothing written
        assert db.session.scalar(select(Procedure.name_en).where(Procedure.code == "A")) == (
            "Tōkyō Office permit"
        )
        assert db.session.scalar(select(Department.name_ja).where(Department.code == "01")) == (
            "部局01 Ōita"
        )
        assert (
            db.session.scalar(select(StatusChange.id).where(StatusChange.note.like("%?%"))) is None
        )
    # saved as CSV UTF-8, the same file goes through and changes nothing
    assert "+0 ~0 =4" in run(app, "import", tmp_path / "out").output


def test_a_question_mark_typed_on_purpose_goes_through(app, write_catalogue):
    assert run(app, "import", write_catalogue(NAMED)).exit_code == 0
    changed = write_catalogue(
        {**NAMED, "procedures.csv": NAMED["procedures.csv"].replace("B,手続B,,", "B,手続B?,,")}
    )
    result = run(app, "import", changed)
    assert result.exit_code == 0, result.output


def test_dry_run_lists_every_change_field_by_field(app, write_catalogue):
    assert run(app, "import", write_catalogue(NAMED)).exit_code == 0
    changed = write_catalogue(
        {
            "procedures.csv": NAMED["procedures.csv"].replace(
                "B,手続B,,01,部局01 Ōita,1", "B,手続B（改）,Permit B,02,部局02,0"
            )
            + "E,手続E,,01,部局01 Ōita,1\n",
            "volumes.csv": NAMED["volumes.csv"].replace("A,2023,40000", "A,2023,41000")
            + "E,2024,300\n",
            "status_history.csv": NAMED["status_history.csv"] + "C,online,2024-04-01,\n",
        }
    )
    result = run(app, "import", "--dry-run", changed)
    assert result.exit_code == 0, result.output
    lines = [line.split(".csv:", 1)[1] for line in result.stdout.splitlines() if ".csv:" in line]
    assert lines == [
        "3: B name_ja: '手続B' → '手続B（改）'",
        "3: B name_en: （空） / (empty) → 'Permit B'",
        "3: B department_code: '01' → '02'",
        "3: B priority: True → False",
        "6: E: 新しい手続 / new procedure: '手続E'",
        "3: A 2023年度 / FY2023: receipts: 40000 → 41000",
        "8: E 2024年度 / FY2024: receipts: （空） / (empty) → 300",
        "7: C: 状態を追加 / new status: online 2024-04-01",
    ]
    assert "確認のみ" in result.output
    with app.app_context():  # a dry run writes nothing
        assert db.session.scalar(select(Procedure.name_ja).where(Procedure.code == "B")) == "手続B"
        assert db.session.scalar(select(Procedure).where(Procedure.code == "E")) is None


def test_lost_characters():
    assert excel.lost_characters("T?ky?", "Tōkyō") == ["ō"]
    assert excel.lost_characters("Tokyo", "Tōkyō") == []  # an edit, not a lost character
    assert excel.lost_characters("東京?", "東京?") == []
    assert excel.lost_characters("顔?", "顔😀") == ["😀"]
    assert excel.lost_characters("ab?", "abc") == []  # c fits CP932: a real edit
