"""The store shared by a machine's workers: one computation per change, signed files only."""

import pickle
import threading
import time
from datetime import date

import pytest
from sqlalchemy import func, select

from kotaku_collab.models import Commitment, Role
from kotaku_collab.services import stats_cache, stats_store
from kotaku_collab.services.stats_store import StatsStore
from tests import factories

TODAY = date(2026, 12, 2)


@pytest.fixture
def store(app, db, tmp_path, monkeypatch):
    shared = StatsStore(tmp_path / "stats-cache", app.secret_key)
    monkeypatch.setitem(app.extensions, "kotaku_stats_store", shared)
    stats_cache.clear()
    yield shared
    stats_cache.clear()


class Counter:
    def __init__(self):
        self.calls = 0

    def __call__(self, session, user, day):
        self.calls += 1
        return session.scalar(select(func.count()).select_from(Commitment))


def count_commitments(session, user, day):  # module level: the same name in every process
    return COUNTER(session, user, day)


COUNTER = Counter()


def forget_memory():
    """What another worker process sees: nothing in its own memory."""
    with stats_cache._lock:
        stats_cache._entries.clear()


@pytest.fixture
def reviewer(db):
    organisation = factories.make_organisation()
    factories.make_commitment(organisation, factories.make_workshop())
    user = factories.make_user(Role.REVIEWER, is_national=True)
    db.session.commit()
    COUNTER.calls = 0
    return user


def test_another_worker_reads_the_result_instead_of_computing(db, store, reviewer):
    assert stats_cache.cached(db.session, count_commitments, reviewer, TODAY) == 1
    forget_memory()
    assert stats_cache.cached(db.session, count_commitments, reviewer, TODAY) == 1
    assert COUNTER.calls == 1
    assert len(list(store.directory.glob("*.pickle"))) == 1


def test_a_change_is_computed_again_and_replaces_the_file(db, store, reviewer):
    stats_cache.cached(db.session, count_commitments, reviewer, TODAY)
    factories.make_commitment(factories.make_organisation(), factories.make_workshop())
    db.session.commit()
    forget_memory()
    assert stats_cache.cached(db.session, count_commitments, reviewer, TODAY) == 2
    assert COUNTER.calls == 2
    assert len(list(store.directory.glob("*.pickle"))) == 1


class Explodes:
    def __reduce__(self):
        return (pytest.fail, ("an unsigned file was unpickled",))


def test_a_file_not_signed_with_the_apps_key_is_never_unpickled(db, store, reviewer):
    stats_cache.cached(db.session, count_commitments, reviewer, TODAY)
    (path,) = store.directory.glob("*.pickle")
    path.write_bytes(b"\0" * 32 + pickle.dumps(((), Explodes())))
    forget_memory()
    assert stats_cache.cached(db.session, count_commitments, reviewer, TODAY) == 1
    assert COUNTER.calls == 2
    other_key = StatsStore(store.directory, "another-secret-key-0123456789abcdef")
    assert other_key.load(path.stem, stats_cache.versions(
        db.session, stats_cache.DASHBOARD_TABLES)) is stats_store.MISSING


def test_one_worker_computes_while_the_other_waits(tmp_path):
    shared = StatsStore(tmp_path, "secret-0123456789abcdef0123456789")
    entered, waited = threading.Event(), []

    def first():
        with shared.computing("call"):
            entered.set()
            time.sleep(0.3)
            shared.save("call", (1,), "result")

    thread = threading.Thread(target=first)
    thread.start()
    entered.wait(5)
    started = time.monotonic()
    with shared.computing("call"):
        waited.append(time.monotonic() - started)
        assert shared.load("call", (1,)) == "result"
    thread.join()
    assert waited[0] >= 0.2
    assert shared.load("call", (2,)) is stats_store.MISSING
