"""make_* builders with sensible defaults; every argument can be overridden."""

from __future__ import annotations

import itertools
from datetime import datetime, timedelta, timezone

from kotaku_collab.extensions import db, passwords
from kotaku_collab.models import (PROVINCE_TIMEZONES, Commitment, CommitmentType, Organisation,
                                  ParticipantRole, Person, Region, RegionLevel, Registration,
                                  RegistrationStatus, Role, Sector, StrategicIssue, User, Workshop,
                                  WorkshopKind, WorkshopStatus)
from kotaku_collab.services.organisations import normalise_name

_seq = itertools.count(1)
PASSWORD = "correct horse battery"

REGION_NAMES = {
    "51": "Bali", "51.05": "Kabupaten Klungkung", "51.05.03": "Klungkung",
    "51.05.03.1001": "Semarapura Kaja",
    "35": "Jawa Timur", "35.75": "Kota Pasuruan", "35.75.01": "Gadingrejo",
    "35.14": "Kabupaten Pasuruan",
}


def _level_for(code: str) -> RegionLevel:
    parts = code.split(".")
    if len(parts) == 1:
        return RegionLevel.PROVINSI
    if len(parts) == 2:
        return RegionLevel.KOTA if int(parts[1]) >= 71 else RegionLevel.KABUPATEN
    if len(parts) == 3:
        return RegionLevel.KECAMATAN
    return RegionLevel.KELURAHAN if parts[3].startswith("1") else RegionLevel.DESA


def make_region(code: str = "51.05", name: str | None = None) -> Region:
    """The region and all its ancestors (created when missing)."""
    existing = db.session.get(Region, code)
    if existing is not None:
        return existing
    parent = make_region(code.rsplit(".", 1)[0]) if "." in code else None
    region = Region(code=code, name=name or REGION_NAMES.get(code, f"Wilayah {code}"),
                    level=_level_for(code), parent=parent,
                    timezone=PROVINCE_TIMEZONES.get(code[:2], "Asia/Jakarta"))
    db.session.add(region)
    db.session.flush()
    return region


def make_organisation(name: str | None = None, sector: Sector = Sector.PEMERINTAH,
                      region_code: str | None = "51.05", **kwargs) -> Organisation:
    name = name or f"Organisasi {next(_seq)}"
    if region_code:
        make_region(region_code)
    org = Organisation(name=name, normalised_name=normalise_name(name), sector=sector,
                       region_code=region_code, **kwargs)
    db.session.add(org)
    db.session.flush()
    return org


def make_person(name: str | None = None, organisation: Organisation | None = None,
                **kwargs) -> Person:
    person = Person(name=name or f"Peserta {next(_seq)}", organisation=organisation, **kwargs)
    db.session.add(person)
    db.session.flush()
    return person


def make_user(role: Role = Role.ORGANISER, *, email: str | None = None,
              regions: list[str] | tuple = ("51.05",), organisation: Organisation | None = None,
              is_national: bool = False, password: str = PASSWORD, active: bool = True,
              name: str | None = None) -> User:
    role = Role(role)
    if role is Role.STAKEHOLDER and organisation is None:
        organisation = make_organisation()
    region_objs = [make_region(c) for c in regions] if role in (Role.ORGANISER, Role.REVIEWER) else []
    user = User(email=email or f"user{next(_seq)}@example.test", name=name or f"{role.value} user",
                role=role, password_hash=passwords.hash(password), organisation=organisation,
                regions=region_objs, is_national=is_national, active=active)
    db.session.add(user)
    db.session.flush()
    return user


def make_workshop(region_code: str = "51.05", *, starts_at: datetime | None = None,
                  hours: float = 6, capacity: int = 40,
                  status: WorkshopStatus = WorkshopStatus.PUBLISHED, **kwargs) -> Workshop:
    region = make_region(region_code)
    starts_at = starts_at or datetime.now(timezone.utc).replace(microsecond=0) + timedelta(days=14)
    workshop = Workshop(
        title=kwargs.pop("title", f"Lokakarya {next(_seq)}"),
        kind=kwargs.pop("kind", WorkshopKind.LOKAKARYA_KOLABORASI),
        region=region, venue=kwargs.pop("venue", "Ruang rapat"),
        starts_at=starts_at, ends_at=starts_at + timedelta(hours=hours), capacity=capacity,
        status=status, objectives=kwargs.pop("objectives", ["Pemahaman bersama"]), **kwargs)
    db.session.add(workshop)
    db.session.flush()
    return workshop


def make_registration(workshop: Workshop, person: Person | None = None, *,
                      role: ParticipantRole = ParticipantRole.PESERTA,
                      status: RegistrationStatus = RegistrationStatus.CONFIRMED,
                      **kwargs) -> Registration:
    person = person or make_person(organisation=make_organisation())
    org = person.organisation
    registration = Registration(workshop=workshop, person=person, organisation=org,
                                sector=org.sector if org else Sector.MASYARAKAT, role=role,
                                status=status, **kwargs)
    if status is RegistrationStatus.CONFIRMED and role.takes_seat:
        workshop.seats_taken += 1
    db.session.add(registration)
    db.session.flush()
    return registration


def make_issue(workshop: Workshop, title: str | None = None, **kwargs) -> StrategicIssue:
    issue = StrategicIssue(workshop=workshop, title=title or f"Isu {next(_seq)}", **kwargs)
    db.session.add(issue)
    db.session.flush()
    return issue


def make_commitment(organisation: Organisation | None = None, workshop: Workshop | None = None,
                    **kwargs) -> Commitment:
    organisation = organisation or make_organisation()
    region_code = kwargs.pop("region_code", workshop.region_code if workshop else "51.05")
    make_region(region_code)
    commitment = Commitment(organisation=organisation, sector=organisation.sector,
                            workshop=workshop, region_code=region_code,
                            type=kwargs.pop("type", CommitmentType.PROGRAM_KEGIATAN),
                            title=kwargs.pop("title", f"Komitmen {next(_seq)}"), **kwargs)
    db.session.add(commitment)
    db.session.flush()
    return commitment


def make_mechanism(workshop: Workshop, name: str | None = None, **kwargs):
    """A coordination mechanism of a workshop (monthly Pokja PKP meeting by default)."""
    from kotaku_collab.models import Cadence, CoordinationMechanism, MechanismType

    mechanism = CoordinationMechanism(
        workshop=workshop, name=name or f"Rapat Pokja PKP {next(_seq)}",
        type=kwargs.pop("type", MechanismType.RAPAT_POKJA_PKP),
        cadence=kwargs.pop("cadence", Cadence.BULANAN), **kwargs)
    db.session.add(mechanism)
    db.session.flush()
    return mechanism
