"""The questions inside a repeating group (`group`): listed on the group's own question
page, added there, and each edited on a page of its own like any question (one thing per
page, no JavaScript). Which types a group may hold is the parser's rule
(`edit.group_type_names`); a question inside may be shown on a condition naming a
question before the group, as the parser allows."""

from __future__ import annotations

from flask import abort, request, url_for
from flask_babel import gettext as _
from flask_login import login_required

from app.formengine.registry import FIELD_TYPES

from . import document, edit, services
from .views import _draft, _editable, _langs, _overview, _saved, bp, question_of, question_page


def _group_of(data, p: int, q: int) -> tuple[dict, dict]:
    """The page and the group at `p`, `q` (404 when that question is not a group)."""
    pg, group = question_of(data, p, q)
    if not edit.is_group(group):
        abort(404)
    return pg, group


@bp.post("/<int:draft_id>/pages/<int:p>/questions/<int:q>/fields")
@login_required
def add_group_question(draft_id: int, p: int, q: int):
    """A new question at the end of the group, of a type a group may hold."""
    draft = _editable(draft_id)
    data = services.data_of(draft)
    pg, group = _group_of(data, p, q)
    type_name = request.form.get("type", "")
    if type_name not in FIELD_TYPES or type_name not in edit.group_type_names():
        why = _("まとまりに入れる質問の種類を選んでください。")
        return question_page(draft, data, p, q, error=why, error_for="inner-type", status=422)
    new = edit.new_question(data, type_name)
    if not isinstance(group.get("fields"), list):
        group["fields"] = []
    group["fields"].append(new)
    s = len(group["fields"]) - 1
    done = _saved(
        draft,
        data,
        "group.add",
        {"page": pg.get("id"), "group": group.get("id"), "question": new["id"]},
        url_for(".group_question", draft_id=draft.id, p=p, q=q, s=s),
    )
    return done or _overview(draft, conflict=True, status=409)


@bp.route("/<int:draft_id>/pages/<int:p>/questions/<int:q>/fields/<int:s>", methods=["GET", "POST"])
@login_required
def group_question(draft_id: int, p: int, q: int, s: int):
    draft = _editable(draft_id) if request.method == "POST" else _draft(draft_id)
    data = services.data_of(draft)
    pg, group = _group_of(data, p, q)
    inner = document.questions(group)
    if not 0 <= s < len(inner):
        abort(404)
    if request.method == "GET":
        return question_page(draft, data, p, q, s)
    f = inner[s]
    action = request.form.get("action", "save")
    back = url_for(".question", draft_id=draft.id, p=p, q=q)
    if action in ("up", "down"):
        edit.move(group["fields"], s, -1 if action == "up" else 1)
        what = "group.move"
    elif action == "remove":
        group["fields"].pop(s)
        what = "group.remove"
    else:
        # a condition may name a question before the group (not one inside it)
        earlier = document.earlier_questions(data, p, q)
        group["fields"][s] = edit.read_question(f, request.form, _langs(data), earlier)
        what = "group.save"
        back = url_for(".group_question", draft_id=draft.id, p=p, q=q, s=s)
    detail = {"page": pg.get("id"), "group": group.get("id"), "question": f.get("id")}
    done = _saved(draft, data, what, detail, back)
    if done is not None:
        return done
    data = services.data_of(draft)  # another author saved first: shown with what was typed
    if not _still_there(data, p, q, s):
        return _overview(draft, conflict=True, status=409)
    typed = request.form if action == "save" else None
    return question_page(draft, data, p, q, s, conflict=True, posted=typed, status=409)


def _still_there(data, p: int, q: int, s: int) -> bool:
    """Whether the draft (as another author saved it) still has that question in a group."""
    pages = document.pages(data)
    questions = document.questions(pages[p]) if p < len(pages) else []
    group = questions[q] if q < len(questions) else None
    return edit.is_group(group) and s < len(document.questions(group))
