"""What a workshop produces: strategic issues (and merging duplicates), coordination mechanisms
with their meeting log, and numbered agreement points.

Once a workshop is finalised its outcomes are locked: every change through these functions
then needs an amendment reason, which is stored as an Amendment row and attached to the audit
events of the change (see `outcome_change`). The meeting log of a mechanism is the exception:
meetings happen after the workshop, so logging them is follow-up, not an amendment.
"""

from __future__ import annotations

import re
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from typing import Callable

from flask_babel import force_locale
from sqlalchemy import func, select
from sqlalchemy.orm import Session, joinedload, selectinload

from kotaku_collab.audit import audit_reason, record_event
from kotaku_collab.i18n import _
from kotaku_collab.models import (AgreementPoint, Amendment, Aspect, Cadence, Commitment,
                                  CoordinationMechanism, IssueAspect, IssueVote, MechanismMeeting,
                                  MechanismType, Organisation, Region, RegionLevel, SlumArea,
                                  StrategicIssue, User, Workshop, WorkshopStatus)
from kotaku_collab.models.commitment import commitment_issues
from kotaku_collab.models.outcome import agreement_issues
from kotaku_collab.services import DomainError

#: Official records are Indonesian (see services/documents.py).
DOCUMENT_LOCALE = "id"
#: Statuses in which outcomes are locked and changes are amendments.
LOCKED_STATUSES = (WorkshopStatus.FINALISED, WorkshopStatus.REVIEWED)
#: An amendment reason shorter than this says nothing.
MIN_REASON_LENGTH = 10
MAX_TITLE = 200
MAX_TEXT = 5000
MAX_AGREEMENT_TEXT = 2000
PRIORITIES = (1, 2, 3)
_URL_SCHEME = re.compile(r"^\s*([a-z][a-z0-9+.\-]*):(?!\s)", re.IGNORECASE)


# --- Locking and amendments ---------------------------------------------------------------


def is_locked(workshop: Workshop) -> bool:
    """True once the workshop is finalised: its outcomes change only by amendment."""
    return workshop.status in LOCKED_STATUSES


@contextmanager
def outcome_change(session: Session, workshop: Workshop, actor: User | None,
                   reason: str | None, summary: Callable[[], str]):
    """Wrap every change to a workshop's outcomes.

    Before finalisation nothing extra happens. Afterwards a reason is required; the changes
    made inside the block are audited with it, and an Amendment row plus an "amend" audit event
    record it for the documents. `summary` says what changes, in words for the official record:
    it is called before the change, in Indonesian whatever the organiser's language.
    """
    if workshop.status is WorkshopStatus.CANCELLED:
        raise DomainError(_("This workshop was cancelled; its outcomes can no longer change."))
    if not is_locked(workshop):
        yield
        return
    reason = (reason or "").strip()
    if len(reason) < MIN_REASON_LENGTH:
        raise DomainError(_("This workshop has been finalised: give the reason for this "
                            "amendment (at least %(n)d characters).", n=MIN_REASON_LENGTH),
                          field="amendment_reason")
    with force_locale(DOCUMENT_LOCALE):
        summary = str(summary())[:300]
    with audit_reason(reason):
        yield
        session.add(Amendment(workshop_id=workshop.id, reason=reason, summary=summary,
                              actor_id=actor.id if actor is not None else None))
        session.flush()
        record_event(session, "amend", workshop, {"summary": summary}, reason=reason)


def _lock_workshop_row(session: Session, workshop: Workshop) -> None:
    """Serialise numbering changes of one workshop (FOR UPDATE on PostgreSQL; SQLite write
    transactions are already serialised by BEGIN IMMEDIATE)."""
    session.execute(select(Workshop.id).where(Workshop.id == workshop.id).with_for_update())


# --- Organisations that were merged -------------------------------------------------------


def current_organisation(session: Session, org: Organisation | None) -> Organisation | None:
    """The organisation that now stands for `org`, following admin merges (never deleted
    while referenced, so a lead organisation that was "deleted" is one that was merged)."""
    seen: set[int] = set()
    while org is not None and org.merged_into_id is not None and org.id not in seen:
        seen.add(org.id)
        org = session.get(Organisation, org.merged_into_id)
    return org


