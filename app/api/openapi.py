"""The OpenAPI 3 document of the JSON API, made by apispec from the routes themselves.

Each API view carries an `@operation(...)` (operation.py) declaring its parameters, body
and answers with the marshmallow schemas of schemas.py; `build_spec` walks the URL map
and reads each view's declaration, so every route is in the document and nothing else
is, and this module needs no view. Served by docs.py at /api/openapi.json, and as a
readable page at /api/docs.
"""

from __future__ import annotations

import copy
from typing import Any

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin
from flask import Flask, current_app
from marshmallow import Schema

from app import __version__

from . import schemas as s
from .operation import Operation, declared

# the API's contract (/api/v1); the document's info.version is the release serving it
API_VERSION = "1.0.0"
OPENAPI_VERSION = "3.0.3"
SKIPPED_METHODS = {"HEAD", "OPTIONS"}

RESPONSE_TEXT = {
    200: "成功 / OK",
    201: "記録しました / created",
    202: "作成中です。しばらくしてからもう一度 / still being made: try again shortly",
    304: "変わっていません（If-None-Match と同じ ETag） / not modified",
    400: "リクエストの内容が正しくありません / bad request",
    401: "API トークンがないか、正しくありません / missing or bad API token",
    403: "この操作はできません / forbidden",
    404: "見つかりません / not found",
    409: "競合しています / conflict",
    413: "送信されたデータが大きすぎます / too large",
    415: "この形式は受け付けられません / unsupported media type",
    422: "入力内容に誤りがあります / invalid request",
    503: "いまは用意できません / not available now",
}

PATH_PARAMS = {
    "code": ("手続コード / procedure code", "P-0001"),
    "form_id": ("様式 id / form id", "hunting-licence-renewal"),
    "receipt_no": ("到達番号 / receipt number", "2025-ABCD2345"),
}

TAGS = [
    {"name": "catalogue", "description": "手続台帳 / the procedures catalogue"},
    {"name": "kpi", "description": "デジタル化率（kpi.md） / the digitization KPI"},
    {"name": "forms", "description": "オンライン申請の様式 / online forms"},
    {"name": "submissions", "description": "申請と状況照会 / submissions and their status"},
    {
        "name": "departments",
        "description": "部局システムからの更新（API トークン） / writes by departmental systems",
    },
    {"name": "document", "description": "この説明書 / this document"},
]

DESCRIPTION = """\
三重県の行政手続の台帳、デジタル化率（KPI）、オンライン申請の API です。
The prefecture's procedures catalogue, its digitization KPI and online applications.

- 答えはすべて JSON（UTF-8）。エラーは `{"error": "<code>", "message": "日本語 / English"}`
  と適切なステータスコードで返します（入力の誤りは項目ごとに `errors` も）。 / Every answer
  is JSON; errors are `{"error", "message"}` with the right status code (and `errors` by
  field for invalid input).
- 台帳の一覧はページ分け（`page`、`per_page`、`Link` ヘッダー）し、`ETag` を付けます。
  `If-None-Match` に同じ値を送ると 304 を返します。 / The catalogue is paged and carries
  an `ETag`; send it back in `If-None-Match` to get 304 when nothing changed.
- 時刻はすべて日本時間の時差付き ISO 8601（`2026-12-03T16:17:59.929147+09:00`）、日付は
  日本の日付で `YYYY-MM-DD` です。 / Every time is ISO 8601 in Japan time with its offset
  (`+09:00`); dates are Japan's, as `YYYY-MM-DD`.
- 書き込み（状態・件数の記録）には部局ごとの API トークンが必要です:
  `Authorization: Bearer <token>`。 / Writes need a department's API token.
- データは CC BY 4.0 で利用できます（出典: 三重県（Tetsuzuki））。一括ダウンロードは /opendata 。
  / The data is open under CC BY 4.0; bulk downloads at /opendata.
"""


