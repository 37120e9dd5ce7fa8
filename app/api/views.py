"""JSON API: thin routes over the same services as the pages and the CLI.

Each route declares its OpenAPI operation (openapi.py); the schemas are in schemas.py.
"""

from __future__ import annotations

from math import ceil

from flask import Blueprint, current_app, g, jsonify, request

from app import kpi
from app.catalogue.guide import guide_json
from app.clock import today
from app.dashboard import services as kpi_service
from app.extensions import limiter
from app.formengine.normalise import UNUSABLE
from app.kpi.status import DIGITIZATION_STATUSES, DIGITIZED
from app.links import absolute_url
from app.submissions import receipts, store, uploads, versions
from app.web import checks_own_text, json_error

from . import queries
from . import schemas as s
from . import services as api_services
from .http import bearer_token, conditional, json_body, problem_response, query, token_sent
from .operation import operation
from .services import ApiProblem

bp = Blueprint("api", __name__, url_prefix="/api/v1")

ERRORS_400 = {400: s.ParameterErrorSchema}
INVALID_ANSWERS = "入力内容に誤りがあります / invalid answers"


@bp.errorhandler(ApiProblem)
def _problem(exc: ApiProblem):
    return problem_response(exc)


@bp.after_request
def _public_reads(response):
    """Open data: public reads may be fetched from any web page (no cookies are involved)."""
    if request.method in ("GET", "HEAD") and not request.path.startswith("/api/v1/submissions/"):
        response.headers["Access-Control-Allow-Origin"] = "*"
        response.headers["Access-Control-Expose-Headers"] = "ETag, Link"
    return response


@bp.get("/kpi")
@operation(
    summary="デジタル化率 / the digitization KPI",
    tags=["kpi"],
    query=s.KpiQuerySchema,
    responses={200: s.KpiSchema, 400: s.ErrorSchema},
)
def get_kpi():
    """The figures of kpi.md for one fiscal year, scope and weight basis."""
    try:
        fy = kpi_service.parse_fiscal_year(request.args.get("fiscal_year"))
        f = kpi_service.figures(fy, request.args.get("scope"), request.args.get("basis"))
    except kpi.KpiInputError as exc:
        return json_error(400, str(exc), "invalid_parameter")
    limit = request.args.get("limit", "10")
    n = int(limit) if limit.isascii() and limit.isdigit() and len(limit) <= 4 else 10
    return jsonify(kpi.to_json(f, limit=min(n, 1000)))


# --- the catalogue -------------------------------------------------------------------------


def _procedure_json(e: queries.Entry) -> dict:
    p, d = e.procedure, e.department
    label = DIGITIZATION_STATUSES[e.status]
    return {
        "code": p.code,
        "name_ja": p.name_ja,
        "name_en": p.name_en,
        "department": {"code": d.code, "name_ja": d.name_ja, "name_en": d.name_en},
        "priority": bool(p.priority),
        "procedure_type": p.procedure_type,
        "legal_basis": p.legal_basis,
        "form": p.form,
        "features": [f for f in (p.features or "").split(";") if f],
        "exclusion_reason": p.exclusion_reason,
        "valid_from": p.valid_from,
        "valid_until": p.valid_until,
        "status": e.status,
        "status_label": {"ja": label.ja, "en": label.en},
        "status_since": e.status_since,
        "digitized": e.status in DIGITIZED,
        "volumes": [
            {"fiscal_year": fy, "receipts": r, "online_receipts": o} for fy, r, o in e.volumes
        ],
        "guide": guide_json(p),
        "links": {
            "self": absolute_url("api.get_procedure", code=p.code),
            "page": absolute_url("catalogue.procedure", code=p.code),
            "apply": absolute_url("submissions.start", form_id=p.form) if p.form else None,
        },
    }


@bp.get("/procedures")
@operation(
    summary="手続の一覧 / list procedures",
    tags=["catalogue"],
    query=s.ProcedureQuerySchema,
    responses={200: s.ProcedureListSchema, 304: None, **ERRORS_400},
    etag=True,
)
def list_procedures():
    """Procedures by code, with today's status and yearly volumes; paged and filterable.

    Paging: `page` and `per_page` (at most 100); `meta` gives the total and `links` (and
    the `Link` header) the other pages. The same few queries whatever the page size.
    """
    args = query(s.ProcedureQuerySchema)
    filters = queries.Filters(args.get("department"), args.get("priority"), args.get("status"))
    day = today()
    rows = queries.matching(filters, day)
    page, per_page = args["page"], args["per_page"]
    total = len(rows)
    pages = max(1, ceil(total / per_page))
    chosen = rows[(page - 1) * per_page : page * per_page]
    entries = queries.entries(chosen)

    def link(n: int) -> str:
        params = {
            k: request.args[k] for k in ("department", "priority", "status") if k in request.args
        }
        return absolute_url("api.list_procedures", **params, page=n, per_page=per_page)

    links = {
        "self": link(page),
        "first": link(1),
        "last": link(pages),
        "prev": link(min(page - 1, pages)) if page > 1 else None,
        "next": link(page + 1) if page < pages else None,
    }
    body = s.ProcedureListSchema().dump(
        {
            "procedures": [_procedure_json(e) for e in entries],
            "meta": {
                "page": page,
                "per_page": per_page,
                "total": total,
                "pages": pages,
                "as_of": day,
            },
            "links": links,
        }
    )
    response = conditional(body)
    response.headers["Link"] = ", ".join(
        f'<{url}>; rel="{rel}"' for rel, url in links.items() if url and rel != "self"
    )
    return response


