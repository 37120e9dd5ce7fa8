"""Settings: defaults plus environment variables, read here and nowhere else."""

from __future__ import annotations

import os

_TRUE = {"1", "true", "yes", "on"}


def _env(name: str, default: str | None = None) -> str | None:
    value = os.environ.get(name)
    return value if value not in (None, "") else default


def _oidc_providers() -> dict[str, dict[str, str]]:
    """Resident and business sign-in (OpenID Connect, docs/identity.md): the providers named
    in OIDC_PROVIDERS (comma-separated), each from OIDC_<NAME>_ISSUER, _CLIENT_ID,
    _CLIENT_SECRET, _KIND (individual | business), _SCOPE, _CLAIMS (fact=claim, …),
    _LABEL_JA, _LABEL_EN. As given: app/identity/providers.py checks them.

    OIDC_DEV_ISSUER (development only): the local providers of `make devidp` (its base
    address; the issuers are <base>/mynumber and <base>/gbiz) with their published client
    secrets, marked 開発用 on every page."""
    found: dict[str, dict[str, str]] = {}
    dev = _env("OIDC_DEV_ISSUER")
    if dev:
        for name, kind in (("mynumber", "individual"), ("gbiz", "business")):
            found[name] = {
                "issuer": f"{dev.rstrip('/')}/{name}",
                "client_id": f"tetsuzuki-{name}",
                "client_secret": "devidp-secret-not-for-production",
                "kind": kind,
                "development": "true",
            }
    for name in (_env("OIDC_PROVIDERS", "") or "").split(","):
        name = name.strip().lower()
        if not name:
            continue
        found[name] = {
            key: value
            for key in (
                "issuer", "client_id", "client_secret", "kind", "scope", "claims",
                "label_ja", "label_en",
            )
            if (value := _env(f"OIDC_{name.upper()}_{key.upper()}")) is not None
        }  # fmt: skip
    return found


# every rate limit's setting (Flask-Limiter strings, per client address or account); bench/ raises them
# all for its runs, which come from one address
RATE_LIMITS = (
    "LOGIN_RATE_LIMIT",
    "LOGIN_ACCOUNT_RATE_LIMIT",
    "LOOKUP_RATE_LIMIT",
    "START_RATE_LIMIT",
    "UPLOAD_RATE_LIMIT",
    "RESUME_RATE_LIMIT",
    "API_SUBMIT_RATE_LIMIT",
    "TOTP_RATE_LIMIT",
)


