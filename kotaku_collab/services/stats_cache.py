"""Cached aggregates with exact invalidation: the reviewer dashboard costs one query per view
while nothing it reads has changed.

How it stays exact:
- `data_versions` holds one version token per table. An engine listener sees every INSERT,
  UPDATE and DELETE statement SQLAlchemy executes — ORM flushes, `session.execute(insert(...))`
  bulk writes and the registration service's atomic `UPDATE workshops SET seats_taken = ...`
  alike (every table of the models except IGNORED_TABLES) — and, on the first write to a table
  in a transaction, replaces that table's token with
  a new random one *in the same transaction*. The token becomes visible exactly when the rows do
  and disappears with them on rollback. (Textual SQL via `text()` is not seen; the app writes none.)
- `cached(session, func, *args)` reads the tokens of the tables `func` depends on (one small
  SELECT), and looks up `(func, database, arguments incl. the user's scope and today, tokens)` in
  a per-process LRU. Tokens are read *before* computing, so a result is never stored under a
  newer token than the data it saw.
- Tokens are random rather than counted up, so a token that was rolled back, or lost when the
  table was emptied, is never seen again with other data behind it. A transaction that has
  written (and so sees its own uncommitted rows) computes without storing.

Each gunicorn worker keeps its own cache in memory; behind it, services/stats_store.py shares
results between the workers of one machine, so a result is computed once per change, by one
worker, while the others wait for it.
"""

from __future__ import annotations

import dataclasses
import enum
import os
import secrets
import threading
import weakref
from collections import OrderedDict
from datetime import date, datetime

from flask import current_app, has_app_context
from sqlalchemy import bindparam, event, inspect, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session
from sqlalchemy.sql.dml import UpdateBase

from kotaku_collab.models import Base, DataVersion
from kotaku_collab.services import stats_store

#: Tables whose writes never change an aggregate: bookkeeping, secrets and the tokens themselves.
IGNORED_TABLES = frozenset({"data_versions", "audit_events", "notifications", "api_tokens",
                            "users", "user_regions", "alembic_version"})
#: What the reviewer dashboard (services/review.py dashboard_data) reads.
DASHBOARD_TABLES = ("workshops", "registrations", "people", "organisations", "strategic_issues",
                    "issue_aspects", "coordination_mechanisms", "mechanism_meetings",
                    "agreement_points", "commitments", "commitment_updates", "commitment_issues",
                    "verifications", "regions")
MAX_ENTRIES = 256
_TOUCHED = "stats_cache_touched"

_entries: OrderedDict = OrderedDict()
_ready: "weakref.WeakKeyDictionary[Engine, bool]" = weakref.WeakKeyDictionary()
_WATCHED: frozenset | None = None
_lock = threading.Lock()


# --- Versions ---------------------------------------------------------------------------------


def _new_token() -> int:
    return secrets.randbits(62)


#: The token upsert, as driver SQL: it runs inside every writing transaction (on SQLite while
#: the write lock is held), so it skips building and compiling a statement each time.
#: `excluded.version` is the row proposed for insertion (SQLite ≥ 3.24 and PostgreSQL alike).
_BUMP_SQL = ("INSERT INTO data_versions (table_name, version) VALUES ({0}, {0}) "
             "ON CONFLICT (table_name) DO UPDATE SET version = excluded.version")
_BUMP_BY_PARAMSTYLE = {"qmark": _BUMP_SQL.format("?"), "format": _BUMP_SQL.format("%s"),
                       "pyformat": _BUMP_SQL.format("%s")}


def _bump(connection, table_name: str) -> None:
    statement = _BUMP_BY_PARAMSTYLE.get(connection.dialect.paramstyle)
    if statement is None:  # pragma: no cover - the app supports SQLite and PostgreSQL only
        raise RuntimeError(f"stats_cache does not support {connection.dialect.name}")
    connection.exec_driver_sql(statement, (table_name, _new_token()))


def _has_versions(connection) -> bool:
    """Whether this database has the data_versions table yet (not while migrations before 0005
    run); remembered per engine once it does."""
    engine = connection.engine
    if _ready.get(engine):
        return True
    present = inspect(connection).has_table(DataVersion.__tablename__)
    if present:
        _ready[engine] = True
    return present


