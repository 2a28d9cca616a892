"""Choices for pickers: regions, organisations and people a user may pick from."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from kotaku_collab.models import Organisation, Person, Region, RegionLevel, User
from kotaku_collab.permissions import scope_clause

KABKOTA = (RegionLevel.KABUPATEN, RegionLevel.KOTA)
MAX_CHOICES = 1000


def kabkota_in_scope(session: Session, user: User) -> list[Region]:
    return list(session.scalars(
        select(Region).where(Region.level.in_(KABKOTA), scope_clause(user, Region.code))
        .order_by(Region.name)))


def organisations(session: Session) -> list[Organisation]:
    return list(session.scalars(
        select(Organisation).where(Organisation.merged_into_id.is_(None))
        .order_by(Organisation.name).limit(MAX_CHOICES)))


def people(session: Session) -> list[Person]:
    return list(session.scalars(
        select(Person).options(joinedload(Person.organisation))
        .order_by(Person.name).limit(MAX_CHOICES)))


def person_label(person: Person) -> str:
    org = person.organisation.display_name if person.organisation else None
    return f"{person.full_name} ({org})" if org else person.full_name
