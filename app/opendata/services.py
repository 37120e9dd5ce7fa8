"""The open data sets: plain rows built from the same queries as the API and the KPI.

Each data set is a list of columns (name, 日本語, English) and rows; views.py writes
them as CSV or JSON. The catalogue is also given as CPSV-AP JSON-LD (cpsv.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from flask import current_app
from sqlalchemy import select

from app import kpi
from app.api import queries
from app.catalogue.models import Procedure, StatusChange
from app.catalogue.queries import kpi_facts
from app.clock import iso_time, today
from app.extensions import db
from app.kpi.status import DIGITIZATION_STATUSES, DIGITIZED
from app.links import absolute_url

PUBLISHER = {"ja": "三重県", "en": "Mie Prefecture"}
# the publisher's 全国地方公共団体コード (local government code, with its check digit)
LOCAL_GOVERNMENT_CODE = "240001"
LICENSE = {
    "name": "CC BY 4.0",
    "url": "https://creativecommons.org/licenses/by/4.0/",
    "url_ja": "https://creativecommons.org/licenses/by/4.0/deed.ja",
}
ATTRIBUTION = {
    "ja": "出典: 三重県（Tetsuzuki）、CC BY 4.0",
    "en": "Source: Mie Prefecture (Tetsuzuki), CC BY 4.0",
}


@dataclass(frozen=True)
class Column:
    name: str
    ja: str
    en: str


@dataclass(frozen=True)
class DataSet:
    name: str  # file name without extension
    title_ja: str
    title_en: str
    description_ja: str
    description_en: str
    columns: tuple[Column, ...]


PROCEDURES = DataSet(
    "procedures",
    "手続台帳",
    "Procedures catalogue",
    "県の行政手続の一覧。今日の状態（デジタル化の段階）と直近の年間受付件数つき。",
    "The prefecture's procedures, with today's digitization status and latest yearly receipts.",
    (
        Column("code", "手続コード", "procedure code"),
        Column("name_ja", "手続名", "name in Japanese"),
        Column("name_en", "手続名（英語）", "name in English"),
        Column("department_code", "部局コード", "department code"),
        Column("department_name_ja", "部局名", "department name"),
        Column("department_name_en", "部局名（英語）", "department name in English"),
        Column("priority", "重点手続（1/0）", "priority procedure (1/0)"),
        Column("procedure_type", "種類（申請・届出など）", "kind (application, notification, …)"),
        Column("legal_basis", "根拠法令", "legal basis"),
        Column("features", "デジタル化の内容（;区切り）", "digital features (;-separated)"),
        Column("exclusion_reason", "対象外の理由", "why it is excluded"),
        Column("status", "今日の状態", "status today"),
        Column("status_ja", "状態（日本語）", "status in Japanese"),
        Column("status_en", "状態（英語）", "status in English"),
        Column("status_since", "その状態になった日", "effective date of that status"),
        Column("digitized", "デジタル化済み（1/0）", "digitized (1/0): online or end_to_end"),
        Column("latest_fiscal_year", "直近の件数の年度", "fiscal year of the latest volume"),
        Column("latest_receipts", "その年度の受付件数", "receipts in that year"),
        Column("latest_online_receipts", "そのうちオンライン", "of which online"),
        Column("page_url", "手続の案内ページ", "the procedure's page"),
        Column("apply_url", "オンライン申請（ここで受付）", "online form here, if any"),
    ),
)

VOLUMES = DataSet(
    "volumes",
    "年間受付件数",
    "Yearly receipts",
    "手続ごと・年度ごとの受付件数（各年度の最新の記録）。デジタル化率の重みです。",
    "Receipts per procedure and fiscal year (the latest record of each year): the KPI weights.",
    (
        Column("code", "手続コード", "procedure code"),
        Column("fiscal_year", "年度（西暦）", "fiscal year (April–March)"),
        Column("receipts", "受付件数", "receipts"),
        Column(
            "online_receipts",
            "そのうちオンライン（空欄は未記録）",
            "of which online (empty: not recorded)",
        ),
    ),
)

STATUS_HISTORY = DataSet(
    "status_history",
    "状態の履歴",
    "Status history",
    "手続ごとの状態の記録（追記のみ。訂正も新しい行として記録）。",
    "Every recorded status of each procedure (append-only: a correction is a new row).",
    (
        Column("code", "手続コード", "procedure code"),
        Column("status", "状態", "status"),
        Column("effective_date", "その状態になる日", "effective date"),
        Column("note", "備考", "note"),
    ),
)

FIGURES = DataSet(
    "figures",
    "年度ごとのデジタル化率",
    "Digitization rate by fiscal year",
    "年度・範囲（重点手続、全手続、部局）・重みの基準ごとのデジタル化率（kpi.md の定義どおり）。",
    "The digitization KPI per fiscal year, scope (priority, all, each department) and weight basis.",
    (
        Column("fiscal_year", "年度（西暦）", "fiscal year"),
        Column("scope", "範囲", "scope: priority, all or department:<code>"),
        Column("basis", "重みの基準", "weight basis: latest or fixed:YYYY"),
        Column("as_of", "基準日", "as of (end of the year, or today)"),
        Column("numerator", "デジタル化済みの件数", "receipts of digitized procedures"),
        Column("denominator", "対象の件数", "receipts of all procedures in scope"),
        Column("rate", "デジタル化率（件数で重み付け）", "rate, weighted by receipts"),
        Column("digitized", "デジタル化済みの手続数", "digitized procedures"),
        Column("total", "対象の手続数", "procedures in scope"),
        Column("count_rate", "デジタル化率（手続数）", "rate, by number of procedures"),
        Column("paper_receipts", "まだ紙の件数", "receipts a year still on paper"),
    ),
)

DATASETS = {d.name: d for d in (PROCEDURES, VOLUMES, STATUS_HISTORY, FIGURES)}


def absolute(endpoint: str, **values) -> str:
    return absolute_url(endpoint, **values)


def procedure_rows(day: date | None = None, *, volumes: bool = False) -> list[dict[str, Any]]:
    """One row per procedure; with `volumes`, also every (fiscal year, receipts, online)."""
    day = day or today()
    out = []
    for e in queries.all_entries(day):
        p, d = e.procedure, e.department
        latest = e.volumes[-1] if e.volumes else (None, None, None)
        label = DIGITIZATION_STATUSES[e.status]
        out.append(
            {
                "code": p.code,
                "name_ja": p.name_ja,
                "name_en": p.name_en,
                "department_code": d.code,
                "department_name_ja": d.name_ja,
                "department_name_en": d.name_en,
                "priority": bool(p.priority),
                "procedure_type": p.procedure_type,
                "legal_basis": p.legal_basis,
                "features": [f for f in (p.features or "").split(";") if f],
                "exclusion_reason": p.exclusion_reason,
                "status": e.status,
                "status_ja": label.ja,
                "status_en": label.en,
                "status_since": e.status_since,
                "digitized": e.status in DIGITIZED,
                "latest_fiscal_year": latest[0],
                "latest_receipts": latest[1],
                "latest_online_receipts": latest[2],
                "page_url": absolute("catalogue.procedure", code=p.code),
                "apply_url": absolute("submissions.start", form_id=p.form) if p.form else None,
            }
        )
        if volumes:
            out[-1]["volumes"] = e.volumes
    return out


def volume_rows() -> list[dict[str, Any]]:
    return [
        {"code": f.code, "fiscal_year": fy, "receipts": f.volumes[fy],
         "online_receipts": f.online_receipts.get(fy)}
        for f in kpi_facts()
        for fy in sorted(f.volumes)
    ]  # fmt: skip


def status_history_rows() -> list[dict[str, Any]]:
    rows = db.session.execute(
        select(Procedure.code, StatusChange.status, StatusChange.effective_date, StatusChange.note)
        .join(Procedure, StatusChange.procedure_id == Procedure.id)
        .order_by(Procedure.code, StatusChange.effective_date, StatusChange.id)
    )
    return [
        {"code": code, "status": status, "effective_date": day, "note": note}
        for code, status, day, note in rows
    ]


def figure_rows(day: date | None = None) -> list[dict[str, Any]]:
    """The KPI for every recorded fiscal year up to now, per scope and basis."""
    day = day or today()
    cfg = current_app.config
    facts = kpi_facts()
    span = kpi.recorded_years(facts)
    current_fy = kpi.fiscal_year_of(day)
    years = (
        range(span[0], max(span[1], current_fy) + 1) if span else range(current_fy, current_fy + 1)
    )
    years = [y for y in years if y <= current_fy]
    scopes = ["priority", "all"] + [
        f"department:{code}" for code in sorted({f.department_code for f in facts})
    ]
    bases = [kpi.parse_basis(cfg["KPI_BASIS"]), kpi.Basis(cfg["KPI_BASELINE_YEAR"])]
    out = []
    for fy in years:
        for scope_text in scopes:
            scope = kpi.parse_scope(scope_text)
            for basis in bases:
                f = kpi.compute(facts, fy, scope, basis, day)
                out.append(
                    {
                        "fiscal_year": fy,
                        "scope": str(scope),
                        "basis": str(basis),
                        "as_of": f.as_of,
                        "numerator": f.weighted.numerator,
                        "denominator": f.weighted.denominator,
                        "rate": round(f.weighted.rate, 7),
                        "digitized": f.count.numerator,
                        "total": f.count.denominator,
                        "count_rate": round(f.count.rate, 7),
                        "paper_receipts": f.paper_receipts,
                    }
                )
    return out


ROWS = {
    "procedures": procedure_rows,
    "volumes": volume_rows,
    "status_history": status_history_rows,
    "figures": figure_rows,
}


def rows_of(name: str) -> list[dict[str, Any]]:
    return ROWS[name]()


def envelope(dataset: DataSet, rows: list[dict[str, Any]]) -> dict[str, Any]:
    """The JSON form of a data set: what it is, its licence and attribution, then the rows."""
    return {
        "title": {"ja": dataset.title_ja, "en": dataset.title_en},
        "description": {"ja": dataset.description_ja, "en": dataset.description_en},
        "publisher": PUBLISHER,
        "license": {"name": LICENSE["name"], "url": LICENSE["url"]},
        "attribution": ATTRIBUTION,
        "source": absolute("opendata.index"),
        "as_of": today().isoformat(),
        "columns": [{"name": c.name, "ja": c.ja, "en": c.en} for c in dataset.columns],
        "data": [_jsonable(r) for r in rows],
    }


def _jsonable(row: dict[str, Any]) -> dict[str, Any]:
    return {k: _iso(v) if isinstance(v, date) else v for k, v in row.items()}


def _iso(value: date) -> str:
    """A day as `2026-12-03`; a time with its offset, in Japan time (app.clock.iso_time)."""
    return iso_time(value) if isinstance(value, datetime) else value.isoformat()


def csv_cell(value: Any) -> Any:
    """A row's value as the CSV writer takes it: flags as 1/0, lists `;`-joined, dates ISO.

    Numbers stay numbers and texts stay texts: `app.csvfile` decides how each is written.
    """
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, list):
        return ";".join(map(str, value))
    if isinstance(value, date):
        return _iso(value)
    return value
