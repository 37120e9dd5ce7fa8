"""The API's own description, served: /api/openapi.json and the readable /api/docs.

The document is built by openapi.py from the routes of the running app;
`standalone_document()` builds the same one from the API's blueprints alone, for tools
and tests that have no configured app.
"""

from __future__ import annotations

import re

from flask import Blueprint, Flask, jsonify, render_template
from markupsafe import Markup, escape

from .openapi import build_spec, document
from .operation import operation
from .views import bp as api_bp

bp = Blueprint("api_docs", __name__, url_prefix="/api")


@bp.get("/openapi.json")
@operation(
    summary="この API の OpenAPI 3 文書 / this API's OpenAPI 3 document",
    tags=["document"],
    responses={200: {"type": "object"}},
)
def openapi_json():
    """The machine-readable description of every endpoint."""
    response = jsonify(document())
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response


@bp.get("/docs")
@operation(
    summary="この API の説明（HTML） / this API, as a readable page",
    tags=["document"],
    responses={200: {"type": "string"}},
    produces="text/html",
)
def docs_page():
    """The same document, for people."""
    doc = document()
    return render_template(
        "opendata/api.html",
        doc=doc,
        operations=list(_operations(doc)),
        schemas=doc.get("components", {}).get("schemas", {}),
        ref=_ref_name,
        prose=prose,
        bilingual=bilingual,
    )


JAPANESE = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uff01-\uff5e\u3000-\u303f]")
JAPANESE_RUN = re.compile(JAPANESE.pattern + "+")
_CODE = re.compile(r"`[^`]*`")
# three words or more after the last Japanese character: the text's English
ENGLISH = re.compile(r"[A-Za-z]{2,}(?:[^A-Za-z\u3040-\u9fff]+[A-Za-z]{2,}){2,}")


def _code(t: str) -> str:
    return re.sub(r"`([^`]+)`", r"<code>\1</code>", str(escape(t)))


def bilingual(text: str | None) -> Markup:
    """A text of the document, each language marked with its `lang` (WCAG 3.1.2): the
    document writes "日本語 / English", "日本語。 English.", or one language alone (an
    English text's Japanese examples are marked too)."""
    text = " ".join((text or "").split())
    if not text:
        return Markup("")
    if not JAPANESE.search(text):
        return _span("en", text)
    first = re.search(r"[A-Za-z]|" + JAPANESE.pattern, _CODE.sub("", text))
    if first and first.group().isascii():  # English with Japanese examples in it
        return _span("en", text)
    at = text.find(" / ")
    while at != -1:
        ja, en = text[:at], text[at + 3 :]
        if not JAPANESE.search(en):
            return Markup(f"{_span('ja', ja)} / {_span('en', en)}")
        at = text.find(" / ", at + 1)
    cut = list(JAPANESE.finditer(text))[-1].end()
    if ENGLISH.search(text[cut:]):
        return Markup(f"{_span('ja', text[:cut])} {_span('en', text[cut:].strip())}")
    return _span("ja", text)


def _span(lang: str, text: str) -> Markup:
    html = _code(text)
    if lang == "en":  # Japanese inside English (an example value) is Japanese
        html = JAPANESE_RUN.sub(lambda m: f'<span lang="ja">{m.group()}</span>', html)
    return Markup(f'<span lang="{lang}">{html}</span>')


def prose(text: str | None) -> Markup:
    """The little Markdown of the document's descriptions: paragraphs, `- ` lists, `code`;
    each piece marked with its language."""

    def inline(t: str) -> str:
        return str(bilingual(t))

    html = []
    for block in re.split(r"\n\s*\n", (text or "").strip()):
        items = re.split(r"(?m)^- ", block)
        if len(items) > 1 and not items[0].strip():
            lis = "".join(f"<li>{inline(' '.join(i.split()))}</li>" for i in items[1:])
            html.append(f"<ul>{lis}</ul>")
        elif block.strip():
            html.append(f"<p>{inline(' '.join(block.split()))}</p>")
    return Markup("".join(html))


def _operations(doc: dict):
    order = [t["name"] for t in doc.get("tags", [])]
    items = []
    for path, methods in doc["paths"].items():
        for method, op in methods.items():
            if method in ("parameters", "summary", "description"):
                continue
            tag = (op.get("tags") or [""])[0]
            items.append((order.index(tag) if tag in order else 99, path, method.upper(), op))
    items.sort(key=lambda i: (i[0], i[1], i[2]))
    for _, path, method, op in items:
        yield path, method, op


def _ref_name(schema: dict | None) -> str:
    """A schema as a short name for the page: Procedure, [Volume], string, …"""
    if not schema:
        return ""
    if "$ref" in schema:
        return schema["$ref"].rsplit("/", 1)[-1]
    if schema.get("type") == "array":
        return "[" + _ref_name(schema.get("items")) + "]"
    if "anyOf" in schema:
        return " | ".join(_ref_name(x) for x in schema["anyOf"] if "$ref" in x) or "object"
    kind = schema.get("type", "object")
    if schema.get("format"):
        kind += f" ({schema['format']})"
    if schema.get("enum"):
        kind += ": " + ", ".join(map(str, schema["enum"]))
    if schema.get("nullable"):
        kind += " | null"
    return kind


def standalone_document() -> dict:
    """The same document without a configured app or database (for tools and tests)."""
    app = Flask(__name__)
    app.register_blueprint(api_bp)
    app.register_blueprint(bp)
    return build_spec(app)
