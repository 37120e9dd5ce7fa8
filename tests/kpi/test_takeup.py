"""Take-up on a small catalogue, every figure by hand (docs/kpi.md, "Take-up")."""

from __future__ import annotations

from datetime import date

from app.kpi import ProcedureFacts
from app.kpi.takeup import (
    HERE,
    NOT_ONLINE,
    RECORDED,
    Period,
    by_department,
    compare,
    partial_periods,
    total,
    usage,
)

TODAY = date(2026, 12, 3)
ONLINE = ((date(2022, 4, 1), "online"),)
# E has a form here: FY2024's online receipts came from another channel (recorded), FY2025's
# from here: the 500 the department also recorded for FY2025 must not be added
E = ProcedureFacts(
    "E", "手続E", "01", "部局01", True, {2024: 1_000, 2025: 1_200}, ONLINE,
    online_receipts={2024: 300, 2025: 500}, submissions={2025: 600}, form="e-form",
)  # fmt: skip
F = ProcedureFacts(
    "F", "手続F", "01", "部局01", False, {2025: 400}, ONLINE, online_receipts={2025: 100}
)
G = ProcedureFacts("G", "手続G", "02", "部局02", False, {2025: 500}, ())  # paper
H = ProcedureFacts(
    "H", "手続H", "02", "部局02", False, {2025: 200}, ((date(2024, 10, 1), "online"),)
)
I = ProcedureFacts(  # noqa: E741
    "I", "手続I", "02", "部局02", False, {2025: 900}, ((date(2020, 4, 1), "excluded"),)
)
ALL = [E, F, G, H, I]


def test_each_procedure_has_one_source():
    e24, e25 = usage(E, 2024, TODAY), usage(E, 2025, TODAY)
    assert (e24.online, e24.receipts, e24.source) == (300, 1_000, RECORDED)
    assert (e25.online, e25.receipts, e25.source) == (600, 1_200, HERE)  # not 600 + 500
    assert usage(F, 2025, TODAY).rate == 0.25
    g = usage(G, 2025, TODAY)
    assert (g.online, g.source, g.rate) == (0, NOT_ONLINE, 0.0)  # paper: nothing online
    h = usage(H, 2025, TODAY)
    assert (h.online, h.known) == (None, False)  # online, but no online count recorded
    assert usage(I, 2025, TODAY) is None  # excluded


def test_prefecture_and_departments():
    rows = [u for p in ALL if (u := usage(p, 2025, TODAY)) is not None]
    # (600 + 100 + 0) / (1,200 + 400 + 500) = 700 / 2,100 = 33.3 %; H left out
    t = total(rows)
    assert (t.numerator, t.denominator) == (700, 2_100)
    assert f"{t.rate * 100:.1f}" == "33.3"
    d01, d02 = by_department(rows)
    assert (d01.use.numerator, d01.use.denominator, d01.unknown) == (700, 1_600, 0)
    assert d01.use.rate == 0.4375 and d01.available.rate == 1.0
    assert (d02.use.numerator, d02.use.denominator, d02.unknown) == (0, 500, 1)
    assert (d02.available.numerator, d02.available.denominator) == (0, 500)


def test_partial_year_against_the_same_period():
    this, before = partial_periods(2026, TODAY)
    assert this == Period(date(2026, 4, 1), date(2026, 12, 3))
    assert before == Period(date(2025, 4, 1), date(2025, 12, 3))
    # a leap day compares with the 28th
    assert partial_periods(2027, date(2028, 2, 29))[1] == Period(
        date(2026, 4, 1), date(2027, 2, 28)
    )
    # a past year is whole
    assert partial_periods(2024, TODAY)[0] == Period(date(2024, 4, 1), date(2025, 3, 31))
    (c,) = compare({"E": 30}, {"E": 20, "X": 5}, ["E"])
    assert (c.current, c.previous, c.change) == (30, 20, 0.5)
    assert compare({}, {}, ["E"])[0].change is None
