"""Drafts in the database: start, save (optimistic locking), check, review, publish.

Publishing goes through `versions.load_text`, the storing of `flask forms load`; the
first publication of a procedure's form may record its catalogue status through
`catalogue.record_status`, with the reviewer as the one who recorded it.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm.exc import StaleDataError

from app.catalogue import services as catalogue
from app.catalogue.features import parse_features
from app.catalogue.models import Procedure
from app.clock import today
from app.extensions import db
from app.formengine import parser
from app.formengine.errors import Problem
from app.notify import webhook
from app.staff import services as staff
from app.staff.models import AuditEvent, User
from app.submissions import versions
from app.submissions.cli import SHIPPED
from app.submissions.models import FormVersion

from . import bundle, document
from .importing import Imported
from .models import FormDraft, FormReview, FormTemplate

STARTERS = Path(__file__).resolve().parent / "starters"
# the shapes every department needs, in the order the start page offers them
STARTER_NAMES = ("individual", "corporation", "agent", "contact", "attachments", "declaration")
MAX_TEMPLATES = 200  # templates taken in that one department (or all, shared) may hold
STORED = "stored:"  # how the start page names a template taken in: stored:<its id>


class Conflict(Exception):
    """The draft was saved by someone else since the page was shown."""

    def __init__(self, draft: FormDraft):
        super().__init__(draft.id)
        self.draft = draft


class Refused(Exception):
    """A step the draft's state or the user's role does not allow; `message` says why."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


# --- templates and copies ---------------------------------------------------------------------


@dataclass(frozen=True)
class Starter:
    name: str  # individual, …, or shipped:<form id>
    title: str
    text: str


def starters(department_id: int | None = None) -> list[Starter]:
    """The shipped templates, the six shipped forms, then the templates taken in from
    bundles that a procedure of the department may start from, each as plain YAML text."""
    out = shipped_starters()
    for t in stored_templates(department_id):
        out.append(Starter(f"{STORED}{t.id}", t.title, t.yaml_text))
    return out


def shipped_starters() -> list[Starter]:
    out = []
    for name in STARTER_NAMES:
        text = (STARTERS / f"{name}.yaml").read_text(encoding="utf-8")
        data, _ = document.read(text)
        out.append(Starter(name, document.text_of(data.get("title")), text))
    for path in sorted(SHIPPED.glob("*.yaml")):
        text = path.read_text(encoding="utf-8")
        data, _ = document.read(text)
        out.append(Starter(f"shipped:{path.stem}", document.text_of(data.get("title")), text))
    return out


def starter(name: str, department_id: int | None = None) -> Starter | None:
    return next((s for s in starters(department_id) if s.name == name), None)


def stored_templates(department_id: int | None, *, every: bool = False) -> list[FormTemplate]:
    """The templates taken in for the department and those shared with every department
    (`every`: all of them, as the bureau sees them)."""
    stmt = select(FormTemplate).order_by(FormTemplate.title, FormTemplate.id)
    if not every:
        stmt = stmt.where(
            or_(FormTemplate.department_id == department_id, FormTemplate.department_id.is_(None))
        )
    return list(db.session.scalars(stmt.limit(MAX_TEMPLATES * 20)))


def take_in_template(entry: bundle.Entry, user: User) -> tuple[str, FormTemplate | None]:
    """Store a bundle's template for the user's department (for every department when the
    user belongs to none, an admin). → what happened: "stored", "replaced" (one of the
    same name was there), "same" (already offered: a shipped template or one taken in
    with the same text), "unreadable" (not a form's YAML with pages) or "full"."""
    data, _problems = document.read(entry.text)
    if not isinstance(data, dict) or not document.pages(data):
        return "unreadable", None
    department_id = user.department_id
    offered = stored_templates(department_id)
    if any(s.text == entry.text for s in shipped_starters()) or any(
        t.yaml_text == entry.text for t in offered
    ):
        return "same", None
    mine = [t for t in offered if t.department_id == department_id]  # not the shared ones
    name = entry.name.removeprefix("templates/").removesuffix(".yaml")[:100]
    title = (document.text_of(data.get("title")) or name).strip()[:200]
    origin = f"bundle:{entry.name}"[:200]
    template = next((t for t in mine if t.name == name), None)
    outcome = "replaced"
    if template is None:
        if len(mine) >= MAX_TEMPLATES:
            return "full", None
        template = FormTemplate(department_id=department_id, name=name, created_by_id=user.id)
        db.session.add(template)
        outcome = "stored"
    template.title, template.yaml_text, template.origin = title, entry.text, origin
    db.session.flush()
    staff.audit(
        user,
        f"builder.template_{outcome}",
        f"template:{template.id}",
        {"name": name, "origin": origin, "department": department_id},
    )
    return outcome, template


