"""Inline jobs look after themselves: without Redis, the web process sweeps the outbox.

With RQ, every worker sweeps as part of its maintenance (worker.py). Without Redis
there is no worker, so a server killed just after a submission would leave its receipt
job `running` and its mails `pending` until someone ran `flask jobs sweep`. Instead the
web process sweeps at its start and every JOB_SWEEP_SECONDS, in a daemon thread inside
an app context of its own: `make run` recovers from a crash without a cron entry.

Not started by the tests (JOB_INLINE_SWEEP is off in TestConfig unless a test asks), by
command-line work (`flask db upgrade`, `flask forms load`, `flask jobs sweep`: only
`flask run` serves), or by the development reloader's watching parent — only by the
process that serves, so a reloaded server sweeps once, not twice.
"""

from __future__ import annotations

import logging
import threading

import click
from flask import Flask
from flask.helpers import get_debug_flag
from werkzeug.serving import is_running_from_reloader

from . import outbox, queue

log = logging.getLogger(__name__)

EXTENSION = "tetsuzuki.inline_sweeper"


class InlineSweeper:
    """`outbox.sweep()` now and then every `every` seconds until stopped."""

    def __init__(self, app: Flask, every: float):
        self.app = app
        self.every = every
        self.rounds = 0  # sweeps tried so far
        self._stopped = threading.Event()
        self.thread = threading.Thread(target=self._run, name="inline-sweep", daemon=True)

    def start(self) -> InlineSweeper:
        self.thread.start()
        return self

    def stop(self, timeout: float | None = 10) -> None:
        self._stopped.set()
        self.thread.join(timeout)

    def _run(self) -> None:
        while not self._stopped.is_set():
            self.sweep_once()
            self._stopped.wait(self.every)

    def sweep_once(self) -> None:
        try:
            with self.app.app_context():
                report = outbox.sweep()
            if report.abandoned or report.handed_out or report.scheduled:
                log.info("inline outbox sweep: %s", report)
        except Exception:  # noqa: BLE001 - the next round tries again; serving goes on
            log.exception("inline outbox sweep failed")
        finally:
            self.rounds += 1


def init_app(app: Flask) -> InlineSweeper | None:
    """Start the sweeper when jobs run inline in a process that serves requests."""
    with app.app_context():
        inline = queue.mode() == "inline"
    if not (inline and app.config.get("JOB_INLINE_SWEEP") and serving()):
        return None
    sweeper = InlineSweeper(app, app.config["JOB_SWEEP_SECONDS"]).start()
    app.extensions[EXTENSION] = sweeper
    return sweeper


def serving() -> bool:
    """Whether this process will answer requests: a WSGI server imported the app (no
    command line around it), or `flask run` in the process that serves — not the
    reloader's parent, which only watches files and restarts the one that serves."""
    ctx = click.get_current_context(silent=True)
    if ctx is None:
        return True
    if ctx.info_name != "run":
        return False
    reload = ctx.params.get("reload")
    if reload is None:
        reload = get_debug_flag()  # `flask run` reloads when debugging unless told otherwise
    return not reload or is_running_from_reloader()
