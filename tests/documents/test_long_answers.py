"""A receipt of the longest answers a form may take: every character on the page, made in
about a second of CPU.

The answers table used to be laid out automatically, which measures its cells at every
place a line may break: the work grew with the square of an answer's length (2,000
Japanese characters took 8 s of CPU, 10,000 several minutes). The bound below is thirty
times what the receipt takes now, not a benchmark.
"""

from __future__ import annotations

import re
import time

from sqlalchemy import select

from app.catalogue.services import import_catalogue
from app.extensions import db
from app.submissions import versions
from app.submissions.models import Submission
from app.submissions.receipts import render_receipt

from .conftest import pdf_text, squash

FORM = """\
id: long-answers
version: 1
procedure: A
title: 長い回答
pages:
  - id: p
    title: 内容
    fields:
      - {id: email, type: email, label: メールアドレス, required: true}
      - {id: address, type: address, label: 住所}
      - {id: summary, type: textarea, label: 概要, max_length: 10000}
"""


def test_a_receipt_of_the_longest_answers(app, worked_example, tmp_path, monkeypatch):
    from app.jobs import outbox

    monkeypatch.setattr(outbox, "dispatch", lambda ids: 0)  # rendered below, measured
    path = tmp_path / "long-answers.yaml"
    path.write_text(FORM, encoding="utf-8")
    with app.app_context():
        assert import_catalogue(worked_example).ok
        assert not versions.load_forms([path]).problems
    answers = {
        "email": "a" * 243 + "@example.jp",  # 254 characters with no place to break a line
        "address": {
            "postal_code": "514-8570",
            "prefecture": "三重県",
            "city": "津" * 50,
            "street": "1" * 100,
            "building": "棟" * 100,
        },
        "summary": "あいうえお" * 2000,
    }
    r = app.test_client().post("/api/v1/forms/long-answers/submissions", json={"answers": answers})
    assert r.status_code == 201, r.get_json()
    with app.app_context():
        sub = db.session.scalar(select(Submission))
        started = time.process_time()
        data = render_receipt(sub)
        spent = time.process_time() - started
    # the pages' footers ("到達番号 2026-XXXXXXXX  3 / 10") come between the parts of a long answer
    text = re.sub(r"到達番号\d{4}-\w{8}\d+/\d+", "", squash(pdf_text(data, tmp_path)))
    assert answers["summary"] in text
    assert answers["email"] in text  # wrapped inside its cell, nothing cut off
    assert "1" * 100 in text and "棟" * 100 in text
    assert spent < 30, f"{spent:.1f} s of CPU for one receipt"
