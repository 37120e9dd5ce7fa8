"""Shared web plumbing: error pages (JSON under /api), template helpers."""

from __future__ import annotations

from datetime import datetime
from urllib.parse import parse_qsl, quote, urlencode, urlsplit

from flask import (
    Flask,
    current_app,
    jsonify,
    make_response,
    render_template,
    request,
    session,
    url_for,
)
from flask.json.provider import DefaultJSONProvider
from flask_babel import force_locale, get_locale
from flask_babel import gettext as _
from jinja2 import pass_context
from jinja2.runtime import Context
from markupsafe import Markup
from sqlalchemy.exc import DisconnectionError, InterfaceError, OperationalError
from werkzeug.exceptions import HTTPException, InternalServerError, ServiceUnavailable
from werkzeug.serving import WSGIRequestHandler

from app.clock import format_time, iso_time, japan_time
from app.extensions import db
from app.kpi import fiscal

ERROR_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "too_large",
    415: "unsupported_media_type",
    422: "invalid",
    429: "too_many_requests",
    500: "server_error",
    503: "unavailable",
}


def current_lang() -> str:
    locale = get_locale()
    return locale.language if locale else "ja"


def content_lang(available: tuple[str, ...] | list[str] = ("ja", "en")) -> str:
    """The language for a form's own texts: the resident's choice when the form has it."""
    lang = current_lang()  # resolves ?lang= first, which remembers it in the session
    chosen = session.get("lang")
    if chosen in available:
        return chosen
    return lang if lang in available else "ja"


def wants_json() -> bool:
    return request.path.startswith("/api/") or request.path == "/healthz"


def error_messages() -> dict[int, str]:
    return {
        400: _("リクエストの内容が正しくありません。"),
        403: _("このページを表示する権限がありません。"),
        404: _("お探しのページは見つかりませんでした。"),
        405: _("この操作はできません。"),
        413: _too_large(),
        429: _("短時間にアクセスが集中しています。しばらくしてからもう一度お試しください。"),
        500: _("システムでエラーが発生しました。時間をおいてもう一度お試しください。"),
        503: _("ただいまサービスを利用できません。時間をおいてもう一度お試しください。"),
    }


def _too_large() -> str:
    limit = current_app.config.get("MAX_CONTENT_LENGTH")
    if not limit:
        return _("送信されたデータが大きすぎます。")
    return _(
        "送信されたデータが大きすぎます。ファイルを小さくするか、分けて送ってください"
        "（1回に送れるのは合計%(max)sMBまでです）。",
        max=f"{limit / 1024 / 1024:g}",
    )


def json_error(status: int, message: str, code: str | None = None, errors: dict | None = None):
    """The one shape of every JSON error: `{"error", "message", "errors"?}`."""
    body = {"error": code or ERROR_CODES.get(status, "error"), "message": message}
    if errors is not None:
        body["errors"] = errors
    return jsonify(body), status


def _handle(exc: Exception):
    if not isinstance(exc, HTTPException):
        current_app.logger.exception("unhandled error on %s %s", request.method, request.path)
        exc = InternalServerError(original_exception=exc)
    status = exc.code or 500
    messages = error_messages()
    message = messages.get(status) or exc.description or ""
    if wants_json():
        return json_error(status, _in_both_languages(status, exc))
    # after a refused upload or too many in a row, the way back to the page of the form
    # (its answers are kept)
    rule = request.url_rule
    back = request.path if status in (413, 429) and rule and "GET" in (rule.methods or ()) else None
    return render_template("error.html", status=status, message=message, back=back), status


def _in_both_languages(status: int, exc: HTTPException) -> str:
    """An API error says what happened as every API message does: "日本語 / English"
    (a 400 gives the parser's own English detail: it names what could not be read)."""
    texts = []
    for lang in ("ja", "en"):
        with force_locale(lang):
            texts.append(error_messages().get(status) or "")
    detail = exc.description if status == 400 else None
    if isinstance(detail, str) and detail:
        texts[1] = detail
    return " / ".join(t for t in texts if t) or (exc.description or "")


# the database did not answer: restarting, failing over, refusing connections, locked
DATABASE_UNAVAILABLE = (OperationalError, InterfaceError, DisconnectionError)
RETRY_AFTER_SECONDS = 5


def _cause(exc: Exception) -> str:
    """The driver's error and its first line: no SQL, no parameters (personal data)."""
    cause = getattr(exc, "orig", None) or exc
    return f"{type(cause).__name__}: {(str(cause).strip().splitlines() or [''])[0]}"


def _database_unavailable(exc: Exception):
    """503 with Retry-After and the usual page or JSON, never a stack trace; the session
    is rolled back so that its connection goes back to the pool (pre-pinged, replaced
    when dead) and the next request starts clean."""
    current_app.logger.warning(
        "database unavailable on %s %s: %s", request.method, request.path, _cause(exc)
    )
    try:
        db.session.rollback()
    except Exception:  # noqa: BLE001 - the connection is gone; the pool replaces it
        current_app.logger.debug("rollback after a database error failed", exc_info=True)
    response = make_response(_handle(ServiceUnavailable()))
    response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


