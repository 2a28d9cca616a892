"""The Alembic migrations build exactly the schema the models describe, on SQLite and PostgreSQL."""

from __future__ import annotations

import logging
import os

import flask_migrate
import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import make_url

from config import TestConfig, normalise_database_url
from kotaku_collab import create_app
from kotaku_collab.extensions import db
from kotaku_collab.models import Base
from tests.conftest import skip_or_fail


@pytest.fixture(autouse=True)
def keep_logging_config():
    """Alembic's env.py runs logging.config.fileConfig(), which replaces the root handlers and
    disables every logger already created (the app's too); put things back afterwards."""
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    loggers = {name: (lg.disabled, lg.level) for name, lg in logging.root.manager.loggerDict.items()
               if isinstance(lg, logging.Logger)}
    yield
    root.handlers[:] = handlers
    root.setLevel(level)
    for name, (disabled, lg_level) in loggers.items():
        logger = logging.getLogger(name)
        logger.disabled = disabled
        logger.setLevel(lg_level)


def build_app(uri: str):
    config = TestConfig()
    config.SQLALCHEMY_DATABASE_URI = uri
    return create_app(config)


def schema_differences(app) -> list:
    """What `flask db migrate` would generate, compared the same way (compare_type, batch)."""
    options = dict(app.extensions["migrate"].configure_args)
    options.pop("process_revision_directives", None)
    with db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts=options)
        return compare_metadata(context, Base.metadata)


def check_upgrade_downgrade(app) -> None:
    with app.app_context():
        flask_migrate.upgrade()
        tables = set(inspect(db.engine).get_table_names())
        assert set(Base.metadata.tables) <= tables
        assert tables - set(Base.metadata.tables) == {"alembic_version"}
        # Nothing is ignored: any model change without a migration shows up here.
        assert schema_differences(app) == []

        flask_migrate.downgrade(revision="base")
        assert set(inspect(db.engine).get_table_names()) <= {"alembic_version"}
        db.engine.dispose()


def test_sqlite_upgrade_matches_the_models_and_downgrades_to_base(tmp_path):
    check_upgrade_downgrade(build_app(f"sqlite:///{tmp_path / 'migrated.db'}"))


def test_sqlite_upgrade_is_idempotent_and_records_the_head(tmp_path):
    app = build_app(f"sqlite:///{tmp_path / 'migrated.db'}")
    with app.app_context():
        flask_migrate.upgrade()
        flask_migrate.upgrade()
        with db.engine.connect() as connection:
            current = MigrationContext.configure(connection).get_current_revision()
        script = ScriptDirectory(app.extensions["migrate"].directory)
        assert current == script.get_current_head()
        db.engine.dispose()


@pytest.fixture
def scratch_postgres_url():
    """A PostgreSQL database created for this test and dropped afterwards."""
    server_url = os.environ.get("TEST_POSTGRES_URL")
    if not server_url:
        skip_or_fail("set TEST_POSTGRES_URL to run PostgreSQL migration tests")
    url = make_url(normalise_database_url(server_url))
    name = f"kotaku_migration_check_{os.getpid()}"
    admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        yield url.set(database=name).render_as_string(hide_password=False)
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        admin.dispose()


def test_postgresql_upgrade_matches_the_models_and_downgrades_to_base(scratch_postgres_url):
    check_upgrade_downgrade(build_app(scratch_postgres_url))
