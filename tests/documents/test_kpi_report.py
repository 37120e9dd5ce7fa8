"""The KPI report for 推進本部: kpi.md's worked example, by the CLI and by the monthly job."""

from __future__ import annotations

import email
from email import policy
from pathlib import Path

from sqlalchemy import select

from app.catalogue.services import import_catalogue
from app.extensions import db
from app.jobs import outbox
from app.jobs.models import OutboxJob

from .conftest import assert_tagged_pdf_ua, pdf_text, squash


def test_flask_report_kpi_writes_the_worked_example(app, worked_example, tmp_path):
    with app.app_context():
        assert import_catalogue(worked_example).ok
    out = tmp_path / "reports" / "kpi-2023.pdf"
    result = app.test_cli_runner().invoke(args=["report", "kpi", "--fy", "2023", "--out", str(out)])
    assert result.exit_code == 0, result.output
    data = out.read_bytes()
    text = squash(pdf_text(data, tmp_path))
    for s in [
        "行政手続のデジタル化の状況",
        "2023年度（令和5年度）",
        "2024-03-31時点",
        "73.7%",
        "70,000/95,000件",  # headline, basis latest (kpi.md)
        "80.0%",
        "80,000/100,000件",  # basis fixed:2021
        "手続数で数えると:66.7%(2/3)",
        "デジタル化率の推移",
        "2021年度（令和3年度）50.0%",  # history table under the chart
        "部局別",
        "部局01",
        "部局02",
        "デジタル化すると効果の大きい手続",
        "C手続C",
        "25,000",
        "+26.3ポイント",
        "データの品質",
    ]:
        assert squash(s) in text, s
    assert_tagged_pdf_ua(data, tmp_path, "行政手続のデジタル化の状況")


def test_the_report_in_english(app, worked_example, tmp_path):
    with app.app_context():
        assert import_catalogue(worked_example).ok
    out = tmp_path / "kpi-en.pdf"
    result = app.test_cli_runner().invoke(
        args=["report", "kpi", "--fy", "2023", "--lang", "en", "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    text = squash(pdf_text(out.read_bytes(), tmp_path))
    assert squash("Digitization rate of priority procedures") in text and "73.7%" in text


def test_the_monthly_report_is_made_once_by_a_job_and_mailed(app, worked_example):
    app.config["KPI_REPORT_MAIL_TO"] = "suishin@example.pref.mie.lg.jp"
    with app.app_context():
        assert import_catalogue(worked_example).ok
        outbox.add("kpi_report", "kpi_report:2024-03", payload={"month": "2024-03"})
        db.session.commit()
        outbox.sweep(periodic=False)  # the report, then its mail
        outbox.sweep(periodic=False)
        jobs = {j.key: j for j in db.session.scalars(select(OutboxJob))}
    assert {k: j.state for k, j in jobs.items()} == {
        "kpi_report:2024-03": "done",
        "mail_report:2024-03": "done",
    }
    path = Path(app.instance_path) / "documents" / "reports" / "kpi-report-2024-03.pdf"
    assert path.read_bytes().startswith(b"%PDF")
    msg = email.message_from_bytes(
        (Path(app.instance_path) / "documents" / "mail" / "mail_report-2024-03.eml").read_bytes(),
        policy=policy.default,
    )
    assert msg["To"] == "suishin@example.pref.mie.lg.jp" and "2024-03" in msg["Subject"]
    [attachment] = list(msg.iter_attachments())
    assert attachment.get_filename() == path.name and attachment.get_content() == path.read_bytes()
