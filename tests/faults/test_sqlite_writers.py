"""One SQLite file, many writers at once: 20 threads in this process and three more
processes of four threads each submit for a few seconds. No "database is locked", no
5xx, and every accepted submission is stored whole."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time

from tests.conftest import ROOT

from .conftest import consistency, load_form
from .writers import run_threads

THREADS = 20
PROCESSES = 3
THREADS_PER_PROCESS = 4
SECONDS = 3.0


def test_twenty_concurrent_writers_on_one_sqlite_file(make_app, tmp_path, caplog):
    url = f"sqlite:///{tmp_path / 'shared.db'}"
    app = make_app(url, UPLOAD_DIR=str(tmp_path / "uploads"), JOB_PERIODIC=False)
    load_form(app, tmp_path / "form")

    procs = [
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "tests.faults.writers",
                url,
                app.instance_path,
                str(THREADS_PER_PROCESS),
                str(SECONDS),
                str(100 * (p + 1)),
            ],
            cwd=ROOT,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )  # fmt: skip
        for p in range(PROCESSES)
    ]
    try:
        for p in procs:
            assert p.stdout.readline().strip() == "ready", p.stderr.read()
        started = time.monotonic()
        for p in procs:
            p.stdin.write("go\n")
            p.stdin.flush()
        mine = run_threads(app, THREADS, SECONDS)
        theirs = []
        for p in procs:
            out, err = p.communicate(timeout=120)
            assert p.returncode == 0, err
            assert "database is locked" not in err, err
            theirs.append(json.loads(out.strip().splitlines()[-1]))
        elapsed = time.monotonic() - started
    finally:
        for p in procs:
            if p.poll() is None:
                p.kill()
                p.wait()

    results = [mine, *theirs]
    answers = [a for r in results for a in r["answers"]]
    accepted = [x for r in results for x in r["accepted"]]
    problems = [x for r in results for x in r["problems"]]
    waits = sorted(seconds for _path, _status, seconds in answers)
    print(
        f"\nSQLite, {THREADS} threads + {PROCESSES}×{THREADS_PER_PROCESS} in other processes, "
        f"{elapsed:.1f} s: {len(answers)} requests ({len(answers) / elapsed:.0f}/s), "
        f"{len(accepted)} submissions, {len(problems)} unexpected answers; answered in "
        f"{waits[len(waits) // 2]:.2f} s (median), {waits[int(len(waits) * 0.95)]:.2f} s (p95), "
        f"{waits[-1]:.2f} s (longest)"
    )
    assert not problems, "\n".join(problems[:10])
    assert len(accepted) >= THREADS  # every writer got through at least once
    assert all(status < 500 for _path, status, _seconds in answers)
    assert "database is locked" not in caplog.text

    state = consistency(app)
    assert set(accepted) == state.receipts and len(accepted) == state.submissions
    assert state.without_event == [] and state.without_jobs == []
