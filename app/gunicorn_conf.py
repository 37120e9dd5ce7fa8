"""gunicorn's settings for Tetsuzuki (docs/operations.md), installed with the package:
`gunicorn -c python:app.gunicorn_conf 'app:create_app()'`. Every value may be overridden
on the command line or with GUNICORN_CMD_ARGS."""

import os

from prometheus_client import multiprocess

from app import logs

logs.set_component("web")

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("GUNICORN_WORKERS", "4"))
# each worker builds the app itself (no preload: the app starts threads, which a fork
# would not carry). A configuration the start-up checks refuse exits a worker with status
# 3, gunicorn's "worker failed to boot", and the master stops (app/startup.py)
timeout = 60
graceful_timeout = 30
# gunicorn's own lines and one line per request, as JSON like the app's (app/logs.py),
# with the request's id; LOG_FORMAT=text for readable lines
accesslog = "-"
errorlog = "-"
access_log_format = '%(h)s "%(r)s" %(s)s %(b)s %(M)sms request_id=%({x-request-id}o)s'
_format = "json" if os.environ.get("LOG_FORMAT", "json") == "json" else "text"
logconfig_dict = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "json": {"()": "app.logs.JsonFormatter"},
        "text": {"format": "%(asctime)s %(levelname)s [%(component)s] %(name)s: %(message)s"},
    },
    "filters": {"context": {"()": "app.logs.ContextFilter"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": _format,
            "filters": ["context"],
            "stream": "ext://sys.stderr",
        }
    },
    "root": {"level": os.environ.get("LOG_LEVEL", "INFO"), "handlers": ["console"]},
    "loggers": {
        "gunicorn.error": {"level": "INFO", "handlers": [], "propagate": True},
        "gunicorn.access": {"level": "INFO", "handlers": [], "propagate": True},
        "alembic.runtime.plugins": {"level": "WARNING"},  # a line per plugin at import
    },
}


def child_exit(server, worker):
    """A worker that exits leaves its counts (still summed) but not its live gauges."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        multiprocess.mark_process_dead(worker.pid)
