"""Organiser-side participant management: the list, the sector/gender panel, adding people,
changing roles, walk-ins and the rows of the attendance list and exports.

Seats are never handed out here directly: adding goes through `register_person`, cancelling
through `cancel_registration`, so the capacity and waiting-list rules live in one place
(services/registration.py). Changing a role may take or free a seat, and does so under the same
workshop lock with the same conditional UPDATE.

Walk-ins (people registered at the door) are registered as *peserta*. They take a seat when one
is free; when the workshop is full they join the waiting list like anyone else and are marked
present all the same, so `seats_taken <= capacity` always holds and the panel counts them under
"attended while on the waiting list".
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import case, func, or_, select
from sqlalchemy.orm import Session, contains_eager, joinedload

from kotaku_collab.i18n import _
from kotaku_collab.models import (AttendanceStatus, Gender, Organisation, ParticipantRole, Person,
                                  Registration, RegistrationStatus, Sector, Workshop)
from kotaku_collab.services import DomainError
from kotaku_collab.services.organisations import find_by_name, find_or_create_organisation
from kotaku_collab.services.people import clean_text, normalise_phone
# The seat primitives are shared with registration.py on purpose: one conditional UPDATE decides
# every seat, whichever service asks for it.
from kotaku_collab.services.registration import (free_seat, take_seat, lock_workshop,
                                                 promote_waitlisted, record_attendance,
                                                 register_person)

ATTENDED = (AttendanceStatus.HADIR, AttendanceStatus.DIWAKILI)
#: Walk-ins are participants: see the module docstring.
WALK_IN_ROLE = ParticipantRole.PESERTA
EXPORT_COLUMNS = ("code", "name", "organisation", "sector", "position", "role", "status",
                  "attendance", "phone", "email")
PERSONAL_COLUMNS = ("phone", "email")
SEARCH_LIMIT = 20
#: At most this many organisation names in a <datalist>; the registry's own pages list them all.
ORGANISATION_SUGGESTIONS = 500


# --- The list -----------------------------------------------------------------------------


@dataclass
class ParticipantFilters:
    status: RegistrationStatus | None = None
    sector: Sector | None = None
    role: ParticipantRole | None = None
    #: Part of a name, an organisation's name or short name, or a registration code.
    q: str | None = None
    #: The check-in page leaves cancelled registrations out.
    include_cancelled: bool = True


def list_participants(session: Session, workshop: Workshop,
                      filters: ParticipantFilters | None = None) -> list[Registration]:
    """A workshop's registrations with person and organisation, in one query: confirmed first,
    then the waiting list in order, then cancelled; by sector and name within each."""
    f = filters or ParticipantFilters()
    query = (select(Registration)
             .join(Registration.person)
             .outerjoin(Registration.organisation)
             .options(contains_eager(Registration.person),
                      contains_eager(Registration.organisation))
             .where(Registration.workshop_id == workshop.id))
    if f.status is not None:
        query = query.where(Registration.status == f.status)
    elif not f.include_cancelled:
        query = query.where(Registration.status != RegistrationStatus.CANCELLED)
    if f.sector is not None:
        query = query.where(Registration.sector == f.sector)
    if f.role is not None:
        query = query.where(Registration.role == f.role)
    if f.q:
        needle = f.q.strip().lower()
        query = query.where(or_(
            func.lower(Person.name).contains(needle, autoescape=True),
            func.lower(Organisation.name).contains(needle, autoescape=True),
            func.lower(Organisation.short_name).contains(needle, autoescape=True),
            Registration.code == needle.upper(),
        ))
    status_order = case((Registration.status == RegistrationStatus.CONFIRMED, 0),
                        (Registration.status == RegistrationStatus.WAITLISTED, 1), else_=2)
    query = query.order_by(status_order, Registration.waitlist_position, Registration.sector,
                           func.lower(Person.name), Registration.id)
    return list(session.scalars(query).unique())


# --- The sector/gender panel --------------------------------------------------------------


@dataclass
class SectorRow:
    sector: Sector
    registered: int = 0
    attended: int = 0
    #: The workshop's target for this sector ("at least n"), if it has one.
    target: int | None = None

    @property
    def short_of_target(self) -> int:
        """How many registrations the sector still lacks to reach its target."""
        return max(self.target - self.registered, 0) if self.target else 0


@dataclass
class GenderRow:
    #: None for people whose gender is not recorded.
    gender: Gender | None
    registered: int = 0
    attended: int = 0


@dataclass
class Panel:
    """Registered (confirmed) against attended, per sector and per gender, with the seats."""

    capacity: int
    seats_taken: int
    sectors: list[SectorRow] = field(default_factory=list)
    genders: list[GenderRow] = field(default_factory=list)
    registered: int = 0
    attended: int = 0
    waitlisted: int = 0
    #: People on the waiting list who attended all the same (walk-ins beyond capacity).
    attended_from_waitlist: int = 0
    cancelled: int = 0

    @property
    def targets_missed(self) -> list[SectorRow]:
        return [row for row in self.sectors if row.short_of_target]


def sector_targets(workshop: Workshop) -> dict[Sector, int]:
    """The workshop's targets as {Sector: n}; malformed entries are ignored."""
    targets = {}
    for key, value in (workshop.sector_targets or {}).items():
        try:
            sector, number = Sector(key), int(value)
        except (ValueError, TypeError):
            continue
        if number > 0:
            targets[sector] = number
    return targets


