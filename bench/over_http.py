"""`make bench` (after bench/run.py): one 20-field form over HTTP, what each submission
costs the servers in CPU, by part.

bench/run.py measures the application in-process (Flask's test client); this runs the
production set-up on loopback, started and removed by itself (bench/load.py's `Run`), also
on failure or Ctrl-C: gunicorn with 2 sync workers and the package's settings
(`-c python:app.gunicorn_conf`: JSON access log, Prometheus multiprocess metrics), a
scratch PostgreSQL database (migrated, `flask demo`), a Redis key prefix, one RQ worker.
The form (`bench-form`, for the demo catalogue's P-0001: 20 required text fields on one
page, as bench/run.py's) is loaded the way an operator does, `flask forms load`.

Two flows, each with 1 and then 4 client threads for BENCH_HTTP_SECONDS (20) each:

    api    GET /api/v1/forms/bench-form, then POST the 20 answers to
           /api/v1/forms/bench-form/submissions (201): 2 requests a submission
    html   a resident with a browser's cookies: the start page, start (the CSRF token from
           the page), the question page GET and POST, the check page, submit, the done page
           (showing the receipt number): 7 requests a journey, redirects followed

Threads stop starting journeys at the end of the window and finish the one under way: the
window holds whole submissions only. The client is http.client (keep-alive where the server
allows it: a sync worker closes each connection), its own CPU reported apart.

Per flow and thread count: submissions/s, p50/p95 latency of each request and of a whole
submission, and server CPU per submission by part, from /proc over the window: web
(gunicorn's master and workers), PostgreSQL (the backends of the run's database), Redis
(the server's process: shared, others' commands count too), and the RQ worker over the
window and until it has finished every job (receipt PDF, mails); SQL statements per
submission (tetsuzuki_db_statements_total from /metrics before and after, less the
scrape's own), jobs per submission (outbox rows) and Redis commands per submission
(INFO commandstats, server-wide). The rate limits are raised (config.RATE_LIMITS) since all
the load comes from one address; JOB_PERIODIC is off.

Targets: web CPU ≤ 6 ms per API submission, ≤ 30 ms per HTML journey (each thread count).

Settings (environment): BENCH_HTTP_SECONDS (20), BENCH_HTTP_THREADS ("1,4"),
BENCH_HTTP_FLOWS ("api,html"), BENCH_HTTP_PROFILE (1: the web workers run under
bench/gunicorn_profile.py, which times each request's CPU and cProfiles the workers; the
figures are then not the targets' and not written to http.json), TEST_DATABASE_URL,
TEST_REDIS_URL.

Writes bench/results/http.json ({"name", "unit", "value", "target", "meets", "results":
[per flow and thread count], "machine"}) and prints a table; exits 1 when a target is
missed or a submission failed.
"""

from __future__ import annotations

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))

import asyncio  # noqa: E402
import contextlib  # noqa: E402
import http.client  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import platform  # noqa: E402
import re  # noqa: E402
import signal  # noqa: E402
import threading  # noqa: E402
import time  # noqa: E402
import uuid  # noqa: E402
from collections import Counter, defaultdict  # noqa: E402
from urllib.parse import urlencode  # noqa: E402

from bench import load  # noqa: E402
from bench.load import CSRF, RECEIPT, Run, load_average, percentile  # noqa: E402

RESULTS = ROOT / "bench" / "results"
SECONDS = float(os.environ.get("BENCH_HTTP_SECONDS") or 20)
THREADS = [int(x) for x in (os.environ.get("BENCH_HTTP_THREADS") or "1,4").split(",")]
FLOWS = [x.strip() for x in (os.environ.get("BENCH_HTTP_FLOWS") or "api,html").split(",")]
PROFILE = (os.environ.get("BENCH_HTTP_PROFILE") or "") not in ("", "0")
TIMEOUT = 30
FORM_ID = "bench-form"
PROCEDURE = "P-0001"  # in the demo catalogue (procedures/procedures.csv)
FIELDS = [f"f{i:02d}" for i in range(20)]
FORM = (
    f"id: {FORM_ID}\nversion: 1\nprocedure: {PROCEDURE}\n"
    "title: {ja: 計測用の申請, en: Benchmark form}\npages:\n"
    "  - id: about\n    title: 申請者\n    fields:\n"
    + "".join(f"      - {{id: {f}, type: text, label: 項目{f}, required: true}}\n" for f in FIELDS)
)
TARGETS = {"api": 6.0, "html": 30.0}  # web CPU ms per submission
REQUESTS_PER = {"api": 2, "html": 7}


