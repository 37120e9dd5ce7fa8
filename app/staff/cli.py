"""`flask users create EMAIL --role R [--department CODE] [--head]`."""

from __future__ import annotations

import sys

import click
from flask.cli import with_appcontext

from app.extensions import db

from . import services
from .models import ROLES


@click.group("users", help="職員アカウント / staff accounts")
def users_cli() -> None:
    pass


@users_cli.command("create")
@click.argument("email")
@click.option("--role", type=click.Choice(sorted(ROLES)), required=True)
@click.option(
    "--department", "department_code", default=None, help="部局コード（department のとき必須）"
)
@click.option("--name", default=None)
@click.option(
    "--head", is_flag=True, help="課長（決裁の department_head の段階） / a head of the department"
)
@click.password_option(help="12文字以上 / 12 characters or more")
@with_appcontext
def create_command(email, role, department_code, name, head, password) -> None:
    try:
        user = services.create_user(
            email, password, role, name=name, department_code=department_code, head=head
        )
    except services.AccountError as exc:
        click.echo(str(exc), err=True)
        sys.exit(1)
    services.audit(
        None, "user.create", f"user:{user.email}", {"role": role, "head": head, "by": "cli"}
    )
    db.session.commit()
    click.echo(f"作成しました / created: {user.email} ({role})")
