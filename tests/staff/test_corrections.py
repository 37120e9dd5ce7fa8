"""Corrections (補正): staff return an application, the resident corrects and resubmits it
under the same receipt number; every revision is kept; the deadline is enforced."""

from __future__ import annotations

import email
import io
from datetime import timedelta
from email import policy
from pathlib import Path

import pytest
from sqlalchemy import select

from app.clock import today
from app.extensions import db
from app.jobs import outbox
from app.jobs.models import OutboxJob
from app.submissions import effects, receipts, store, transitions, versions
from app.submissions.models import CLOSED, StoredFile, SubmissionRevision
from tests.documents.conftest import pdf_text
from tests.submissions.conftest import FORM, GOOD, Resident, png

from .conftest import sign_in


def submit_with_photo(app):
    """A resident submits on the web with a photo → (resident, receipt no, access code)."""
    resident = Resident(app)
    resident.start()
    resident.page("applicant", GOOD)
    resident.page("more", {"count": "2"})
    resident.page("docs", {"photo": (io.BytesIO(png()), "first.png")})
    r = resident.post("/apply/test-permit/submit", {"declaration": "y"})
    assert "申請を受け付けました" in r.get_data(as_text=True)
    no = r.request.path.rsplit("/", 1)[1]
    with app.app_context():
        code = store.find_by_receipt(no).access_code
    return resident, no, code


def staff_return(app, no, **form):
    client = sign_in(app, "d01@example.jp")
    r = client.post(f"/staff/submissions/{no}/return", data=form)
    r.get_data()
    r.close()  # as a server does: the jobs of the request run then
    return client, r


def look_up(app, no, code):
    """Another browser: the status page opened with the receipt number and access code."""
    visitor = Resident(app)
    r = visitor.post("/status", {"receipt_no": no, "access_code": code})
    assert r.request.path == f"/status/{no}"
    return visitor


def test_return_correct_and_resubmit_keeps_every_revision(office):
    app, _ = office
    _resident, no, code = submit_with_photo(app)
    due = (today() + timedelta(days=7)).isoformat()
    _staff, r = staff_return(
        app, no, message="人数を確認してください。\n写真も撮り直してください。",
        marked=["count", "photo"], due_on=due,
    )  # fmt: skip
    assert r.status_code == 302

    visitor = look_up(app, no, code)
    html = visitor.get(f"/status/{no}").get_data(as_text=True)
    assert "補正のお願い" in html and "人数を確認してください。" in html and due in html
    r = visitor.post(f"/status/{no}/correction")
    html = r.get_data(as_text=True)
    assert r.request.path == f"/apply/test-permit/correction/{no}/check"
    assert "写真も撮り直してください。" in html and html.count("tag-marked") == 2
    assert f"/apply/test-permit/correction/{no}/more?from=check" in html

    r = visitor.post(
        f"/apply/test-permit/correction/{no}/more?from=check",
        {"action": "next", "count": "4"},
        content_type="multipart/form-data",
    )
    assert r.request.path.endswith("/check") and "4" in r.get_data(as_text=True)
    r = visitor.post(
        f"/apply/test-permit/correction/{no}/docs?from=check",
        {"action": "next", "photo": (io.BytesIO(png()), "second.png")},
        content_type="multipart/form-data",
    )
    assert "second.png" in r.get_data(as_text=True)
    r = visitor.post(f"/apply/test-permit/correction/{no}/submit", {"declaration": "y"})
    html = r.get_data(as_text=True)
    assert r.request.path == f"/status/{no}"
    assert "補正した申請を受け付けました" in html and "second.png" in html
    assert "first.png" not in html and "第2版" in html

    with app.app_context():
        sub = store.find_by_receipt(no)
        assert sub.status == "received" and sub.answers["count"] == 4
        assert sub.answers["photo"]["name"] == "second.png"
        revs = db.session.scalars(select(SubmissionRevision).order_by("number")).all()
        assert [r.number for r in revs] == [1, 2]
        assert revs[0].answers["count"] == 2 and revs[0].files[0]["name"] == "first.png"
        assert revs[1].files[0]["name"] == "second.png"
        names = {f.original_name for f in db.session.scalars(select(StoredFile))}
        assert names == {"first.png", "second.png"}  # the first revision's file is kept
        assert [e.status for e in sub.events] == ["received", "returned", "received"]

    # staff see both revisions, each with its own file
    staff = sign_in(app, "d01@example.jp")
    html = staff.get(f"/staff/submissions/{no}").get_data(as_text=True)
    assert "第2版" in html and "補正の履歴" in html
    old = staff.get(f"/staff/submissions/{no}/revisions/1").get_data(as_text=True)
    assert "first.png" in old and "second.png" not in old
    # a second resubmission of the same correction changes nothing
    r = visitor.post(f"/apply/test-permit/correction/{no}/submit", {"declaration": "y"})
    with app.app_context():
        assert db.session.scalar(select(db.func.count(SubmissionRevision.id))) == 2