def next_version(form_id: str) -> int:
    newest = db.session.scalar(
        select(func.max(FormVersion.version)).where(FormVersion.form_id == form_id)
    )
    return (newest or 0) + 1


def start(
    procedure: Procedure, user: User, form_id: str, how: str, title: str, source: str | None
) -> FormDraft:
    """A new draft: blank, from a template (`source` its name) or a copy of a published
    version (`source` its FormVersion id). The caller has checked the choice."""
    version = next_version(form_id)
    if how == "template":
        chosen = starter(source or "", procedure.department_id)
        data, _ = document.read(chosen.text)
        data = document.retarget(data, form_id, procedure.code, version)
        origin = f"template:{chosen.name}"
    elif how == "copy":
        fv = db.session.get(FormVersion, int(source))
        data, _ = document.read(fv.yaml_text)
        data = document.retarget(data, form_id, procedure.code, version)
        origin = f"copy:{fv.form_id}@{fv.version}"
    else:
        data = document.blank(form_id, procedure.code, title or procedure.name_ja)
        data["version"] = version
        origin = "blank"
    draft = FormDraft(
        procedure_id=procedure.id,
        form_id=form_id,
        yaml_text=document.dump(data),
        origin=origin,
        created_by_id=user.id,
        state="editing",
    )
    db.session.add(draft)
    db.session.flush()
    staff.audit(user, "builder.start", f"draft:{draft.id}", {"form": form_id, "origin": origin})
    db.session.commit()
    return draft


def start_from(procedure: Procedure, user: User, data: dict, origin: str) -> FormDraft:
    """A new draft holding a form read elsewhere (a bundle), as a form of `procedure`."""
    form_id = data["id"]
    data = document.retarget(data, form_id, procedure.code, next_version(form_id))
    draft = FormDraft(
        procedure_id=procedure.id,
        form_id=form_id,
        yaml_text=document.dump(data),
        origin=origin[:120],
        created_by_id=user.id,
        state="editing",
    )
    db.session.add(draft)
    db.session.flush()
    staff.audit(user, "builder.start", f"draft:{draft.id}", {"form": form_id, "origin": origin})
    return draft


def start_imported(
    procedure: Procedure, user: User, form_id: str, imported: Imported, filename: str
) -> FormDraft:
    """A new draft from a 様式 (importing.read_file): an ordinary draft, whose marks (where
    each question came from, how sure the importer was, the notes) are kept with the
    audit record of the import, `builder.import`."""
    data = document.retarget(imported.data, form_id, procedure.code, next_version(form_id))
    draft = FormDraft(
        procedure_id=procedure.id,
        form_id=form_id,
        yaml_text=document.dump(data),
        origin=f"yoshiki:{filename}"[:120],
        created_by_id=user.id,
        state="editing",
    )
    db.session.add(draft)
    db.session.flush()
    staff.audit(user, "builder.start", f"draft:{draft.id}", {"form": form_id, "origin": "yoshiki"})
    staff.audit(
        user, "builder.import", f"draft:{draft.id}", {"file": filename[:200], **imported.marks}
    )
    db.session.commit()
    return draft


