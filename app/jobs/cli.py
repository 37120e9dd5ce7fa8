"""`flask worker`, `flask jobs sweep|list|retry`."""

from __future__ import annotations

import sys

import click
from flask import current_app
from flask.cli import with_appcontext

from . import outbox, queue, registry
from .worker import run_worker


@click.command("worker", help="RQ ワーカーを起動 / run an RQ worker (needs REDIS_URL)")
@click.option(
    "--burst", is_flag=True, help="キューが空になったら終了 / stop when the queue is empty"
)
@click.option("--name", default=None, help="worker name (default: random)")
@with_appcontext
def worker_command(burst: bool, name: str | None) -> None:
    if queue.mode() != "rq":
        click.echo(
            "REDIS_URL が未設定です。ジョブはウェブの処理の中で実行され、未処理のジョブもウェブの処理が定期的に再実行します"
            " / REDIS_URL is not set: jobs run inline, and the web process sweeps the outbox itself",
            err=True,
        )
        sys.exit(2)
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    for starting in registry.WORKER_START.values():  # logs, production checks (app/wiring.py)
        starting(app)
    run_worker(app, burst=burst, name=name)


@click.group("jobs", help="バックグラウンドジョブ / background jobs (outbox)")
def jobs_cli() -> None:
    pass


@jobs_cli.command(
    "sweep", help="未処理・中断・消失したジョブを再投入 / hand out pending, abandoned and lost jobs"
)
@click.option(
    "--no-periodic",
    is_flag=True,
    help="月次報告・保存期間の定期ジョブを作らない / skip periodic jobs",
)
@with_appcontext
def sweep_command(no_periodic: bool) -> None:
    report = outbox.sweep(periodic=False if no_periodic else None)
    click.echo(f"{queue.mode()}: {report}")


@jobs_cli.command("list", help="ジョブの一覧 / list jobs")
@click.option(
    "--state", type=click.Choice(["pending", "queued", "running", "done", "failed"]), default=None
)
@click.option("--limit", type=int, default=50, show_default=True)
@with_appcontext
def list_command(state: str | None, limit: int) -> None:
    counts = outbox.counts()
    click.echo(
        "  ".join(
            f"{k}={counts.get(k, 0)}" for k in ("pending", "queued", "running", "done", "failed")
        )
    )
    for job in outbox.jobs(state, limit):
        line = f"{job.id:>6}  {job.state:<8} {job.attempts:>2}x  {job.key}"
        if job.last_error and job.state != "done":
            line += f"  — {job.last_error.splitlines()[0][:120]}"
        click.echo(line)


@jobs_cli.command("retry", help="失敗したジョブを再実行 / retry a failed job")
@click.argument("job_id", type=int)
@with_appcontext
def retry_command(job_id: int) -> None:
    job = outbox.retry(job_id)
    if job is None:
        click.echo(
            f"ジョブ {job_id} は失敗状態ではありません / job {job_id} is not failed", err=True
        )
        sys.exit(1)
    click.echo(f"{job.id}: {job.state}")
