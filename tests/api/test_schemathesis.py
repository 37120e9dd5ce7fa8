"""Generated requests against the OpenAPI document: no 5xx, no answer that breaks the document.

Schemathesis reads /api/openapi.json from the app itself (WSGI, nothing leaves the
process) and sends valid and invalid input to every operation, on the shipped catalogue
and forms. Writes go with a token of the department that owns the example procedure.
"""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from app.api import tokens
from app.api.docs import standalone_document
from app.catalogue.services import import_catalogue
from app.extensions import db
from app.submissions import versions
from tests.conftest import ROOT

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]


@pytest.fixture
def shipped_app(app, tmp_path):
    with app.app_context():
        assert import_catalogue(ROOT / "procedures").ok
        assert not versions.load_forms([ROOT / "forms"]).problems
        _, plaintext = tokens.create_token("BOSAI", "schemathesis", "test")  # owns P-0001
        db.session.commit()
    app.config["UPLOAD_DIR"] = str(tmp_path / "uploads")
    app.config["TEST_API_TOKEN"] = plaintext
    return app


# The document is read once at collection (the app's own /api/openapi.json is the same:
# test_openapi checks it); each operation's test then runs against a fresh app.
schema = schemathesis.openapi.from_dict(standalone_document())


@schema.parametrize()
@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    database=None,
)
def test_generated_requests_get_documented_answers(case, shipped_app):
    headers = {}
    if case.method == "POST" and case.path.startswith("/api/v1/procedures/"):
        headers["Authorization"] = "Bearer " + shipped_app.config["TEST_API_TOKEN"]
    case.call_and_validate(app=shipped_app, headers=headers, checks=CHECKS)
