"""Start-up checks: a deployment outside development (ENVIRONMENT=production) refuses to
start with a configuration that would fail later — on the first request, the first PDF,
the first upload — and says what to fix, in Japanese and English.

`create_app` runs them when it builds the app to serve (a WSGI server such as gunicorn,
or `flask run`: jobs/sweeper.py's `serving`), `flask worker` before it takes a job, and
`flask config check` on demand (in any environment).
Other commands (`flask db upgrade`, `flask forms check`, …) are not stopped: they are how
an operator puts things right. Exit status 3: gunicorn's "worker failed to boot", which
stops its master instead of restarting workers forever (the systemd units do not restart
on it either)."""

from __future__ import annotations

import secrets
import sys
from functools import cache
from pathlib import Path

from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask import Flask

from app import settings
from app.documents import signing
from app.documents.fonts import japanese_fonts
from app.documents.storage import document_dir
from app.extensions import db
from app.metrics import allowed_networks

EXIT_STATUS = 3
MIN_SECRET_KEY_LENGTH = 32


@cache
def schema_head() -> str | None:
    """The newest migration of this code (the migrations folder does not change at run time:
    read once per process, not at every health check)."""
    return _head_of(str(settings.migrations_dir()))


@cache
def _head_of(folder: str) -> str | None:
    return ScriptDirectory(folder).get_current_head()


def production(app: Flask) -> bool:
    return app.config.get("ENVIRONMENT") == "production"


def problems(app: Flask) -> list[str]:
    """Everything wrong with this configuration, one line each (empty: fit to serve)."""
    found: list[str] = []
    cfg = app.config
    if cfg.get("SECRET_KEY_GENERATED") or len(cfg.get("SECRET_KEY") or "") < MIN_SECRET_KEY_LENGTH:
        found.append(
            f"SECRET_KEY を {MIN_SECRET_KEY_LENGTH} 文字以上で設定してください（すべてのプロセスで同じ値） / "
            f"set SECRET_KEY to at least {MIN_SECRET_KEY_LENGTH} characters, the same for every"
            ' process: python3 -c "import secrets; print(secrets.token_hex(32))"'
        )
    if not (cfg.get("BASE_URL") or "").startswith("https://"):
        found.append(
            "BASE_URL を https:// で始まる公開URLにしてください / set BASE_URL to the public"
            f" https:// address (now {cfg.get('BASE_URL')!r})"
        )
    try:
        allowed_networks(cfg.get("METRICS_ALLOWED_NETWORKS") or "")
    except ValueError as exc:
        found.append(
            "METRICS_ALLOWED_NETWORKS の書き方が正しくありません / METRICS_ALLOWED_NETWORKS is"
            f" not a comma-separated list of networks: {exc}"
        )
    found += _database(app)
    found += _signing_key(cfg)
    if not japanese_fonts():
        found.append(
            "日本語フォントがありません（fonts-ipaexfont または fonts-noto-cjk） / no Japanese"
            " font: install fonts-ipaexfont or fonts-noto-cjk"
        )
    with app.app_context():
        folders = {"UPLOAD_DIR": Path(cfg["UPLOAD_DIR"]), "DOCUMENT_DIR": document_dir()}
    for name, folder in folders.items():
        why = _unwritable(folder)
        if why:
            found.append(
                f"{name}（{folder}）に書き込めません / {name} ({folder}) is not writable: {why}"
            )
    return found


def _database(app: Flask) -> list[str]:
    try:
        with app.app_context(), db.engine.connect() as conn:
            revision = MigrationContext.configure(conn).get_current_revision()
    except Exception as exc:  # noqa: BLE001 - whatever the driver says, it cannot serve
        first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        return [f"データベースに接続できません / the database does not answer: {first[:200]}"]
    finally:
        # the check's connection is not handed to processes forked later (gunicorn --preload)
        with app.app_context():
            db.engine.dispose()
    head = schema_head()
    if revision != head:
        return [
            "データベースが最新の版ではありません。`flask --app app db upgrade` を実行してください /"
            f" the database is at migration {revision} and this code needs {head}: run"
            " `flask --app app db upgrade`"
        ]
    return []


def _signing_key(cfg) -> list[str]:
    """Result documents (電子交付) are signed with the prefecture's key, never with the
    self-signed development key `flask results dev-key` makes."""
    path = cfg.get("RESULT_SIGNING_P12")
    if not path:
        return [
            "RESULT_SIGNING_P12 に結果通知書へ署名する鍵（PKCS#12）を設定してください / set"
            " RESULT_SIGNING_P12 to the PKCS#12 key that signs result documents"
            " (docs/operations.md, Signing result documents)"
        ]
    try:
        signer = signing.load_signer(path, cfg.get("RESULT_SIGNING_PASSWORD") or "")
    except (signing.SigningKeyError, ValueError, OSError) as exc:
        return [
            "RESULT_SIGNING_P12 の鍵を読めません（ファイルかパスワードを確かめてください） /"
            f" the key in RESULT_SIGNING_P12 cannot be read (check the file and"
            f" RESULT_SIGNING_PASSWORD): {str(exc)[:200]}"
        ]
    if signing.is_development(signing.certificate_of(signer)):
        return [
            "RESULT_SIGNING_P12 が開発用の鍵です。本番では県の証明書の鍵を使ってください /"
            " RESULT_SIGNING_P12 is the development key: use the prefecture's certificate"
        ]
    return []


def _unwritable(folder: Path) -> str | None:
    try:
        folder.mkdir(parents=True, exist_ok=True)
        probe = folder / f".write-test-{secrets.token_hex(4)}"
        probe.write_bytes(b"")
        probe.unlink()
    except OSError as exc:
        return exc.strerror or type(exc).__name__
    return None


def enforce(app: Flask) -> None:
    """Outside development: print the problems and exit (status 3) when there are any."""
    if not production(app):
        return
    found = problems(app)
    if not found:
        return
    print(
        "設定に問題があるため起動しません / refusing to start, the configuration has problems:",
        file=sys.stderr,
    )
    for line in found:
        print(f"  - {line}", file=sys.stderr)
    sys.stderr.flush()
    sys.exit(EXIT_STATUS)
