"""The catalogue shipped in procedures/ matches the plan's published totals (illustratively)."""

from __future__ import annotations

from app import kpi
from app.catalogue.services import import_catalogue
from app.dashboard.services import kpi_facts
from tests.conftest import ROOT

TODAY = kpi.fy_end(2030)


def test_shipped_catalogue_is_calibrated_to_the_plan(ctx):
    assert import_catalogue(ROOT / "procedures").ok
    facts = kpi_facts()
    priority = [f for f in facts if f.priority]
    assert len(priority) == 75
    assert all(f.volumes[2021] >= 100 for f in priority)
    assert 105_000 <= sum(f.volumes[2021] for f in priority) <= 115_000
    depts = {f.department_name for f in priority}
    assert depts == {
        "防災対策部",
        "県土整備部",
        "子ども・福祉部",
        "環境生活部",
        "医療保健部",
        "地域連携部",
        "農林水産部",
        "雇用経済部",
        "教育委員会事務局",
        "警察本部",
        "企業庁",
        "病院事業庁",
        "総務部",
        "戦略企画部",
        "デジタル社会推進局",
    }
    scope = kpi.parse_scope("priority")
    rates = [
        kpi.compute(facts, fy, scope, kpi.Basis(), TODAY).weighted.rate for fy in range(2021, 2026)
    ]
    assert 0.385 <= rates[0] <= 0.395
    assert rates == sorted(rates) and len(set(rates)) == 5  # rising every year
    assert kpi.compute(facts, 2021, scope, kpi.Basis(2021), TODAY).weighted.rate == rates[0]
    others = [f for f in facts if not f.priority]
    assert 40 <= len(others) <= 60
    excluded = [f for f in others if kpi.status_on(f.history, TODAY) == kpi.EXCLUDED]
    assert 2 <= len(excluded) <= 6
