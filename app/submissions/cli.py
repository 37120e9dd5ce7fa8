"""`flask forms check|load|funnel|reference`."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from app.formengine.reference import reference
from app.resources import shipped

from . import funnel, honesty, recovery, results, versions

SHIPPED = shipped("forms")
REFERENCE = Path("docs") / "form-reference.md"  # in the repository, where the docs live


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
    warnings: list[str] = []
    ok, problems = versions.check_forms(_paths(paths), with_catalogue=known, warnings=warnings)
    for w in warnings:
        click.echo(f"{w}（警告 / warning）", err=True)
    for p in problems:
        click.echo(p, err=True)
    if problems:
        click.echo(f"{len(problems)} 件の誤りがあります / {len(problems)} problem(s)", err=True)
        sys.exit(1)
    # the catalogue's features against what each form does: warnings, not errors
    # (only when the catalogue can be read: without a migrated database there is none)
    mismatches = [
        f"{path}:1: {w}"
        for path, defn, _text in (ok if known else [])
        for w in honesty.catalogue_mismatches(defn)
    ]
    for w in mismatches:
        click.echo(f"{w}（警告 / warning）", err=True)
    warnings += mismatches
    click.echo(
        f"問題はありません / no problems: {len(ok)} form(s)"
        + (f"（警告 {len(warnings)} 件 / {len(warnings)} warning(s)）" if warnings else "")
    )


def run_load(paths: list[Path]) -> versions.LoadReport:
    report = versions.load_forms(paths)
    for w in report.warnings:
        click.echo(f"{w}（警告 / warning）", err=True)
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


@click.group("results", help="交付文書の署名鍵 / the signing key of result documents")
def results_cli() -> None:
    pass


@results_cli.command("dev-key")
@with_appcontext
def dev_key_command() -> None:
    """Make the development signing key and self-signed certificate (once), unless
    RESULT_SIGNING_P12 names the prefecture's own."""
    if current_app.config.get("RESULT_SIGNING_P12"):
        click.echo(
            "RESULT_SIGNING_P12 が設定されています / RESULT_SIGNING_P12 is set: nothing made"
        )
        return
    path = results.make_development_key()
    click.echo(f"開発用の署名鍵 / development signing key: {path.name} (instance folder)")


@forms_cli.command("reference")
@click.option(
    "--output",
    "-o",
    type=click.Path(dir_okay=False, path_type=Path),
    default=REFERENCE,
    show_default=True,
    help="書き出し先（- で標準出力） / where to write it (- for standard output)",
)
def reference_command(output: Path) -> None:
    """様式の定義のリファレンスを書き出す / write the form-definition reference (Markdown)."""
    try:
        text = reference()
    except KeyError as exc:  # a type or key added to the engine without its note
        click.echo(f"説明のないキーがあります / {exc.args[0]}", err=True)
        sys.exit(1)
    if str(output) == "-":
        click.echo(text, nl=False)
        return
    try:
        output.write_text(text, encoding="utf-8")
    except OSError as exc:
        click.echo(f"書き出せません / cannot write {output}: {exc.strerror}", err=True)
        sys.exit(1)
    click.echo(f"書き出しました / written: {output}")


# --- recovery: receipts and mails (recovery.py) ----------------------------------------------


def _chosen(receipt_nos: tuple[str, ...], first, last) -> list:
    """The submissions named, or received in the date range; exits on a bad choice."""
    if bool(receipt_nos) == bool(first or last):
        click.echo(
            "受付番号か --from/--to のどちらかを指定してください / give receipt numbers or"
            " --from/--to, not both",
            err=True,
        )
        sys.exit(2)
    if receipt_nos:
        found, missing = recovery.by_receipt_numbers(receipt_nos)
        for number in missing:
            click.echo(f"受付番号 {number} はありません / no receipt {number}", err=True)
        if missing:
            sys.exit(1)
        return found
    first, last = (first or last).date(), (last or first).date()
    if last < first:
        click.echo("--to は --from 以降の日付にしてください / --to is before --from", err=True)
        sys.exit(2)
    return recovery.submissions_between(first, last)


_FROM = click.option(
    "--from", "first", type=click.DateTime(["%Y-%m-%d"]), help="この日から（日本時間） / from"
)
_TO = click.option(
    "--to", "last", type=click.DateTime(["%Y-%m-%d"]), help="この日まで（日本時間） / to"
)


@click.group("receipts", help="申請受付票 / receipts")
def receipts_cli() -> None:
    pass


@receipts_cli.command("regenerate")
@click.argument("receipt_nos", nargs=-1)
@_FROM
@_TO
@click.option(
    "--replace",
    is_flag=True,
    help="正常な受付票も作り直す（旧版は残す） / write anew even when intact (the old one is kept)",
)
@with_appcontext
def regenerate_command(receipt_nos, first, last, replace: bool) -> None:
    """Write receipts missing from DOCUMENT_DIR (or unreadable): by receipt number, or
    for those received --from/--to (days in Japan)."""
    counts: dict[str, int] = {}
    for sub in _chosen(receipt_nos, first, last):
        done = recovery.regenerate(sub, replace=replace)
        counts[done] = counts.get(done, 0) + 1
        click.echo(f"{sub.receipt_no}: {done}")
    summary = ", ".join(f"{k}={v}" for k, v in sorted(counts.items())) or "none"
    click.echo(f"受付票 / receipts: {summary}")


@click.group("mails", help="メール / mails")
def mails_cli() -> None:
    pass


@mails_cli.command("resend")
@click.argument("receipt_nos", nargs=-1)
@_FROM
@_TO
@click.option(
    "--failed", is_flag=True, help="送信に失敗したメールすべて / every mail whose job failed"
)
@with_appcontext
def resend_command(receipt_nos, first, last, failed: bool) -> None:
    """Send a submission's mails again (resident and department), by receipt number or
    date range, or every mail that failed (--failed)."""
    if failed:
        if receipt_nos or first or last:
            click.echo("--failed は単独で指定してください / --failed goes alone", err=True)
            sys.exit(2)
        report = recovery.resend_failed()
    else:
        report = recovery.resend_for(_chosen(receipt_nos, first, last))
    for key in report.queued:
        click.echo(f"{key}: 再送 / sent again")
    for key in report.busy:
        click.echo(f"{key}: 処理待ち・処理中のため対象外 / waiting or running, left alone")
    click.echo(f"再送 / sent again: {len(report.queued)}")