def import_marks(draft: FormDraft) -> dict[str, Any] | None:
    """The marks of an imported draft, each question's state `sure`, `unsure` or
    `confirmed` (saved on its own page since the import); None for a draft not imported."""
    if not draft.origin.startswith("yoshiki:"):
        return None
    target = f"draft:{draft.id}"
    events = list(
        db.session.scalars(
            select(AuditEvent)
            .where(
                AuditEvent.target == target,
                AuditEvent.action.in_(("builder.import", "builder.question.save")),
            )
            .order_by(AuditEvent.id)
        )
    )
    found = next((e.detail for e in events if e.action == "builder.import"), None)
    if not isinstance(found, dict):
        return None
    questions = {
        qid: dict(m) for qid, m in (found.get("questions") or {}).items() if isinstance(m, dict)
    }
    for qid, m in questions.items():
        m["state"] = "sure" if m.get("sure") else "unsure"
        m["id"] = qid
    for e in events:
        if e.action != "builder.question.save" or not isinstance(e.detail, dict):
            continue
        was, now = e.detail.get("question"), e.detail.get("id") or e.detail.get("question")
        if isinstance(was, str) and isinstance(now, str) and was in questions:
            m = questions.pop(was)
            m["state"], m["id"] = "confirmed", now
            questions[now] = m
    return {
        "file": found.get("file", ""),
        "format": found.get("format", ""),
        "notes": [n for n in found.get("notes") or [] if isinstance(n, str)],
        "seal": bool(found.get("seal")),
        "questions": questions,
        "unsure": sum(1 for m in questions.values() if m["state"] == "unsure"),
    }


def mark_of(marks: dict[str, Any] | None, question: Any) -> dict[str, Any] | None:
    """The import's mark of a question (a dict of the draft), if it has one."""
    fid = question.get("id") if isinstance(question, dict) else None
    if not marks or not isinstance(fid, str):
        return None
    return marks["questions"].get(fid)


def bundle_entries(user: User) -> list[bundle.Entry]:
    """The newest version of every published form, the shipped templates, and the
    templates taken in that the user may see (their department's and the shared ones;
    every one for the bureau and admins)."""
    out = [
        bundle.Entry(
            "form", f"forms/{fv.form_id}-v{fv.version}.yaml", fv.form_id, fv.version, fv.yaml_text
        )
        for fv in versions.published_forms()
    ]
    for name in STARTER_NAMES:
        text = (STARTERS / f"{name}.yaml").read_text(encoding="utf-8")
        data, _ = document.read(text)
        out.append(
            bundle.Entry("template", f"templates/{name}.yaml", data["id"], data["version"], text)
        )
    taken = {e.name for e in out}
    for t in stored_templates(user.department_id, every=user.sees_all()):
        data, _ = document.read(t.yaml_text)
        data = data if isinstance(data, dict) else {}
        name = f"templates/{t.name}.yaml"
        if name in taken:
            name = f"templates/{t.name}-{t.id}.yaml"
        taken.add(name)
        form_id = data.get("id") if isinstance(data.get("id"), str) else t.name
        version = data.get("version") if isinstance(data.get("version"), int) else 1
        out.append(bundle.Entry("template", name, form_id[:100], version, t.yaml_text))
    return out


# --- reading and saving ---------------------------------------------------------------------


def data_of(draft: FormDraft) -> dict[str, Any]:
    data, _ = document.read(draft.yaml_text)
    return data if isinstance(data, dict) else {}


def problems(text: str) -> list[Problem]:
    """The problems `flask forms check` finds in a text: the parser, the catalogue's codes,
    the deployment's webhook rules."""
    codes = set(db.session.scalars(select(Procedure.code)))
    _, found = parser.parse(
        text, path="form.yaml", procedures=codes or None, webhooks=webhook.rules()
    )
    return found


def save(draft: FormDraft, data: Any, revision: Any, user: User, what: str, detail=None) -> None:
    """Store the changed data, if the draft is still at the revision the page showed."""
    if draft.state != "editing":
        raise Refused("in_review")
    if str(draft.revision) != str(revision):
        raise Conflict(draft)
    if isinstance(data, dict):
        # a draft is always a form of its own procedure (an upload cannot move it)
        data["procedure"] = draft.procedure.code
    draft.yaml_text = document.dump(data)
    if isinstance(data, dict) and isinstance(data.get("id"), str):
        draft.form_id = data["id"][:100]
    staff.audit(user, f"builder.{what}", f"draft:{draft.id}", detail or {})
    try:
        db.session.commit()
    except StaleDataError:
        db.session.rollback()
        raise Conflict(db.session.get(FormDraft, draft.id)) from None


# --- review and publication ----------------------------------------------------------------


