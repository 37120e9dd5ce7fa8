"""Settings that depend on the instance folder, locale choice and SQLite tuning."""

from __future__ import annotations

import os
import secrets
from functools import cache
from pathlib import Path

from babel import Locale
from babel.support import NullTranslations
from flask import Flask, current_app, g, request, session
from flask.sessions import SecureCookieSessionInterface
from flask_babel import Domain, get_locale, get_translations
from sqlalchemy import event
from werkzeug.middleware.proxy_fix import ProxyFix

from app import ratelimit_memory
from app.links import check_base_url
from app.resources import shipped


def migrations_dir() -> str:
    return str(shipped("migrations"))


def resolve(app: Flask) -> None:
    """Fill the defaults that live in the instance folder (database file, secret key)."""
    app.config["BASE_URL"] = check_base_url(app.config.get("BASE_URL"))
    instance = Path(app.instance_path)
    instance.mkdir(parents=True, exist_ok=True)
    if not app.config.get("SQLALCHEMY_DATABASE_URI"):
        app.config["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{instance / 'app.db'}"
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = _instance_secret_key(instance / "secret_key")
        app.config["SECRET_KEY_GENERATED"] = True  # fine for development only (startup.py)
    if not app.config.get("UPLOAD_DIR"):
        app.config["UPLOAD_DIR"] = str(instance / "uploads")
    if not app.config.get("RATELIMIT_STORAGE_URI"):
        app.config["RATELIMIT_STORAGE_URI"] = (
            app.config.get("REDIS_URL") or f"{ratelimit_memory.SCHEME}://"
        )
    if app.config["RATELIMIT_STORAGE_URI"].startswith("redis"):
        # a Redis that hangs is given up on as quickly as one that is down (the in-memory
        # fallback then counts), as the job queue does (jobs/queue.py)
        app.config.setdefault(
            "RATELIMIT_STORAGE_OPTIONS", {"socket_timeout": 2, "socket_connect_timeout": 2}
        )
    app.config.setdefault(
        "RATELIMIT_KEY_PREFIX", app.config.get("REDIS_KEY_PREFIX", "tetsuzuki:") + "limits"
    )
    uri = app.config["SQLALCHEMY_DATABASE_URI"]
    if uri.startswith("sqlite"):
        # SQLite needs no pool pre-ping; a busy timeout instead of "database is locked"
        opts = dict(app.config.get("SQLALCHEMY_ENGINE_OPTIONS") or {})
        opts.pop("pool_pre_ping", None)
        opts.setdefault("hide_parameters", True)
        opts.setdefault("connect_args", {"timeout": 30})
        app.config["SQLALCHEMY_ENGINE_OPTIONS"] = opts


def _instance_secret_key(key_file: Path) -> str:
    """The key in the instance folder, made once. Several processes may start at the same
    moment (gunicorn's workers): the key is written under a temporary name and linked into
    place, so every process reads the same whole key, never an empty or a second one."""
    if not key_file.exists():
        tmp = key_file.with_name(f".{key_file.name}.{secrets.token_hex(6)}.tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(secrets.token_hex(32))
        try:
            os.link(tmp, key_file)  # fails if another process got there first: theirs is kept
        except FileExistsError:
            pass
        finally:
            tmp.unlink(missing_ok=True)
    return key_file.read_text().strip()


def trust_proxies(app: Flask) -> None:
    """The client's address and scheme as the PROXY_HOPS trusted proxies report them."""
    hops = app.config.get("PROXY_HOPS") or 0
    if hops:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)


def limits_on_routes_only(app: Flask, limiter) -> None:
    """Every rate limit here is declared on its route, whose decorator checks it; there are
    no application-wide limits. The limiter's own check before every request would only
    look for them (about a sixth of a plain request's time), so it is not installed.

    Flask-Limiter has no public switch for this: its private `_check_request_limit` is
    taken out of the app's before-request functions. pyproject.toml pins the release
    range this is tested with (tests/test_settings.py); a release without it fails here,
    at start-up, not silently."""
    if app.config.get("RATELIMIT_DEFAULT") or app.config.get("RATELIMIT_APPLICATION"):
        return  # a deployment that sets default limits keeps the check
    app.before_request_funcs[None].remove(limiter._check_request_limit)


def configure_sqlite(app: Flask, db) -> None:
    """WAL journal and foreign keys on every SQLite connection."""
    if not app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        return
    with app.app_context():
        engine = db.engine

    @event.listens_for(engine, "connect")
    def _pragmas(dbapi_conn, _record):  # pragma: no cover - trivial
        cur = dbapi_conn.cursor()
        if app.config["SQLALCHEMY_DATABASE_URI"] not in ("sqlite://", "sqlite:///:memory:"):
            cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA busy_timeout=30000")
        cur.close()


class SessionInterface(SecureCookieSessionInterface):
    """The signed-cookie session, except on the JSON API, which is stateless: its requests
    neither read the cookie (no signature to check) nor set or clear it, and its answers
    do not vary by cookie, so that shared caches keep them.

    Flask-Login peeks at the session after every request; on the API it finds an empty
    one, never saved.
    """

    def open_session(self, app, request):
        if _stateless(request.path):
            return self.session_class()
        return super().open_session(app, request)

    def save_session(self, app, session, response):
        if not _stateless(request.path):
            super().save_session(app, session, response)


def _stateless(path: str) -> bool:
    return path.startswith("/api/")


def select_locale() -> Locale:
    """?lang= (remembered in the session), else the browser's languages, else Japanese."""
    langs = current_app.config["LANGUAGES"]
    if _stateless(request.path):  # no session read: public answers stay cacheable
        asked = request.args.get("lang")  # in the address: /api/docs?lang=en
        return _locale(
            (asked if asked in langs else None)
            or request.accept_languages.best_match(langs)
            or current_app.config["BABEL_DEFAULT_LOCALE"]
        )
    asked = request.args.get("lang")
    if asked in CONTENT_LANGUAGES:
        session["lang"] = asked
    chosen = session.get("lang")
    if chosen in CONTENT_LANGUAGES:
        return _locale(EASY_LOCALE if chosen == "ja-easy" else chosen)
    return _locale(
        request.accept_languages.best_match(langs) or current_app.config["BABEL_DEFAULT_LOCALE"]
    )


@cache
def _locale(code: str) -> Locale:
    """One Locale per language code: Flask-Babel would parse the code again per request."""
    return Locale.parse(code)


# languages a page's content may be in: the site's, plus やさしい日本語 where a form has it
CONTENT_LANGUAGES = ("ja", "en", "ja-easy")
# やさしい日本語's catalogue of the built-in texts: Babel knows no locale for it, so it is
# kept as Japanese-in-Japan (app/translations/ja_JP), which no browser setting selects:
# plain Japanese pages use `ja` (the texts as written), dates and numbers read the same
EASY_LOCALE = "ja_JP"


class Catalogues(Domain):
    """The message catalogues, except for Japanese, the language the texts are written in:
    gettext takes `ja` for `ja_JP` (locale.normalize), so without this every Japanese page,
    and every notice and PDF made under force_locale("ja"), would read やさしい日本語."""

    def get_translations(self):
        locale = get_locale()
        if locale is not None and str(locale) == "ja":
            return AS_WRITTEN
        return super().get_translations()


AS_WRITTEN = NullTranslations()


def quick_template_gettext(app: Flask) -> None:
    """The templates' _() finds the catalogue once per locale and request, not once per
    string (Flask-Babel's own lookup costs about as much as a page's fields). A locale
    made by force_locale() is another object, so it gets its own catalogue."""

    def translations():
        ctx = g.get("_flask_babel") if g else None
        locale = getattr(ctx, "babel_locale", None)
        if locale is None:  # not chosen yet: Flask-Babel chooses it
            return get_translations()
        hit = getattr(ctx, "tetsuzuki_translations", None)
        if hit is None or hit[0] is not locale:
            hit = ctx.tetsuzuki_translations = (locale, get_translations())
        return hit[1]

    app.jinja_env.install_gettext_callables(
        gettext=lambda s: translations().ugettext(s),
        ngettext=lambda s, p, n: translations().ungettext(s, p, n),
        pgettext=lambda c, s: translations().upgettext(c, s),
        npgettext=lambda c, s, p, n: translations().unpgettext(c, s, p, n),
        newstyle=True,
    )
