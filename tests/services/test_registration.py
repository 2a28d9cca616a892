"""Seats, waiting list, promotion, duplicates, cancel links and attendance states."""

from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from kotaku_collab.models import (AttendanceStatus, Notification, NotificationKind,
                                  ParticipantRole, Registration, RegistrationStatus, Sector,
                                  WorkshopStatus)
from kotaku_collab.services import DomainError
from kotaku_collab.services.registration import (cancel_registration, cancel_with_token,
                                                 find_or_create_by_email, record_attendance,
                                                 register_person, self_registration_state)
from kotaku_collab.services.scheduling import WorkshopInput, update_workshop
from kotaku_collab.services.scheduling import to_local_naive
from tests import factories


def register(db, for_workshop, email, role=ParticipantRole.PESERTA, **kwargs):
    org = factories.make_organisation(sector=kwargs.pop("sector", Sector.PEMERINTAH))
    finder = find_or_create_by_email(name=email.split("@")[0], email=email, organisation=org)
    return register_person(db.session, for_workshop.id, finder, role=role, organisation=org,
                           **kwargs)


def test_register_goes_to_waitlist_when_full(db):
    workshop = factories.make_workshop(capacity=2)
    a = register(db, workshop, "a@example.org")
    b = register(db, workshop, "b@example.org")
    c = register(db, workshop, "c@example.org")
    d = register(db, workshop, "d@example.org")
    assert [r.registration.status for r in (a, b, c, d)] == [
        RegistrationStatus.CONFIRMED, RegistrationStatus.CONFIRMED,
        RegistrationStatus.WAITLISTED, RegistrationStatus.WAITLISTED]
    assert (c.registration.waitlist_position, d.registration.waitlist_position) == (1, 2)
    assert workshop.seats_taken == 2


def test_speakers_and_committee_do_not_take_seats(db):
    workshop = factories.make_workshop(capacity=1)
    register(db, workshop, "narasumber@example.org", role=ParticipantRole.NARASUMBER)
    register(db, workshop, "panitia@example.org", role=ParticipantRole.PANITIA)
    guest = register(db, workshop, "tamu@example.org", role=ParticipantRole.UNDANGAN)
    assert guest.registration.status is RegistrationStatus.CONFIRMED
    assert workshop.seats_taken == 1
    late = register(db, workshop, "peserta@example.org")
    assert late.registration.status is RegistrationStatus.WAITLISTED


def test_registering_twice_returns_the_same_registration(db):
    workshop = factories.make_workshop()
    first = register(db, workshop, "sama@example.org")
    again = register(db, workshop, "SAMA@example.org")
    assert again.created is False and again.registration.id == first.registration.id
    assert workshop.seats_taken == 1
    assert db.session.scalars(select(Registration)).all() == [first.registration]


def test_cancellation_promotes_the_first_in_line_and_tells_them(db):
    workshop = factories.make_workshop(capacity=1)
    seated = register(db, workshop, "a@example.org").registration
    first = register(db, workshop, "b@example.org").registration
    second = register(db, workshop, "c@example.org").registration
    promoted = cancel_registration(db.session, seated)
    assert promoted is first
    assert first.status is RegistrationStatus.CONFIRMED and first.waitlist_position is None
    assert second.status is RegistrationStatus.WAITLISTED
    assert seated.status is RegistrationStatus.CANCELLED
    assert workshop.seats_taken == 1
    note = db.session.scalars(select(Notification)).one()
    assert note.kind is NotificationKind.WAITLIST_PROMOTED and note.email == "b@example.org"
    assert first.code in note.body
    assert cancel_registration(db.session, seated) is None  # cancelling twice changes nothing


def test_cancelling_a_waitlisted_person_frees_no_seat(db):
    workshop = factories.make_workshop(capacity=1)
    register(db, workshop, "a@example.org")
    waiting = register(db, workshop, "b@example.org").registration
    assert cancel_registration(db.session, waiting) is None
    assert workshop.seats_taken == 1


def test_raising_capacity_seats_people_from_the_waiting_list(db):
    workshop = factories.make_workshop(capacity=1, status=WorkshopStatus.DRAFT)
    register(db, workshop, "a@example.org")
    waiting = register(db, workshop, "b@example.org").registration
    tz = workshop.region.timezone
    update_workshop(db.session, workshop, WorkshopInput(
        title=workshop.title, kind=workshop.kind, region_code=workshop.region_code,
        venue=workshop.venue, starts_local=to_local_naive(workshop.starts_at, tz),
        ends_local=to_local_naive(workshop.ends_at, tz), capacity=2))
    assert waiting.status is RegistrationStatus.CONFIRMED
    assert workshop.seats_taken == 2


