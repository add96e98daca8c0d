"""Configuration read from the environment, with safe development defaults."""

import os


def _bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


class Config:
    """Production-shaped configuration; every secret comes from the environment."""

    SECRET_KEY = os.environ.get("SECRET_KEY")  # None: a random key kept in the instance folder
    # None means "an SQLite file in the instance folder" (resolved in create_app).
    SQLALCHEMY_DATABASE_URI = os.environ.get("DATABASE_URL")
    # No pool_pre_ping (a round trip per request): a connection idle this long (seconds)
    # is checked before use instead (carflow/db_setup.py).
    CARFLOW_DB_PING_AFTER_IDLE = float(os.environ.get("CARFLOW_DB_PING_AFTER_IDLE", "10"))
    UPLOAD_FOLDER = os.environ.get("CARFLOW_UPLOAD_FOLDER")  # default: instance/uploads
    MAX_UPLOAD_MB = int(os.environ.get("CARFLOW_MAX_UPLOAD_MB", "20"))
    MAIL_SERVER = os.environ.get("MAIL_SERVER", "127.0.0.1")
    MAIL_PORT = int(os.environ.get("MAIL_PORT", "25"))
    MAIL_USE_TLS = _bool("MAIL_USE_TLS")
    MAIL_USE_SSL = _bool("MAIL_USE_SSL")
    MAIL_USERNAME = os.environ.get("MAIL_USERNAME")
    MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD")
    MAIL_DEFAULT_SENDER = os.environ.get("MAIL_DEFAULT_SENDER", "carflow@localhost")
    MAIL_TIMEOUT = float(os.environ.get("MAIL_TIMEOUT", "10"))  # connect and each reply, s
    # Job queue (carflow/jobs.py): SqliteHuey file (default instance/queue.sqlite3), or Redis.
    CARFLOW_QUEUE_PATH = os.environ.get("CARFLOW_QUEUE_PATH")
    CARFLOW_QUEUE_URL = os.environ.get("CARFLOW_QUEUE_URL")  # redis://host:6379/0
    CARFLOW_MAIL_TRIES = int(os.environ.get("CARFLOW_MAIL_TRIES", "5"))
    CARFLOW_MAIL_RETRY_DELAY = float(os.environ.get("CARFLOW_MAIL_RETRY_DELAY", "60"))  # doubles
    CARFLOW_SEND_MAX_ATTEMPTS = int(os.environ.get("CARFLOW_SEND_MAX_ATTEMPTS", "10"))
    # The sweep sends pending emails older than this (s): the queue's own tries are over.
    CARFLOW_SWEEP_AFTER = float(os.environ.get("CARFLOW_SWEEP_AFTER", "1800"))
    CARFLOW_REMINDER_TIME = os.environ.get("CARFLOW_REMINDER_TIME", "07:30")  # weekdays
    CARFLOW_ORPHAN_MAX_AGE = float(os.environ.get("CARFLOW_ORPHAN_MAX_AGE", "3600"))  # s
    # Public address for links in e-mails (issue 15), e.g. https://crm.dealer.example
    CARFLOW_BASE_URL = os.environ.get("CARFLOW_BASE_URL")
    # File storage (issue 17): "local" (UPLOAD_FOLDER) or "s3" (credentials: AWS_* variables).
    CARFLOW_STORAGE = os.environ.get("CARFLOW_STORAGE", "local")
    CARFLOW_S3_BUCKET = os.environ.get("CARFLOW_S3_BUCKET")
    CARFLOW_S3_ENDPOINT_URL = os.environ.get("CARFLOW_S3_ENDPOINT_URL")  # MinIO, moto, …
    CARFLOW_S3_REGION = os.environ.get("CARFLOW_S3_REGION")
    CARFLOW_S3_PREFIX = os.environ.get("CARFLOW_S3_PREFIX", "")
    CARFLOW_S3_SSE = os.environ.get("CARFLOW_S3_SSE")  # AES256 or aws:kms
    CARFLOW_S3_PRESIGN_SECONDS = int(os.environ.get("CARFLOW_S3_PRESIGN_SECONDS", "0"))  # 0: off
    # Imports (issue 17): rows per unit of work.
    CARFLOW_IMPORT_BATCH = int(os.environ.get("CARFLOW_IMPORT_BATCH", "500"))
    RATELIMIT_STORAGE_URI = os.environ.get("RATELIMIT_STORAGE_URI", "memory://")
    RATELIMIT_ENABLED = _bool("RATELIMIT_ENABLED", True)
    # Login throttling (issue 12): failed attempts per client address (Flask-Limiter), and
    # per (account, address) a delay that doubles after LOGIN_FREE_FAILURES failures.
    LOGIN_LIMIT_PER_IP = os.environ.get("LOGIN_LIMIT_PER_IP", "20 per 5 minutes")
    LOGIN_FREE_FAILURES = int(os.environ.get("LOGIN_FREE_FAILURES", "5"))
    LOGIN_DELAY_SECONDS = int(os.environ.get("LOGIN_DELAY_SECONDS", "2"))
    LOGIN_MAX_DELAY_SECONDS = int(os.environ.get("LOGIN_MAX_DELAY_SECONDS", "900"))
    LOGIN_FAILURE_MEMORY_HOURS = int(os.environ.get("LOGIN_FAILURE_MEMORY_HOURS", "24"))
    # Behind N reverse proxies, trust N hops of X-Forwarded-For/-Proto (Werkzeug ProxyFix):
    # the client address of the login throttling is then the real client's, not the proxy's.
    PROXY_HOPS = int(os.environ.get("CARFLOW_PROXY_HOPS", "0"))
    HSTS_SECONDS = 0  # Strict-Transport-Security max-age; 0 = no header
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = _bool("SESSION_COOKIE_SECURE", False)
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    BABEL_DEFAULT_LOCALE = "en"
    BABEL_DEFAULT_TIMEZONE = "UTC"
    BABEL_TRANSLATION_DIRECTORIES = os.path.join(
        os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "translations"
    )
    CARFLOW_LANGUAGES = ("en", "fr", "nl")
    CARFLOW_DEFAULT_TIMEZONE = os.environ.get("CARFLOW_TIMEZONE", "Europe/Brussels")
    WTF_CSRF_TIME_LIMIT = None
    TESTING = False
    # Intake (issue 15): a request from a contact with an open lead of the same type in the
    # same branch created within this many days is added to it ("enquiry again").
    INTAKE_ENQUIRY_AGAIN_DAYS = int(os.environ.get("CARFLOW_INTAKE_ENQUIRY_AGAIN_DAYS", "30"))
    INTAKE_LEAD_TYPES = None  # {"buy": "Purchase", ...}; None: carflow.intake.service's
    INTAKE_API_MAX_BYTES = int(os.environ.get("CARFLOW_INTAKE_API_MAX_BYTES", str(64 * 1024)))
    INTAKE_API_RATE_LIMIT = os.environ.get("CARFLOW_INTAKE_API_RATE_LIMIT", "600 per minute")
    INTAKE_FORM_RATE_LIMIT = os.environ.get("CARFLOW_INTAKE_FORM_RATE_LIMIT", "5 per 10 minutes")
    # ADF by e-mail (issue 15): timeout of every IMAP socket operation (s); messages per poll.
    CARFLOW_IMAP_TIMEOUT = float(os.environ.get("CARFLOW_IMAP_TIMEOUT", "30"))
    CARFLOW_IMAP_BATCH = int(os.environ.get("CARFLOW_IMAP_BATCH", "200"))
    CARFLOW_IMAP_CA_FILE = os.environ.get("CARFLOW_IMAP_CA_FILE")  # None: the system's CAs


class ProductionConfig(Config):
    """Behind HTTPS: cookies are Secure and browsers are told to use HTTPS only (HSTS)."""

    CARFLOW_PRODUCTION = True  # create_app refuses test-only settings with it
    SESSION_COOKIE_SECURE = True
    REMEMBER_COOKIE_SECURE = True
    HSTS_SECONDS = int(os.environ.get("CARFLOW_HSTS_SECONDS", str(365 * 24 * 3600)))


class TestConfig(Config):
    """Used by the test suite; the database URL is given by the fixtures."""

    TESTING = True
    # Tests only.
    SECRET_KEY = "test-secret"  # noqa: S105  # nosec B105
    RATELIMIT_ENABLED = False
    MAIL_SERVER = "127.0.0.1"
    MAIL_PORT = 1  # nothing listens: tests that send mail start their own server
    MAIL_SUPPRESS_SEND = False  # Flask-Mail would silently drop mail when TESTING
    MAIL_TIMEOUT = 5
    CARFLOW_MAIL_TRIES = 3
    CARFLOW_MAIL_RETRY_DELAY = 0  # retries are queued at once (tests run the queue themselves)
