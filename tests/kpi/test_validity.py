"""A fiscal year's figures count only the procedures valid on some day of it (docs/kpi.md),
with the worked example extended by E, a paper procedure established in FY2023."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.kpi import Basis, ProcedureFacts, compute, parse_scope, take_up, valid_in

from .test_properties import procedures
from .test_worked_example import ALL, TODAY

PRIORITY = parse_scope("priority")

E = ProcedureFacts(
    "E",
    "手続E",
    "01",
    "部局01",
    True,
    {2023: 5_000},
    ((date(2023, 10, 1), "paper"),),
    valid_from=date(2023, 10, 1),
)
WITH_E = [*ALL, E]


@pytest.mark.parametrize(
    ("valid_from", "valid_until", "fy", "counts"),
    [
        (None, None, 2000, True),
        (date(2024, 3, 31), None, 2023, True),  # established on the last day of FY2023
        (date(2024, 4, 1), None, 2023, False),  # …or on the first day of FY2024
        (None, date(2023, 4, 1), 2023, True),  # abolished after the first day of FY2023
        (None, date(2023, 3, 31), 2023, False),  # …or on the last day of FY2022
        (date(2023, 6, 1), date(2023, 9, 30), 2023, True),  # valid for a summer
        (date(2023, 6, 1), date(2023, 9, 30), 2024, False),
    ],
)
def test_valid_in_some_day_of_the_fiscal_year(valid_from, valid_until, fy, counts):
    assert valid_in(fy, valid_from, valid_until) is counts


def test_before_it_is_established_it_is_in_no_figure():
    """FY2021: E is left out; without the rule its earliest volume (5,000 on paper) would
    lower the rate from 50.0% to 47.6%."""
    f = compute(WITH_E, 2021, PRIORITY, Basis(), TODAY)
    assert (f.weighted.numerator, f.weighted.denominator) == (50_000, 100_000)
    assert (f.count.numerator, f.count.denominator) == (1, 3)
    assert "E" not in {r.code for r in f.remaining}
    g = compute([*ALL, replace(E, valid_from=None)], 2021, PRIORITY, Basis(), TODAY)
    assert f"{g.weighted.rate * 100:.1f}" == "47.6"


def test_in_the_year_it_is_established_it_counts_with_its_status():
    f = compute(WITH_E, 2023, PRIORITY, Basis(), TODAY)
    assert (f.weighted.numerator, f.weighted.denominator) == (70_000, 100_000)
    assert f"{f.weighted.rate * 100:.1f}" == "70.0"
    assert (f.count.numerator, f.count.denominator) == (2, 4)
    assert [(r.code, r.weight) for r in f.remaining] == [("C", 25_000), ("E", 5_000)]
    dept = {d.code: d for d in f.departments}["01"]
    assert (dept.weighted.numerator, dept.weighted.denominator) == (70_000, 75_000)
    fixed = compute(WITH_E, 2023, PRIORITY, Basis(2021), TODAY)  # E: its earliest volume
    assert (fixed.weighted.numerator, fixed.weighted.denominator) == (80_000, 105_000)
    assert f"{fixed.weighted.rate * 100:.1f}" == "76.2"


def test_after_it_is_abolished_it_is_in_no_figure():
    gone = replace(E, valid_until=date(2024, 3, 31))
    assert compute([*ALL, gone], 2023, PRIORITY, Basis(), TODAY).count.denominator == 4
    f = compute([*ALL, gone], 2024, PRIORITY, Basis(), TODAY)
    assert f == compute(ALL, 2024, PRIORITY, Basis(), TODAY)


def test_a_procedure_not_valid_yet_is_not_missing_a_volume_nor_taking_up():
    future = ProcedureFacts(
        "F", "手続F", "01", "部局01", True, form="f", valid_from=date(2025, 4, 1)
    )
    assert compute([future], 2024, PRIORITY, Basis(), TODAY).missing_volume == ()
    assert compute([future], 2025, PRIORITY, Basis(), TODAY).missing_volume == (future,)
    assert take_up(future, 2024) is None and take_up(future, 2025) is not None


@settings(max_examples=200, deadline=None)
@given(
    procedures(),
    st.integers(2018, 2027),
    st.integers(2018, 2027),
    st.sampled_from(["priority", "all"]),
)
def test_adding_a_procedure_never_changes_a_year_before_it_is_established(
    procs, established, fy, scope
):
    new = ProcedureFacts(
        "NEW", "新", "01", "部局01", True, {established: 1_000}, valid_from=date(established, 4, 1)
    )
    s = parse_scope(scope)
    before = compute(procs, fy, s, Basis(), TODAY)
    after = compute([*procs, new], fy, s, Basis(), TODAY)
    if fy < established:
        assert after == before
    else:
        assert after.count.denominator == before.count.denominator + 1