def _organisation(session: Session, org_id: int | None, field_name: str) -> Organisation | None:
    if org_id in (None, "", 0):
        return None
    org = session.get(Organisation, int(org_id))
    if org is None:
        raise DomainError(_("Unknown organisation."), field=field_name)
    return current_organisation(session, org)


def _organisations(session: Session, ids, field_name: str) -> list[Organisation]:
    result: dict[int, Organisation] = {}
    for org_id in ids or []:
        org = _organisation(session, org_id, field_name)
        if org is not None:
            result.setdefault(org.id, org)
    return list(result.values())


# --- Strategic issues ---------------------------------------------------------------------


@dataclass
class IssueInput:
    title: str
    aspects: list = field(default_factory=list)
    description: str | None = None
    location_code: str | None = None
    slum_area_id: int | None = None
    proposed_by_id: int | None = None
    priority: int = 2
    agreed: bool = False


def _clean_text(value: str | None, limit: int, field_name: str, label: str) -> str | None:
    value = (value or "").strip()
    if len(value) > limit:
        raise DomainError(_("%(label)s may have at most %(n)d characters.", label=label, n=limit),
                          field=field_name)
    return value or None


def _title(value: str | None) -> str:
    title = (value or "").strip()
    if not title:
        raise DomainError(_("Give the issue a title."), field="title")
    if len(title) > MAX_TITLE:
        raise DomainError(_("The title may have at most %(n)d characters.", n=MAX_TITLE),
                          field="title")
    return title


def _aspects(values) -> list[Aspect]:
    aspects: list[Aspect] = []
    for value in values or []:
        try:
            aspect = value if isinstance(value, Aspect) else Aspect(str(value))
        except ValueError:
            raise DomainError(_("Unknown aspect: %(aspect)s", aspect=str(value)[:40]),
                              field="aspects") from None
        if aspect not in aspects:
            aspects.append(aspect)
    if not aspects:
        raise DomainError(_("Choose at least one aspect."), field="aspects")
    return aspects


def location_choices(session: Session, workshop: Workshop) -> list[Region]:
    """Kelurahan and desa inside the workshop's kab/kota."""
    return list(session.scalars(
        select(Region).where(Region.code.like(workshop.region_code + ".%"),
                             Region.level.in_((RegionLevel.KELURAHAN, RegionLevel.DESA)))
        .order_by(Region.name)))


def slum_area_choices(session: Session, workshop: Workshop) -> list[SlumArea]:
    """Slum areas (SK kumuh) of the workshop's kab/kota."""
    return list(session.scalars(
        select(SlumArea).where((SlumArea.region_code == workshop.region_code)
                               | SlumArea.region_code.like(workshop.region_code + ".%"))
        .order_by(SlumArea.name)))


def _location(session: Session, workshop: Workshop, code: str | None) -> Region | None:
    if not code:
        return None
    region = session.get(Region, code)
    if (region is None or region.level not in (RegionLevel.KELURAHAN, RegionLevel.DESA)
            or not workshop.region.contains(region.code)):
        raise DomainError(_("Choose a kelurahan or desa in %(region)s.",
                            region=workshop.region.name), field="location_code")
    return region


def _slum_area(session: Session, workshop: Workshop, area_id: int | None) -> int | None:
    if not area_id:
        return None
    area = session.get(SlumArea, int(area_id))
    if area is None or not workshop.region.contains(area.region_code):
        raise DomainError(_("Choose a slum area of %(region)s.", region=workshop.region.name),
                          field="slum_area_id")
    return area.id


def _priority(value) -> int:
    try:
        priority = int(value)
    except (TypeError, ValueError):
        priority = 0
    if priority not in PRIORITIES:
        raise DomainError(_("Priority is 1 (high), 2 (medium) or 3 (low)."), field="priority")
    return priority


def _apply_issue(session: Session, workshop: Workshop, issue: StrategicIssue,
                 data: IssueInput) -> None:
    """Check everything first, then change the issue (a refused edit leaves it as it was)."""
    title = _title(data.title)
    aspects = _aspects(data.aspects)
    description = _clean_text(data.description, MAX_TEXT, "description", _("The description"))
    location = _location(session, workshop, data.location_code)
    slum_area_id = _slum_area(session, workshop, data.slum_area_id)
    proposer = _organisation(session, data.proposed_by_id, "proposed_by_id")
    priority = _priority(data.priority)
    issue.title, issue.description, issue.priority = title, description, priority
    issue.location, issue.slum_area_id = location, slum_area_id
    issue.proposed_by = proposer
    issue.agreed = bool(data.agreed)
    wanted = set(aspects)
    for link in list(issue.aspect_links):
        if link.aspect not in wanted:
            issue.aspect_links.remove(link)
    have = {link.aspect for link in issue.aspect_links}
    for aspect in aspects:
        if aspect not in have:
            issue.aspect_links.append(IssueAspect(aspect=aspect))