def _after_execute(connection, clauseelement, multiparams, params, execution_options, result):
    if not isinstance(clauseelement, UpdateBase):
        return
    name = getattr(getattr(clauseelement, "table", None), "name", None)
    if name not in _watched():
        return
    touched = connection.info.setdefault(_TOUCHED, set())
    if name not in touched and _has_versions(connection):
        touched.add(name)
        _bump(connection, name)


def _watched() -> frozenset:
    global _WATCHED
    if _WATCHED is None:
        _WATCHED = frozenset(Base.metadata.tables) - IGNORED_TABLES
    return _WATCHED


def _end_transaction(connection, *args) -> None:
    connection.info.pop(_TOUCHED, None)


def install() -> None:
    """Listen on every engine (idempotent; create_app calls it)."""
    for name, handler in (("after_execute", _after_execute), ("commit", _end_transaction),
                          ("rollback", _end_transaction),
                          ("rollback_savepoint", _end_transaction)):
        if not event.contains(Engine, name, handler):
            event.listen(Engine, name, handler)


_VERSIONS = (select(DataVersion.table_name, DataVersion.version)
             .where(DataVersion.table_name.in_(bindparam("names", expanding=True))))


def versions(session: Session, tables) -> tuple:
    """The current token of each table (0 for a table never written since it was created)."""
    rows = dict(session.execute(_VERSIONS, {"names": list(tables)}).all())
    return tuple(rows.get(name, 0) for name in tables)


# --- The cache ----------------------------------------------------------------------------------


def key_part(value):
    """A hashable stand-in for an argument: users by their scope, dataclasses by their fields."""
    from kotaku_collab.models import User

    if isinstance(value, User):
        return ("user", value.role.value, bool(value.is_national), tuple(value.region_codes),
                value.organisation_id)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return (type(value).__qualname__,) + tuple(
            (f.name, key_part(getattr(value, f.name))) for f in dataclasses.fields(value))
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if isinstance(value, (list, tuple, set, frozenset)):
        return tuple(key_part(v) for v in value)
    if isinstance(value, dict):
        return tuple(sorted((k, key_part(v)) for k, v in value.items()))
    try:
        hash(value)
    except TypeError:
        return ("repr", repr(value))
    return value


def cached(session: Session, func, *args, tables=DASHBOARD_TABLES, **kwargs):
    """`func(session, *args, **kwargs)`, reused until a row of `tables` changes: from this
    process's memory, else from the store shared by the machine's workers (computed there by
    one worker while the others wait)."""
    tokens = versions(session, tables)
    url = session.get_bind().url.render_as_string()
    args_key, kwargs_key = key_part(args), key_part(kwargs)
    key = (func, url, args_key, kwargs_key, tuple(tables), tokens)
    with _lock:
        if key in _entries:
            _entries.move_to_end(key)
            return _entries[key]
    store = _store()
    if store is None:
        result = func(session, *args, **kwargs)
    else:
        name = stats_store.call_name(func, url, args_key, kwargs_key, tables)
        result = store.load(name, tokens)
        if result is stats_store.MISSING:
            with store.computing(name):
                result = store.load(name, tokens)  # another worker may have just finished
                if result is stats_store.MISSING:
                    result = func(session, *args, **kwargs)
                    if not wrote_in_transaction(session):
                        store.save(name, tokens, result)
    if wrote_in_transaction(session):
        return result  # computed from this transaction's own uncommitted writes
    with _lock:
        _entries[key] = result
        while len(_entries) > MAX_ENTRIES:
            _entries.popitem(last=False)
    return result


def init_app(app) -> None:
    """Open the shared store: STATS_CACHE_DIR, default instance/stats-cache ("" turns it off)."""
    directory = app.config.get("STATS_CACHE_DIR")
    if directory is None:
        directory = os.path.join(app.instance_path, "stats-cache")
    app.extensions["kotaku_stats_store"] = (
        stats_store.StatsStore(directory, app.secret_key) if directory else None)


def _store() -> stats_store.StatsStore | None:
    return current_app.extensions.get("kotaku_stats_store") if has_app_context() else None


def wrote_in_transaction(session: Session) -> bool:
    """Whether the session's transaction has written to a watched table (and so sees rows that
    others may never see: nothing computed from them may be cached)."""
    return bool(session.connection().info.get(_TOUCHED))


def clear() -> None:
    """Forget every cached result, in memory and in the shared store (tests; never needed for
    correctness)."""
    with _lock:
        _entries.clear()
    store = _store()
    if store is not None:
        store.clear()
