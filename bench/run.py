"""`make bench`: each benchmark runs the real thing and a floor in the same run.

Writes bench/results/<name>.json — {"name", "unit", "value", "floor", "ratio", "target",
"meets", "machine", ...} — and prints a table; exits 1 when a target is missed.
In-process (Flask's test client), so the figures are the server's own work, without the
network: the load test (bench/load.py) measures the whole thing over HTTP.

    kpi                  /api/v1/kpi over the catalogue (10,000 procedures × 10 fiscal
                         years × 30,000 status rows) after a change, against one
                         hand-written SQL aggregate; statements counted at two sizes
    page                 GET of a form page (20 fields), against the same HTML rendered
                         from a static template by a route of the same application
    submission_sqlite    POST of a 20-field form through the whole path (normalise,
    submission_postgresql  validate, store, outbox), against a bare Flask route inserting
                         the same JSON row through the same database engine
    worker_submission    a worker's CPU for the jobs of one submission (two mails; the
                         receipt is made when asked for) against WeasyPrint rendering
                         that submission's receipt HTML
    pdf_receipt          a receipt PDF, when asked for, against WeasyPrint rendering the
                         same HTML

Beside a floor, `page` and the submissions measure a bound: a bare route doing only the
part of the work that cannot be left out (a question page's draft read, language and CSRF
token; the rows a submission is). Its ratio to the floor is the most any implementation doing that work can
reach here: below the target, the target cannot be met by making the rest faster.

Environment: BENCH_PROCEDURES (default 10000), BENCH_DATABASE_URL (a PostgreSQL server
where a scratch database is made and dropped; default TEST_DATABASE_URL), BENCH_SECONDS,
BENCH_RESULTS (the folder for the JSON; default bench/results).
"""

from __future__ import annotations

import json
import os
import platform
import re
import statistics
import sys
import tempfile
import time
import uuid
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from flask import Flask, request  # noqa: E402
from sqlalchemy import JSON, Column, Integer, MetaData, Table, event, insert, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from app import create_app  # noqa: E402
from app.catalogue.services import import_catalogue  # noqa: E402
from app.extensions import db  # noqa: E402
from config import RATE_LIMITS, Config, TestConfig  # noqa: E402
from tests.catalogue.factories import synthetic_catalogue  # noqa: E402

RESULTS = Path(os.environ.get("BENCH_RESULTS") or ROOT / "bench" / "results")
SECONDS = float(os.environ.get("BENCH_SECONDS", "3"))


def machine() -> dict:
    return {
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
        "system": platform.platform(),
    }


def best_rate(fn, seconds: float = SECONDS) -> float:
    """Calls per second of fn over about `seconds`, after a warm-up."""
    for _ in range(20):
        fn()
    n, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        fn()
        n += 1
    return n / (time.perf_counter() - start)


def interleaved_rates(real, floor, rounds: int = 3) -> tuple[float, float]:
    """Both measured in turns, so that a busy moment of the machine hits both: the best
    round of each."""
    reals, floors = [], []
    for _ in range(rounds):
        reals.append(best_rate(real, SECONDS / rounds))
        floors.append(best_rate(floor, SECONDS / rounds))
    return max(reals), max(floors)


def interleaved_cpu(real, floor, runs: int = 7) -> tuple[float, float]:
    """Median CPU seconds of this process per call of each, measured in turns. Everything
    both do runs in this process (SQLite), so CPU time is their work whatever else the
    machine is doing, where wall-clock time also counts the waits for a busy core."""
    real(), floor()
    reals, floors = [], []
    for _ in range(runs):
        for fn, times in ((real, reals), (floor, floors)):
            t = time.process_time()
            fn()
            times.append(time.process_time() - t)
    return statistics.median(reals), statistics.median(floors)


def bound(what: str, value: float, floor: float) -> dict:
    """A second measurement beside the floor: a bare route doing only part of the real
    thing's work. Its ratio is an upper bound for the real thing's: where it is below the
    target, no implementation doing that work meets the target on this machine."""
    return {"what": what, "value": round(value, 4), "ratio": round(value / floor, 3)}


