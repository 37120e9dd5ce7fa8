"""deploy/: the systemd units pass `systemd-analyze verify` (with the virtual environment's
commands where the units expect them), their commands are this app's commands, and the
nginx example carries what docs/operations.md says it does."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from config import Config

ROOT = Path(__file__).resolve().parent.parent
DEPLOY = ROOT / "deploy"
VENV = "/opt/tetsuzuki/venv"
UNITS = ("tetsuzuki-web.service", "tetsuzuki-worker@.service", "tetsuzuki-sweep.service",
         "tetsuzuki-sweep.timer")  # fmt: skip


def _exec_starts() -> list[str]:
    return [
        line.split("=", 1)[1]
        for unit in UNITS
        for line in (DEPLOY / unit).read_text().splitlines()
        if line.startswith("ExecStart=")
    ]


def test_the_units_pass_systemd_analyze_verify(tmp_path):
    analyze = shutil.which("systemd-analyze")
    if analyze is None:
        pytest.fail("systemd-analyze is missing: install systemd (Debian: apt-get install systemd)")
    bin_dir = tmp_path / "venv" / "bin"
    bin_dir.mkdir(parents=True)
    for name in ("gunicorn", "tetsuzuki"):  # what the wheel's virtual environment holds
        (bin_dir / name).write_text("#!/bin/sh\n")
        (bin_dir / name).chmod(0o755)
    units = tmp_path / "units"
    units.mkdir()
    for unit in UNITS:
        text = (DEPLOY / unit).read_text().replace(VENV, str(tmp_path / "venv"))
        (units / unit.replace("@.", "@1.")).write_text(text)
    done = subprocess.run(
        [analyze, "verify", "--man=no", *sorted(str(p) for p in units.iterdir())],
        capture_output=True, text=True, timeout=120, cwd=units,
    )  # fmt: skip
    problems = [
        line
        for line in (done.stdout + done.stderr).splitlines()
        # a container without a running systemd cannot load the host's other units
        if line.strip()
        and "Failed to" not in line
        and "Unit not found" not in line
        and "/run/systemd" not in line
    ]
    assert done.returncode == 0 or not problems, done.stdout + done.stderr
    assert problems == [], problems


def test_the_units_run_this_apps_commands(app):
    starts = _exec_starts()
    assert f"{VENV}/bin/gunicorn -c python:app.gunicorn_conf app:create_app()" in starts
    cli = app.cli
    for start in starts:
        if start.startswith(f"{VENV}/bin/tetsuzuki "):
            words = start.split()[1:]
            command = cli.commands[words[0]]
            if len(words) > 1 and not words[1].startswith("-"):
                assert words[1] in command.commands, start
    import app.gunicorn_conf as conf  # noqa: PLC0415 - the settings module gunicorn loads

    assert conf.bind and conf.accesslog == "-" and callable(conf.child_exit)


def test_a_refused_configuration_is_not_restarted_in_a_loop():
    for unit in ("tetsuzuki-web.service", "tetsuzuki-worker@.service"):
        assert "RestartPreventExitStatus=3" in (DEPLOY / unit).read_text()


def test_the_nginx_example():
    text = (DEPLOY / "nginx.conf").read_text()
    for directive in ("ssl_certificate ", "X-Forwarded-For", "X-Forwarded-Proto",
                      "X-Forwarded-Host", "location /static/", "return 301 https://"):  # fmt: skip
        assert directive in text, directive
    limit = re.search(r"client_max_body_size (\d+)m;", text)
    assert limit and int(limit.group(1)) * 1024 * 1024 >= Config.MAX_CONTENT_LENGTH
