"""`flask staff …` (also `flask users …`): the accounts from the command line, with the
same rules as the workspace's account pages (app/staff/accounts.py), each change audited."""

from __future__ import annotations

import sys

import click
from flask.cli import with_appcontext

from app.clock import format_time
from app.extensions import db

from . import accounts, services
from .models import ROLES


@click.group("staff", help="職員アカウント / staff accounts")
def staff_cli() -> None:
    pass


def _fail(message: str) -> None:
    click.echo(message, err=True)
    sys.exit(1)


def _account(email: str):
    user = accounts.find(email)
    if user is None:
        _fail(f"アカウントがありません / no such account: {email}")
    return user


@staff_cli.command("create")
@click.argument("email")
@click.option("--role", type=click.Choice(sorted(ROLES)), required=True)
@click.option(
    "--department", "department_code", default=None, help="部局コード（department のとき必須）"
)
@click.option("--name", default=None)
@click.password_option(help="12文字以上 / 12 characters or more")
@with_appcontext
def create_command(email, role, department_code, name, password) -> None:
    try:
        user = services.create_user(
            email, password, role, name=name, department_code=department_code
        )
    except services.AccountError as exc:
        _fail(str(exc))
    services.audit(None, "user.create", f"user:{user.email}", {"role": role, "by": "cli"})
    db.session.commit()
    click.echo(f"作成しました / created: {user.email} ({role})")


@staff_cli.command("list")
@with_appcontext
def list_command() -> None:
    """アカウントの一覧 / every account: e-mail, role, department, two-factor, state."""
    for u in accounts.all_accounts():
        click.echo(
            "\t".join(
                (
                    u.email,
                    u.role,
                    u.department.code if u.department else "-",
                    "2fa" if u.totp_enabled_at else "-",
                    "active" if u.active else "inactive",
                    format_time(u.last_login_at, "en") if u.last_login_at else "-",
                )
            )
        )


def _set_active(email: str, active: bool) -> None:
    user = _account(email)
    if accounts.set_active(user, active):
        services.audit(None, "user.active", f"user:{user.email}", {"active": active, "by": "cli"})
        db.session.commit()
    state = "有効 / active" if active else "停止 / inactive"
    click.echo(f"{user.email}: {state}")


@staff_cli.command("deactivate")
@click.argument("email")
@with_appcontext
def deactivate_command(email) -> None:
    """停止（ログイン中の画面も終了） / deactivate (its sessions end)."""
    _set_active(email, False)


@staff_cli.command("reactivate")
@click.argument("email")
@with_appcontext
def reactivate_command(email) -> None:
    """再開 / reactivate."""
    _set_active(email, True)


@staff_cli.command("change")
@click.argument("email")
@click.option("--role", type=click.Choice(sorted(ROLES)), default=None)
@click.option("--department", "department_code", default=None, help="部局コード")
@click.option("--name", default=None)
@with_appcontext
def change_command(email, role, department_code, name) -> None:
    """役割・部局・氏名を変える / change the role, department or name."""
    user = _account(email)
    try:
        changes = accounts.change(user, role=role, department_code=department_code, name=name)
    except services.AccountError as exc:
        _fail(str(exc))
    if changes:
        services.audit(None, "user.change", f"user:{user.email}", {**changes, "by": "cli"})
        db.session.commit()
    for field, (before, after) in changes.items():
        click.echo(f"{field}: {before or '-'} → {after or '-'}")
    if not changes:
        click.echo("変更はありません / nothing changed")


@staff_cli.command("reset-link")
@click.argument("email")
@with_appcontext
def reset_link_command(email) -> None:
    """パスワード設定用の一度だけ使えるリンク / a one-time link to set a new password."""
    user = _account(email)
    try:
        token, reset = accounts.issue_reset(user)
    except services.AccountError as exc:
        _fail(str(exc))
    services.audit(
        None,
        "user.reset_link",
        f"user:{user.email}",
        {"expires_at": reset.expires_at.isoformat(), "by": "cli"},
    )
    db.session.commit()
    click.echo(accounts.reset_url(token))
    click.echo(
        f"有効期限 / expires: {format_time(reset.expires_at, 'en')}"
        " — 一度だけ使えます。本人に直接渡してください / works once: hand it to the person",
        err=True,
    )


@staff_cli.command("history")
@click.argument("email")
@click.option("--limit", default=20, show_default=True, type=click.IntRange(1, 1000))
@with_appcontext
def history_command(email, limit) -> None:
    """ログイン履歴 / sign-in history: time, network, result, factor."""
    user = _account(email)
    for s in accounts.history(user, limit):
        click.echo(
            "\t".join(
                (
                    format_time(s.at, "en", seconds=True),
                    s.ip or "-",
                    "ok" if s.success else "failed",
                    s.factor,
                )
            )
        )