def result(name, unit, value, floor, ratio, target, meets, **extra) -> dict:
    out = {
        "name": name,
        "unit": unit,
        "value": round(value, 4),
        "floor": round(floor, 4),
        "ratio": round(ratio, 3),
        "target": target,
        "meets": bool(meets),
        **extra,
        "machine": machine(),
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / f"{name}.json").write_text(json.dumps(out, indent=2) + "\n")
    return out


@contextmanager
def counted(app: Flask):
    """→ a list whose length is the number of SQL statements run inside the block."""
    seen: list[str] = []
    with app.app_context():
        engine = db.engine

    def count(conn, cursor, statement, *args):
        seen.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", count)


# --- the application under test --------------------------------------------------------------

BENCH_FORM = (
    "id: bench-form\nversion: 1\nprocedure: G-00000\n"
    "title: {ja: 計測用の申請, en: Benchmark form}\npages:\n"
    "  - id: about\n    title: 申請者\n    fields:\n"
    + "".join(
        f"      - {{id: f{i:02d}, type: text, label: 項目{i}, required: true}}\n" for i in range(20)
    )
)
ANSWERS = {f"f{i:02d}": f"回答{i}" for i in range(20)}
# the same form, with what sets off a worker's jobs: the resident's address (their mail) and
# a department's mail address (its mail)
MAIL_FORM = (
    BENCH_FORM.replace("id: bench-form\n", "id: bench-mail-form\n").replace(
        "pages:\n", "outputs:\n  - {type: email, to: bench@example.pref.mie.lg.jp}\npages:\n"
    )
    + "      - {id: email, type: email, label: メールアドレス}\n"
)
MAIL_ANSWERS = {**ANSWERS, "email": "resident@example.jp"}
FLOOR_PAGE: dict[str, object] = {}


def make_app(tmp: Path, procedures: int, database_url: str | None = None) -> Flask:
    folder = tmp / f"catalogue-{procedures}"
    folder.mkdir()
    for name, body in synthetic_catalogue(procedures).items():
        (folder / name).write_text(body, encoding="utf-8")
    app = create_app(
        Config,
        instance_path=str(tmp / f"instance-{procedures}"),
        SQLALCHEMY_DATABASE_URI=database_url or f"sqlite:///{tmp / f'bench-{procedures}.db'}",
        REDIS_URL=None,  # jobs inline, after the response: the request's own work is measured
        JOB_INLINE_SWEEP=False,  # no sweep (nor periodic report) running beside the timings
        # every request comes from one client: limits out of the way, still checked
        **{name: "100000 per second" for name in RATE_LIMITS},
    )

    # the page's floor: the same HTML from a static template, served by this application
    @app.get("/bench-floor/page")
    def floor_page():
        return FLOOR_PAGE["template"].render()

    # the floor plus only what a question page cannot do without, however it is rendered:
    # read the resident's draft (and whether it was submitted), choose the language, issue
    # the form's CSRF token — each as the page itself does it. How much of the target is left
    # for everything else.
    @app.get("/bench-floor/page-with-reads")
    def floor_page_with_reads():
        from flask import session
        from flask_babel import get_locale
        from flask_wtf.csrf import generate_csrf

        from app.submissions import drafts

        draft = drafts.draft_state((session.get("drafts") or {}).get("bench-form"))
        assert draft is not None and not draft.submitted
        get_locale()
        generate_csrf()
        return FLOOR_PAGE["template"].render()

    with app.app_context():
        db.create_all()
        assert import_catalogue(folder).ok
        form, mail_form = tmp / "bench-form.yaml", tmp / "bench-mail-form.yaml"
        form.write_text(BENCH_FORM, encoding="utf-8")
        mail_form.write_text(MAIL_FORM, encoding="utf-8")
        from app.submissions.versions import load_forms

        assert not load_forms([form, mail_form]).problems
    return app


