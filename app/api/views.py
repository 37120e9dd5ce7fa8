"""JSON API: thin routes over the same services as the pages and the CLI."""

from __future__ import annotations

from flask import Blueprint, jsonify, request, url_for

from app import kpi
from app.dashboard import services as kpi_service
from app.web import json_error

bp = Blueprint("api", __name__, url_prefix="/api/v1")


@bp.get("/kpi")
def get_kpi():
    """The figures of kpi.md for one fiscal year, scope and weight basis."""
    try:
        fy = kpi_service.parse_fiscal_year(request.args.get("fiscal_year"))
        f = kpi_service.figures(fy, request.args.get("scope"), request.args.get("basis"))
    except kpi.KpiInputError as exc:
        return json_error(400, str(exc), "invalid_parameter")
    limit = request.args.get("limit", "10")
    n = int(limit) if limit.isdigit() else 10
    return jsonify(kpi.to_json(f, limit=min(n, 1000)))


# --- forms and submissions -----------------------------------------------------------------


def _form_summary(fv) -> dict:
    from app.submissions import services as subs

    defn = subs.definition(fv)
    return {
        "id": fv.form_id,
        "version": fv.version,
        "procedure": fv.procedure_code,
        "title": defn.title.as_json(),
        "languages": list(defn.languages),
        "url": url_for("submissions.start", form_id=fv.form_id, _external=True),
    }


@bp.get("/forms")
def list_forms():
    """Published forms, newest version of each."""
    from app.submissions import services as subs

    return jsonify({"forms": [_form_summary(fv) for fv in subs.published_forms()]})


@bp.get("/forms/<form_id>")
def get_form(form_id: str):
    """A form's definition as JSON (the YAML, parsed)."""
    from app.submissions import services as subs

    fv = subs.latest_version(form_id)
    if fv is None:
        return json_error(404, "様式が見つかりません / no such form", "not_found")
    body = _form_summary(fv)
    body["definition"] = subs.definition(fv).source_json()
    return jsonify(body)


@bp.post("/forms/<form_id>/submissions")
def submit_form(form_id: str):
    """Submit answers as JSON, or multipart with an `answers` part and one part per file field."""
    import json

    from app.submissions import services as subs
    from app.web import content_lang

    fv = subs.latest_version(form_id)
    if fv is None:
        return json_error(404, "様式が見つかりません / no such form", "not_found")
    defn = subs.definition(fv)
    uploads: dict[str, list] = {}
    errors: dict[str, list[str]] = {}
    if request.mimetype == "multipart/form-data":
        try:
            body = json.loads(request.form.get("answers") or "{}")
        except ValueError:
            return json_error(400, "answers パートが JSON ではありません / the answers part is not JSON")
        lang = request.form.get("lang")
    elif request.is_json:
        payload = request.get_json(silent=True)
        if not isinstance(payload, dict):
            return json_error(400, "JSON のオブジェクトを送ってください / send a JSON object")
        body, lang = payload.get("answers"), payload.get("lang")
    else:
        return json_error(415, "application/json または multipart/form-data で送ってください"
                               " / send application/json or multipart/form-data")
    if not isinstance(body, dict):
        return json_error(400, "answers はオブジェクトです / answers must be an object")
    lang = lang if lang in defn.languages else content_lang(defn.languages)
    for field_id in request.files:
        f = defn.field(field_id)
        if f is None or f.type != "file":
            errors.setdefault(field_id, []).append("この様式にファイル項目はありません / no such file field")
            continue
        for storage in request.files.getlist(field_id):
            upload, error = subs.receive_upload(f, storage, lang)
            if error:
                errors.setdefault(field_id, []).append(error)
            else:
                uploads.setdefault(field_id, []).append(upload)
    if errors:
        return jsonify({"error": "invalid", "message": "入力内容に誤りがあります / invalid answers",
                        "errors": errors}), 422
    key = request.headers.get("Idempotency-Key") or None
    if key is not None and len(key) > 200:
        return json_error(400, "Idempotency-Key は200文字までです / Idempotency-Key is too long")
    sub, result, replayed = subs.submit_answers(fv, defn, body, lang, uploads, key)
    if sub is None:
        return jsonify({"error": "invalid", "message": "入力内容に誤りがあります / invalid answers",
                        "errors": result.errors}), 422
    if replayed and sub.form_version.form_id != form_id:
        return json_error(409, "この Idempotency-Key は別の様式で使われています / key used for another form", "conflict")
    answer = {"receipt_no": sub.receipt_no, "access_code": sub.access_code, "status": sub.status,
              "form_version": sub.form_version.version}
    return jsonify(answer), 201  # a replay gives the same answer


@bp.get("/submissions/<receipt_no>")
def get_submission(receipt_no: str):
    """Status and history of one submission, for the holder of its access code."""
    from app.submissions import services as subs

    sub = subs.find_submission(receipt_no, request.headers.get("X-Access-Code", ""))
    if sub is None:
        return json_error(404, "お探しの申請は見つかりません / no such submission", "not_found")
    return jsonify({
        "receipt_no": sub.receipt_no,
        "form": sub.form_version.form_id,
        "form_version": sub.form_version.version,
        "status": sub.status,
        "submitted_at": sub.created_at.isoformat(),
        "history": [{"status": e.status, "at": e.at.isoformat(), "message": e.message} for e in sub.events],
    })
