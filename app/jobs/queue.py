"""Queue wiring: RQ on Redis when REDIS_URL is set, inline (in this process) otherwise."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from flask import current_app
from redis import Redis
from redis.backoff import NoBackoff
from redis.exceptions import RedisError
from redis.retry import Retry
from rq import Queue, Worker


def mode() -> str:
    """`rq` or `inline`: the only place that decides."""
    return "rq" if current_app.config.get("REDIS_URL") else "inline"


def connection(url: str | None = None, *, timeout: float = 10):
    """A Redis client that fails fast: a request never waits on a Redis that is down;
    `timeout` bounds each answer (a worker's blocking reads need the longer default)."""

    return Redis.from_url(
        url or current_app.config["REDIS_URL"],
        socket_connect_timeout=2,
        socket_timeout=timeout,
        retry=Retry(NoBackoff(), 0),
    )


_shared: dict[str, Redis] = {}


def shared_connection() -> Redis:
    """The process's client for the quick calls of a web request (handing out jobs): its
    connection stays open for the next request instead of being opened and closed each
    time (redis-py starts a fresh pool in a forked child). Fails fast like `connection`."""
    url = current_app.config["REDIS_URL"]
    client = _shared.get(url)
    if client is None:
        client = _shared[url] = connection(url, timeout=2)
    return client


def queue_name() -> str:
    cfg = current_app.config
    return f"{cfg.get('REDIS_KEY_PREFIX') or ''}{cfg['JOB_QUEUE']}"


def job_id_prefix() -> str:
    """RQ job ids allow letters, digits, `_` and `-`: the key prefix, made to fit."""
    return re.sub(r"[^A-Za-z0-9_-]", "_", current_app.config.get("REDIS_KEY_PREFIX") or "")


def get_queue(conn=None):
    return Queue(
        queue_name(),
        connection=conn or connection(),
        default_timeout=current_app.config["JOB_TIMEOUT_SECONDS"],
    )


def workers_heard_within(window) -> int | None:
    """How many workers of this queue sent a heartbeat within `window` (a timedelta);
    None when Redis does not answer."""
    conn = shared_connection()
    try:
        workers = Worker.all(queue=get_queue(conn))
    except (RedisError, OSError):
        return None
    since = datetime.now(UTC) - window
    return sum(1 for w in workers if w.last_heartbeat is not None and w.last_heartbeat >= since)


def depth() -> int | None:
    """How many jobs wait in this queue; None when Redis does not answer."""
    conn = connection(timeout=2)
    try:
        return get_queue(conn).count
    except (RedisError, OSError):
        return None
    finally:
        conn.close()
