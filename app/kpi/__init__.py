"""The digitization KPI of shared spec kpi.md: pure functions over plain rows."""

from .compute import (
    Basis,
    DepartmentFigures,
    Figures,
    KpiInputError,
    Point,
    ProcedureFacts,
    Projection,
    Ratio,
    Remaining,
    Scope,
    TakeUp,
    compute,
    gain_points,
    history,
    parse_basis,
    parse_scope,
    projection,
    recorded_years,
    status_on,
    take_up,
    to_json,
    weight,
)
from .fiscal import as_of, fiscal_year_of, fy_end, fy_start, label, label_en, label_ja
from .status import DIGITIZED, EXCLUDED, PAPER, STATUSES, status_label

__all__ = [
    "Basis", "DepartmentFigures", "Figures", "KpiInputError", "Point", "ProcedureFacts",
    "Projection", "Ratio", "Remaining", "Scope", "TakeUp", "compute", "gain_points",
    "history", "parse_basis", "parse_scope", "projection", "recorded_years", "status_on",
    "take_up", "to_json", "weight", "as_of", "fiscal_year_of", "fy_end", "fy_start",
    "label", "label_en", "label_ja", "DIGITIZED", "EXCLUDED", "PAPER", "STATUSES",
    "status_label",
]
