"""Settings: defaults plus environment variables, read here and nowhere else."""

from __future__ import annotations

import os

_TRUE = {"1", "true", "yes", "on"}


def _env(name: str, default: str | None = None) -> str | None:
    value = os.environ.get(name)
    return value if value not in (None, "") else default


class Config:
    # None → generated once into the instance folder (see app.settings)
    SECRET_KEY = _env("SECRET_KEY")
    # None → sqlite:///<instance>/app.db
    SQLALCHEMY_DATABASE_URI = _env("DATABASE_URL")
    SQLALCHEMY_ENGINE_OPTIONS: dict = {"pool_pre_ping": True}
    REDIS_URL = _env("REDIS_URL")
    REDIS_KEY_PREFIX = _env("REDIS_KEY_PREFIX", "tetsuzuki:")
    UPLOAD_DIR = _env("UPLOAD_DIR")
    MAIL_URL = _env("MAIL_URL")
    BASE_URL = _env("BASE_URL", "http://127.0.0.1:5000")
    KPI_BASIS = _env("KPI_BASIS", "latest")
    # The plan's baseline survey year: the dashboard shows basis fixed:<this> beside latest.
    KPI_BASELINE_YEAR = int(_env("KPI_BASELINE_YEAR", "2021") or 2021)
    # Targets of the plan: scope → last fiscal year by which it should reach 100 %.
    KPI_TARGETS = {"priority": 2024, "all": 2026}

    LANGUAGES = ("ja", "en")
    BABEL_DEFAULT_LOCALE = "ja"
    BABEL_DEFAULT_TIMEZONE = "Asia/Tokyo"
    BABEL_TRANSLATION_DIRECTORIES = "translations"
    MAX_CONTENT_LENGTH = 32 * 1024 * 1024


class TestConfig(Config):
    TESTING = True
    SECRET_KEY = "test-secret-key"
    SQLALCHEMY_DATABASE_URI = "sqlite://"
    REDIS_URL = None
    WTF_CSRF_ENABLED = False

    # Real servers for the tests that need them; under CI their absence is a failure.
    TEST_DATABASE_URL = _env(
        "TEST_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
    )
    TEST_REDIS_URL = _env("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
    CI = (_env("CI", "") or "").lower() in _TRUE
