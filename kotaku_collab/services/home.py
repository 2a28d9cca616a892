"""What each role's home page shows."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.orm import Session, joinedload

from kotaku_collab.models import (Commitment, CommitmentStatus, Role, User, Workshop,
                                  WorkshopStatus, utc_now)
from kotaku_collab.permissions import scope_clause

PUBLIC_STATUSES = (WorkshopStatus.PUBLISHED, WorkshopStatus.REGISTRATION_CLOSED)


@dataclass
class HomeSummary:
    upcoming: list[Workshop] = field(default_factory=list)
    past: list[Workshop] = field(default_factory=list)
    commitments: list[Commitment] = field(default_factory=list)
    commitments_by_status: dict[CommitmentStatus, int] = field(default_factory=dict)
    users_by_role: dict[Role, int] = field(default_factory=dict)


def public_upcoming_workshops(session: Session, limit: int = 10) -> list[Workshop]:
    """Published workshops that have not started yet, for the public landing page."""
    return list(session.scalars(
        select(Workshop).options(joinedload(Workshop.region))
        .where(Workshop.status.in_(PUBLIC_STATUSES), Workshop.starts_at > utc_now())
        .order_by(Workshop.starts_at).limit(limit)
    ))


def workshops_in_scope(session: Session, user: User, *, upcoming: bool, limit: int = 10):
    now = utc_now()
    query = select(Workshop).options(joinedload(Workshop.region)).where(
        scope_clause(user, Workshop.region_code))
    if upcoming:
        query = query.where(Workshop.ends_at >= now).order_by(Workshop.starts_at)
    else:
        query = query.where(Workshop.ends_at < now).order_by(Workshop.starts_at.desc())
    return list(session.scalars(query.limit(limit)))


def home_summary(session: Session, user: User) -> HomeSummary:
    summary = HomeSummary(
        upcoming=workshops_in_scope(session, user, upcoming=True),
        past=workshops_in_scope(session, user, upcoming=False),
    )
    if user.role is Role.STAKEHOLDER:
        summary.commitments = list(session.scalars(
            select(Commitment).options(joinedload(Commitment.workshop))
            .where(Commitment.organisation_id == user.organisation_id)
            .order_by(Commitment.target_date, Commitment.id).limit(50)
        ))
    if user.role in (Role.REVIEWER, Role.ADMIN, Role.ORGANISER):
        rows = session.execute(
            select(Commitment.status, func.count())
            .where(scope_clause(user, Commitment.region_code))
            .group_by(Commitment.status)
        )
        summary.commitments_by_status = {status: n for status, n in rows}
    if user.role is Role.ADMIN:
        rows = session.execute(select(User.role, func.count()).group_by(User.role))
        summary.users_by_role = {role: n for role, n in rows}
    return summary
