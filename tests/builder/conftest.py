"""The staff office (two departments, one account per role) with the builder's helpers."""

from __future__ import annotations

import re

import pytest

from app.builder.models import FormDraft
from app.extensions import db
from tests.staff.conftest import PASSWORD, office, sign_in  # noqa: F401  (fixtures)
from tests.submissions.conftest import form_app  # noqa: F401  (fixture)

EMAILS = {
    "d01": "d01@example.jp",
    "d02": "d02@example.jp",
    "bureau": "bureau@example.jp",
    "admin": "admin@example.jp",
}


def revision(html: str) -> str:
    m = re.search(r'name="revision" value="(\d+)"', html)
    assert m, html[:2000]
    return m.group(1)


def start(
    client, code="A", how="template", template="corporation", form_id="built-permit", **extra
):
    r = client.post(
        f"/staff/builder/start/{code}",
        data={"form_id": form_id, "how": how, "template": template, **extra},
    )
    assert r.status_code == 302, r.get_data(as_text=True)[:3000]
    return int(r.headers["Location"].rstrip("/").split("/")[-1])


def draft_row(app, draft_id) -> FormDraft:
    with app.app_context():
        row = db.session.get(FormDraft, draft_id)
        db.session.expunge(row)
        return row


@pytest.fixture
def author(office):  # noqa: F811  (the office fixture, imported above)
    app, _ = office
    return sign_in(app, EMAILS["d01"])


@pytest.fixture
def bureau(office):  # noqa: F811
    app, _ = office
    return sign_in(app, EMAILS["bureau"])
