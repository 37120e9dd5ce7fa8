"""/staff/catalogue/import (admins): the catalogue's CSV files uploaded from the
workspace, checked and listed change by change first (as `flask catalogue import
--dry-run`), then imported; every new row records the admin who imported it."""

from __future__ import annotations

import tempfile
from pathlib import Path

from flask import Blueprint, render_template, request
from flask_babel import gettext as _
from flask_login import current_user

from app.catalogue import csvfiles as cf
from app.catalogue import services as catalogue
from app.extensions import db

from . import services
from .views import role_required

bp = Blueprint("imports", __name__)

FILES = (cf.PROCEDURES, cf.VOLUMES, cf.STATUS_HISTORY)


@bp.get("/catalogue/import")
@role_required("admin")
def import_page():
    return render_template("staff/catalogue_import.html", report=None, error=None)


@bp.post("/catalogue/import")
@role_required("admin")
def import_submit():
    write = request.form.get("action") == "import"
    uploads = {name: request.files.get(name) for name in FILES}
    if not uploads[cf.PROCEDURES] or not uploads[cf.PROCEDURES].filename:
        return render_template(
            "staff/catalogue_import.html",
            report=None,
            error=_("procedures.csv を選んでください（件数と状態の履歴は任意です）。"),
        ), 422
    with tempfile.TemporaryDirectory(prefix="catalogue-import-") as folder:
        for name, upload in uploads.items():
            if upload and upload.filename:
                upload.save(Path(folder) / name)
        report = catalogue.import_catalogue(
            Path(folder), dry_run=not write, recorded_by=current_user.email
        )
        prefix = str(Path(folder)) + "/"
        shown = {
            "problems": [str(p).removeprefix(prefix) for p in report.problems],
            "warnings": [str(w).removeprefix(prefix) for w in report.warnings],
            "changes": [c.removeprefix(prefix) for c in report.changes],
        }
    if report.written:
        services.audit(
            current_user,
            "catalogue.import",
            "catalogue",
            {k: v for k, v in report.counts.items() if v},
        )
        db.session.commit()
    return render_template(
        "staff/catalogue_import.html",
        report=report,
        shown=shown,
        written=report.written,
        error=None,
    ), (422 if report.problems else 200)
