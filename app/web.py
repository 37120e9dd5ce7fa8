"""Shared web plumbing: error pages (JSON under /api), template helpers."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from urllib.parse import parse_qsl, quote, urlencode, urlsplit

from flask import (
    Flask,
    current_app,
    g,
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

from app import __version__
from app.badges import tone
from app.clock import format_time, iso_time, japan_time
from app.extensions import db
from app.formengine.answers import find_unusable
from app.formengine.normalise import UNUSABLE
from app.formengine.registry import INTEGER_RANGE
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


def json_error(
    status: int, message: str, code: str | None = None, errors: dict[str, list[str]] | None = None
):
    """The one shape of every JSON error: `{"error", "message", "errors"?}`."""
    body: dict = {"error": code or ERROR_CODES.get(status, "error"), "message": message}
    if errors is not None:
        body["errors"] = errors
    return jsonify(body), status


def _handle(exc: Exception):
    if not isinstance(exc, HTTPException):
        current_app.logger.exception("unhandled error on %s %s", request.method, request.path)
        exc = InternalServerError(original_exception=exc)
    if isinstance(exc, BadInput):
        return _bad_input_answer(exc)
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


# --- bad input -------------------------------------------------------------------------------


class BadInput(HTTPException):
    """Input that cannot be used (a NUL in a URL, a date no search can start from): a 4xx
    whose message says what was wrong, logged as bad input — one line, never the value,
    never a stack trace. `message` gives the text in the language being answered in;
    `field` names the JSON field it is about, if any."""

    def __init__(self, code: int, message: Callable[[], str], field: str | None = None):
        super().__init__()
        self.code = code
        self.message = message
        self.field = field


def bad_input(code: int, why: str, message: Callable[[], str], field: str | None = None):
    """Log "bad input on GET /path: why" and → the BadInput to raise."""
    note_bad_input(why)
    return BadInput(code, message, field)


def note_bad_input(why: str) -> None:
    """One line in the log for input refused as unusable: what and where, never the
    value (it may be personal data), never a stack trace."""
    current_app.logger.info("bad input on %s %s: %s", request.method, _shown(request.path), why)


def _shown(text: str, limit: int = 200) -> str:
    """A text for a log line: escapes for what cannot be written, cut to `limit`."""
    text = text if len(text) <= limit else text[: limit - 1] + "…"
    return UNUSABLE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def _bad_input_answer(exc: BadInput):
    if wants_json():
        texts = []
        for lang in ("ja", "en"):
            with force_locale(lang):
                texts.append(exc.message())
        message = " / ".join(dict.fromkeys(texts))
        if exc.field is not None:  # a field of the body: the API's 422 shape
            errors = {exc.field: [message]}
            return json_error(exc.code, "入力内容に誤りがあります / invalid request", None, errors)
        return json_error(exc.code, message)
    referrer = urlsplit(request.referrer or "")
    back = request.referrer if referrer.netloc == request.host and request.method != "GET" else None
    return render_template(
        "error.html", status=exc.code, message=exc.message(), back=back
    ), exc.code


def checks_own_text(view: Callable) -> Callable:
    """Mark a view that checks its own form or JSON fields for characters that cannot be
    stored, each with its field's message and the other answers kept (the resident's
    pages, the submission API); the path and the query are still checked for it."""
    view.checks_own_text = True  # type: ignore[attr-defined]
    return view


def refuse_unusable_input():
    """Before any view: NUL or a lone surrogate (formengine's UNUSABLE) never reaches a
    view that could hand it to the database, and neither does an integer in the path
    that no id column holds. → 404 for the path, 400 for the query or a form field, 422
    naming the field for a JSON body."""
    found = UNUSABLE.search(request.path)
    if found:
        raise bad_input(404, f"{_char(found)} in the path", _not_found)
    for key, value in request.view_args.items() if request.view_args else ():
        if isinstance(value, int) and not INTEGER_RANGE[0] <= value <= INTEGER_RANGE[1]:
            raise bad_input(404, f"integer out of range in the path ({key})", _not_found)
    for key, value in request.args.items(multi=True):
        found = UNUSABLE.search(key) or UNUSABLE.search(value)
        if found:
            code = _code(found)
            raise bad_input(
                400,
                f"{_char(found)} in query parameter {_shown(key, 40)}",
                lambda code=code: _(
                    "URLに使えない文字（%(code)s）が含まれています。"
                    "検索条件などを入力し直してください。",
                    code=code,
                ),
            )
    view = current_app.view_functions.get(request.endpoint or "")
    if request.method in ("GET", "HEAD", "OPTIONS") or getattr(view, "checks_own_text", False):
        return
    for key, value in request.form.items(multi=True):
        found = UNUSABLE.search(key) or UNUSABLE.search(value)
        if found:
            code = _code(found)
            raise bad_input(
                400,
                f"{_char(found)} in form field {_shown(key, 40)}",
                lambda code=code: _(
                    "送信された内容に使えない文字（%(code)s）が含まれています。"
                    "その文字を削除してから、もう一度送ってください。",
                    code=code,
                ),
            )
    if request.is_json:
        where = find_unusable(request.get_json(silent=True))
        if where is not None:
            field, char = where
            code = f"U+{ord(char):04X}"
            raise bad_input(
                422,
                f"{_char_name(char)} in JSON field {_shown(field, 40) or '(the body)'}",
                lambda code=code: _("使えない文字（%(code)s）が含まれています。", code=code),
                field=_shown(field, 100) or "_schema",
            )


def _code(found) -> str:
    return f"U+{ord(found.group()):04X}"


def _char(found) -> str:
    return _char_name(found.group())


def _char_name(char: str) -> str:
    return "NUL" if char == "\x00" else "a lone surrogate"


def _not_found() -> str:
    return error_messages()[404]


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


FORM_TARGETS = "csp_form_targets"


def allow_form_targets(*origins: str | None) -> None:
    """Let the forms of the page this request shows lead to these origins too (the CSP's
    form-action, which browsers apply to the redirects a form's answer makes): the sign-in
    and sign-out buttons, whose answers send the browser on to the identity provider.
    Each an origin made by app.identity.oidc.origin (scheme, host, port: nothing that could
    end the directive); None is ignored."""
    g.setdefault(FORM_TARGETS, set()).update(o for o in origins if o)


def _csp() -> str:
    targets = g.get(FORM_TARGETS)
    if not targets:
        return CSP
    return CSP.replace("form-action 'self'", " ".join(["form-action 'self'", *sorted(targets)]))


def security_headers(response):
    """A CSP without inline script, no framing, no MIME sniffing, no referrer leaks; over
    https (as the trusted proxy reports it, settings.trust_proxies), HSTS."""
    h = response.headers
    h.setdefault("Content-Security-Policy", _csp())
    h.setdefault("X-Content-Type-Options", "nosniff")
    h.setdefault("X-Frame-Options", "DENY")
    h.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
    h.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
    hsts = current_app.config.get("STRICT_TRANSPORT_SECURITY")
    if hsts and request.is_secure:
        h.setdefault("Strict-Transport-Security", hsts)
    if request.path.startswith(("/staff", "/apply", "/status", "/mypage", "/signin", "/signout")):
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
    app.before_request(refuse_unusable_input)
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
    app.add_template_filter(said)
    app.add_template_global(named)
    app.add_template_filter(tone)

    @app.context_processor
    def _helpers():
        lang = current_lang()
        return {
            "lang": lang,
            "fy_label": lambda n: fiscal.label(n, lang),
            "pct": percent,
            "num": lambda n: f"{n:,}",
            "lang_url": lang_url,
            "app_version": __version__,
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


def _page_lang(context: Context) -> str:
    lang = context.get("html_lang") or context.get("lang") or current_lang()
    return "ja" if lang == "ja-easy" else lang


@pass_context
def said(context: Context, text: object, in_lang: str = "ja") -> Markup | str:
    """`{{ p.legal_basis|said }}`: a text in a known language (data the catalogue holds in
    Japanese only), marked with `lang` when the page is in another one (WCAG 3.1.2), so a
    screen reader reads 浄化槽法 as Japanese on an English page."""
    if text is None or text == "":
        return ""
    if _page_lang(context) == in_lang:
        return text if isinstance(text, Markup) else str(text)
    return Markup('<span lang="{}">{}</span>').format(in_lang, text)


@pass_context
def named(context: Context, ja: str | None, en: str | None) -> Markup | str:
    """`{{ named(p.name_ja, p.name_en) }}`: a name in the page's language where the data has
    it, else the other one, marked with its `lang`."""
    if _page_lang(context) == "en":
        return en if en else said(context, ja, "ja")
    return ja if ja else said(context, en, "en")


def local_date(at: datetime) -> str:
    """`{{ when|local_date }}`: the day of a stored time in Japan, as 2026-12-03."""
    return japan_time(at).date().isoformat()


def percent(rate: float | None) -> str:
    """One decimal, as kpi.md asks: 38.9%."""
    return "—" if rate is None else f"{rate * 100:.1f}%"
