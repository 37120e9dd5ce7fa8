"""`flask kpi`: the figures of kpi.md on the command line; `flask report kpi`: the PDF."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click
from flask.cli import with_appcontext

from app import kpi

from . import report
from . import services as svc


@click.command("kpi", help="デジタル化率を表示 / print the digitization KPI")
@click.option(
    "--fy", "fiscal_year", type=int, default=None, help="年度（西暦） / fiscal year, e.g. 2024"
)
@click.option(
    "--scope", default="priority", show_default=True, help="priority | all | department:<code>"
)
@click.option("--basis", default=None, help="latest | fixed:YYYY (default: KPI_BASIS)")
@click.option("--json", "as_json", is_flag=True, help="API と同じ JSON / the API's JSON")
@click.option("--limit", type=int, default=10, show_default=True, help="biggest remaining rows")
@with_appcontext
def kpi_command(fiscal_year, scope, basis, as_json, limit) -> None:
    try:
        f = svc.figures(fiscal_year, scope, basis)
    except kpi.KpiInputError as exc:
        click.echo(str(exc), err=True)
        sys.exit(2)
    if as_json:
        click.echo(json.dumps(kpi.to_json(f, limit=limit), ensure_ascii=False, indent=2))
        return
    pct = lambda r: f"{r * 100:.1f}%"  # noqa: E731
    click.echo(
        f"{kpi.label_ja(f.fiscal_year)} / {kpi.label_en(f.fiscal_year)}  "
        f"scope={f.scope} basis={f.basis} as_of={f.as_of.isoformat()}"
    )
    click.echo(
        f"  件数ベース weighted : {pct(f.weighted.rate):>6}  "
        f"({f.weighted.numerator:,} / {f.weighted.denominator:,} receipts)"
    )
    click.echo(
        f"  手続数 count        : {pct(f.count.rate):>6}  "
        f"({f.count.numerator} / {f.count.denominator} procedures)"
    )
    click.echo(f"  紙のまま on paper   : {f.paper_receipts:,} receipts a year")
    if f.missing_volume:
        click.echo(f"  件数未登録 missing volume: {', '.join(p.code for p in f.missing_volume)}")
    click.echo("  部局 departments:")
    for d in f.departments:
        click.echo(
            f"    {d.code:<10} {pct(d.weighted.rate):>6}  {d.count.numerator:>3}/{d.count.denominator:<3} {d.name}"
        )
    if f.remaining:
        click.echo("  影響の大きい未対応 biggest remaining:")
        for r in f.remaining[:limit]:
            click.echo(f"    {r.code:<8} {r.weight:>8,}  +{r.gain_points:.1f}pt  {r.name}")


@click.group("report", help="報告書 / reports")
def report_cli() -> None:
    pass


@report_cli.command("kpi", help="推進本部向け KPI 報告書（PDF） / the KPI report PDF")
@click.option(
    "--fy", "fiscal_year", type=int, default=None, help="年度（西暦） / fiscal year, e.g. 2024"
)
@click.option("--out", "out", type=click.Path(dir_okay=False, path_type=Path), required=True)
@click.option("--lang", type=click.Choice(["ja", "en"]), default="ja", show_default=True)
@with_appcontext
def report_kpi_command(fiscal_year: int | None, out: Path, lang: str) -> None:
    data = report.render_kpi_report(fiscal_year, lang=lang)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(data)
    click.echo(f"{out} ({len(data):,} bytes)")
