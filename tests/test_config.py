"""Configuration: secrets, database URLs, SQLite connection settings and session cookies."""

from __future__ import annotations

import stat
from datetime import timedelta

import pytest
from sqlalchemy import text

import config
from config import (DevelopmentConfig, ProductionConfig, TestConfig, load_config,
                    normalise_database_url)
from kotaku_collab import create_app
from kotaku_collab.extensions import db

GOOD_KEY = "0123456789abcdef" * 4


@pytest.mark.parametrize("key", [None, "", "short", "x" * 31])
def test_production_refuses_a_missing_or_short_secret_key(monkeypatch, key):
    if key is None:
        monkeypatch.delenv("SECRET_KEY", raising=False)
    else:
        monkeypatch.setenv("SECRET_KEY", key)
    with pytest.raises(RuntimeError, match="SECRET_KEY must be set to at least 32"):
        ProductionConfig()


def test_production_accepts_a_long_secret_key(monkeypatch):
    monkeypatch.setenv("SECRET_KEY", GOOD_KEY)
    assert ProductionConfig().SECRET_KEY == GOOD_KEY


def test_development_key_is_generated_once_into_the_instance_dir(monkeypatch, tmp_path):
    instance = tmp_path / "instance"
    monkeypatch.setattr(config, "INSTANCE_DIR", instance)
    monkeypatch.delenv("SECRET_KEY", raising=False)
    first = DevelopmentConfig().SECRET_KEY
    key_file = instance / "secret_key"
    assert len(first) >= 32
    assert key_file.read_text().strip() == first
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert DevelopmentConfig().SECRET_KEY == first


def test_development_prefers_the_environment_key(monkeypatch, tmp_path):
    monkeypatch.setattr(config, "INSTANCE_DIR", tmp_path / "instance")
    monkeypatch.setenv("SECRET_KEY", GOOD_KEY)
    assert DevelopmentConfig().SECRET_KEY == GOOD_KEY
    assert not (tmp_path / "instance" / "secret_key").exists()


def test_unknown_environment_name_is_a_clear_error():
    with pytest.raises(RuntimeError, match="KOTAKU_ENV='staging' is not one of"):
        load_config("staging")


@pytest.mark.parametrize("given, expected", [
    ("postgres://u:p@db:5432/kotaku", "postgresql+psycopg://u:p@db:5432/kotaku"),
    ("postgresql://u:p@db/kotaku?sslmode=require",
     "postgresql+psycopg://u:p@db/kotaku?sslmode=require"),
    ("postgresql+psycopg://u@db/kotaku", "postgresql+psycopg://u@db/kotaku"),
    ("sqlite:///instance/kotaku.db", "sqlite:///instance/kotaku.db"),
    ("sqlite://", "sqlite://"),
])
def test_normalise_database_url_pins_psycopg(given, expected):
    assert normalise_database_url(given) == expected


def test_sqlite_connections_get_foreign_keys_wal_busy_timeout_and_full_sync(tmp_path):
    settings = TestConfig()
    settings.SQLALCHEMY_DATABASE_URI = f"sqlite:///{tmp_path / 'kotaku.db'}"
    app = create_app(settings)
    with app.app_context():
        # Two pooled connections open at once (DBAPI level, so no BEGIN is sent): each one went
        # through the engine's connect hook, not only the first.
        connections = [db.engine.raw_connection(), db.engine.raw_connection()]
        try:
            for connection in connections:
                def pragma(name, connection=connection):
                    return connection.driver_connection.execute(f"PRAGMA {name}").fetchone()[0]

                assert pragma("foreign_keys") == 1
                assert pragma("journal_mode") == "wal"
                assert pragma("busy_timeout") >= 5000
                assert pragma("synchronous") == 2
        finally:
            for connection in connections:
                connection.close()
        # And a connection used through SQLAlchemy sees the same.
        with db.engine.connect() as connection:
            assert connection.execute(text("PRAGMA foreign_keys")).scalar() == 1
        db.engine.dispose()


@pytest.fixture
def production_app(monkeypatch, tmp_path):
    monkeypatch.setenv("SECRET_KEY", GOOD_KEY)
    settings = ProductionConfig()
    settings.SQLALCHEMY_DATABASE_URI = f"sqlite:///{tmp_path / 'kotaku.db'}"
    settings.CHECK_DATABASE_ON_STARTUP = False
    app = create_app(settings)
    yield app
    with app.app_context():
        db.engine.dispose()


def test_production_cookie_and_session_settings(production_app):
    settings = production_app.config
    assert settings["SESSION_COOKIE_SECURE"] is True
    assert settings["REMEMBER_COOKIE_SECURE"] is True
    assert settings["SESSION_COOKIE_HTTPONLY"] is True
    assert settings["REMEMBER_COOKIE_HTTPONLY"] is True
    assert settings["SESSION_COOKIE_SAMESITE"] == "Lax"
    assert settings["REMEMBER_COOKIE_SAMESITE"] == "Lax"
    assert settings["PERMANENT_SESSION_LIFETIME"] <= timedelta(hours=12)
    assert settings["SESSION_ABSOLUTE_LIFETIME"] <= timedelta(hours=12)
    assert settings["ALLOW_DEMO_DATA"] is False
    assert settings["DEBUG"] is False and settings["TESTING"] is False


def test_production_session_cookie_is_secure_httponly_and_lax(production_app):
    client = production_app.test_client()
    # The login form puts a CSRF token in the session, so the response sets the cookie.
    response = client.get("/login", base_url="https://localhost")
    assert response.status_code == 200
    cookie = next(h for h in response.headers.getlist("Set-Cookie")
                  if h.startswith("kotaku_session="))
    attributes = {part.strip().split("=")[0].lower() for part in cookie.split(";")}
    assert {"secure", "httponly"} <= attributes
    assert "SameSite=Lax" in cookie


def test_proxy_count_trusts_forwarded_client_addresses(make_app):
    from flask import request

    app = make_app(PROXY_COUNT=1)

    @app.route("/_whoami")
    def whoami():
        return request.remote_addr

    response = app.test_client().get("/_whoami", headers={"X-Forwarded-For": "203.0.113.7"},
                                     environ_base={"REMOTE_ADDR": "127.0.0.1"})
    assert response.get_data(as_text=True) == "203.0.113.7"
    plain = make_app()

    @plain.route("/_whoami")
    def whoami_plain():
        return request.remote_addr

    response = plain.test_client().get("/_whoami", headers={"X-Forwarded-For": "203.0.113.7"},
                                       environ_base={"REMOTE_ADDR": "127.0.0.1"})
    assert response.get_data(as_text=True) == "127.0.0.1"
