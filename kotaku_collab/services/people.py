"""The people directory: normalising contact details, finding likely duplicates, merging."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

import phonenumbers
from email_validator import EmailNotValidError, validate_email
from sqlalchemy import func, insert, or_, select, update
from sqlalchemy.orm import Session, joinedload

from kotaku_collab.database import insert_row
from kotaku_collab.i18n import _
from kotaku_collab.models import (Gender, Organisation, Person, Registration, RegistrationStatus,
                                  Workshop)
from kotaku_collab.services import DomainError

_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
MAX_EMAIL = 254


def clean_text(value: str | None, max_length: int) -> str | None:
    """Trim, drop control characters and normalise Unicode; empty becomes None."""
    if value is None:
        return None
    value = _CONTROL.sub(" ", unicodedata.normalize("NFC", value)).strip()
    value = re.sub(r"\s+", " ", value)
    return value[:max_length] or None


def normalise_phone(raw: str | None, field: str = "phone") -> str | None:
    """An Indonesian (or international) number as E.164: 0812-3456-7890 → +6281234567890."""
    if not raw or not raw.strip():
        return None
    try:
        number = phonenumbers.parse(raw, "ID")
    except phonenumbers.NumberParseException:
        raise DomainError(_("This is not a valid phone number."), field=field) from None
    if not phonenumbers.is_valid_number(number):
        raise DomainError(_("This is not a valid phone number."), field=field)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def mask_phone(phone: str | None) -> str:
    """+6281234567890 → +62812****890, for lists (full numbers only where needed)."""
    if not phone:
        return "–"
    return phone[:6] + "*" * max(len(phone) - 9, 0) + phone[-3:] if len(phone) > 9 else phone


# --- The directory -------------------------------------------------------------------------

PER_PAGE = 25
SEARCH_MIN_LENGTH = 2
SEARCH_LIMIT = 20
_DIGITS = re.compile(r"\d")
_NIP = re.compile(r"^[0-9]+$")
#: Seat status order when two merged people were both registered for one workshop.
_STATUS_RANK = {RegistrationStatus.CONFIRMED: 0, RegistrationStatus.WAITLISTED: 1,
                RegistrationStatus.CANCELLED: 2}


def normalise_email(raw: str | None, field: str = "email") -> str | None:
    """A checked e-mail address in lower case; empty becomes None."""
    if raw is None or not raw.strip():
        return None
    value = raw.strip()
    message = _("Enter a valid e-mail address.")
    if len(value) > MAX_EMAIL or any(c.isspace() for c in value):
        raise DomainError(message, field=field)
    try:
        value = validate_email(value, check_deliverability=False).normalized.lower()
    except EmailNotValidError:
        raise DomainError(message, field=field) from None
    if len(value) > MAX_EMAIL:
        raise DomainError(message, field=field)
    return value


def looks_like_contact(text: str | None) -> bool:
    """True for something that looks like an e-mail address or a phone number: such values are
    not searched through web addresses (they would end up in logs and browser history)."""
    return bool(text) and ("@" in text or len(_DIGITS.findall(text)) >= 6)


class LikelyDuplicates(DomainError):
    """People already in the directory with the same e-mail or phone; `matches` lists them."""

    def __init__(self, matches: list[Person]) -> None:
        super().__init__(_("Someone with this e-mail address or phone number is already in the "
                           "directory. Open the existing entry, or tick “Create anyway”."))
        self.matches = matches


@dataclass
class PersonInput:
    name: str
    title_prefix: str | None = None
    title_suffix: str | None = None
    position: str | None = None
    nip: str | None = None
    organisation_id: int | None = None
    gender: Gender | None = None
    phone: str | None = None
    email: str | None = None


def _checked_details(session: Session, data: PersonInput) -> dict:
    """Column values from the input, cleaned; contact details are checked separately."""
    from kotaku_collab.services.organisations import follow_merges

    name = clean_text(data.name, 120)
    if not name:
        raise DomainError(_("Enter the person's name."), field="name")
    nip = re.sub(r"\s+", "", data.nip or "") or None
    if nip is not None and (not _NIP.match(nip) or len(nip) > 30):
        raise DomainError(_("The NIP has digits only (18 for a civil servant)."), field="nip")
    organisation_id = None
    if data.organisation_id:
        organisation = follow_merges(session, session.get(Organisation, data.organisation_id))
        if organisation is None:
            raise DomainError(_("Choose an organisation from the registry."),
                              field="organisation_id")
        organisation_id = organisation.id
    return {
        "name": name, "title_prefix": clean_text(data.title_prefix, 40),
        "title_suffix": clean_text(data.title_suffix, 60),
        "position": clean_text(data.position, 160), "nip": nip,
        "organisation_id": organisation_id,
        "gender": Gender(data.gender) if data.gender else None,
    }


def _checked_contact(data: PersonInput) -> dict:
    return {"phone": normalise_phone(data.phone, field="phone"),
            "email": normalise_email(data.email, field="email")}


def find_likely_duplicates(session: Session, *, email: str | None, phone: str | None,
                           exclude_id: int | None = None) -> list[Person]:
    """People with the same e-mail (ignoring case: stored lower-cased) or the same phone."""
    conditions = []
    if email:
        conditions.append(Person.email == email.lower())
    if phone:
        conditions.append(Person.phone == phone)
    if not conditions:
        return []
    query = (select(Person).options(joinedload(Person.organisation)).where(or_(*conditions))
             .order_by(Person.name, Person.id).limit(SEARCH_LIMIT))
    if exclude_id is not None:
        query = query.where(Person.id != exclude_id)
    return list(session.scalars(query))


def insert_person(session: Session, person: Person) -> Person:
    """Write a new (transient) directory entry at once, with one INSERT (database.insert_row):
    a self-registration writes the person while it holds SQLite's write lock."""
    return insert_row(session, person)


