"""Invariants of the arithmetic, on generated catalogues (hypothesis)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from app.kpi import (
    DIGITIZATION_STATUSES,
    DIGITIZED,
    Basis,
    ProcedureFacts,
    compute,
    parse_scope,
    status_on,
)

TODAY = date(2026, 11, 29)
YEARS = st.integers(2018, 2027)
statuses = st.sampled_from(sorted(DIGITIZATION_STATUSES))
days = st.dates(date(2018, 4, 1), date(2027, 3, 31))


@st.composite
def procedures(draw):
    n = draw(st.integers(0, 25))
    out = []
    for i in range(n):
        volumes = draw(st.dictionaries(YEARS, st.integers(0, 100_000), max_size=4))
        history = tuple(draw(st.lists(st.tuples(days, statuses), max_size=4)))
        out.append(
            ProcedureFacts(
                f"P{i:03d}",
                f"手続{i}",
                draw(st.sampled_from(["01", "02", "03"])),
                "部局",
                draw(st.booleans()),
                volumes,
                history,
                valid_from=draw(st.none() | days),
                valid_until=draw(st.none() | days),
            )
        )
    return out


bases = st.one_of(st.just(Basis()), st.builds(Basis, YEARS))
scopes = st.sampled_from(["priority", "all", "department:01", "department:02"]).map(parse_scope)


@settings(max_examples=300, deadline=None)
@given(procedures(), YEARS, scopes, bases)
def test_rates_between_zero_and_one(ps, fy, scope, basis):
    f = compute(ps, fy, scope, basis, TODAY)
    assert 0.0 <= f.weighted.rate <= 1.0
    assert 0.0 <= f.count.rate <= 1.0
    assert f.weighted.numerator <= f.weighted.denominator


@settings(max_examples=300, deadline=None)
@given(procedures(), YEARS, scopes, bases, st.data())
def test_digitizing_one_more_procedure_never_lowers_the_rate(ps, fy, scope, basis, data):
    before = compute(ps, fy, scope, basis, TODAY)
    if not ps:
        return
    i = data.draw(st.integers(0, len(ps) - 1))
    p = ps[i]
    day = min(date(fy + 1, 3, 31), TODAY)
    if status_on(p.history, day) == "excluded":
        return  # digitizing means an excluded one comes back in: not this property
    online = replace(p, history=(*p.history, (day - timedelta(days=0), "online")))
    after = compute([*ps[:i], online, *ps[i + 1 :]], fy, scope, basis, TODAY)
    assert after.weighted.rate >= before.weighted.rate - 1e-12
    assert after.count.numerator >= before.count.numerator
    assert after.weighted.denominator == before.weighted.denominator


@settings(max_examples=300, deadline=None)
@given(procedures(), YEARS, scopes, bases)
def test_departments_add_up_to_the_scope(ps, fy, scope, basis):
    f = compute(ps, fy, scope, basis, TODAY)
    assert sum(d.weighted.numerator for d in f.departments) == f.weighted.numerator
    assert sum(d.weighted.denominator for d in f.departments) == f.weighted.denominator
    assert sum(d.count.numerator for d in f.departments) == f.count.numerator
    assert sum(d.count.denominator for d in f.departments) == f.count.denominator


@settings(max_examples=200, deadline=None)
@given(procedures(), YEARS, bases)
def test_remaining_gains_add_up_to_what_is_missing(ps, fy, basis):
    f = compute(ps, fy, parse_scope("all"), basis, TODAY)
    assert sum(r.weight for r in f.remaining) == f.paper_receipts
    assert all(r.status not in DIGITIZED for r in f.remaining)
    assert [r.weight for r in f.remaining] == sorted((r.weight for r in f.remaining), reverse=True)