def test_self_registration_refused_when_closed_cancelled_or_not_yet_open(db):
    now = datetime.now(timezone.utc)
    closed = factories.make_workshop(registration_closes_at=now - timedelta(hours=1),
                                     registration_opens_at=now - timedelta(days=3))
    cancelled = factories.make_workshop(status=WorkshopStatus.CANCELLED)
    early = factories.make_workshop(registration_opens_at=now + timedelta(days=1))
    draft = factories.make_workshop(status=WorkshopStatus.DRAFT)
    for workshop in (closed, cancelled, early, draft):
        assert self_registration_state(workshop)
        with pytest.raises(DomainError):
            register(db, workshop, "x@example.org", self_registered=True)
    assert db.session.scalars(select(Registration)).all() == []


def test_organiser_can_register_walk_ins_on_the_day(db):
    now = datetime.now(timezone.utc)
    held = factories.make_workshop(status=WorkshopStatus.HELD, starts_at=now - timedelta(hours=1))
    assert register(db, held, "walkin@example.org").registration.status is RegistrationStatus.CONFIRMED
    finalised = factories.make_workshop(status=WorkshopStatus.FINALISED)
    with pytest.raises(DomainError):
        register(db, finalised, "late@example.org")


def test_cancel_link_needs_the_right_token(db):
    workshop = factories.make_workshop()
    result = register(db, workshop, "a@example.org", self_registered=True)
    code = result.registration.code
    with pytest.raises(DomainError):
        cancel_with_token(db.session, workshop, code, "wrong-token")
    with pytest.raises(DomainError):
        cancel_with_token(db.session, workshop, "NOPE", result.cancel_token)
    assert result.registration.status is RegistrationStatus.CONFIRMED
    cancel_with_token(db.session, workshop, code, result.cancel_token)
    assert result.registration.status is RegistrationStatus.CANCELLED
    assert workshop.seats_taken == 0


@pytest.mark.parametrize("state", list(AttendanceStatus))
def test_attendance_states(db, state):
    workshop = factories.make_workshop()
    registration = factories.make_registration(workshop)
    record_attendance(db.session, registration, state, delegate_name="Made Delegasi")
    assert registration.attendance is state
    present = state in (AttendanceStatus.HADIR, AttendanceStatus.DIWAKILI)
    assert (registration.checked_in_at is not None) == present
    assert registration.delegate_name == ("Made Delegasi" if state is AttendanceStatus.DIWAKILI else None)


def test_represented_needs_a_delegate_name(db):
    registration = factories.make_registration(factories.make_workshop())
    with pytest.raises(DomainError) as error:
        record_attendance(db.session, registration, AttendanceStatus.DIWAKILI, delegate_name=" ")
    assert error.value.field == "delegate_name"


def test_sector_is_snapshotted_from_the_organisation(db):
    workshop = factories.make_workshop()
    result = register(db, workshop, "baznas@example.org", sector=Sector.FILANTROPI)
    assert result.registration.sector is Sector.FILANTROPI


def test_a_workshop_loaded_before_the_lock_is_judged_by_its_state_under_the_lock(db):
    """A self-registration reads the workshop before it takes the write lock; what changed in
    between (closed, seats taken by others) is read again under the lock."""
    from sqlalchemy import update

    from kotaku_collab.models import Workshop

    workshop = factories.make_workshop(capacity=3)
    db.session.commit()
    loaded = db.session.get(Workshop, workshop.id)
    assert loaded.seats_taken == 0
    # Another request fills the workshop meanwhile (the loaded object does not see it).
    db.session.execute(update(Workshop).where(Workshop.id == workshop.id)
                       .values(seats_taken=3).execution_options(synchronize_session=False))
    result = register(db, workshop, "late@example.org", workshop=loaded)
    assert result.registration.status is RegistrationStatus.WAITLISTED
    assert loaded.seats_taken == 3
    db.session.execute(update(Workshop).where(Workshop.id == workshop.id)
                       .values(status=WorkshopStatus.CANCELLED)
                       .execution_options(synchronize_session=False))
    with pytest.raises(DomainError):
        register(db, workshop, "later@example.org", workshop=loaded, self_registered=True)
    assert loaded.status is WorkshopStatus.CANCELLED
