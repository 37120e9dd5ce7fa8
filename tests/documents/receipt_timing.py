"""How long one receipt PDF takes to render: `python -m tests.documents.receipt_timing [N]`.

Loads the shipped catalogue and forms into a temporary app, submits every shipped form
once (through the API, with the same answers as the tests), warms up the shared font
configuration and stylesheet, then renders each receipt N times (default 20) and
prints the median and the spread — the figure quoted in docs/jobs.md.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

from sqlalchemy import select

from app import create_app
from app.catalogue.services import import_catalogue
from app.extensions import db
from app.submissions import versions
from app.submissions.models import Submission
from app.submissions.receipts import render_receipt
from config import TestConfig
from tests.conftest import ROOT
from tests.documents.fill import submit


def main(rounds: int = 20) -> None:
    tmp = Path(tempfile.mkdtemp())
    app = create_app(
        TestConfig,
        instance_path=str(tmp / "instance"),
        SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp / 'app.db'}",
        UPLOAD_DIR=str(tmp / "uploads"),
        JOB_PERIODIC=False,
    )
    with app.app_context():
        db.create_all()
        assert import_catalogue(ROOT / "procedures").ok
        assert not versions.load_forms([ROOT / "forms"]).problems
    client = app.test_client()
    forms = sorted(p.stem for p in (ROOT / "forms").glob("*.yaml"))
    for form in forms:
        assert submit(client, form).status_code == 201
    with app.app_context():
        subs = list(db.session.scalars(select(Submission).order_by(Submission.id)))
        started = time.perf_counter()
        render_receipt(subs[0])  # fonts and stylesheet are loaded by then (also done by the submit)
        first = time.perf_counter() - started
        times: dict[str, list[float]] = {}
        cpu: list[float] = []
        for _ in range(rounds):
            for sub in subs:
                t, c = time.perf_counter(), time.process_time()
                render_receipt(sub)
                times.setdefault(sub.form_version.form_id, []).append(time.perf_counter() - t)
                cpu.append(time.process_time() - c)
    every = [t for ts in times.values() for t in ts]
    print(
        f"receipts rendered: {len(every)} ({rounds} rounds × {len(subs)} shipped forms); first after the fonts were loaded: {first * 1000:.0f} ms"
    )
    print(
        f"median {statistics.median(every) * 1000:.0f} ms, p90 {statistics.quantiles(every, n=10)[-1] * 1000:.0f} ms,"
        f" min {min(every) * 1000:.0f} ms, max {max(every) * 1000:.0f} ms"
    )
    print(
        f"median CPU time {statistics.median(cpu) * 1000:.0f} ms (not changed by other load on the machine)"
    )
    for form, ts in times.items():
        print(f"  {form:<26} median {statistics.median(ts) * 1000:.0f} ms")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 20)
