"""A department author builds a form page by page; the bureau reviews and publishes it."""

from __future__ import annotations

from sqlalchemy import select

from app.builder import document
from app.catalogue.models import Procedure, StatusChange
from app.extensions import db
from app.staff.models import AuditEvent
from app.submissions.models import FormVersion

from .conftest import draft_row, revision, start


def test_start_from_a_template_shows_its_pages_and_questions(office, author):
    app, _ = office
    draft_id = start(author)
    html = author.get(f"/staff/builder/{draft_id}").get_data(as_text=True)
    assert "法人名" in html and "代表者の氏名" in html
    assert "問題は見つかりませんでした。" in html
    row = draft_row(app, draft_id)
    data, _ = document.read(row.yaml_text)
    assert data["id"] == "built-permit" and data["procedure"] == "A" and data["version"] == 1


def test_a_question_is_added_edited_and_its_problem_shown_at_it(office, author):
    app, _ = office
    draft_id = start(author)
    page = author.get(f"/staff/builder/{draft_id}/pages/0").get_data(as_text=True)
    r = author.post(
        f"/staff/builder/{draft_id}/pages/0",
        data={"action": "add_question", "type": "integer", "revision": revision(page)},
    )
    assert r.status_code == 302
    q_url = r.headers["Location"]
    html = author.get(q_url).get_data(as_text=True)
    assert "最大値" in html and "単位" in html  # integer's own keys, from the registry
    r = author.post(
        q_url,
        data={
            "action": "save",
            "revision": revision(html),
            "id": "staff_count",
            "label-ja": "従業員数",
            "label-en": "Employees",
            "x-min": "0",
            "x-max": "abc",  # kept as typed; the parser names the problem at the question
            "cond-mode": "simple",
            "cond-field": "corporation_name",
            "cond-op": "filled",
            "cond-value": "",
        },
    )
    assert r.status_code == 302
    html = author.get(q_url).get_data(as_text=True)
    assert "&#39;max&#39; には 整数 を指定してください" in html
    assert 'value="abc"' in html
    assert "法人名" in html  # the condition in words names the earlier question
    overview = author.get(f"/staff/builder/{draft_id}").get_data(as_text=True)
    assert "問題が1件あります" in overview


def test_the_second_author_is_told_and_loses_nothing(office, author):
    app, _ = office
    from tests.staff.conftest import sign_in

    other = sign_in(app, "admin@example.jp")
    draft_id = start(author)
    url = f"/staff/builder/{draft_id}/settings"
    first_page = author.get(url).get_data(as_text=True)
    second_page = other.get(url).get_data(as_text=True)
    r = author.post(url, data={"revision": revision(first_page), "title-ja": "最初の人の題名"})
    assert r.status_code == 302
    r = other.post(url, data={"revision": revision(second_page), "title-ja": "二人目の題名"})
    assert r.status_code == 409
    html = r.get_data(as_text=True)
    assert "ほかの人がこの下書きを先に保存しました" in html
    assert "二人目の題名" in html  # what the second typed is still on the page
    data, _ = document.read(draft_row(app, draft_id).yaml_text)
    assert data["title"] == {"ja": "最初の人の題名"}
    # saving again on the page shown (now at the new revision) goes through
    r = other.post(url, data={"revision": revision(html), "title-ja": "二人目の題名"})
    assert r.status_code == 302


def test_review_publishes_a_new_version_and_records_the_status(office, author, bureau):
    app, _ = office
    draft_id = start(author, form_id="built-permit")
    html = author.get(f"/staff/builder/{draft_id}").get_data(as_text=True)
    r = author.post(f"/staff/builder/{draft_id}/send", data={"revision": revision(html)})
    assert r.status_code == 302
    # the author cannot approve their own draft
    assert (
        author.post(f"/staff/builder/{draft_id}/review", data={"decision": "approve"}).status_code
        == 403
    )
    review = bureau.get(f"/staff/builder/{draft_id}/review").get_data(as_text=True)
    assert "初めて公開する様式です。" in review and "+id: built-permit" in review
    r = bureau.post(
        f"/staff/builder/{draft_id}/review", data={"decision": "approve", "record_online": "y"}
    )
    assert r.status_code == 302, r.get_data(as_text=True)[:2000]
    with app.app_context():
        fv = db.session.scalar(select(FormVersion).where(FormVersion.form_id == "built-permit"))
        assert fv.version == 1
        p = db.session.scalar(select(Procedure).where(Procedure.code == "A"))
        row = db.session.scalar(
            select(StatusChange)
            .where(StatusChange.procedure_id == p.id)
            .order_by(StatusChange.id.desc())
        )
        assert row.status == "online" and row.recorded_by == "bureau@example.jp"
        actions = set(db.session.scalars(select(AuditEvent.action)))
        assert {"builder.start", "builder.sent", "builder.approved", "builder.publish"} <= actions
    # residents can start the published form
    assert app.test_client().get("/apply/built-permit").status_code == 200