def participation_panel(session: Session, workshop: Workshop) -> Panel:
    """The panel's numbers from one grouped query."""
    rows = session.execute(
        select(Registration.sector, Person.gender, Registration.status, Registration.attendance,
               func.count(Registration.id))
        .join(Person, Registration.person_id == Person.id)
        .where(Registration.workshop_id == workshop.id)
        .group_by(Registration.sector, Person.gender, Registration.status,
                  Registration.attendance)
    ).all()
    targets = sector_targets(workshop)
    panel = Panel(capacity=workshop.capacity, seats_taken=workshop.seats_taken)
    sectors = {s: SectorRow(s, target=targets.get(s)) for s in Sector}
    genders = {g: GenderRow(g) for g in (*Gender, None)}
    for sector, gender, status, attendance, count in rows:
        if status is RegistrationStatus.CANCELLED:
            panel.cancelled += count
            continue
        registered = status is RegistrationStatus.CONFIRMED
        attended = attendance in ATTENDED
        if status is RegistrationStatus.WAITLISTED:
            panel.waitlisted += count
            panel.attended_from_waitlist += count if attended else 0
        for row in (sectors[sector], genders[gender]):
            row.registered += count if registered else 0
            row.attended += count if attended else 0
        panel.registered += count if registered else 0
        panel.attended += count if attended else 0
    panel.sectors = [r for r in sectors.values() if r.registered or r.attended or r.target]
    panel.genders = [r for r in genders.values() if r.registered or r.attended]
    return panel


# --- Adding people ------------------------------------------------------------------------


def search_people(session: Session, q: str, limit: int = SEARCH_LIMIT) -> list[Person]:
    """Directory entries whose name or organisation contains `q` (at least two characters)."""
    needle = (q or "").strip().lower()
    if len(needle) < 2:
        return []
    return list(session.scalars(
        select(Person).outerjoin(Person.organisation)
        .options(contains_eager(Person.organisation))
        .where(or_(func.lower(Person.name).contains(needle, autoescape=True),
                   func.lower(Organisation.name).contains(needle, autoescape=True),
                   func.lower(Organisation.short_name).contains(needle, autoescape=True)))
        .order_by(func.lower(Person.name), Person.id).limit(limit)
    ).unique())


