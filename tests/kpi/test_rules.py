"""The rules of kpi.md one at a time: fiscal years, status, weights, scopes, targets, take-up."""

from __future__ import annotations

from datetime import date

import pytest

from app.kpi import (
    Basis,
    KpiInputError,
    Point,
    ProcedureFacts,
    Ratio,
    as_of,
    compute,
    fiscal_year_of,
    label_en,
    label_ja,
    parse_basis,
    parse_scope,
    projection,
    status_on,
    take_up,
    weight,
)

TODAY = date(2026, 11, 29)


def test_fiscal_year_boundaries():
    assert fiscal_year_of(date(2024, 3, 31)) == 2023
    assert fiscal_year_of(date(2024, 4, 1)) == 2024
    assert as_of(2024, TODAY) == date(2025, 3, 31)
    assert as_of(2026, TODAY) == TODAY


def test_fiscal_year_labels_show_both_calendars():
    assert label_ja(2024) == "2024年度（令和6年度）"
    assert label_ja(2019) == "2019年度（令和元年度）"
    assert label_ja(2018) == "2018年度"
    assert label_en(2024) == "FY2024 (Reiwa 6)"


def test_status_is_latest_row_on_or_before_the_date_and_paper_without_one():
    h = ((date(2022, 4, 1), "planned"), (date(2023, 4, 1), "online"))
    assert status_on(h, date(2022, 3, 31)) == "paper"
    assert status_on(h, date(2022, 4, 1)) == "planned"
    assert status_on(h, date(2030, 1, 1)) == "online"
    assert status_on((), date(2030, 1, 1)) == "paper"


def test_a_correction_recorded_later_wins_for_the_same_date():
    h = ((date(2022, 4, 1), "online"), (date(2022, 4, 1), "partial"))
    assert status_on(h, date(2023, 1, 1)) == "partial"


def test_a_correction_recorded_later_with_an_earlier_date_does_not_override_a_later_date():
    h = ((date(2023, 4, 1), "online"), (date(2022, 4, 1), "partial"))
    assert status_on(h, date(2023, 5, 1)) == "online"
    assert status_on(h, date(2022, 5, 1)) == "partial"


@pytest.mark.parametrize(
    ("volumes", "fy", "basis", "expected"),
    [
        ({2021: 10, 2023: 30}, 2022, Basis(), 10),
        ({2021: 10, 2023: 30}, 2025, Basis(), 30),
        ({2022: 7, 2023: 30}, 2020, Basis(), 7),  # none at or before: the earliest
        ({2021: 10, 2023: 30}, 2025, Basis(2021), 10),
        ({2020: 5, 2023: 30}, 2025, Basis(2021), 5),  # fixed year missing: latest before it
        ({2023: 30, 2024: 40}, 2025, Basis(2021), 30),  # nothing before: the earliest
        ({}, 2025, Basis(), 0),
    ],
)
def test_weight(volumes, fy, basis, expected):
    assert weight(volumes, fy, basis) == expected


def test_missing_volume_weighs_zero_and_is_listed():
    p = ProcedureFacts("X", "件数なし", "01", "部局", True, {}, ((date(2020, 1, 1), "online"),))
    q = ProcedureFacts("Y", "件数あり", "01", "部局", True, {2021: 10})
    f = compute([p, q], 2021, parse_scope("priority"), Basis(), TODAY)
    assert [m.code for m in f.missing_volume] == ["X"]
    assert (f.weighted.numerator, f.weighted.denominator) == (0, 10)
    assert (f.count.numerator, f.count.denominator) == (1, 2)


def test_empty_scope_has_rate_zero():
    f = compute([], 2021, parse_scope("all"), Basis(), TODAY)
    assert f.weighted.rate == 0.0 and f.count.rate == 0.0


@pytest.mark.parametrize("text", ["", "dept:01", "department:", "Priority"])
def test_bad_scope_is_explained_in_both_languages(text):
    if text == "":
        assert str(parse_scope(text)) == "priority"
        return
    with pytest.raises(KpiInputError, match="scope"):
        parse_scope(text)


@pytest.mark.parametrize("text", ["fixed:", "fixed:21", "fixed:２０２１", "newest"])
def test_bad_basis(text):
    with pytest.raises(KpiInputError, match="basis"):
        parse_basis(text)


def test_biggest_remaining_ordered_by_weight_with_gain():
    ps = [
        ProcedureFacts("S", "小", "01", "d", True, {2021: 100}),
        ProcedureFacts("L", "大", "01", "d", True, {2021: 700}),
        ProcedureFacts(
            "O", "済", "01", "d", True, {2021: 200}, ((date(2020, 4, 1), "end_to_end"),)
        ),
    ]
    f = compute(ps, 2021, parse_scope("priority"), Basis(), TODAY)
    assert [(r.code, r.gain_points) for r in f.remaining] == [("L", 70.0), ("S", 10.0)]
    assert f.paper_receipts == 800


def _pts(*rates, start=2021):
    return [
        Point(start + i, Ratio(round(r * 1000), 1000), Ratio(0, 0)) for i, r in enumerate(rates)
    ]


def test_projection_on_the_straight_line_to_the_target():
    # 2021 at 40 %, target 100 % in 2024: the line passes 60 % in 2022, 80 % in 2023
    p = projection(_pts(0.4, 0.6, 0.8), 2024)
    assert p.expected == pytest.approx(0.8)
    assert p.on_track
    p = projection(_pts(0.4, 0.5, 0.6), 2024)
    assert not p.on_track
    assert p.gap_points == pytest.approx(20.0)
    assert p.projected_year == 2027  # +10 points a year from 60 %


def test_projection_after_the_target_year_needs_100_percent():
    assert not projection(_pts(0.4, 0.6, 0.8, 0.9, 0.95), 2024).on_track
    assert projection(_pts(0.4, 0.6, 0.8, 1.0), 2024).on_track


def test_take_up_prefers_recorded_online_receipts_and_flags_above_100():
    p = ProcedureFacts(
        "F",
        "form",
        "01",
        "d",
        True,
        {2024: 200},
        form="f",
        online_receipts={2024: 150},
        submissions={2024: 10, 2025: 260},
    )
    t = take_up(p, 2024)
    assert (t.online, t.weight, t.source, t.rate) == (150, 200, "recorded", 0.75)
    t = take_up(p, 2025)  # no recorded figure: what arrived here
    assert (t.online, t.source, t.above_100) == (260, "submissions", True)
    assert take_up(ProcedureFacts("N", "no form", "01", "d", True, {2024: 5}), 2024) is None
