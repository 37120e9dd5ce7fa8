"""The wheel, installed into a new virtual environment, runs from any folder: its
settings module, compiled translations, migrations and shipped forms are inside it."""

from __future__ import annotations

import os
import subprocess
import sys
import sysconfig
import venv
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _run(cmd, **kw) -> subprocess.CompletedProcess:
    return subprocess.run(cmd, capture_output=True, text=True, timeout=600, **kw)


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    done = _run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(out), str(ROOT)]
    )
    assert done.returncode == 0, done.stderr
    (built,) = out.glob("tetsuzuki-*.whl")
    return built


@pytest.fixture(scope="module")
def installed(wheel, tmp_path_factory) -> Path:
    """A new venv with the wheel in it; the dependencies come from this environment's
    site-packages (a .pth line), the project itself only from the wheel."""
    env_dir = tmp_path_factory.mktemp("venv")
    venv.create(env_dir, with_pip=False)
    bin_dir = env_dir / "bin"
    site = Path(
        _run(
            [
                str(bin_dir / "python"),
                "-c",
                "import sysconfig; print(sysconfig.get_paths()['purelib'])",
            ]
        ).stdout.strip()
    )
    (site / "_shared_deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    done = _run(
        [sys.executable, "-m", "pip", "--python", str(bin_dir / "python"), "install", "-q",
         "--no-deps", str(wheel)]
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    return bin_dir


def _env(tmp: Path) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("FLASK_", "PYTHON"))}
    env.update(
        DATABASE_URL=f"sqlite:///{tmp / 'app.db'}",
        SECRET_KEY="packaging-test",
        UPLOAD_DIR=str(tmp / "uploads"),
        DOCUMENT_DIR=str(tmp / "documents"),
    )
    env.pop("REDIS_URL", None)
    return env


PAGE = """
from app import create_app
app = create_app()
print("module", __import__("app").__file__)
with app.test_client() as c:
    ja = c.get("/").get_data(as_text=True)
    en = c.get("/?lang=en").get_data(as_text=True)
print("ja", "手続をさがす" in ja)
print("en", "Find a procedure" in en)
"""


def test_the_wheel_runs_from_another_folder(installed, tmp_path):
    env, cwd = _env(tmp_path), str(tmp_path)
    # `flask` is Flask's script, installed with Flask (here in the shared environment)
    flask, tetsuzuki = [str(installed / "python"), "-m", "flask"], str(installed / "tetsuzuki")

    version = _run([*flask, "--app", "app", "--version"], cwd=cwd, env=env)
    assert version.returncode == 0 and "Flask" in version.stdout
    ours = _run([tetsuzuki, "--version"], cwd=cwd, env=env)
    assert ours.returncode == 0, ours.stderr
    assert ours.stdout.startswith("Tetsuzuki ")

    # migrations and the shipped forms and catalogue come from the wheel
    upgrade = _run([*flask, "--app", "app", "db", "upgrade"], cwd=cwd, env=env)
    assert upgrade.returncode == 0, upgrade.stderr
    demo = _run([tetsuzuki, "demo"], cwd=cwd, env=env)
    assert demo.returncode == 0, demo.stderr + demo.stdout
    assert "shipped forms: 6" in demo.stdout

    page = _run([str(installed / "python"), "-c", PAGE], cwd=cwd, env=env)
    assert page.returncode == 0, page.stderr
    lines = dict(line.split(" ", 1) for line in page.stdout.splitlines())
    assert lines["module"].startswith(str(installed.parent))  # not this checkout
    assert lines["ja"] == "True"
    assert lines["en"] == "True"  # the compiled English catalogue is in the wheel