def _response(code: int, schema: type[Schema] | dict | None, decl: Operation) -> dict:
    out: dict[str, Any] = {"description": RESPONSE_TEXT.get(code, str(code))}
    if code < 400 and schema is not None:
        out["content"] = {decl.media.get(code, decl.produces): {"schema": schema}}
    elif code >= 400:
        out["content"] = {"application/json": {"schema": schema or s.ErrorSchema}}
    if decl.etag and code in (200, 304):
        out["headers"] = {
            "ETag": {
                "description": "内容の版 / version of the content",
                "schema": {"type": "string"},
            }
        }
    if code == 201:
        out["headers"] = {
            "Location": {
                "description": "記録した手続 / the procedure",
                "schema": {"type": "string"},
            }
        }
    return out


def _operation(decl: Operation, path_params: list[str]) -> dict:
    params: list[dict[str, Any]] = [
        {
            "in": "path",
            "name": name,
            "required": True,
            "description": PATH_PARAMS.get(name, (name, None))[0],
            "schema": {"type": "string", "minLength": 1, "maxLength": 100},
            **({"example": PATH_PARAMS[name][1]} if name in PATH_PARAMS else {}),
        }
        for name in path_params
    ]
    if decl.query is not None:
        params.append({"in": "query", "schema": decl.query})
    params += copy.deepcopy(decl.headers)
    if decl.etag:
        params.append(
            {
                "in": "header",
                "name": "If-None-Match",
                "required": False,
                "description": "前回の ETag / the ETag you have",
                "schema": {"type": "string", "maxLength": 200},
            }
        )
    op: dict[str, Any] = {
        "summary": decl.summary,
        "description": decl.description,
        "tags": decl.tags,
        "parameters": params,
        "responses": {
            str(code): _response(code, schema, decl) for code, schema in decl.responses.items()
        },
    }
    content = {}
    if decl.body is not None:
        content["application/json"] = {"schema": decl.body}
    if decl.multipart is not None:
        content["multipart/form-data"] = {"schema": decl.multipart}
    if content:
        op["requestBody"] = {"required": True, "content": content}
    if decl.auth:
        op["security"] = [{"bearerAuth": []}]
    return op


def openapi_path(rule) -> str:
    """/api/v1/procedures/<code> → /api/v1/procedures/{code}"""
    out = rule.rule
    for arg in rule.arguments:
        for conv in ("", "string:", "path:", "int:"):
            out = out.replace(f"<{conv}{arg}>", "{" + arg + "}")
    return out


def api_rules(app: Flask):
    """The URL rules of the JSON API and of this document, in a stable order."""
    rules = [r for r in app.url_map.iter_rules() if r.rule.startswith("/api/")]
    return sorted(rules, key=lambda r: r.rule)


def build_spec(app: Flask) -> dict:
    spec = APISpec(
        title="Tetsuzuki API（三重県 行政手続）",
        version=__version__,
        openapi_version=OPENAPI_VERSION,
        plugins=[MarshmallowPlugin()],
        info={
            "description": DESCRIPTION,
            "license": {"name": "MIT (code); data: CC BY 4.0"},
            "x-api-version": API_VERSION,
        },
        servers=[{"url": "/", "description": "このサーバー / this server"}],
        tags=TAGS,
    )
    spec.components.security_scheme(
        "bearerAuth",
        {
            "type": "http",
            "scheme": "bearer",
            "description": "部局の API トークン（職員が発行） / a department's API token",
        },
    )
    for rule in api_rules(app):
        decl = declared(app.view_functions[rule.endpoint])
        if decl is None:
            continue
        ops = {
            method.lower(): _operation(decl, sorted(rule.arguments))
            for method in sorted(rule.methods - SKIPPED_METHODS)
        }
        for op in ops.values():
            op["operationId"] = rule.endpoint.split(".")[-1]
        spec.path(path=openapi_path(rule), operations=ops)
    return spec.to_dict()


def document() -> dict:
    """The document of the running app, built once per process."""
    cached = current_app.extensions.get("openapi")
    if cached is None:
        cached = current_app.extensions["openapi"] = build_spec(current_app)
    return cached