def test_after_the_deadline_no_resubmission(office, monkeypatch):
    app, _ = office
    _resident, no, code = submit_with_photo(app)
    due = today() + timedelta(days=1)
    staff_return(app, no, message="写真を差し替えてください。", due_on=due.isoformat())
    visitor = look_up(app, no, code)
    visitor.post(f"/status/{no}/correction")
    monkeypatch.setattr("app.submissions.corrections.today", lambda: due + timedelta(days=1))
    r = visitor.post(f"/apply/test-permit/correction/{no}/submit", {"declaration": "y"})
    html = r.get_data(as_text=True)
    assert r.request.path == f"/status/{no}"
    assert "補正の期限（" in html and "過ぎたため" in html
    assert "申請を補正する" not in html
    with app.app_context():
        assert store.find_by_receipt(no).status == "returned"


def test_the_correction_pages_need_the_access_code(office):
    app, _ = office
    _resident, no, code = submit_with_photo(app)
    staff_return(app, no, message="確認してください。")
    stranger = Resident(app)
    r = stranger.post(f"/status/{no}/correction")
    assert r.request.path == "/status"
    r = stranger.get(f"/apply/test-permit/correction/{no}/check")
    assert r.request.path == "/status"


@pytest.mark.parametrize(
    ("due", "message"),
    [
        ("2020-01-01", "過去の日付"),
        ("tomorrow", "2026-12-31 の形式"),
        ((today() + timedelta(days=400)).isoformat(), "1年以内"),
    ],
)
def test_a_deadline_staff_cannot_use_is_refused_with_the_message_kept(office, due, message):
    app, _ = office
    _resident, no, _code = submit_with_photo(app)
    _staff, r = staff_return(app, no, message="写真を確認してください。", due_on=due)
    html = r.get_data(as_text=True)
    assert r.status_code == 422 and message in html and "写真を確認してください。" in html
    with app.app_context():
        assert store.find_by_receipt(no).status == "received"


def test_marked_only_forms_keep_unmarked_answers(office, tmp_path):
    app, _ = office
    path = tmp_path / "marked.yaml"
    path.write_text(FORM.replace("version: 1", "version: 90\ncorrections: marked_only"), "utf-8")
    with app.app_context():
        assert not versions.load_forms([path]).problems
    _resident, no, code = submit_with_photo(app)
    staff_return(app, no, message="人数を直してください。", marked=["count"])
    visitor = look_up(app, no, code)
    html = visitor.post(f"/status/{no}/correction").get_data(as_text=True)
    assert "/correction/" + no + "/more" in html and "/correction/" + no + "/applicant" not in html
    # a page with nothing to change leads back to the check page
    r = visitor.get(f"/apply/test-permit/correction/{no}/applicant")
    assert r.request.path.endswith("/check")
    r = visitor.post(
        f"/apply/test-permit/correction/{no}/docs",
        {"action": "next", "photo": (io.BytesIO(png()), "sneaky.png")},
        content_type="multipart/form-data",
    )
    visitor.post(
        f"/apply/test-permit/correction/{no}/more",
        {"action": "next", "count": "5"},
        content_type="multipart/form-data",
    )
    visitor.post(f"/apply/test-permit/correction/{no}/submit", {"declaration": "y"})
    with app.app_context():
        sub = store.find_by_receipt(no)
        assert sub.status == "received" and sub.answers["count"] == 5
        assert sub.answers["photo"]["name"] == "first.png"


