"""Queries and JSON shapes of the read-only API (/api/v1).

Every list is limited to the user's scope through permissions.scope_clause (or the review
filters, which apply it), and every object is checked with permissions.can() by the routes.
Each list loads what it shows eagerly: one count, one page of rows and a fixed number of
eager loads, whatever the number of rows. Personal data (participants' names, organisations,
phone numbers and e-mail addresses) is serialised only when the caller says the user may see
it (participant.view_personal).

Dates are ISO 8601 (datetimes in UTC with an offset), amounts whole rupiah, hectares and
percentages plain numbers; enums are given by their stored value.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import NamedTuple

from sqlalchemy import and_, case, exists, false, func, or_, select, true
from sqlalchemy.engine import Row
from sqlalchemy.orm import Session, aliased, joinedload, selectinload

from kotaku_collab.models import (AgendaItem, AgreementPoint, AttendanceStatus, Commitment,
                                  CommitmentStatus, CommitmentUpdate, CoordinationMechanism,
                                  Gender, IndicatorKind, Organisation, Person, Region,
                                  RegionIndicator, Registration, RegistrationStatus, Sector,
                                  StrategicIssue, User, Workshop, WorkshopKind,
                                  WorkshopOrganiser, WorkshopStatus)
from kotaku_collab.permissions import can, scope_clause
from kotaku_collab.services import stats_cache
from kotaku_collab.services.review_filters import ReviewFilters

DEFAULT_PER_PAGE = 50
MAX_PER_PAGE = 200
ATTENDED = (AttendanceStatus.HADIR, AttendanceStatus.DIWAKILI)


@dataclass
class PageRequest:
    page: int = 1
    per_page: int = DEFAULT_PER_PAGE

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.per_page


@dataclass
class ResultPage:
    items: list
    total: int
    request: PageRequest

    @property
    def has_next(self) -> bool:
        return self.request.offset + len(self.items) < self.total


@dataclass
class ApiFilters:
    """The review filters (region, period, kind) plus the API's own."""

    review: ReviewFilters = field(default_factory=ReviewFilters)
    workshop_status: WorkshopStatus | None = None
    commitment_status: CommitmentStatus | None = None
    registration_status: RegistrationStatus | None = None
    organisation_id: int | None = None
    workshop_id: int | None = None
    indicator_kind: IndicatorKind | None = None
    year: int | None = None


def paginate(session: Session, query, page: PageRequest) -> ResultPage:
    """One count, then the page's rows (none asked for when the page lies past the end)."""
    total = session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))
    if page.offset >= total:
        return ResultPage(items=[], total=total, request=page)
    items = list(session.scalars(query.limit(page.per_page).offset(page.offset)))
    return ResultPage(items=items, total=total, request=page)


# --- Plain values ------------------------------------------------------------------------------


def iso(value: date | datetime | None) -> str | None:
    """ISO 8601, or None."""
    return value.isoformat() if value is not None else None


def number(value: Decimal | int | None) -> float | int | None:
    """A Decimal as a JSON number (an int when whole)."""
    if value is None:
        return None
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value


def enum_value(member) -> str | None:
    """The stored value of an enum member, or None."""
    return member.value if member is not None else None


def region_ref(region: Region | None) -> dict | None:
    """A region as {code, name, level}."""
    if region is None:
        return None
    return {"code": region.code, "name": region.name, "level": region.level.value}


def organisation_ref(org: Organisation | None) -> dict | None:
    """An organisation as {id, name, short_name, sector}."""
    if org is None:
        return None
    return {"id": org.id, "name": org.name, "short_name": org.short_name,
            "sector": org.sector.value}


# --- Workshops ---------------------------------------------------------------------------------


def workshop_query(user: User, filters: ApiFilters):
    """Workshops in the user's scope and the filters, newest first."""
    query = (select(Workshop).options(joinedload(Workshop.region))
             .where(*filters.review.workshop_conditions(user))
             .order_by(Workshop.starts_at.desc(), Workshop.id.desc()))
    if filters.workshop_status is not None:
        query = query.where(Workshop.status == filters.workshop_status)
    if filters.organisation_id is not None:
        query = query.where(exists().where(
            WorkshopOrganiser.workshop_id == Workshop.id,
            WorkshopOrganiser.organisation_id == filters.organisation_id))
    return query