def test_a_draft_with_problems_cannot_be_sent(office, author):
    app, _ = office
    draft_id = start(author, how="blank", template="", title="")
    page = author.get(f"/staff/builder/{draft_id}/pages/0").get_data(as_text=True)
    r = author.post(
        f"/staff/builder/{draft_id}/pages/0",
        data={"action": "add_question", "type": "radio", "revision": revision(page)},
    )
    html = author.get(f"/staff/builder/{draft_id}").get_data(as_text=True)
    r = author.post(f"/staff/builder/{draft_id}/send", data={"revision": revision(html)})
    assert r.status_code == 422
    assert "問題が残っているため、審査に出せません" in r.get_data(as_text=True)
    assert draft_row(app, draft_id).state == "editing"


def test_a_draft_cannot_take_over_another_procedures_form(office, author, bureau):
    """Department 01 uploads a YAML naming department 02's form and procedure: the draft
    stays a form of its own procedure, and publishing under the other form's id is refused."""
    import io

    app, _ = office
    r = author.post(
        "/staff/builder/start/A", data={"form_id": "test-permit-c", "how": "blank", "title": "x"}
    )
    assert r.status_code == 422 and "ほかの手続の様式で使われています" in r.get_data(as_text=True)
    draft_id = start(author, template="contact", form_id="mine")
    text = author.get(f"/staff/builder/{draft_id}/form.yaml").get_data(as_text=True)
    hostile = text.replace("id: mine", "id: test-permit-c").replace("procedure: A", "procedure: C")
    overview = author.get(f"/staff/builder/{draft_id}").get_data(as_text=True)
    author.post(
        f"/staff/builder/{draft_id}/upload",
        data={"revision": revision(overview), "yaml": (io.BytesIO(hostile.encode()), "f.yaml")},
        content_type="multipart/form-data",
    )
    data, _ = document.read(draft_row(app, draft_id).yaml_text)
    assert data["procedure"] == "A" and data["id"] == "test-permit-c"
    overview = author.get(f"/staff/builder/{draft_id}").get_data(as_text=True)
    author.post(f"/staff/builder/{draft_id}/send", data={"revision": revision(overview)})
    r = bureau.post(f"/staff/builder/{draft_id}/review", data={"decision": "approve"})
    assert r.status_code == 422 and "別の手続の様式ID" in r.get_data(as_text=True)
    with app.app_context():
        versions = db.session.scalars(
            select(FormVersion.version).where(FormVersion.form_id == "test-permit-c")
        )
        assert list(versions) == [1]


def test_a_withdrawn_form_cannot_be_started_until_a_new_version_is_published(office, author):
    app, _ = office
    resident = app.test_client()
    assert resident.get("/apply/test-permit").status_code == 200
    r = author.post("/staff/builder/forms/A/withdraw", data={"form_id": "test-permit"})
    assert r.status_code == 302
    assert "受付終了" in author.get("/staff/builder/forms/A").get_data(as_text=True)
    assert resident.get("/apply/test-permit").status_code == 404
    assert resident.get("/api/v1/forms/test-permit").status_code == 404
    with app.app_context():
        assert "withdraw_form" in " ".join(db.session.scalars(select(AuditEvent.action)))
        text = db.session.scalar(
            select(FormVersion.yaml_text).where(FormVersion.form_id == "test-permit")
        )
        from app.submissions import versions

        assert not versions.load_text(text.replace("version: 1", "version: 2"), name="x").problems
    assert resident.get("/apply/test-permit").status_code == 200


def test_sent_back_with_a_comment_the_author_edits_again(office, author, bureau):
    app, _ = office
    draft_id = start(author, template="declaration", form_id="consent-form")
    html = author.get(f"/staff/builder/{draft_id}").get_data(as_text=True)
    author.post(f"/staff/builder/{draft_id}/send", data={"revision": revision(html)})
    # in review, the draft cannot be changed
    html = author.get(f"/staff/builder/{draft_id}/settings").get_data(as_text=True)
    r = author.post(
        f"/staff/builder/{draft_id}/settings", data={"revision": revision(html), "title-ja": "x"}
    )
    assert r.status_code == 302
    assert draft_row(app, draft_id).state == "in_review"
    r = bureau.post(f"/staff/builder/{draft_id}/review", data={"decision": "comment"})
    assert r.status_code == 422 and "コメントを入力してください" in r.get_data(as_text=True)
    r = bureau.post(
        f"/staff/builder/{draft_id}/review",
        data={"decision": "send_back", "comment": "同意文をやさしい日本語にも"},
    )
    assert r.status_code == 302
    assert draft_row(app, draft_id).state == "editing"
    review = author.get(f"/staff/builder/{draft_id}/review").get_data(as_text=True)
    assert "差し戻しました" in review and "同意文をやさしい日本語にも" in review
    html = author.get(f"/staff/builder/{draft_id}/settings").get_data(as_text=True)
    r = author.post(
        f"/staff/builder/{draft_id}/settings",
        data={"revision": revision(html), "title-ja": "同意", "languages": ["en", "ja-easy"]},
    )
    assert r.status_code == 302
    overview = author.get(f"/staff/builder/{draft_id}").get_data(as_text=True)
    assert "未翻訳（やさしい日本語）" in overview
