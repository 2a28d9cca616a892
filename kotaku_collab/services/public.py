"""What anyone may see of a workshop without logging in: the public page and calendar feeds."""

from __future__ import annotations

import enum
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.engine import Row
from sqlalchemy.orm import Session, joinedload, selectinload

from kotaku_collab.models import AgendaItem, Region, Workshop, WorkshopOrganiser, WorkshopStatus

#: Statuses shown publicly; a draft exists only for its organisers.
VISIBLE_STATUSES = (WorkshopStatus.PUBLISHED, WorkshopStatus.REGISTRATION_CLOSED,
                    WorkshopStatus.HELD, WorkshopStatus.FINALISED, WorkshopStatus.REVIEWED,
                    WorkshopStatus.CANCELLED)

#: What the public page's body shows: the workshop, its region, organisers, opener and
#: programme (services/fragments.py renders it again after a write to any of them).
PAGE_TABLES = ("workshops", "regions", "workshop_organisers", "organisations", "people",
               "agenda_items", "agenda_speakers")
#: How far back a kab/kota calendar feed reaches.
FEED_HISTORY = timedelta(days=365)
#: A feed never grows past this many events (newest kept).
FEED_LIMIT = 500


class RegistrationState(enum.Enum):
    OPEN = "open"
    NOT_YET_OPEN = "not_yet_open"
    CLOSED = "closed"
    CANCELLED = "cancelled"


def _public_options():
    return (
        joinedload(Workshop.region),
        joinedload(Workshop.opened_by),
        selectinload(Workshop.organisers).joinedload(WorkshopOrganiser.organisation),
        selectinload(Workshop.agenda_items).options(selectinload(AgendaItem.speakers),
                                                    joinedload(AgendaItem.moderator)),
    )


def _public_code(code: str | None) -> str | None:
    """A public code as stored (upper case), or None when it cannot be one."""
    code = (code or "").strip().upper()
    return code if code and len(code) <= 16 else None


def public_workshop(session: Session, code: str) -> Workshop | None:
    """The workshop behind a public code, or None when there is none or it is still a draft."""
    code = _public_code(code)
    if code is None:
        return None
    return session.scalar(
        select(Workshop).options(*_public_options())
        .where(Workshop.code == code, Workshop.status.in_(VISIBLE_STATUSES)))


def public_workshop_head(session: Session, code: str) -> Row | None:
    """What the public page needs besides its cached body (`PAGE_TABLES`): the id, code and
    title, and the columns `registration_state` judges by; None as for `public_workshop`."""
    code = _public_code(code)
    if code is None:
        return None
    return session.execute(
        select(Workshop.id, Workshop.code, Workshop.title, Workshop.status, Workshop.ends_at,
               Workshop.registration_opens_at, Workshop.registration_closes_at)
        .where(Workshop.code == code, Workshop.status.in_(VISIBLE_STATUSES))).first()


def feed_region(session: Session, code: str) -> Region | None:
    """A kabupaten or kota by code (feeds exist only at that level)."""
    region = session.get(Region, code)
    if region is None or not region.level.is_kabkota:
        return None
    return region


def region_feed_workshops(session: Session, region: Region, now: datetime) -> list[Workshop]:
    """A kab/kota's public workshops: upcoming ones and those of the last twelve months."""
    return list(session.scalars(
        select(Workshop).options(joinedload(Workshop.region))
        .where(Workshop.region_code == region.code, Workshop.status.in_(VISIBLE_STATUSES),
               Workshop.ends_at >= now - FEED_HISTORY)
        .order_by(Workshop.starts_at.desc()).limit(FEED_LIMIT)))


def registration_state(workshop: Workshop | Row, now: datetime) -> RegistrationState:
    """Whether people can sign up now, judged from the status and the registration window
    (of a Workshop or a `public_workshop_head` row)."""
    if workshop.status is WorkshopStatus.CANCELLED:
        return RegistrationState.CANCELLED
    if workshop.status is not WorkshopStatus.PUBLISHED or now >= workshop.ends_at:
        return RegistrationState.CLOSED
    if workshop.registration_opens_at and now < workshop.registration_opens_at:
        return RegistrationState.NOT_YET_OPEN
    if workshop.registration_closes_at and now >= workshop.registration_closes_at:
        return RegistrationState.CLOSED
    return RegistrationState.OPEN
