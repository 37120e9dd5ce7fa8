"""The draft as residents will see it: the real question pages and check page, rendered
from the draft's definition by the resident's templates. What is typed is kept only in
the author's session for the preview and thrown away; nothing is stored as a draft or a
submission, and nothing is counted in the funnel or the KPI."""

from __future__ import annotations

import dataclasses
import hashlib
import uuid
from types import SimpleNamespace

from flask import abort, flash, g, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import login_required

from app.formengine import parser, prune, render, validate_page
from app.formengine.destinations import ANY as ANY_WEBHOOK
from app.formengine.files import check_upload, safe_name, sniff
from app.formengine.types import GroupType, kind
from app.formengine.wtf import answers_from, bind
from app.submissions import validation
from app.submissions.flow import Flow
from app.submissions.page_parts import anchor, conditions_shown  # the resident's rule
from app.web import content_lang

from .views import _draft, bp

KEY = "builder_preview"
# the resident's pages name their addresses through `flow_url`; in the preview these
ENDPOINTS = {
    "submissions.page": "builder.preview_page",
    "submissions.check": "builder.preview_check",
    "submissions.submit": "builder.preview_submit",
}


@bp.before_request
def _preview_addresses() -> None:
    if request.endpoint and request.endpoint.startswith("builder.preview_"):
        g.flow_endpoints = ENDPOINTS


@bp.url_defaults
def _draft_in_preview_urls(endpoint: str, values: dict) -> None:
    """The resident's templates name a page by form and page; the preview's URLs need the
    draft too, which the request being answered knows."""
    if endpoint.startswith("builder.preview_") and "draft_id" not in values:
        draft_id = (request.view_args or {}).get("draft_id")
        if draft_id is not None:
            values["draft_id"] = draft_id


def _definition(draft):
    """The draft's definition under an id of its own (made per revision, so that nothing
    the resident's pages keep per form version is shared with a published version)."""
    defn, problems = parser.parse(draft.yaml_text, path="form.yaml", webhooks=ANY_WEBHOOK)
    if defn is None:
        flash(_("問題が残っているため、プレビューできません。先に問題を直してください。"), "error")
        return None, None
    preview_id = f"preview-{draft.id}-{draft.revision}"
    defn = dataclasses.replace(defn, id=preview_id)
    digest = hashlib.sha256(draft.yaml_text.encode("utf-8")).hexdigest()
    return SimpleNamespace(id=preview_id, content_hash=digest), defn


def _kept(draft) -> dict:
    got = session.get(KEY) or {}
    return dict(got.get("answers") or {}) if got.get("draft") == draft.id else {}


def _keep(draft, answers: dict, files: list[str]) -> None:
    old = session.get(KEY) or {}
    known = list(old.get("files") or []) if old.get("draft") == draft.id else []
    session[KEY] = {"draft": draft.id, "answers": answers, "files": (known + files)[-50:]}


def _ctx(draft, lang):
    got = session.get(KEY) or {}
    files = set(got.get("files") or []) if got.get("draft") == draft.id else set()
    return validation.context(lang, pending_files=dict.fromkeys(files, True))


def _page_html(draft, fv, defn, page, form, answers, lang, errors=None, status=200):
    ctx = _ctx(draft, lang)
    number, total, previous = Flow(defn, answers, ctx).position(page)
    hidden, notes, reveal = conditions_shown(defn, page, answers, lang, ctx)
    summary = [(anchor(k, page), m) for k, msgs in (errors or {}).items() for m in msgs]
    return render_template(
        "builder/preview_page.html",
        fv=fv,
        defn=defn,
        page=page,
        lang=lang,
        number=number,
        total=total,
        previous=previous,
        from_check=request.args.get("from") == "check",
        group_title=GroupType.item_title,
        hidden=hidden,
        notes=notes,
        reveal=reveal,
        form=form,
        errors=errors or {},
        summary=summary,
        files={},
        draft=draft,
    ), status


@bp.get("/<int:draft_id>/preview")
@login_required
def preview_start(draft_id: int):
    draft = _draft(draft_id)
    fv, defn = _definition(draft)
    if defn is None:
        return redirect(url_for(".overview", draft_id=draft.id))
    session.pop(KEY, None)  # a new preview starts empty
    lang = content_lang(defn.languages)
    first = Flow(defn, {}, _ctx(draft, lang)).first()
    if first is None:
        return redirect(url_for(".preview_check", draft_id=draft.id, form_id=defn.id))
    return redirect(url_for(".preview_page", draft_id=draft.id, form_id=defn.id, page_id=first))


def _current(draft_id: int, form_id: str):
    draft = _draft(draft_id)
    fv, defn = _definition(draft)
    if defn is None:
        return draft, None, None
    if form_id != defn.id:  # the draft changed since: start the preview again
        return draft, None, None
    return draft, fv, defn


