"""Adding a procedure does not rewrite history: a fiscal year's figures count only the
procedures valid in it (valid_from / valid_until), whether the dates come by the CSV
import or the staff page."""

from __future__ import annotations

from sqlalchemy import select

from app.catalogue.models import Procedure
from app.catalogue.services import export_catalogue, import_catalogue
from app.clock import today
from app.dashboard.services import figures
from app.extensions import db
from app.kpi import fiscal_year_of
from app.staff import services as staff
from app.staff.models import AuditEvent
from tests.conftest import ROOT

SHIPPED = ROOT / "procedures"
PASSWORD = "correct horse battery"


def rates(*years: int) -> dict[int, tuple[str, str]]:
    """FY → (priority rate, all-scope rate) as the dashboard and the API show them."""
    return {
        fy: tuple(f"{figures(fy, scope).weighted.rate * 100:.1f}" for scope in ("priority", "all"))
        for fy in years
    }


def new_procedure(write_catalogue, valid_from: str | None):
    """P-9001, a priority procedure of BOSAI on paper since today, with this year's receipts."""
    day, fy = today(), fiscal_year_of(today())
    header, value = ("code,name_ja,department_code,priority", "P-9001,新しい手続,BOSAI,1")
    if valid_from is not None:
        header, value = header + ",valid_from", value + f",{valid_from}"
    return write_catalogue(
        {
            "procedures.csv": f"{header}\n{value}\n",
            "volumes.csv": f"code,fiscal_year,receipts\nP-9001,{fy},20000\n",
            "status_history.csv": f"code,status,effective_date\nP-9001,paper,{day.isoformat()}\n",
        }
    )


def test_a_procedure_added_by_the_import_leaves_the_past_years_alone(backend_app, write_catalogue):
    this_year = fiscal_year_of(today())
    with backend_app.app_context():
        assert import_catalogue(SHIPPED).ok
        before = rates(2021, 2025, this_year)
        assert before[2021] == ("39.0", "38.7") and before[2025] == ("96.4", "95.8")
        report = import_catalogue(new_procedure(write_catalogue, today().isoformat()))
        assert report.ok and report.warnings == []
        after = rates(2021, 2025, this_year)
    assert after[2021] == before[2021] and after[2025] == before[2025]
    assert after[this_year] < before[this_year]  # this year counts its paper receipts


def test_without_valid_from_the_import_warns_and_the_staff_page_sets_it(
    backend_app, write_catalogue
):
    this_year = fiscal_year_of(today())
    with backend_app.app_context():
        assert import_catalogue(SHIPPED).ok
        before = rates(2021, 2025, this_year)
        report = import_catalogue(new_procedure(write_catalogue, None))
        assert report.ok
        assert [str(w).split(":", 2)[2].strip() for w in report.warnings] == [
            "新しい手続 P-9001 に valid_from がないため、過去のすべての年度の数字に入ります"
            " / new procedure P-9001 has no valid_from: it will count in every past fiscal year"
        ]
        moved = rates(2021, 2025, this_year)
        assert moved[2021] != before[2021] and moved[2025] != before[2025]  # as warned
        staff.create_user("bosai@example.jp", PASSWORD, "department", department_code="BOSAI")
        db.session.commit()
    client = backend_app.test_client()
    client.post("/staff/login", data={"email": "bosai@example.jp", "password": PASSWORD})
    r = client.post(
        "/staff/procedures/P-9001/validity",
        data={"valid_from": today().isoformat(), "valid_until": ""},
    )
    assert r.status_code == 302
    page = client.get("/staff/procedures/P-9001").get_data(as_text=True)
    assert f'value="{today().isoformat()}"' in page
    with backend_app.app_context():
        assert rates(2021, 2025, this_year) == {**before, this_year: moved[this_year]}
        event = db.session.scalars(
            select(AuditEvent).where(AuditEvent.action == "procedure.validity")
        ).one()
        assert event.actor == "bosai@example.jp" and event.target == "procedure:P-9001"
        assert event.detail == {"from": [None, None], "to": [today().isoformat(), None]}


