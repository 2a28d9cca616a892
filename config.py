"""Configuration classes: the only place that reads os.environ.

`create_app()` picks a class from `KOTAKU_ENV` (development, production, test) and then
applies `instance/config.py` when it exists, so a machine can override settings without
touching the code.
"""

from __future__ import annotations

import os
import secrets
from datetime import timedelta
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent
INSTANCE_DIR = Path(os.environ.get("KOTAKU_INSTANCE_PATH", BASE_DIR / "instance"))


def normalise_database_url(url: str) -> str:
    """Accept the URL forms hosting platforms hand out and pin the psycopg 3 driver."""
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://"):]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://"):]
    return url


def default_database_url() -> str:
    return f"sqlite:///{INSTANCE_DIR / 'kotaku.db'}"


def development_secret_key() -> str:
    """Generate a key into instance/ once, so sessions survive restarts on a laptop."""
    key_file = INSTANCE_DIR / "secret_key"
    if key_file.exists():
        return key_file.read_text().strip()
    INSTANCE_DIR.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(32)
    key_file.write_text(key)
    key_file.chmod(0o600)
    return key


class Config:
    """Settings shared by every environment."""

    ENV_NAME = "base"
    SQLALCHEMY_DATABASE_URI = normalise_database_url(
        os.environ.get("DATABASE_URL") or default_database_url()
    )
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}
    #: SQLite waits this long (ms) for a lock before giving up.
    SQLITE_BUSY_TIMEOUT_MS = 10000
    #: Ask the database for a connection at start-up and log a clear message if it is unreachable.
    CHECK_DATABASE_ON_STARTUP = True

    # Sessions: Flask's defaults (31 days, no SameSite) are not what we want.
    SESSION_COOKIE_NAME = "kotaku_session"
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = False
    #: Idle timeout: the cookie expires this long after the last request.
    PERMANENT_SESSION_LIFETIME = timedelta(minutes=60)
    SESSION_REFRESH_EACH_REQUEST = True
    #: Absolute timeout: a login is never valid for longer than this.
    SESSION_ABSOLUTE_LIFETIME = timedelta(hours=12)
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    MAX_CONTENT_LENGTH = 10 * 1024 * 1024
    TRUSTED_HOSTS = [h for h in os.environ.get("TRUSTED_HOSTS", "").split(",") if h] or None
    PREFERRED_URL_SCHEME = "http"

    WTF_CSRF_ENABLED = True
    WTF_CSRF_TIME_LIMIT = None  # tied to the session instead, which has its own timeouts

    BABEL_DEFAULT_LOCALE = "id"
    BABEL_DEFAULT_TIMEZONE = "Asia/Jakarta"
    LANGUAGES = ("id", "en")

    BOOTSTRAP_SERVE_LOCAL = True

    # Password hashing (argon2id). Defaults follow argon2-cffi's RFC 9106 low-memory profile.
    ARGON2_TIME_COST = 3
    ARGON2_MEMORY_COST = 65536
    ARGON2_PARALLELISM = 4

    # Rate limits (Flask-Limiter). Use redis://127.0.0.1:6379 when running several workers.
    RATELIMIT_STORAGE_URI = os.environ.get("RATELIMIT_STORAGE_URI", "memory://")
    RATELIMIT_ENABLED = True
    RATELIMIT_HEADERS_ENABLED = False
    LOGIN_RATE_LIMIT = "10 per minute; 50 per hour"
    #: Public self-registration POSTs, per client address and registration link
    #: (anti-automation; a whole office behind one NAT address may register at once).
    SELF_REGISTRATION_RATE_LIMIT = "20 per minute; 200 per hour"

    # Mail (Flask-Mail compatible names; used by notifications).
    MAIL_SERVER = os.environ.get("MAIL_SERVER", "localhost")
    MAIL_PORT = int(os.environ.get("MAIL_PORT", "25"))
    MAIL_USE_TLS = os.environ.get("MAIL_USE_TLS", "false").lower() == "true"
    MAIL_USERNAME = os.environ.get("MAIL_USERNAME")
    MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD")
    MAIL_DEFAULT_SENDER = os.environ.get("MAIL_DEFAULT_SENDER", "KOTAKU Collab <noreply@localhost>")

    #: Where progress evidence files are stored (default: instance/uploads) and their size cap.
    EVIDENCE_UPLOAD_DIR = None
    EVIDENCE_MAX_BYTES = 5 * 1024 * 1024
    #: Number of reverse proxies in front of the app (e.g. 1 for nginx). Their X-Forwarded-*
    #: headers are then trusted, so rate limits count real client addresses, not the proxy's.
    PROXY_COUNT = int(os.environ.get("PROXY_COUNT", "0"))
    #: Force HTTPS redirects and HSTS (production behind a TLS proxy).
    FORCE_HTTPS = False
    #: Demo accounts may be created only where this is true.
    ALLOW_DEMO_DATA = True
    #: Add an X-Query-Count header to every response (development and tests).
    QUERY_COUNT_HEADER = False
    #: Where the workers of one machine share cached dashboard figures (services/stats_store.py).
    #: None: instance/stats-cache; "" turns the shared store off (each worker computes its own).
    STATS_CACHE_DIR = os.environ.get("STATS_CACHE_DIR")


