"""Tetsuzuki (手続き): a prefecture's administrative procedures, online and measured."""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

from flask import Flask

from config import Config

try:
    __version__ = version("tetsuzuki")
except PackageNotFoundError:  # run from a checkout that was never installed
    __version__ = "0+unknown"


def create_app(config_class: type = Config, instance_path: str | None = None, **overrides) -> Flask:
    """Build the application: config, extensions, blueprints, CLI, job kinds — nothing else."""
    app = Flask(__name__, instance_path=instance_path, instance_relative_config=True)
    app.config.from_object(config_class)
    app.config.update(overrides)
    # imported when an app is built, not at `import app`: the features import `app.…`
    # modules themselves, so the package must be importable before they are loaded
    from .wiring import build

    build(app)
    return app
