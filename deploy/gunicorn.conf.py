"""gunicorn settings for Tetsuzuki (docs/operations.md): `gunicorn -c deploy/gunicorn.conf.py
'app:create_app()'`. Every value may be overridden on the command line or with
GUNICORN_CMD_ARGS."""

import os

from prometheus_client import multiprocess

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("GUNICORN_WORKERS", "4"))
# each worker builds the app itself (no preload: the app starts threads, which a fork
# would not carry). A configuration the start-up checks refuse exits a worker with status
# 3, gunicorn's "worker failed to boot", and the master stops (app/startup.py)
timeout = 60
graceful_timeout = 30
# one JSON line per request (app/logs.py formats gunicorn's loggers as the app's own)
accesslog = "-"
errorlog = "-"
access_log_format = '%(h)s "%(r)s" %(s)s %(b)s %(M)sms'


def child_exit(server, worker):
    """A worker that exits leaves its counts (still summed) but not its live gauges."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        multiprocess.mark_process_dead(worker.pid)