def list_workshops(session: Session, user: User, filters: ApiFilters,
                   page: PageRequest) -> ResultPage:
    """One page of `workshop_query`."""
    return paginate(session, workshop_query(user, filters), page)


def load_workshop(session: Session, workshop_id: int) -> Workshop | None:
    """A workshop with its region and organisers (the routes check the scope)."""
    return session.scalar(
        select(Workshop).where(Workshop.id == workshop_id).options(
            joinedload(Workshop.region),
            selectinload(Workshop.organisers).joinedload(WorkshopOrganiser.organisation)))


def workshop_json(w: Workshop) -> dict:
    """A workshop as listed."""
    return {
        "id": w.id, "code": w.code, "title": w.title, "kind": w.kind.value,
        "status": w.status.value, "region": region_ref(w.region), "venue": w.venue,
        "starts_at": iso(w.starts_at), "ends_at": iso(w.ends_at), "timezone": w.region.timezone,
        "capacity": w.capacity, "seats_taken": w.seats_taken,
        "registration_opens_at": iso(w.registration_opens_at),
        "registration_closes_at": iso(w.registration_closes_at),
    }


def workshop_detail_json(w: Workshop) -> dict:
    """A workshop with its objectives and organisers."""
    return {
        **workshop_json(w),
        "objectives": list(w.objectives or []),
        "organisers": [{"organisation": organisation_ref(o.organisation), "role": o.role.value}
                       for o in w.organisers],
        "previous_id": w.previous_id, "cancel_reason": w.cancel_reason,
        "rescheduled_at": iso(w.rescheduled_at), "data_note": w.data_note,
    }


# --- Agenda ------------------------------------------------------------------------------------


def agenda_query(workshop: Workshop):
    """The agenda items of a workshop in order, with speakers and moderator."""
    return (select(AgendaItem).where(AgendaItem.workshop_id == workshop.id)
            .options(selectinload(AgendaItem.speakers), joinedload(AgendaItem.moderator))
            .order_by(AgendaItem.position, AgendaItem.starts_at, AgendaItem.id))


def agenda_item_json(item: AgendaItem) -> dict:
    """An agenda item; speakers and moderator by name and position only."""
    def person(p: Person) -> dict:
        return {"name": p.full_name, "position": p.position}

    return {"id": item.id, "position": item.position, "starts_at": iso(item.starts_at),
            "ends_at": iso(item.ends_at), "title": item.title,
            "session_type": item.session_type.value,
            "moderator": person(item.moderator) if item.moderator else None,
            "speakers": [person(p) for p in item.speakers]}


# --- Registrations -----------------------------------------------------------------------------


def registration_query(workshop: Workshop, filters: ApiFilters, personal: bool):
    """A workshop's registrations; people and organisations loaded only when shown."""
    query = (select(Registration).where(Registration.workshop_id == workshop.id)
             .order_by(Registration.sector, Registration.id))
    if personal:
        query = query.options(joinedload(Registration.person),
                              joinedload(Registration.organisation))
    else:
        query = query.options(joinedload(Registration.person).load_only(Person.gender))
    if filters.registration_status is not None:
        query = query.where(Registration.status == filters.registration_status)
    return query


