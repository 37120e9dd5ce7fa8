"""Departments' English names: an optional column of procedures.csv (`department_name_en`),
kept, exported and shown on English pages and files; one name per department."""

from __future__ import annotations

import csv

from sqlalchemy import select

from app.catalogue.models import Department
from app.catalogue.services import export_catalogue, import_catalogue
from app.extensions import db

HEADER = "code,name_ja,department_code,department_name,department_name_en,priority\n"


def test_the_english_name_is_kept_exported_and_changed(app, write_catalogue, tmp_path):
    first = write_catalogue(
        {"procedures.csv": HEADER + "A,手続A,01,部局01,Bureau One,1\nB,手続B,01,部局01,,0\n"}
    )
    renamed = write_catalogue({"procedures.csv": HEADER + "A,手続A,01,,Department One,1\n"})
    with app.app_context():
        assert import_catalogue(first).ok
        assert db.session.scalar(select(Department.name_en)) == "Bureau One"
        export_catalogue(tmp_path / "out")
        report = import_catalogue(renamed)
        assert report.ok and report.counts["departments_updated"] == 1
        dept = db.session.scalar(select(Department))
        assert (dept.name_ja, dept.name_en) == ("部局01", "Department One")
    with open(tmp_path / "out" / "procedures.csv", encoding="utf-8-sig", newline="") as f:
        rows = list(csv.DictReader(f))
    assert [r["department_name_en"] for r in rows] == ["Bureau One", "Bureau One"]


def test_two_english_names_for_one_department_are_refused(app, write_catalogue):
    folder = write_catalogue(
        {"procedures.csv": HEADER + "A,手続A,01,部局01,One,1\nB,手続B,01,部局01,Uno,0\n"}
    )
    with app.app_context():
        report = import_catalogue(folder)
    assert not report.ok
    assert any("英語名" in str(p) and "line 2" in str(p) for p in report.problems), report.problems


def test_an_english_name_longer_than_200_characters_is_refused(app, write_catalogue):
    folder = write_catalogue({"procedures.csv": HEADER + f"A,手続A,01,部局01,{'x' * 201},1\n"})
    with app.app_context():
        report = import_catalogue(folder)
    assert any("department_name_en" in str(p) for p in report.problems), report.problems
