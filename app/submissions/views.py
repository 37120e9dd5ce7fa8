"""The resident's flow: start → pages → check (確認画面) → done, resume, status look-up."""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _

from app.extensions import db, limiter
from app.formengine import Page, render
from app.formengine.types import FileType, GroupType, kind, max_chars
from app.formengine.wtf import answers_from, bind
from app.identity import accounts as identity
from app.links import absolute_url
from app.web import checks_own_text, content_lang

from . import (
    corrections,
    deadlines,
    drafts,
    fastpage,
    kept,
    prefill,
    receipts,
    revisions,
    satisfaction,
    store,
    uploads,
    validation,
    versions,
)
from .codes import normalise_receipt_no
from .flow import Flow
from .models import CASE_STATUSES, Draft
from .page_parts import anchor, conditions_shown

bp = Blueprint("submissions", __name__)
bp.add_app_template_global(fastpage.field_html, "field_html")
bp.add_app_template_global(receipts.receipt_state, "receipt_state")
bp.add_app_template_global(max_chars, "max_chars")

RESERVED = {"start", "check", "submit", "done", "resume", "saved", "files"}


# --- helpers -------------------------------------------------------------------------------


def _form(form_id: str):
    """The newest version of a form: the one a new draft starts on."""
    fv = versions.latest_version(form_id)
    if fv is None:
        abort(404)
    return fv, versions.definition(fv)


def _answered_on(draft) -> tuple:
    """The version a draft was started on, and its definition: a draft is shown, checked
    and submitted on its own version until the resident moves it to a newer one."""
    fv = versions.version_by_id(draft.form_version_id)
    return fv, versions.definition(fv)


def _draft(form_id: str, receipt_no: str | None = None) -> Draft | None:
    if receipt_no is not None:
        return _correction_draft(form_id, receipt_no)
    token = (session.get("drafts") or {}).get(form_id)
    draft = drafts.draft_by_token(token)
    if draft is None or versions.version_by_id(draft.form_version_id).form_id != form_id:
        return None
    return draft if _may_open(draft) else None


def _draft_state(form_id: str) -> drafts.DraftState | None:
    """The resident's draft of this form as a page that only shows it reads it."""
    state = drafts.draft_state((session.get("drafts") or {}).get(form_id))
    if state is None or versions.version_by_id(state.form_version_id).form_id != form_id:
        return None
    return state if _may_open(state) else None


def _may_open(draft) -> bool:
    """A signed-in resident's draft opens only in a session signed in as them; a draft of
    a form that requires sign-in is never anonymous."""
    if draft.resident_id is not None:
        resident = identity.current()
        return resident is not None and resident.id == draft.resident_id
    defn = versions.definition(versions.version_by_id(draft.form_version_id))
    return not defn.identity.required


def _signed_in_for(defn):
    """The signed-in resident if the form offers sign-in to their kind, else None."""
    resident = identity.current() if defn.identity.offered else None
    if resident is None or resident.kind not in defn.identity.kinds:
        return None
    return resident


def _to_sign_in(defn, form_id: str):
    """A form that requires sign-in starts there, and comes back to its start page."""
    return redirect(
        url_for(
            "identity.signin_page",
            next=url_for(".start", form_id=form_id),
            kind=list(defn.identity.kinds),
        )
    )


def _correction_draft(form_id: str, receipt_no: str) -> Draft | None:
    """The draft this session corrects the submission in (補正): only after the session
    showed the access code (or made the submission), and only while it is open. The
    pages of a correction are the pages of a new application, at their own addresses
    (`flow_url` adds the receipt number)."""
    sub = _verified(receipt_no)
    token = (session.get("corrections") or {}).get(receipt_no)
    if sub is None or not isinstance(token, str) or sub.form_version.form_id != form_id:
        return None
    draft = drafts.draft_by_token(token)
    req = corrections.request_of_draft(draft.id) if draft is not None else None
    if req is None or req.submission_id != sub.id:
        return None
    g.correcting, g.correction, g.corrected = receipt_no, req, sub
    return draft


