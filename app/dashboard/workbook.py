"""The dashboard's figures as an .xlsx for the bureau's board papers: one sheet per table,
Japanese headers, numbers as numbers (rates as fractions of 1), texts neutralised."""

from __future__ import annotations

from flask_babel import gettext as _

from app import kpi
from app.xlsxfile import Sheet

from . import services as svc
from .labels import basis_label, scope_label


def _rate(r: kpi.Ratio) -> float:
    return r.rate


def sheets(fiscal_year: int, lang: str = "ja") -> list[Sheet]:
    data = svc.dashboard(fiscal_year)
    state = data.state
    status = _("確定") if state.confirmed else _("暫定")
    headline = []
    for name, view in data.scopes.items():
        for kind, basis, f in (
            (_("公式の指標"), data.official_basis, view.official),
            (_("感度分析"), data.sensitivity_basis, view.sensitivity),
        ):
            headline.append(
                [
                    data.fiscal_year,
                    scope_label(name),
                    kind,
                    basis_label(basis, lang),
                    f.weighted.numerator,
                    f.weighted.denominator,
                    _rate(f.weighted),
                    f.count.numerator,
                    f.count.denominator,
                    view.target_year,
                    f.as_of.isoformat(),
                    status,
                ]  # fmt: skip
            )
    history = []
    pr, al = data.scopes["priority"], data.scopes["all"]
    for p, a in zip(pr.points, al.points, strict=True):
        ys = data.years_state.get(p.fiscal_year)
        history.append(
            [
                p.fiscal_year,
                _rate(p.weighted),
                p.weighted.numerator,
                p.weighted.denominator,
                _rate(a.weighted),
                a.weighted.numerator,
                a.weighted.denominator,
                (_("訂正あり") if ys.corrected else _("確定"))
                if ys and ys.confirmed
                else _("暫定"),
            ]  # fmt: skip
        )
    departments = []
    for d in data.standings:
        row = [d.code, d.name, d.distance]
        for scope in ("priority", "all"):
            s = d.scopes.get(scope)
            row += (
                [
                    s.rate.numerator,
                    s.rate.denominator,
                    _rate(s.rate),
                    s.target_year,
                    _("期限超過") if s.overdue else "",
                    s.left,
                ]  # fmt: skip
                if s
                else [None] * 6
            )
        departments.append(row)
    scope_cols = lambda label: [  # noqa: E731 - six headers per scope
        f"{label} {h}"
        for h in (
            _("デジタル化済みの件数/年"),
            _("件数/年"),
            _("デジタル化率"),
            _("期限（年度）"),
            _("期限超過"),
            _("残りの手続"),
        )
    ]
    remaining = [
        [
            r.code,
            r.name,
            r.department_code,
            kpi.status_label(r.status, lang),
            r.weight,
            r.gain_points,
        ]
        for r in al.official.remaining
    ]
    use = data.use
    names = {d.code: d.name for d in data.standings}
    use_rows = [
        [
            d.code,
            names.get(d.code, d.code),
            use.year,
            _rate(d.available),
            d.use.numerator,
            d.use.denominator,
            _rate(d.use),
            d.unknown,
        ]  # fmt: skip
        for d in use.departments
    ]
    return [
        Sheet(
            _("公式の指標"),
            [
                _("年度"),
                _("範囲"),
                _("種類"),
                _("重み付け"),
                _("分子（件/年）"),
                _("分母（件/年）"),
                _("デジタル化率"),
                _("オンライン化した手続数"),
                _("手続数"),
                _("目標年度"),
                _("時点"),
                _("確定"),
            ],  # fmt: skip
            headline,
        ),
        Sheet(
            _("推移"),
            [
                _("年度"),
                _("重点手続 デジタル化率"),
                _("重点手続 分子"),
                _("重点手続 分母"),
                _("全手続 デジタル化率"),
                _("全手続 分子"),
                _("全手続 分母"),
                _("確定"),
            ],  # fmt: skip
            history,
        ),
        Sheet(
            _("部局別"),
            [
                _("部局コード"),
                _("部局"),
                _("目標との差（ポイント）"),
                *scope_cols(_("重点手続")),
                *scope_cols(_("全手続")),
            ],  # fmt: skip
            departments,
        ),
        Sheet(
            _("未対応の手続"),
            [
                _("手続コード"),
                _("手続"),
                _("部局コード"),
                _("状態"),
                _("件数/年"),
                _("効果（ポイント）"),
            ],
            remaining,
        ),
        Sheet(
            _("オンライン利用"),
            [
                _("部局コード"),
                _("部局"),
                _("年度"),
                _("オンラインで申請できる"),
                _("オンライン件数"),
                _("全受付件数"),
                _("オンライン利用率"),
                _("件数不明"),
            ],  # fmt: skip
            use_rows,
        ),
    ]