def record_strategic_issue(session: Session, workshop: Workshop, actor: User | None,
                           data: IssueInput, *, reason: str | None = None) -> StrategicIssue:
    """Add a strategic issue (isu strategis) to a workshop."""
    with outcome_change(session, workshop, actor, reason,
                        lambda: _("Strategic issue added: %(title)s", title=(data.title or "").strip())):
        issue = StrategicIssue(workshop=workshop, title="")
        _apply_issue(session, workshop, issue, data)
        session.add(issue)
        session.flush()
    return issue


def _live(issue: StrategicIssue) -> None:
    if issue.merged_into_id is not None:
        raise DomainError(_("This issue was merged into another one; edit that one instead."))


def update_strategic_issue(session: Session, issue: StrategicIssue, actor: User | None,
                           data: IssueInput, *, reason: str | None = None) -> StrategicIssue:
    _live(issue)
    with outcome_change(session, issue.workshop, actor, reason,
                        lambda: _("Strategic issue edited: %(title)s", title=issue.title)):
        _apply_issue(session, issue.workshop, issue, data)
        session.flush()
    return issue


def issue_references(session: Session, issue: StrategicIssue) -> int:
    """How many commitments, agreement points and votes point at the issue."""
    return sum(session.scalar(q) or 0 for q in (
        select(func.count()).select_from(commitment_issues)
        .where(commitment_issues.c.issue_id == issue.id),
        select(func.count()).select_from(agreement_issues)
        .where(agreement_issues.c.issue_id == issue.id),
        select(func.count(IssueVote.id)).where(IssueVote.issue_id == issue.id),
        select(func.count(StrategicIssue.id)).where(StrategicIssue.merged_into_id == issue.id),
    ))


def delete_strategic_issue(session: Session, issue: StrategicIssue, actor: User | None, *,
                           reason: str | None = None) -> None:
    """Remove an issue recorded by mistake; one that anything points at must be merged instead."""
    _live(issue)
    if issue_references(session, issue):
        raise DomainError(_("Commitments, agreement points or votes point at this issue: merge "
                            "it into the issue it duplicates instead of deleting it."))
    with outcome_change(session, issue.workshop, actor, reason,
                        lambda: _("Strategic issue removed: %(title)s", title=issue.title)):
        session.delete(issue)
        session.flush()


def merge_issues(session: Session, source: StrategicIssue, target: StrategicIssue,
                 actor: User | None, *, reason: str | None = None) -> StrategicIssue:
    """Merge a duplicate (`source`) into `target` without losing what points at it.

    Commitments and agreement points that named the source name the target (once); votes move
    to the target, and a participant who voted for both has the counts added up. The target
    gains the source's aspects, is agreed if either was, and keeps the more urgent priority.
    The source stays, hidden, with `merged_into_id` set, so its old links lead to the target.
    """
    if source.id == target.id:
        raise DomainError(_("Choose two different issues."), field="target_id")
    if source.workshop_id != target.workshop_id:
        raise DomainError(_("Only issues of the same workshop can be merged."), field="target_id")
    if source.merged_into_id is not None or target.merged_into_id is not None:
        raise DomainError(_("One of these issues was already merged."), field="target_id")
    workshop = target.workshop
    with outcome_change(session, workshop, actor, reason,
                        lambda: _("Strategic issue \"%(source)s\" merged into \"%(target)s\"",
                          source=source.title, target=target.title)):
        for commitment in session.scalars(
                select(Commitment).where(Commitment.issues.any(StrategicIssue.id == source.id))):
            commitment.issues.remove(source)
            if target not in commitment.issues:
                commitment.issues.append(target)
        for point in session.scalars(
                select(AgreementPoint).where(AgreementPoint.issues.any(StrategicIssue.id == source.id))):
            point.issues.remove(source)
            if target not in point.issues:
                point.issues.append(target)
        target_votes = {v.registration_id: v for v in session.scalars(
            select(IssueVote).where(IssueVote.issue_id == target.id))}
        for vote in list(session.scalars(select(IssueVote).where(IssueVote.issue_id == source.id))):
            same_voter = target_votes.get(vote.registration_id)
            if same_voter is not None:
                same_voter.count += vote.count
                session.delete(vote)
            else:
                vote.issue = target
        for earlier in session.scalars(
                select(StrategicIssue).where(StrategicIssue.merged_into_id == source.id)):
            earlier.merged_into_id = target.id
        have = {link.aspect for link in target.aspect_links}
        for link in source.aspect_links:
            if link.aspect not in have:
                target.aspect_links.append(IssueAspect(aspect=link.aspect))
        target.agreed = target.agreed or source.agreed
        target.priority = min(target.priority, source.priority)
        target.vote_count = (target.vote_count or 0) + (source.vote_count or 0)
        source.vote_count = 0
        source.vote_rank = None
        source.merged_into_id = target.id
        session.flush()
        if target.vote_rank is not None:
            assign_ranks(live_issues(session, workshop))
            session.flush()
    return target