def test_a_procedure_recorded_through_the_staff_page_counts_from_its_first_day(
    backend_app, write_catalogue
):
    """Set the dates first, then the volume and the status, all on the staff page."""
    this_year = fiscal_year_of(today())
    with backend_app.app_context():
        assert import_catalogue(SHIPPED).ok
        before = rates(2021, 2025, this_year)
        folder = write_catalogue(
            {"procedures.csv": "code,name_ja,department_code,priority\nP-9001,新しい手続,BOSAI,1\n"}
        )
        assert import_catalogue(folder).ok
        staff.create_user("admin@example.jp", PASSWORD, "admin")
        db.session.commit()
    client = backend_app.test_client()
    client.post("/staff/login", data={"email": "admin@example.jp", "password": PASSWORD})
    day = today().isoformat()
    for url, data in (
        ("validity", {"valid_from": day}),
        ("volumes", {"fiscal_year": str(this_year), "receipts": "20,000"}),
        ("status", {"status": "paper", "effective_date": day}),
    ):
        assert client.post(f"/staff/procedures/P-9001/{url}", data=data).status_code == 302, url
    with backend_app.app_context():
        after = rates(2021, 2025, this_year)
    assert after[2021] == before[2021] and after[2025] == before[2025]
    assert after[this_year] < before[this_year]


def test_bad_dates_are_refused_on_the_page_and_in_the_file(backend_app, write_catalogue):
    with backend_app.app_context():
        assert import_catalogue(SHIPPED).ok
        staff.create_user("admin@example.jp", PASSWORD, "admin")
        db.session.commit()
        folder = write_catalogue(
            {
                "procedures.csv": "code,name_ja,department_code,priority,valid_from,valid_until\n"
                "P-0001,火薬類の譲受許可申請,BOSAI,1,2024-04-01,2023-03-31\n"
                "P-0002,火薬類の消費許可申請,BOSAI,1,0001-01-01,\n"
            }
        )
        report = import_catalogue(folder)
    message = (
        "終了日（2023-03-31）が開始日（2024-04-01）より前です"
        " / valid_until (2023-03-31) is before valid_from (2024-04-01)"
    )
    assert f"{folder / 'procedures.csv'}:2: {message}" in [str(p) for p in report.problems]
    assert any(
        str(p).startswith(f"{folder / 'procedures.csv'}:3: 開始日は1990-01-01から")
        for p in report.problems
    )
    client = backend_app.test_client()
    client.post("/staff/login", data={"email": "admin@example.jp", "password": PASSWORD})
    r = client.post(
        "/staff/procedures/P-0001/validity",
        data={"valid_from": "2024-04-01", "valid_until": "2023-03-31"},
    )
    assert r.status_code == 422
    html = r.get_data(as_text=True)
    assert "終了日（2023-03-31）が開始日（2024-04-01）より前です" in html
    assert 'value="2023-03-31"' in html  # what was typed is kept
    with backend_app.app_context():
        p = db.session.scalar(select(Procedure).where(Procedure.code == "P-0001"))
        assert (p.valid_from, p.valid_until) == (None, None)


def test_validity_is_exported_kept_by_old_files_and_shown_by_the_api(
    backend_app, write_catalogue, tmp_path
):
    with backend_app.app_context():
        assert import_catalogue(SHIPPED).ok
        with_dates = write_catalogue(
            {
                "procedures.csv": "code,name_ja,department_code,priority,valid_from,valid_until\n"
                "P-0001,火薬類の譲受許可申請,BOSAI,1,2019-04-01,2031-03-31\n"
            }
        )
        assert import_catalogue(with_dates).ok
        export_catalogue(tmp_path / "out")
        text = (tmp_path / "out" / "procedures.csv").read_text("utf-8-sig")
        assert ",features,valid_from,valid_until,name_kana," in text.splitlines()[0]
        assert ",2019-04-01,2031-03-31,かやくるい" in [
            line for line in text.splitlines() if line.startswith("P-0001,")
        ][0]
        # a file without the columns (as before this release) leaves the dates alone
        old = write_catalogue(
            {
                "procedures.csv": "code,name_ja,department_code,priority\nP-0001,火薬類の譲受許可申請,BOSAI,1\n"
            }
        )
        assert import_catalogue(old).ok
    body = backend_app.test_client().get("/api/v1/procedures/P-0001").get_json()
    assert (body["valid_from"], body["valid_until"]) == ("2019-04-01", "2031-03-31")
    with backend_app.app_context():
        # an empty cell clears a date
        cleared = write_catalogue(
            {
                "procedures.csv": "code,name_ja,department_code,priority,valid_from,valid_until\n"
                "P-0001,火薬類の譲受許可申請,BOSAI,1,,2031-03-31\n"
            }
        )
        assert import_catalogue(cleared).ok
        p = db.session.scalar(select(Procedure).where(Procedure.code == "P-0001"))
        assert p.valid_from is None