def flow_url(endpoint: str, **values) -> str:
    """The address of a page of the flow: a new application's, or the correction's when
    the resident is correcting a returned submission."""
    if g.get("correcting"):
        values["receipt_no"] = g.correcting
    # the form builder's preview shows these same pages at its own addresses
    endpoint = (g.get("flow_endpoints") or {}).get(endpoint.lstrip("."), endpoint)
    return url_for(endpoint, **values)


bp.add_app_template_global(flow_url, "flow_url")


def _finished(draft: Draft) -> bool:
    """A new application's draft once submitted; a correction once resubmitted, past its
    deadline or no longer asked for."""
    if g.get("correction") is not None:
        return (
            corrections.closed_reason(g.corrected, corrections.open_request(g.corrected))
            is not None
            or g.correction.answered_at is not None
        )
    return drafts.is_submitted(draft)


def _leave(form_id: str):
    """Where a page goes without a draft to show: the start, or the status page."""
    if request.view_args.get("receipt_no"):
        return redirect(url_for(".status_detail", receipt_no=request.view_args["receipt_no"]))
    _form(form_id)  # 404 for a form that does not exist
    return redirect(url_for(".start", form_id=form_id))


def _remember_draft(form_id: str, draft: Draft) -> None:
    remembered = dict(session.get("drafts") or {})
    remembered[form_id] = draft.token
    session["drafts"] = remembered


def _lang(defn) -> str:
    return content_lang(defn.languages)


def _flow(defn, draft, lang: str) -> Flow:
    return Flow(defn, draft.answers or {}, validation.context(lang, draft))


def _layout(defn, draft, page: Page, lang: str) -> dict:
    """What a question page shows besides its questions' data, errors and files."""
    ctx = validation.context(lang)
    answers = draft.answers or {}
    number, total, previous = Flow(defn, answers, ctx).position(page)
    hidden, notes, reveal = conditions_shown(defn, page, answers, lang, ctx)
    return {
        "defn": defn,
        "page": page,
        "lang": lang,
        "number": number,
        "total": total,
        "previous": previous,
        "from_check": request.args.get("from") == "check",
        "group_title": GroupType.item_title,
        "hidden": hidden,
        "notes": notes,
        "reveal": reveal,
    }


def _render_page(fv, defn, draft, page, form, errors=None, status=200):
    summary = [(anchor(k, page), m) for k, msgs in (errors or {}).items() for m in msgs]
    return render_template(
        "apply/page.html",
        fv=fv,
        **_layout(defn, draft, page, _lang(defn)),
        form=form,
        errors=errors or {},
        summary=summary,
        files=uploads.files_on_page(draft, page),
        kept_docs=_kept_docs(draft, page),
        kept_days=current_app.config["KEPT_DOCUMENT_DAYS"],
    ), status


def _owner(draft):
    """The signed-in resident whose draft this is (None for anyone else's or anonymous)."""
    resident = identity.current() if draft.resident_id is not None else None
    return resident if resident is not None and resident.id == draft.resident_id else None


def _kept_docs(draft, page: Page) -> dict[str, list]:
    """Per file question: the documents its resident kept that it accepts (kept.py)."""
    resident = _owner(draft) if not g.get("correcting") else None
    if resident is None:
        return {}
    return {
        f.id: kept.usable(resident.id, f.get("accept")) for f in page.fields if f.type == "file"
    }


def _reused(draft, pg: Page) -> dict[str, list]:
    """The kept documents chosen on the page, per question: each its resident's own, not
    expired; the choice is the consent to send it with this application."""
    resident = _owner(draft) if not g.get("correcting") else None
    if resident is None:
        return {}
    chosen = {}
    for f in pg.fields:
        if f.type != "file":
            continue
        ids = dict.fromkeys(request.form.getlist(f"reuse-{f.id}")[: kept.MAX_CHOSEN])
        docs = [d for i in ids if (d := kept.find(resident.id, i)) is not None]
        if docs:
            chosen[f.id] = docs
    return chosen