def registration_aggregates(session: Session, workshop: Workshop) -> dict:
    """Counts by sector, gender and status, in three GROUP BY queries."""
    confirmed = Registration.status == RegistrationStatus.CONFIRMED
    attended = Registration.attendance.in_(ATTENDED)

    def counts(column, joined=False):
        query = select(column, func.sum(case((confirmed, 1), else_=0)),
                       func.sum(case((attended, 1), else_=0)))
        if joined:
            query = query.join(Person, Registration.person_id == Person.id)
        query = query.where(Registration.workshop_id == workshop.id).group_by(column)
        return {key: (int(r or 0), int(a or 0)) for key, r, a in session.execute(query)}

    by_sector = counts(Registration.sector)
    by_gender = counts(Person.gender, joined=True)
    by_status = dict(session.execute(
        select(Registration.status, func.count(Registration.id))
        .where(Registration.workshop_id == workshop.id).group_by(Registration.status)).all())
    return {
        "by_sector": [{"sector": s.value, "registered": by_sector.get(s, (0, 0))[0],
                       "attended": by_sector.get(s, (0, 0))[1]} for s in Sector],
        "by_gender": [{"gender": g.value if g else None, "registered": by_gender.get(g, (0, 0))[0],
                       "attended": by_gender.get(g, (0, 0))[1]} for g in (*Gender, None)],
        "by_status": {s.value: int(by_status.get(s, 0)) for s in RegistrationStatus},
    }


def registration_json(r: Registration, personal: bool) -> dict:
    """A registration; name, position, organisation, phone and e-mail only when `personal`."""
    data = {"id": r.id, "sector": r.sector.value, "role": r.role.value, "status": r.status.value,
            "waitlist_position": r.waitlist_position, "attendance": enum_value(r.attendance),
            "gender": enum_value(r.person.gender), "self_registered": r.self_registered,
            "created_at": iso(r.created_at)}
    if personal:
        p = r.person
        data.update({"name": p.full_name, "position": p.position,
                     "organisation": organisation_ref(r.organisation),
                     "phone": p.phone, "email": p.email})
    return data


# --- Outcomes ----------------------------------------------------------------------------------


def issue_query(workshop: Workshop):
    """The workshop's live strategic issues in ranked order."""
    return (select(StrategicIssue).where(StrategicIssue.workshop_id == workshop.id,
                                         StrategicIssue.merged_into_id.is_(None))
            .options(selectinload(StrategicIssue.aspect_links), joinedload(StrategicIssue.location),
                     joinedload(StrategicIssue.proposed_by))
            .order_by(StrategicIssue.vote_rank.is_(None), StrategicIssue.vote_rank,
                      StrategicIssue.priority, StrategicIssue.id))


def issue_json(i: StrategicIssue) -> dict:
    """A strategic issue."""
    return {"id": i.id, "workshop_id": i.workshop_id, "title": i.title,
            "description": i.description, "location": region_ref(i.location),
            "proposed_by": organisation_ref(i.proposed_by), "priority": i.priority,
            "vote_rank": i.vote_rank, "vote_count": i.vote_count, "agreed": i.agreed,
            "aspects": [a.value for a in i.aspects], "is_example": i.is_example}


def mechanism_query(workshop: Workshop):
    """The workshop's coordination mechanisms with lead, members and meetings."""
    return (select(CoordinationMechanism).where(CoordinationMechanism.workshop_id == workshop.id)
            .options(joinedload(CoordinationMechanism.lead_organisation),
                     selectinload(CoordinationMechanism.members),
                     selectinload(CoordinationMechanism.meetings))
            .order_by(CoordinationMechanism.id))


def mechanism_json(m: CoordinationMechanism) -> dict:
    """A coordination mechanism with its meeting dates."""
    return {"id": m.id, "workshop_id": m.workshop_id, "type": m.type.value, "name": m.name,
            "description": m.description,
            "lead_organisation": organisation_ref(m.lead_organisation),
            "members": [organisation_ref(o) for o in m.members], "cadence": m.cadence.value,
            "next_meeting_on": iso(m.next_meeting_on), "legal_basis": m.legal_basis,
            "contact_channel": m.contact_channel,
            "meetings": [{"held_on": iso(x.held_on)} for x in m.meetings],
            "is_example": m.is_example}


def agreement_query(workshop: Workshop):
    """The workshop's agreement points by number."""
    return (select(AgreementPoint).where(AgreementPoint.workshop_id == workshop.id)
            .options(selectinload(AgreementPoint.issues),
                     selectinload(AgreementPoint.organisations))
            .order_by(AgreementPoint.number))


