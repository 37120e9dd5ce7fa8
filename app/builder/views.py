"""/staff/builder: a department builds a procedure's online form, page by page; the bureau
reviews and publishes it. Every page works without JavaScript (one thing per page, as
GOV.UK Forms' admin does it); the YAML is the one truth (document.py)."""

from __future__ import annotations

import re

from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required
from sqlalchemy import select

from app.catalogue.models import Procedure
from app.extensions import db
from app.formengine.files import safe_name
from app.formengine.registry import FIELD_TYPES
from app.staff import services as staff_services
from app.staff import views as staff_views
from app.submissions import versions
from app.submissions.models import FormVersion
from app.web import current_lang

from . import bundle, changes, document, edit, importing, labels, services
from .importing.checks import MAX_BYTES as MAX_YOSHIKI_BYTES
from .models import FormDraft

bp = Blueprint("builder", __name__, url_prefix="/staff/builder", template_folder="templates")
# part of the staff workspace: the same idle sign-out and the same page helpers
bp.before_request(staff_views._idle_timeout)
bp.before_request(staff_views._second_factor_set_up)  # roles that need one set it up first
bp.context_processor(staff_views._staff_helpers)

FORM_ID = re.compile(r"[a-z0-9-]{1,100}")
MAX_UPLOAD_BYTES = 512 * 1024


@bp.context_processor
def _helpers():
    return {
        "labels": labels,
        "type_label": labels.type_label,
        "key_label": labels.key_label,
        "text_of": document.text_of,
        "questions_in": document.questions,  # a repeating group's questions
        "field_types": list(FIELD_TYPES),
        "lang_names": labels.LANGUAGES,
        # the importer's texts are `日本語 / English`: the page's language of them
        "mark_of": services.mark_of,
        "import_text": lambda text: document.message_text(str(text or ""), current_lang()),
    }


# --- who may see and change what ------------------------------------------------------------


def _procedure(code: str) -> Procedure:
    p = db.session.scalar(select(Procedure).where(Procedure.code == code))
    if p is None:
        abort(404)
    if not current_user.can_edit(p.department_id):
        abort(403)
    return p


def _draft(draft_id: int) -> FormDraft:
    """A draft its department, the bureau and admins may see."""
    draft = db.session.get(FormDraft, draft_id)
    if draft is None:
        abort(404)
    if not (current_user.sees_all() or current_user.department_id == draft.procedure.department_id):
        abort(403)
    return draft


def _editable(draft_id: int) -> FormDraft:
    draft = _draft(draft_id)
    if not current_user.can_edit(draft.procedure.department_id):
        abort(403)
    return draft


def _langs(data) -> list[str]:
    return document.languages(data)


# --- the list and the start -------------------------------------------------------------------


@bp.get("/")
@login_required
def index():
    stmt = select(FormDraft).join(Procedure).order_by(FormDraft.updated_at.desc())
    if not current_user.sees_all():
        stmt = stmt.where(Procedure.department_id == current_user.department_id)
    drafts = list(db.session.scalars(stmt.limit(200)))
    return render_template("builder/index.html", drafts=drafts)


def _start_page(p: Procedure, errors: dict | None = None, status: int = 200):
    forms = list(
        db.session.scalars(select(FormVersion).order_by(FormVersion.form_id, FormVersion.version))
    )
    suggested = p.form or p.code.lower().replace("_", "-")
    return render_template(
        "builder/start.html",
        p=p,
        starters=services.starters(p.department_id),
        forms=forms,
        errors=errors or {},
        form_data=request.form,
        suggested=suggested,
    ), status