def _keep_new(draft, pg: Page, before: dict[str, list], values: dict) -> None:
    """Files newly attached to a question whose 保管する box was ticked: kept for reuse."""
    resident = _owner(draft) if not g.get("correcting") else None
    if resident is None:
        return
    for f in pg.fields:
        if f.type != "file" or request.form.get(f"keep-{f.id}") != "y":
            continue
        earlier = {r.get("id") for r in before.get(f.id) or []}
        for ref in FileType.refs(values.get(f.id)):
            row = uploads.stored_file(ref["id"]) if ref.get("id") not in earlier else None
            if row is not None:
                kept.keep(resident.id, row, f.label.get("ja") if f.label else f.id)


def _show_page(fv, defn, draft, page: Page, lang: str):
    """A question page as the resident left it: their answers, or what they typed."""
    typed = (draft.pending or {}).get(page.id)
    shown = typed if typed is not None else (draft.answers or {})
    html = None
    if not g.get("correcting"):  # its pages are the template's, at the correction's address
        html = fastpage.page_html(fv, defn, page, lang, shown, _layout(defn, draft, page, lang))
    if html is not None:
        return html
    return _render_page(fv, defn, draft, page, bind(defn, page, lang, answers=shown))


# --- routes ----------------------------------------------------------------------------------


@bp.get("/apply/<form_id>")
def start(form_id: str):
    fv, defn = _form(form_id)
    draft = _draft(form_id)
    if draft is not None and drafts.is_submitted(draft):
        draft = None
    resident = _signed_in_for(defn)
    if draft is None and resident is not None:
        draft = drafts.residents_draft(resident.id, form_id)
    older = draft is not None and draft.form_version_id != fv.id
    return render_template(
        "apply/start.html",
        fv=fv,
        defn=defn,
        lang=_lang(defn),
        draft=draft,
        older=older,
        processing_days=deadlines.standard_days(fv.procedure_code, defn),
        resident=resident,
        sign_in_url=url_for(
            "identity.signin_page",
            next=url_for(".start", form_id=form_id),
            kind=list(defn.identity.kinds),
        ),
    )


@bp.post("/apply/<form_id>/start")
@limiter.limit(lambda: current_app.config["START_RATE_LIMIT"])
def begin(form_id: str):
    """Start a draft on the newest version, or continue the resident's draft on the version
    it was started on; `move` takes it to the newest version, where whatever the new
    version asks that the draft does not answer yet is asked."""
    fv, defn = _form(form_id)
    resident = _signed_in_for(defn)
    if defn.identity.required and resident is None:
        return _to_sign_in(defn, form_id)
    draft = _draft(form_id)
    if (draft is None or drafts.is_submitted(draft)) and resident is not None:
        draft = drafts.residents_draft(resident.id, form_id)  # resumed without a code
        if draft is not None:
            _remember_draft(form_id, draft)
    if draft is None or drafts.is_submitted(draft):
        draft = drafts.start_draft(fv, _lang(defn), resident.id if resident else None)
        if resident is not None:  # to be confirmed on the pages (prefill.py)
            prefill.apply(draft, defn, resident.provider, resident.profile or {})
            db.session.commit()
        _remember_draft(form_id, draft)
    elif draft.form_version_id != fv.id and request.form.get("action") == "move":
        drafts.move_draft(draft, fv, validation.context(_lang(defn), draft))
        missing = _flow(defn, draft, _lang(defn)).first_incomplete(draft.pending)
        if missing:
            return redirect(url_for(".page", form_id=form_id, page_id=missing))
        return redirect(url_for(".check", form_id=form_id))
    _, defn = _answered_on(draft)
    first = _flow(defn, draft, _lang(defn)).first()
    return redirect(url_for(".page", form_id=form_id, page_id=first))


