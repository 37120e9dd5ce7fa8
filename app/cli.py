"""Commands that span features: `flask demo` loads what this repository ships (the
illustrative catalogue, the six forms, demo staff accounts)."""

from __future__ import annotations

import sys

import click
from flask.cli import with_appcontext

from app.catalogue.cli import SHIPPED as CATALOGUE
from app.catalogue.cli import run_import
from app.staff.services import DEMO_PASSWORD, ensure_demo_users
from app.submissions.cli import SHIPPED as FORMS
from app.submissions.cli import run_load


@click.command("demo", help="同梱の台帳などを読み込む / load the shipped catalogue (idempotent)")
@with_appcontext
def demo_command() -> None:
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