def log(message: str) -> None:
    print(f"[http {time.strftime('%H:%M:%S')}] {message}", flush=True)


# --- the client ---------------------------------------------------------------------------


class Failed(Exception):
    pass


class Browser:
    """One resident: a connection (reopened when the server closes it) and its cookies."""

    def __init__(self, port: int, stats: Stats):
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=TIMEOUT)
        self.cookies: dict[str, str] = {}
        self.stats = stats

    def request(self, step, method, path, expect, body=None, headers=None):
        h = dict(headers or {})
        if self.cookies:
            h["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        start = time.perf_counter()
        try:
            self.conn.request(method, path, body, h)
            r = self.conn.getresponse()
            data = r.read()
        except (http.client.HTTPException, OSError) as exc:
            self.conn.close()
            self.stats.fail(f"{step} {type(exc).__name__}")
            raise Failed from exc
        self.stats.latencies[step].append((time.perf_counter() - start) * 1000)
        for cookie in r.headers.get_all("Set-Cookie") or ():
            name, _, rest = cookie.partition("=")
            value, _, attrs = rest.partition(";")
            attrs = attrs.lower()
            if "max-age=0" in attrs or "1970" in attrs:
                self.cookies.pop(name.strip(), None)
            else:
                self.cookies[name.strip()] = value.strip()
        if r.status != expect:
            self.stats.fail(f"{step} {r.status}")
            raise Failed
        return r, data

    def close(self) -> None:
        self.conn.close()


def csrf(html: bytes) -> str:
    m = CSRF.search(html.decode("utf-8"))
    if m is None:
        raise Failed("no CSRF token")
    return m.group(1)


def location(r) -> str:
    return re.sub(r"^https?://[^/]+", "", r.headers.get("Location", ""))


FORM_HEADERS = {"Content-Type": "application/x-www-form-urlencoded"}


def html_journey(b: Browser, n: int) -> None:
    answers = {f: f"回答{f}-{n}" for f in FIELDS}
    _, page = b.request("start_page", "GET", f"/apply/{FORM_ID}", 200)
    r, _ = b.request(
        "start",
        "POST",
        f"/apply/{FORM_ID}/start",
        302,
        urlencode({"csrf_token": csrf(page)}),
        FORM_HEADERS,
    )
    url = location(r)
    if not url.endswith("/about"):
        b.stats.fail("start: not to the question page")
        raise Failed
    _, page = b.request("page_get", "GET", url, 200)
    body = urlencode({"csrf_token": csrf(page), "action": "next", **answers})
    r, _ = b.request("page_post", "POST", url, 302, body, FORM_HEADERS)
    url = location(r)
    if not url.endswith("/check"):
        b.stats.fail("page_post: not to the check page")
        raise Failed
    _, page = b.request("check", "GET", url, 200)
    if answers["f19"] not in page.decode("utf-8"):
        b.stats.fail("check: without the answers")
        raise Failed
    body = urlencode({"csrf_token": csrf(page), "declaration": "y"})
    r, _ = b.request("submit", "POST", f"/apply/{FORM_ID}/submit", 302, body, FORM_HEADERS)
    url = location(r)
    m = re.fullmatch(rf"/apply/{FORM_ID}/done/([0-9A-Z-]+)", url)
    if m is None:
        b.stats.fail("submit: not to the done page")
        raise Failed
    _, page = b.request("done", "GET", url, 200)
    found = [x.strip() for x in RECEIPT.findall(page.decode("utf-8"))]
    if not found or found[0] != m.group(1):
        b.stats.fail("done: without the receipt number")
        raise Failed


def api_journey(b: Browser, n: int) -> None:
    _, body = b.request("api_form", "GET", f"/api/v1/forms/{FORM_ID}", 200)
    fields = [f["id"] for p in json.loads(body)["definition"]["pages"] for f in p["fields"]]
    payload = {"answers": {f: f"回答{f}-{n}" for f in fields}, "lang": "ja", "declaration": True}
    headers = {"Content-Type": "application/json", "Idempotency-Key": str(uuid.uuid4())}
    _, body = b.request(
        "api_submit",
        "POST",
        f"/api/v1/forms/{FORM_ID}/submissions",
        201,
        json.dumps(payload, ensure_ascii=False).encode(),
        headers,
    )
    if "receipt_no" not in json.loads(body):
        b.stats.fail("api_submit: no receipt number")
        raise Failed


class Stats:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.latencies: dict[str, list[float]] = defaultdict(list)
        self.journeys: list[float] = []
        self.failures: Counter = Counter()

    def fail(self, what: str) -> None:
        with self.lock:
            self.failures[what] += 1


def drive(port: int, flow: str, threads: int, seconds: float) -> tuple[Stats, float, float]:
    """`threads` residents one after another each, for `seconds` → (stats, elapsed, client
    CPU seconds of the threads)."""
    stats = Stats()
    journey = api_journey if flow == "api" else html_journey
    counter = iter(range(10**9))
    cpu: list[float] = []
    start = time.monotonic()
    deadline = start + seconds

    def work() -> None:
        c0 = time.thread_time()
        while time.monotonic() < deadline:
            b = Browser(port, stats)
            t = time.perf_counter()
            try:
                journey(b, next(counter))
            except Failed:
                time.sleep(0.05)
            else:
                stats.journeys.append((time.perf_counter() - t) * 1000)
            finally:
                b.close()
        cpu.append(time.thread_time() - c0)

    workers = [threading.Thread(target=work, daemon=True) for _ in range(threads)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    return stats, time.monotonic() - start, sum(cpu)


# --- what the servers did --------------------------------------------------------------------


def redis_pid() -> int | None:
    for comm in Path("/proc").glob("[0-9]*/comm"):
        with contextlib.suppress(OSError):
            if comm.read_text().strip() == "redis-server":
                return int(comm.parent.name)
    return None


def proc_cpu(pid: int | None) -> float | None:
    if pid is None:
        return None
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = text[text.rindex(")") + 2 :].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def redis_commands(run: Run) -> int | None:
    from redis import Redis

    with contextlib.suppress(Exception):
        conn = Redis.from_url(run.redis_url, socket_connect_timeout=3)
        stats = conn.info("commandstats")
        conn.close()
        return sum(v["calls"] for v in stats.values())
    return None


def scrape_statements(run: Run) -> dict[str, float]:
    """component → tetsuzuki_db_statements_total, summed over the processes."""
    import urllib.request

    from prometheus_client.parser import text_string_to_metric_families

    with urllib.request.urlopen(run.base + "/metrics", timeout=10) as r:
        text = r.read().decode()
    out: dict[str, float] = defaultdict(float)
    for family in text_string_to_metric_families(text):
        if family.name == "tetsuzuki_db_statements":
            for s in family.samples:
                if s.name.endswith("_total"):
                    out[s.labels.get("component", "")] += s.value
    return dict(out)


def outbox_jobs(run: Run) -> Counter:
    import psycopg

    with psycopg.connect(run.libpq(run.db_name)) as conn:
        return Counter(dict(conn.execute("SELECT kind, count(*) FROM outbox_jobs GROUP BY kind")))


def drain(run: Run) -> tuple[float, bool]:
    seconds, drained, _ = asyncio.run(load.drain(run.libpq(run.db_name), 300))
    return seconds, drained


class Probe:
    """Everything read before and after a window."""

    def __init__(self, run: Run, redis: int | None, scrape_cost: dict[str, float]):
        self.run, self.redis, self.scrape_cost = run, redis, scrape_cost

    def read(self) -> dict:
        cpu = self.run.cpu()  # web, rq, postgres (the run's backends), load_client
        cpu["redis"] = proc_cpu(self.redis)
        commands = redis_commands(self.run)  # before the scrape, which asks Redis too
        return {
            "cpu": cpu,
            "redis_commands": commands,
            "statements": scrape_statements(self.run),
            "jobs": outbox_jobs(self.run),
        }

    def statements(self, before: dict, after: dict, component: str) -> float:
        """Sent between two scrapes, less the first scrape's own (it counts in the next)."""
        grew = after["statements"].get(component, 0) - before["statements"].get(component, 0)
        return grew - self.scrape_cost.get(component, 0)


def ms_per(seconds: float | None, n: int) -> float | None:
    return None if seconds is None or not n else round(seconds * 1000 / n, 2)


def measure(run: Run, probe: Probe, flow: str, threads: int) -> dict:
    # warm: every worker has parsed the form, opened its connections (not measured)
    drive(run.port, flow, max(threads, 4), 1.5)
    drain(run)
    before = probe.read()
    stats, elapsed, client_cpu = drive(run.port, flow, threads, SECONDS)
    window = probe.read()
    drain_seconds, drained = drain(run)
    after = probe.read()
    n = len(stats.journeys)
    cpu0, cpu1, cpu2 = before["cpu"], window["cpu"], after["cpu"]

    def part(name: str, end: dict) -> float | None:
        if cpu0.get(name) is None or end.get(name) is None:
            return None
        return end[name] - cpu0[name]

    web_ms = ms_per(part("web", cpu1), n)
    jobs = after["jobs"] - before["jobs"]
    redis_calls = (
        None
        if window["redis_commands"] is None or before["redis_commands"] is None
        else window["redis_commands"] - before["redis_commands"] - 1  # the INFO itself
    )
    steps = {
        step: {"requests": len(v), "p50_ms": percentile(v, 50), "p95_ms": percentile(v, 95)}
        for step, v in stats.latencies.items()
    }
    all_ms = [ms for v in stats.latencies.values() for ms in v]
    return {
        "name": f"{flow}_{threads}_thread{'s' if threads > 1 else ''}",
        "flow": flow,
        "threads": threads,
        "unit": "web CPU ms per submission",
        "value": web_ms,
        "target": f"<= {TARGETS[flow]}",
        "meets": web_ms is not None and web_ms <= TARGETS[flow] and not stats.failures,
        "seconds": round(elapsed, 1),
        "submissions": n,
        "submissions_per_second": round(n / elapsed, 1) if elapsed else None,
        "requests": len(all_ms),
        "requests_per_submission": REQUESTS_PER[flow],
        "failures": dict(stats.failures),
        "request_p50_ms": percentile(all_ms, 50),
        "request_p95_ms": percentile(all_ms, 95),
        "submission_p50_ms": percentile(stats.journeys, 50),
        "submission_p95_ms": percentile(stats.journeys, 95),
        "steps": steps,
        "cpu_ms_per_submission": {
            "web": web_ms,
            "web_per_request": ms_per(part("web", cpu1), n * REQUESTS_PER[flow]),
            "postgres": ms_per(part("postgres", cpu1), n),
            "redis": ms_per(part("redis", cpu1), n),
            "rq_worker_in_window": ms_per(part("rq", cpu1), n),
            "rq_worker_until_drained": ms_per(part("rq", cpu2), n),
            "client": ms_per(client_cpu, n),
        },
        "statements_per_submission": {
            "web": round(probe.statements(before, window, "web") / n, 2) if n else None,
            "worker": round(probe.statements(before, after, "worker") / n, 2) if n else None,
        },
        "jobs_per_submission": {k: round(v / n, 2) for k, v in sorted(jobs.items())} if n else {},
        "redis_commands_per_submission": (
            round(redis_calls / n, 1) if n and redis_calls is not None else None
        ),
        "drain_seconds": round(drain_seconds, 1),
        "drained": drained,
    }


def calibrate(run: Run) -> dict[str, float]:
    """The statements one scrape of /metrics adds (seen by the next scrape)."""
    scrape_statements(run)
    first = scrape_statements(run)
    second = scrape_statements(run)
    return {k: second.get(k, 0) - first.get(k, 0) for k in set(first) | set(second)}


# --- report ---------------------------------------------------------------------------------


def machine(run: Run, before: list[float], after: list[float]) -> dict:
    return {
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
        "system": platform.platform(),
        "load_average_before": before,
        "load_average_after": after,
        **load.versions(run),
    }


def print_table(out: dict) -> None:
    print()
    print(
        f"http: {out['server']['gunicorn']}; 1 RQ worker; {SECONDS:.0f} s a window; "
        f"load average {out['machine']['load_average_before'][0]} before, "
        f"{out['machine']['load_average_after'][0]} after (others may share the machine)"
    )
    head = (
        f"{'flow':<5} {'thr':>3} {'subm/s':>7} {'req p50':>8} {'req p95':>8} {'sub p50':>8} "
        f"{'sub p95':>8} │ {'web':>6} {'web/req':>7} {'pg':>5} {'redis':>5} {'rq':>6} "
        f"{'client':>6} │ {'stmts':>5} {'wk st':>5} {'jobs':>4} {'redis':>5} │ target  meets"
    )
    print(head)
    print(" " * 51 + "CPU ms per submission" + " " * 24 + "per submission")
    for r in out["results"]:
        c = r["cpu_ms_per_submission"]
        s = r["statements_per_submission"]
        jobs = sum(r["jobs_per_submission"].values())
        print(
            f"{r['flow']:<5} {r['threads']:>3} {r['submissions_per_second']!s:>7} "
            f"{r['request_p50_ms']!s:>8} {r['request_p95_ms']!s:>8} "
            f"{r['submission_p50_ms']!s:>8} {r['submission_p95_ms']!s:>8} │ "
            f"{c['web']!s:>6} {c['web_per_request']!s:>7} {c['postgres']!s:>5} "
            f"{c['redis']!s:>5} {c['rq_worker_until_drained']!s:>6} {c['client']!s:>6} │ "
            f"{s['web']!s:>5} {s['worker']!s:>5} {jobs:>4.1f} "
            f"{r['redis_commands_per_submission']!s:>5} │ {r['target']:<7} "
            f"{'yes' if r['meets'] else 'NO'}"
            + (f"  failures {r['failures']}" if r["failures"] else "")
        )
    print(
        "web: gunicorn master + workers; pg: the run's backends; redis: the whole server "
        "(shared); rq: the worker until every job was done (receipt PDF, mails); stmts: SQL "
        "statements of the web processes, wk st: of the worker; jobs: outbox jobs; redis: "
        "commands (server-wide)"
    )
    for r in out["results"]:
        steps = ", ".join(f"{k} {v['p50_ms']}/{v['p95_ms']}" for k, v in r["steps"].items())
        print(f"{r['name']}: p50/p95 ms by step: {steps}")


def _terminate(signum, _frame):
    raise KeyboardInterrupt(f"signal {signum}")


def main() -> int:
    signal.signal(signal.SIGTERM, _terminate)
    conf = "bench/gunicorn_profile.py" if PROFILE else "python:app.gunicorn_conf"
    run = Run(web_workers=2, worker_class="sync", rq_workers=1, gunicorn_conf=conf, forms=(FORM,))
    metrics_dir = run.tmp / "metrics"
    metrics_dir.mkdir()
    run.extra_env.update(PROMETHEUS_MULTIPROC_DIR=str(metrics_dir), LOG_FORMAT="json")
    if PROFILE:
        (run.tmp / "profile").mkdir()
        run.extra_env["BENCH_PROFILE_DIR"] = str(run.tmp / "profile")
    out = None
    try:
        log(f"setting up: database {run.db_name}, Redis prefix {run.prefix}")
        run.setup()
        cmd = " ".join(run.gunicorn_cmd()[2:-1]).replace(str(run.tmp), "<tmp>")
        log(f"ready: gunicorn {cmd}; 1 RQ worker")
        probe = Probe(run, redis_pid(), calibrate(run))
        load_before = load_average()
        results = []
        for flow in FLOWS:
            for threads in THREADS:
                log(f"{flow} with {threads} thread(s) for {SECONDS:.0f} s")
                r = measure(run, probe, flow, threads)
                log(
                    f"  {r['submissions']} submissions, web {r['value']} ms each, "
                    f"failures {r['failures'] or 0}"
                )
                results.append(r)
        load_after = load_average()
        errors = run.server_errors()
        if PROFILE:
            in_process(run)
            profile_report(run)
        out = {
            "name": "http",
            "unit": "web CPU ms per submission (api, html journey)",
            "value": {r["name"]: r["value"] for r in results},
            "target": {flow: f"<= {t}" for flow, t in TARGETS.items()},
            "meets": all(r["meets"] for r in results) and not errors,
            "seconds": SECONDS,
            "results": results,
            "server_log_errors": errors[:20],
            "server": {
                "gunicorn": f"gunicorn {cmd}",
                "rq_workers": 1,
                "rate_limits": f"config.RATE_LIMITS = {load.RATE_LIMIT} (one client address)",
                "prometheus_multiproc_dir": True,
                "job_periodic": False,
            },
            "machine": machine(run, load_before, load_after),
        }
    except KeyboardInterrupt:
        log("interrupted: stopping everything")
        return 130
    except Exception as exc:  # noqa: BLE001 - report, clean up, fail
        log(f"failed: {type(exc).__name__}: {exc}")
        run.print_tails()
        out = {
            "name": "http",
            "meets": False,
            "error": f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}",
            "machine": {"python": platform.python_version(), "cpus": os.cpu_count()},
        }
    finally:
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # let the clean-up finish
        log("cleaning up")
        run.close()
        signal.signal(signal.SIGINT, signal.default_int_handler)
    if PROFILE:
        return 0 if out.get("results") else 1
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "http.json").write_text(json.dumps(out, indent=2, ensure_ascii=False) + "\n")
    if "results" in out:
        print_table(out)
    for line in out.get("server_log_errors", [])[:10]:
        print(f"server log: {line}")
    print(f"meets: {'yes' if out['meets'] else 'NO'}; results in bench/results/http.json")
    return 0 if out["meets"] else 1


