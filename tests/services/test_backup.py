"""SQLite backups: consistent under concurrent writes, verified, never overwriting by accident."""

from __future__ import annotations

import sqlite3
import stat
import threading
from contextlib import closing

import pytest
from sqlalchemy import create_engine, text

from config import TestConfig
from kotaku_collab import create_app
from kotaku_collab.cli import kotaku
from kotaku_collab.database import configure_engine
from kotaku_collab.extensions import db
from kotaku_collab.models import Base
from kotaku_collab.services import DomainError
from kotaku_collab.services.backup import BackupNotSupported, backup_database

PRELOADED_ROWS = 2000
#: Upper bound on the concurrent writer's inserts, so the test ends even if the stop is missed.
MAX_WRITER_ROWS = 200_000


@pytest.fixture
def source(tmp_path):
    """A file database in WAL mode with the app's connection settings and PRELOADED_ROWS rows."""
    path = tmp_path / "live.db"
    engine = create_engine(f"sqlite:///{path}")
    configure_engine(engine, 10000)
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE items (id INTEGER PRIMARY KEY, payload TEXT NOT NULL)"))
        conn.execute(text("INSERT INTO items (payload) VALUES (:p)"),
                     [{"p": f"row {i} " + "x" * 200} for i in range(PRELOADED_ROWS)])
    yield engine
    engine.dispose()


def read_ids(path) -> set[int]:
    with closing(sqlite3.connect(path)) as conn:
        return {row[0] for row in conn.execute("SELECT id FROM items")}


def integrity(path) -> str:
    with closing(sqlite3.connect(path)) as conn:
        return conn.execute("PRAGMA integrity_check").fetchone()[0]


def test_backup_writes_a_verified_private_single_file_copy(source, tmp_path):
    target = tmp_path / "backups" / "kotaku.db"
    target.parent.mkdir()
    result = backup_database(source, target)
    assert result.integrity == "ok"
    assert result.size_bytes == target.stat().st_size > 0
    assert read_ids(target) == set(range(1, PRELOADED_ROWS + 1))
    assert integrity(target) == "ok"
    # It holds personal data: readable by the owner only, and no temporary files left behind.
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert [p.name for p in target.parent.iterdir()] == ["kotaku.db"]
    with closing(sqlite3.connect(target)) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "delete"


def test_backup_taken_while_another_thread_writes_is_consistent(source, tmp_path):
    live_path = source.url.database
    started, stop = threading.Event(), threading.Event()
    committed: list[int] = []
    errors: list[BaseException] = []

    def keep_inserting():
        try:
            with closing(sqlite3.connect(live_path, timeout=30, isolation_level=None)) as conn:
                for n in range(MAX_WRITER_ROWS):
                    if stop.is_set():
                        break
                    cursor = conn.execute("INSERT INTO items (payload) VALUES (?)",
                                          (f"concurrent {n} " + "y" * 200,))
                    committed.append(cursor.lastrowid)  # autocommit: committed on return
                    started.set()
        except BaseException as error:  # surfaced by the main thread
            errors.append(error)
            started.set()

    writer = threading.Thread(target=keep_inserting)
    writer.start()
    try:
        assert started.wait(timeout=60)
        committed_before_backup = list(committed)
        result = backup_database(source, tmp_path / "copy.db")
    finally:
        stop.set()
        writer.join()
    assert errors == []
    assert result.integrity == "ok"
    assert integrity(result.path) == "ok"
    copied = read_ids(result.path)
    assert set(range(1, PRELOADED_ROWS + 1)) <= copied
    assert set(committed_before_backup) <= copied
    # Only rows that really were committed: the copy is a snapshot of the live database.
    assert copied <= set(range(1, PRELOADED_ROWS + 1)) | set(committed)


def test_backup_refuses_to_overwrite_unless_forced(source, tmp_path):
    target = tmp_path / "copy.db"
    target.write_bytes(b"an older backup")
    with pytest.raises(DomainError, match="already exists; use --force"):
        backup_database(source, target)
    assert target.read_bytes() == b"an older backup"
    backup_database(source, target, force=True)
    assert read_ids(target) == set(range(1, PRELOADED_ROWS + 1))


@pytest.mark.parametrize("make_target, message", [
    (lambda tmp: tmp / "missing" / "copy.db", "does not exist"),
    (lambda tmp: tmp, "is a directory"),
    (lambda tmp: tmp / "live.db", "the live database itself"),
])
def test_backup_refuses_bad_targets(source, tmp_path, make_target, message):
    with pytest.raises(DomainError, match=message):
        backup_database(source, make_target(tmp_path), force=True)
    assert read_ids(tmp_path / "live.db") == set(range(1, PRELOADED_ROWS + 1))


def test_postgresql_is_pointed_at_pg_dump_with_the_password_masked(tmp_path):
    engine = create_engine("postgresql+psycopg://kotaku:s3cret@db.internal:5432/kotaku")
    with pytest.raises(BackupNotSupported) as caught:
        backup_database(engine, tmp_path / "kotaku.dump")
    message = caught.value.message
    assert "pg_dump -Fc" in message
    assert "postgresql://kotaku:***@db.internal:5432/kotaku" in message
    assert "s3cret" not in message
    assert not (tmp_path / "kotaku.dump").exists()


# --- the CLI command ------------------------------------------------------------------------

def build_app(uri: str):
    config = TestConfig()
    config.SQLALCHEMY_DATABASE_URI = uri
    return create_app(config)


def test_cli_backup_reports_size_and_integrity(tmp_path):
    app = build_app(f"sqlite:///{tmp_path / 'live.db'}")
    with app.app_context():
        Base.metadata.create_all(db.engine)
    target = tmp_path / "backup.db"
    runner = app.test_cli_runner()
    result = runner.invoke(kotaku, ["backup", str(target)])
    assert result.exit_code == 0, result.output
    assert f"{target.stat().st_size:,} bytes" in result.output
    assert "integrity check ok" in result.output
    with closing(sqlite3.connect(target)) as conn:
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert set(Base.metadata.tables) <= tables

    again = runner.invoke(kotaku, ["backup", str(target)])
    assert again.exit_code == 1
    assert "already exists; use --force" in again.output and "Traceback" not in again.output
    assert runner.invoke(kotaku, ["backup", "--force", str(target)]).exit_code == 0
    with app.app_context():
        db.engine.dispose()


def test_cli_backup_on_postgresql_prints_the_pg_dump_command(tmp_path):
    app = build_app("postgresql+psycopg://kotaku:s3cret@127.0.0.1:1/kotaku?connect_timeout=1")
    result = app.test_cli_runner().invoke(kotaku, ["backup", str(tmp_path / "x.dump")])
    assert result.exit_code == 1
    assert "pg_dump -Fc" in result.output and "kotaku:***@127.0.0.1:1/kotaku" in result.output
    assert "s3cret" not in result.output