@contextmanager
def scratch_postgres():
    """A database of its own on the PostgreSQL server → its URL; dropped afterwards."""
    import psycopg

    admin = make_url(os.environ.get("BENCH_DATABASE_URL") or TestConfig.TEST_DATABASE_URL)
    name = f"tetsuzuki_bench_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    libpq = admin.set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(libpq, autocommit=True, connect_timeout=3) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield admin.set(database=name).render_as_string(hide_password=False)
    finally:
        with psycopg.connect(libpq, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


# --- the benchmarks -------------------------------------------------------------------------

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
  AND (p.valid_from IS NULL OR p.valid_from <= :day)
  AND (p.valid_until IS NULL OR p.valid_until >= :first_day)
"""
KPI_URL = "/api/v1/kpi?scope=all&fiscal_year=2025"


def kpi_statements(app: Flask) -> int:
    from app.catalogue import queries

    queries._cache.clear()
    with counted(app) as seen:
        assert app.test_client().get(KPI_URL).status_code == 200
    return len(seen)


def bench_kpi(app: Flask, small: Flask) -> dict:
    """/api/v1/kpi after a change (nothing cached) against one hand-written SQL aggregate;
    the statements of one answer, on this catalogue and on one a tenth of its size."""
    from app.catalogue import queries
    from app.catalogue.models import Procedure, StatusChange, VolumeRecord

    client = app.test_client()

    def real():
        queries._cache.clear()
        assert client.get(KPI_URL).status_code == 200

    def floor():
        with app.app_context():
            db.session.execute(
                text(FLOOR_SQL), {"fy": 2025, "day": "2026-03-31", "first_day": "2025-04-01"}
            ).one()
            db.session.remove()

    value, base = interleaved_cpu(real, floor)
    statements, statements_small = kpi_statements(app), kpi_statements(small)
    with app.app_context():
        size = {
            "procedures": db.session.query(Procedure).count(),
            "volume_rows": db.session.query(VolumeRecord).count(),
            "status_rows": db.session.query(StatusChange).count(),
        }
    ratio = value / base
    return result(
        "kpi",
        "CPU seconds",
        value,
        base,
        ratio,
        "<= 1.6, statements constant",
        ratio <= 1.6 and statements == statements_small,
        statements=statements,
        statements_at_a_tenth=statements_small,
        catalogue=size,
    )


def start_draft(client) -> None:
    page = client.get("/apply/bench-form").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    r = client.post("/apply/bench-form/start", data={"csrf_token": token})
    assert r.status_code == 302 and "/apply/bench-form/about" in r.headers["Location"], r.status


def bench_page(app: Flask) -> dict:
    """GET of a form's question page (a resident's draft, 20 fields) against the same HTML
    rendered from a static template by a route of the same application: what the form
    engine costs over serving a fixed page."""
    client = app.test_client()
    start_draft(client)
    url = "/apply/bench-form/about"
    r = client.get(url)
    assert r.status_code == 200 and 'name="f19"' in r.get_data(as_text=True), r.status
    html = r.get_data(as_text=True)
    FLOOR_PAGE["template"] = app.jinja_env.from_string("{% raw %}" + html + "{% endraw %}")
    assert client.get("/bench-floor/page").get_data(as_text=True) == html
    assert client.get("/bench-floor/page-with-reads").get_data(as_text=True) == html
    with counted(app) as seen:
        client.get(url)
    value, base = interleaved_rates(
        lambda: client.get(url), lambda: client.get("/bench-floor/page")
    )
    reads, base_again = interleaved_rates(
        lambda: client.get("/bench-floor/page-with-reads"), lambda: client.get("/bench-floor/page")
    )
    limit = bound(
        "the floor plus the draft read, the language chosen and a CSRF token, nothing rendered",
        reads,
        base_again,
    )
    of_bound = (value / base) / limit["ratio"]
    return result(
        "page",
        "requests/s",
        value,
        base,
        value / base,
        ">= 0.8 of the bound",
        of_bound >= 0.8,
        of_bound=round(of_bound, 3),
        statements=len(seen),
        html_bytes=len(html.encode("utf-8")),
        bound=limit,
    )


def bench_submission(app: Flask, name: str) -> dict:
    """POST of a 20-field form through the whole path against a bare Flask route inserting
    the same JSON row through the same database engine."""
    client = app.test_client()
    url = "/api/v1/forms/bench-form/submissions"
    r = client.post(url, json={"answers": ANSWERS})
    assert r.status_code == 201, r.get_data(as_text=True)
    with counted(app) as seen:
        client.post(url, json={"answers": ANSWERS})
    with app.app_context():
        engine = db.engine
    rows = Table(
        "bench_floor_rows",
        MetaData(),
        Column("id", Integer, primary_key=True),
        Column("body", JSON),
    )
    rows.create(engine, checkfirst=True)
    bare = Flask("floor")

    @bare.post("/rows")
    def add_row():
        with engine.begin() as conn:
            conn.execute(insert(rows), {"body": request.get_json()})
        return {"ok": True}, 201

    @bare.post("/same-rows")
    def add_same_rows():
        """The rows a submission is (the submission, its first status event, its outbox
        jobs), written by the application's own statements, with nothing else around."""
        from app.clock import utcnow
        from app.jobs.outbox import new_job
        from app.kpi.fiscal import fiscal_year_of
        from app.submissions import codes, store
        from app.submissions.effects import submission_jobs

        answers = request.get_json()["answers"]
        now = utcnow()
        row = {
            "receipt_no": f"{fiscal_year_of(now.date())}-{codes.random_code(8)}",
            "access_code": codes.random_code(8),
            "form_version_id": fv.id,
            "procedure_code": fv.procedure_code,
            "fiscal_year": fiscal_year_of(now.date()),
            "answers": answers,
            "lang": "ja",
            "status": "received",
            "channel": "api",
            "created_at": now,
            "workflow_step": 0,  # a case starts at its workflow's first step
        }
        jobs = [
            {"kind": kind, "suffix": suffix, "payload": payload, **new_job(now)}
            for kind, suffix, payload in submission_jobs(defn, answers)
        ]
        with engine.begin() as conn:
            at_once = conn.dialect.name == "postgresql"
            (store._insert_at_once if at_once else store._insert_one_by_one)(conn, row, jobs)
        return {"ok": True}, 201

    with app.app_context():
        from app.submissions import versions

        fv = versions.latest_version("bench-form")
        defn = versions.definition(fv)
    bare_client = bare.test_client()
    value, base = interleaved_rates(
        lambda: client.post(url, json={"answers": ANSWERS}),
        lambda: bare_client.post("/rows", json={"answers": ANSWERS}),
    )
    same, base_again = interleaved_rates(
        lambda: bare_client.post("/same-rows", json={"answers": ANSWERS}),
        lambda: bare_client.post("/rows", json={"answers": ANSWERS}),
    )
    limit = bound("a bare route writing the same rows as a submission", same, base_again)
    of_bound = (value / base) / limit["ratio"]
    return result(
        name,
        "requests/s",
        value,
        base,
        value / base,
        ">= 0.7 of the bound",
        of_bound >= 0.7,
        of_bound=round(of_bound, 3),
        statements=len(seen),
        bound=limit,
    )