def assign_ranks(issues: list[StrategicIssue]) -> list[StrategicIssue]:
    """Store vote ranks from vote counts: most votes first; equal counts share a rank
    (competition ranking 1, 2, 2, 4). Returns the issues in display order: rank, then the
    more urgent priority, then the order they were recorded in."""
    ordered = sorted(issues, key=lambda i: (-(i.vote_count or 0), i.priority, i.id))
    previous_count, previous_rank = None, 0
    for position, issue in enumerate(ordered, start=1):
        count = issue.vote_count or 0
        if count != previous_count:
            previous_rank, previous_count = position, count
        issue.vote_rank = previous_rank
    return ordered


def live_issues(session: Session, workshop: Workshop) -> list[StrategicIssue]:
    """The workshop's issues that were not merged away, in recorded order."""
    return list(session.scalars(
        select(StrategicIssue).where(StrategicIssue.workshop_id == workshop.id,
                                     StrategicIssue.merged_into_id.is_(None))
        .order_by(StrategicIssue.id)))


def ranked_issues(session: Session, workshop: Workshop) -> list[StrategicIssue]:
    """Live issues in ranked order (vote rank, then priority, then recorded order), with what a
    page shows loaded."""
    return list(session.scalars(
        select(StrategicIssue).where(StrategicIssue.workshop_id == workshop.id,
                                     StrategicIssue.merged_into_id.is_(None))
        .options(selectinload(StrategicIssue.aspect_links), joinedload(StrategicIssue.location),
                 joinedload(StrategicIssue.proposed_by))
        .order_by(StrategicIssue.vote_rank.is_(None), StrategicIssue.vote_rank,
                  StrategicIssue.priority, StrategicIssue.id)))


def slum_areas_by_id(session: Session, issues: list[StrategicIssue]) -> dict[int, SlumArea]:
    ids = {i.slum_area_id for i in issues if i.slum_area_id}
    if not ids:
        return {}
    return {a.id: a for a in session.scalars(select(SlumArea).where(SlumArea.id.in_(ids)))}


def issue_target(session: Session, issue: StrategicIssue) -> StrategicIssue:
    """The issue that now stands for `issue` (itself unless it was merged)."""
    seen: set[int] = set()
    while issue.merged_into_id is not None and issue.id not in seen:
        seen.add(issue.id)
        issue = session.get(StrategicIssue, issue.merged_into_id)
    return issue


# --- Coordination mechanisms --------------------------------------------------------------


@dataclass
class MechanismInput:
    type: object
    name: str
    cadence: object
    lead_organisation_id: int | None = None
    member_ids: list[int] = field(default_factory=list)
    next_meeting_on: date | None = None
    legal_basis: str | None = None
    contact_channel: str | None = None
    description: str | None = None


def _enum(enum_cls, value, field_name: str, message: str):
    try:
        return value if isinstance(value, enum_cls) else enum_cls(str(value))
    except ValueError:
        raise DomainError(message, field=field_name) from None