@bp.route("/start/<code>", methods=["GET", "POST"])
@login_required
def start(code: str):
    p = _procedure(code)
    if request.method == "GET":
        return _start_page(p)
    errors = {}
    form_id = (request.form.get("form_id") or "").strip()
    how = request.form.get("how", "")
    if not FORM_ID.fullmatch(form_id):
        errors["form_id"] = _("様式IDは半角英小文字・数字・ハイフンで100文字以内にしてください。")
    elif services.owned_elsewhere(form_id, p):
        errors["form_id"] = _(
            "この様式IDはほかの手続の様式で使われています。別の様式IDにしてください。"
        )
    source = None
    imported, status = None, 422
    if how == "yoshiki":
        imported, problem, name, status = _read_yoshiki(form_id or "imported", p)
        if problem:
            errors["yoshiki"] = problem
    elif how == "template":
        source = request.form.get("template", "")
        if services.starter(source, p.department_id) is None:
            errors["template"] = _("ひな形を選んでください。")
    elif how == "copy":
        source = request.form.get("copy", "")
        if not source.isdigit() or db.session.get(FormVersion, int(source)) is None:
            errors["copy"] = _("写す様式を選んでください。")
    elif how != "blank":
        errors["how"] = _("作り方を選んでください。")
    title = (request.form.get("title") or "").strip()[:200]
    if errors:
        return _start_page(p, errors, status)
    if imported is not None:
        draft = services.start_imported(p, current_user, form_id, imported, name)
    else:
        draft = services.start(p, current_user, form_id, how, title, source)
    return redirect(url_for(".overview", draft_id=draft.id))


def _read_yoshiki(form_id: str, p: Procedure):
    """(the imported draft, None, the file's name, 200) or (None, why, name, status): why
    in Japanese, then English, as the importer words it; 413 for a file too large."""
    sent = request.files.get("yoshiki")
    name = safe_name(sent.filename if sent else "")
    raw = sent.read(MAX_YOSHIKI_BYTES + 1) if sent else b""
    if sent:
        sent.close()  # a large upload is spooled to a temporary file: let it go now
    if not raw:
        return None, _("様式のファイル（PDF・Excel・Word）を選んでください。"), name, 422
    try:
        got = importing.read_file(
            raw, name, form_id=form_id, procedure=p.code, title=p.name_ja or ""
        )
    except importing.Refused as exc:
        return None, exc.message, name, 413 if exc.code == "too_large" else 422
    return got, None, name, 200


# --- check your questions ----------------------------------------------------------------------


def _overview(draft: FormDraft, *, conflict: bool = False, status: int = 200, refused: str = ""):
    data = services.data_of(draft)
    found = services.problems(draft.yaml_text)
    located = document.locate(draft.yaml_text, found, current_lang())
    return render_template(
        "builder/overview.html",
        draft=draft,
        data=data,
        pages=document.pages(data),
        questions=document.questions,
        located=located,
        untranslated=document.untranslated(data),
        words=lambda cond: document.condition_words(data, cond, current_lang()),
        can_edit=current_user.can_edit(draft.procedure.department_id),
        may_review=services.may_review(draft, current_user),
        history=services.reviews(draft),
        mail=edit.mail_recipients(data),
        languages=document.languages(data),
        conflict=conflict,
        refused=refused,
        marks=services.import_marks(draft),
    ), status


@bp.get("/<int:draft_id>")
@login_required
def overview(draft_id: int):
    return _overview(_draft(draft_id))


def _saved(draft, data, what, detail, back):
    """Save, or tell of the other author's save (the page is shown again with what was typed)."""
    try:
        services.save(draft, data, request.form.get("revision"), current_user, what, detail)
    except services.Conflict:
        return None
    except services.Refused:
        flash(_("審査中の下書きは変更できません。取り下げてから編集してください。"), "error")
        return redirect(url_for(".overview", draft_id=draft.id))
    flash(_("保存しました。"), "success")
    return redirect(back)


# --- the form's settings ------------------------------------------------------------------------


