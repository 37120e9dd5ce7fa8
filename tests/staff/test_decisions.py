"""Decisions in steps (決裁): every action × who tries it × where the case is, the second
pair of eyes, memos that stay inside, undo within its time, all in the audit log."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from app.clock import utcnow
from app.extensions import db
from app.staff import services as staff
from app.staff.models import AuditEvent, User
from app.submissions import store, workflow
from app.submissions.case_models import CaseAction
from tests.submissions.conftest import FORM

from .conftest import ANSWERS, PASSWORD, sign_in

TWO_STEPS = (
    FORM.replace("version: 1", "version: 2")
    + """\
workflow:
  steps:
    - {role: department, name: {ja: 担当, en: Officer}}
    - {role: department_head, name: {ja: 課長, en: Section head}}
  undo_minutes: 30
"""
)

PEOPLE = {
    # key: (email, role, department, head)
    "officer": ("officer@example.jp", "department", "01", False),
    "colleague": ("colleague@example.jp", "department", "01", False),
    "head": ("head@example.jp", "department", "01", True),
    "other_dept": ("other@example.jp", "department", "02", True),
    "bureau": ("bureau@example.jp", "bureau", None, False),
    "admin": ("admin@example.jp", "admin", None, False),
}


@pytest.fixture
def case(form_app, tmp_path):
    """→ (app, receipt_no) of a case on the two-step form, received."""
    from app.submissions import versions

    path = tmp_path / "test-permit-2.yaml"
    path.write_text(TWO_STEPS, encoding="utf-8")
    with form_app.test_request_context():
        assert not versions.load_forms([path]).problems
        for email, role, dept, head in PEOPLE.values():
            staff.create_user(email, PASSWORD, role, department_code=dept, head=head)
        db.session.commit()
    r = form_app.test_client().post(
        "/api/v1/forms/test-permit/submissions", json={"answers": ANSWERS, "declaration": True}
    )
    assert r.status_code == 201, r.get_json()
    return form_app, r.get_json()["receipt_no"]


def person(key: str) -> User:
    return db.session.scalar(select(User).where(User.email == PEOPLE[key][0]))


def _move(receipt_no: str, to: str) -> None:
    from app.submissions import transitions

    transitions.transition(store.find_by_receipt(receipt_no), to, "補正してください", by="t")


# where a case can be, made with the services: → the submission
def at(receipt_no: str, where: str):
    sub = store.find_by_receipt(receipt_no)
    if where == "received":
        return sub
    _move(receipt_no, "in_review")
    if where == "step1":
        return sub
    workflow.forward(person("officer"), sub)
    if where == "step2":
        return sub
    workflow.decide(person("head"), sub, "approved", None)
    assert where == "approved"
    return sub


ACTIONS = ("forward", "back", "decide", "undo", "assign", "memo")
Y, N = True, False
# where → action → who may: officer colleague head other_dept bureau admin
EXPECTED = {
    "received": {
        "forward": (N, N, N, N, N, N),
        "back": (N, N, N, N, N, N),
        "decide": (N, N, N, N, N, N),
        "undo": (N, N, N, N, N, N),
        "assign": (Y, Y, Y, N, N, Y),
        "memo": (Y, Y, Y, N, N, Y),
    },
    "step1": {  # 担当: any staff of the department (an administrator may step in)
        "forward": (Y, Y, Y, N, N, Y),
        "back": (N, N, N, N, N, N),  # nothing before the first step
        "decide": (N, N, N, N, N, N),  # a later step is still to come
        "undo": (N, N, N, N, N, N),
        "assign": (Y, Y, Y, N, N, Y),
        "memo": (Y, Y, Y, N, N, Y),
    },
    "step2": {  # 課長: a head, and not the officer who sent it on
        "forward": (N, N, N, N, N, N),  # the last step
        "back": (N, N, Y, N, N, N),
        "decide": (N, N, Y, N, N, N),
        "undo": (N, N, N, N, N, N),
        "assign": (Y, Y, Y, N, N, Y),
        "memo": (Y, Y, Y, N, N, Y),
    },
    "approved": {
        "forward": (N, N, N, N, N, N),
        "back": (N, N, N, N, N, N),
        "decide": (N, N, N, N, N, N),
        "undo": (N, N, Y, N, N, N),  # whoever may take the last step, within 30 minutes
        "assign": (N, N, N, N, N, N),
        "memo": (Y, Y, Y, N, N, Y),
    },
}


@pytest.mark.parametrize("where", list(EXPECTED))
def test_who_may_take_each_action_where(case, where):
    app, receipt_no = case
    with app.test_request_context():
        sub = at(receipt_no, where)
        db.session.commit()
        got = {
            action: tuple(
                workflow.refusal(person(p), sub, action, "approved") is None for p in PEOPLE
            )
            for action in ACTIONS
        }
    assert got == EXPECTED[where]


def test_the_officer_who_sent_it_on_cannot_decide_even_as_a_head(case):
    """A head who took the first step needs another head for the second."""
    app, receipt_no = case
    with app.test_request_context():
        staff.create_user(
            "head2@example.jp", PASSWORD, "department", department_code="01", head=True
        )
        _move(receipt_no, "in_review")
        sub = store.find_by_receipt(receipt_no)
        workflow.forward(person("head"), sub)
        reason = workflow.refusal(person("head"), sub, "decide", "approved")
        assert reason and "別の職員" in reason
        second = db.session.scalar(select(User).where(User.email == "head2@example.jp"))
        assert workflow.refusal(second, sub, "decide", "approved") is None


def post(client, receipt_no, **data):
    return client.post(f"/staff/submissions/{receipt_no}/decision", data=data)


def test_two_steps_through_the_pages_with_memos_kept_inside(case):
    app, receipt_no = case
    officer, head = sign_in(app, "officer@example.jp"), sign_in(app, "head@example.jp")
    officer.post(f"/staff/submissions/{receipt_no}/status", data={"to": "in_review"})
    # approving is not a status move any more: the decision area does it
    r = officer.post(f"/staff/submissions/{receipt_no}/status", data={"to": "approved"})
    assert r.status_code == 422 and "決裁の欄" in r.get_data(as_text=True)

    with app.app_context():
        officer_id = _id("officer")
    assert post(officer, receipt_no, action="assign", assignee=str(officer_id)).status_code == 302
    page = officer.get(f"/staff/submissions/{receipt_no}").get_data(as_text=True)
    assert "次の段階（課長）へ送る" in page and "決裁する" not in page
    r = post(officer, receipt_no, action="forward", memo="収入の確認済み。内部用。")
    assert r.status_code == 302
    # the officer cannot decide; the head sees the decision form
    assert "決裁する" not in officer.get(f"/staff/submissions/{receipt_no}").get_data(as_text=True)
    r = post(officer, receipt_no, action="decide", outcome="approved")
    assert r.status_code == 422
    # the head sends it back without a reason: refused, nothing lost
    r = post(head, receipt_no, action="back", memo="")
    assert r.status_code == 422 and "理由" in r.get_data(as_text=True)
    # rejecting needs a message to the resident; what was typed stays on the page
    r = post(head, receipt_no, action="decide", outcome="rejected", message="", memo="所得超過")
    assert r.status_code == 422 and "所得超過" in r.get_data(as_text=True)
    r = post(head, receipt_no, action="decide", outcome="approved", message="承認しました。")
    assert r.status_code == 302

    resident = app.test_client()
    with app.test_request_context():
        sub = store.find_by_receipt(receipt_no)
        assert sub.status == "approved" and sub.decided_at is not None
        code = sub.access_code
    resident.post("/status", data={"receipt_no": receipt_no, "access_code": code})
    status_page = resident.get(f"/status/{receipt_no}").get_data(as_text=True)
    assert "承認しました。" in status_page
    assert "収入の確認済み" not in status_page and "内部" not in status_page
    with app.test_request_context():
        actions = db.session.scalars(
            select(AuditEvent.action).where(AuditEvent.target == f"submission:{receipt_no}")
        ).all()
    assert {"submission.assign", "submission.forward", "submission.decide"} <= set(actions)
    assert "submission.decision.refused" in actions


def _id(key: str) -> int:
    return person(key).id


def test_undo_within_its_time_with_a_reason(case):
    app, receipt_no = case
    with app.test_request_context():
        at(receipt_no, "approved")
        db.session.commit()
    head = sign_in(app, "head@example.jp")
    r = post(head, receipt_no, action="undo", memo="")
    assert r.status_code == 422
    r = post(head, receipt_no, action="undo", memo="添付書類の見落とし")
    assert r.status_code == 302
    with app.test_request_context():
        sub = store.find_by_receipt(receipt_no)
        assert sub.status == "in_review" and sub.workflow_step == 1 and sub.decided_at is None
        assert [e.status for e in sub.events][-2:] == ["approved", "in_review"]
        undo = db.session.scalar(select(CaseAction).where(CaseAction.action == "undo"))
        assert (undo.outcome, undo.memo) == ("approved", "添付書類の見落とし")
        audit = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "submission.undo"))
        assert audit.detail["outcome"] == "approved"
        # decided again, and too late to undo: 31 minutes later
        workflow.decide(person("head"), sub, "approved", None)
        sub.decided_at = utcnow() - timedelta(minutes=31)
        db.session.commit()
        assert "30分" in workflow.refusal(person("head"), sub, "undo")


def test_a_case_returned_for_correction_starts_its_steps_again(case):
    app, receipt_no = case
    with app.test_request_context():
        sub = at(receipt_no, "step2")
        _move(receipt_no, "returned")
        assert sub.workflow_step == 0


def test_a_form_without_workflow_has_one_step_any_officer_decides(office):
    app, receipts = office
    d01 = sign_in(app, "d01@example.jp")
    receipt_no = receipts["01"]["receipt_no"]
    d01.post(f"/staff/submissions/{receipt_no}/status", data={"to": "in_review"})
    r = post(d01, receipt_no, action="decide", outcome="approved", message="")
    assert r.status_code == 302
    with app.test_request_context():
        assert store.find_by_receipt(receipt_no).status == "approved"


def test_assignment_only_to_staff_of_the_department(case):
    app, receipt_no = case
    officer = sign_in(app, "officer@example.jp")
    with app.test_request_context():
        other = _id("other_dept")
    r = post(officer, receipt_no, action="assign", assignee=str(other))
    assert r.status_code == 422 and "この部局の職員" in r.get_data(as_text=True)
    r = post(officer, receipt_no, action="memo", memo="x" * 2001)
    assert r.status_code == 422 and "2000" in r.get_data(as_text=True)


def test_an_administrator_makes_a_head_on_the_accounts_page(case):
    app, _ = case
    admin = sign_in(app, "admin@example.jp")
    form = {
        "email": "kacho@example.jp",
        "password": PASSWORD,
        "role": "department",
        "department": "01",
        "head": "1",
    }
    assert admin.post("/staff/users", data=form).status_code == 302
    with app.app_context():
        made = db.session.scalar(select(User).where(User.email == "kacho@example.jp"))
        assert made is not None and made.is_head
    # only department staff can be heads
    form |= {"email": "bureau-head@example.jp", "role": "bureau", "department": ""}
    r = admin.post("/staff/users", data=form)
    assert r.status_code == 422 and "課長にできるのは部局職員だけです" in r.get_data(as_text=True)
