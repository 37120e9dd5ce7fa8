"""The house put together: settings, extensions, blueprints, commands and the features'
job kinds, bound to one app. `create_app` calls `build`; nothing else imports this.
Every feature is imported here, at the top, and nowhere else all at once."""

from __future__ import annotations

from flask import Flask

from . import logs, metrics, settings, startup, web
from .api.cli import api_tokens_cli
from .api.docs import bp as api_docs_bp
from .api.views import bp as api_bp
from .builder import groups as _builder_groups  # noqa: F401  (a group's questions' routes)
from .builder import preview as _builder_preview  # noqa: F401  (the preview's routes)
from .builder.cli import import_command as forms_import_command
from .builder.views import bp as builder_bp
from .catalogue.cli import catalogue_cli
from .catalogue.views import bp as catalogue_bp
from .cli import config_cli, demo_command, version_command
from .dashboard import effects as dashboard_effects
from .dashboard.cli import kpi_command, report_cli
from .dashboard.views import bp as dashboard_bp
from .documents import pdf
from .extensions import babel, csrf, db, limiter, login, migrate
from .health import bp as health_bp
from .identity import oidc as identity_oidc
from .identity.views import bp as identity_bp
from .jobs import registry as jobs_registry
from .jobs import sweeper
from .jobs.cli import jobs_cli, worker_command
from .opendata.views import bp as opendata_bp
from .staff.account_views import bp as staff_accounts_bp
from .staff.bureau import bp as bureau_bp
from .staff.cases import bp as staff_cases_bp
from .staff.catalogue_import import bp as staff_imports_bp
from .staff.cli import staff_cli
from .staff.decisions import bp as decisions_bp
from .staff.guide_views import bp as staff_guide_bp
from .staff.twofactor_views import bp as staff_twofactor_bp
from .staff.views import bp as staff_bp
from .submissions import effects as submission_effects
from .submissions import mypage as _mypage  # noqa: F401  (マイページ's route)
from .submissions.cli import forms_cli, mails_cli, receipts_cli, results_cli
from .submissions.result_views import bp as results_bp
from .submissions.views import bp as submissions_bp
from .verify.views import bp as verify_bp

# nested once, when the house is first put together (a blueprint is nested before it is
# registered on any app): the accounts and two-factor pages under the staff workspace
staff_bp.register_blueprint(staff_accounts_bp)
staff_bp.register_blueprint(staff_twofactor_bp)  # /staff/login/code, /staff/2fa
staff_bp.register_blueprint(staff_imports_bp)  # /staff/catalogue/import
staff_bp.register_blueprint(staff_guide_bp)  # /staff/procedures/<code>/guide
forms_cli.add_command(forms_import_command)  # `flask forms import`: a 様式 into a form's YAML


def build(app: Flask) -> None:
    serving = sweeper.serving()
    logs.configure(app, "web" if serving else "cli")
    logs.report_errors(app)
    settings.resolve(app)
    app.session_interface = settings.SessionInterface()
    settings.trust_proxies(app)

    db.init_app(app)
    migrate.init_app(app, db, directory=settings.migrations_dir())
    csrf.init_app(app)
    babel.init_app(app, locale_selector=settings.select_locale)
    babel.domain_instance = settings.Catalogues()  # Japanese as written, not ja_JP's
    settings.quick_template_gettext(app)
    login.init_app(app)
    limiter.init_app(app)
    settings.limits_on_routes_only(app, limiter)
    settings.configure_sqlite(app, db)

    for bp in (
        catalogue_bp, dashboard_bp, api_bp, api_docs_bp, opendata_bp, health_bp,
        submissions_bp, staff_bp, staff_cases_bp, builder_bp, bureau_bp, decisions_bp,
        results_bp, verify_bp, identity_bp,
    ):  # fmt: skip
        app.register_blueprint(bp)
    identity_oidc.init_app(app)  # the sign-in providers of OIDC_PROVIDERS, checked now
    csrf.exempt(api_bp)
    metrics.init_app(app)  # first: its clock starts before any other hook
    logs.init_app(app)
    web.init_app(app)

    for command in (
        catalogue_cli, kpi_command, report_cli, demo_command, forms_cli, api_tokens_cli,
        staff_cli, worker_command, jobs_cli, version_command, config_cli, receipts_cli,
        mails_cli, results_cli,
    ):  # fmt: skip
        app.cli.add_command(command)
    app.cli.add_command(staff_cli, "users")  # the older name of `flask staff`

    # what logs and metrics hear from the ground floor (which imports neither)
    jobs_registry.STAMPS["request_id"] = logs.stamped
    jobs_registry.AROUND_RUN["log_lines"] = logs.job_lines
    jobs_registry.AFTER_RUN["metrics"] = metrics.job_ran
    jobs_registry.WORKER_START["logs"] = _worker_logs
    jobs_registry.WORKER_START["production_checks"] = startup.enforce
    pdf.AFTER_RENDER["metrics"] = metrics.pdf_rendered

    # each feature owns its after-effects: its job kinds and periodic work
    submission_effects.register()
    dashboard_effects.register()
    if serving:
        startup.enforce(app)  # production: a configuration that would fail later stops here
    sweeper.init_app(app)  # inline jobs: the serving process sweeps the outbox itself


def _worker_logs(_app: Flask) -> None:
    logs.set_component("worker")
