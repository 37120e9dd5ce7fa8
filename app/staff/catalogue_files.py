"""A department's catalogue files in the browser: upload, see what would change, apply;
download its own files (CSV and .xlsx).

Upload runs the importer's dry run (catalogue.services.import_catalogue, the same checks as
`flask catalogue import`) on the files as sent, plus one check of scope: department staff
send their own department's rows only; the bureau and the administrators send any. The
files wait in the instance folder under a random name kept in the session until they are
applied (the same files, checked again) or replaced by the next upload.
"""

from __future__ import annotations

import io
import secrets
import shutil
from pathlib import Path

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    send_file,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from sqlalchemy import select

from app import csvfile
from app.catalogue import csvfiles as cf
from app.catalogue import services as catalogue
from app.catalogue.models import Procedure
from app.extensions import db

from . import services

bp = Blueprint("files", __name__)  # inside the staff blueprint: /staff/catalogue…

FILES = (cf.PROCEDURES, cf.VOLUMES, cf.STATUS_HISTORY)
MAX_FILE = 20 * 1024 * 1024  # bytes a file: a catalogue of 10,000 procedures is about 3 MB
SESSION_KEY = "catalogue_upload"


def _may_upload() -> bool:
    return current_user.role in ("bureau", "admin") or (
        current_user.role == "department" and current_user.department_id is not None
    )


def _own_department() -> str | None:
    """The department whose rows this user may send (None: any)."""
    if current_user.role in ("bureau", "admin"):
        return None
    return current_user.department.code


def _upload_dir(token: str) -> Path:
    return Path(current_app.instance_path) / "catalogue-uploads" / token


def _forget_upload() -> None:
    token = session.pop(SESSION_KEY, None)
    if isinstance(token, str) and token.isalnum():
        shutil.rmtree(_upload_dir(token), ignore_errors=True)


@bp.get("/catalogue")
@login_required
def page():
    if not _may_upload():
        abort(403)
    return render_template("staff/catalogue.html", report=None, sent=[])


@bp.post("/catalogue/check")
@login_required
def check():
    if not _may_upload():
        abort(403)
    sent = {name: request.files.get(name) for name in FILES}
    sent = {name: f for name, f in sent.items() if f and f.filename}
    if cf.PROCEDURES not in sent and not sent:
        flash(_("取り込むファイルを選んでください。"), "error")
        return render_template("staff/catalogue.html", report=None, sent=[]), 422
    _forget_upload()
    token = secrets.token_hex(16)
    folder = _upload_dir(token)
    folder.mkdir(parents=True)
    for name, storage in sent.items():
        data = storage.stream.read(MAX_FILE + 1)
        if len(data) > MAX_FILE:
            shutil.rmtree(folder, ignore_errors=True)
            flash(_("%(name)s が大きすぎます（20MBまで）。", name=name), "error")
            return render_template("staff/catalogue.html", report=None, sent=[]), 413
        (folder / name).write_bytes(data)
    if cf.PROCEDURES not in sent:
        # volumes or statuses alone: the procedures they name are those of the database
        catalogue.export_catalogue(folder / "current", _own_department())
        shutil.copy(folder / "current" / cf.PROCEDURES, folder / cf.PROCEDURES)
    session[SESSION_KEY] = token
    report = _dry_run(folder)
    return render_template("staff/catalogue.html", report=report, sent=sorted(sent), token=token), (
        200 if report.ok else 422
    )


@bp.post("/catalogue/apply")
@login_required
def apply():
    if not _may_upload():
        abort(403)
    token = session.get(SESSION_KEY)
    if not isinstance(token, str) or request.form.get("token") != token:
        flash(_("確認したファイルが見つかりません。もう一度アップロードしてください。"), "error")
        return redirect(url_for(".page"))
    folder = _upload_dir(token)
    report = _dry_run(folder)  # the same files, checked again: the database may have moved
    if not report.ok:
        return render_template("staff/catalogue.html", report=report, sent=[], token=token), 422
    report = catalogue.import_catalogue(folder, recorded_by=current_user.email)
    if not report.ok:  # pragma: no cover - checked just above, in the same request
        return render_template("staff/catalogue.html", report=report, sent=[], token=token), 422
    services.audit(current_user, "catalogue.upload", _own_department(), dict(report.counts))
    db.session.commit()
    _forget_upload()
    flash(_("取り込みました。"), "success")
    return redirect(url_for(".page"))


