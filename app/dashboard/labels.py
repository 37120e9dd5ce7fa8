"""Words for the dashboard's figures, shared by the page, the PDF and the spreadsheet."""

from __future__ import annotations

from flask_babel import gettext as _

from app import kpi


def basis_label(basis: kpi.Basis, lang: str = "ja") -> str:
    """How the weights are taken, in a few words."""
    if basis.fixed_year is None:
        return _("直近の年間受付件数で重み付け")
    return _("%(year)s の件数で固定", year=kpi.label(basis.fixed_year, lang))


def scope_label(scope: str) -> str:
    return {"priority": _("重点手続"), "all": _("全手続")}.get(scope, scope)