class DevelopmentConfig(Config):
    ENV_NAME = "development"
    QUERY_COUNT_HEADER = True

    def __init__(self) -> None:
        self.SECRET_KEY = os.environ.get("SECRET_KEY") or development_secret_key()


class ProductionConfig(Config):
    ENV_NAME = "production"
    SESSION_COOKIE_SECURE = True
    REMEMBER_COOKIE_SECURE = True
    PREFERRED_URL_SCHEME = "https"
    FORCE_HTTPS = os.environ.get("FORCE_HTTPS", "true").lower() == "true"
    ALLOW_DEMO_DATA = False

    def __init__(self) -> None:
        key = os.environ.get("SECRET_KEY", "")
        if len(key) < 32:
            raise RuntimeError(
                "SECRET_KEY must be set to at least 32 random characters in production "
                "(for example: python -c 'import secrets; print(secrets.token_hex(32))')."
            )
        self.SECRET_KEY = key


class TestConfig(Config):
    ENV_NAME = "test"
    TESTING = True
    #: Tests assert on the English msgids; tests of the Indonesian default build an app with
    #: BABEL_DEFAULT_LOCALE="id" (the production default) or send Accept-Language: id.
    BABEL_DEFAULT_LOCALE = "en"
    SECRET_KEY = "test-secret-key-not-for-production-0123456789"
    WTF_CSRF_ENABLED = False
    CHECK_DATABASE_ON_STARTUP = False
    QUERY_COUNT_HEADER = True
    RATELIMIT_ENABLED = False
    #: Tests share one process: the in-memory cache is enough (tests of the store give their own).
    STATS_CACHE_DIR = ""
    ARGON2_TIME_COST = 1
    ARGON2_MEMORY_COST = 1024
    ARGON2_PARALLELISM = 1
    SQLALCHEMY_DATABASE_URI = normalise_database_url(
        os.environ.get("TEST_DATABASE_URL") or "sqlite://"
    )


CONFIGS = {
    "development": DevelopmentConfig,
    "production": ProductionConfig,
    "test": TestConfig,
}


def load_config(name: str | None = None) -> Config:
    """Instantiate the config class named by `name` or by KOTAKU_ENV (default: development)."""
    name = name or os.environ.get("KOTAKU_ENV", "development")
    try:
        return CONFIGS[name]()
    except KeyError:
        raise RuntimeError(
            f"KOTAKU_ENV={name!r} is not one of: {', '.join(CONFIGS)}"
        ) from None
