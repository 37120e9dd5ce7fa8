"""Writers for the SQLite test: threads that submit through the app for a while, half
through the API, half as residents through the web pages (four writes each).

Also run as a separate process (`python -m tests.faults.writers URL INSTANCE THREADS
SECONDS`): it builds its app, says `ready`, waits for a line on stdin, writes, and
prints what it was answered as JSON.
"""

from __future__ import annotations

import json
import sys
import threading
import time
import traceback

FORM_ID = "test-permit"


def write(app, seconds: float, n: int) -> dict:
    """Submit until `seconds` have passed → {"answers": [[path, status, seconds], …], "accepted":
    [receipt numbers], "problems": [bodies of answers that were not as expected]}."""
    from tests.faults.conftest import WEB_APPLICANT, api_submit

    client = app.test_client()
    out: dict[str, list] = {"answers": [], "accepted": [], "problems": []}

    def note(r, expected: int, started: float):
        out["answers"].append([r.request.path, r.status_code, time.monotonic() - started])
        if r.status_code != expected:
            out["problems"].append(
                f"{r.request.path} → {r.status_code}: {r.get_data(as_text=True)[:500]}"
            )
            return False
        return True

    base = f"/apply/{FORM_ID}"
    end = time.monotonic() + seconds
    i = 0
    while time.monotonic() < end:
        if (n + i) % 2:
            started = time.monotonic()
            r = api_submit(client, f"w{n}-{i}-{time.monotonic_ns()}")
            if note(r, 201, started):
                out["accepted"].append(r.get_json()["receipt_no"])
        else:
            steps = [
                lambda: client.post(f"{base}/start"),
                lambda: client.post(
                    f"{base}/applicant",
                    data={"action": "next", **WEB_APPLICANT},
                    content_type="multipart/form-data",
                ),
                lambda: client.post(
                    f"{base}/docs", data={"action": "next"}, content_type="multipart/form-data"
                ),
                lambda: client.post(f"{base}/submit", data={"declaration": "y"}),
            ]
            for step in steps:
                started = time.monotonic()
                r = step()
                if not note(r, 302, started):
                    break
            else:
                out["accepted"].append(r.headers["Location"].rsplit("/", 1)[-1])
        i += 1
    return out


def run_threads(app, threads: int, seconds: float, first: int = 0) -> dict:
    results: list[dict] = []
    lock = threading.Lock()

    def body(n: int):
        try:
            found = write(app, seconds, n)
        except BaseException:  # noqa: BLE001 - reported with the results
            found = {"answers": [], "accepted": [], "problems": [traceback.format_exc()]}
        with lock:
            results.append(found)

    pool = [threading.Thread(target=body, args=(first + n,)) for n in range(threads)]
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    return {k: [x for r in results for x in r[k]] for k in ("answers", "accepted", "problems")}


def main() -> None:
    from app import create_app
    from config import TestConfig

    url, instance, threads, seconds, first = sys.argv[1:6]
    app = create_app(TestConfig, instance_path=instance, SQLALCHEMY_DATABASE_URI=url)
    print("ready", flush=True)
    sys.stdin.readline()
    print(json.dumps(run_threads(app, int(threads), float(seconds), int(first))), flush=True)


if __name__ == "__main__":
    main()
