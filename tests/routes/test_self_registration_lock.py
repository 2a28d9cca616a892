"""Self-registration holds SQLite's write lock for the registration's own statements only,
writes each row once, and keeps the session cookie small."""

import pytest
from sqlalchemy import event, select

from kotaku_collab.models import AuditEvent, Registration, RegistrationStatus
from kotaku_collab.registration.routes import REMEMBERED_REGISTRATIONS
from tests import factories
from tests.routes.test_self_registration import form


@pytest.fixture
def code(db):
    """A workshop with one seat, by its public code; the test's own transaction is ended
    (requests share the test's session, so one left open would be theirs)."""
    code = factories.make_workshop("51.05", capacity=1).code
    db.session.commit()
    return code


@pytest.fixture
def statements(db):
    """Every statement the engine runs, with "COMMIT" and "ROLLBACK" where transactions end."""
    if db.engine.dialect.name != "sqlite":
        pytest.skip("SQLite's begin modes")
    seen: list[str] = []

    def record(conn, cursor, statement, *args):
        seen.append(statement.split()[0] + (" " + statement.split()[1]
                                            if statement.startswith("BEGIN") else ""))

    listeners = [("before_cursor_execute", record),
                 ("commit", lambda conn: seen.append("COMMIT")),
                 ("rollback", lambda conn: seen.append("ROLLBACK"))]
    for name, listener in listeners:
        event.listen(db.engine, name, listener)
    yield seen
    for name, listener in listeners:
        event.remove(db.engine, name, listener)


def _write_transactions(seen: list[str]) -> list[list[str]]:
    transactions, current = [], None
    for statement in seen:
        if statement == "BEGIN IMMEDIATE":
            current = []
        elif statement in ("COMMIT", "ROLLBACK") and current is not None:
            transactions.append(current)
            current = None
        elif current is not None:
            current.append(statement)
    return transactions


def test_a_registration_takes_the_write_lock_once_and_only_to_write(client, code, statements):
    response = client.post(f"/w/{code}/register", data=form())
    assert response.status_code == 302
    assert statements[0] == "BEGIN DEFERRED"  # the workshop is read before the lock is taken
    writes = _write_transactions(statements)
    assert len(writes) == 1
    assert statements[-1] == "COMMIT"  # nothing is read back after the commit
    assert {"INSERT", "UPDATE"} <= set(writes[0])
    # Under the lock: the workshop's seat state and the person by e-mail; the organisation's
    # registry entry is looked up before (it is created under the lock only when it is new).
    assert writes[0].count("SELECT") == 3  # with the new organisation's check


def test_a_known_organisation_is_not_looked_up_under_the_lock(client, db, statements):
    code = factories.make_workshop("51.05", capacity=5).code
    db.session.commit()
    client.post(f"/w/{code}/register", data=form(email="first@example.org"))
    before = len(statements)
    client.post(f"/w/{code}/register", data=form(email="second@example.org"))
    writes = _write_transactions(statements[before:])
    assert len(writes) == 1 and writes[0].count("SELECT") == 2


def test_a_closed_workshop_never_takes_the_write_lock(client, db, statements):
    workshop = factories.make_workshop("51.05", capacity=5)
    workshop.registration_closes_at = workshop.starts_at.replace(year=2000)
    code = workshop.code
    db.session.commit()
    before = len(statements)
    response = client.post(f"/w/{code}/register", data=form())
    assert response.status_code == 200
    assert "closed" in response.get_data(as_text=True)
    assert "BEGIN IMMEDIATE" not in statements[before:]
    assert db.session.scalars(select(Registration)).all() == []


def test_a_refused_form_never_takes_the_write_lock(client, code, statements):
    response = client.post(f"/w/{code}/register", data=form(phone="12345"))
    assert response.status_code == 200 and "not a valid phone number" in response.get_data(
        as_text=True)
    assert "BEGIN IMMEDIATE" not in statements


def test_a_full_workshop_waitlists_without_trying_for_a_seat(client, code, statements):
    """The seat count read under the lock says the one seat is gone: no seat UPDATE is tried
    (and no count read again); the waiting list's next place is the one extra SELECT."""
    client.post(f"/w/{code}/register", data=form(email="first@example.org"))
    first = _write_transactions(statements)[-1]
    before = len(statements)
    client.post(f"/w/{code}/register", data=form(email="second@example.org"))
    writes = _write_transactions(statements[before:])
    assert len(writes) == 1
    assert "UPDATE" in first and "UPDATE" not in writes[0]
    assert writes[0].count("SELECT") == 3  # seat state, person by e-mail, next waiting place


def test_a_waitlisted_registration_is_written_once_with_its_place(client, code, db):
    client.post(f"/w/{code}/register", data=form(email="first@example.org"))
    client.post(f"/w/{code}/register", data=form(email="second@example.org"))
    second = db.session.scalars(select(Registration).order_by(Registration.id.desc())).first()
    assert (second.status, second.waitlist_position) == (RegistrationStatus.WAITLISTED, 1)
    events = db.session.scalars(select(AuditEvent).where(
        AuditEvent.entity_type == "Registration", AuditEvent.entity_id == second.id)).all()
    assert [(e.action, e.changes["status"], e.changes["waitlist_position"]) for e in events] == [
        ("create", "waitlisted", 1)]


def test_a_browser_remembers_only_its_latest_registrations(client, db):
    code = factories.make_workshop("51.05", capacity=50).code
    db.session.commit()
    locations = [client.post(f"/w/{code}/register",
                             data=form(email=f"p{i}@example.org")).headers["Location"]
                 for i in range(REMEMBERED_REGISTRATIONS + 3)]
    assert len(client.get_cookie("kotaku_session").value) < 1000
    statuses = [client.get(location).status_code for location in locations]
    assert statuses == [404] * 3 + [200] * REMEMBERED_REGISTRATIONS
