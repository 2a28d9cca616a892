"""Engine set-up: SQLite pragmas and transaction mode, query counting, connectivity checks."""

from __future__ import annotations

import fcntl
import os
import threading
from contextlib import contextmanager
from contextvars import ContextVar

from sqlalchemy import event, insert, text
from sqlalchemy.engine import Engine
from sqlalchemy.orm import make_transient_to_detached, scoped_session

#: "IMMEDIATE" makes SQLite take the write lock when the transaction begins, so a request that
#: reads then writes cannot fail half-way with "database is locked". Read-only requests use
#: "DEFERRED" so readers never queue behind writers.
sqlite_begin_mode: ContextVar[str] = ContextVar("sqlite_begin_mode", default="IMMEDIATE")
_query_count: ContextVar[list[int] | None] = ContextVar("query_count", default=None)


def configure_engine(engine: Engine, busy_timeout_ms: int) -> None:
    """Attach the per-connection settings; safe to call once per engine."""
    if engine.dialect.name == "sqlite":
        _configure_sqlite(engine, busy_timeout_ms)
    event.listen(engine, "after_cursor_execute", _count_query)


def _configure_sqlite(engine: Engine, busy_timeout_ms: int) -> None:
    @event.listens_for(engine, "connect")
    def on_connect(dbapi_connection, connection_record):
        # Take transaction control away from pysqlite so BEGIN is ours (SQLAlchemy's recipe).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
        if engine.url.database not in (None, "", ":memory:"):
            cursor.execute("PRAGMA journal_mode=WAL")
        # FULL keeps a commit durable across power loss too, not only across app crashes.
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def on_begin(conn):
        conn.exec_driver_sql(f"BEGIN {sqlite_begin_mode.get()}")


def _count_query(conn, cursor, statement, parameters, context, executemany):
    counter = _query_count.get()
    if counter is not None:
        counter[0] += 1


@contextmanager
def count_queries():
    """Count SQL statements executed inside the block: `with count_queries() as n: ...; n()`."""
    counter = [0]
    token = _query_count.set(counter)
    try:
        yield lambda: counter[0]
    finally:
        _query_count.reset(token)


def start_request_counter():
    return _query_count.set([0])


def request_query_count() -> int | None:
    counter = _query_count.get()
    return counter[0] if counter is not None else None


@contextmanager
def begin_mode(mode: str):
    """SQLite transactions that begin inside the block begin in `mode`: a request that writes
    only at its end reads in "DEFERRED" and begins its writing transaction in "IMMEDIATE", so
    the write lock is held for the writing only."""
    token = sqlite_begin_mode.set(mode)
    try:
        yield
    finally:
        sqlite_begin_mode.reset(token)


_queues: dict[tuple[int, str], tuple[threading.Lock, int]] = {}
_queues_guard = threading.Lock()


@contextmanager
def sqlite_writer_queue(engine: Engine):
    """Queue this process's writer behind the others before it asks for SQLite's write lock.

    A writer that finds the lock taken is put to sleep by SQLite's busy handler for 1, 2, 5,
    10… ms and checks again: under a burst of registrations the lock is often free while every
    waiter sleeps. An exclusive `flock` on a file beside the database (and a thread lock, for a
    threaded server) wakes the next writer the moment the previous one commits. Writers that do
    not queue (rarer ones: organisers' edits) still get the lock through the busy timeout. A
    no-op on other engines and on in-memory SQLite."""
    database = engine.url.database if engine.dialect.name == "sqlite" else None
    if not database or database == ":memory:" or database.startswith("file:"):
        yield
        return
    thread_lock, descriptor = _queue_for(database)
    with thread_lock:
        fcntl.flock(descriptor, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(descriptor, fcntl.LOCK_UN)


def _queue_for(database: str) -> tuple[threading.Lock, int]:
    """The queue file of this database, opened once per process (a forked worker opens its
    own: a descriptor inherited across fork would share the parent's lock)."""
    key = (os.getpid(), database)
    with _queues_guard:
        if key not in _queues:
            descriptor = os.open(database + "-writers", os.O_RDWR | os.O_CREAT, 0o600)
            _queues[key] = (threading.Lock(), descriptor)
        return _queues[key]


def commit_keeping_loaded(session) -> None:
    """Commit without expiring the loaded objects: for a response built from what the
    transaction itself just wrote (reading it back would begin a new transaction, which on
    SQLite, in a POST, takes the write lock again and holds it until the request ends), or to
    end a reading transaction whose objects the writing one refreshes as it needs."""
    if isinstance(session, scoped_session):
        session = session()
    expire_on_commit = session.expire_on_commit
    session.expire_on_commit = False
    try:
        session.commit()
    finally:
        session.expire_on_commit = expire_on_commit


_INSERT_RETURNING: dict = {}


def insert_row(session, obj):
    """Write a new (transient) object at once with one INSERT … RETURNING, and make it a loaded
    row of the session: what a flush does, for about half the cost of the unit of work. For the
    writes a self-registration makes while it holds SQLite's write lock. Relationships must be
    given by id (`organisation_id=`), column defaults are applied by the INSERT, and no
    after_flush listener sees the row (audited classes: audit.record_created)."""
    table = type(obj).__table__
    statement = _INSERT_RETURNING.get(table)
    if statement is None:  # built once per table
        statement = _INSERT_RETURNING[table] = insert(table).returning(*table.c)
    row = session.connection().execute(statement, {key: value for key, value in vars(obj).items()
                                                   if key in table.c})
    for column, value in zip(table.c, row.one()):
        setattr(obj, column.key, value)
    make_transient_to_detached(obj)
    session.add(obj)
    return obj


def ping(session) -> None:
    """One SELECT 1; raises if the database cannot be reached."""
    session.execute(text("SELECT 1"))


def masked_url(url) -> str:
    return url.render_as_string(hide_password=True)
