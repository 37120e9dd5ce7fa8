"""`make bench`: each benchmark runs the real thing and a floor in the same run.

Writes bench/results/<name>.json — {"name", "unit", "value", "floor", "ratio", "target",
"meets", "machine"} — and prints a table. In-process (Flask test client), so the figures
are server work without network. Groundwork for the benchmark issue: submission on
PostgreSQL and the load and fault tests are still to come.
"""

from __future__ import annotations

import json
import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from flask import Flask, request  # noqa: E402
from sqlalchemy import text  # noqa: E402

from app import create_app  # noqa: E402
from app.catalogue.services import import_catalogue  # noqa: E402
from app.extensions import db  # noqa: E402
from config import Config  # noqa: E402
from tests.catalogue.factories import synthetic_catalogue  # noqa: E402

RESULTS = ROOT / "bench" / "results"


def machine() -> dict:
    return {
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
        "system": platform.platform(),
    }


def best_rate(fn, seconds: float = 3.0) -> float:
    """Calls per second of fn over about `seconds`."""
    fn()
    n, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        fn()
        n += 1
    return n / (time.perf_counter() - start)


def median_time(fn, runs: int = 7) -> float:
    fn()
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def result(name, unit, value, floor, ratio, target, meets) -> dict:
    out = {
        "name": name,
        "unit": unit,
        "value": round(value, 4),
        "floor": round(floor, 4),
        "ratio": round(ratio, 3),
        "target": target,
        "meets": bool(meets),
        "machine": machine(),
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / f"{name}.json").write_text(json.dumps(out, indent=2) + "\n")
    return out


def app_with_catalogue(tmp: Path, procedures: int) -> Flask:
    folder = tmp / "catalogue"
    folder.mkdir()
    for name, body in synthetic_catalogue(procedures).items():
        (folder / name).write_text(body, encoding="utf-8")
    app = create_app(
        Config,
        instance_path=str(tmp / "instance"),
        SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp / 'bench.db'}",
        LOGIN_RATE_LIMIT="100000 per second",
        LOOKUP_RATE_LIMIT="100000 per second",
    )
    with app.app_context():
        db.create_all()
        assert import_catalogue(folder).ok
    return app


FLOOR_SQL = """
WITH v AS (
  SELECT procedure_id, fiscal_year, receipts, ROW_NUMBER() OVER (
    PARTITION BY procedure_id ORDER BY fiscal_year DESC, id DESC) AS rn
  FROM volume_records WHERE fiscal_year <= :fy
), s AS (
  SELECT procedure_id, status, ROW_NUMBER() OVER (
    PARTITION BY procedure_id ORDER BY effective_date DESC, id DESC) AS rn
  FROM status_changes WHERE effective_date <= :day
)
SELECT SUM(CASE WHEN s.status IN ('online', 'end_to_end') THEN v.receipts ELSE 0 END),
       SUM(v.receipts)
FROM procedures p
JOIN v ON v.procedure_id = p.id AND v.rn = 1
LEFT JOIN s ON s.procedure_id = p.id AND s.rn = 1
WHERE COALESCE(s.status, 'paper') <> 'excluded'
"""


def bench_kpi(app: Flask) -> dict:
    """/api/v1/kpi after a change (nothing cached) against one hand-written SQL aggregate."""
    from app.dashboard import services

    client = app.test_client()

    def real():
        services._cache.clear()
        assert client.get("/api/v1/kpi?scope=all&fiscal_year=2025").status_code == 200

    def floor():
        with app.app_context():
            db.session.execute(text(FLOOR_SQL), {"fy": 2025, "day": "2026-03-31"}).one()
            db.session.remove()

    value, base = median_time(real), median_time(floor)
    return result("kpi", "seconds", value, base, value / base, "<= 2.0", value / base <= 2.0)


def bench_page(app: Flask) -> dict:
    """GET of a form's question page against serving the same HTML from a static template."""
    client = app.test_client()
    client.get("/apply/bench-form")
    client.post("/apply/bench-form/start")
    url = "/apply/bench-form/about"
    html = client.get(url).get_data(as_text=True)
    bare = Flask("floor")

    @bare.get("/page")
    def page():
        return html

    bare_client = bare.test_client()
    value = best_rate(lambda: client.get(url))
    base = best_rate(lambda: bare_client.get("/page"))
    return result("page", "requests/s", value, base, value / base, ">= 0.7", value / base >= 0.7)


BENCH_FORM = (
    "id: bench-form\nversion: 1\nprocedure: G-00000\ntitle: {ja: 計測用の申請, en: Benchmark form}\npages:\n  - id: about\n    title: 申請者\n    fields:\n"
    + "".join(
        f"      - {{id: f{i:02d}, type: text, label: 項目{i}, required: true}}\n" for i in range(20)
    )
)


def bench_submission(app: Flask) -> dict:
    """POST of a 20-field form through the whole path against a bare route inserting the JSON."""
    client = app.test_client()
    answers = {f"f{i:02d}": f"回答{i}" for i in range(20)}
    value = best_rate(
        lambda: client.post("/api/v1/forms/bench-form/submissions", json={"answers": answers})
    )
    with app.app_context():
        db.session.execute(
            text("CREATE TABLE IF NOT EXISTS floor_rows (id INTEGER PRIMARY KEY, body TEXT)")
        )
        db.session.commit()
    bare = Flask("floor")

    @bare.post("/rows")
    def rows():
        with app.app_context():
            db.session.execute(
                text("INSERT INTO floor_rows (body) VALUES (:b)"),
                {"b": json.dumps(request.get_json())},
            )
            db.session.commit()
        return {"ok": True}, 201

    bare_client = bare.test_client()
    base = best_rate(lambda: bare_client.post("/rows", json={"answers": answers}))
    return result(
        "submission_sqlite", "requests/s", value, base, value / base, ">= 0.7", value / base >= 0.7
    )


def bench_pdf(app: Flask) -> dict:
    """A receipt PDF against WeasyPrint rendering the same HTML directly."""
    from weasyprint import HTML

    from app.documents import pdf, receipts
    from app.submissions.models import Submission

    with app.app_context():
        sub = db.session.scalar(db.select(Submission).limit(1))
        html = receipts.receipt_html(sub)
        pdf.warm_up()
        value = median_time(lambda: receipts.render_receipt(sub), runs=5)
        base = median_time(lambda: HTML(string=html).write_pdf(), runs=5)
    return result(
        "pdf_receipt", "seconds", value, base, value / base, "<= 1.2", value / base <= 1.2
    )


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        app = app_with_catalogue(tmp, int(os.environ.get("BENCH_PROCEDURES", "10000")))
        form = tmp / "bench-form.yaml"
        form.write_text(BENCH_FORM, encoding="utf-8")
        with app.app_context():
            from app.submissions.services import load_forms

            assert not load_forms([form]).problems
        rows = [bench_kpi(app), bench_page(app), bench_submission(app), bench_pdf(app)]
    print(
        f"{'benchmark':<20} {'unit':<12} {'value':>10} {'floor':>10} {'ratio':>7}  target   meets"
    )
    for r in rows:
        print(
            f"{r['name']:<20} {r['unit']:<12} {r['value']:>10} {r['floor']:>10} {r['ratio']:>7}  "
            f"{r['target']:<8} {'yes' if r['meets'] else 'NO'}"
        )


if __name__ == "__main__":
    main()