def _end_session(_exc: BaseException | None) -> None:
    """Close the request's session, before Flask-SQLAlchemy's own teardown would: when the
    connection was lost after the answer was made, closing it (a rollback) fails; that is
    logged here instead of escaping past the answer, which the server would replace with
    its own 500."""
    try:
        db.session.remove()
    except DATABASE_UNAVAILABLE as exc:
        current_app.logger.warning("database connection lost after an answer: %s", _cause(exc))
        db.session.remove()  # the dead connection is invalidated now: this hands it back


CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; form-action 'self'; base-uri 'self'; "
    "object-src 'none'; frame-ancestors 'none'"
)


def security_headers(response):
    """A CSP without inline script, no framing, no MIME sniffing, no referrer leaks; over
    https (as the trusted proxy reports it, settings.trust_proxies), HSTS."""
    h = response.headers
    h.setdefault("Content-Security-Policy", CSP)
    h.setdefault("X-Content-Type-Options", "nosniff")
    h.setdefault("X-Frame-Options", "DENY")
    h.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
    h.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
    hsts = current_app.config.get("STRICT_TRANSPORT_SECURITY")
    if hsts and request.is_secure:
        h.setdefault("Strict-Transport-Security", hsts)
    if request.path.startswith(("/staff", "/apply", "/status")):
        h.setdefault("Cache-Control", "no-store")  # personal data stays out of caches
    return response


class JSONProvider(DefaultJSONProvider):
    """Flask's JSON, except that a body nested too deeply to read is a bad body (400),
    like any other JSON that cannot be read, rather than a RecursionError (500)."""

    def loads(self, s, **kwargs):
        try:
            return super().loads(s, **kwargs)
        except RecursionError as exc:
            raise ValueError("JSON nested too deeply") from exc


def _server_name_only(_handler) -> str:
    return "Werkzeug"


def quiet_development_server() -> None:
    """Werkzeug's development server (`flask run`, `make run`) would name itself and
    Python with their versions in every answer (`Server: Werkzeug/3.1 Python/3.11`);
    it names itself only, as gunicorn does (`Server: gunicorn`). The header is the
    server's own, sent before the application's headers: it cannot be set from here."""
    WSGIRequestHandler.version_string = _server_name_only  # type: ignore[method-assign]


def init_app(app: Flask) -> None:
    quiet_development_server()
    app.after_request(security_headers)
    app.json = JSONProvider(app)
    app.json.ensure_ascii = False  # Japanese stays readable in JSON answers
    app.json.sort_keys = False  # keys in the order interfaces.md lists them
    app.register_error_handler(HTTPException, _handle)
    app.register_error_handler(Exception, _handle)
    for error in DATABASE_UNAVAILABLE:
        app.register_error_handler(error, _database_unavailable)
    app.teardown_appcontext(_end_session)  # runs before Flask-SQLAlchemy's (registered earlier)
    app.add_template_filter(local_time)
    app.add_template_filter(local_date)

    @app.context_processor
    def _helpers():
        lang = current_lang()
        return {
            "lang": lang,
            "fy_label": lambda n: fiscal.label(n, lang),
            "pct": percent,
            "num": lambda n: f"{n:,}",
            "lang_url": lang_url,
        }


def lang_url(code: str) -> str:
    """The current page in another language (the choice is then remembered)."""
    args = request.args.to_dict()
    args["lang"] = code
    if request.endpoint is None:
        return "?lang=" + code
    if request.url_rule is not None and "GET" not in (request.url_rule.methods or ()):
        # a page answering a form (its errors): switch on the page the form was on
        referrer = urlsplit(request.referrer or "")
        if referrer.netloc != request.host or referrer.path == request.path:
            return url_for("catalogue.index", lang=code)
        query = {k: v for k, v in parse_qsl(referrer.query) if k != "lang"} | {"lang": code}
        return referrer.path + "?" + urlencode(query)
    # the page itself: its own path (as url_for would build it again) with the new query
    path = quote(request.script_root + request.path, safe="/!$&'()*+,:;=@")
    return path + "?" + urlencode(args, safe="!$'()*,/:;?@")


@pass_context
def local_time(
    context: Context, at: datetime | None, zone: bool | None = None, seconds: bool = False
) -> Markup:
    """`{{ sub.created_at|local_time }}`: a stored time in Japan time, in the page's language
    (its `lang`, else the site's; app.clock.format_time), inside `<time datetime="…+09:00">`;
    "—" when there is none. `zone=True` shows JST on Japanese pages too (the pages operators
    compare with server logs)."""
    if at is None:
        return Markup("—")
    return Markup('<time datetime="{}">{}</time>').format(
        iso_time(at, timespec="seconds"),
        format_time(at, context.get("lang") or current_lang(), zone=zone, seconds=seconds),
    )


def local_date(at: datetime) -> str:
    """`{{ when|local_date }}`: the day of a stored time in Japan, as 2026-12-03."""
    return japan_time(at).date().isoformat()


def percent(rate: float | None) -> str:
    """One decimal, as kpi.md asks: 38.9%."""
    return "—" if rate is None else f"{rate * 100:.1f}%"
