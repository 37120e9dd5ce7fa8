"""GET /api/v1/submissions/<receipt_no>/receipt.pdf: the PDF, 202 while it is made, 404 else."""

from __future__ import annotations

import pytest

from tests.submissions.test_api_and_cli import ANSWERS


@pytest.fixture
def submitted(api):
    r = api.post(
        "/api/v1/forms/test-permit/submissions",
        json={"answers": ANSWERS, "lang": "ja", "declaration": True},
    )
    assert r.status_code == 201, r.get_json()
    r.close()  # inline jobs (the PDF) run once the response is closed, as after sending it
    return r.get_json()


def url(receipt_no: str) -> str:
    return f"/api/v1/submissions/{receipt_no}/receipt.pdf"


def test_the_holder_of_the_code_gets_the_pdf(api, submitted):
    r = api.get(url(submitted["receipt_no"]), headers={"X-Access-Code": submitted["access_code"]})
    assert r.status_code == 200 and r.mimetype == "application/pdf"  # jobs run inline here
    assert r.data.startswith(b"%PDF") and "no-store" in r.headers["Cache-Control"]


def test_202_while_it_is_being_made(api, submitted, monkeypatch):
    monkeypatch.setattr("app.submissions.receipts.receipt_for", lambda sub: (None, "pending"))
    r = api.get(url(submitted["receipt_no"]), headers={"X-Access-Code": submitted["access_code"]})
    assert r.status_code == 202 and r.get_json() == {"status": "pending"}
    assert r.headers["Retry-After"] == "5"


@pytest.mark.parametrize(("state", "status"), [("deleted", 404), ("failed", 503)])
def test_deleted_and_failed_are_json_errors(api, submitted, monkeypatch, state, status):
    monkeypatch.setattr("app.submissions.receipts.receipt_for", lambda sub: (None, state))
    r = api.get(url(submitted["receipt_no"]), headers={"X-Access-Code": submitted["access_code"]})
    assert r.status_code == status and " / " in r.get_json()["message"]


def test_a_wrong_code_is_the_same_404_as_an_unknown_number(api, submitted):
    wrong = api.get(url(submitted["receipt_no"]), headers={"X-Access-Code": "WRONG234"})
    unknown = api.get(url("2026-ZZZZZZZZ"), headers={"X-Access-Code": submitted["access_code"]})
    assert wrong.status_code == unknown.status_code == 404
    assert wrong.get_json() == unknown.get_json()