@bp.get("/procedures/<code>")
@operation(
    summary="手続の詳細 / one procedure",
    tags=["catalogue"],
    responses={200: s.ProcedureDetailSchema, 304: None, 404: s.ErrorSchema},
    etag=True,
)
def get_procedure(code: str):
    """A procedure with today's status, its full status history and its yearly volumes."""
    entry = queries.one(code, today())
    if entry is None:
        return json_error(404, "手続が見つかりません / no such procedure", "not_found")
    body = _procedure_json(entry)
    body["status_history"] = [
        {"status": st, "effective_date": day, "note": note} for day, st, note in entry.history
    ]
    return conditional(s.ProcedureDetailSchema().dump(body))


WRITE_ERRORS = {
    400: s.ErrorSchema,
    401: s.ErrorSchema,
    403: s.ErrorSchema,
    404: s.ErrorSchema,
    415: s.ErrorSchema,
    422: s.ValidationErrorSchema,
}


@bp.post("/procedures/<code>/statuses")
@operation(
    summary="状態を記録する / record a status",
    tags=["departments"],
    body=s.StatusInputSchema,
    responses={201: s.StatusRecordedSchema, **WRITE_ERRORS},
    auth=True,
)
@bearer_token
def record_status(code: str):
    """Append a row to the procedure's status history (rows are never edited: a correction
    is a new row). Only a token of the procedure's department may write (403 otherwise)."""
    data = json_body(s.StatusInputSchema)
    answer = api_services.record_status(g.api_token, code, data)
    response = jsonify(s.StatusRecordedSchema().dump(answer))
    response.status_code = 201
    response.headers["Location"] = absolute_url("api.get_procedure", code=code)
    return response


@bp.patch("/procedures/<code>/guide")
@operation(
    summary="手続案内を変更する / change the procedure's guide",
    tags=["departments"],
    body=s.GuideInputSchema,
    responses={200: s.GuideSchema, **WRITE_ERRORS},
    auth=True,
)
@bearer_token
def set_guide(code: str):
    """Change the parts of the guide residents read that are given (left out: unchanged;
    null or "": not known), by the same rule as the catalogue's CSV files and the staff
    page. Only a token of the procedure's department may write."""
    data = json_body(s.GuideInputSchema)
    procedure = api_services.set_guide(g.api_token, code, data)
    return jsonify(s.GuideSchema().dump(guide_json(procedure)))


@bp.post("/procedures/<code>/volumes")
@operation(
    summary="年間件数を記録する / record a yearly volume",
    tags=["departments"],
    body=s.VolumeInputSchema,
    responses={201: s.VolumeRecordedSchema, **WRITE_ERRORS},
    auth=True,
)
@bearer_token
def record_volume(code: str):
    """Record the receipts of a fiscal year (and how many arrived online): the newest row
    for a year is its current value. Only a token of the procedure's department may write."""
    data = json_body(s.VolumeInputSchema)
    answer = api_services.record_volume(g.api_token, code, data)
    response = jsonify(s.VolumeRecordedSchema().dump(answer))
    response.status_code = 201
    response.headers["Location"] = absolute_url("api.get_procedure", code=code)
    return response


# --- forms and submissions -----------------------------------------------------------------


def _form_summary(fv) -> dict:
    defn = versions.definition(fv)
    return {
        "id": fv.form_id,
        "version": fv.version,
        "procedure": fv.procedure_code,
        "title": defn.title.as_json(),
        "languages": list(defn.languages),
        "url": absolute_url("submissions.start", form_id=fv.form_id),
    }


@bp.get("/forms")
@operation(
    summary="公開中の様式 / published forms",
    tags=["forms"],
    responses={200: s.FormListSchema},
)
def list_forms():
    """Published forms, newest version of each."""
    return jsonify({"forms": [_form_summary(fv) for fv in versions.published_forms()]})