def cpu_time(fn, runs: int = 5) -> float:
    """Median CPU seconds of this process for one call of fn (after one call to warm up):
    a worker's cost, which a busy machine stretches in time but not in CPU."""
    fn()
    times = []
    for _ in range(runs):
        t = time.process_time()
        fn()
        times.append(time.process_time() - t)
    return statistics.median(times)


def bench_worker(app: Flask, submissions: int = 20) -> list[dict]:
    """What a worker spends on a submission — every job it writes (the resident's mail, the
    department's mail; the receipt PDF is made only when asked for) — and what a receipt
    costs when it is asked for, each against WeasyPrint rendering the same receipt HTML
    (no stylesheet of ours, not tagged) in the same run. CPU time of this process."""
    from sqlalchemy import select
    from weasyprint import HTML

    from app.documents import pdf
    from app.jobs import outbox, tasks
    from app.jobs.models import PENDING, OutboxJob
    from app.submissions import receipts
    from app.submissions.models import Submission

    client = app.test_client()
    url = "/api/v1/forms/bench-mail-form/submissions"
    after_response = outbox._after_response
    outbox._after_response = lambda ids: 0  # the jobs stay pending, to be timed below
    try:
        made = [client.post(url, json={"answers": MAIL_ANSWERS}) for _ in range(submissions + 1)]
    finally:
        outbox._after_response = after_response
    assert all(r.status_code == 201 for r in made), made[0].get_data(as_text=True)
    numbers = [r.get_json()["receipt_no"] for r in made]
    with app.app_context():
        subs = db.session.scalars(
            select(Submission).where(Submission.receipt_no.in_(numbers)).order_by(Submission.id)
        ).all()
        last_id = subs[-1].id
        jobs_of = {
            sub.id: db.session.scalars(
                select(OutboxJob.id).where(
                    OutboxJob.submission_id == sub.id, OutboxJob.state == PENDING
                )
            ).all()
            for sub in subs
        }
        kinds = sorted(
            db.session.scalars(
                select(OutboxJob.kind).where(OutboxJob.id.in_(jobs_of[subs[0].id]))
            ).all()
        )
        pdf.warm_up()
        for job_id in next(iter(jobs_of.values())):  # warm-up: templates, the mail transport
            tasks.run(job_id)
        started = time.process_time()
        for sub_id in list(jobs_of)[1:]:
            for job_id in jobs_of[sub_id]:
                tasks.run(job_id)
        per_submission = (time.process_time() - started) / submissions
        states = db.session.scalars(
            select(OutboxJob.state).where(OutboxJob.submission_id.in_(jobs_of))
        ).all()
        assert set(states) == {"done"} and len(kinds) == 2, (states, kinds)
        sub = db.session.get(Submission, last_id)
        html = receipts.receipt_html(sub)
        asked = cpu_time(lambda: receipts.render_receipt(sub))
        weasyprint = cpu_time(lambda: HTML(string=html).write_pdf())
    return [
        result(
            "worker_submission",
            "CPU seconds",
            per_submission,
            weasyprint,
            per_submission / weasyprint,
            "<= 0.5",
            per_submission / weasyprint <= 0.5,
            jobs=kinds,
            floor_is="WeasyPrint rendering the submission's receipt HTML",
        ),
        result(
            "pdf_receipt",
            "CPU seconds",
            asked,
            weasyprint,
            asked / weasyprint,
            "<= 1.2",
            asked / weasyprint <= 1.2,
            made="when a resident first asks for it (receipts.request_receipt)",
        ),
    ]


