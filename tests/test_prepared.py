"""Statements compiled once and run on the driver's cursor behave as SQLAlchemy's own."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import (
    JSON,
    Column,
    DateTime,
    Integer,
    MetaData,
    String,
    Table,
    bindparam,
    event,
    insert,
    select,
)
from sqlalchemy.exc import IntegrityError

from app.extensions import db
from app.prepared import Prepared

rows = Table(
    "prepared_rows",
    MetaData(),
    Column("id", Integer, primary_key=True),
    Column("code", String(20), unique=True),
    Column("body", JSON),
    Column("at", DateTime(timezone=True)),
)
ADD = Prepared(
    insert(rows)
    .values(code=bindparam("code", type_=rows.c.code.type), body=bindparam("body", type_=JSON),
            at=bindparam("at", type_=rows.c.at.type))
    .returning(rows.c.id)
)  # fmt: skip
GET = Prepared(
    select(rows.c.code, rows.c.body, rows.c.at).where(
        rows.c.code == bindparam("code", type_=rows.c.code.type)
    )
)
BODY = {"氏名": "山田 太郎", "items": [1, "２", None], "ok": True}
AT = datetime(2026, 4, 1, 9, 30, 15, 123456, tzinfo=UTC)


@pytest.fixture
def table(backend_app):
    with backend_app.app_context():
        rows.create(db.engine)
        yield db.engine
        db.session.remove()
        rows.drop(db.engine)


def test_values_read_back_as_sqlalchemy_reads_them(table):
    with table.begin() as conn:
        (new_id,) = ADD.rows(conn, {"code": "a-1", "body": BODY, "at": AT})[0]
    assert isinstance(new_id, int)
    got = GET.read(table, {"code": "a-1"})
    with table.connect() as conn:
        core = [tuple(r) for r in conn.execute(select(rows.c.code, rows.c.body, rows.c.at))]
    assert got == core
    code, body, at = got[0]
    assert (code, body) == ("a-1", BODY)
    assert at.replace(tzinfo=None) == AT.replace(tzinfo=None)
    assert GET.read(table, {"code": "none"}) == []


def test_statements_are_counted_and_errors_are_sqlalchemys(table):
    seen = []

    def count(conn, cursor, statement, *args):
        seen.append(statement)

    event.listen(table, "before_cursor_execute", count)
    try:
        with table.begin() as conn:
            ADD.rows(conn, {"code": "b-1", "body": {}, "at": AT})
        assert len(seen) == 1 and seen[0].startswith("INSERT INTO prepared_rows")
        with pytest.raises(IntegrityError), table.begin() as conn:
            ADD.rows(conn, {"code": "b-1", "body": {}, "at": AT})
    finally:
        event.remove(table, "before_cursor_execute", count)
    assert len(GET.read(table, {"code": "b-1"})) == 1  # the failed one left nothing


def test_a_value_not_given_is_an_error_not_a_null(table):
    with pytest.raises(KeyError), table.begin() as conn:
        ADD.rows(conn, {"code": "c-1", "body": {}})
