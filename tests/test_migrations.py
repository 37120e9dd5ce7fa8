"""Migrations build the same schema as the models, from nothing, on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect

from app.extensions import db

TABLES = {"departments", "procedures", "volume_records", "status_changes", "alembic_version"}


def _upgrade_from_nothing(make_app, url):
    app = make_app(url)
    with app.app_context():
        assert inspect(db.engine).get_table_names() == []
        upgrade()
        assert set(inspect(db.engine).get_table_names()) >= TABLES
        with db.engine.connect() as conn:
            diff = compare_metadata(MigrationContext.configure(conn), db.metadata)
        assert diff == [], f"models and migrations differ: {diff}"
        db.session.remove()
        db.drop_all()
        with db.engine.begin() as conn:
            conn.exec_driver_sql("DROP TABLE IF EXISTS alembic_version")
        db.engine.dispose()


def test_upgrade_empty_sqlite_to_head(make_app, tmp_path):
    _upgrade_from_nothing(make_app, f"sqlite:///{tmp_path / 'fresh.db'}")


@pytest.mark.postgres
def test_upgrade_empty_postgresql_to_head(make_app, postgres_url):
    _upgrade_from_nothing(make_app, postgres_url)


def _down_and_up_again(make_app, url):
    """0004 adds the validity dates and the volume note; its downgrade removes them and
    keeps every row, and upgrading again brings the columns back, empty."""
    app = make_app(url)
    with app.app_context():
        upgrade()
        with db.engine.begin() as conn:
            conn.exec_driver_sql(
                "INSERT INTO departments (id, code, name_ja, updated_at)"
                " VALUES (1, '01', '部局', '2026-12-01 00:00:00+00:00')"
            )
            conn.exec_driver_sql(
                "INSERT INTO procedures (id, code, name_ja, department_id, priority, updated_at,"
                " valid_from) VALUES (1, 'A', '手続A', 1, true, '2026-12-01 00:00:00+00:00',"
                " '2023-10-01')"
            )
            conn.exec_driver_sql(
                "INSERT INTO volume_records (procedure_id, fiscal_year, receipts, recorded_at,"
                " note) VALUES (1, 2024, 400001, '2026-12-01 00:00:00+00:00', '制度改正')"
            )
        downgrade(revision="0003_staff_jobs_tokens")
        columns = {
            t: {c["name"] for c in inspect(db.engine).get_columns(t)}
            for t in ("procedures", "volume_records")
        }
        assert not {"valid_from", "valid_until"} & columns["procedures"]
        assert "note" not in columns["volume_records"]
        with db.engine.connect() as conn:
            assert conn.exec_driver_sql("SELECT code FROM procedures").scalars().all() == ["A"]
            assert conn.exec_driver_sql("SELECT receipts FROM volume_records").scalar() == 400001
        upgrade()
        with db.engine.connect() as conn:
            assert conn.exec_driver_sql("SELECT valid_from, note FROM procedures, volume_records").one() == (None, None)  # fmt: skip
            diff = compare_metadata(MigrationContext.configure(conn), db.metadata)
        assert diff == []
        db.session.remove()
        db.drop_all()
        with db.engine.begin() as conn:
            conn.exec_driver_sql("DROP TABLE IF EXISTS alembic_version")
        db.engine.dispose()


def test_0004_downgrades_and_upgrades_on_sqlite(make_app, tmp_path):
    _down_and_up_again(make_app, f"sqlite:///{tmp_path / 'down.db'}")


@pytest.mark.postgres
def test_0004_downgrades_and_upgrades_on_postgresql(make_app, postgres_url):
    _down_and_up_again(make_app, postgres_url)
