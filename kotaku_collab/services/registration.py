"""Registering people for workshops: seats, the waiting list, cancellation and attendance.

Never oversell. Every change that may take or free a seat first locks the workshop row
(`SELECT … FOR UPDATE` on PostgreSQL; on SQLite the request's `BEGIN IMMEDIATE` already holds
the database's write lock, see database.py), and the seat itself is taken with a conditional
UPDATE that the database refuses past capacity (plus a CHECK constraint as the last guard).
Person look-up and creation happen after the lock, so two simultaneous submissions of the same
e-mail cannot create two registrations.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime

from flask_babel import force_locale
from sqlalchemy import bindparam, func, inspect, select, update
from sqlalchemy.orm import Session, joinedload
from sqlalchemy.orm.attributes import set_committed_value

from kotaku_collab.audit import record_created
from kotaku_collab.database import insert_row
from kotaku_collab.i18n import _, format_local_datetime
from kotaku_collab.models import (AttendanceStatus, NotificationKind, Organisation,
                                  ParticipantRole, Person, Region, Registration,
                                  RegistrationStatus, Workshop, WorkshopStatus, utc_now)
from kotaku_collab.services import DomainError
from kotaku_collab.services.notifications import MESSAGE_LOCALE, queue_notification
from kotaku_collab.services.people import insert_person
from kotaku_collab.services.public import (VISIBLE_STATUSES, RegistrationState,
                                           registration_state)

#: Organisers may still add people (e.g. walk-ins) in these states; the public only while open.
ORGANISER_OPEN = (WorkshopStatus.DRAFT, WorkshopStatus.PUBLISHED,
                  WorkshopStatus.REGISTRATION_CLOSED, WorkshopStatus.HELD)


@dataclass
class RegistrationResult:
    registration: Registration
    #: False when the person was already registered (a retried or repeated submission).
    created: bool
    #: The secret for the self-service cancel link; only known right after creation.
    cancel_token: str | None = None


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


# Statements of a self-registration, built once: every registration in the country runs them,
# on SQLite while it holds the write lock, and building an ORM statement costs more than
# running it. Those that need no ORM object are Core statements run on the session's
# connection, which skips the session's execution path (and its autoflush: nothing is pending
# when they run, the rows a registration writes are written at once by insert_row).
_WORKSHOPS = Workshop.__table__
_PEOPLE = Person.__table__
_LOCK_WORKSHOP = (select(Workshop).options(joinedload(Workshop.region))
                  .where(Workshop.id == bindparam("workshop_id")).with_for_update(of=Workshop)
                  .execution_options(populate_existing=True))
_TAKE_SEAT = (update(_WORKSHOPS).where(_WORKSHOPS.c.id == bindparam("workshop_id"),
                                       _WORKSHOPS.c.seats_taken < _WORKSHOPS.c.capacity)
              .values(seats_taken=_WORKSHOPS.c.seats_taken + 1)
              .returning(_WORKSHOPS.c.seats_taken))
#: The workshop and its region as two entities of one row: cheaper than joinedload, whose
#: loader walks every relationship of Region for each row.
_WORKSHOP_BY_CODE = (select(Workshop, Region).join(Workshop.region)
                     .where(Workshop.code == bindparam("code"),
                            Workshop.status.in_(VISIBLE_STATUSES)))
#: What registering judges a workshop by (registration_state, take_seat), read under the lock.
SEAT_STATE_COLUMNS = ("status", "ends_at", "registration_opens_at", "registration_closes_at",
                      "seats_taken", "capacity")
_LOCK_SEAT_STATE = (select(*(_WORKSHOPS.c[key] for key in SEAT_STATE_COLUMNS))
                    .where(_WORKSHOPS.c.id == bindparam("workshop_id")).with_for_update())
_PERSON_ID_BY_EMAIL = (select(_PEOPLE.c.id).where(_PEOPLE.c.email == bindparam("email"))
                       .order_by(_PEOPLE.c.id).limit(1))


def lock_workshop(session: Session, workshop_id: int) -> Workshop:
    """Serialise seat changes for one workshop until the transaction ends. The region comes
    with it: refreshing the row drops the loaded one, and the messages need its time zone."""
    workshop = session.scalar(_LOCK_WORKSHOP, {"workshop_id": workshop_id})
    if workshop is None:
        raise DomainError(_("The workshop no longer exists."))
    return workshop


def lock_loaded_workshop(session: Session, workshop: Workshop) -> Workshop:
    """lock_workshop for a workshop already loaded with its region (a self-registration reads
    it before it takes SQLite's write lock): locks the row and reads again only what
    registering judges by (status, registration window, seats)."""
    row = session.connection().execute(_LOCK_SEAT_STATE, {"workshop_id": workshop.id}).first()
    if row is None:
        raise DomainError(_("The workshop no longer exists."))
    for key, value in zip(SEAT_STATE_COLUMNS, row):
        set_committed_value(workshop, key, value)
    return workshop


def workshop_for_registration(session: Session, code: str) -> Workshop | None:
    """The public workshop behind a registration link, with only its region: what the form,
    the confirmation and the e-mails show (`public_workshop` also loads the programme and the
    organisers, for the public page)."""
    code = (code or "").strip().upper()
    if not code or len(code) > 16:
        return None
    row = session.execute(_WORKSHOP_BY_CODE, {"code": code}).first()
    if row is None:
        return None
    workshop, region = row
    set_committed_value(workshop, "region", region)
    return workshop


def self_registration_state(workshop: Workshop, now: datetime | None = None) -> str | None:
    """Why the public cannot register now, or None when they can."""
    state = registration_state(workshop, now or utc_now())
    if state is RegistrationState.OPEN:
        return None
    if state is RegistrationState.CANCELLED:
        return _("This workshop has been cancelled.")
    if state is RegistrationState.NOT_YET_OPEN:
        return _("Registration has not opened yet.")
    return _("Registration for this workshop is closed.")


def take_seat(session: Session, workshop: Workshop) -> bool:
    """Take one seat with a conditional UPDATE; False when the workshop is full.

    The workshop must be locked (lock_workshop, lock_loaded_workshop): its seat count was read
    under the lock, so a workshop it shows full is full and needs no statement (on a popular
    workshop, every registration after the last seat goes to the waiting list). The UPDATE
    returns the new count, so `seats_taken` stays current without a second statement."""
    if workshop.seats_taken >= workshop.capacity:
        return False
    taken = session.connection().execute(_TAKE_SEAT, {"workshop_id": workshop.id}).scalar()
    if taken is None:
        session.refresh(workshop, ["seats_taken"])
        return False
    set_committed_value(workshop, "seats_taken", taken)
    return True


def free_seat(session: Session, workshop: Workshop) -> None:
    """Give one seat back (never below zero)."""
    session.execute(update(Workshop).where(Workshop.id == workshop.id, Workshop.seats_taken > 0)
                    .values(seats_taken=Workshop.seats_taken - 1)
                    .execution_options(synchronize_session=False))
    session.refresh(workshop, ["seats_taken"])


def _next_waitlist_position(session: Session, workshop: Workshop) -> int:
    current = session.scalar(select(func.max(Registration.waitlist_position))
                             .where(Registration.workshop_id == workshop.id))
    return (current or 0) + 1


def _place(session: Session, workshop: Workshop, role: ParticipantRole) -> dict:
    """Confirmed if a seat is free (or none is needed), else on the waiting list: the status
    and waitlist position to store, decided before the registration is written so that it is
    written once."""
    if not role.takes_seat or take_seat(session, workshop):
        return {"status": RegistrationStatus.CONFIRMED, "waitlist_position": None}
    return {"status": RegistrationStatus.WAITLISTED,
            "waitlist_position": _next_waitlist_position(session, workshop)}


def register_person(session: Session, workshop_id: int, find_or_create_person, *,
                    role: ParticipantRole = ParticipantRole.PESERTA,
                    organisation: Organisation | None = None, self_registered: bool = False,
                    consent_at: datetime | None = None, now: datetime | None = None,
                    workshop: Workshop | None = None) -> RegistrationResult:
    """Register a person, confirmed or waitlisted.

    `find_or_create_person(session)` is called after the workshop is locked, so concurrent
    submissions for the same e-mail see each other's person. It returns a directory entry, or a
    new `Person` not yet added to the session, which is then written here. `workshop`: the
    workshop as loaded with its region, when the caller has it (lock_loaded_workshop).
    """
    if workshop is not None and workshop.id == workshop_id:
        workshop = lock_loaded_workshop(session, workshop)
    else:
        workshop = lock_workshop(session, workshop_id)
    if self_registered:
        reason = self_registration_state(workshop, now)
        if reason:
            raise DomainError(reason)
    elif workshop.status not in ORGANISER_OPEN:
        raise DomainError(_("People can no longer be registered for a %(status)s workshop.",
                            status=workshop.status.label))
    person = find_or_create_person(session)
    existing = _registration_of(session, workshop, person)
    if inspect(person).transient:  # a new directory entry
        person = insert_person(session, person)
    if existing is not None and existing.status is not RegistrationStatus.CANCELLED:
        return RegistrationResult(existing, created=False)
    organisation = organisation or person.organisation
    sector = organisation.sector if organisation else None
    if existing is None and sector is None:
        raise DomainError(_("Choose the organisation and its sector."), field="organisation")
    placement = _place(session, workshop, role)
    token = secrets.token_urlsafe(24)
    if existing is not None:  # registering again after cancelling
        registration = existing
        registration.role, registration.organisation = role, organisation
        registration.sector = sector or registration.sector
        registration.consent_at = consent_at or registration.consent_at
        registration.attendance = None
        registration.cancel_token_hash = hash_token(token)
        registration.status = placement["status"]
        registration.waitlist_position = placement["waitlist_position"]
        session.flush()
    else:
        # One INSERT, without the unit of work: written while SQLite's write lock is held.
        registration = insert_row(session, Registration(
            workshop_id=workshop.id, person_id=person.id,
            organisation_id=organisation.id if organisation else None, sector=sector, role=role,
            self_registered=self_registered, consent_at=consent_at,
            cancel_token_hash=hash_token(token), **placement))
        record_created(session, registration)
        set_committed_value(registration, "organisation", organisation)
    for key, value in (("workshop", workshop), ("person", person)):
        set_committed_value(registration, key, value)  # as loaded: the messages read them
    return RegistrationResult(registration, created=True, cancel_token=token)


def _registration_of(session: Session, workshop: Workshop, person: Person) -> Registration | None:
    """The person's registration for the workshop; a new person (not yet written) has none."""
    if inspect(person).transient:
        return None
    if person.id is None:
        session.flush()
    return session.scalar(select(Registration).where(
        Registration.workshop_id == workshop.id, Registration.person_id == person.id))


def cancel_registration(session: Session, registration: Registration) -> Registration | None:
    """Cancel; a freed seat goes to the first person waiting, who is told. Returns them."""
    workshop = lock_workshop(session, registration.workshop_id)
    session.refresh(registration)
    if registration.status is RegistrationStatus.CANCELLED:
        return None
    had_seat = (registration.status is RegistrationStatus.CONFIRMED
                and registration.role.takes_seat)
    registration.status = RegistrationStatus.CANCELLED
    registration.waitlist_position = None
    session.flush()
    if had_seat:
        free_seat(session, workshop)
        promoted = promote_waitlisted(session, workshop)
        return promoted[0] if promoted else None
    return None


def promote_waitlisted(session: Session, workshop: Workshop) -> list[Registration]:
    """Give free seats to the waiting list in order (the workshop must be locked)."""
    promoted = []
    while workshop.seats_taken < workshop.capacity:
        first = session.scalar(
            select(Registration).where(Registration.workshop_id == workshop.id,
                                       Registration.status == RegistrationStatus.WAITLISTED)
            .order_by(Registration.waitlist_position, Registration.id).limit(1))
        if first is None or not take_seat(session, workshop):
            break
        first.status = RegistrationStatus.CONFIRMED
        first.waitlist_position = None
        promoted.append(first)
        _tell_promoted(session, workshop, first)
    session.flush()
    return promoted


def _tell_promoted(session: Session, workshop: Workshop, registration: Registration) -> None:
    with force_locale(MESSAGE_LOCALE):
        queue_notification(
            session, NotificationKind.WAITLIST_PROMOTED, person=registration.person,
            workshop=workshop,
            subject=_("You have a seat: %(title)s", title=workshop.title),
            body=_("A seat became free and your registration for \"%(title)s\" on %(when)s at "
                   "%(venue)s is now confirmed. Registration code: %(code)s.",
                   title=workshop.title,
                   when=format_local_datetime(workshop.starts_at, workshop.region.timezone),
                   venue=workshop.venue, code=registration.code),
            payload={"registration_id": registration.id})


def cancel_with_token(session: Session, workshop: Workshop, code: str, token: str) -> Registration:
    """The self-service cancel link; a wrong code or token is one message (nothing revealed)."""
    registration = session.scalar(select(Registration).where(
        Registration.workshop_id == workshop.id, Registration.code == code))
    if (registration is None or not registration.cancel_token_hash
            or not secrets.compare_digest(registration.cancel_token_hash, hash_token(token or ""))):
        raise DomainError(_("This cancel link is not valid."))
    if workshop.status not in (WorkshopStatus.PUBLISHED, WorkshopStatus.REGISTRATION_CLOSED):
        raise DomainError(_("This registration can no longer be cancelled online."))
    cancel_registration(session, registration)
    return registration


def record_attendance(session: Session, registration: Registration, attendance: AttendanceStatus,
                      *, delegate_name: str | None = None, now: datetime | None = None) -> None:
    """Check-in states: hadir, izin, tidak hadir, diwakili (with the delegate's name)."""
    if registration.status is RegistrationStatus.CANCELLED:
        raise DomainError(_("This registration was cancelled."))
    if attendance is AttendanceStatus.DIWAKILI:
        if not delegate_name or not delegate_name.strip():
            raise DomainError(_("Name the delegate who attended."), field="delegate_name")
        registration.delegate_name = delegate_name.strip()[:120]
    else:
        registration.delegate_name = None
    registration.attendance = attendance
    if attendance in (AttendanceStatus.HADIR, AttendanceStatus.DIWAKILI):
        registration.checked_in_at = registration.checked_in_at or now or utc_now()
    else:
        registration.checked_in_at = None
    session.flush()


def find_or_create_by_email(*, name: str, email: str | None, phone: str | None = None,
                            position: str | None = None, organisation: Organisation | None = None,
                            gender=None):
    """A person finder for register_person: reuse the directory entry with this e-mail (or,
    when no e-mail is given, this phone), else create one. The existing entry's details are not
    overwritten by a form."""

    def finder(session: Session) -> Person:
        person = None
        if email:
            # Stored lower-cased (Person.email's validator, migration 0006): ix_people_email.
            # The id first: a new person (most registrations) is then not loaded at all. No
            # autoflush: people a registration writes are already in the table (insert_person).
            person_id = session.connection().execute(
                _PERSON_ID_BY_EMAIL, {"email": email.lower()}).scalar()
            person = session.get(Person, person_id) if person_id is not None else None
        if person is None and phone and not email:
            person = session.scalar(select(Person).where(Person.phone == phone)
                                    .order_by(Person.id).limit(1))
        if person is None:  # new: register_person writes it
            person = Person(name=name, email=email or None, phone=phone or None,
                            position=position or None, gender=gender,
                            organisation_id=organisation.id if organisation else None)
        return person

    return finder
