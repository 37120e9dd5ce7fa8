"""The preview shows the draft with the resident's own pages, and keeps nothing."""

from __future__ import annotations

from sqlalchemy import func, select

from app.extensions import db
from app.submissions.models import Draft, Submission

from .conftest import revision, start


def test_preview_walks_the_real_pages_to_the_check_page_and_keeps_nothing(office, author):
    app, _ = office
    draft_id = start(author, template="agent", form_id="agent-form")
    r = author.get(f"/staff/builder/{draft_id}/preview")
    assert r.status_code == 302
    page_url = r.headers["Location"]
    html = author.get(page_url).get_data(as_text=True)
    assert "代理人が申請しますか" in html and "プレビュー" in html
    assert "ステップ 1 / 1" in html  # the resident's page, with its step counter
    # a wrong answer gets the resident's message at the question
    r = author.post(page_url, data={"by_agent": "nobody"})
    assert r.status_code == 422
    r = author.post(page_url, data={"by_agent": "self"})
    assert r.status_code == 302 and r.headers["Location"].endswith("/check")
    html = author.get(r.headers["Location"]).get_data(as_text=True)
    assert "申請内容の確認" in html and "本人が申請する" in html
    assert f"/staff/builder/{draft_id}/preview/" in html  # change links stay in the preview
    r = author.post(f"/staff/builder/{draft_id}/preview/x/submit")
    assert r.status_code == 302
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Draft)) == 0
        # the office fixture made one submission per department through the API; no more
        assert db.session.scalar(select(func.count()).select_from(Submission)) == 2


def test_a_draft_with_problems_is_not_previewed(office, author):
    draft_id = start(author)
    page = author.get(f"/staff/builder/{draft_id}/pages/0").get_data(as_text=True)
    author.post(
        f"/staff/builder/{draft_id}/pages/0",
        data={"action": "add_question", "type": "select", "revision": revision(page)},
    )
    r = author.get(f"/staff/builder/{draft_id}/preview", follow_redirects=True)
    assert "問題が残っているため、プレビューできません" in r.get_data(as_text=True)


def test_yaml_export_and_upload(office, author):
    app, _ = office
    draft_id = start(author, template="contact", form_id="contact-form")
    text = author.get(f"/staff/builder/{draft_id}/form.yaml").get_data(as_text=True)
    assert "id: contact-form" in text
    overview = author.get(f"/staff/builder/{draft_id}").get_data(as_text=True)
    changed = text.replace("日中に連絡がとれる電話番号", "連絡先の電話番号")
    import io

    r = author.post(
        f"/staff/builder/{draft_id}/upload",
        data={"revision": revision(overview), "yaml": (io.BytesIO(changed.encode()), "f.yaml")},
        content_type="multipart/form-data",
    )
    assert r.status_code == 302
    assert "連絡先の電話番号" in author.get(f"/staff/builder/{draft_id}").get_data(as_text=True)
    overview = author.get(f"/staff/builder/{draft_id}").get_data(as_text=True)
    r = author.post(
        f"/staff/builder/{draft_id}/upload",
        data={"revision": revision(overview), "yaml": (io.BytesIO(b"a: [b"), "f.yaml")},
        content_type="multipart/form-data",
        follow_redirects=True,
    )
    assert "YAMLとして読めませんでした" in r.get_data(as_text=True)
    assert "連絡先の電話番号" in author.get(f"/staff/builder/{draft_id}/form.yaml").get_data(
        as_text=True
    )


def test_save_for_later_in_the_preview_keeps_nothing(office, author):
    draft_id = start(author, template="contact", form_id="contact-form")
    page_url = author.get(f"/staff/builder/{draft_id}/preview").headers["Location"]
    r = author.post(page_url, data={"action": "save", "contact_phone": "059-224-2000"})
    html = r.get_data(as_text=True)
    assert r.status_code == 200 and "プレビューでは一時保存しません" in html
    assert "059-224-2000" in html  # what was typed is still on the page
