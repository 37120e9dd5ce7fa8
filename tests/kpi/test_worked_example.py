"""kpi.md's worked example, figure by figure, through the pure arithmetic."""

from __future__ import annotations

from datetime import date

import pytest

from app.kpi import Basis, ProcedureFacts, compute, parse_scope, status_on, to_json, weight

TODAY = date(2026, 11, 29)

A = ProcedureFacts(
    "A",
    "手続A",
    "01",
    "部局01",
    True,
    {2021: 50_000, 2023: 40_000},
    ((date(2021, 10, 1), "online"),),
)
B = ProcedureFacts(
    "B",
    "手続B",
    "01",
    "部局01",
    True,
    {2021: 30_000},
    ((date(2020, 4, 1), "paper"), (date(2023, 6, 1), "online")),
)
C = ProcedureFacts(
    "C",
    "手続C",
    "02",
    "部局02",
    True,
    {2021: 20_000, 2023: 25_000},
    ((date(2020, 4, 1), "partial"),),
)
D = ProcedureFacts(
    "D", "手続D", "02", "部局02", False, {2021: 1_000}, ((date(2021, 4, 1), "excluded"),)
)
ALL = [A, B, C, D]
PRIORITY = parse_scope("priority")


def test_fy2021_latest():
    f = compute(ALL, 2021, PRIORITY, Basis(), TODAY)
    assert [weight(p.volumes, 2021) for p in (A, B, C)] == [50_000, 30_000, 20_000]
    assert (f.weighted.numerator, f.weighted.denominator) == (50_000, 100_000)
    assert f"{f.weighted.rate * 100:.1f}" == "50.0"
    assert (f.count.numerator, f.count.denominator) == (1, 3)
    assert f.as_of == date(2022, 3, 31)


def test_fy2023_latest():
    f = compute(ALL, 2023, PRIORITY, Basis(), TODAY)
    assert [weight(p.volumes, 2023) for p in (A, B, C)] == [40_000, 30_000, 25_000]
    assert (f.weighted.numerator, f.weighted.denominator) == (70_000, 95_000)
    assert f"{f.weighted.rate * 100:.1f}" == "73.7"
    assert (f.count.numerator, f.count.denominator) == (2, 3)


def test_fy2023_fixed_2021():
    f = compute(ALL, 2023, PRIORITY, Basis(2021), TODAY)
    assert (f.weighted.numerator, f.weighted.denominator) == (80_000, 100_000)
    assert f"{f.weighted.rate * 100:.1f}" == "80.0"


def test_fy2020_takes_earliest_volume_and_status_as_of_2021_03_31():
    day = date(2021, 3, 31)
    assert [status_on(p.history, day) for p in ALL] == ["paper", "paper", "partial", "paper"]
    assert [weight(p.volumes, 2020) for p in ALL] == [50_000, 30_000, 20_000, 1_000]
    f = compute(ALL, 2020, parse_scope("all"), Basis(), TODAY)
    assert (f.weighted.numerator, f.weighted.denominator) == (0, 101_000)
    assert f.weighted.rate == 0.0


def test_department_01_fy2023():
    f = compute(ALL, 2023, parse_scope("department:01"), Basis(), TODAY)
    assert (f.weighted.numerator, f.weighted.denominator) == (70_000, 70_000)
    assert f"{f.weighted.rate * 100:.1f}" == "100.0"


def test_json_of_interfaces_md():
    body = to_json(compute(ALL, 2023, PRIORITY, Basis(), TODAY))
    assert body["fiscal_year"] == 2023
    assert body["scope"] == "priority"
    assert body["basis"] == "latest"
    assert body["as_of"] == "2024-03-31"
    assert body["weighted"]["numerator"] == 70_000
    assert body["weighted"]["denominator"] == 95_000
    assert body["weighted"]["rate"] == pytest.approx(0.7368421, abs=1e-7)
    assert body["count"] == {"digitized": 2, "total": 3, "rate": pytest.approx(0.6666667, abs=1e-7)}
    assert body["missing_volume"] == []
    assert [d["code"] for d in body["departments"]] == ["01", "02"]
    assert body["departments"][1]["weighted"]["denominator"] == 25_000
    assert body["biggest_remaining"] == [
        {
            "code": "C",
            "name": "手続C",
            "department": "02",
            "status": "partial",
            "weight": 25_000,
            "gain_points": 26.3,
        }
    ]


def test_as_of_is_today_while_the_year_runs():
    f = compute(ALL, 2023, PRIORITY, Basis(), date(2023, 7, 1))
    assert f.as_of == date(2023, 7, 1)
    # B went online on 2023-06-01, already counted on 1 July
    assert f.count.numerator == 2
    f = compute(ALL, 2023, PRIORITY, Basis(), date(2023, 5, 31))
    assert f.count.numerator == 1
