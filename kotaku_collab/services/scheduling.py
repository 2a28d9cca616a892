"""Scheduling workshops: create, edit, duplicate, lifecycle, agenda and conflict warnings.

Times arrive as naive local datetimes in the workshop region's zone (what an organiser types)
and are stored as aware UTC.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session, joinedload, selectinload

from kotaku_collab.i18n import _, format_local_datetime, format_long_date, format_time_range
from kotaku_collab.models import (AgendaItem, NotificationKind, Organisation, OrganiserRole,
                                  Person, Region, Sector, SessionType, Workshop, WorkshopKind,
                                  WorkshopOrganiser, WorkshopStatus, utc_now)
from kotaku_collab.models.workshop import agenda_speakers
from kotaku_collab.services import DomainError
from kotaku_collab.services.notifications import notify_registrants
from kotaku_collab.services.registration import lock_workshop, promote_waitlisted

MAX_CAPACITY = 500
MAX_DAYS = 7
MAX_OBJECTIVES = 20

#: Legal lifecycle moves. Cancelling is possible from any state before the workshop is held.
TRANSITIONS: dict[WorkshopStatus, tuple[WorkshopStatus, ...]] = {
    WorkshopStatus.DRAFT: (WorkshopStatus.PUBLISHED, WorkshopStatus.CANCELLED),
    WorkshopStatus.PUBLISHED: (WorkshopStatus.REGISTRATION_CLOSED, WorkshopStatus.HELD,
                               WorkshopStatus.CANCELLED),
    WorkshopStatus.REGISTRATION_CLOSED: (WorkshopStatus.PUBLISHED, WorkshopStatus.HELD,
                                         WorkshopStatus.CANCELLED),
    WorkshopStatus.HELD: (WorkshopStatus.FINALISED,),
    WorkshopStatus.FINALISED: (WorkshopStatus.REVIEWED,),
    WorkshopStatus.REVIEWED: (),
    WorkshopStatus.CANCELLED: (),
}

#: Statuses in which date changes must be announced to registrants.
ANNOUNCED = (WorkshopStatus.PUBLISHED, WorkshopStatus.REGISTRATION_CLOSED)


def to_utc(local: datetime, tz_name: str) -> datetime:
    """A naive local time in `tz_name` as aware UTC (Indonesian zones have no DST)."""
    if local.tzinfo is not None:
        return local.astimezone(timezone.utc)
    return local.replace(tzinfo=ZoneInfo(tz_name)).astimezone(timezone.utc)


def to_local_naive(value: datetime, tz_name: str) -> datetime:
    """The inverse of to_utc: what an organiser sees in a form."""
    return value.astimezone(ZoneInfo(tz_name)).replace(tzinfo=None)


@dataclass
class WorkshopInput:
    title: str
    kind: WorkshopKind
    region_code: str
    venue: str
    starts_local: datetime
    ends_local: datetime
    capacity: int
    registration_opens_local: datetime | None = None
    registration_closes_local: datetime | None = None
    objectives: list[str] = field(default_factory=list)
    invitation_number: str | None = None
    opened_by_id: int | None = None
    opened_by_position: str | None = None
    organisers: list[tuple[int, OrganiserRole]] = field(default_factory=list)
    sector_targets: dict[str, int] = field(default_factory=dict)


@dataclass
class Conflict:
    kind: str  # "venue" or "speaker"
    message: str
    workshop: Workshop


def _kabkota(session: Session, code: str) -> Region:
    region = session.get(Region, code)
    if region is None or not region.level.is_kabkota:
        raise DomainError(_("Choose a regency or city."), field="region_code")
    return region


def _checked_times(data: WorkshopInput, tz: str):
    starts_at = to_utc(data.starts_local, tz)
    ends_at = to_utc(data.ends_local, tz)
    if ends_at <= starts_at:
        raise DomainError(_("The end must be after the start."), field="ends_local")
    if ends_at - starts_at > timedelta(days=MAX_DAYS):
        raise DomainError(_("A workshop lasts at most %(n)d days.", n=MAX_DAYS), field="ends_local")
    opens = to_utc(data.registration_opens_local, tz) if data.registration_opens_local else None
    closes = to_utc(data.registration_closes_local, tz) if data.registration_closes_local else None
    if opens and closes and closes <= opens:
        raise DomainError(_("Registration must close after it opens."),
                          field="registration_closes_local")
    if closes and closes > ends_at:
        raise DomainError(_("Registration must close before the workshop ends."),
                          field="registration_closes_local")
    if opens and opens >= ends_at:
        raise DomainError(_("Registration must open before the workshop ends."),
                          field="registration_opens_local")
    return starts_at, ends_at, opens, closes


def _checked_capacity(capacity: int, workshop: Workshop | None = None) -> int:
    if capacity is None or capacity < 1 or capacity > MAX_CAPACITY:
        raise DomainError(_("Capacity must be between 1 and %(n)d.", n=MAX_CAPACITY),
                          field="capacity")
    if workshop is not None and capacity < workshop.seats_taken:
        raise DomainError(_("%(n)d seats are already confirmed; cancel registrations before "
                            "lowering the capacity below that.", n=workshop.seats_taken),
                          field="capacity")
    return capacity


def _checked_objectives(objectives: list[str]) -> list[str]:
    cleaned = [o.strip() for o in objectives if o and o.strip()]
    if len(cleaned) > MAX_OBJECTIVES:
        raise DomainError(_("At most %(n)d objectives.", n=MAX_OBJECTIVES), field="objectives")
    if any(len(o) > 300 for o in cleaned):
        raise DomainError(_("Each objective may have at most 300 characters."), field="objectives")
    return cleaned


def _checked_targets(targets: dict[str, int]) -> dict[str, int]:
    valid = {s.value for s in Sector}
    cleaned = {}
    for sector, n in (targets or {}).items():
        if sector not in valid:
            raise DomainError(_("Unknown sector: %(s)s", s=sector), field="sector_targets")
        if n is not None and int(n) > 0:
            cleaned[sector] = int(n)
    return cleaned


def _apply_organisers(session: Session, workshop: Workshop,
                      organisers: list[tuple[int, OrganiserRole]]) -> None:
    wanted = {}
    for org_id, role in organisers:
        if session.get(Organisation, org_id) is None:
            raise DomainError(_("Unknown organisation."), field="organisers")
        wanted[org_id] = role
    current = {o.organisation_id: o for o in workshop.organisers}
    for org_id, link in current.items():
        if org_id not in wanted:
            workshop.organisers.remove(link)
    for org_id, role in wanted.items():
        if org_id in current:
            current[org_id].role = role
        else:
            workshop.organisers.append(WorkshopOrganiser(organisation_id=org_id, role=role))


def _opened_by(session: Session, person_id: int | None) -> Person | None:
    if person_id is None:
        return None
    person = session.get(Person, person_id)
    if person is None:
        raise DomainError(_("Unknown person."), field="opened_by_id")
    return person


def create_workshop(session: Session, data: WorkshopInput) -> Workshop:
    region = _kabkota(session, data.region_code)
    starts_at, ends_at, opens, closes = _checked_times(data, region.timezone)
    workshop = Workshop(
        title=data.title, kind=data.kind, region=region, venue=data.venue,
        starts_at=starts_at, ends_at=ends_at, capacity=_checked_capacity(data.capacity),
        registration_opens_at=opens, registration_closes_at=closes,
        objectives=_checked_objectives(data.objectives),
        invitation_number=data.invitation_number or None,
        opened_by=_opened_by(session, data.opened_by_id),
        opened_by_position=data.opened_by_position or None,
        sector_targets=_checked_targets(data.sector_targets),
        status=WorkshopStatus.DRAFT,
    )
    session.add(workshop)
    _apply_organisers(session, workshop, data.organisers)
    session.flush()
    return workshop


def update_workshop(session: Session, workshop: Workshop, data: WorkshopInput) -> Workshop:
    """Edit a workshop; a date change after publication is flagged to its registrants."""
    if workshop.status in (WorkshopStatus.CANCELLED, WorkshopStatus.FINALISED,
                           WorkshopStatus.REVIEWED):
        raise DomainError(_("A %(status)s workshop can no longer be edited.",
                            status=workshop.status.label))
    lock_workshop(session, workshop.id)  # capacity is checked against seats taken right now
    region = _kabkota(session, data.region_code)
    if region.code != workshop.region_code and workshop.seats_taken:
        raise DomainError(_("People have registered; the regency/city can no longer change."),
                          field="region_code")
    starts_at, ends_at, opens, closes = _checked_times(data, region.timezone)
    rescheduled = (starts_at, ends_at) != (workshop.starts_at, workshop.ends_at)
    if rescheduled and workshop.agenda_items:
        shift = starts_at - workshop.starts_at
        for item in workshop.agenda_items:
            item.starts_at += shift
            item.ends_at += shift
        if any(i.ends_at > ends_at or i.starts_at < starts_at for i in workshop.agenda_items):
            raise DomainError(_("The agenda no longer fits in the new times; shorten or move "
                                "agenda items first."), field="ends_local")
    old_start, old_end = workshop.starts_at, workshop.ends_at
    workshop.title = data.title
    workshop.kind = data.kind
    workshop.region = region
    workshop.venue = data.venue
    workshop.starts_at, workshop.ends_at = starts_at, ends_at
    workshop.capacity = _checked_capacity(data.capacity, workshop)
    workshop.registration_opens_at, workshop.registration_closes_at = opens, closes
    workshop.objectives = _checked_objectives(data.objectives)
    workshop.invitation_number = data.invitation_number or None
    workshop.opened_by = _opened_by(session, data.opened_by_id)
    workshop.opened_by_position = data.opened_by_position or None
    workshop.sector_targets = _checked_targets(data.sector_targets)
    _apply_organisers(session, workshop, data.organisers)
    if rescheduled and workshop.status in ANNOUNCED:
        workshop.rescheduled_at = utc_now()
        _announce_reschedule(session, workshop, old_start, old_end)
    session.flush()
    promote_waitlisted(session, workshop)  # a larger room seats people who were waiting
    return workshop


def _announce_reschedule(session: Session, workshop: Workshop, old_start, old_end) -> None:
    tz = workshop.region.timezone

    def message(registration):
        subject = _("Schedule change: %(title)s", title=workshop.title)
        body = _("The workshop \"%(title)s\" has moved from %(old)s to %(new)s, %(time)s, "
                 "at %(venue)s.", title=workshop.title,
                 old=format_local_datetime(old_start, tz),
                 new=format_long_date(workshop.starts_at, tz),
                 time=format_time_range(workshop.starts_at, workshop.ends_at, tz),
                 venue=workshop.venue)
        return subject, body

    notify_registrants(session, workshop, NotificationKind.WORKSHOP_RESCHEDULED, message)


def duplicate_workshop(session: Session, workshop: Workshop, *, weeks_later: int = 12) -> Workshop:
    """A follow-up round: same place, people and agenda shape, as a draft some weeks later."""
    shift = timedelta(weeks=weeks_later)
    copy = Workshop(
        title=_("%(title)s (follow-up)", title=workshop.title)[:200], kind=workshop.kind,
        region_code=workshop.region_code, venue=workshop.venue,
        starts_at=workshop.starts_at + shift, ends_at=workshop.ends_at + shift,
        capacity=workshop.capacity, objectives=list(workshop.objectives or []),
        opened_by_id=workshop.opened_by_id, opened_by_position=workshop.opened_by_position,
        sector_targets=dict(workshop.sector_targets or {}), status=WorkshopStatus.DRAFT,
        previous_id=workshop.id,
    )
    session.add(copy)
    for link in workshop.organisers:
        copy.organisers.append(WorkshopOrganiser(organisation_id=link.organisation_id,
                                                 role=link.role))
    for item in workshop.agenda_items:
        copy.agenda_items.append(AgendaItem(
            position=item.position, starts_at=item.starts_at + shift, ends_at=item.ends_at + shift,
            title=item.title, session_type=item.session_type, moderator_id=item.moderator_id,
            speakers=list(item.speakers)))
    session.flush()
    return copy


def allowed_transitions(workshop: Workshop) -> tuple[WorkshopStatus, ...]:
    return TRANSITIONS[workshop.status]


def transition(session: Session, workshop: Workshop, target: WorkshopStatus, *,
               reason: str | None = None, now: datetime | None = None,
               actor=None) -> Workshop:
    """Move a workshop along its lifecycle; every refused move says why.

    Finalising needs complete minutes and locks the outcomes (services.minutes.lock_minutes);
    `actor` is recorded as the one who finalised.
    """
    now = now or utc_now()
    if target not in TRANSITIONS[workshop.status]:
        if target is WorkshopStatus.CANCELLED and workshop.status in (
                WorkshopStatus.HELD, WorkshopStatus.FINALISED, WorkshopStatus.REVIEWED):
            raise DomainError(_("A workshop that has been held cannot be cancelled."))
        raise DomainError(_("A workshop cannot go from \"%(a)s\" to \"%(b)s\".",
                            a=workshop.status.label, b=target.label))
    if target is WorkshopStatus.PUBLISHED and workshop.ends_at <= now:
        raise DomainError(_("Registration cannot open for a workshop that has already ended."))
    if target is WorkshopStatus.HELD and workshop.starts_at > now:
        raise DomainError(_("A workshop can be marked as held only once it has started."))
    if target is WorkshopStatus.FINALISED:
        from kotaku_collab.services.minutes import lock_minutes

        lock_minutes(session, workshop, actor=actor, now=now)
    if target is WorkshopStatus.CANCELLED:
        if not reason or not reason.strip():
            raise DomainError(_("Give the reason for cancelling."), field="reason")
        workshop.cancel_reason = reason.strip()
        _announce_cancellation(session, workshop)
    workshop.status = target
    session.flush()
    return workshop


def _announce_cancellation(session: Session, workshop: Workshop) -> None:
    tz = workshop.region.timezone

    def message(registration):
        subject = _("Cancelled: %(title)s", title=workshop.title)
        body = _("The workshop \"%(title)s\" on %(when)s has been cancelled. Reason: %(reason)s",
                 title=workshop.title, when=format_local_datetime(workshop.starts_at, tz),
                 reason=workshop.cancel_reason)
        return subject, body

    notify_registrants(session, workshop, NotificationKind.WORKSHOP_CANCELLED, message)


# --- Agenda -------------------------------------------------------------------------------


@dataclass
class AgendaInput:
    title: str
    session_type: SessionType
    day: date
    start: time
    end: time
    speaker_ids: list[int] = field(default_factory=list)
    moderator_id: int | None = None


def workshop_days(workshop: Workshop) -> list[date]:
    """The local dates a workshop spans (for the agenda's day picker)."""
    tz = workshop.region.timezone
    first = to_local_naive(workshop.starts_at, tz).date()
    last = to_local_naive(workshop.ends_at - timedelta(seconds=1), tz).date()
    return [first + timedelta(days=i) for i in range((last - first).days + 1)]


def _people(session: Session, ids: list[int], field_name: str) -> list[Person]:
    people = []
    for person_id in dict.fromkeys(ids):
        person = session.get(Person, person_id)
        if person is None:
            raise DomainError(_("Unknown person."), field=field_name)
        people.append(person)
    return people


def _agenda_times(workshop: Workshop, data: AgendaInput, exclude: AgendaItem | None = None):
    tz = workshop.region.timezone
    starts_at = to_utc(datetime.combine(data.day, data.start), tz)
    ends_at = to_utc(datetime.combine(data.day, data.end), tz)
    if ends_at <= starts_at:
        raise DomainError(_("The end must be after the start."), field="end")
    if starts_at < workshop.starts_at or ends_at > workshop.ends_at:
        raise DomainError(_("The item must fall inside the workshop's time: %(window)s.",
                            window=format_time_range(workshop.starts_at, workshop.ends_at, tz)),
                          field="start")
    for other in workshop.agenda_items:
        if other is exclude:
            continue
        if starts_at < other.ends_at and other.starts_at < ends_at:
            raise DomainError(_("It overlaps \"%(title)s\" (%(time)s).", title=other.title,
                                time=format_time_range(other.starts_at, other.ends_at, tz)),
                              field="start")
    return starts_at, ends_at


def _renumber(workshop: Workshop) -> None:
    for position, item in enumerate(sorted(workshop.agenda_items, key=lambda i: i.starts_at)):
        item.position = position


def add_agenda_item(session: Session, workshop: Workshop, data: AgendaInput) -> AgendaItem:
    _ensure_editable(workshop)
    starts_at, ends_at = _agenda_times(workshop, data)
    item = AgendaItem(title=data.title, session_type=data.session_type, starts_at=starts_at,
                      ends_at=ends_at, speakers=_people(session, data.speaker_ids, "speaker_ids"),
                      moderator=_people(session, [data.moderator_id], "moderator_id")[0]
                      if data.moderator_id else None)
    workshop.agenda_items.append(item)
    _renumber(workshop)
    session.flush()
    return item


def update_agenda_item(session: Session, item: AgendaItem, data: AgendaInput) -> AgendaItem:
    workshop = item.workshop
    _ensure_editable(workshop)
    item.starts_at, item.ends_at = _agenda_times(workshop, data, exclude=item)
    item.title = data.title
    item.session_type = data.session_type
    item.speakers = _people(session, data.speaker_ids, "speaker_ids")
    item.moderator = (_people(session, [data.moderator_id], "moderator_id")[0]
                      if data.moderator_id else None)
    _renumber(workshop)
    session.flush()
    return item


def delete_agenda_item(session: Session, item: AgendaItem) -> None:
    workshop = item.workshop
    _ensure_editable(workshop)
    workshop.agenda_items.remove(item)
    session.delete(item)
    _renumber(workshop)
    session.flush()


def move_agenda_item(session: Session, item: AgendaItem, direction: int) -> None:
    """Swap an item with its neighbour: the pair keeps its combined time span and each item
    keeps its own duration, so nothing overlaps afterwards."""
    workshop = item.workshop
    _ensure_editable(workshop)
    ordered = sorted(workshop.agenda_items, key=lambda i: i.starts_at)
    index = ordered.index(item)
    other_index = index + (1 if direction > 0 else -1)
    if not 0 <= other_index < len(ordered):
        raise DomainError(_("The item is already at that end of the agenda."))
    first, second = sorted((item, ordered[other_index]), key=lambda i: i.starts_at)
    gap = second.starts_at - first.ends_at
    first_len, second_len = first.ends_at - first.starts_at, second.ends_at - second.starts_at
    start = first.starts_at
    second.starts_at, second.ends_at = start, start + second_len
    first.starts_at = second.ends_at + gap
    first.ends_at = first.starts_at + first_len
    _renumber(workshop)
    session.flush()


def _ensure_editable(workshop: Workshop) -> None:
    if workshop.status in (WorkshopStatus.CANCELLED, WorkshopStatus.FINALISED,
                           WorkshopStatus.REVIEWED):
        raise DomainError(_("A %(status)s workshop can no longer be edited.",
                            status=workshop.status.label))


# --- Conflicts ----------------------------------------------------------------------------

_SPACES = re.compile(r"\s+")


def normalise_venue(venue: str) -> str:
    return _SPACES.sub(" ", (venue or "").casefold()).strip()


def find_conflicts(session: Session, *, venue: str, starts_at: datetime, ends_at: datetime,
                   person_ids: list[int] | tuple = (), exclude_workshop_id: int | None = None,
                   item_window: tuple[datetime, datetime] | None = None) -> list[Conflict]:
    """Other live workshops at the same venue and time, and people who speak elsewhere then.

    These are warnings: the organiser may confirm and go ahead.
    """
    live = Workshop.status != WorkshopStatus.CANCELLED
    conflicts: list[Conflict] = []
    if venue:
        query = (select(Workshop).options(joinedload(Workshop.region))
                 .where(live, Workshop.starts_at < ends_at, Workshop.ends_at > starts_at,
                        func.lower(Workshop.venue) == normalise_venue(venue)))
        if exclude_workshop_id:
            query = query.where(Workshop.id != exclude_workshop_id)
        for other in session.scalars(query):
            conflicts.append(Conflict("venue", _(
                "%(venue)s is already booked for \"%(title)s\" (%(when)s).", venue=venue,
                title=other.title, when=format_local_datetime(other.starts_at, other.region.timezone)),
                other))
    person_ids = [p for p in dict.fromkeys(person_ids) if p]
    if person_ids:
        window_start, window_end = item_window or (starts_at, ends_at)
        speaking = or_(AgendaItem.moderator_id.in_(person_ids),
                       AgendaItem.id.in_(select(agenda_speakers.c.agenda_item_id)
                                         .where(agenda_speakers.c.person_id.in_(person_ids))))
        query = (select(AgendaItem).join(AgendaItem.workshop)
                 .options(selectinload(AgendaItem.speakers), joinedload(AgendaItem.moderator),
                          joinedload(AgendaItem.workshop).joinedload(Workshop.region))
                 .where(live, speaking, AgendaItem.starts_at < window_end,
                        AgendaItem.ends_at > window_start))
        if exclude_workshop_id:
            query = query.where(AgendaItem.workshop_id != exclude_workshop_id)
        for item in session.scalars(query).unique():
            names = [p.full_name for p in [*item.speakers, item.moderator]
                     if p is not None and p.id in person_ids]
            for name in dict.fromkeys(names):
                conflicts.append(Conflict("speaker", _(
                    "%(name)s is speaking at \"%(title)s\" at the same time (%(when)s).",
                    name=name, title=item.workshop.title,
                    when=format_time_range(item.starts_at, item.ends_at,
                                           item.workshop.region.timezone)), item.workshop))
    return conflicts
