"""The API over the worked example of kpi.md (plus one published form), and API tokens."""

from __future__ import annotations

import pytest

from app.api import tokens
from app.catalogue.services import import_catalogue
from app.extensions import db
from app.submissions import versions
from tests.submissions.conftest import FORM


@pytest.fixture
def api_app(app, worked_example, tmp_path):
    path = tmp_path / "test-permit.yaml"
    path.write_text(FORM, encoding="utf-8")
    with app.app_context():
        assert import_catalogue(worked_example).ok
        assert not versions.load_forms([path]).problems
    app.config["UPLOAD_DIR"] = str(tmp_path / "uploads")
    return app


@pytest.fixture
def api(api_app):
    return api_app.test_client()


@pytest.fixture
def make_token(api_app):
    """Factory: (department code, name) → the plaintext of a new, committed token."""

    def make(department: str = "01", name: str = "部局システム") -> str:
        with api_app.app_context():
            _, plaintext = tokens.create_token(department, name, "test")
            db.session.commit()
        return plaintext

    return make


def bearer(plaintext: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {plaintext}"}