@bp.route("/<int:draft_id>/settings", methods=["GET", "POST"])
@login_required
def settings(draft_id: int):
    draft = _editable(draft_id) if request.method == "POST" else _draft(draft_id)
    data = services.data_of(draft)
    conflict = False
    if request.method == "POST":
        new = edit.read_settings(data, request.form)
        done = _saved(draft, new, "settings", {}, url_for(".overview", draft_id=draft.id))
        if done is not None:
            return done
        conflict = True
    return render_template(
        "builder/settings.html",
        draft=draft,
        data=data,
        langs=_langs(data),
        mail="\n".join(edit.mail_recipients(data)),
        posted=request.form if conflict else None,
        conflict=conflict,
        located=document.locate(
            draft.yaml_text, services.problems(draft.yaml_text), current_lang()
        ),
    ), (409 if conflict else 200)


# --- pages ----------------------------------------------------------------------------------


@bp.post("/<int:draft_id>/pages")
@login_required
def add_page(draft_id: int):
    draft = _editable(draft_id)
    data = services.data_of(draft)
    data.setdefault("pages", [])
    if not isinstance(data["pages"], list):
        data["pages"] = []
    page = edit.new_page(data)
    data["pages"].append(page)
    at = len(data["pages"]) - 1
    done = _saved(
        draft, data, "page.add", {"page": page["id"]}, url_for(".page", draft_id=draft.id, p=at)
    )
    return done or _overview(draft, conflict=True, status=409)


def _page_or_404(data, p: int) -> dict:
    pages = document.pages(data)
    if not 0 <= p < len(pages):
        abort(404)
    return pages[p]


@bp.route("/<int:draft_id>/pages/<int:p>", methods=["GET", "POST"])
@login_required
def page(draft_id: int, p: int):
    draft = _editable(draft_id) if request.method == "POST" else _draft(draft_id)
    data = services.data_of(draft)
    pg = _page_or_404(data, p)
    conflict = False
    if request.method == "POST":
        action = request.form.get("action", "save")
        back = url_for(".overview", draft_id=draft.id)
        if action in ("up", "down"):
            at = edit.move(data["pages"], p, -1 if action == "up" else 1)
            detail = {"page": pg.get("id"), "to": at}
            what = "page.move"
        elif action == "remove":
            data["pages"].pop(p)
            detail, what = {"page": pg.get("id")}, "page.remove"
        elif action == "add_question":
            type_name = request.form.get("type", "")
            if type_name not in FIELD_TYPES:
                flash(_("質問の種類を選んでください。"), "error")
                return redirect(url_for(".page", draft_id=draft.id, p=p))
            q = edit.new_question(data, type_name)
            pg.setdefault("fields", [])
            if not isinstance(pg["fields"], list):
                pg["fields"] = []
            pg["fields"].append(q)
            back = url_for(".question", draft_id=draft.id, p=p, q=len(pg["fields"]) - 1)
            detail, what = {"page": pg.get("id"), "question": q["id"]}, "question.add"
        else:
            earlier = document.earlier_questions(data, p, None)
            data["pages"][p] = edit.read_page(pg, request.form, _langs(data), earlier)
            detail, what = {"page": data["pages"][p].get("id")}, "page.save"
            back = url_for(".page", draft_id=draft.id, p=p)
        done = _saved(draft, data, what, detail, back)
        if done is not None:
            return done
        conflict = True
        data = services.data_of(draft)
        if p >= len(document.pages(data)):
            return _overview(draft, conflict=True, status=409)
        pg = document.pages(data)[p]
    located = document.locate(draft.yaml_text, services.problems(draft.yaml_text), current_lang())
    return render_template(
        "builder/page.html",
        draft=draft,
        data=data,
        pg=pg,
        p=p,
        langs=_langs(data),
        questions=document.questions(pg),
        earlier=document.earlier_questions(data, p, None),
        words=lambda cond: document.condition_words(data, cond, current_lang()),
        located=located,
        posted=request.form if conflict else None,
        conflict=conflict,
        marks=services.import_marks(draft),
    ), (409 if conflict else 200)


# --- questions ---------------------------------------------------------------------------------


