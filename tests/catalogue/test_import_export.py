"""`flask catalogue import|export` as a department's spreadsheet would meet it."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pytest
from sqlalchemy import func, select

from app.catalogue import services
from app.catalogue.models import (
    AppendOnlyError,
    Department,
    Procedure,
    StatusChange,
    VolumeRecord,
)
from app.extensions import db
from tests.conftest import HOSTILE_TEXTS, ROOT, WORKED_EXAMPLE, record_hostile_catalogue

SHIPPED = ROOT / "procedures"


def counts():
    return tuple(
        db.session.scalar(select(func.count()).select_from(m))
        for m in (Procedure, VolumeRecord, StatusChange)
    )


def run(app, *args):
    return app.test_cli_runner().invoke(args=["catalogue", *map(str, args)])


def test_import_worked_example_then_reimport_changes_nothing(backend_app, worked_example):
    result = run(backend_app, "import", worked_example)
    assert result.exit_code == 0, result.output
    assert "procedures +4" in result.output
    with backend_app.app_context():
        assert counts() == (4, 6, 5)
    again = run(backend_app, "import", worked_example)
    assert again.exit_code == 0
    assert "procedures +0 ~0 =4" in again.output
    assert "volumes +0 =6" in again.output and "statuses +0 =5" in again.output
    with backend_app.app_context():
        assert counts() == (4, 6, 5)


def test_export_import_export_is_byte_identical(backend_app, tmp_path):
    assert run(backend_app, "import", SHIPPED).exit_code == 0
    first, second = tmp_path / "first", tmp_path / "second"
    assert run(backend_app, "export", first).exit_code == 0
    with backend_app.app_context():
        before = counts()
    assert run(backend_app, "import", first).exit_code == 0
    with backend_app.app_context():
        assert counts() == before  # nothing new recorded
    assert run(backend_app, "export", second).exit_code == 0
    for name in ("procedures.csv", "volumes.csv", "status_history.csv"):
        assert (first / name).read_bytes() == (second / name).read_bytes(), name
        assert (first / name).read_bytes().startswith(b"\xef\xbb\xbf")  # BOM, for Excel


def test_the_shipped_catalogue_exports_as_shipped(app, tmp_path):
    assert run(app, "import", SHIPPED).exit_code == 0
    assert run(app, "export", tmp_path / "out").exit_code == 0
    for name in ("procedures.csv", "volumes.csv", "status_history.csv"):
        assert (tmp_path / "out" / name).read_bytes() == (SHIPPED / name).read_bytes()


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp932"])
def test_encodings_as_excel_saves_them(app, write_catalogue, encoding):
    folder = write_catalogue(WORKED_EXAMPLE, encoding=encoding)
    result = run(app, "import", folder)
    assert result.exit_code == 0, result.output
    with app.app_context():
        names = db.session.scalars(select(Procedure.name_ja).order_by(Procedure.code)).all()
        assert names == ["手続A", "手続B", "手続C", "手続D"]
        reason = db.session.scalar(
            select(StatusChange.note).where(StatusChange.status == "excluded")
        )
        assert reason == "対面での審査が法令で必要"


def test_every_bad_row_is_reported_with_file_and_line_and_nothing_is_written(app, write_catalogue):
    folder = write_catalogue(
        {
            "procedures.csv": (
                "code,name_ja,department_code,department_name,priority,features\n"
                "P-1,良い手続,01,部局01,1,online_application\n"
                "P-2,,01,,maybe,\n"  # line 3: empty name, bad priority
                "P-1,重複,02,,0,fax\n"  # line 4: duplicate, new dept w/o name, bad feature
            ),
            "volumes.csv": "code,fiscal_year,receipts\nP-1,2021,-5\nP-9,R99,10\n",
            "status_history.csv": "code,status,effective_date\nP-1,digital,2021-13-01\nP-1,excluded,2022-04-01\n",
        }
    )
    result = run(app, "import", folder)
    assert result.exit_code == 1
    out = result.output
    p, v, s = (str(folder / n) for n in ("procedures.csv", "volumes.csv", "status_history.csv"))
    expected = [
        f"{p}:3: name_ja が空です",
        f"{p}:3: priority の値 'maybe'",
        f"{p}:4: code P-1 は 2 行目と重複",
        f"{p}:4: 部局 02 は初出のため department_name が必要です",
        f"{p}:4: features に不明な値があります: fax",
        f"{v}:2: 受付件数は0から100,000,000までの整数で入力してください",
        f"{v}:3: 手続 P-9 が procedures.csv にもデータベースにもありません",
        f"{v}:3: 年度は1990から2100までの西暦で入力してください",
        f"{s}:2: 状態は paper、planned、partial、online、end_to_end、excluded のいずれかです",
        f"{s}:2: 適用日は1990-01-01から",
        f"{s}:3: 対象外（excluded）には理由が必要です",
    ]
    for line in expected:
        assert line in out, line
    assert "何も書き込みませんでした" in out and "nothing was written" in out
    with app.app_context():
        assert counts() == (0, 0, 0)


def test_a_bad_row_after_good_ones_leaves_an_existing_catalogue_untouched(
    app, worked_example, write_catalogue
):
    assert run(app, "import", worked_example).exit_code == 0
    with app.app_context():
        before = counts()
    folder = write_catalogue(
        {
            "procedures.csv": "code,name_ja,department_code,priority\nA,改名された手続A,01,1\nE,新しい手続,01,1\n",
            "volumes.csv": "code,fiscal_year,receipts\nA,2024,1\nE,2024,x\n",
        }
    )
    assert run(app, "import", folder).exit_code == 1
    with app.app_context():
        assert counts() == before
        assert db.session.scalar(select(Procedure.name_ja).where(Procedure.code == "A")) == "手続A"


def test_dry_run_checks_and_counts_but_writes_nothing(app, worked_example):
    result = run(app, "import", "--dry-run", worked_example)
    assert result.exit_code == 0
    assert "dry run" in result.output and "procedures +4" in result.output
    with app.app_context():
        assert counts() == (0, 0, 0)


def test_unknown_columns_are_a_warning_not_an_error(app, write_catalogue):
    files = dict(WORKED_EXAMPLE)
    files["procedures.csv"] = files["procedures.csv"].replace("priority\n", "priority,memo\n", 1)
    result = run(app, "import", write_catalogue(files))
    assert result.exit_code == 0
    assert "不明な列は無視します: memo" in result.output


def test_missing_required_column_is_reported_on_line_1(app, write_catalogue):
    folder = write_catalogue({"procedures.csv": "code,name_ja\nA,手続\n"})
    result = run(app, "import", folder)
    assert result.exit_code == 1
    assert (
        f"{folder / 'procedures.csv'}:1: 必須の列がありません: department_code, priority"
        in result.output
    )


def test_undecodable_file_is_reported(app, write_catalogue):
    folder = write_catalogue({"procedures.csv": b"code,name_ja\n\xff\xfe\xfa\n"})
    result = run(app, "import", folder)
    assert result.exit_code == 1
    assert "文字コードを判別できません" in result.output


def test_priority_spellings(app, write_catalogue):
    folder = write_catalogue(
        {
            "procedures.csv": (
                "code,name_ja,department_code,department_name,priority\n"
                "A,a,01,d,YES\nB,b,01,,○\nC,c,01,,\nD,d,01,,False\nE,e,01,,1\n"
            )
        }
    )
    assert run(app, "import", folder).exit_code == 0
    with app.app_context():
        got = dict(db.session.execute(select(Procedure.code, Procedure.priority)).all())
    assert got == {"A": True, "B": True, "C": False, "D": False, "E": True}


def test_changed_volume_is_appended_and_becomes_current(
    app, worked_example, write_catalogue, tmp_path
):
    assert run(app, "import", worked_example).exit_code == 0
    files = dict(WORKED_EXAMPLE)
    files["volumes.csv"] = files["volumes.csv"].replace("A,2023,40000", "A,2023,41000")
    assert run(app, "import", write_catalogue(files)).exit_code == 0
    with app.app_context():
        rows = db.session.scalars(
            select(VolumeRecord.receipts)
            .join(Procedure)
            .where(Procedure.code == "A", VolumeRecord.fiscal_year == 2023)
            .order_by(VolumeRecord.id)
        ).all()
        assert rows == [40000, 41000]  # the old figure is kept, the new one counts
    assert run(app, "export", tmp_path / "out").exit_code == 0
    assert "A,2023,41000," in (tmp_path / "out" / "volumes.csv").read_text("utf-8-sig")


def test_history_rows_cannot_be_edited_or_deleted(ctx, worked_example):
    services.import_catalogue(Path(worked_example))
    row = db.session.scalars(select(StatusChange)).first()
    row.status = "online"
    with pytest.raises(AppendOnlyError):
        db.session.flush()
    db.session.rollback()
    db.session.delete(db.session.scalars(select(VolumeRecord)).first())
    with pytest.raises(AppendOnlyError):
        db.session.flush()
    db.session.rollback()


def test_formulas_in_names_and_notes_are_marked_and_come_back_byte_identical(backend_app, tmp_path):
    """A name or note a spreadsheet would run is exported with a leading ', and the import
    takes exactly that ' back off: export → import → export is byte-identical."""
    with backend_app.app_context():
        record_hostile_catalogue(tmp_path / "sent")
        names = dict(db.session.execute(select(Procedure.code, Procedure.name_ja)).all())
        depts = dict(db.session.execute(select(Department.code, Department.name_ja)).all())
        notes = db.session.scalars(select(StatusChange.note)).all()
        assert [names[f"H{i:02d}"] for i in range(len(HOSTILE_TEXTS))] == list(HOSTILE_TEXTS)
        assert [depts[f"H{i:02d}"] for i in range(len(HOSTILE_TEXTS))] == list(HOSTILE_TEXTS)
        assert {t.strip() for t in HOSTILE_TEXTS} <= set(notes)  # notes are trimmed (rules.py)
        before = counts()
    first, second = tmp_path / "first", tmp_path / "second"
    assert run(backend_app, "export", first).exit_code == 0
    for name in ("procedures.csv", "volumes.csv", "status_history.csv"):
        text = (first / name).read_bytes().decode("utf-8-sig")
        for row in csv.reader(io.StringIO(text, newline="")):
            for cell in row:
                assert not cell or cell[0] not in "=+-@\t\r" or re.fullmatch(r"-\d+", cell), cell
    exported = (first / "procedures.csv").read_bytes().decode("utf-8-sig")
    assert "H00,'=1+2,'=1+2,H00,'=1+2," in exported
    assert "H11,'''=x,'''=x" not in exported and "H11,''=x,''=x,H11,''=x," in exported
    assert "H12,','," in exported  # a lone ' is no mark: written as it is
    assert '"\'\r=1+2"' in exported  # quoted, so the CR does not end the row

    result = run(backend_app, "import", first)
    assert result.exit_code == 0, result.output
    assert (
        "~0" in result.output and "statuses +0" in result.output and "volumes +0" in result.output
    )
    with backend_app.app_context():
        assert counts() == before  # nothing new recorded
    assert run(backend_app, "export", second).exit_code == 0
    for name in ("procedures.csv", "volumes.csv", "status_history.csv"):
        assert (first / name).read_bytes() == (second / name).read_bytes(), name