class InProcess:
    """A resident through Flask's test client (bench/run.py's way), timing CPU."""

    def __init__(self, client, stats: Stats):
        self.client, self.stats = client, stats

    def request(self, step, method, path, expect, body=None, headers=None):
        headers = dict(headers or {})
        kw = {"content_type": headers.pop("Content-Type")} if "Content-Type" in headers else {}
        start = time.process_time()
        r = self.client.open(path, method=method, data=body, headers=headers, **kw)
        data = r.get_data()
        self.stats.latencies[step].append((time.process_time() - start) * 1000)
        if r.status_code != expect:
            self.stats.fail(f"{step} {r.status_code}")
            raise Failed
        return r, data

    def close(self) -> None:
        pass


def in_process(run: Run, journeys: int = 40) -> None:
    """The same journeys in this process against an app with the servers' settings, in
    variants each leaving out one suspect: CPU ms per submission (process_time)."""
    from unittest import mock

    from app import create_app
    from app.extensions import db, limiter
    from app.jobs import outbox
    from config import RATE_LIMITS, Config

    settings = dict(
        SQLALCHEMY_DATABASE_URI=run.admin.set(database=run.db_name).render_as_string(
            hide_password=False
        ),
        REDIS_URL=run.redis_url,
        REDIS_KEY_PREFIX=run.prefix,
        SECRET_KEY="in-process",
        JOB_PERIODIC=False,
        JOB_INLINE_SWEEP=False,
        **{name: load.RATE_LIMIT for name in RATE_LIMITS},
    )
    # the jobs stay pending (the sweep would enqueue them); store.py imports `dispatch`
    no_dispatch = mock.patch.object(outbox, "_enqueue", lambda ids: 0)
    no_limits = mock.patch.object(limiter, "_check_request_limit", lambda *a, **k: None)
    variants = [
        ("as served (Redis queue, limiter, pre-ping)", {}, None),
        ("without the rate limiter's check", {}, no_limits),
        ("without pool pre-ping", {"SQLALCHEMY_ENGINE_OPTIONS": {"hide_parameters": True}}, None),
        ("without dispatching the jobs (no enqueue)", {}, no_dispatch),
    ]
    print("in-process (Flask's test client, this process), CPU ms per submission:")
    for flow in FLOWS:
        journey = api_journey if flow == "api" else html_journey
        for what, extra, patch in variants:
            app = create_app(Config, instance_path=str(run.instance), **{**settings, **extra})
            stats = Stats()
            with patch or contextlib.nullcontext():
                for n in range(journeys + 5):
                    if n == 5:  # warm: the form parsed, statements compiled
                        stats = Stats()
                    with contextlib.suppress(Failed):
                        journey(InProcess(app.test_client(), stats), n)
            per = sum(sum(v) for v in stats.latencies.values()) / journeys
            steps = ", ".join(f"{k} {sum(v) / len(v):.2f}" for k, v in stats.latencies.items() if v)
            print(f"  {flow:<5} {per:7.2f} ms  {what}; by request: {steps}")
            if stats.failures:
                print(f"        failures {dict(stats.failures)}")
            with app.app_context():
                db.session.remove()
                db.engine.dispose()


def profile_report(run: Run) -> None:
    """Stop gunicorn (its workers write their profiles) and print where their CPU went."""
    for name, proc in run.procs:
        if name == "gunicorn" and proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(timeout=30)
    from bench.gunicorn_profile import summary

    print(summary(run.tmp / "profile"))


if __name__ == "__main__":
    sys.exit(main())
