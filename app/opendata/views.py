"""/opendata: the page, and the downloads (CSV, JSON, CPSV-AP JSON-LD), under CC BY 4.0."""

from __future__ import annotations

import json

from flask import Blueprint, abort, current_app, render_template, request

from app import csvfile
from app.kpi.status import DIGITIZATION_STATUSES
from app.web import current_lang

from . import cpsv, dcat
from . import services as od
from . import vocab as vocab_terms

bp = Blueprint("opendata", __name__, url_prefix="/opendata")

LICENSE_LINK = f'<{od.LICENSE["url"]}>; rel="license"'


@bp.get("")
def index():
    return render_template(
        "opendata/index.html",
        datasets=list(od.DATASETS.values()),
        license=od.LICENSE,
        attribution=od.ATTRIBUTION,
        en=current_lang() == "en",
    )


VOCAB_FILES = {"ttl": "text/turtle", "jsonld": "application/ld+json"}


@bp.get("/vocab")
@bp.get("/vocab.<ext>")
def vocab(ext: str | None = None):
    """The `tz:` extension of CPSV-AP: what each of our own terms means, as a page or, by
    content negotiation (or the .ttl / .jsonld address), as Turtle or JSON-LD."""
    if ext is not None:
        mimetype = VOCAB_FILES.get(ext)
        if mimetype is None:
            abort(404)
    else:
        mimetype = request.accept_mimetypes.best_match(
            ["text/html", *VOCAB_FILES.values()], default="text/html"
        )
    if mimetype == "text/html":
        response = current_app.make_response(
            render_template(
                "opendata/vocab.html",
                terms=vocab_terms.TERMS,
                schemes=vocab_terms.SCHEMES,
                namespace=vocab_terms.namespace(),
                statuses=list(DIGITIZATION_STATUSES.values()),
                en=current_lang() == "en",
                license=od.LICENSE,
                attribution=od.ATTRIBUTION,
            )
        )
    else:
        response = current_app.response_class(vocab_terms.serialise(mimetype), mimetype=mimetype)
        response.headers["Link"] = LICENSE_LINK
        response.headers["Access-Control-Allow-Origin"] = "*"
    if ext is None:
        response.vary.add("Accept")
    return response


@bp.get("/catalog.jsonld")
def catalog():
    """The open data described in DCAT-AP, for portals that harvest DCAT (CKAN …)."""
    body = json.dumps(dcat.catalog(), ensure_ascii=False, indent=1)
    return _file(current_app.response_class(body, mimetype="application/ld+json"))


@bp.get("/<name>.csv", defaults={"ext": "csv"})
@bp.get("/<name>.json", defaults={"ext": "json"})
@bp.get("/procedures.jsonld", defaults={"name": "procedures", "ext": "jsonld"})
def download(name: str, ext: str):
    dataset = od.DATASETS.get(name)
    if dataset is None:
        abort(404)
    if ext == "jsonld":
        body = json.dumps(cpsv.document(), ensure_ascii=False, indent=1)
        response = current_app.response_class(body, mimetype="application/ld+json")
    elif ext == "json":
        body = json.dumps(od.envelope(dataset, od.rows_of(name)), ensure_ascii=False, indent=1)
        response = current_app.response_class(body, mimetype="application/json")
    else:
        response = current_app.response_class(_csv(dataset, od.rows_of(name)), mimetype="text/csv")
        response.headers["Content-Disposition"] = f"attachment; filename={name}.csv"
    return _file(response)


def _file(response):
    """An open-data file: its licence, readable from any site, revalidated with an ETag."""
    response.headers["Link"] = LICENSE_LINK
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.headers["Cache-Control"] = "no-cache"
    response.add_etag()
    return response.make_conditional(request)


def _csv(dataset: od.DataSet, rows: list[dict]) -> bytes:
    """UTF-8 with BOM (Excel opens it as UTF-8), `\\r\\n` line ends, a header of the column names."""
    names = [c.name for c in dataset.columns]
    table = [names, *([od.csv_cell(row.get(n)) for n in names] for row in rows)]
    return csvfile.encode(table, newline="\r\n")
