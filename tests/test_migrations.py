"""Migrations build the same schema as the models, from nothing, on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import upgrade
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
