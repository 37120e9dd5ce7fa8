"""Without a queue, a receipt whose inline job never ran is made when the resident asks."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select, update

from app.extensions import db
from app.jobs.models import OutboxJob
from tests.submissions.conftest import form_app  # noqa: F401  (fixture)


def test_a_receipt_left_pending_is_made_on_request(form_app, monkeypatch):  # noqa: F811
    from tests.submissions.test_api_and_cli import ANSWERS, post

    client = form_app.test_client()
    from app.jobs import outbox

    # the server hung up before closing the response: nothing ran after it
    monkeypatch.setattr(outbox, "_after_response", lambda ids: 0)
    body = post(client, {**ANSWERS, "kind": "a"}).get_json()
    monkeypatch.undo()
    url = f"/api/v1/submissions/{body['receipt_no']}/receipt.pdf"
    headers = {"X-Access-Code": body["access_code"]}
    assert client.get(url, headers=headers).status_code == 202  # just made: still being made
    with form_app.app_context():
        from app.clock import utcnow

        db.session.execute(update(OutboxJob).values(created_at=utcnow() - timedelta(seconds=60)))
        db.session.commit()
    r = client.get(url, headers=headers)
    assert r.status_code == 200 and r.data.startswith(b"%PDF")
    with form_app.app_context():
        assert (
            db.session.scalar(select(OutboxJob.state).where(OutboxJob.kind == "receipt_pdf"))
            == "done"
        )
