"""The bureau's ranking of digitized services: where improving a service would help the
most residents (applications a year that still do not arrive online although the service
is online), with each service's quality figures beside it."""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext as _

from app.catalogue.queries import kpi_facts
from app.clock import today
from app.kpi import fiscal_year_of, quality, status_on, takeup
from app.kpi.status import DIGITIZED
from app.submissions import performance
from app.xlsxfile import Sheet


@dataclass
class Ranked:
    code: str
    name: str
    department: str
    status: str
    year: int  # the whole fiscal year of the take-up
    use: takeup.Usage | None
    potential: int | None  # receipts − online in that year
    latest: performance.VersionPerformance | None  # the newest form version's figures


def ranking(lang: str = "ja") -> list[Ranked]:
    """Digitized procedures with a form here, most residents still off-line first; then the
    least satisfied; then by code."""
    now = today()
    year = fiscal_year_of(now) - 1
    with_forms = set(performance.procedures_with_forms())
    out = []
    for p in kpi_facts():
        status = status_on(p.history, now)
        if p.code not in with_forms and not (p.form and status in DIGITIZED):
            continue
        use = takeup.usage(p, year, now)
        versions = performance.procedure_performance(p.code, lang)
        out.append(
            Ranked(
                code=p.code,
                name=p.name,
                department=p.department_name,
                status=status,
                year=year,
                use=use,
                potential=quality.improvement_potential(
                    use.receipts if use else None, use.online if use else None
                ),
                latest=versions[0] if versions else None,
            )
        )

    def mean(r: Ranked) -> float:
        m = r.latest.satisfaction.internal_mean if r.latest else None
        return 6.0 if m is None else m  # no answers: after every answered service

    out.sort(key=lambda r: (r.potential is None, -(r.potential or 0), mean(r), r.code))
    return out


def report_sheets(lang: str = "ja") -> list[Sheet]:
    """The ranking as a workbook: one sheet per table, Japanese headers, numbers as numbers
    (rates as fractions of 1)."""
    services = ranking(lang)
    header = [
        _("手続コード"), _("手続"), _("部局"), _("様式の版"), _("年度"), _("全受付件数"),
        _("オンライン件数"), _("改善の余地（件/年）"), _("オンライン利用率"), _("開始"), _("申請"),
        _("申請を終えた割合"), _("申請にかかった時間（中央値、分）"), _("途中でやめた人が最も多い画面"),
        _("やめた人数"), _("補正の依頼"), _("補正の依頼（100件あたり）"), _("処理件数"),
        _("処理日数（中央値、営業日）"), _("標準処理期間（営業日）"), _("標準処理期間内の割合"),
        _("満足度の回答数"), _("使いやすさ（平均、5段階）"),
    ]  # fmt: skip
    rows = []
    for r in services:
        v = r.latest
        u = r.use if r.use and r.use.known else None
        rows.append(
            [
                r.code,
                r.name,
                r.department,
                v.form_version.version if v else None,
                r.year,
                u.receipts if u else None,
                u.online if u else None,
                r.potential,
                u.rate if u else None,
                v.started if v else None,
                v.submitted if v else None,
                v.completion if v else None,
                v.median_minutes if v else None,
                (v.leave_label if v and v.leave else None),
                (v.leave.left if v and v.leave else None),
                v.returned if v else None,
                v.corrections if v else None,
                v.processing.cases if v else None,
                v.processing.median_days if v else None,
                v.processing.standard_days if v else None,
                v.processing.within_rate if v else None,
                v.satisfaction.answers if v else None,
                v.satisfaction.internal_mean if v else None,
            ]  # fmt: skip
        )
    comments = performance.comments()
    return [
        Sheet(_("サービス品質"), header, rows),
        Sheet(
            _("利用者の声"),
            [_("手続コード"), _("様式の版"), _("使いやすさ"), _("ご意見")],
            [[c.procedure_code, c.form_version, c.score, c.text] for c in comments],
        ),
    ]
