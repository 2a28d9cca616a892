"""Reading workshops: lists in a user's scope and everything one workshop's page shows."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session, joinedload, selectinload

from kotaku_collab.models import (AgendaItem, AgreementPoint, AttendanceStatus, Commitment,
                                  CoordinationMechanism, Registration, RegistrationStatus, Sector,
                                  StrategicIssue, User, Workshop, WorkshopOrganiser,
                                  WorkshopStatus)
from kotaku_collab.permissions import scope_clause

PAGE_SIZE = 20


@dataclass
class SectorCount:
    sector: Sector
    registered: int = 0
    attended: int = 0


@dataclass
class WorkshopPage:
    workshop: Workshop
    registrations: list[Registration]
    sectors: list[SectorCount]
    issues: list[StrategicIssue]
    mechanisms: list[CoordinationMechanism]
    agreements: list[AgreementPoint]
    commitments: list[Commitment]
    commitment_total_idr: int = 0
    counts: dict = field(default_factory=dict)


def list_workshops(session: Session, user: User, *, q: str | None = None,
                   status: WorkshopStatus | None = None, page: int = 1):
    """Workshops in the user's scope, newest first, as a Flask-SQLAlchemy pagination."""
    from kotaku_collab.extensions import db

    query = (select(Workshop).options(joinedload(Workshop.region))
             .where(scope_clause(user, Workshop.region_code))
             .order_by(Workshop.starts_at.desc(), Workshop.id.desc()))
    if q:
        like = f"%{q.lower()}%"
        query = query.where(or_(func.lower(Workshop.title).like(like),
                                func.lower(Workshop.venue).like(like)))
    if status is not None:
        query = query.where(Workshop.status == status)
    return db.paginate(query, page=page, per_page=PAGE_SIZE, error_out=False)


def workshop_page(session: Session, workshop: Workshop) -> WorkshopPage:
    """Everything the workshop page shows, in a fixed number of queries."""
    workshop = session.scalar(
        select(Workshop).where(Workshop.id == workshop.id).options(
            joinedload(Workshop.region),
            joinedload(Workshop.opened_by),
            selectinload(Workshop.organisers).joinedload(WorkshopOrganiser.organisation),
            selectinload(Workshop.agenda_items).selectinload(AgendaItem.speakers),
            selectinload(Workshop.agenda_items).joinedload(AgendaItem.moderator),
        )
    )
    registrations = list(session.scalars(
        select(Registration).where(Registration.workshop_id == workshop.id)
        .options(joinedload(Registration.person), joinedload(Registration.organisation))
        .order_by(Registration.sector, Registration.id)
    ))
    issues = list(session.scalars(
        select(StrategicIssue).where(StrategicIssue.workshop_id == workshop.id,
                                     StrategicIssue.merged_into_id.is_(None))
        .options(selectinload(StrategicIssue.aspect_links), joinedload(StrategicIssue.location),
                 joinedload(StrategicIssue.proposed_by))
        .order_by(StrategicIssue.vote_rank.is_(None), StrategicIssue.vote_rank,
                  StrategicIssue.priority, StrategicIssue.id)
    ))
    mechanisms = list(session.scalars(
        select(CoordinationMechanism).where(CoordinationMechanism.workshop_id == workshop.id)
        .options(joinedload(CoordinationMechanism.lead_organisation),
                 selectinload(CoordinationMechanism.members))
        .order_by(CoordinationMechanism.id)
    ))
    agreements = list(session.scalars(
        select(AgreementPoint).where(AgreementPoint.workshop_id == workshop.id)
        .order_by(AgreementPoint.number)
    ))
    commitments = list(session.scalars(
        select(Commitment).where(Commitment.workshop_id == workshop.id)
        .options(joinedload(Commitment.organisation)).order_by(Commitment.id)
    ))
    return WorkshopPage(
        workshop=workshop,
        registrations=registrations,
        sectors=sector_counts(registrations),
        issues=issues,
        mechanisms=mechanisms,
        agreements=agreements,
        commitments=commitments,
        commitment_total_idr=sum(c.amount_idr or 0 for c in commitments),
    )


def sector_counts(registrations: list[Registration]) -> list[SectorCount]:
    """Registered (confirmed) and attended per sector, in the sector order of DOMAIN.md."""
    registered = Counter(r.sector for r in registrations
                         if r.status is RegistrationStatus.CONFIRMED)
    attended = Counter(r.sector for r in registrations
                       if r.attendance in (AttendanceStatus.HADIR, AttendanceStatus.DIWAKILI))
    return [SectorCount(s, registered[s], attended[s]) for s in Sector
            if registered[s] or attended[s]]