def question_of(data, p: int, q: int) -> tuple[dict, dict]:
    """The page and the question at `p`, `q` (404 when there is none)."""
    pg = _page_or_404(data, p)
    qs = document.questions(pg)
    if not 0 <= q < len(qs):
        abort(404)
    return pg, qs[q]


def question_page(
    draft: FormDraft,
    data,
    p: int,
    q: int,
    s: int | None = None,
    *,
    conflict: bool = False,
    posted=None,
    error: str = "",
    error_for: str = "",
    status: int = 200,
):
    """The page of a question (`s`: of the question at that place inside a group);
    `posted`, what was typed and not saved, is shown instead of the draft's."""
    pg, f = question_of(data, p, q)
    group = None
    if s is not None:
        group, f = f, document.questions(f)[s]
    located = document.locate(draft.yaml_text, services.problems(draft.yaml_text), current_lang())
    t = FIELD_TYPES.get(document.type_name(f))
    options = [o if isinstance(o, dict) else {} for o in document.as_list(f.get("options"))]
    grouped = s is None and edit.is_group(f)
    return render_template(
        "builder/question.html",
        draft=draft,
        data=data,
        pg=pg,
        p=p,
        q=q,
        s=s,
        f=f,
        t=t,
        group=group,
        langs=_langs(data),
        inputs=edit.inputs(document.type_name(f)),
        options=options,
        earlier=document.earlier_questions(data, p, q),
        operators=edit.CONDITION_OPERATORS,
        words=lambda cond: document.condition_words(data, cond, current_lang()),
        problems=located.inner.get((p, q, s), []) if s is not None else located.own(p, q),
        inner=document.questions(f) if grouped else None,
        inner_problems={k[2]: v for k, v in located.inner.items() if k[:2] == (p, q)},
        group_types=edit.group_type_names(),
        pages=document.pages(data),
        posted=posted,
        conflict=conflict,
        error=error,
        error_for=error_for,
        mark=services.mark_of(services.import_marks(draft), f),
    ), status


@bp.route("/<int:draft_id>/pages/<int:p>/questions/<int:q>", methods=["GET", "POST"])
@login_required
def question(draft_id: int, p: int, q: int):
    draft = _editable(draft_id) if request.method == "POST" else _draft(draft_id)
    data = services.data_of(draft)
    pg, f = question_of(data, p, q)
    if request.method == "GET":
        return question_page(draft, data, p, q)
    earlier = document.earlier_questions(data, p, q)
    action = request.form.get("action", "save")
    back = url_for(".page", draft_id=draft.id, p=p)
    detail = {"page": pg.get("id"), "question": f.get("id")}
    before = 0
    if action in ("up", "down"):
        edit.move(pg["fields"], q, -1 if action == "up" else 1)
        what = "question.move"
    elif action == "remove":
        pg["fields"].pop(q)
        what = "question.remove"
    elif action == "move":
        to = _page_to(data, p)
        if to is None:
            why = _("移す先のページを選んでください。")
            return question_page(draft, data, p, q, error=why, error_for="to_page", status=422)
        before = len(services.problems(draft.yaml_text))
        at = edit.move_to_page(data, p, q, to)
        back = url_for(".question", draft_id=draft.id, p=to, q=at)
        detail["to_page"] = data["pages"][to].get("id")
        what = "question.move_page"
    else:
        pg["fields"][q] = edit.read_question(f, request.form, _langs(data), earlier)
        what = "question.save"
        back = url_for(".question", draft_id=draft.id, p=p, q=q)
        detail["id"] = pg["fields"][q].get("id")  # the id it has now (an import's mark)
    done = _saved(draft, data, what, detail, back)
    if done is not None:
        if action == "move" and draft.state == "editing":
            _tell_of_the_move(draft, to, before)
        return done
    data = services.data_of(draft)
    pages = document.pages(data)
    if p >= len(pages) or q >= len(document.questions(pages[p])):
        return _overview(draft, conflict=True, status=409)
    typed = request.form if action == "save" else None
    return question_page(draft, data, p, q, conflict=True, posted=typed, status=409)