def check_contact_channel(value: str | None) -> str | None:
    """Free text (a phone number, a WhatsApp group); a link must be http or https."""
    value = _clean_text(value, 200, "contact_channel", _("The contact channel"))
    if value is None:
        return None
    scheme = _URL_SCHEME.match(value)
    if scheme and scheme.group(1).lower() not in ("http", "https"):
        raise DomainError(_("Only web links starting with http:// or https:// are allowed; write "
                            "other contacts as plain text (e.g. \"WA 0812 3456 7890\")."),
                          field="contact_channel")
    return value


def _apply_mechanism(session: Session, mechanism: CoordinationMechanism,
                     data: MechanismInput) -> None:
    """Check everything first, then change the mechanism."""
    name = (data.name or "").strip()
    if not name:
        raise DomainError(_("Give the mechanism a name."), field="name")
    if len(name) > MAX_TITLE:
        raise DomainError(_("The name may have at most %(n)d characters.", n=MAX_TITLE),
                          field="name")
    kind = _enum(MechanismType, data.type, "type", _("Choose a type of mechanism."))
    cadence = _enum(Cadence, data.cadence, "cadence", _("Choose how often it meets."))
    lead = _organisation(session, data.lead_organisation_id, "lead_organisation_id")
    members = _organisations(session, data.member_ids, "member_ids")
    legal_basis = _clean_text(data.legal_basis, 120, "legal_basis", _("The legal basis"))
    contact = check_contact_channel(data.contact_channel)
    description = _clean_text(data.description, MAX_TEXT, "description", _("The description"))
    mechanism.name, mechanism.type, mechanism.cadence = name, kind, cadence
    mechanism.lead_organisation = lead
    mechanism.members = members
    mechanism.next_meeting_on = data.next_meeting_on
    mechanism.legal_basis, mechanism.contact_channel = legal_basis, contact
    mechanism.description = description


def record_mechanism(session: Session, workshop: Workshop, actor: User | None,
                     data: MechanismInput, *, reason: str | None = None) -> CoordinationMechanism:
    """Add an agreed coordination mechanism (Pokja PKP meetings, Forum PKP, data sharing…)."""
    with outcome_change(session, workshop, actor, reason,
                        lambda: _("Coordination mechanism added: %(name)s", name=(data.name or "").strip())):
        mechanism = CoordinationMechanism(workshop=workshop)
        _apply_mechanism(session, mechanism, data)
        session.add(mechanism)
        session.flush()
    return mechanism


def update_mechanism(session: Session, mechanism: CoordinationMechanism, actor: User | None,
                     data: MechanismInput, *, reason: str | None = None) -> CoordinationMechanism:
    with outcome_change(session, mechanism.workshop, actor, reason,
                        lambda: _("Coordination mechanism edited: %(name)s", name=mechanism.name)):
        _apply_mechanism(session, mechanism, data)
        session.flush()
    return mechanism


def delete_mechanism(session: Session, mechanism: CoordinationMechanism, actor: User | None, *,
                     reason: str | None = None) -> None:
    if mechanism.meetings:
        raise DomainError(_("Meetings of this mechanism are logged; it can no longer be removed."))
    with outcome_change(session, mechanism.workshop, actor, reason,
                        lambda: _("Coordination mechanism removed: %(name)s", name=mechanism.name)):
        session.delete(mechanism)
        session.flush()


def log_meeting(session: Session, mechanism: CoordinationMechanism, *, held_on: date,
                attendee_ids, notes: str | None, today: date) -> MechanismMeeting:
    """Log a meeting the mechanism held (follow-up: allowed after finalisation too)."""
    if held_on is None:
        raise DomainError(_("Give the date of the meeting."), field="held_on")
    if held_on > today:
        raise DomainError(_("Log meetings once they have taken place."), field="held_on")
    if any(m.held_on == held_on for m in mechanism.meetings):
        raise DomainError(_("A meeting on that date is already logged."), field="held_on")
    meeting = MechanismMeeting(
        held_on=held_on, attendees=_organisations(session, attendee_ids, "attendee_ids"),
        notes=_clean_text(notes, MAX_TEXT, "notes", _("The notes")))
    mechanism.meetings.append(meeting)
    session.flush()
    return meeting


def delete_meeting(session: Session, meeting: MechanismMeeting) -> None:
    meeting.mechanism.meetings.remove(meeting)
    session.delete(meeting)
    session.flush()