@bp.get("/forms/<form_id>")
@operation(
    summary="様式の定義 / a form's definition",
    tags=["forms"],
    responses={200: s.FormDetailSchema, 404: s.ErrorSchema},
)
def get_form(form_id: str):
    """A form's definition as JSON (the YAML, parsed)."""
    fv = versions.latest_version(form_id)
    if fv is None:
        return json_error(404, "様式が見つかりません / no such form", "not_found")
    body = _form_summary(fv)
    body["definition"] = versions.definition(fv).source_json()
    return jsonify(body)


@bp.post("/forms/<form_id>/submissions")
@checks_own_text  # each answer with its field's message (validate_all)
@operation(
    summary="申請する / submit a form",
    tags=["submissions"],
    headers=[
        {
            "in": "header",
            "name": "Idempotency-Key",
            "required": False,
            "description": "同じ申請の再送には同じ答え（24時間）。別の内容に同じキーを使うと422"
            " / a retry of the same request with the same key gets the same answer (for 24 h);"
            " the key with a different request is a 422",
            "schema": {"type": "string", "maxLength": 200},
        }
    ],
    body=s.SubmissionInputSchema,
    multipart=s.SubmissionMultipartSchema,
    responses={
        201: s.SubmissionCreatedSchema,
        400: s.ErrorSchema,
        404: s.ErrorSchema,
        413: s.ErrorSchema,
        415: s.ErrorSchema,
        422: s.ValidationErrorSchema,
        429: s.ErrorSchema,
        507: s.ErrorSchema,
    },
)
@limiter.limit(lambda: current_app.config["API_SUBMIT_RATE_LIMIT"], exempt_when=token_sent)
def submit_form(form_id: str):
    """Submit answers as JSON, or multipart with an `answers` part and one part per file field.

    `answers` maps each field id of the form's definition (GET /api/v1/forms/{form_id},
    `definition.pages[].fields[]`) to its answer. 回答の形 / shape of an answer by field
    `type`: text, textarea, email, tel → string; integer → integer; date → "YYYY-MM-DD";
    radio, select → an option `value`; checkboxes → a list of option values; checkbox →
    true; name → {"family", "given", "family_kana", "given_kana"} (no kana parts when the
    field says `kana: false`); address → {"postal_code": "514-8570", "prefecture",
    "city", "street", "building"}; group → a list of objects of its inner fields; file →
    a multipart part named by the field id. heading and paragraph take no answer.

    A field with `show_if` is asked only when its condition holds: its answer is dropped
    otherwise, so answering every field is safe. An answer for an unknown field id is an
    error. 422 lists the problems by field id (`name.family`, `household[0].age`, …).

    Files: at most DRAFT_UPLOAD_MAX_FILES (20) and DRAFT_UPLOAD_MAX_MB (50) in all, like a
    draft on the pages. Without an API token (`Authorization: Bearer`) submissions are
    rate limited per client address (API_SUBMIT_RATE_LIMIT): 429 past it.
    """
    fv = versions.latest_version(form_id)
    if fv is None:
        return json_error(404, "様式が見つかりません / no such form", "not_found")
    defn = versions.definition(fv)
    if defn.identity.required:  # a signed-in resident applies on the pages (docs/identity.md)
        return json_error(
            403,
            "この様式はログインしてから申請するため、API では受け付けません / this form needs"
            " the resident to sign in: it cannot be submitted through the API",
            "sign_in_required",
        )
    received: dict[str, list] = {}
    errors: dict[str, list[str]] = {}
    if request.mimetype == "multipart/form-data":
        try:
            body = current_app.json.loads(request.form.get("answers") or "{}")
        except ValueError:
            return json_error(
                400, "answers パートが JSON ではありません / the answers part is not JSON"
            )
        lang = request.form.get("lang")
        declared = (request.form.get("declaration") or "").strip().lower() in ("true", "1", "yes")
    elif request.is_json:
        payload = request.get_json(silent=True)
        if not isinstance(payload, dict):
            return json_error(400, "JSON のオブジェクトを送ってください / send a JSON object")
        body, lang = payload.get("answers"), payload.get("lang")
        declared = payload.get("declaration") is True
    else:
        return json_error(
            415,
            "application/json または multipart/form-data で送ってください"
            " / send application/json or multipart/form-data",
        )
    if not isinstance(body, dict):
        return json_error(400, "answers はオブジェクトです / answers must be an object")
    lang = lang if lang in defn.languages else "ja"  # stateless: no session for the API
    used = uploads.Usage()
    for field_id in request.files:
        f = defn.field(field_id)
        if f is None or f.type != "file":
            errors.setdefault(field_id, []).append(
                "この様式にファイル項目はありません / no such file field"
            )
            continue
        for storage in request.files.getlist(field_id):
            upload, error = uploads.receive_upload(f, storage, lang)
            error = error or uploads.quota_error(used, upload, lang)
            if error:
                errors.setdefault(field_id, []).append(error)
            else:
                received.setdefault(field_id, []).append(upload)
                used += uploads.Usage(len(upload.data), 1)
    if errors:
        return json_error(422, INVALID_ANSWERS, "invalid", errors)
    key = request.headers.get("Idempotency-Key") or None
    if key is not None and len(key) > 200:
        return json_error(400, "Idempotency-Key は200文字までです / Idempotency-Key is too long")
    if key is not None and UNUSABLE.search(key):
        return json_error(
            400,
            "Idempotency-Key に使えない文字が含まれています"
            " / Idempotency-Key contains a character that cannot be used",
        )
    try:
        sub, result, replayed = store.submit_answers(
            fv, defn, body, lang, received, key, declared=declared
        )
    except store.IdempotencyConflict:
        reused = (
            "この Idempotency-Key は別の内容の申請に使われています。新しいキーで送ってください"
            " / this Idempotency-Key was used for a different request: send this one with a new key"
        )
        return json_error(422, reused, "idempotency_key_reused", {"Idempotency-Key": [reused]})
    except uploads.StorageFull:
        return json_error(
            507,
            "ファイルを保存できませんでした。時間をおいてもう一度送ってください"
            " / the file could not be stored; try again later",
            "insufficient_storage",
        )
    if sub is None:
        return json_error(422, INVALID_ANSWERS, "invalid", result.errors)
    answer = {
        "receipt_no": sub.receipt_no,
        "access_code": sub.access_code,
        "status": sub.status,
        "form_version": versions.version_by_id(sub.form_version_id).version,
    }
    response = jsonify(answer)
    response.status_code = 201  # a replay of the same request gets the same answer
    if replayed:
        response.headers["Idempotent-Replayed"] = "true"
    return response


