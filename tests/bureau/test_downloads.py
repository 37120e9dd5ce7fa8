"""The KPI report PDF of any fiscal year and the figures as .xlsx, from the dashboard."""

from __future__ import annotations

import io
import shutil
import subprocess

import pytest
from openpyxl import load_workbook

from tests.bureau.test_official_figure import shipped  # noqa: F401 - the fixture


def test_figures_xlsx_sheets_headers_numbers(shipped):  # noqa: F811
    c = shipped.test_client()
    r = c.get("/dashboard/figures.xlsx?fy=2021", headers={"Accept-Language": "ja"})
    assert r.status_code == 200
    assert r.headers["Content-Disposition"] == 'attachment; filename="kpi-figures-2021.xlsx"'
    wb = load_workbook(io.BytesIO(r.data))
    assert wb.sheetnames == ["公式の指標", "推移", "部局別", "未対応の手続", "オンライン利用"]
    ws = wb["公式の指標"]
    assert [x.value for x in ws[1]][:7] == [
        "年度",
        "範囲",
        "種類",
        "重み付け",
        "分子（件/年）",
        "分母（件/年）",
        "デジタル化率",
    ]
    row = [x.value for x in ws[2]]
    # FY2021 priority, official basis (latest): 43,136 / 110,551 = 39.0 %
    assert row[:3] == [2021, "重点手続", "公式の指標"]
    assert row[4:6] == [43_136, 110_551] and row[6] == pytest.approx(43_136 / 110_551, abs=1e-12)
    depts = wb["部局別"]
    assert depts["A1"].value == "部局コード" and depts.max_row == 16  # 15 departments
    assert all(isinstance(depts.cell(row=i, column=3).value, float | int) for i in range(2, 17))
    assert c.get("/dashboard/figures.xlsx?fy=20x1").status_code == 400


@pytest.mark.skipif(
    shutil.which("pdftotext") is None, reason="pdftotext (poppler-utils) is not installed"
)
def test_report_pdf_for_any_year(shipped, tmp_path):  # noqa: F811
    r = shipped.test_client().get(
        "/dashboard/report.pdf?fy=2021", headers={"Accept-Language": "ja"}
    )
    assert r.status_code == 200 and r.data.startswith(b"%PDF")
    path = tmp_path / "r.pdf"
    path.write_bytes(r.data)
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True).stdout
    assert "2021年度" in text and "39.0%" in text and "公式の指標" in text