@dataclass
class CadenceCheck:
    """Did a mechanism meet at its cadence? Gaps are in days: from the workshop to the first
    meeting, between meetings, and from the last meeting (or the workshop) to today."""

    #: "no_cadence", "not_started", "on_track", "irregular" (a past gap was too long but it
    #: meets again) or "overdue" (too long since the last meeting).
    state: str
    expected_days: int | None = None
    allowed_days: int | None = None
    gaps: list[int] = field(default_factory=list)
    #: Days since the last meeting (or since the workshop, when none has been logged).
    idle_days: int | None = None
    missed: int = 0
    last_meeting: date | None = None

    @property
    def met_cadence(self) -> bool | None:
        if self.state in ("no_cadence", "not_started"):
            return None
        return self.state == "on_track"


def cadence_check(cadence: Cadence, meeting_dates: list[date], start: date,
                  today: date) -> CadenceCheck:
    """Compare the gaps between meetings with the cadence.

    A gap counts as missed when it is longer than the cadence plus a quarter of it (a monthly
    body meeting on the 5th and then the 10th of the next month is still monthly).
    """
    expected = cadence.days
    dates = sorted(set(meeting_dates))
    last = dates[-1] if dates else None
    if expected is None:
        return CadenceCheck("no_cadence", last_meeting=last,
                            idle_days=(today - (last or start)).days)
    allowed = expected + round(expected / 4)
    if today < start:
        return CadenceCheck("not_started", expected, allowed, last_meeting=last)
    points = [start, *[d for d in dates if d >= start]]
    gaps = [(b - a).days for a, b in zip(points, points[1:])]
    since = (today - points[-1]).days
    missed = sum(1 for g in gaps if g > allowed)
    if since > allowed:
        state = "overdue"
    elif missed:
        state = "irregular"
    else:
        state = "on_track"
    return CadenceCheck(state, expected, allowed, gaps, since,
                        missed + (1 if since > allowed else 0), last)


@dataclass
class MechanismView:
    mechanism: CoordinationMechanism
    #: The lead organisation as it stands now (the merge target if it was merged).
    lead: Organisation | None
    #: The organisation originally recorded, when it was merged into `lead`.
    lead_merged_from: Organisation | None
    members: list[Organisation]
    check: CadenceCheck


def mechanism_views(session: Session, workshops: list[Workshop], today: date, *,
                    with_attendees: bool = False) -> list[MechanismView]:
    """Mechanisms of the given workshops with lead, members and meetings loaded (and who
    attended each meeting, for the mechanism's own page) and the cadence check done, in a
    fixed number of queries."""
    if not workshops:
        return []
    starts = {w.id: w for w in workshops}
    meetings = selectinload(CoordinationMechanism.meetings)
    if with_attendees:
        meetings = meetings.selectinload(MechanismMeeting.attendees)
    mechanisms = session.scalars(
        select(CoordinationMechanism)
        .where(CoordinationMechanism.workshop_id.in_(list(starts)))
        .options(joinedload(CoordinationMechanism.lead_organisation),
                 selectinload(CoordinationMechanism.members), meetings)
        .order_by(CoordinationMechanism.workshop_id, CoordinationMechanism.id)).all()
    views = []
    for m in mechanisms:
        workshop = starts[m.workshop_id]
        lead = current_organisation(session, m.lead_organisation)
        members = list({o.id: o for o in (current_organisation(session, x) for x in m.members)}
                       .values())
        start = workshop.ends_at.astimezone(workshop.zone).date()
        views.append(MechanismView(
            m, lead, m.lead_organisation if lead is not m.lead_organisation else None, members,
            cadence_check(m.cadence, [x.held_on for x in m.meetings], start, today)))
    return views


# --- Agreement points ---------------------------------------------------------------------


def _agreement_text(text: str | None) -> str:
    text = (text or "").strip()
    if not text:
        raise DomainError(_("Write the agreement point."), field="text")
    if len(text) > MAX_AGREEMENT_TEXT:
        raise DomainError(_("An agreement point may have at most %(n)d characters.",
                            n=MAX_AGREEMENT_TEXT), field="text")
    return text