def test_mails_tell_each_change_without_answers_or_access_code(office):
    app, _ = office
    _resident, no, code = submit_with_photo(app)
    staff_return(
        app, no, message="人数を確認してください。\n2行目は照会画面だけに。",
        due_on=(today() + timedelta(days=3)).isoformat(),
    )  # fmt: skip
    visitor = look_up(app, no, code)
    visitor.post(f"/status/{no}/correction")
    visitor.post(f"/apply/test-permit/correction/{no}/submit", {"declaration": "y"})
    with app.app_context():
        kinds = [j.kind for j in db.session.scalars(select(OutboxJob).order_by(OutboxJob.id))]
    assert kinds.count("notice") == 2
    outbox = Path(app.instance_path) / "documents" / "mail"
    mails = {p.name: p.read_bytes() for p in outbox.glob("notice-*.eml")}
    assert len(mails) == 2, list(outbox.iterdir())
    texts = [email.message_from_bytes(m, policy=policy.default) for m in mails.values()]
    bodies = {m["Subject"]: m.get_body().get_content() for m in texts}
    returned = next(b for s, b in bodies.items() if "補正をお願いします" in s)
    assert "人数を確認してください。" in returned and "2行目" not in returned
    assert no in returned and f"/status?receipt_no={no}" in returned
    assert "補正の期限" in returned
    for body in bodies.values():
        assert code not in body and "山田" not in body and "事業のため" not in body


PATHS = {  # how a submission reaches each status (staff's moves)
    "received": [],
    "in_review": ["in_review"],
    "approved": ["in_review", "approved"],
    "rejected": ["rejected"],
}


@pytest.mark.parametrize("status", sorted(PATHS))
def test_only_a_returned_application_can_be_corrected(office, status):
    app, _ = office
    _resident, no, code = submit_with_photo(app)
    with app.app_context():
        sub = store.find_by_receipt(no)
        for to in PATHS[status]:  # a decision is the workflow's: taken as one here
            transitions.transition(sub, to, "理由です。", by="test", decision=to in CLOSED)
        db.session.commit()
    visitor = look_up(app, no, code)
    r = visitor.post(f"/status/{no}/correction")
    assert r.request.path == f"/status/{no}"
    assert "申請を補正する" not in r.get_data(as_text=True)
    with app.app_context():
        assert store.find_by_receipt(no).status == status


def test_a_correction_once_resubmitted_cannot_be_resubmitted_again_after_a_new_return(office):
    """Each return is its own correction: the draft of the first is closed."""
    app, _ = office
    _resident, no, code = submit_with_photo(app)
    staff_return(app, no, message="一度目")
    visitor = look_up(app, no, code)
    visitor.post(f"/status/{no}/correction")
    visitor.post(f"/apply/test-permit/correction/{no}/submit", {"declaration": "y"})
    staff_return(app, no, message="二度目")
    html = visitor.get(f"/status/{no}").get_data(as_text=True)
    assert "二度目" in html and "申請を補正する" in html
    visitor.post(f"/status/{no}/correction")
    r = visitor.post(f"/apply/test-permit/correction/{no}/submit", {"declaration": "y"})
    assert "第3版" in r.get_data(as_text=True)


