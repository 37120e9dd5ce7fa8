"""gunicorn settings for `BENCH_HTTP_PROFILE=1 python bench/over_http.py`: the package's own
(app/gunicorn_conf.py) plus hooks that find where a web worker's CPU goes. Never deployed.

BENCH_PROFILE_MODE `timing` (the default): the CPU (time.process_time, this process only:
waiting for PostgreSQL or Redis is not counted) of each request from gunicorn's
pre_request to post_request, by route, and of the parts suspected of costing it — the
access log line, all logging, the session cookie, the rate limiter, the metrics hooks, the
pool's pre-ping, the SQL statements (driver side), RQ's enqueue, Jinja, JSON, CSRF — each
inclusive of what it calls; the statements by route; the worker's whole CPU beside them
(the rest is gunicorn's accept, parse and close). `cprofile`: each request after a
worker's first 30 runs under cProfile (slower; proportions only). Each worker writes
<pid>.json / <pid>.prof into BENCH_PROFILE_DIR when it exits; `summary()` adds them up.
"""

from __future__ import annotations

import cProfile
import json
import os
import pstats
import time
from collections import Counter, defaultdict
from pathlib import Path

from app.gunicorn_conf import *  # noqa: F403 - the package's settings, unchanged
from app.gunicorn_conf import child_exit  # noqa: F401 - a hook: named for gunicorn

OUT = os.environ.get("BENCH_PROFILE_DIR")
MODE = os.environ.get("BENCH_PROFILE_MODE") or "timing"

_cpu: dict[str, float] = defaultdict(float)
_calls: Counter = Counter()
_routes: dict[str, list[float]] = defaultdict(list)
_statements: Counter = Counter()
_sql: Counter = Counter()  # (route, the statement's first words) → count
_redis: Counter = Counter()  # (route, "commands" | "round trips" | "connections") → count
_state: dict = {}


def _timed(name: str, fn):
    def timed(*args, **kwargs):
        start = time.process_time()
        try:
            return fn(*args, **kwargs)
        finally:
            _cpu[name] += time.process_time() - start
            _calls[name] += 1

    timed.__wrapped__ = fn
    return timed


def _wrap_attr(obj, attr: str, name: str) -> None:
    setattr(obj, attr, _timed(name, getattr(obj, attr)))


def _wrap_hooks(funcs: dict, fn, name: str) -> None:
    for key, hooks in funcs.items():
        funcs[key] = [_timed(name, h) if h is fn else h for h in hooks]


def post_worker_init(worker) -> None:
    _state["start"] = time.process_time()
    if not OUT:
        return
    if MODE == "cprofile":
        # CPU, not waits; from pre_request to post_request, after the first requests (the
        # mappers configured, the statements compiled, the form parsed: once per process)
        _state["profile"] = cProfile.Profile(time.process_time)
        return
    import logging

    import flask.templating
    from flask import Flask
    from rq import Queue
    from sqlalchemy import event

    from app import logs, metrics
    from app.extensions import csrf, db, limiter

    _wrap_attr(worker.log, "access", "gunicorn access log (formats and writes the line)")
    _wrap_attr(logging.Logger, "handle", "logging: every record handled (incl. access log)")
    app = worker.wsgi
    while not isinstance(app, Flask):  # the app itself, under any middleware
        app = getattr(app, "app", None) or app.__self__
    si = app.session_interface
    _wrap_attr(si, "open_session", "session: open (cookie signature)")
    _wrap_attr(si, "save_session", "session: save (sign the cookie)")
    _wrap_hooks(app.before_request_funcs, metrics._started, "metrics: before_request")
    _wrap_hooks(app.after_request_funcs, metrics._answered, "metrics: after_request")
    _wrap_hooks(app.before_request_funcs, logs._take_request_id, "request id hooks")
    _wrap_attr(limiter, "_check_request_limit", "Flask-Limiter: check (Redis)")
    _wrap_attr(csrf, "protect", "CSRF: check a POST")
    _wrap_attr(Queue, "enqueue", "RQ: enqueue (one job)")
    _wrap_attr(flask.templating, "_render", "Jinja: render")
    _wrap_attr(app.json, "dumps", "JSON: dumps")
    _wrap_attr(app.json, "loads", "JSON: loads")
    with app.app_context():
        engine = db.engine
    _wrap_attr(engine.dialect, "do_ping", "SQLAlchemy pool pre-ping")

    def before(conn, cursor, statement, *args):
        conn.info["bench.t"] = time.process_time()
        route = _state.get("route", "?")
        _statements[route] += 1
        _sql[route, " ".join(statement.split()[:4])[:60]] += 1

    def after(conn, cursor, statement, *args):
        _cpu["SQL: cursor.execute (driver, once compiled)"] += time.process_time() - conn.info.pop(
            "bench.t", time.process_time()
        )
        _calls["SQL: cursor.execute (driver, once compiled)"] += 1

    event.listen(engine, "before_cursor_execute", before)
    event.listen(engine, "after_cursor_execute", after)
    from redis.connection import AbstractConnection, Connection

    for cls, attr, what in (
        (AbstractConnection, "send_command", "commands"),
        (AbstractConnection, "pack_commands", "commands"),  # a pipeline's
        (AbstractConnection, "send_packed_command", "round trips"),
        (Connection, "_connect", "connections opened (TCP)"),
    ):
        original = getattr(cls, attr)

        def counted(self, *args, _original=original, _what=what, _attr=attr, **kwargs):
            n = len(args[0]) if _attr == "pack_commands" else 1
            _redis[_state.get("route", "?"), _what] += n
            return _original(self, *args, **kwargs)

        setattr(cls, attr, counted)
    _wrap_attr(worker, "wsgi", "Flask app (the WSGI call, inside the request)")