def create_person(session: Session, data: PersonInput, *,
                  allow_duplicates: bool = False) -> Person:
    """Add a person to the directory. Unless `allow_duplicates`, people with the same e-mail
    or phone are offered instead (LikelyDuplicates)."""
    values = _checked_details(session, data) | _checked_contact(data)
    if not allow_duplicates:
        matches = find_likely_duplicates(session, email=values["email"], phone=values["phone"])
        if matches:
            raise LikelyDuplicates(matches)
    person = Person(**values)
    session.add(person)
    session.flush()
    return person


def update_person(session: Session, person: Person, data: PersonInput, *,
                  update_contact: bool = True) -> Person:
    """Edit a person; the phone and e-mail only when `update_contact` (the editor may see them)."""
    values = _checked_details(session, data)
    if update_contact:
        values |= _checked_contact(data)
    for key, value in values.items():
        setattr(person, key, value)
    session.flush()
    return person


@dataclass
class PeopleFilters:
    q: str | None = None
    organisation_id: int | None = None


def _name_or_organisation_matches(q: str):
    from kotaku_collab.services.organisations import like_pattern

    like = like_pattern(q)
    organisations = select(Organisation.id).where(or_(
        func.lower(Organisation.name).like(like, escape="\\"),
        func.lower(Organisation.short_name).like(like, escape="\\")))
    return or_(func.lower(Person.name).like(like, escape="\\"),
               Person.organisation_id.in_(organisations))


def list_people(session: Session, filters: PeopleFilters, *, page: int = 1,
                per_page: int = PER_PAGE):
    """A page of the directory (with each person's organisation), searched by name or
    organisation; two queries whatever the page holds."""
    from kotaku_collab.extensions import db

    query = (select(Person).options(joinedload(Person.organisation))
             .order_by(Person.name, Person.id))
    if filters.q:
        query = query.where(_name_or_organisation_matches(filters.q))
    if filters.organisation_id:
        query = query.where(Person.organisation_id == filters.organisation_id)
    return db.paginate(query, page=page, per_page=per_page, error_out=False)


def search_people(session: Session, q: str | None, limit: int = SEARCH_LIMIT) -> list[dict]:
    """Search-as-you-type: people whose name or organisation matches, without contact details."""
    q = (q or "").strip()[:100]
    if len(q) < SEARCH_MIN_LENGTH or looks_like_contact(q):
        return []
    people = session.scalars(select(Person).options(joinedload(Person.organisation))
                             .where(_name_or_organisation_matches(q))
                             .order_by(Person.name, Person.id).limit(min(limit, SEARCH_LIMIT)))
    return [{"id": p.id, "name": p.full_name,
             "organisation": p.organisation.display_name if p.organisation else None,
             "position": p.position} for p in people]


def find_by_contact(session: Session, contact: str, field: str = "contact") -> list[Person]:
    """People with this e-mail address or phone number (for the directory's POST search)."""
    if "@" in contact:
        return find_likely_duplicates(session, email=normalise_email(contact, field), phone=None)
    return find_likely_duplicates(session, email=None, phone=normalise_phone(contact, field))


