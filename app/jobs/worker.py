"""The RQ worker: built in its entry point (`flask worker`) around an app made there.

It runs jobs in its own process (rq's SimpleWorker), so the fonts and the stylesheet
loaded once serve every PDF, and it sweeps the outbox as part of its maintenance:
pending and due jobs, abandoned ones and ones lost from Redis are handed out again.
"""

from __future__ import annotations

import logging

from flask import Flask
from rq import SimpleWorker

from app.documents import pdf

from . import outbox, queue

log = logging.getLogger(__name__)


class Worker(SimpleWorker):
    """rq's SimpleWorker, plus the outbox sweep every `sweep_seconds`."""

    sweep_seconds = 60
    flask_app: Flask | None = None

    def __init__(self, *args, flask_app: Flask | None = None, sweep_seconds: int = 60, **kwargs):
        # set before rq's __init__, which asks for dequeue_timeout
        self.flask_app = flask_app
        self.sweep_seconds = sweep_seconds
        kwargs.setdefault("maintenance_interval", sweep_seconds)
        super().__init__(*args, **kwargs)

    @property
    def dequeue_timeout(self) -> int:
        # wake up at least once per sweep interval, even with an empty queue
        return max(1, min(self.worker_ttl - 15, self.sweep_seconds))

    def run_maintenance_tasks(self):
        super().run_maintenance_tasks()
        if self.flask_app is None:
            return
        try:
            with self.flask_app.app_context():
                report = outbox.sweep()
            if report.abandoned or report.lost or report.handed_out or report.scheduled:
                self.log.info("Worker %s: outbox sweep: %s", self.name, report)
        except Exception:  # noqa: BLE001 - a failed sweep must not stop the worker
            log.exception("outbox sweep failed")


def make_worker(app: Flask, *, name: str | None = None) -> Worker:
    """A worker on the app's queue (call inside an app context)."""
    conn = queue.connection()
    return Worker(
        [queue.get_queue(conn)],
        connection=conn,
        name=name,
        flask_app=app,
        sweep_seconds=app.config["JOB_SWEEP_SECONDS"],
    )


def run_worker(
    app: Flask, *, burst: bool = False, name: str | None = None, logging_level: str = "INFO"
) -> bool:
    """Work until stopped (or, with `burst`, until the queue is empty). → whether any job ran."""
    with app.app_context():
        try:
            pdf.warm_up()  # fonts once, before the first receipt
        except Exception as exc:  # noqa: BLE001 - jobs will report it; the worker still carries mail
            log.warning("PDF rendering is not ready: %s", exc)
        worker = make_worker(app, name=name)
        return worker.work(burst=burst, logging_level=logging_level)
