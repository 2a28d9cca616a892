"""Shared fixtures: app, db, client, login_as(role). Data builders live in factories.py."""

from __future__ import annotations

import os
from datetime import datetime, timezone
from pathlib import Path

import flask_babel
import pytest
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from flask import g, request_started
from sqlalchemy import text

from config import TestConfig, normalise_database_url
from kotaku_collab import create_app
from kotaku_collab.extensions import babel as _babel
from kotaku_collab.extensions import db as _db
from kotaku_collab.models import Base, Role
from tests import factories

#: The `smtp` fixture (a real SMTP server) lives in tests/smtp.py.
pytest_plugins = ["tests.smtp"]

IN_CI = os.environ.get("CI", "").lower() == "true"
TRANSLATIONS = Path(__file__).resolve().parent.parent / "kotaku_collab" / "translations"


def skip_or_fail(reason: str) -> None:
    """Outside CI a missing service skips with a one-line reason; in CI it fails loudly."""
    if IN_CI:
        pytest.fail(f"CI must run this test: {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def database_url(tmp_path_factory) -> str:
    url = os.environ.get("TEST_DATABASE_URL")
    if url:
        return normalise_database_url(url)
    return f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"


@pytest.fixture(scope="session")
def compiled_catalogues(tmp_path_factory) -> Path:
    """The .po catalogues compiled afresh, so tests see the current translations whether or
    not `make translations` has compiled the (uncommitted) .mo files."""
    out = tmp_path_factory.mktemp("catalogues")
    for po in TRANSLATIONS.glob("*/LC_MESSAGES/messages.po"):
        with po.open("rb") as source:
            catalog = read_po(source, locale=po.parent.parent.name)
        target = out / po.relative_to(TRANSLATIONS).with_suffix(".mo")
        target.parent.mkdir(parents=True)
        with target.open("wb") as compiled:
            write_mo(compiled, catalog)
    return out


@pytest.fixture(scope="session")
def make_app(database_url, compiled_catalogues):
    """Build an app on the test database with config overrides: make_app(WTF_CSRF_ENABLED=True)."""
    built = []

    def build(**overrides):
        config = TestConfig()
        config.SQLALCHEMY_DATABASE_URI = database_url
        config.BABEL_TRANSLATION_DIRECTORIES = str(compiled_catalogues)
        for key, value in overrides.items():
            setattr(config, key, value)
        app = create_app(config)
        request_started.connect(_forget_per_request_globals, app)
        built.append(app)
        return app

    yield build
    # Close every app's pooled connections at the end; left to the garbage collector, psycopg
    # reports them as ResourceWarnings, which this suite turns into errors.
    for app in built:
        with app.app_context():
            for engine in _db.engines.values():
                engine.dispose()


@pytest.fixture(autouse=True)
def _forget_loaded_catalogues():
    """Flask-Babel caches loaded catalogues on the one shared Babel object, keyed by locale
    only: start each test empty, so apps built by create_app() elsewhere in the suite (which
    read the package's own .mo files, if any) never lend theirs to a later test."""
    domain = vars(_babel).get("domain_instance")  # a cached_property, made on first use
    if domain is not None:
        domain.cache.clear()


def _forget_per_request_globals(sender, **extra) -> None:
    """Tests send requests inside the test's app context, so `g` outlives each request. Drop
    what extensions cache there per request (the user, the locale, the CSRF token), or one
    client's login would leak into the next client's requests."""
    g.pop("_login_user", None)
    g.pop(sender.config.get("WTF_CSRF_FIELD_NAME", "csrf_token"), None)
    flask_babel.refresh()


@pytest.fixture(scope="session")
def app(make_app):
    app = make_app()
    with app.app_context():
        Base.metadata.drop_all(_db.engine)
        Base.metadata.create_all(_db.engine)
    return app


def _empty_all_tables() -> None:
    """Delete every row, children first. Self-references (region parents, merged
    organisations, follow-up workshops) are cut first so the order within a table is moot."""
    if _db.engine.dialect.name == "sqlite":
        _db.session.execute(text("PRAGMA defer_foreign_keys = ON"))
    for table in Base.metadata.sorted_tables:
        for fk in table.foreign_keys:
            if fk.column.table is table and fk.parent.nullable:
                _db.session.execute(table.update().values({fk.parent.name: None}))
    for table in reversed(Base.metadata.sorted_tables):
        _db.session.execute(table.delete())
    _db.session.commit()


@pytest.fixture
def db(app):
    """The database, emptied after each test (tests commit through real routes)."""
    with app.app_context():
        yield _db
        _db.session.rollback()
        _empty_all_tables()
        _db.session.remove()


@pytest.fixture
def client(app, db):
    return app.test_client()


@pytest.fixture
def login_as(client, db):
    """Log the test client in as a new user: login_as("organiser", regions=["51.05"])."""

    def login(role: str | Role, **kwargs):
        user = factories.make_user(Role(role), **kwargs)
        db.session.commit()
        with client.session_transaction() as session:
            session["_user_id"] = user.session_token
            session["_fresh"] = True
            session["auth_at"] = datetime.now(timezone.utc).timestamp()
        return user

    return login
