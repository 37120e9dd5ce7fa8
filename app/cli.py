"""Commands that span features: `flask demo` loads what this repository ships (the
illustrative catalogue, the six forms, demo staff accounts); `flask version`; and the
`tetsuzuki` command an installed wheel provides (`flask --app app` with the app's version
in `--version`)."""

from __future__ import annotations

import platform
import sys
from importlib.metadata import version as package_version

import click
from flask import current_app
from flask.cli import AppGroup, FlaskGroup, with_appcontext

from app import __version__, create_app, startup
from app.catalogue.cli import SHIPPED as CATALOGUE
from app.catalogue.cli import run_import
from app.staff.services import DEMO_PASSWORD, ensure_demo_users
from app.submissions.cli import SHIPPED as FORMS
from app.submissions.cli import run_load


@click.command("demo", help="同梱の台帳などを読み込む / load the shipped catalogue (idempotent)")
@with_appcontext
def demo_command() -> None:
    if startup.production(current_app):
        click.echo(
            "flask demo は開発用です（デモ用アカウントのパスワードは公開されています）。本番環境"
            "（TETSUZUKI_ENV=production）では実行できません / flask demo is for development (the"
            " demo accounts' password is published): refused with TETSUZUKI_ENV=production",
            err=True,
        )
        sys.exit(2)
    report = run_import(CATALOGUE, dry_run=False, quiet=True, by="flask demo")
    if not report.ok:
        sys.exit(1)
    c = report.counts
    click.echo(
        f"同梱の手続台帳 / shipped catalogue: +{c['procedures_created']} procedures, "
        f"+{c['volumes_added']} volumes, +{c['statuses_added']} status rows"
    )
    loaded = run_load([FORMS])
    if loaded.problems:
        sys.exit(1)
    new = [f"{i} v{v}" for i, v, state in loaded.loaded if state == "new"]
    click.echo(
        f"同梱の申請様式 / shipped forms: {len(loaded.loaded)} ({', '.join(new) or 'no change'})"
    )
    click.echo("デモ用の職員アカウント / demo staff logins (password: " + DEMO_PASSWORD + "):")
    for email, role in ensure_demo_users():
        click.echo(f"  {email}  ({role})")


config_cli = AppGroup("config", help="設定 / configuration")


@config_cli.command(
    "check", help="設定を確かめる / check the configuration as production start-up does"
)
def config_check_command() -> None:
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    found = startup.problems(app)
    for line in found:
        click.echo(f"- {line}", err=True)
    if found:
        sys.exit(startup.EXIT_STATUS)
    click.echo(
        f"設定に問題はありません / the configuration is fit to serve ({app.config['ENVIRONMENT']})"
    )


def versions() -> str:
    return (
        f"Tetsuzuki {__version__}\nPython {platform.python_version()}\n"
        f"Flask {package_version('flask')}\nWerkzeug {package_version('werkzeug')}"
    )


@click.command("version", help="版を表示する / show the version")
def version_command() -> None:
    click.echo(versions())


def _print_version(ctx: click.Context, _param, value: bool) -> None:
    if value and not ctx.resilient_parsing:
        click.echo(versions())
        ctx.exit()


def main() -> None:
    """`tetsuzuki …`: the same commands as `flask --app app …`, from any folder."""
    version = click.Option(
        ["--version"],
        is_flag=True,
        expose_value=False,
        is_eager=True,
        callback=_print_version,
        help="版を表示する / show the version",
    )
    FlaskGroup(
        name="tetsuzuki", create_app=create_app, add_version_option=False, params=[version]
    ).main()