class Config:
    # development (the default: `make run`, the demo) or production: in production the app
    # refuses to start with a configuration that would fail later (app/startup.py) and
    # `flask demo` refuses to run (its password is published)
    ENVIRONMENT = _env("TETSUZUKI_ENV", "development")
    # None → generated once into the instance folder (see app.settings)
    SECRET_KEY = _env("SECRET_KEY")
    # None → sqlite:///<instance>/app.db
    SQLALCHEMY_DATABASE_URI = _env("DATABASE_URL")
    # hide_parameters: a database error in a log never shows the values (answers) it carried
    SQLALCHEMY_ENGINE_OPTIONS: dict = {"pool_pre_ping": True, "hide_parameters": True}
    REDIS_URL = _env("REDIS_URL")
    REDIS_KEY_PREFIX = _env("REDIS_KEY_PREFIX", "tetsuzuki:")
    UPLOAD_DIR = _env("UPLOAD_DIR")
    # more search synonyms, one group a line, besides app/catalogue/synonyms.txt (None: none)
    SEARCH_SYNONYMS_FILE = _env("SEARCH_SYNONYMS_FILE")
    MAIL_URL = _env("MAIL_URL")
    BASE_URL = _env("BASE_URL", "http://127.0.0.1:5000")
    # reverse proxies in front of the app whose X-Forwarded-For/-Proto/-Host are trusted
    # (0: none). Behind one proxy set 1, or every resident shares one rate limit.
    PROXY_HOPS = int(_env("PROXY_HOPS", "0") or 0)
    KPI_BASIS = _env("KPI_BASIS", "latest")
    # The plan's baseline survey year: the dashboard shows basis fixed:<this> beside latest.
    KPI_BASELINE_YEAR = int(_env("KPI_BASELINE_YEAR", "2021") or 2021)
    # Targets of the plan: scope → last fiscal year by which it should reach 100 %.
    KPI_TARGETS = {"priority": 2024, "all": 2026}
    # Service performance pages show residents' answers (satisfaction, comments) only for a
    # form version with at least this many answers: fewer could point at a person.
    QUALITY_MIN_ANSWERS = int(_env("QUALITY_MIN_ANSWERS", "10") or 10)

    # staff sessions: signed cookie, HttpOnly, SameSite, Secure when served over https
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = (_env("BASE_URL", "") or "").startswith("https://")
    STAFF_IDLE_MINUTES = int(_env("STAFF_IDLE_MINUTES", "30") or 30)
    # how long an administrator's one-time password reset link works
    PASSWORD_RESET_HOURS = int(_env("PASSWORD_RESET_HOURS", "24") or 24)
    # roles that must sign in with a second factor (TOTP); the others may choose to.
    # Comma-separated; empty: none is required.
    STAFF_TWO_FACTOR_ROLES = _env("STAFF_TWO_FACTOR_ROLES", "admin,bureau")
    # the name an authenticator app shows beside the account
    TOTP_ISSUER = _env("TOTP_ISSUER", "三重県 行政手続（職員）")
    # sent with every answer served over https (as PROXY_HOPS' proxy reports the scheme)
    STRICT_TRANSPORT_SECURITY = _env(
        "STRICT_TRANSPORT_SECURITY", "max-age=31536000; includeSubDomains"
    )
    # rate limits (Flask-Limiter). Staff sign-in: per client address (generous: a whole
    # office may sign in from behind one NAT) and per account (the normalised e-mail)
    LOGIN_RATE_LIMIT = _env("LOGIN_RATE_LIMIT", "60 per minute")
    LOGIN_ACCOUNT_RATE_LIMIT = _env("LOGIN_ACCOUNT_RATE_LIMIT", "10 per minute;30 per hour")
    LOOKUP_RATE_LIMIT = _env("LOOKUP_RATE_LIMIT", "20 per minute;200 per hour")
    # the second sign-in step (authenticator or recovery code), per account
    TOTP_RATE_LIMIT = _env("TOTP_RATE_LIMIT", "5 per minute;20 per hour")
    # the resident's side, per client address: starting a form, posting a page that
    # carries files, resume-code look-ups, API submissions without an API token
    START_RATE_LIMIT = _env("START_RATE_LIMIT", "30 per minute;300 per hour")
    UPLOAD_RATE_LIMIT = _env("UPLOAD_RATE_LIMIT", "10 per minute;60 per hour")
    RESUME_RATE_LIMIT = _env("RESUME_RATE_LIMIT", "10 per minute;100 per hour")
    API_SUBMIT_RATE_LIMIT = _env("API_SUBMIT_RATE_LIMIT", "10 per minute;100 per hour")
    RATELIMIT_HEADERS_ENABLED = False  # it would overwrite our own Retry-After (receipt.pdf 202)
    # Redis down: count in this process's memory meanwhile (Redis is tried again now and
    # then), and never let a failing limiter turn a request into an error
    RATELIMIT_IN_MEMORY_FALLBACK_ENABLED = True
    RATELIMIT_SWALLOW_ERRORS = True

    LANGUAGES = ("ja", "en")
    BABEL_DEFAULT_LOCALE = "ja"
    BABEL_DEFAULT_TIMEZONE = "Asia/Tokyo"
    BABEL_TRANSLATION_DIRECTORIES = "translations"
    MAX_CONTENT_LENGTH = 32 * 1024 * 1024
    # what one draft (or one API submission) may hold: total size and number of files
    DRAFT_UPLOAD_MAX_MB = float(_env("DRAFT_UPLOAD_MAX_MB", "50") or 50)
    DRAFT_UPLOAD_MAX_FILES = int(_env("DRAFT_UPLOAD_MAX_FILES", "20") or 20)
    # an upload that would leave less free space than this in UPLOAD_DIR is refused (507)
    UPLOAD_MIN_FREE_MB = float(_env("UPLOAD_MIN_FREE_MB", "1024") or 0)
    # a draft never saved for later is deleted this long after its last change (a saved
    # one when its resume code expires, or this long after its last change if later)
    DRAFT_IDLE_DAYS = float(_env("DRAFT_IDLE_DAYS", "7") or 7)
    # a form version loaded by `flask forms load` reaches running web processes within this
    FORM_VERSION_CACHE_SECONDS = float(_env("FORM_VERSION_CACHE_SECONDS", "5") or 5)
    # an API Idempotency-Key answers a retry of its request for this long, then is free again
    IDEMPOTENCY_KEY_HOURS = int(_env("IDEMPOTENCY_KEY_HOURS", "24") or 24)

    # background jobs (app/jobs, docs/jobs.md): RQ on REDIS_URL, else inline
    JOB_QUEUE = _env("JOB_QUEUE", "default")  # RQ queue name, under REDIS_KEY_PREFIX
    JOB_MAX_ATTEMPTS = int(_env("JOB_MAX_ATTEMPTS", "8") or 8)
    JOB_BACKOFF_SECONDS = int(_env("JOB_BACKOFF_SECONDS", "30") or 30)  # ×4 per attempt
    JOB_BACKOFF_MAX_SECONDS = int(_env("JOB_BACKOFF_MAX_SECONDS", "21600") or 21600)
    JOB_TIMEOUT_SECONDS = int(_env("JOB_TIMEOUT_SECONDS", "300") or 300)
    # a running job not finished this long after it started is taken as abandoned
    JOB_LEASE_SECONDS = int(_env("JOB_LEASE_SECONDS", "600") or 600)
    # a queued job missing from Redis this long after it was queued is enqueued again
    JOB_REQUEUE_AFTER_SECONDS = int(_env("JOB_REQUEUE_AFTER_SECONDS", "60") or 60)
    # how often a worker sweeps the outbox; without Redis, the web process does (sweeper.py)
    JOB_SWEEP_SECONDS = int(_env("JOB_SWEEP_SECONDS", "60") or 60)
    JOB_INLINE_SWEEP = (_env("JOB_INLINE_SWEEP", "true") or "true").lower() in _TRUE
    # the sweep writes the periodic jobs: retention daily, the KPI report monthly
    JOB_PERIODIC = (_env("JOB_PERIODIC", "true") or "true").lower() in _TRUE
    DOCUMENT_DIR = _env("DOCUMENT_DIR")  # None → <instance>/documents (PDF receipts, reports)
    MAIL_FROM = _env("MAIL_FROM", "三重県 行政手続オンライン <no-reply@example.pref.mie.lg.jp>")
    WEBHOOK_SECRET = _env("WEBHOOK_SECRET")  # HMAC-SHA256 key; webhooks are not sent without it
    # each wait for the receiver's answer, and for a connection to open
    WEBHOOK_TIMEOUT_SECONDS = float(_env("WEBHOOK_TIMEOUT_SECONDS", "10") or 10)
    WEBHOOK_CONNECT_TIMEOUT_SECONDS = float(_env("WEBHOOK_CONNECT_TIMEOUT_SECONDS", "3") or 3)
    # webhooks go by https to public addresses only; these two are for development and
    # tests (a receiver on this machine), never for production (docs/jobs.md)
    WEBHOOK_ALLOW_HTTP = (_env("WEBHOOK_ALLOW_HTTP", "") or "").lower() in _TRUE
    WEBHOOK_ALLOW_PRIVATE = (_env("WEBHOOK_ALLOW_PRIVATE", "") or "").lower() in _TRUE
    # /healthz/ready says "degraded" when the oldest job waiting is older than this
    HEALTH_MAX_JOB_AGE_SECONDS = int(_env("HEALTH_MAX_JOB_AGE_SECONDS", "600") or 600)
    # the prefecture's key and certificate that sign result documents (電子交付), as PKCS#12;
    # unset: <instance>/result-signing-dev.p12, the development certificate `make run` makes
    RESULT_SIGNING_P12 = _env("RESULT_SIGNING_P12")
    RESULT_SIGNING_PASSWORD = _env("RESULT_SIGNING_PASSWORD", "") or ""
    # a case due within this many days counts as due soon on the staff home page
    DUE_SOON_DAYS = int(_env("DUE_SOON_DAYS", "3") or 3)
    # /verify: the largest PDF a person may upload to check
    VERIFY_MAX_MB = float(_env("VERIFY_MAX_MB", "10") or 10)
    # who may read /metrics (app/metrics.py): these client networks (comma-separated), or
    # a request with `Authorization: Bearer <METRICS_TOKEN>`
    METRICS_ALLOWED_NETWORKS = _env("METRICS_ALLOWED_NETWORKS", "127.0.0.0/8, ::1/128")
    METRICS_TOKEN = _env("METRICS_TOKEN")
    KPI_REPORT_MAIL_TO = _env("KPI_REPORT_MAIL_TO")
    # logs (app/logs.py): one JSON line per record in production, readable text otherwise
    LOG_FORMAT = _env("LOG_FORMAT", "json" if ENVIRONMENT == "production" else "text")
    LOG_LEVEL = (_env("LOG_LEVEL", "INFO") or "INFO").upper()
    # unhandled errors to Sentry when set (the `sentry` extra), without personal data
    SENTRY_DSN = _env("SENTRY_DSN")  # 推進本部: the monthly report, if set
    # resident and business sign-in by OpenID Connect: name → settings (see _oidc_providers)
    OIDC_PROVIDERS = _oidc_providers()
    # how long one wait for a provider's answer (discovery, token, keys) may take
    OIDC_TIMEOUT_SECONDS = float(_env("OIDC_TIMEOUT_SECONDS", "10") or 10)
    # a signed-in resident is signed out after this long without a request
    RESIDENT_IDLE_MINUTES = int(_env("RESIDENT_IDLE_MINUTES", "30") or 30)
    # a document a signed-in resident keeps in マイページ is deleted this long after it was kept
    KEPT_DOCUMENT_DAYS = int(_env("KEPT_DOCUMENT_DAYS", "90") or 90)
    KEPT_DOCUMENT_MAX = int(_env("KEPT_DOCUMENT_MAX", "20") or 20)  # per resident


