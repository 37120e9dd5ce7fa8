"""/healthz for operators and load balancers."""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify
from sqlalchemy import text

from app.extensions import db

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz():
    body = {"status": "ok", "database": "ok", "queue": "inline"}
    try:
        db.session.execute(text("SELECT 1"))
    except Exception:  # noqa: BLE001 - any failure means the database is not usable
        db.session.rollback()
        body["database"] = "down"
        body["status"] = "down"
    url = current_app.config.get("REDIS_URL")
    if url:
        from redis import Redis
        from redis.exceptions import RedisError

        try:
            Redis.from_url(url, socket_connect_timeout=1, socket_timeout=1).ping()
            body["queue"] = "ok"
        except (RedisError, OSError):
            body["queue"] = "down"
            body["status"] = "degraded" if body["status"] == "ok" else body["status"]
    return jsonify(body), (200 if body["database"] == "ok" else 503)