def agreement_json(p: AgreementPoint) -> dict:
    """An agreement point with the issues and organisations it names."""
    return {"id": p.id, "workshop_id": p.workshop_id, "number": p.number, "text": p.text,
            "issue_ids": sorted(i.id for i in p.issues),
            "organisations": [organisation_ref(o) for o in p.organisations],
            "is_example": p.is_example}


# --- Commitments -------------------------------------------------------------------------------


def commitment_scope(user: User):
    """Commitments in the user's regions, and a stakeholder's own organisation's anywhere
    (the same reach as the commitment.view rule)."""
    in_regions = scope_clause(user, Commitment.region_code)
    if user.organisation is not None and can(user, "commitment.organisation_sheet",
                                             user.organisation):
        return or_(in_regions, Commitment.organisation_id == user.organisation_id)
    return in_regions


def commitment_conditions(user: User, filters: ApiFilters) -> list:
    """Conditions on Commitment for the commitments the user may see, filtered."""
    conditions = filters.review.commitment_conditions(user)
    # The review filters put the region scope first; widen it to the stakeholder's own.
    conditions[0] = and_(commitment_scope(user), _chosen_region(filters.review,
                                                                Commitment.region_code))
    if filters.commitment_status is not None:
        conditions.append(Commitment.status == filters.commitment_status)
    if filters.organisation_id is not None:
        conditions.append(Commitment.organisation_id == filters.organisation_id)
    if filters.workshop_id is not None:
        conditions.append(Commitment.workshop_id == filters.workshop_id)
    return conditions


def _chosen_region(review: ReviewFilters, column):
    """`column` inside the chosen province or kab/kota (without the scope, applied apart)."""
    if review.out_of_scope:
        return false()
    chosen = review.region_code
    return true() if not chosen else or_(column == chosen, column.like(chosen + ".%"))


def _count_tables(filters: ApiFilters) -> tuple[str, ...]:
    """The tables a commitment count reads: the organisations for a stakeholder's scope (its
    organisation's region), the workshops only for a period or kind."""
    review = filters.review
    tables = ("commitments", "organisations")
    return tables + ("workshops",) if review.kind or review.start or review.end else tables


def _count_commitments(session: Session, user: User, filters: ApiFilters) -> int:
    return session.scalar(select(func.count(Commitment.id))
                          .where(*commitment_conditions(user, filters)))


def count_commitments(session: Session, user: User, filters: ApiFilters) -> int:
    """How many commitments the user sees with the filters: counting all 200,000 of a national
    view takes longer than the rest of the answer, so the count is kept until a table it reads
    changes (services/stats_cache.py; exact, one small SELECT when nothing did)."""
    return stats_cache.cached(session, _count_commitments, user, filters,
                              tables=_count_tables(filters))


#: What a commitment's JSON shows.
COMMITMENT_TABLES = ("commitments", "commitment_updates", "organisations", "workshops",
                     "regions")


class LoadedCommitment(NamedTuple):
    """A commitment as `commitment_json` shows it: one row of `_commitment_select` and its
    progress updates (rows of `_update_select`), oldest first."""

    row: Row
    updates: list[Row]


_LOCATION = aliased(Region, name="location")


def _commitment_select():
    """A commitment's columns and those of its organisation, workshop, region and location,
    in one joined SELECT of plain columns (no ORM objects to build per row)."""
    return (select(Commitment.id, Commitment.title, Commitment.description, Commitment.type,
                   Commitment.aspect, Commitment.scale, Commitment.sector,
                   Commitment.organisation_id, Organisation.name.label("organisation_name"),
                   Organisation.short_name.label("organisation_short_name"),
                   Organisation.sector.label("organisation_sector"), Commitment.workshop_id,
                   Workshop.title.label("workshop_title"), Commitment.region_code,
                   Region.name.label("region_name"), Region.level.label("region_level"),
                   Commitment.location_code, _LOCATION.name.label("location_name"),
                   _LOCATION.level.label("location_level"), Commitment.location_text,
                   Commitment.volume, Commitment.unit, Commitment.amount_idr,
                   Commitment.funding_source, Commitment.fiscal_year, Commitment.target_date,
                   Commitment.document_ref, Commitment.integrated_into, Commitment.status,
                   Commitment.percent_complete, Commitment.last_update_at,
                   Commitment.is_example, Commitment.created_at)
            .join(Organisation, Organisation.id == Commitment.organisation_id)
            .join(Region, Region.code == Commitment.region_code)
            .outerjoin(Workshop, Workshop.id == Commitment.workshop_id)
            .outerjoin(_LOCATION, _LOCATION.code == Commitment.location_code)
            .order_by(Commitment.id))