def person_registrations(session: Session, person: Person) -> list[Registration]:
    """The person's registrations with their workshops, newest workshop first."""
    return list(session.scalars(
        select(Registration).join(Registration.workshop)
        .options(joinedload(Registration.workshop).joinedload(Workshop.region))
        .where(Registration.person_id == person.id)
        .order_by(Workshop.starts_at.desc())))


def merge_candidates(session: Session, source: Person, q: str | None,
                     limit: int = 50) -> list[Person]:
    """People the source could be merged into: those matching `q`, else those with the same
    e-mail, phone or name."""
    query = (select(Person).options(joinedload(Person.organisation))
             .where(Person.id != source.id).order_by(Person.name, Person.id).limit(limit))
    if q and not looks_like_contact(q):
        query = query.where(_name_or_organisation_matches(q))
    else:
        conditions = [func.lower(Person.name) == source.name.lower()]
        if source.email:
            conditions.append(Person.email == source.email.lower())
        if source.phone:
            conditions.append(Person.phone == source.phone)
        query = query.where(or_(*conditions))
    return list(session.scalars(query))


# --- Merging --------------------------------------------------------------------------------

#: Details copied from the merged person when the person kept has none.
_FILLED_ON_MERGE = ("title_prefix", "title_suffix", "position", "nip", "organisation_id",
                    "gender", "phone", "email")


def merge_people(session: Session, source: Person, target: Person):
    """Merge `source` into `target` and delete the source. Every row that references the source
    (registrations, agenda speakers and moderators, workshops opened, commitments, messages...)
    is re-pointed to the target. Where both were registered for one workshop, the better
    registration (confirmed > waitlisted > cancelled) is kept, what pointed to the other
    moves to it, and a seat the other held is freed for the waiting list. Returns the
    RepointReport."""
    from kotaku_collab.audit import record_event
    from kotaku_collab.services.merging import repoint_references

    if source.id == target.id:
        raise DomainError(_("Choose another person to merge into."), field="target_id")
    dropped_registrations = _settle_shared_registrations(session, source, target)
    for attribute in _FILLED_ON_MERGE:
        if getattr(target, attribute) is None and getattr(source, attribute) is not None:
            setattr(target, attribute, getattr(source, attribute))
    source_id, target_id = source.id, target.id
    report = repoint_references(session, "people", source_id, target_id)
    report.dropped["registrations.person_id"] = dropped_registrations
    source = session.get(Person, source_id)
    record_event(session, "merge", source, {"merged_into": target_id, "moved": report.moved,
                                            "duplicates_dropped": report.dropped})
    session.delete(source)
    session.flush()
    return report


def _registration_rank(registration: Registration, target_id: int) -> tuple:
    return (_STATUS_RANK[registration.status], registration.attendance is None,
            registration.checked_in_at is None, registration.person_id != target_id)


def _settle_shared_registrations(session: Session, source: Person, target: Person) -> int:
    """Keep one registration per workshop both people registered for. Returns how many
    registrations were removed."""
    from kotaku_collab.services.merging import repoint_references
    from kotaku_collab.services.registration import lock_workshop, promote_waitlisted

    by_workshop: dict[int, list[Registration]] = {}
    for registration in session.scalars(select(Registration).where(
            Registration.person_id.in_([source.id, target.id])).order_by(Registration.id)):
        by_workshop.setdefault(registration.workshop_id, []).append(registration)
    target_id, removed = target.id, 0
    for workshop_id, pair in by_workshop.items():
        if len(pair) < 2:
            continue
        keeper, loser = sorted(pair, key=lambda r: _registration_rank(r, target_id))
        workshop = lock_workshop(session, workshop_id)
        held_seat = loser.status is RegistrationStatus.CONFIRMED and loser.role.takes_seat
        keeper_id, loser_id = keeper.id, loser.id
        # Ballots and votes cast through the dropped registration now belong to the kept one.
        repoint_references(session, "registrations", loser_id, keeper_id)
        session.delete(session.get(Registration, loser_id))
        session.flush()
        removed += 1
        if held_seat:
            session.execute(update(Workshop).where(Workshop.id == workshop_id,
                                                   Workshop.seats_taken > 0)
                            .values(seats_taken=Workshop.seats_taken - 1)
                            .execution_options(synchronize_session=False))
            session.refresh(workshop, ["seats_taken"])
            promote_waitlisted(session, workshop)
    return removed