@pytest.mark.parametrize(
    ("cell", "stored"),
    [
        ("'=1+2", "=1+2"),  # as our export, or Excel saving what it opened, writes it
        ("''=x", "'=x"),
        ("'''", "''"),
        ("'\t休止", "\t休止"),  # the mark keeps the tab that stripping would lose
        ('"\'=1+2 "', "=1+2 "),  # a marked cell is taken as it is, spaces too
        ("'", "'"),  # not a mark
        ("'abc", "'abc"),
        ("  =1+2 ", "=1+2"),  # unmarked: stripped as before, and stored as the text it is
        ("-休止", "-休止"),
    ],
)
def test_the_import_takes_off_only_the_writers_mark(app, write_catalogue, cell, stored):
    folder = write_catalogue(
        {
            "procedures.csv": f"code,name_ja,department_code,department_name,priority\nA,{cell},01,部局,1\n"
        }
    )
    result = run(app, "import", folder)
    assert result.exit_code == 0, result.output
    with app.app_context():
        assert db.session.scalar(select(Procedure.name_ja)) == stored


def test_a_character_that_cannot_be_stored_is_reported_and_nothing_written(
    backend_app, write_catalogue
):
    """PostgreSQL cannot hold a NUL: the import says where it is instead of failing."""
    folder = write_catalogue(
        {
            "procedures.csv": "code,name_ja,department_code,department_name,priority\n"
            "A,手続\x00A,01,部局,1\nB,手続B,01,部局,1\n",
            "status_history.csv": "code,status,effective_date,note\nB,paper,2021-04-01,\x00=1\n",
        }
    )
    result = run(backend_app, "import", folder)
    assert result.exit_code == 1 and isinstance(result.exception, SystemExit), result.output
    assert "procedures.csv:2: name_ja に使えない文字（U+0000）が含まれています" in result.output
    assert "status_history.csv:2: note に使えない文字（U+0000）" in result.output
    assert "name_ja contains a character that cannot be stored (U+0000)" in result.output
    with backend_app.app_context():
        assert counts() == (0, 0, 0)


