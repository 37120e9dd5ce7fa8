"""Tetsuzuki (手続き): a prefecture's administrative procedures, online and measured."""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

from flask import Flask

from config import Config

try:
    __version__ = version("tetsuzuki")
except PackageNotFoundError:  # run from a checkout that was never installed
    __version__ = "0+unknown"


def create_app(config_class: type = Config, instance_path: str | None = None, **overrides) -> Flask:
    """Build the application: config, extensions, blueprints, CLI — nothing else."""
    app = Flask(__name__, instance_path=instance_path, instance_relative_config=True)
    app.config.from_object(config_class)
    app.config.update(overrides)

    from . import settings

    settings.resolve(app)
    app.session_interface = settings.SessionInterface()
    settings.trust_proxies(app)

    from .extensions import babel, csrf, db, limiter, login, migrate

    db.init_app(app)
    migrate.init_app(app, db, directory=settings.migrations_dir())
    csrf.init_app(app)
    babel.init_app(app, locale_selector=settings.select_locale)
    settings.quick_template_gettext(app)
    login.init_app(app)
    limiter.init_app(app)
    settings.limits_on_routes_only(app, limiter)
    settings.configure_sqlite(app, db)

    from . import web
    from .api.docs import bp as api_docs_bp
    from .api.views import bp as api_bp
    from .catalogue.views import bp as catalogue_bp
    from .dashboard.views import bp as dashboard_bp
    from .health import bp as health_bp
    from .opendata.views import bp as opendata_bp
    from .staff.views import bp as staff_bp
    from .submissions.views import bp as submissions_bp

    app.register_blueprint(catalogue_bp)
    app.register_blueprint(dashboard_bp)
    app.register_blueprint(api_bp)
    app.register_blueprint(api_docs_bp)
    app.register_blueprint(opendata_bp)
    app.register_blueprint(health_bp)
    app.register_blueprint(submissions_bp)
    app.register_blueprint(staff_bp)
    csrf.exempt(api_bp)
    web.init_app(app)

    from .api.cli import api_tokens_cli
    from .catalogue.cli import catalogue_cli, demo_command
    from .dashboard.cli import kpi_command
    from .submissions.cli import forms_cli

    app.cli.add_command(catalogue_cli)
    app.cli.add_command(kpi_command)
    app.cli.add_command(demo_command)
    app.cli.add_command(forms_cli)
    app.cli.add_command(api_tokens_cli)
    from .staff.cli import users_cli

    app.cli.add_command(users_cli)
    from . import documents
    from .jobs.cli import jobs_cli, report_cli, worker_command

    documents.init_app(app)
    app.cli.add_command(worker_command)
    app.cli.add_command(jobs_cli)
    app.cli.add_command(report_cli)
    from .jobs import sweeper

    sweeper.init_app(app)  # inline jobs: the serving process sweeps the outbox itself
    return app
