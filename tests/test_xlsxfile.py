"""The Excel writer: numbers as numbers, texts never formulas, unusable characters replaced."""

from __future__ import annotations

import io

from openpyxl import load_workbook

from app.xlsxfile import Sheet, workbook


def test_numbers_texts_and_formulas():
    data = workbook(
        [
            Sheet(
                "部局別",
                ["部局", "件数", "率"],
                [['=HYPERLINK("x")', 1200, 0.5], ["a\x00b", -5, None]],
            ),
            Sheet("a/b:c*" + "x" * 40, ["h"], []),
        ]
    )
    wb = load_workbook(io.BytesIO(data))
    assert wb.sheetnames[0] == "部局別" and len(wb.sheetnames[1]) == 31
    ws = wb["部局別"]
    assert [c.value for c in ws[1]] == ["部局", "件数", "率"]
    assert ws["A2"].value == '\'=HYPERLINK("x")' and ws["A2"].data_type == "s"
    assert ws["B2"].value == 1200 and ws["C2"].value == 0.5
    assert ws["A3"].value == "a\ufffdb" and ws["B3"].value == -5 and ws["C3"].value is None