def _label(folder: Path):
    """Problems name the file as staff know it (`procedures.csv:3:`), not the folder."""
    return lambda problem: cf.Problem(Path(problem.file).name, problem.line, problem.message)


def _dry_run(folder: Path) -> catalogue.ImportReport:
    report = catalogue.import_catalogue(folder, dry_run=True)
    report.problems[:] = [_label(folder)(p) for p in report.problems] + _out_of_scope(folder)
    report.warnings[:] = [_label(folder)(p) for p in report.warnings]
    return report


def _out_of_scope(folder: Path) -> list[cf.Problem]:
    """Rows of another department's procedures, when this user may send only their own."""
    own = _own_department()
    if own is None:
        return []
    problems: list[cf.Problem] = []
    ignored: list[cf.Problem] = []
    mine = {
        code
        for (code,) in db.session.execute(
            select(Procedure.code).where(Procedure.department_id == current_user.department_id)
        )
    }
    table = cf.read_table(
        folder / cf.PROCEDURES, cf.PROCEDURES, ignored, ignored, cf.PROCEDURE_COLUMNS, ("code",)
    )
    others = set()
    for line, row in table.rows if table else []:
        dept = row.get("department_code", "")
        if dept and dept != own:
            problems.append(
                cf.Problem(
                    cf.PROCEDURES,
                    line,
                    f"部局 {dept} の手続は取り込めません（取り込めるのは自分の部局 {own} の手続だけです）"
                    f" / department {dept}: you may send only your own department's ({own}) procedures",
                )
            )
            others.add(row.get("code", ""))
        elif row.get("code") and row.get("code") not in others:
            mine.add(row["code"])
    for name in (cf.VOLUMES, cf.STATUS_HISTORY):
        if not (folder / name).exists():
            continue
        t = cf.read_table(folder / name, name, ignored, ignored, ("code",), ("code",))
        for line, row in t.rows if t else []:
            code = row.get("code", "")
            if code and code not in mine:
                problems.append(
                    cf.Problem(
                        name,
                        line,
                        f"手続 {code} は自分の部局（{own}）の手続ではありません"
                        f" / procedure {code} is not one of your department's ({own})",
                    )
                )
    return problems


# --- downloads -----------------------------------------------------------------------------------


def _download_scope() -> str | None:
    """Department staff download their own department; the bureau and admins all."""
    if current_user.role in ("bureau", "admin"):
        return request.args.get("department") or None
    if current_user.department is None:
        abort(403)
    return current_user.department.code


@bp.get("/catalogue/<any(procedures, volumes, status_history):name>.csv")
@login_required
def download_csv(name: str):
    scope = _download_scope()
    columns, rows = catalogue.export_tables(scope)[f"{name}.csv"]
    data = csvfile.encode([columns, *rows], newline="\r\n")  # Excel-friendly: BOM and CRLF
    return send_file(
        io.BytesIO(data),
        mimetype="text/csv",  # Flask adds "; charset=utf-8" (once)
        as_attachment=True,
        download_name=f"{scope or 'all'}-{name}.csv",
    )


@bp.get("/catalogue/catalogue.xlsx")
@login_required
def download_xlsx():
    scope = _download_scope()
    book = Workbook(write_only=True)
    for name, (columns, rows) in catalogue.export_tables(scope).items():
        sheet = book.create_sheet(name.removesuffix(".csv"))
        sheet.append(list(columns))
        for row in rows:
            sheet.append([_xlsx_cell(v) for v in row])
    out = io.BytesIO()
    book.save(out)
    out.seek(0)
    return send_file(
        out,
        mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        as_attachment=True,
        download_name=f"{scope or 'all'}-catalogue.xlsx",
    )


def _xlsx_cell(value):
    """Numbers as numbers; every text as csvfile writes it (neutralised: no formula runs),
    without the control characters a worksheet cannot hold."""
    if value is None or isinstance(value, int) and not isinstance(value, bool):
        return value
    return ILLEGAL_CHARACTERS_RE.sub("\ufffd", csvfile.cell(value))
