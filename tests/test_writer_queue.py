"""database.sqlite_writer_queue: one writer at a time per SQLite file, across threads and
processes, and nothing at all on other engines."""

from __future__ import annotations

import fcntl
import multiprocessing
import os
import threading
import time

from sqlalchemy import create_engine

from kotaku_collab.database import sqlite_writer_queue


def _try_lock(path: str, result) -> None:
    """In another process: can the queue file be locked right now?"""
    descriptor = os.open(path, os.O_RDWR)
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        result.value = 0
    else:
        result.value = 1
    finally:
        os.close(descriptor)


def test_another_process_waits_while_a_writer_is_queued(tmp_path):
    engine = create_engine(f"sqlite:///{tmp_path / 'app.db'}")
    queue_file = str(tmp_path / "app.db-writers")
    context = multiprocessing.get_context("fork")
    for inside, expected in ((True, 0), (False, 1)):
        result = context.Value("i", -1)
        if inside:
            with sqlite_writer_queue(engine):
                child = context.Process(target=_try_lock, args=(queue_file, result))
                child.start()
                child.join(10)
        else:
            child = context.Process(target=_try_lock, args=(queue_file, result))
            child.start()
            child.join(10)
        assert result.value == expected


def test_threads_of_one_process_take_turns(tmp_path):
    engine = create_engine(f"sqlite:///{tmp_path / 'app.db'}")
    inside, most_inside = [0], [0]
    guard = threading.Lock()

    def writer():
        for _ in range(20):
            with sqlite_writer_queue(engine):
                with guard:
                    inside[0] += 1
                    most_inside[0] = max(most_inside[0], inside[0])
                time.sleep(0.0005)
                with guard:
                    inside[0] -= 1

    threads = [threading.Thread(target=writer) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert most_inside[0] == 1


def test_no_queue_file_for_memory_databases_or_other_engines(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    for url in ("sqlite://", "sqlite:///:memory:",
                "postgresql+psycopg://user@127.0.0.1/none"):
        with sqlite_writer_queue(create_engine(url)):
            pass
    assert list(tmp_path.iterdir()) == []