def registered_person_ids(session: Session, workshop: Workshop) -> set[int]:
    """People with a live (not cancelled) registration for the workshop."""
    return set(session.scalars(select(Registration.person_id).where(
        Registration.workshop_id == workshop.id,
        Registration.status != RegistrationStatus.CANCELLED)))


def organisation_suggestions(session: Session, workshop: Workshop,
                             limit: int = ORGANISATION_SUGGESTIONS) -> list[str]:
    """Registry names to offer while typing an organisation: those of the workshop's
    regency/city and province and the national ones (no region), by name. Organisations are
    registered at these levels, so these are the ones a local organiser registers; any other is
    still found by its name when typed in full (resolve_organisation)."""
    code = workshop.region_code
    return list(session.scalars(
        select(Organisation.name)
        .where(Organisation.merged_into_id.is_(None),
               or_(Organisation.region_code.in_((code[:2], code)),
                   Organisation.region_code.is_(None)))
        .order_by(Organisation.name)
        .limit(limit)))


@dataclass
class PersonInput:
    """A new person as typed by an organiser (or read from an import row)."""

    name: str
    organisation: str
    #: Needed only when the organisation is not in the registry yet.
    sector: Sector | None = None
    position: str | None = None
    phone: str | None = None
    email: str | None = None
    gender: Gender | None = None


def person_finder(*, name: str, email: str | None, phone: str | None, position: str | None,
                  organisation: Organisation | None, gender: Gender | None):
    """A finder for register_person: the directory entry with this e-mail, else the one with
    this phone (unless both have different e-mail addresses: then they are two people), else a
    new entry. Existing entries are never overwritten."""

    def finder(session: Session) -> Person:
        person = None
        if email:
            # E-mails are stored lower-cased (models/organisation.py): ix_people_email serves this.
            person = session.scalar(select(Person).where(Person.email == email.strip().lower())
                                    .order_by(Person.id).limit(1))
        if person is None and phone:
            candidate = session.scalar(select(Person).where(Person.phone == phone)
                                       .order_by(Person.id).limit(1))
            if candidate is not None and not (email and candidate.email):
                person = candidate
        if person is None:
            person = Person(name=name, email=email or None, phone=phone or None,
                            position=position or None, organisation=organisation, gender=gender)
            session.add(person)
            session.flush()
        return person

    return finder


def resolve_organisation(session: Session, workshop: Workshop, name: str,
                         sector: Sector | None) -> Organisation:
    """The registry entry with this (normalised) name, or a new one in the workshop's region."""
    name = clean_text(name, 200)
    if not name:
        raise DomainError(_("Name the organisation."), field="organisation")
    organisation = find_by_name(session, name)
    if organisation is not None:
        return organisation
    if sector is None:
        raise DomainError(_("This organisation is new: choose its sector."), field="sector")
    return find_or_create_organisation(session, name=name, sector=sector,
                                       region_code=workshop.region_code)


def finder_for_input(session: Session, workshop: Workshop, data: PersonInput):
    """Clean a typed person, resolve their organisation, and return (finder, organisation)."""
    name = clean_text(data.name, 120)
    if not name:
        raise DomainError(_("Enter the person's name."), field="name")
    phone = normalise_phone(data.phone)
    email = (data.email or "").strip().lower() or None
    organisation = resolve_organisation(session, workshop, data.organisation, data.sector)
    finder = person_finder(name=name, email=email, phone=phone,
                           position=clean_text(data.position, 160), organisation=organisation,
                           gender=data.gender)
    return finder, organisation


def add_new_person(session: Session, workshop: Workshop, data: PersonInput,
                   role: ParticipantRole):
    """Register someone typed in by an organiser, reusing their directory entry if the e-mail
    (or phone) is known. Returns register_person's result."""
    finder, organisation = finder_for_input(session, workshop, data)
    return register_person(session, workshop.id, finder, role=role, organisation=organisation)