@bp.route("/apply/<form_id>/resume", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["RESUME_RATE_LIMIT"], methods=["POST"])
def resume(form_id: str):
    """The resume code is only ever POSTed: the link on the save page carries it in its
    fragment (`…/resume#ABCDE-FGHJK`), which browsers never send; static/resume.js puts it
    in the form."""
    fv, defn = _form(form_id)
    code = request.form.get("code", "") if request.method == "POST" else ""
    error = None
    if request.method == "POST" and not code.strip():
        error = _("再開コードを入力してください。")
    elif request.method == "POST":
        draft = drafts.resume(code)
        if draft is not None and draft.form_version.form_id == form_id:
            _remember_draft(form_id, draft)
            return redirect(url_for(".check", form_id=form_id))
        error = _("再開コードが正しくないか、有効期限が切れています。")
    status = 422 if error else 200
    return render_template(
        "apply/resume.html", fv=fv, defn=defn, lang=_lang(defn), error=error, code=code
    ), status


@bp.get("/apply/<form_id>/resume/<path:_old>")
def resume_old_link(form_id: str, _old: str):
    """Links of the old form (the code in the path) no longer resume: they lead to the
    resume page, where the resident types the code (never read from the path)."""
    _form(form_id)
    return redirect(url_for(".resume", form_id=form_id))


@limiter.limit(lambda: current_app.config["UPLOAD_RATE_LIMIT"])
def _count_upload() -> None:
    """One more page posted with files from this address (UPLOAD_RATE_LIMIT; 429 past it).
    Declared here rather than on the route: the question pages' GETs, the most asked
    pages, and their posts without files do not pay for the limiter's check."""


@bp.route("/apply/<form_id>/<page_id>", methods=["GET", "POST"])
@bp.route("/apply/<form_id>/correction/<receipt_no>/<page_id>", methods=["GET", "POST"])
@checks_own_text  # each answer with its field's message; what was typed is kept
def page(form_id: str, page_id: str, receipt_no: str | None = None):
    if request.method == "GET" and receipt_no is None:  # the most asked page: fast path
        state = _draft_state(form_id)
        if state is None or state.submitted:
            return _leave(form_id)
        fv, defn = _answered_on(state)
        pg = defn.page(page_id)
        if pg is None:
            abort(404)
        drafts.reach_page(state, f"page:{pg.id}")
        return _show_page(fv, defn, state, pg, _lang(defn))

    draft = _draft(form_id, receipt_no)
    if draft is None or _finished(draft):
        return _leave(form_id)
    fv, defn = _answered_on(draft)
    pg = defn.page(page_id)
    if pg is None:
        abort(404)
    lang = _lang(defn)
    if receipt_no is not None and not _editable_fields(defn, pg):
        return redirect(flow_url(".check", form_id=form_id))  # nothing here may change
    if request.method == "GET":
        return _show_page(fv, defn, draft, pg, lang)

    sent = _files_sent()
    if receipt_no is not None:  # a correction changes only what it may
        sent = {k: v for k, v in sent.items() if k in _editable_fields(defn, pg)}
    reused = _reused(draft, pg)
    for field_id, docs in reused.items():  # attached again as uploads of this draft
        sent.setdefault(field_id, []).extend(kept.as_upload(d) for d in docs)
    if sent:
        _count_upload()
    ctx = validation.context(lang, draft)
    form = bind(defn, pg, lang, formdata=request.form)
    raw = answers_from(defn, pg, form)
    before = uploads.files_on_page(draft, pg)
    taken = uploads.take_uploads(draft, pg, sent, _files_removed(pg), lang)
    raw.update(taken.values)
    for field_id, docs in reused.items():
        kept.mark_reused(draft.id, field_id, docs)
    _keep_new(draft, pg, before, taken.values)
    if reused or db.session.dirty or db.session.new:
        db.session.commit()
    if receipt_no is not None:
        raw = _keep_unchangeable(defn, pg, draft, raw)
    upload_errors, storage_full = taken.errors, taken.storage_full
    action = request.form.get("action", "next")

    if action.startswith(("lookup:", "add:", "remove:")):
        _act(pg, raw, action, validation.context(lang, draft))
        drafts.keep_typed(draft, pg, raw, commit=True)
        form = bind(defn, pg, lang, answers=raw)
        status = 507 if storage_full else 200
        return _render_page(fv, defn, draft, pg, form, upload_errors, status=status)
    if action == "save" and receipt_no is not None:  # the correction stays open as it is
        drafts.keep_typed(draft, pg, raw, commit=True)
        flash(
            _("入力内容を保存しました。期限までに、この画面から補正を続けてください。"), "success"
        )
        return redirect(url_for(".status_detail", receipt_no=receipt_no))
    if action == "save":
        drafts.keep_typed(draft, pg, raw)
        drafts.save_for_later(draft)
        return redirect(url_for(".saved", form_id=form_id))

    result = drafts.save_page(draft, defn, pg, raw, ctx)
    errors = {**result.errors, **upload_errors}
    if errors:
        if result.ok:  # only an upload failed: keep what was typed on the page
            drafts.keep_typed(draft, pg, raw, commit=True)
        return _render_page(fv, defn, draft, pg, form, errors, status=507 if storage_full else 422)
    if request.args.get("from") == "check":
        return redirect(flow_url(".check", form_id=form_id))
    following = _flow(defn, draft, lang).after(pg)
    if following is None:
        return redirect(flow_url(".check", form_id=form_id))
    return redirect(flow_url(".page", form_id=form_id, page_id=following))


