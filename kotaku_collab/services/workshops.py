"""Reading workshops: lists in a user's scope and everything one workshop's page shows."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session, joinedload, selectinload

from kotaku_collab.models import (AgendaItem, AgreementPoint, AttendanceStatus, Commitment,
                                  CoordinationMechanism, Registration, RegistrationStatus, Sector,
                                  StrategicIssue, User, Workshop, WorkshopKind,
                                  WorkshopOrganiser, WorkshopStatus, utc_now)
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


@dataclass
class WorkshopFilters:
    q: str | None = None
    region_code: str | None = None
    status: WorkshopStatus | None = None
    kind: WorkshopKind | None = None
    date_from: date | None = None
    date_to: date | None = None
    #: "upcoming" (not yet ended, soonest first), "past" (newest first) or "all".
    when: str = "upcoming"


def list_workshops(session: Session, user: User, filters: WorkshopFilters | None = None, *,
                   page: int = 1, per_page: int = PAGE_SIZE):
    """Workshops in the user's scope, filtered, as a Flask-SQLAlchemy pagination (one query
    for the rows, one for the total)."""
    from kotaku_collab.extensions import db

    f = filters or WorkshopFilters()
    now = utc_now()
    query = (select(Workshop).options(joinedload(Workshop.region))
             .where(scope_clause(user, Workshop.region_code)))
    if f.when == "upcoming":
        query = query.where(Workshop.ends_at >= now).order_by(Workshop.starts_at, Workshop.id)
    elif f.when == "past":
        query = query.where(Workshop.ends_at < now).order_by(Workshop.starts_at.desc(),
                                                             Workshop.id.desc())
    else:
        query = query.order_by(Workshop.starts_at.desc(), Workshop.id.desc())
    if f.q:
        like = f"%{f.q.lower()}%"
        query = query.where(or_(func.lower(Workshop.title).like(like),
                                func.lower(Workshop.venue).like(like),
                                func.lower(Workshop.code).like(like)))
    if f.region_code:
        query = query.where(Workshop.region_code == f.region_code)
    if f.status is not None:
        query = query.where(Workshop.status == f.status)
    if f.kind is not None:
        query = query.where(Workshop.kind == f.kind)
    # Dates are compared in UTC with a day of slack either side; good enough for a filter
    # and independent of each workshop's own zone.
    if f.date_from:
        query = query.where(Workshop.ends_at >= datetime.combine(
            f.date_from, time.min, tzinfo=timezone.utc) - timedelta(hours=9))
    if f.date_to:
        query = query.where(Workshop.starts_at < datetime.combine(
            f.date_to, time.min, tzinfo=timezone.utc) + timedelta(days=1))
    return db.paginate(query, page=page, per_page=per_page, error_out=False)


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
