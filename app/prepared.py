"""Statements compiled once and run on the driver's cursor: the hottest paths' few.

SQLAlchemy's execution works out, for every statement it runs, a cache key, an execution
context and a result object; for the two requests residents make most — a question
page reads its draft, a submission writes its rows — that costs more than the database
does. A `Prepared` statement is an ordinary Core statement, compiled once per dialect; it
runs on the connection's own DBAPI cursor through the connection's `_cursor_execute`, so
that it is still logged and counted (`before_cursor_execute`), its errors are still
SQLAlchemy's (IntegrityError, OperationalError, a lost connection invalidated), and it
belongs to the session's transaction. `_cursor_execute` is private to SQLAlchemy:
pyproject.toml pins the release range that tests/test_prepared.py checks this against.
Values go through the columns' own bind and result
processors: what is stored and read back is what SQLAlchemy itself would store and read.

Only for statements without SQLAlchemy-side defaults: every value a statement binds is
given by the caller (a missing one is a KeyError, not a NULL).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import bindparam
from sqlalchemy.engine import Connection, Dialect, Engine
from sqlalchemy.sql import ClauseElement


def param(name: str, column):
    """A bound parameter typed like `column`: its value goes through the column's own bind
    processor (a JSON column's dict, a date), as the ORM would send it."""
    return bindparam(name, type_=column.type)


@dataclass(frozen=True)
class _Compiled:
    sql: str
    names: tuple[str, ...]  # the bound parameters, in the order a positional driver takes
    positional: bool
    binds: tuple[Callable | None, ...]  # a bind processor per name (None: the value as is)
    results: tuple[Callable | None, ...] | None  # a result processor per column, or no rows


class Prepared:
    """A Core statement (with `bindparam`s, or the columns of an INSERT's `values()`),
    compiled once per dialect, run on a connection's driver cursor."""

    def __init__(self, statement: ClauseElement):
        self.statement = statement
        self._compiled: dict[str, _Compiled] = {}

    def rows(self, conn: Connection, params: Mapping[str, Any]) -> list[tuple]:
        """Run it → its rows, each value as SQLAlchemy would read it."""
        c = self._for(conn.dialect)
        cursor = conn.connection.cursor()
        try:
            conn._cursor_execute(cursor, c.sql, self._parameters(c, params))
            got = cursor.fetchall() if c.results is not None else []
        finally:
            cursor.close()
        if not got or not any(c.results or ()):
            return [tuple(r) for r in got]
        procs = c.results
        return [tuple(p(v) if p else v for p, v in zip(procs, r, strict=True)) for r in got]

    def read(self, engine: Engine, params: Mapping[str, Any]) -> list[tuple]:
        """Run a read on a connection of its own, outside any session: a fifth of the cost
        of beginning the session's transaction for it (it sees only what is committed)."""
        with engine.connect() as conn:
            return self.rows(conn, params)

    @staticmethod
    def _parameters(c: _Compiled, params: Mapping[str, Any]) -> Sequence | dict:
        values = [p(params[n]) if p else params[n] for n, p in zip(c.names, c.binds, strict=True)]
        return tuple(values) if c.positional else dict(zip(c.names, values, strict=True))

    def _for(self, dialect: Dialect) -> _Compiled:
        c = self._compiled.get(dialect.name)
        if c is None:
            c = self._compiled[dialect.name] = _compile(self.statement, dialect)
        return c


def _compile(statement: ClauseElement, dialect: Dialect) -> _Compiled:
    compiled = statement.compile(dialect=dialect)
    names = tuple(compiled.positiontup or compiled.binds)
    binds = tuple(
        compiled.binds[n].type.dialect_impl(dialect).bind_processor(dialect) for n in names
    )
    columns = getattr(statement, "selected_columns", None)
    if columns is None or not len(columns):
        columns = getattr(statement, "exported_columns", None)
    results = (
        tuple(col.type.dialect_impl(dialect).result_processor(dialect, None) for col in columns)
        if columns is not None and len(columns)
        else None
    )
    return _Compiled(compiled.string, names, bool(compiled.positional), binds, results)