def _update_select(commitment_ids):
    """The progress updates of some commitments, oldest first, as plain columns."""
    return (select(CommitmentUpdate.commitment_id, CommitmentUpdate.id,
                   CommitmentUpdate.reported_on, CommitmentUpdate.status,
                   CommitmentUpdate.percent_complete, CommitmentUpdate.narrative,
                   CommitmentUpdate.verification_state, CommitmentUpdate.created_at)
            .where(CommitmentUpdate.commitment_id.in_(commitment_ids))
            .order_by(CommitmentUpdate.commitment_id, CommitmentUpdate.created_at,
                      CommitmentUpdate.id))


def _load_commitments(session: Session, query) -> list[LoadedCommitment]:
    """The rows of `query` (a `_commitment_select`) with their updates: two statements."""
    rows = session.execute(query).all()
    updates: dict[int, list[Row]] = {row.id: [] for row in rows}
    if updates:
        for update in session.execute(_update_select(list(updates))):
            updates[update.commitment_id].append(update)
    return [LoadedCommitment(row, updates[row.id]) for row in rows]


def list_commitments(session: Session, user: User, filters: ApiFilters,
                     page: PageRequest) -> ResultPage:
    """One page of the commitments the user may see, filtered, in id order: the page's ids
    first (from the conditions alone), then only those rows joined."""
    total = count_commitments(session, user, filters)
    if page.offset >= total:
        return ResultPage(items=[], total=total, request=page)
    ids = (select(Commitment.id).where(*commitment_conditions(user, filters))
           .order_by(Commitment.id).limit(page.per_page).offset(page.offset))
    items = _load_commitments(session, _commitment_select().where(Commitment.id.in_(ids)))
    return ResultPage(items=items, total=total, request=page)


def load_commitment(session: Session, commitment_id: int) -> LoadedCommitment | None:
    """A commitment with what `commitment_json` shows (the routes check can() on its row,
    which has the region_code and organisation_id the rule reads)."""
    found = _load_commitments(session, _commitment_select().where(Commitment.id == commitment_id))
    return found[0] if found else None


def update_json(u: Row) -> dict:
    """A progress update."""
    return {"id": u.id, "reported_on": iso(u.reported_on), "status": u.status.value,
            "percent_complete": u.percent_complete, "narrative": u.narrative,
            "verification_state": enum_value(u.verification_state),
            "created_at": iso(u.created_at)}


def _labelled_region(code: str | None, name: str | None, level) -> dict | None:
    """A joined region's columns as `region_ref` gives a Region."""
    return None if code is None else {"code": code, "name": name, "level": level.value}


def commitment_json(item: LoadedCommitment) -> dict:
    """A commitment with its progress updates, oldest first."""
    c = item.row
    return {
        "id": c.id, "title": c.title, "description": c.description, "type": c.type.value,
        "aspect": enum_value(c.aspect), "scale": enum_value(c.scale), "sector": c.sector.value,
        "organisation": {"id": c.organisation_id, "name": c.organisation_name,
                         "short_name": c.organisation_short_name,
                         "sector": c.organisation_sector.value},
        "workshop": ({"id": c.workshop_id, "title": c.workshop_title}
                     if c.workshop_id is not None else None),
        "region": _labelled_region(c.region_code, c.region_name, c.region_level),
        "location": _labelled_region(c.location_code, c.location_name, c.location_level),
        "location_text": c.location_text, "volume": number(c.volume), "unit": c.unit,
        "amount_idr": c.amount_idr, "funding_source": enum_value(c.funding_source),
        "fiscal_year": c.fiscal_year, "target_date": iso(c.target_date),
        "document_ref": c.document_ref, "integrated_into": c.integrated_into,
        "status": c.status.value, "percent_complete": c.percent_complete,
        "last_update_at": iso(c.last_update_at), "is_example": c.is_example,
        "created_at": iso(c.created_at), "updates": [update_json(u) for u in item.updates],
    }