@bp.route("/<int:draft_id>/preview/<form_id>/<page_id>", methods=["GET", "POST"])
@login_required
def preview_page(draft_id: int, form_id: str, page_id: str):
    draft, fv, defn = _current(draft_id, form_id)
    if defn is None:
        return redirect(url_for(".preview_start", draft_id=draft.id))
    page = defn.page(page_id)
    if page is None:
        abort(404)
    lang = content_lang(defn.languages)
    answers = _kept(draft)
    if request.method == "GET":
        return _page_html(
            draft, fv, defn, page, bind(defn, page, lang, answers=answers), answers, lang
        )
    form = bind(defn, page, lang, formdata=request.form)
    raw = answers_from(defn, page, form)
    sent, errors = _files(page, lang)
    raw.update(sent)
    for f in page.fields:
        if f.type == "file" and f.id not in sent and f.id in answers:
            raw[f.id] = answers[f.id]
    ctx = validation.context(lang, pending_files=dict.fromkeys(_ids(raw), True))
    action = request.form.get("action", "next")
    if action.startswith(("lookup:", "add:", "remove:")):  # a field's own button (types.py)
        verb, _sep, rest = action.partition(":")
        field_id, _sep, arg = rest.partition(":")
        f = next((x for x in page.fields if x.id == field_id), None)
        if f is not None:
            raw[f.id] = kind(f).act(f, raw.get(f.id), verb, arg, ctx)
        form = bind(defn, page, lang, answers=raw)
        return _page_html(draft, fv, defn, page, form, answers, lang, errors)
    if action == "save":  # the resident would get a resume code; a preview keeps nothing
        flash(
            _("プレビューでは一時保存しません。住民の画面では再開コードとリンクが出ます。"), "info"
        )
        return _page_html(draft, fv, defn, page, form, answers, lang)
    result = validate_page(defn, page, raw, answers, ctx)
    errors = {**result.errors, **errors}
    if errors:
        return _page_html(draft, fv, defn, page, form, answers, lang, errors, 422)
    answers = {k: v for k, v in answers.items() if k not in {f.id for f in page.fields}}
    answers.update(result.values)
    answers = prune(defn, answers, ctx)
    _keep(draft, answers, list(_ids(raw)))
    following = Flow(defn, answers, _ctx(draft, lang)).after(page)
    if following is None or request.args.get("from") == "check":
        return redirect(url_for(".preview_check", draft_id=draft.id, form_id=defn.id))
    return redirect(url_for(".preview_page", draft_id=draft.id, form_id=defn.id, page_id=following))


def _ids(raw: dict):
    for value in raw.values():
        for item in value if isinstance(value, list) else []:
            if isinstance(item, dict) and isinstance(item.get("id"), str):
                yield item["id"]


def _files(page, lang: str) -> tuple[dict, dict]:
    """Files chosen in the preview: checked as the resident's would be, then forgotten
    (only their names are kept for the check page)."""
    values, errors = {}, {}
    for f in page.fields:
        if f.type != "file":
            continue
        chosen = [s for s in request.files.getlist(f.id) if s and s.filename]
        refs = []
        for storage in chosen:
            content = storage.read(int(float(f.get("max_size_mb", 10)) * 1024 * 1024) + 1)
            problem = check_upload(f, storage.filename, content, len(content), lang)
            if problem:
                errors.setdefault(f.id, []).append(problem)
                continue
            refs.append(
                {
                    "id": f"preview-{uuid.uuid4().hex}",
                    "name": safe_name(storage.filename),
                    "size": len(content),
                    "type": sniff(content[:64]) or storage.mimetype,
                }
            )
        if refs:
            values[f.id] = refs
    return values, errors


@bp.get("/<int:draft_id>/preview/<form_id>/check")
@login_required
def preview_check(draft_id: int, form_id: str):
    draft, fv, defn = _current(draft_id, form_id)
    if defn is None:
        return redirect(url_for(".preview_start", draft_id=draft.id))
    lang = content_lang(defn.languages)
    answers = _kept(draft)
    ctx = _ctx(draft, lang)
    missing = Flow(defn, answers, ctx).first_incomplete()
    if missing:
        return redirect(
            url_for(".preview_page", draft_id=draft.id, form_id=defn.id, page_id=missing)
        )
    sections = render(defn, answers, lang, ctx)
    return render_template(
        "builder/preview_check.html",
        fv=fv,
        defn=defn,
        lang=lang,
        sections=sections,
        error=None,
        draft=draft,
    )


@bp.post("/<int:draft_id>/preview/<form_id>/submit")
@login_required
def preview_submit(draft_id: int, form_id: str):
    """The preview's 申請する: nothing is sent; the answers are thrown away."""
    draft = _draft(draft_id)
    session.pop(KEY, None)
    flash(_("プレビューを終えました。入力した内容は保存も送信もしていません。"), "success")
    return redirect(url_for(".overview", draft_id=draft.id))
