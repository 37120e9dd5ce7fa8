"""Deadlines and laggards on kpi.md's worked example, every figure computed by hand
(docs/kpi.md, "Deadlines and laggards")."""

from __future__ import annotations

from datetime import date

from app.kpi import Basis
from app.kpi.standings import department_standings, expected_rate, procedure_standings
from tests.kpi.test_worked_example import ALL

TODAY = date(2026, 11, 29)
TARGETS = {"priority": 2024, "all": 2026}


def test_fy2025_the_overdue_department_comes_first():
    d02, d01 = department_standings(ALL, 2025, TARGETS, 2021, Basis(), TODAY)
    assert (d02.code, d01.code) == ("02", "01")
    # 02: C partial, 25,000 (FY2023 volume), D excluded → 0 / 25,000 in both scopes
    pr, al = d02.scopes["priority"], d02.scopes["all"]
    assert (pr.rate.numerator, pr.rate.denominator) == (0, 25_000)
    assert pr.overdue  # FY2024 ended on 2025-03-31, before FY2025's figures
    assert pr.gap_points == 100.0  # the line is at 100 % once the target year is reached
    assert not al.overdue  # FY2026 has not ended
    # all: 0 % in FY2021, so the line is at (2025 − 2021) / (2026 − 2021) = 80 %
    assert al.gap_points == 80.0
    assert (d02.overdue, d02.distance, d02.left) == (1, 100.0, 1)
    # 01: A 40,000 and B 30,000 online → 100 %
    assert d01.scopes["priority"].rate.rate == 1.0 and not d01.scopes["priority"].overdue
    assert (d01.overdue, d01.distance, d01.left) == (0, 0.0, 0)
    # trend: FY2021 50,000 / 80,000 = 62.5 %, FY2022 the same, then 100 %
    assert d01.scopes["priority"].trend == (
        (2021, 0.625),
        (2022, 0.625),
        (2023, 1.0),
        (2024, 1.0),
        (2025, 1.0),
    )


def test_fy2023_distance_from_the_straight_line():
    d02, d01 = department_standings(ALL, 2023, TARGETS, 2021, Basis(), TODAY)
    # 02 priority: 0 % in FY2021, the line reaches 2/3 in FY2023 → 66.7 points below
    assert d02.scopes["priority"].gap_points == 66.7
    assert not d02.scopes["priority"].overdue
    # 01: 62.5 % + 37.5 % × 2/3 = 87.5 % expected, 100 % reached → no gap
    assert expected_rate(2021, 0.625, 2024, 2023) == 0.875
    assert d01.distance == 0.0


def test_procedures_of_a_department():
    (c,) = procedure_standings(
        [p for p in ALL if p.department_code == "02"], 2025, TARGETS, Basis(), TODAY
    )
    assert (c.code, c.status, c.weight, c.target_year, c.overdue) == (
        "C",
        "partial",
        25_000,
        2024,
        True,
    )
    a, b = procedure_standings(
        [p for p in ALL if p.department_code == "01"], 2025, TARGETS, Basis(), TODAY
    )
    assert (a.code, a.weight, a.digitized_year, a.overdue) == ("A", 40_000, 2021, False)
    assert (b.code, b.weight, b.digitized_year) == ("B", 30_000, 2023)
