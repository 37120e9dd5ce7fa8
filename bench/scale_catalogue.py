"""Import a generated catalogue (10,000 procedures × 10 fiscal years) and time /api/v1/kpi.

    .venv/bin/python bench/scale_catalogue.py [--procedures N] [--database-url URL]

Prints the figures and writes bench/results/catalogue_scale.json. The database at
--database-url is emptied of the app's tables before and after: give it a scratch one.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from app import create_app  # noqa: E402
from app.catalogue.services import import_catalogue  # noqa: E402
from app.extensions import db  # noqa: E402
from config import Config  # noqa: E402
from tests.catalogue.factories import synthetic_catalogue  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--procedures", type=int, default=10_000)
    ap.add_argument("--database-url", default=None)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "catalogue"
        folder.mkdir()
        for name, text in synthetic_catalogue(args.procedures).items():
            (folder / name).write_text(text, encoding="utf-8")
        url = args.database_url or f"sqlite:///{Path(tmp) / 'bench.db'}"
        app = create_app(
            Config,
            instance_path=str(Path(tmp) / "instance"),
            SQLALCHEMY_DATABASE_URI=url,
            JOB_INLINE_SWEEP=False,  # no sweep beside the timings
        )
        with app.app_context():
            db.drop_all()
            db.create_all()
            t0 = time.perf_counter()
            report = import_catalogue(folder)
            import_s = time.perf_counter() - t0
            assert report.ok, report.problems[:5]
            client = app.test_client()
            times = []
            for _ in range(7):
                t0 = time.perf_counter()
                r = client.get("/api/v1/kpi?scope=all")
                times.append(time.perf_counter() - t0)
                assert r.status_code == 200
            counts = dict(report.counts)
            db.session.remove()
            db.drop_all()
    result = {
        "procedures": args.procedures,
        "database": url.split(":")[0],
        "rows": counts,
        "import_seconds": round(import_s, 2),
        # the first request loads the catalogue; later ones reuse it until it changes
        "kpi_first_request_seconds": round(times[0], 3),
        "kpi_median_seconds": round(statistics.median(times[1:]), 3),
    }
    out = ROOT / "bench" / "results"
    out.mkdir(parents=True, exist_ok=True)
    (out / "catalogue_scale.json").write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
