"""Two departments, a form and a submission in each, and one account per role."""

from __future__ import annotations

import re

import pytest

from app.extensions import db
from app.staff import services as staff
from app.submissions import versions
from tests.submissions.conftest import FORM, form_app  # noqa: F401  (fixture)

PASSWORD = "correct horse battery"
ANSWERS = {
    "name": {"family": "山田", "given": "太郎", "family_kana": "ヤマダ", "given_kana": "タロウ"},
    "email": "taro@example.jp",
    "kind": "a",
}


@pytest.fixture
def office(form_app, tmp_path):  # noqa: F811
    """→ (app, {"01": receipt, "02": receipt}, {role: email})."""
    path = tmp_path / "test-permit-c.yaml"
    path.write_text(
        FORM.replace("id: test-permit", "id: test-permit-c").replace(
            "procedure: A", "procedure: C"
        ),
        encoding="utf-8",
    )
    with form_app.app_context():
        assert not versions.load_forms([path]).problems
        for email, role, dept in (
            ("d01@example.jp", "department", "01"),
            ("d02@example.jp", "department", "02"),
            ("bureau@example.jp", "bureau", None),
            ("admin@example.jp", "admin", None),
        ):
            staff.create_user(email, PASSWORD, role, department_code=dept)
        db.session.commit()
    client = form_app.test_client()
    receipts = {}
    for dept, form in (("01", "test-permit"), ("02", "test-permit-c")):
        r = client.post(
            f"/api/v1/forms/{form}/submissions", json={"answers": ANSWERS, "declaration": True}
        )
        assert r.status_code == 201, r.get_json()
        receipts[dept] = r.get_json()
    return form_app, receipts


def csrf(html: str) -> str:
    m = re.search(r'name="csrf_token" value="([^"]+)"', html)
    return m.group(1) if m else ""


def sign_in(app, email: str, password: str = PASSWORD):
    client = app.test_client()
    r = client.post("/staff/login", data={"email": email, "password": password})
    assert r.status_code == 302, r.get_data(as_text=True)[:500]
    return client