def _editable_fields(defn, pg: Page) -> set[str]:
    """The fields of a page the resident may change in the correction being made."""
    return {f.id for f in pg.fields if corrections.editable(defn, g.correction, f.id)}


def _keep_unchangeable(defn, pg: Page, draft, raw: dict) -> dict:
    """A correction's page with every answer it may not change as submitted (whatever was
    posted for it): the rule of corrections.keep_unchangeable, on one page."""
    kept = dict(raw)
    for f in pg.fields:
        if f.id not in _editable_fields(defn, pg):
            if f.id in (g.corrected.answers or {}):
                kept[f.id] = g.corrected.answers[f.id]
            else:
                kept.pop(f.id, None)
    return kept


def _files_sent() -> dict[str, list]:
    """The files chosen in the request, by input name (empty file inputs left out)."""
    sent: dict[str, list] = {}
    for name, storage in request.files.items(multi=True):
        if storage and storage.filename:
            sent.setdefault(name, []).append(storage)
    return sent


def _files_removed(pg: Page) -> dict[str, set[str]]:
    """The files the resident ticked 削除する, by field."""
    return {
        f.id: set(request.form.getlist(f"remove-{f.id}")) for f in pg.fields if f.type == "file"
    }


def _act(pg: Page, raw: dict, action: str, ctx) -> None:
    """A field's own button pressed without JavaScript (`lookup:address`, `add:household`,
    `remove:household:2`): the field's type changes its answer (types.py, `act`)."""
    verb, _, rest = action.partition(":")
    field_id, _, arg = rest.partition(":")
    f = next((x for x in pg.fields if x.id == field_id), None)
    if f is not None:
        raw[f.id] = kind(f).act(f, raw.get(f.id), verb, arg, ctx)


@bp.get("/apply/<form_id>/saved")
def saved(form_id: str):
    draft = _draft(form_id)
    if draft is None or not draft.resume_code:
        return redirect(url_for(".start", form_id=form_id))
    fv, defn = _answered_on(draft)
    # the code after '#': browsers never send a fragment, so no server or proxy logs it
    link = absolute_url("submissions.resume", form_id=form_id) + "#" + draft.resume_code
    return render_template(
        "apply/saved.html",
        fv=fv,
        defn=defn,
        lang=_lang(defn),
        draft=draft,
        link=link,
    )


