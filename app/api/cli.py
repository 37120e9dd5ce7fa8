"""`flask api-tokens create|revoke|list`: tokens for departmental systems."""

from __future__ import annotations

import sys

import click
from flask.cli import with_appcontext

from app.clock import iso_time
from app.extensions import db

from . import tokens


@click.group("api-tokens", help="部局システム用 API トークン / API tokens for departmental systems")
def api_tokens_cli() -> None:
    pass


def _when(value) -> str:
    """Japan time with its offset (2026-12-03T15:39+09:00): never mistaken for the server's UTC."""
    return iso_time(value, timespec="minutes") if value else "—"


@api_tokens_cli.command("create")
@click.option("--department", "department", required=True, help="部局コード / department code")
@click.option("--name", required=True, help="用途（システム名など） / what it is for")
@click.option("--by", default="cli", show_default=True, help="作成者 / who makes it")
@with_appcontext
def create_command(department: str, name: str, by: str) -> None:
    """Make a token; its value is printed once and never stored."""
    try:
        token, plaintext = tokens.create_token(department, name, by)
    except tokens.TokenError as exc:
        click.echo(str(exc), err=True)
        sys.exit(1)
    db.session.commit()
    click.echo(f"作成しました / created: #{token.id} {token.department.code} 「{token.name}」")
    click.echo(plaintext)
    click.echo(
        "この値は二度と表示されません。安全な場所に保管してください。"
        " / This value is shown only now: keep it somewhere safe.",
        err=True,
    )


@api_tokens_cli.command("revoke")
@click.argument("token_id", type=int)
@click.option("--by", default="cli", show_default=True, help="失効させた人 / who revokes it")
@with_appcontext
def revoke_command(token_id: int, by: str) -> None:
    """Revoke a token by its number."""
    try:
        token = tokens.revoke_token(token_id, by)
    except tokens.TokenError as exc:
        click.echo(str(exc), err=True)
        sys.exit(1)
    db.session.commit()
    click.echo(f"失効させました / revoked: #{token.id} ({_when(token.revoked_at)})")


@api_tokens_cli.command("list")
@click.option("--department", "department", default=None, help="部局コード / department code")
@click.option("--active", is_flag=True, help="有効なものだけ / active tokens only")
@with_appcontext
def list_command(department: str | None, active: bool) -> None:
    """Tokens, newest first: number, department, name, prefix, created, last used, revoked."""
    try:
        rows = tokens.list_tokens(department, include_revoked=not active)
    except tokens.TokenError as exc:
        click.echo(str(exc), err=True)
        sys.exit(1)
    if not rows:
        click.echo("トークンはありません / no tokens")
        return
    for t in rows:
        state = f"失効 revoked {_when(t.revoked_at)}" if t.revoked_at else "有効 active"
        click.echo(
            f"#{t.id}\t{t.department.code}\t{t.name}\t{t.prefix}…\t"
            f"作成 created {_when(t.created_at)} ({t.created_by or '—'})\t"
            f"最終利用 last used {_when(t.last_used_at)}\t{state}"
        )
