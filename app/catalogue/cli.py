"""`flask catalogue import|export`."""

from __future__ import annotations

import getpass
import sys
from pathlib import Path

import click
from flask.cli import with_appcontext

from app.resources import shipped

from . import csvfiles, excel, services

SHIPPED = shipped("procedures")


@click.group(
    "catalogue", help="手続台帳の取込・書出し / import and export the procedures catalogue"
)
def catalogue_cli() -> None:
    pass


MAX_BY = 200  # the recorded_by columns


def who_ran() -> str:
    """The person at the terminal when `--by` is not given: their login name."""
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no name for this uid (a bare container)
        return "unknown"


def run_import(
    directory: Path, dry_run: bool, quiet: bool = False, *, by: str
) -> services.ImportReport:
    """Import and print the report; every new status and volume row records `by`."""
    total = services.count_rows(directory)
    if sys.stderr.isatty() and total > 2000 and not quiet:
        with click.progressbar(length=total, label="取込中 / importing", file=sys.stderr) as bar:
            report = services.import_catalogue(
                directory, dry_run=dry_run, progress=bar.update, recorded_by=by
            )
    else:
        report = services.import_catalogue(directory, dry_run=dry_run, recorded_by=by)
    for w in report.warnings:
        click.echo(f"{w}（警告 / warning）", err=True)
    for p in report.problems:
        click.echo(str(p), err=True)
    return report


@catalogue_cli.command("import")
@click.argument("directory", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--dry-run", is_flag=True, help="確認のみで書き込まない / check only, write nothing")
@click.option(
    "--by",
    default=None,
    metavar="NAME",
    help="記録者（既定: ログイン名） / who is importing, recorded on each new row (default: your login name)",
)
@with_appcontext
def import_command(directory: Path, dry_run: bool, by: str | None) -> None:
    """Read procedures.csv, volumes.csv and status_history.csv from DIRECTORY."""
    by = who_ran() if by is None else by.strip()
    if not by or len(by) > MAX_BY:
        click.echo(
            f"--by には1〜{MAX_BY}文字の名前を指定してください / --by takes a name of 1 to {MAX_BY} characters",
            err=True,
        )
        sys.exit(2)
    report = run_import(directory, dry_run, by=by)
    if not report.ok:
        click.echo(
            f"{len(report.problems)} 件の誤りがあるため、何も書き込みませんでした。"
            f" / {len(report.problems)} problem(s): nothing was written.",
            err=True,
        )
        sys.exit(1)
    if dry_run:  # what a real import would change, field by field
        for change in report.changes:
            click.echo(change)
    c = report.counts
    verb = (
        "確認のみ（書き込みなし） / dry run, nothing written"
        if dry_run
        else "取り込みました / imported"
    )
    click.echo(
        f"{verb}: 部局 departments +{c['departments_created']} ~{c['departments_updated']}, "
        f"手続 procedures +{c['procedures_created']} ~{c['procedures_updated']} ={c['procedures_unchanged']}, "
        f"件数 volumes +{c['volumes_added']} ={c['volumes_unchanged']}, "
        f"状態 statuses +{c['statuses_added']} ={c['statuses_unchanged']}"
    )


@catalogue_cli.command("export")
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
@with_appcontext
def export_command(directory: Path) -> None:
    """Write the three catalogue files to DIRECTORY (UTF-8 with BOM)."""
    n = services.export_catalogue(directory)
    for name in (csvfiles.PROCEDURES, csvfiles.VOLUMES, csvfiles.STATUS_HISTORY):
        for w in excel.file_warnings(directory / name):
            click.echo(f"{w}（警告 / warning）", err=True)
    click.echo(
        f"書き出しました / exported: procedures {n['procedures']}, volumes {n['volumes']}, "
        f"statuses {n['statuses']} → {directory}"
    )