def _workshop_issues(session: Session, workshop: Workshop, ids) -> list[StrategicIssue]:
    issues: dict[int, StrategicIssue] = {}
    for issue_id in ids or []:
        issue = session.get(StrategicIssue, int(issue_id))
        if issue is None or issue.workshop_id != workshop.id:
            raise DomainError(_("Link only issues of this workshop."), field="issue_ids")
        issue = issue_target(session, issue)
        issues.setdefault(issue.id, issue)
    return list(issues.values())


def agreement_points(session: Session, workshop: Workshop) -> list[AgreementPoint]:
    return list(session.scalars(
        select(AgreementPoint).where(AgreementPoint.workshop_id == workshop.id)
        .options(selectinload(AgreementPoint.issues), selectinload(AgreementPoint.organisations))
        .order_by(AgreementPoint.number)))


def add_agreement_point(session: Session, workshop: Workshop, actor: User | None, *, text: str,
                        issue_ids=(), organisation_ids=(),
                        reason: str | None = None) -> AgreementPoint:
    """Append a numbered agreement point (kesepakatan)."""
    text = _agreement_text(text)
    with outcome_change(session, workshop, actor, reason,
                        lambda: _("Agreement point added: %(text)s", text=text[:120])):
        _lock_workshop_row(session, workshop)
        last = session.scalar(select(func.max(AgreementPoint.number))
                              .where(AgreementPoint.workshop_id == workshop.id)) or 0
        point = AgreementPoint(workshop=workshop, number=last + 1, text=text,
                               issues=_workshop_issues(session, workshop, issue_ids),
                               organisations=_organisations(session, organisation_ids,
                                                            "organisation_ids"))
        session.add(point)
        session.flush()
    return point


def update_agreement_point(session: Session, point: AgreementPoint, actor: User | None, *,
                           text: str, issue_ids=(), organisation_ids=(),
                           reason: str | None = None) -> AgreementPoint:
    text = _agreement_text(text)
    with outcome_change(session, point.workshop, actor, reason,
                        lambda: _("Agreement point %(n)d edited", n=point.number)):
        point.text = text
        point.issues = _workshop_issues(session, point.workshop, issue_ids)
        point.organisations = _organisations(session, organisation_ids, "organisation_ids")
        session.flush()
    return point


def delete_agreement_point(session: Session, point: AgreementPoint, actor: User | None, *,
                           reason: str | None = None) -> None:
    """Remove a point; the ones after it move up a number."""
    workshop = point.workshop
    with outcome_change(session, workshop, actor, reason,
                        lambda: _("Agreement point %(n)d removed: %(text)s", n=point.number,
                          text=point.text[:120])):
        _lock_workshop_row(session, workshop)
        removed = point.number
        session.delete(point)
        session.flush()
        # One UPDATE at a time, lowest first, so the unique (workshop, number) key never clashes.
        for later in session.scalars(
                select(AgreementPoint).where(AgreementPoint.workshop_id == workshop.id,
                                             AgreementPoint.number > removed)
                .order_by(AgreementPoint.number)).all():
            later.number -= 1
            session.flush()


def move_agreement_point(session: Session, point: AgreementPoint, actor: User | None,
                         direction: int, *, reason: str | None = None) -> None:
    """Swap a point with the one above (direction -1) or below (+1)."""
    workshop = point.workshop
    other_number = point.number + (1 if direction > 0 else -1)
    other = session.scalar(select(AgreementPoint).where(
        AgreementPoint.workshop_id == workshop.id, AgreementPoint.number == other_number))
    if other is None:
        raise DomainError(_("The point is already at that end of the list."))
    with outcome_change(session, workshop, actor, reason,
                        lambda: _("Agreement points %(a)d and %(b)d swapped", a=point.number,
                          b=other.number)):
        _lock_workshop_row(session, workshop)
        mine, theirs = point.number, other.number
        spare = (session.scalar(select(func.max(AgreementPoint.number))
                                .where(AgreementPoint.workshop_id == workshop.id)) or 0) + 1
        point.number = spare
        session.flush()
        other.number = mine
        session.flush()
        point.number = theirs
        session.flush()


# --- Commitments made at the workshop (read only here) ------------------------------------


def workshop_commitments(session: Session, workshop: Workshop) -> list[Commitment]:
    return list(session.scalars(
        select(Commitment).where(Commitment.workshop_id == workshop.id)
        .options(joinedload(Commitment.organisation)).order_by(Commitment.id)))