def _review(draft: FormDraft, user: User, decision: str, comment: str | None = None) -> None:
    db.session.add(
        FormReview(draft_id=draft.id, user_id=user.id, decision=decision, comment=comment)
    )
    staff.audit(
        user, f"builder.{decision}", f"draft:{draft.id}", {"comment": comment} if comment else {}
    )


def send_for_review(draft: FormDraft, user: User, revision: Any) -> None:
    if draft.state != "editing":
        raise Refused("state")
    if str(draft.revision) != str(revision):
        raise Conflict(draft)
    if problems(draft.yaml_text):
        raise Refused("problems")
    draft.state = "in_review"
    draft.sent_by_id = user.id
    _review(draft, user, "sent")
    db.session.commit()


def withdraw(draft: FormDraft, user: User) -> None:
    """The author takes the draft back from review, to edit it again."""
    if draft.state != "in_review":
        raise Refused("state")
    draft.state = "editing"
    _review(draft, user, "withdrawn")
    db.session.commit()


def may_review(draft: FormDraft, user: User) -> bool:
    """The bureau (or an admin) reviews; never the one who wrote or sent the draft."""
    return user.role in ("bureau", "admin") and user.id not in (
        draft.created_by_id,
        draft.sent_by_id,
    )


def comment(draft: FormDraft, user: User, text: str) -> None:
    _review(draft, user, "comment", text)
    db.session.commit()


def send_back(draft: FormDraft, user: User, text: str | None) -> None:
    if draft.state != "in_review":
        raise Refused("state")
    draft.state = "editing"
    _review(draft, user, "sent_back", text)
    db.session.commit()


def owned_elsewhere(form_id: str, procedure: Procedure) -> bool:
    """Whether the form id is published as another procedure's form: a draft may only
    make versions of its own procedure's forms."""
    fv = published_before(form_id)
    return fv is not None and fv.procedure_code != procedure.code


def published_before(form_id: str) -> FormVersion | None:
    return db.session.scalar(
        select(FormVersion)
        .where(FormVersion.form_id == form_id)
        .order_by(FormVersion.version.desc())
        .limit(1)
    )


def approve(draft: FormDraft, user: User, text: str | None, record_online: bool) -> list[str]:
    """Publish the draft as a new version (the next number); the problems, if any.

    The first version of the procedure's form may record `online` from today in the
    status history, with the reviewer as the one who recorded it, and links the form to
    the procedure when it has none."""
    if draft.state != "in_review":
        raise Refused("state")
    data = data_of(draft)
    if owned_elsewhere(draft.form_id, draft.procedure):
        return [f"{draft.form_id}: 別の手続の様式IDです / the form id belongs to another procedure"]
    first = published_before(draft.form_id) is None
    data["version"] = next_version(draft.form_id)
    text_out = document.dump(data)
    draft.state = "published"
    draft.published_version = data["version"]
    draft.yaml_text = text_out
    _review(draft, user, "approved", text)
    staff.audit(
        user,
        "builder.publish",
        f"form:{draft.form_id}",
        {"version": data["version"], "draft": draft.id},
    )
    procedure = draft.procedure
    if procedure.form is None:
        procedure.form = draft.form_id
    marks = import_marks(draft)
    if marks and marks["seal"]:  # the 様式 had a seal box: online, none is needed
        known, _unknown = parse_features(f"{procedure.features or ''};no_seal")
        if ";".join(known) != (procedure.features or ""):
            procedure.features = ";".join(known)
            staff.audit(
                user,
                "procedure.features",
                f"procedure:{procedure.code}",
                {"features": procedure.features, "draft": draft.id},
            )
    if first and record_online:
        try:
            row = catalogue.record_status(
                procedure,
                "online",
                today(),
                note=f"{draft.form_id} v{data['version']}",
                by=user.email,
            )
        except catalogue.CatalogueError as exc:
            db.session.rollback()
            return [p.text("ja") for p in exc.problems]
        staff.audit_status(user, procedure, row)
    report = versions.load_text(text_out, name=f"{draft.form_id}.yaml")
    return report.problems


def reviews(draft: FormDraft) -> list[FormReview]:
    return list(
        db.session.scalars(
            select(FormReview).where(FormReview.draft_id == draft.id).order_by(FormReview.id)
        )
    )
