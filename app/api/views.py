"""JSON API: thin routes over the same services as the pages and the CLI."""

from __future__ import annotations

from flask import Blueprint, jsonify, request

from app import kpi
from app.dashboard import services as kpi_service
from app.web import json_error

bp = Blueprint("api", __name__, url_prefix="/api/v1")


@bp.get("/kpi")
def get_kpi():
    """The figures of kpi.md for one fiscal year, scope and weight basis."""
    try:
        fy = kpi_service.parse_fiscal_year(request.args.get("fiscal_year"))
        f = kpi_service.figures(fy, request.args.get("scope"), request.args.get("basis"))
    except kpi.KpiInputError as exc:
        return json_error(400, str(exc), "invalid_parameter")
    limit = request.args.get("limit", "10")
    n = int(limit) if limit.isdigit() else 10
    return jsonify(kpi.to_json(f, limit=min(n, 1000)))