@bp.get("/apply/<form_id>/check")
@bp.get("/apply/<form_id>/correction/<receipt_no>/check")
def check(form_id: str, receipt_no: str | None = None):
    if receipt_no is None:
        draft = _draft_state(form_id)
        finished = draft is None or draft.submitted
    else:
        draft = _draft(form_id, receipt_no)
        finished = draft is None or _finished(draft)
    if finished:
        return _leave(form_id)
    fv, defn = _answered_on(draft)
    lang = _lang(defn)
    missing = _first_incomplete(defn, draft, lang)
    if missing:
        return redirect(flow_url(".page", form_id=form_id, page_id=missing))
    if receipt_no is None:
        drafts.reach_page(draft, "check")
    return _check_page(fv, defn, draft, lang, None)


def _check_page(fv, defn, draft, lang: str, error: str | None, ctx=None):
    sections = render(defn, draft.answers or {}, lang, ctx or validation.context(lang, draft))
    values = {}
    if g.get("correction") is not None:
        req = g.correction
        values = {
            "correction": req,
            "message": req.event.message,
            "marked": set(req.marked or []),
            "changeable": {
                f.id for _p, f in defn.all_fields() if corrections.editable(defn, req, f.id)
            },
        }
    # the answers still as the resident's identity provider vouched for them (prefill.py)
    kept_as_vouched = prefill.vouched(getattr(draft, "prefilled", None), draft.answers or {})
    values["vouched"] = (kept_as_vouched or {}).get("fields") or ()
    return render_template(
        "apply/check.html", fv=fv, defn=defn, lang=lang, sections=sections, error=error, **values
    ), (422 if error else 200)


def _first_incomplete(defn, draft, lang) -> str | None:
    return _flow(defn, draft, lang).first_incomplete(draft.pending)


@bp.post("/apply/<form_id>/submit")
@bp.post("/apply/<form_id>/correction/<receipt_no>/submit")
def submit(form_id: str, receipt_no: str | None = None):
    draft = _draft(form_id, receipt_no)
    if draft is None:
        return _leave(form_id)
    fv, defn = _answered_on(draft)
    token = draft.token  # read now: submitting commits, which expires the row
    lang = _lang(defn)
    if receipt_no is not None:
        return _resubmit(fv, defn, draft, lang, receipt_no)
    done = drafts.submission_of(draft)
    if done is None:
        missing = _first_incomplete(defn, draft, lang)
        if missing:
            return redirect(url_for(".page", form_id=form_id, page_id=missing))
        ctx = validation.context(lang, draft)
        done, result = store.submit_draft(
            draft, ctx, declared=request.form.get("declaration") == "y"
        )
        if done is None and "declaration" in result.errors:
            return _check_page(fv, defn, draft, lang, result.errors["declaration"][0], ctx)
        if done is None:
            return redirect(url_for(".check", form_id=form_id))
    _remember_receipt(done.receipt_no, token)
    return redirect(url_for(".done", form_id=form_id, receipt_no=done.receipt_no))


def _resubmit(fv, defn, draft, lang: str, receipt_no: str):
    """A correction sent: the same checks as a first submission, then the status page."""
    if g.correction.answered_at is None:
        missing = _first_incomplete(defn, draft, lang)
        if missing:
            return redirect(flow_url(".page", form_id=fv.form_id, page_id=missing))
    ctx = validation.context(lang, draft)
    try:
        sub, result = corrections.resubmit(
            draft, ctx, declared=request.form.get("declaration") == "y"
        )
    except corrections.CorrectionClosed as exc:
        flash(str(exc), "error")
        return redirect(url_for(".status_detail", receipt_no=receipt_no))
    if sub is None and "declaration" in result.errors:
        return _check_page(fv, defn, draft, lang, result.errors["declaration"][0], ctx)
    if sub is None:
        return redirect(flow_url(".check", form_id=fv.form_id))
    flash(_("補正した申請を受け付けました。審査が終わるまでお待ちください。"), "success")
    return redirect(url_for(".status_detail", receipt_no=receipt_no))


