"""Capacity races through real server processes: gunicorn with 4 workers on the test database
(SQLite in the first pass, PostgreSQL in the second)."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path
from types import SimpleNamespace

import pytest
from sqlalchemy import func, select, text

from kotaku_collab.models import Registration, RegistrationStatus, Workshop
from tests import factories

ROOT = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.slow


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def server(database_url, tmp_path, db):
    """gunicorn -w 4 serving the test config on the test database."""
    port = _free_port()
    log = tmp_path / "gunicorn.log"
    env = {**os.environ, "KOTAKU_ENV": "test", "TEST_DATABASE_URL": database_url,
           "PYTHONPATH": str(ROOT)}
    with log.open("w") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-w", "4", "-b", f"127.0.0.1:{port}",
             "--timeout", "60", "kotaku_collab:create_app('test')"],
            cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(base + "/healthz", timeout=1)
            break
        except OSError:
            time.sleep(0.2)
    else:
        os.killpg(process.pid, signal.SIGKILL)
        pytest.fail("gunicorn did not start:\n" + log.read_text())
    yield SimpleNamespace(base=base, log=log, process=process)
    try:
        os.killpg(process.pid, signal.SIGTERM)
    except ProcessLookupError:  # already killed by the test
        pass
    process.wait(timeout=20)


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def _post_all(url: str, forms: list[dict]) -> list[int]:
    """POST every form at the same moment (threads released by a barrier); return statuses."""
    opener = urllib.request.build_opener(NoRedirect)
    barrier = threading.Barrier(len(forms))
    statuses: list[int] = [0] * len(forms)

    def send(i: int, data: dict) -> None:
        body = urllib.parse.urlencode(data).encode()
        barrier.wait()
        try:
            statuses[i] = opener.open(url, data=body, timeout=60).status
        except urllib.error.HTTPError as error:
            statuses[i] = error.code
        except OSError:
            statuses[i] = -1

    threads = [threading.Thread(target=send, args=(i, f)) for i, f in enumerate(forms)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return statuses


def _published_workshop(db, capacity: int) -> tuple[int, str]:
    """Create the workshop and end the test's own transaction: on SQLite an open transaction in
    this process would hold the write lock the server processes are waiting for."""
    workshop = factories.make_workshop("51.05", capacity=capacity)
    ids = workshop.id, workshop.code
    db.session.commit()
    db.session.close()
    return ids


def _form(email: str) -> dict:
    return {"name": "Peserta Uji", "organisation": "BKM Uji", "sector": "masyarakat",
            "phone": "081234567890", "email": email, "gender": "L", "consent": "y"}


def test_200_simultaneous_registrations_never_oversell_40_seats(server, db):
    base, log = server.base, server.log
    workshop_id, code = _published_workshop(db, 40)
    statuses = _post_all(f"{base}/w/{code}/register",
                         [_form(f"p{i}@example.org") for i in range(200)])
    assert all(s in (200, 302) for s in statuses), sorted(set(statuses))
    db.session.expire_all()
    counts = dict(db.session.execute(
        select(Registration.status, func.count()).where(Registration.workshop_id == workshop_id)
        .group_by(Registration.status)).all())
    assert counts == {RegistrationStatus.CONFIRMED: 40, RegistrationStatus.WAITLISTED: 160}
    assert db.session.get(Workshop, workshop_id).seats_taken == 40
    positions = db.session.scalars(select(Registration.waitlist_position).where(
        Registration.status == RegistrationStatus.WAITLISTED)).all()
    assert sorted(positions) == list(range(1, 161))
    assert "database is locked" not in log.read_text()


def test_the_same_email_posted_ten_times_at_once_makes_one_registration(server, db):
    base = server.base
    workshop_id, code = _published_workshop(db, 40)
    statuses = _post_all(f"{base}/w/{code}/register",
                         [_form("sama@example.org") for _ in range(10)])
    assert all(s in (200, 302) for s in statuses), statuses
    db.session.expire_all()
    assert db.session.scalar(select(func.count(Registration.id))) == 1
    assert db.session.get(Workshop, workshop_id).seats_taken == 1


def test_kill_9_during_registrations_loses_no_acknowledged_write(server, db):
    """The server is killed mid-load; every registration that got its redirect is stored, and
    the seat counter still matches the confirmed registrations."""
    base = server.base
    workshop_id, code = _published_workshop(db, 500)
    acknowledged: list[str] = []
    stop = threading.Event()
    opener = urllib.request.build_opener(NoRedirect)

    def client(n: int) -> None:
        i = 0
        while not stop.is_set():
            body = urllib.parse.urlencode(_form(f"k{n}-{i}@example.org")).encode()
            i += 1
            try:
                opener.open(f"{base}/w/{code}/register", data=body, timeout=10)
            except urllib.error.HTTPError as response:
                if response.code == 302:
                    acknowledged.append(response.headers["Location"].rsplit("/", 1)[-1])
            except OSError:
                return

    threads = [threading.Thread(target=client, args=(n,)) for n in range(16)]
    for t in threads:
        t.start()
    # Kill mid-load: once some writes were acknowledged (at most 20 s on a slow machine), after
    # a further moment in which more are in flight.
    deadline = time.monotonic() + 20
    while len(acknowledged) < 10 and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(0.5)
    os.killpg(server.process.pid, signal.SIGKILL)
    stop.set()
    for t in threads:
        t.join()
    assert acknowledged, "no registration was acknowledged before the kill"
    db.session.expire_all()
    stored = set(db.session.scalars(select(Registration.code).where(
        Registration.workshop_id == workshop_id)))
    assert set(acknowledged) <= stored
    confirmed = db.session.scalar(select(func.count(Registration.id)).where(
        Registration.workshop_id == workshop_id, Registration.status == RegistrationStatus.CONFIRMED))
    assert db.session.get(Workshop, workshop_id).seats_taken == confirmed <= 500
    if db.engine.dialect.name == "sqlite":
        assert db.session.execute(text("PRAGMA integrity_check")).scalar() == "ok"
        assert db.session.execute(text("PRAGMA foreign_key_check")).all() == []