def add_existing_person(session: Session, workshop: Workshop, person_id: int,
                        role: ParticipantRole):
    """Register a directory entry; their current organisation is recorded on the registration."""
    person = session.get(Person, person_id)
    if person is None:
        raise DomainError(_("This person is no longer in the directory."))
    if person.organisation is None:
        raise DomainError(_("Give this person an organisation in the directory first: the "
                            "registration records its sector."))
    return register_person(session, workshop.id, lambda s: person, role=role,
                           organisation=person.organisation)


def register_walk_in(session: Session, workshop: Workshop, data: PersonInput, *,
                     now: datetime | None = None):
    """Register someone at the door and mark them present in one step (see the module
    docstring for what happens when the workshop is full)."""
    finder, organisation = finder_for_input(session, workshop, data)
    result = register_person(session, workshop.id, finder, role=WALK_IN_ROLE,
                             organisation=organisation)
    record_attendance(session, result.registration, AttendanceStatus.HADIR, now=now)
    return result


def change_role(session: Session, registration: Registration, role: ParticipantRole) -> None:
    """Change a registrant's role; a seat is taken or freed when the new role needs one or not
    (a freed seat goes to the waiting list). Refused when a seat is needed and none is free."""
    workshop = lock_workshop(session, registration.workshop_id)
    session.refresh(registration)
    if registration.status is RegistrationStatus.CANCELLED:
        raise DomainError(_("This registration was cancelled."))
    if registration.role is role:
        return
    if registration.status is RegistrationStatus.WAITLISTED:
        registration.role = role
        if not role.takes_seat:  # speakers and committee never wait for a seat
            registration.status = RegistrationStatus.CONFIRMED
            registration.waitlist_position = None
        session.flush()
        return
    had_seat, needs_seat = registration.role.takes_seat, role.takes_seat
    if needs_seat and not had_seat and not take_seat(session, workshop):
        raise DomainError(_("No seat is free for a %(role)s. Cancel another registration first, "
                            "or keep the current role.", role=role.label), field="role")
    registration.role = role
    session.flush()
    if had_seat and not needs_seat:
        free_seat(session, workshop)
        promote_waitlisted(session, workshop)


# --- Documents and exports ----------------------------------------------------------------


def attendance_sheet(session: Session,
                     workshop: Workshop) -> list[tuple[Sector, list[Registration]]]:
    """Who goes on the daftar hadir, grouped by sector in the sector order of DOMAIN.md:
    confirmed registrants, and people on the waiting list who attended (walk-ins)."""
    registrations = session.scalars(
        select(Registration).join(Registration.person)
        .options(contains_eager(Registration.person), joinedload(Registration.organisation))
        .where(Registration.workshop_id == workshop.id,
               or_(Registration.status == RegistrationStatus.CONFIRMED,
                   (Registration.status == RegistrationStatus.WAITLISTED)
                   & Registration.attendance.in_(ATTENDED)))
        .order_by(func.lower(Person.name), Registration.id)
    ).unique()
    groups: dict[Sector, list[Registration]] = defaultdict(list)
    for registration in registrations:
        groups[registration.sector].append(registration)
    return [(sector, groups[sector]) for sector in Sector if groups[sector]]


def export_table(registrations: list[Registration], include_personal: bool
                 ) -> tuple[tuple[str, ...], list[list[object]]]:
    """The export's header and rows (enum values, as the import reads them). Phone and e-mail
    are left out unless the reader may see personal data."""
    header = EXPORT_COLUMNS if include_personal else tuple(
        c for c in EXPORT_COLUMNS if c not in PERSONAL_COLUMNS)
    rows = []
    for r in registrations:
        row = [r.code, r.person.full_name, r.organisation.name if r.organisation else "",
               r.sector.value, r.person.position or "", r.role.value, r.status.value,
               r.attendance.value if r.attendance else ""]
        if include_personal:
            row += [r.person.phone or "", r.person.email or ""]
        rows.append(row)
    return header, rows