class TestConfig(Config):
    TESTING = True
    ENVIRONMENT = "development"
    SECRET_KEY = "test-secret-key"
    SQLALCHEMY_DATABASE_URI = "sqlite://"
    REDIS_URL = None
    WTF_CSRF_ENABLED = False
    PASSWORD_HASH_FAST = True  # argon2id with minimal cost: the tests sign in hundreds of times
    # generous limits: the tests that check throttling set their own
    LOGIN_RATE_LIMIT = "1000 per minute"
    LOGIN_ACCOUNT_RATE_LIMIT = "1000 per minute"
    LOOKUP_RATE_LIMIT = "1000 per minute"
    TOTP_RATE_LIMIT = "1000 per minute"
    # the suite signs in as every role hundreds of times; the two-factor tests
    # (tests/staff/test_two_factor.py) set the roles back to Config's
    STAFF_TWO_FACTOR_ROLES = ""
    JOB_INLINE_SWEEP = False  # no background sweep unless a test asks for one
    START_RATE_LIMIT = UPLOAD_RATE_LIMIT = RESUME_RATE_LIMIT = "1000 per minute"
    API_SUBMIT_RATE_LIMIT = "1000 per minute"
    UPLOAD_MIN_FREE_MB = 0  # the tests' disks may be small; the floor's own tests set it
    OIDC_PROVIDERS: dict = {}  # none unless a test configures its own (tests/identity)

    # Real servers for the tests that need them; under CI their absence is a failure.
    TEST_DATABASE_URL = _env(
        "TEST_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
    )
    TEST_REDIS_URL = _env("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
    CI = (_env("CI", "") or "").lower() in _TRUE