ACCESS_CODE = {
    "in": "header",
    "name": "X-Access-Code",
    "required": True,
    "description": "申請時に受け取った照会用コード / the access code given on submission",
    "schema": {"type": "string", "maxLength": 100},
}


@bp.get("/submissions/<receipt_no>")
@operation(
    summary="申請の状況 / a submission's status",
    tags=["submissions"],
    headers=[ACCESS_CODE],
    responses={200: s.SubmissionStatusSchema, 404: s.ErrorSchema, 429: s.ErrorSchema},
)
@limiter.limit(lambda: current_app.config["LOOKUP_RATE_LIMIT"])
def get_submission(receipt_no: str):
    """Status and history of one submission, for the holder of its access code."""
    sub = store.find_submission(receipt_no, request.headers.get("X-Access-Code", ""))
    if sub is None:
        return json_error(404, "お探しの申請は見つかりません / no such submission", "not_found")
    return jsonify(
        s.SubmissionStatusSchema().dump(
            {
                "receipt_no": sub.receipt_no,
                "form": sub.form_version.form_id,
                "form_version": sub.form_version.version,
                "status": sub.status,
                "submitted_at": sub.created_at,
                "history": [
                    {"status": e.status, "at": e.at, "message": e.message} for e in sub.events
                ],
            }
        )
    )


@bp.get("/submissions/<receipt_no>/receipt.pdf")
@operation(
    summary="申請受付票（PDF） / the receipt as PDF",
    tags=["submissions"],
    headers=[ACCESS_CODE],
    responses={
        200: {"type": "string", "format": "binary"},
        202: s.ReceiptPendingSchema,
        404: s.ErrorSchema,
        429: s.ErrorSchema,
        503: s.ErrorSchema,
    },
    produces="application/pdf",
    media={202: "application/json"},
)
@limiter.limit(lambda: current_app.config["LOOKUP_RATE_LIMIT"])
def get_receipt_pdf(receipt_no: str):
    """The receipt (申請受付票) of a submission, for the holder of its access code.

    It is made by a background job when it is first asked for: 202 `{"status": "pending"}`
    (with `Retry-After`) until it is there (without a queue it is made at once); 404 once
    deleted after the retention period, like an unknown number; 503 when making it failed
    (staff are told).
    """
    sub = store.find_submission(receipt_no, request.headers.get("X-Access-Code", ""))
    if sub is None:
        return json_error(404, "お探しの申請は見つかりません / no such submission", "not_found")
    data, state = receipts.receipt_for(sub)
    if data is None:
        if state == receipts.PENDING:
            response = jsonify({"status": "pending"})
            response.status_code = 202
            response.headers["Retry-After"] = "5"
            return response
        if state == receipts.FAILED:
            return json_error(
                503,
                "受付票を作成できませんでした。担当者が対応します / the receipt could not be made;"
                " staff have been told",
                "unavailable",
            )
        return json_error(
            404,
            "保存期間が過ぎたため、受付票は削除されました / deleted after the retention period",
            "not_found",
        )
    return receipts.receipt_download(sub, data)
