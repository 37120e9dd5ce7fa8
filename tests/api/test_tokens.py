"""API tokens: made for one department, stored hashed, revoked for good; the CLI."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from app.api import tokens
from app.api.models import ApiToken
from app.extensions import db


def test_create_stores_only_the_hash_and_authenticates(api_app):
    with api_app.app_context():
        token, plaintext = tokens.create_token("01", "受付システム", "staff@example.jp")
        db.session.commit()
        assert plaintext.startswith("tzk_") and len(plaintext) > 40
        row = db.session.scalar(select(ApiToken))
        stored = [str(getattr(row, c.key)) for c in ApiToken.__table__.columns]
        assert plaintext not in " ".join(stored)
        assert row.token_hash == tokens.hash_token(plaintext) and row.prefix == plaintext[:12]
        assert (row.department.code, row.name, row.created_by) == (
            "01",
            "受付システム",
            "staff@example.jp",
        )
        assert row.last_used_at is None
        assert tokens.authenticate(plaintext) is row
        assert row.last_used_at is not None
        assert tokens.authenticate(plaintext + "x") is None
        assert tokens.authenticate("") is None and tokens.authenticate("トークン") is None
        second, other = tokens.create_token(row.department, "別のシステム")
        assert other != plaintext and second.id != row.id


def test_revoke_is_for_good_and_idempotent(api_app):
    with api_app.app_context():
        token, plaintext = tokens.create_token("01", "x")
        tokens.revoke_token(token.id, "admin@example.jp")
        db.session.commit()
        first = token.revoked_at
        assert tokens.authenticate(plaintext) is None
        again = tokens.revoke_token(token.id, "someone-else")
        assert again.revoked_at == first and again.revoked_by == "admin@example.jp"
        assert tokens.list_tokens("01", include_revoked=False) == []
        assert tokens.list_tokens("01") == [token]


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: tokens.create_token("99", "x"), "no such department"),
        (lambda: tokens.create_token("01", "  "), "a name is required"),
        (lambda: tokens.create_token("01", "x" * 201), "too long"),
        (lambda: tokens.revoke_token(12345), "no such token"),
    ],
)
def test_errors_say_why_in_both_languages(api_app, call, message):
    with api_app.app_context(), pytest.raises(tokens.TokenError, match=message) as exc:
        call()
    assert " / " in str(exc.value)


def test_cli_create_list_revoke(api_app):
    runner = api_app.test_cli_runner()
    made = runner.invoke(
        args=["api-tokens", "create", "--department", "02", "--name", "統計システム"]
    )
    assert made.exit_code == 0, made.output
    plaintext = re.search(r"^(tzk_\S+)$", made.stdout, re.M).group(1)
    assert "二度と表示されません" in made.stderr
    with api_app.app_context():
        token = tokens.authenticate(plaintext)
        assert token is not None and token.department.code == "02" and token.created_by == "cli"
        token_id = token.id
    listed = runner.invoke(args=["api-tokens", "list"])
    assert f"#{token_id}\t02\t統計システム\t{plaintext[:12]}…" in listed.output
    assert plaintext not in listed.output and "有効 active" in listed.output
    created = re.search(r"作成 created (\S+)", listed.output).group(1)
    assert datetime.fromisoformat(created).utcoffset() == timedelta(hours=9)  # not the server's UTC
    revoked = runner.invoke(args=["api-tokens", "revoke", str(token_id)])
    assert revoked.exit_code == 0 and "revoked" in revoked.output
    assert "失効 revoked" in runner.invoke(args=["api-tokens", "list"]).output
    assert "no tokens" in runner.invoke(args=["api-tokens", "list", "--active"]).output
    with api_app.app_context():
        assert tokens.authenticate(plaintext) is None


def test_cli_errors_exit_1(api_app):
    runner = api_app.test_cli_runner()
    bad = runner.invoke(args=["api-tokens", "create", "--department", "ZZ", "--name", "x"])
    assert bad.exit_code == 1 and "no such department" in bad.output
    assert runner.invoke(args=["api-tokens", "revoke", "999"]).exit_code == 1
    assert runner.invoke(args=["api-tokens", "list", "--department", "ZZ"]).exit_code == 1