@pytest.mark.parametrize(
    ("lang", "subject", "opening"),
    [
        ("en", "[Mie Prefecture] Please correct your application", "Please correct or complete"),
        ("ja-easy", "【三重県】申請の補正をお願いします", "申請を なおして ください。"),
        ("ja", "【三重県】申請の補正をお願いします", "補正（修正・追加）をお願いします"),
    ],
)
def test_the_notice_is_in_the_language_the_resident_used(office, lang, subject, opening):
    app, receipts = office
    no = receipts["01"]["receipt_no"]
    with app.app_context():
        store.find_by_receipt(no).lang = lang
        db.session.commit()
    staff_return(app, no, message="First line.\nSecond line.")
    (path,) = (Path(app.instance_path) / "documents" / "mail").glob(f"notice-{no}-*.eml")
    msg = email.message_from_bytes(path.read_bytes(), policy=policy.default)
    body = msg.get_body().get_content()
    assert msg["Subject"].strip().startswith(subject) and no in msg["Subject"]
    assert opening in body and "First line." in body and "Second line." not in body
    assert receipts["01"]["access_code"] not in body and "山田" not in body


def test_the_result_hook_mails_the_documents_by_name(office):
    app, receipts = office
    no = receipts["01"]["receipt_no"]
    with app.app_context():
        sub = store.find_by_receipt(no)
        ids = effects.announce_result(sub, ["許可証.pdf"], key="decision-1")
        db.session.commit()
        outbox.dispatch_now(ids)
    (path,) = (Path(app.instance_path) / "documents" / "mail").glob(
        f"notice-{no}-result_ready-*.eml"
    )
    msg = email.message_from_bytes(path.read_bytes(), policy=policy.default)
    body = msg.get_body().get_content()
    assert "通知書をダウンロードできます" in msg["Subject"]
    assert "- 許可証.pdf" in body and f"/status?receipt_no={no}" in body
    assert receipts["01"]["access_code"] not in body


@pytest.mark.parametrize(
    "status, offered",
    [("received", True), ("in_review", True), ("returned", False), ("rejected", False)],
)
def test_the_case_page_offers_the_return_form_while_it_can_be_returned(office, status, offered):
    app, _ = office
    _resident, no, _code = submit_with_photo(app)
    with app.app_context():
        sub = store.find_by_receipt(no)
        for to in {**PATHS, "returned": ["returned"]}[status]:
            transitions.transition(sub, to, "理由です。", by="test", decision=to in CLOSED)
        db.session.commit()
    page = sign_in(app, "d01@example.jp").get(f"/staff/submissions/{no}").get_data(as_text=True)
    assert ("補正を求めて差し戻す" in page) is offered
    assert (f"/staff/submissions/{no}/return" in page) is offered


def test_a_resubmission_gets_its_own_receipt_and_the_first_is_kept(office, tmp_path):
    app, _ = office
    _resident, no, code = submit_with_photo(app)
    visitor = look_up(app, no, code)
    assert visitor.get(f"/status/{no}/receipt.pdf").status_code == 200  # the first, downloaded
    staff_return(app, no, message="人数を確認してください。", marked=["count"])
    visitor.post(f"/status/{no}/correction")
    visitor.post(
        f"/apply/test-permit/correction/{no}/more?from=check",
        {"action": "next", "count": "7"},
        content_type="multipart/form-data",
    )
    r = visitor.post(f"/apply/test-permit/correction/{no}/submit", {"declaration": "y"})
    r.get_data()
    r.close()  # the jobs of the request run as the answer closes
    pdf = visitor.get(f"/status/{no}/receipt.pdf")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    corrected = pdf_text(pdf.data, tmp_path)
    assert "補正後の申請内容 第2版" in corrected and "7" in corrected
    with app.app_context():
        sub = store.find_by_receipt(no)
        first, second = receipts.every_receipt(sub)
        assert first.name == f"{no}.pdf" and second.name == f"{no}-r2.pdf"
        given = pdf_text(first.read_bytes(), tmp_path)
    assert "補正後" not in given  # what the resident was given first, unchanged