def _remember_receipt(receipt_no: str, draft_token: str) -> None:
    """The session keeps the resident's own receipt numbers with a reference the server
    checks (the token of the draft they were made from), never the access code: the
    cookie is signed, not secret."""
    session.pop("receipts", None)  # what sessions kept before: receipt number → access code
    own = {k: v for k, v in (session.get("own_receipts") or {}).items() if k != receipt_no}
    own[receipt_no] = draft_token
    session["own_receipts"] = dict(list(own.items())[-20:])


def _own(receipt_no: str):
    """The resident's own submission, found through the reference in their session."""
    token = (session.get("own_receipts") or {}).get(receipt_no)
    return store.own_submission(receipt_no, token) if isinstance(token, str) else None


@bp.get("/apply/<form_id>/done/<receipt_no>")
def done(form_id: str, receipt_no: str):
    sub = _own(receipt_no)
    if sub is None or sub.form_version.form_id != form_id:
        abort(404)
    defn = versions.definition(sub.form_version)
    lang = _lang(defn)
    sections = render(defn, sub.answers, lang, validation.context(lang))
    return render_template(
        "apply/done.html",
        fv=sub.form_version,
        defn=defn,
        lang=lang,
        sub=sub,
        sections=sections,
        feedback=_feedback_form(sub),
    )


def _feedback_form(sub, answer: satisfaction.Answer | None = None) -> dict:
    return {
        "token": satisfaction.token_for(sub),
        "answered": satisfaction.answered(sub),
        "scores": satisfaction.score_labels(),
        "answer": answer,
        "comment_max": satisfaction.COMMENT_MAX,
    }


@bp.post("/feedback")
@limiter.limit("20 per minute")
def feedback():
    """The done page's one question: a score and an optional comment, tied to the
    submission by the signed token in the form (no cookie, nothing about the resident)."""
    sub = satisfaction.submission_of(request.form.get("token"))
    if sub is None:
        return render_template("apply/feedback.html", feedback=None, status="unknown"), 400
    if satisfaction.answered(sub):
        return render_template("apply/feedback.html", feedback=None, status="already"), 409
    answer = satisfaction.read_answer(request.form.get("score"), request.form.get("comment"))
    if answer.errors:
        return render_template(
            "apply/feedback.html", feedback=_feedback_form(sub, answer), status="errors"
        ), 422
    if not satisfaction.record(sub, answer):
        return render_template("apply/feedback.html", feedback=None, status="already"), 409
    return redirect(url_for(".feedback_thanks"))


@bp.get("/feedback/thanks")
def feedback_thanks():
    return render_template("apply/feedback.html", feedback=None, status="thanks")


@bp.get("/apply/<form_id>/files/<file_id>")
@bp.get("/apply/<form_id>/correction/<receipt_no>/files/<file_id>")
def draft_file(form_id: str, file_id: str, receipt_no: str | None = None):
    draft = _draft(form_id, receipt_no)
    row = uploads.stored_file(file_id)
    if draft is None or not corrections.file_of_draft(draft, row):
        abort(404)
    return uploads.file_download(row)