# --- Region indicators -------------------------------------------------------------------------


def indicator_query(user: User, region: Region, filters: ApiFilters):
    """100-0-100 figures of a region and the regions below it, in the user's scope."""
    query = (select(RegionIndicator).options(joinedload(RegionIndicator.region))
             .where(or_(RegionIndicator.region_code == region.code,
                        RegionIndicator.region_code.like(region.code + ".%")),
                    scope_clause(user, RegionIndicator.region_code))
             .order_by(RegionIndicator.region_code, RegionIndicator.year, RegionIndicator.kind))
    if filters.indicator_kind is not None:
        query = query.where(RegionIndicator.kind == filters.indicator_kind)
    if filters.year is not None:
        query = query.where(RegionIndicator.year == filters.year)
    return query


def indicator_json(i: RegionIndicator) -> dict:
    """A 100-0-100 figure with its source."""
    return {"id": i.id, "region": region_ref(i.region), "year": i.year, "kind": i.kind.value,
            "value": number(i.value), "source": i.source, "note": i.note,
            "is_example": i.is_example}


# --- Summary -----------------------------------------------------------------------------------


def summary(session: Session, user: User, filters: ApiFilters) -> dict:
    """Counts over the workshops and commitments in view: a fixed number of GROUP BY queries."""
    review = filters.review
    in_view = select(Workshop.id).where(*review.workshop_conditions(user))
    by_status = dict(session.execute(
        select(Workshop.status, func.count(Workshop.id)).where(*review.workshop_conditions(user))
        .group_by(Workshop.status)).all())
    by_kind = dict(session.execute(
        select(Workshop.kind, func.count(Workshop.id)).where(*review.workshop_conditions(user))
        .group_by(Workshop.kind)).all())
    participants = session.execute(
        select(func.sum(case((Registration.status == RegistrationStatus.CONFIRMED, 1), else_=0)),
               func.sum(case((Registration.attendance.in_(ATTENDED), 1), else_=0)))
        .where(Registration.workshop_id.in_(in_view))).one()
    outcomes = session.execute(select(
        select(func.count(StrategicIssue.id)).where(
            StrategicIssue.workshop_id.in_(in_view),
            StrategicIssue.merged_into_id.is_(None)).scalar_subquery(),
        select(func.count(CoordinationMechanism.id)).where(
            CoordinationMechanism.workshop_id.in_(in_view)).scalar_subquery(),
        select(func.count(AgreementPoint.id)).where(
            AgreementPoint.workshop_id.in_(in_view)).scalar_subquery())).one()
    commitment_conditions = review.commitment_conditions(user)
    rows = session.execute(
        select(Commitment.status, Commitment.sector, func.count(Commitment.id),
               func.sum(Commitment.amount_idr))
        .where(*commitment_conditions).group_by(Commitment.status, Commitment.sector)).all()
    c_status = {s.value: 0 for s in CommitmentStatus}
    c_sector = {s.value: 0 for s in Sector}
    amount = 0
    for status, sector, count, total in rows:
        c_status[status.value] += count
        c_sector[sector.value] += count
        amount += int(total or 0)
    return {
        "filters": review.as_args(),
        "workshops": {"total": sum(by_status.values()),
                      "by_status": {s.value: int(by_status.get(s, 0)) for s in WorkshopStatus},
                      "by_kind": {k.value: int(by_kind.get(k, 0)) for k in WorkshopKind}},
        "participants": {"confirmed": int(participants[0] or 0),
                         "attended": int(participants[1] or 0)},
        "outcomes": {"issues": int(outcomes[0] or 0), "mechanisms": int(outcomes[1] or 0),
                     "agreement_points": int(outcomes[2] or 0)},
        "commitments": {"total": sum(c_status.values()), "amount_idr": amount,
                        "by_status": c_status, "by_sector": c_sector},
    }