def test_a_jump_in_the_file_needs_a_note_which_is_kept_and_exported(
    app, worked_example, write_catalogue, tmp_path
):
    assert run(app, "import", worked_example).exit_code == 0
    files = dict(WORKED_EXAMPLE)
    files["volumes.csv"] = "code,fiscal_year,receipts,note\nA,2024,400001,\n"
    result = run(app, "import", write_catalogue(files))
    assert result.exit_code == 1
    assert (
        "volumes.csv:2: 2024年度の受付件数 400,001 は 2023年度（40,000）の10倍を超えています"
        in result.output
    )
    files["volumes.csv"] = (
        "code,fiscal_year,receipts,note\nA,2024,400001,県外からの申請を受付開始\n"
    )
    assert run(app, "import", write_catalogue(files)).exit_code == 0
    assert run(app, "export", tmp_path / "out").exit_code == 0
    exported = (tmp_path / "out" / "volumes.csv").read_text("utf-8-sig")
    assert exported.startswith("code,fiscal_year,receipts,online_receipts,note\n")
    assert "A,2024,400001,,県外からの申請を受付開始\n" in exported
    # the export imports as no change: the jump is recorded already, nothing is checked again
    again = run(app, "import", tmp_path / "out")
    assert again.exit_code == 0 and "volumes +0 =7" in again.output
    files["volumes.csv"] = "code,fiscal_year,receipts\nA,2024,400001\n"  # an older file
    again = run(app, "import", write_catalogue(files))
    assert again.exit_code == 0 and "volumes +0 =1" in again.output


def test_an_import_records_the_person_who_ran_it(app, worked_example, write_catalogue):
    import getpass

    from tests.conftest import WORKED_EXAMPLE

    result = run(app, "import", worked_example, "--by", " 鈴木一郎（総務部） ")
    assert result.exit_code == 0, result.output
    with app.app_context():
        assert set(db.session.scalars(select(StatusChange.recorded_by))) == {"鈴木一郎（総務部）"}
        assert set(db.session.scalars(select(VolumeRecord.recorded_by))) == {"鈴木一郎（総務部）"}
    # a volume changed in the next file, imported without --by: the login name
    changed = write_catalogue(
        {
            **WORKED_EXAMPLE,
            "volumes.csv": WORKED_EXAMPLE["volumes.csv"].replace("A,2023,40000", "A,2023,41000"),
        }
    )
    assert run(app, "import", changed).exit_code == 0
    with app.app_context():
        newest = db.session.scalar(select(VolumeRecord).order_by(VolumeRecord.id.desc()))
    assert (newest.receipts, newest.recorded_by) == (41000, getpass.getuser())
    for bad in ("  ", "x" * 201):
        result = run(app, "import", worked_example, "--by", bad)
        assert result.exit_code == 2 and "--by には1〜200文字の名前" in result.output