@bp.route("/status", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["LOOKUP_RATE_LIMIT"], methods=["POST"])
def status():
    receipt_no = normalise_receipt_no(request.values.get("receipt_no"))
    error = None
    if request.method == "POST":
        sub = store.find_submission(receipt_no, request.form.get("access_code", ""))
        if sub is not None:
            verified = set(session.get("verified") or [])
            verified.add(sub.receipt_no)
            session["verified"] = sorted(verified)[-20:]
            return redirect(url_for(".status_detail", receipt_no=sub.receipt_no))
        error = _("到達番号またはアクセスコードが正しくありません。お手元の控えをご確認ください。")
    return render_template("status/lookup.html", receipt_no=receipt_no, error=error), (
        404 if error else 200
    )


def _verified(receipt_no: str):
    """The submission, if this session looked it up with its access code or made it, or
    the resident signed in made it (マイページ)."""
    if receipt_no in (session.get("verified") or []):
        return store.find_by_receipt(receipt_no)
    return _own(receipt_no) or _signed_in_own(receipt_no)


def _signed_in_own(receipt_no: str):
    resident = identity.current()
    if resident is None or not receipt_no:
        return None
    return store.residents_submission(receipt_no, resident.id)


@bp.get("/status/<receipt_no>")
def status_detail(receipt_no: str):
    sub = _verified(receipt_no)
    if sub is None:
        return redirect(url_for(".status", receipt_no=receipt_no))
    defn = versions.definition(sub.form_version)
    lang = content_lang(defn.languages)
    req = corrections.open_request(sub)
    return render_template(
        "status/detail.html",
        sub=sub,
        defn=defn,
        lang=lang,
        statuses=CASE_STATUSES,
        files=revisions.current_files(sub),
        correction=req,
        closed=corrections.closed_reason(sub, req) if req else None,
        revision=revisions.revision_count(sub),
    )


@bp.post("/status/<receipt_no>/correction")
def start_correction(receipt_no: str):
    """補正する: open the correction's draft (made the first time) at its check page,
    where the message and the marked answers are shown beside each other."""
    sub = _verified(receipt_no)
    if sub is None:
        return redirect(url_for(".status", receipt_no=receipt_no))
    try:
        draft = corrections.start(sub)
    except corrections.CorrectionClosed as exc:
        flash(str(exc), "error")
        return redirect(url_for(".status_detail", receipt_no=receipt_no))
    own = {k: v for k, v in (session.get("corrections") or {}).items() if k != receipt_no}
    own[receipt_no] = draft.token
    session["corrections"] = dict(list(own.items())[-20:])
    return redirect(url_for(".check", form_id=sub.form_version.form_id, receipt_no=sub.receipt_no))


@bp.get("/status/<receipt_no>/files/<file_id>")
def status_file(receipt_no: str, file_id: str):
    sub = _verified(receipt_no)
    row = uploads.stored_file(file_id)
    if sub is None or row is None or row.id not in {f.id for f in revisions.current_files(sub)}:
        abort(404)
    return uploads.file_download(row)


# --- receipt PDF (made by a job; see app/documents) ------------------------------------------


def _receipt_pdf(sub):
    data, state = receipts.receipt_for(sub)
    if data is None:
        defn = versions.definition(sub.form_version)
        page = render_template(
            "documents/not_ready.html",
            sub=sub,
            defn=defn,
            state=state,
            lang=content_lang(defn.languages),
        )
        # 202 while it is being made, 404 once deleted after the retention period
        if state == "pending":
            return page, 202, {"Retry-After": "5"}
        return page, 503 if state == "failed" else 404
    return receipts.receipt_download(sub, data)


@bp.get("/apply/<form_id>/done/<receipt_no>/receipt.pdf")
def done_receipt_pdf(form_id: str, receipt_no: str):
    sub = _own(receipt_no)
    if sub is None or sub.form_version.form_id != form_id:
        abort(404)
    return _receipt_pdf(sub)


@bp.get("/status/<receipt_no>/receipt.pdf")
def status_receipt_pdf(receipt_no: str):
    sub = _verified(receipt_no)
    if sub is None:
        return redirect(url_for(".status", receipt_no=receipt_no))
    return _receipt_pdf(sub)