WARM = 30  # requests of each worker not profiled


def pre_request(worker, req) -> None:
    _state["served"] = _state.get("served", 0) + 1
    if "profile" in _state and _state["served"] > WARM:
        _state["profile"].enable()
    _state["t"] = time.process_time()
    path = req.path
    parts = path.strip("/").split("/")
    if parts[:1] == ["apply"] and len(parts) >= 3:
        path = "/apply/<id>/" + ("done/<no>" if parts[2] == "done" else parts[2])
    elif parts[:1] == ["apply"]:
        path = "/apply/<id>"
    _state["route"] = f"{req.method} {path}"


def post_request(worker, req, environ, resp) -> None:
    _routes[_state.get("route", "?")].append(time.process_time() - _state.get("t", 0))
    if "profile" in _state:
        _state["profile"].disable()


def worker_exit(server, worker) -> None:
    if not OUT:
        return
    folder = Path(OUT)
    if "profile" in _state:
        _state["profile"].disable()
        _state["profile"].dump_stats(folder / f"{os.getpid()}.prof")
        return
    (folder / f"{os.getpid()}.json").write_text(
        json.dumps(
            {
                "process_cpu": time.process_time() - _state.get("start", 0),
                "routes": {k: [len(v), sum(v)] for k, v in _routes.items()},
                "statements": dict(_statements),
                "sql": [[r, st, n] for (r, st), n in _sql.items()],
                "redis": [[r, w, n] for (r, w), n in _redis.items()],
                "parts": {k: [_calls[k], v] for k, v in _cpu.items()},
            }
        )
    )


def summary(folder: Path) -> str:
    """The workers' files added up, as text."""
    lines = []
    profiles = sorted(folder.glob("*.prof"))
    if profiles:
        stats = pstats.Stats(*map(str, profiles))
        by_package: Counter = Counter()
        for (file, _line, name), (_cc, _nc, tottime, _ct, _callers) in stats.stats.items():
            if file == "~":  # C functions: by name
                by_package[name[:60]] += tottime
                continue
            key = file.split("site-packages/")[-1].split("/")[0] if "site-packages" in file else ""
            if not key:
                key = "app/" + file.split("/app/")[-1] if "/app/" in file else file[-40:]
            by_package[key] += tottime
        total = sum(by_package.values())
        lines.append(f"cProfile: {total:.2f} s in the workers, own time by package:")
        for key, t in by_package.most_common(25):
            lines.append(f"  {t:7.3f} s {t / total:6.1%}  {key}")
        import io

        out = io.StringIO()
        stats.stream = out
        stats.sort_stats("cumulative").print_stats(45)
        lines.append(out.getvalue())
        return "\n".join(lines)
    process = 0.0
    routes: dict[str, list[float]] = defaultdict(lambda: [0, 0.0])
    parts: dict[str, list[float]] = defaultdict(lambda: [0, 0.0])
    statements: Counter = Counter()
    sql: Counter = Counter()
    redis: Counter = Counter()
    for path in sorted(folder.glob("*.json")):
        data = json.loads(path.read_text())
        process += data["process_cpu"]
        for k, (n, s) in data["routes"].items():
            routes[k][0] += n
            routes[k][1] += s
        for k, (n, s) in data["parts"].items():
            parts[k][0] += n
            parts[k][1] += s
        statements.update(data["statements"])
        sql.update({(r, st): n for r, st, n in data.get("sql", [])})
        redis.update({(r, w): n for r, w, n in data.get("redis", [])})
    requests = sum(n for n, _s in routes.values())
    in_requests = sum(s for _n, s in routes.values())
    lines.append(
        f"web workers: {process:.2f} CPU s in all, {in_requests:.2f} s from pre_request to "
        f"post_request over {requests} requests ({in_requests * 1000 / max(requests, 1):.2f} ms "
        f"each); outside them (accept, parse, close, the loop): "
        f"{(process - in_requests) * 1000 / max(requests, 1):.2f} ms a request"
    )
    lines.append("by route: requests, CPU ms each, SQL statements each")
    for k, (n, s) in sorted(routes.items(), key=lambda kv: -kv[1][1]):
        lines.append(f"  {k:<40} {n:>6} {s * 1000 / n:7.2f} ms {statements[k] / n:5.2f}")
    lines.append("parts (inclusive; CPU ms per request over all requests, calls per request):")
    for k, (n, s) in sorted(parts.items(), key=lambda kv: -kv[1][1]):
        lines.append(
            f"  {s * 1000 / max(requests, 1):7.3f} ms  {n / max(requests, 1):5.2f}×  "
            f"{s * 1000 / max(n, 1):6.3f} ms/call  {k}"
        )
    lines.append("SQL statements per request, by route and statement:")
    for (r, st), n in sorted(sql.items()):
        lines.append(f"  {r:<40} {n / max(routes[r][0], 1):5.2f}  {st}")
    lines.append("Redis per request, by route:")
    for (r, w), n in sorted(redis.items()):
        lines.append(f"  {r:<40} {n / max(routes[r][0], 1):5.2f}  {w}")
    return "\n".join(lines)