def main() -> int:
    procedures = int(os.environ.get("BENCH_PROCEDURES", "10000"))
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        t = time.perf_counter()
        app = make_app(tmp, procedures)
        small = make_app(tmp, max(1, procedures // 10))
        print(f"catalogue of {procedures} procedures ready in {time.perf_counter() - t:.1f}s")
        rows.append(bench_kpi(app, small))
        rows.append(bench_page(app))
        rows.append(bench_submission(app, "submission_sqlite"))
        rows.extend(bench_worker(app))
        with scratch_postgres() as url:
            (tmp / "pg").mkdir()
            pg = make_app(tmp / "pg", 100, url)
            rows.append(bench_submission(pg, "submission_postgresql"))
            with pg.app_context():
                db.session.remove()
                db.engine.dispose()
    print(
        f"\n{'benchmark':<22} {'unit':<11} {'value':>10} {'floor':>10} {'ratio':>7}  "
        f"{'target':<28} meets"
    )
    for r in rows:
        print(
            f"{r['name']:<22} {r['unit']:<11} {r['value']:>10} {r['floor']:>10} {r['ratio']:>7}  "
            f"{r['target']:<28} {'yes' if r['meets'] else 'NO'}"
        )
    extra = [f"{r['name']}: {r['statements']} SQL statements" for r in rows if "statements" in r]
    print("\n" + "; ".join(extra))
    for r in rows:
        if "bound" in r:
            b = r["bound"]
            print(f"{r['name']}: at most {b['ratio']} of the floor — {b['what']}")
    print(f"results in {RESULTS}/")
    return 0 if all(r["meets"] for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
