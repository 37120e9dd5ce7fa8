"""`flask forms check|load|funnel|reference`."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from flask.cli import with_appcontext

from app.formengine.reference import reference
from app.resources import shipped

from . import funnel, versions

SHIPPED = shipped("forms")
REFERENCE = Path(__file__).resolve().parent.parent.parent / "docs" / "form-reference.md"


@click.group("forms", help="申請様式の検査・登録 / check and load form definitions")
def forms_cli() -> None:
    pass


def _paths(paths: tuple[Path, ...]) -> list[Path]:
    return list(paths) or [SHIPPED]


@forms_cli.command("check")
@click.argument("paths", nargs=-1, type=click.Path(exists=True, path_type=Path))
@with_appcontext
def check_command(paths) -> None:
    """Validate definitions (default: forms/); print `path:line: message` per problem."""
    known = versions.catalogue_codes() is not None
    if not known:
        click.echo(
            "手続コードは確かめていません（データベースが未作成か、接続できません） / procedure"
            " codes not checked: the database is not migrated or does not answer",
            err=True,
        )
    ok, problems = versions.check_forms(_paths(paths), with_catalogue=known)
    for p in problems:
        click.echo(p, err=True)
    if problems:
        click.echo(f"{len(problems)} 件の誤りがあります / {len(problems)} problem(s)", err=True)
        sys.exit(1)
    click.echo(f"問題はありません / no problems: {len(ok)} form(s)")


def run_load(paths: list[Path]) -> versions.LoadReport:
    report = versions.load_forms(paths)
    for p in report.problems:
        click.echo(p, err=True)
    return report


@forms_cli.command("load")
@click.argument("paths", nargs=-1, type=click.Path(exists=True, path_type=Path))
@with_appcontext
def load_command(paths) -> None:
    """Check, then store new form versions (published versions never change)."""
    report = run_load(_paths(paths))
    if report.problems:
        click.echo("何も登録しませんでした / nothing was loaded", err=True)
        sys.exit(1)
    for form_id, version, state in report.loaded:
        click.echo(
            f"{form_id} v{version}: {'登録しました / loaded' if state == 'new' else '変更なし / unchanged'}"
        )


@forms_cli.command("funnel")
@click.argument("form_id", required=False)
@with_appcontext
def funnel_command(form_id: str | None) -> None:
    """Where residents give up: starts, each page reached, check page, submissions."""
    published = [v for v in versions.published_forms() if form_id in (None, v.form_id)]
    if not published:
        click.echo("様式が見つかりません / no such form", err=True)
        sys.exit(1)
    for fv in published:
        counts = funnel.funnel(fv.id)
        defn = versions.definition(fv)
        steps = ["start", *[f"page:{p.id}" for p in defn.pages], "check", "submitted"]
        started = counts.get("start", 0)
        done = counts.get("submitted", 0)
        rate = f"{done / started * 100:.1f}%" if started else "—"
        click.echo(f"{fv.form_id} v{fv.version}: 完了率 completion {rate} ({done}/{started})")
        for step in steps:
            n = counts.get(step, 0)
            share = f"{n / started * 100:5.1f}%" if started else "    —"
            click.echo(f"  {step:<28} {n:>6}  {share}")


@forms_cli.command("reference")
@click.option(
    "--output",
    "-o",
    type=click.Path(dir_okay=False, path_type=Path),
    default=REFERENCE,
    show_default="docs/form-reference.md",
    help="書き出し先（- で標準出力） / where to write it (- for standard output)",
)
def reference_command(output: Path) -> None:
    """様式の定義のリファレンスを書き出す / write the form-definition reference (Markdown)."""
    text = reference()
    if str(output) == "-":
        click.echo(text, nl=False)
        return
    output.write_text(text, encoding="utf-8")
    click.echo(f"書き出しました / written: {output}")