def _page_to(data, p: int) -> int | None:
    """The page chosen to move a question to: another page of the draft (one whose
    questions are a list, or that has none yet), or None."""
    raw = request.form.get("to_page", "")
    to = int(raw) if raw.isdigit() and len(raw) < 6 else -1
    pages = data.get("pages") if isinstance(data, dict) else None
    if to == p or not isinstance(pages, list) or not 0 <= to < len(pages):
        return None
    target = pages[to]
    fields = target.get("fields", []) if isinstance(target, dict) else None
    return to if isinstance(fields, list) else None


def _tell_of_the_move(draft: FormDraft, to: int, before: int) -> None:
    """After a move, whether it left conditions naming a later question (found by the
    parser, shown at their questions)."""
    added = len(services.problems(draft.yaml_text)) - before
    flash(_("ページ%(n)sに移しました。", n=to + 1), "success")
    if added > 0:
        flash(
            ngettext(
                "移したことで問題が%(num)d件増えました。条件が後の質問を指していないか、"
                "質問の確認で確かめてください。",
                "移したことで問題が%(num)d件増えました。条件が後の質問を指していないか、"
                "質問の確認で確かめてください。",
                added,
            ),
            "error",
        )


# --- YAML in and out ------------------------------------------------------------------------


def _yaml_response(text: str, name: str) -> Response:
    return Response(
        text,
        mimetype="application/yaml",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@bp.get("/<int:draft_id>/form.yaml")
@login_required
def draft_yaml(draft_id: int):
    draft = _draft(draft_id)
    return _yaml_response(draft.yaml_text, f"{draft.form_id}.yaml")


@bp.get("/versions/<int:version_id>.yaml")
@login_required
def version_yaml(version_id: int):
    """A published version exactly as stored: `flask forms load` finds it unchanged."""
    fv = db.session.get(FormVersion, version_id)
    if fv is None:
        abort(404)
    return _yaml_response(fv.yaml_text, f"{fv.form_id}-v{fv.version}.yaml")


@bp.post("/<int:draft_id>/upload")
@login_required
def upload(draft_id: int):
    """Replace the draft with an uploaded YAML file (read as the parser reads it)."""
    draft = _editable(draft_id)
    sent = request.files.get("yaml")
    raw = sent.read(MAX_UPLOAD_BYTES + 1) if sent else b""
    error = None
    if not raw:
        error = _("YAMLファイルを選んでください。")
    elif len(raw) > MAX_UPLOAD_BYTES:
        error = _("ファイルが大きすぎます（512KBまで）。")
    else:
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            text, error = "", _("UTF-8のテキストファイルを選んでください。")
        if not error:
            data, found = document.read(text)
            if not isinstance(data, dict):
                msgs = [document.message(x, current_lang()) for x in found]
                error = _("YAMLとして読めませんでした。") + " " + " ".join(msgs)
    if error:
        flash(error, "error")
        return redirect(url_for(".overview", draft_id=draft.id))
    done = _saved(
        draft, data, "upload", {"bytes": len(raw)}, url_for(".overview", draft_id=draft.id)
    )
    return done or _overview(draft, conflict=True, status=409)


# --- review -------------------------------------------------------------------------------------


@bp.post("/<int:draft_id>/send")
@login_required
def send(draft_id: int):
    draft = _editable(draft_id)
    try:
        services.send_for_review(draft, current_user, request.form.get("revision"))
    except services.Conflict:
        return _overview(draft, conflict=True, status=409)
    except services.Refused as exc:
        why = {
            "problems": _(
                "問題が残っているため、審査に出せません。各質問に表示された問題を直してください。"
            ),
        }.get(exc.message, _("この下書きは今は審査に出せません。"))
        return _overview(draft, status=422, refused=why)
    flash(_("審査に出しました。デジタル推進局の承認を待ってください。"), "success")
    return redirect(url_for(".overview", draft_id=draft.id))


@bp.post("/<int:draft_id>/withdraw")
@login_required
def withdraw(draft_id: int):
    draft = _editable(draft_id)
    try:
        services.withdraw(draft, current_user)
    except services.Refused:
        return _overview(draft, status=422, refused=_("審査中の下書きだけを取り下げられます。"))
    flash(_("審査から取り下げました。"), "success")
    return redirect(url_for(".overview", draft_id=draft.id))


def _review_page(draft: FormDraft, error: str | None = None, status: int = 200):
    data = services.data_of(draft)
    before = services.published_before(draft.form_id)
    old_data = document.read(before.yaml_text)[0] if before else {}
    old_text = before.yaml_text if before else ""
    return render_template(
        "builder/review.html",
        draft=draft,
        before=before,
        changes=changes.changes(old_data, data),
        diff=changes.yaml_diff(
            old_text,
            draft.yaml_text,
            f"{draft.form_id} v{before.version}" if before else "—",
            _("下書き"),
        ),
        may_review=services.may_review(draft, current_user),
        first=before is None,
        history=services.reviews(draft),
        error=error,
        marks=services.import_marks(draft),
    ), status


@bp.route("/<int:draft_id>/review", methods=["GET", "POST"])
@login_required
def review(draft_id: int):
    draft = _draft(draft_id)
    if request.method == "GET":
        return _review_page(draft)
    if not services.may_review(draft, current_user):
        abort(403)
    decision = request.form.get("decision", "")
    text = (request.form.get("comment") or "").strip()[:2000] or None
    try:
        if decision == "comment":
            if not text:
                return _review_page(draft, _("コメントを入力してください。"), 422)
            services.comment(draft, current_user, text)
            flash(_("コメントを残しました。"), "success")
        elif decision == "send_back":
            services.send_back(draft, current_user, text)
            flash(_("差し戻しました。"), "success")
        elif decision == "approve":
            problems = services.approve(
                draft, current_user, text, request.form.get("record_online") == "y"
            )
            if problems:
                db.session.rollback()
                shown = " ".join(document.message_text(x, current_lang()) for x in problems)
                return _review_page(draft, shown, 422)
            flash(_("承認して公開しました。"), "success")
        else:
            return _review_page(draft, _("審査の結果を選んでください。"), 422)
    except services.Refused:
        return _review_page(draft, _("審査中の下書きではありません。"), 422)
    return redirect(url_for(".review", draft_id=draft.id))


@bp.post("/versions/<int:version_id>/draft")
@login_required
def from_version(version_id: int):
    """Roll back: a new draft from an earlier version, published as a new version."""
    fv = db.session.get(FormVersion, version_id)
    if fv is None:
        abort(404)
    p = _procedure(fv.procedure_code)
    draft = services.start(p, current_user, fv.form_id, "copy", "", str(fv.id))
    return redirect(url_for(".overview", draft_id=draft.id))


@bp.get("/forms/<code>")
@login_required
def versions_of(code: str):
    """The published versions of a procedure's forms, each to export or to roll back to."""
    p = db.session.scalar(select(Procedure).where(Procedure.code == code))
    if p is None:
        abort(404)
    if not staff_services.may_see_procedure(current_user, p):
        abort(403)
    rows = list(
        db.session.scalars(
            select(FormVersion)
            .where(FormVersion.procedure_code == p.code)
            .order_by(FormVersion.form_id, FormVersion.version.desc())
        )
    )
    return render_template(
        "builder/versions.html",
        p=p,
        rows=rows,
        can_edit=current_user.can_edit(p.department_id),
        may_withdraw=_may_withdraw(p),
        withdrawn=versions.withdrawn_forms(),
    )


def _may_withdraw(p: Procedure) -> bool:
    """The procedure's department (or an admin) and the bureau may take a form off line."""
    return current_user.can_edit(p.department_id) or current_user.role == "bureau"


@bp.post("/forms/<code>/withdraw")
@login_required
def withdraw_form(code: str):
    """Take one of the procedure's forms off line: residents can no longer start it."""
    p = db.session.scalar(select(Procedure).where(Procedure.code == code))
    if p is None:
        abort(404)
    if not _may_withdraw(p):
        abort(403)
    form_id = request.form.get("form_id", "")
    owned = db.session.scalar(
        select(FormVersion.id).where(
            FormVersion.form_id == form_id, FormVersion.procedure_code == p.code
        )
    )
    if owned is None:
        flash(_("この手続の公開済みの様式から選んでください。"), "error")
        return redirect(url_for(".versions_of", code=p.code))
    versions.withdraw(form_id, current_user.email)
    staff_services.audit(
        current_user, "builder.withdraw_form", f"form:{form_id}", {"procedure": p.code}
    )
    db.session.commit()
    flash(_("受付を終了しました。新しい版を公開すると再開します。"), "success")
    return redirect(url_for(".versions_of", code=p.code))


# --- bundles: forms and templates shared between deployments ----------------------------------


@bp.get("/bundle.zip")
@login_required
def bundle_export():
    return Response(
        bundle.write(services.bundle_entries(current_user)),
        mimetype="application/zip",
        headers={"Content-Disposition": 'attachment; filename="forms-bundle.zip"'},
    )


@bp.post("/bundle")
@login_required
def bundle_import():
    """Each form of a bundle becomes a draft of its procedure, where the procedure is in
    this catalogue and the user may edit it; each template is kept as a template of the
    user's department (of every department for an admin); everything else is listed as
    left out."""
    if current_user.role not in ("department", "admin"):
        abort(403)
    sent = request.files.get("bundle")
    raw = sent.read(bundle.MAX_BUNDLE_BYTES + 1) if sent else b""
    if not raw:
        flash(_("zipファイルを選んでください。"), "error")
        return redirect(url_for(".index"))
    got = bundle.read(raw)
    made, left = [], [document.message_text(p, current_lang()) for p in got.problems]
    templates = []
    for entry in got.entries:
        if entry.kind == "template":
            outcome, template = services.take_in_template(entry, current_user)
            if template is not None:
                templates.append((template, outcome))
            else:
                left.append(_template_left_out(entry.name, outcome))
            continue
        data, _problems = document.read(entry.text)
        code = data.get("procedure") if isinstance(data, dict) else None
        p = (
            db.session.scalar(select(Procedure).where(Procedure.code == str(code)))
            if code
            else None
        )
        if (
            not isinstance(data, dict)
            or not isinstance(data.get("id"), str)
            or not FORM_ID.fullmatch(data["id"])
        ):
            left.append(_("%(name)s: 様式として読めません", name=entry.name))
        elif p is not None and services.owned_elsewhere(data["id"], p):
            left.append(_("%(name)s: 様式IDがほかの手続の様式で使われています", name=entry.name))
        elif p is None or not current_user.can_edit(p.department_id):
            left.append(
                _(
                    "%(name)s: 手続 %(code)s がないか、編集できません",
                    name=entry.name,
                    code=str(code)[:40],
                )
            )
        else:
            made.append(services.start_from(p, current_user, data, f"bundle:{entry.name}"))
    db.session.commit()
    return render_template("builder/imported.html", made=made, left=left, templates=templates)


def _template_left_out(name: str, outcome: str) -> str:
    if outcome == "same":
        return _("%(name)s: 同じひな形がすでにあります", name=name)
    if outcome == "full":
        return _(
            "%(name)s: ひな形が多すぎます（%(n)s件まで）。", name=name, n=services.MAX_TEMPLATES
        )
    return _("%(name)s: ひな形として読めません", name=name)
