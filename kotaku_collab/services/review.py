"""Bappeda review: the dashboard across workshops, the gap analysis and the round comparison.

Each view is a pure function of (database state, the user's region scope, the filters, today)
returning a dataclass of plain rows (enums, numbers, strings, dates; no ORM objects), so a cache
can wrap it. Every aggregate is computed in the database with GROUP BY; Python only rolls up the
grouped rows (bounded by the number of sectors, statuses and sources, never by the data) and
runs the existing cadence check per mechanism. `dashboard_data` issues a fixed number of SQL
statements (`DASHBOARD_STATEMENTS`) whatever the amount of data.

Definitions:

* workshops in view: those the filters select (ReviewFilters.workshop_conditions, which applies
  the user's region scope), neither draft nor cancelled; *held* ones are held, finalised or
  reviewed. Participants, issues and gaps count workshops in view; mechanisms, the
  absent-sector gap and "workshops held" count held ones;
* registered: confirmed registrations; attended: attendance hadir or diwakili (a delegate came);
* issues: live strategic issues (not merged into another);
* commitments in view: ReviewFilters.commitment_conditions; every commitment counts in the
  status, sector and funding panels (cancelled ones too, under their own status);
* done or on track: status selesai, or open and neither overdue nor at risk by the flags of
  services.commitments (`flag_condition`, reused, not redefined); the follow-through rate is
  done-or-on-track over all commitments except batal (cancelled);
* overdue: the `overdue` flag of services.commitments;
* awaiting verification: progress updates with no verification decision yet;
* missed cadence: a mechanism whose services.outcomes.cadence_check is "overdue" (too long
  since the last meeting) or "irregular" (a past gap was too long);
* gaps: an agreed issue with no commitment (cancelled ones do not count); an aspect with
  issues but no funded commitment in view (amount > 0, not cancelled); a sector with nobody
  attending a held workshop; a kelurahan/desa of the SK slum list with no commitment in view
  located there (not cancelled).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Sequence
from zoneinfo import ZoneInfo

from sqlalchemy import and_, case, exists, func, literal, not_, or_, select
from sqlalchemy.orm import Session

from kotaku_collab.i18n import _, format_number, format_rupiah
from kotaku_collab.models import (Aspect, AttendanceStatus, Cadence, Commitment, CommitmentStatus,
                                  CommitmentUpdate, CoordinationMechanism, FundingSource, Gender,
                                  IssueAspect, MechanismMeeting, Organisation, Person, Region,
                                  RegionLevel, Registration, RegistrationStatus, Sector, SlumArea,
                                  SlumAreaLocation, StrategicIssue, User, Workshop, WorkshopKind,
                                  WorkshopStatus)
from kotaku_collab.models.commitment import commitment_issues
from kotaku_collab.services import DomainError, stats_cache
from kotaku_collab.services.charts import Chart, bar_chart, pie_chart
from kotaku_collab.services.commitments import OPEN_STATUSES, flag_condition
from kotaku_collab.services.outcomes import cadence_check
from kotaku_collab.services.review_filters import ReviewFilters

S = CommitmentStatus
HELD_STATUSES = (WorkshopStatus.HELD, WorkshopStatus.FINALISED, WorkshopStatus.REVIEWED)
NOT_IN_VIEW = (WorkshopStatus.DRAFT, WorkshopStatus.CANCELLED)
ATTENDED = (AttendanceStatus.HADIR, AttendanceStatus.DIWAKILI)
KABKOTA_LEVELS = (RegionLevel.KABUPATEN, RegionLevel.KOTA)
MISSED_STATES = ("overdue", "irregular")
#: Rows shown in the overdue list, the verification queue, the missed cadences and each gap
#: list (their totals are exact; the rest is one click away in the commitments list).
LIST_LIMIT = 50
#: Organisations shown in "follow-through by organisation": the ORG_LIMIT lowest rates among
#: those with at least ORG_MIN_COUNTED counted commitments (a rate over one or two commitments
#: says little), fewest done first, then the most commitments: where a Bappeda reviewer should
#: follow up. The total of organisations is exact.
ORG_LIMIT = 20
ORG_MIN_COUNTED = 3
#: The SQL statements `dashboard_data` runs, whatever the data (asserted in the tests).
DASHBOARD_STATEMENTS = 9


# --- Shared conditions ----------------------------------------------------------------------


def _workshops_in_view(user: User, filters: ReviewFilters) -> list:
    return [*filters.workshop_conditions(user), Workshop.status.not_in(NOT_IN_VIEW)]


def _workshops_held(user: User, filters: ReviewFilters) -> list:
    return [*filters.workshop_conditions(user), Workshop.status.in_(HELD_STATUSES)]


def done_or_on_track(today: date):
    """SQL: the commitment is done, or open and neither overdue nor at risk on `today`."""
    on_track = and_(Commitment.status.in_(OPEN_STATUSES),
                    not_(flag_condition("overdue", today)), not_(flag_condition("at_risk", today)))
    return or_(Commitment.status == S.SELESAI, on_track)


def _count_if(condition):
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


def _rate(part: int, whole: int) -> float | None:
    return part / whole if whole else None


# --- Rows -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class KindRow:
    kind: WorkshopKind
    in_view: int
    held: int


@dataclass(frozen=True)
class ParticipationRow:
    """Registered and attended for one sector, one gender (None: not recorded) or both."""

    sector: Sector | None
    gender: Gender | None
    registered: int
    attended: int

    @property
    def attendance_rate(self) -> float | None:
        return _rate(self.attended, self.registered)


@dataclass(frozen=True)
class AspectRow:
    aspect: Aspect
    issues: int
    agreed: int


@dataclass(frozen=True)
class MoneyRow:
    """Commitments and their rupiah for one status, sector or funding source (None: not stated)."""

    key: object
    count: int
    amount_idr: int


@dataclass(frozen=True)
class FollowThroughRow:
    """Done-or-on-track over commitments that count (all but batal), for a sector or an
    organisation."""

    key: object
    name: str
    counted: int
    done_or_on_track: int

    @property
    def rate(self) -> float | None:
        return _rate(self.done_or_on_track, self.counted)


@dataclass(frozen=True)
class OverdueRow:
    commitment_id: int
    title: str
    organisation: str
    region: str
    target_date: date
    days_overdue: int
    status: CommitmentStatus
    percent_complete: int


@dataclass(frozen=True)
class PendingUpdateRow:
    update_id: int
    commitment_id: int
    commitment_title: str
    organisation: str
    reported_on: date
    status: CommitmentStatus
    percent_complete: int


@dataclass(frozen=True)
class MissedCadenceRow:
    mechanism_id: int
    workshop_id: int
    name: str
    workshop_title: str
    region: str
    cadence: Cadence
    state: str
    last_meeting: date | None
    idle_days: int | None
    allowed_days: int | None
    missed: int


@dataclass(frozen=True)
class Dashboard:
    today: date
    workshops: tuple[KindRow, ...]
    participants_by_sector: tuple[ParticipationRow, ...]
    participants_by_gender: tuple[ParticipationRow, ...]
    issues_by_aspect: tuple[AspectRow, ...]
    issues_total: int
    issues_agreed: int
    commitments_by_status: tuple[MoneyRow, ...]
    commitments_by_sector: tuple[MoneyRow, ...]
    commitments_by_funding: tuple[MoneyRow, ...]
    follow_through_by_sector: tuple[FollowThroughRow, ...]
    follow_through_by_organisation: tuple[FollowThroughRow, ...]
    #: Organisations with a counted commitment in view, and how many of them have at least
    #: ORG_MIN_COUNTED (those ranked in follow_through_by_organisation).
    organisations_total: int
    organisations_ranked: int
    overdue: tuple[OverdueRow, ...]
    overdue_total: int
    pending_updates: tuple[PendingUpdateRow, ...]
    pending_total: int
    missed_cadence: tuple[MissedCadenceRow, ...]

    @property
    def workshops_held(self) -> int:
        return sum(r.held for r in self.workshops)

    @property
    def workshops_in_view(self) -> int:
        return sum(r.in_view for r in self.workshops)

    @property
    def registered(self) -> int:
        return sum(r.registered for r in self.participants_by_sector)

    @property
    def attended(self) -> int:
        return sum(r.attended for r in self.participants_by_sector)

    @property
    def commitments_total(self) -> int:
        return sum(r.count for r in self.commitments_by_status)

    @property
    def amount_total_idr(self) -> int:
        return sum(r.amount_idr for r in self.commitments_by_status)

    @property
    def follow_through(self) -> FollowThroughRow:
        rows = self.follow_through_by_sector
        return FollowThroughRow(None, "", sum(r.counted for r in rows),
                                sum(r.done_or_on_track for r in rows))

    @property
    def empty(self) -> bool:
        return not (self.workshops or self.commitments_by_status)


# --- The dashboard --------------------------------------------------------------------------


def dashboard_data(session: Session, user: User, filters: ReviewFilters, today: date) -> Dashboard:
    """Every dashboard panel for `user`'s scope narrowed by `filters`, on `today`."""
    in_view = _workshops_in_view(user, filters)
    held = _workshops_held(user, filters)
    in_commitments = filters.commitment_conditions(user)

    workshops = tuple(KindRow(kind, n, h) for kind, n, h in session.execute(
        select(Workshop.kind, func.count(Workshop.id),
               _count_if(Workshop.status.in_(HELD_STATUSES)))
        .where(*in_view).group_by(Workshop.kind)))
    workshops = tuple(sorted(workshops, key=lambda r: list(WorkshopKind).index(r.kind)))

    by_sector, by_gender = _participation(session, in_view)
    issues_by_aspect, issues_total, issues_agreed = _issues(session, in_view)
    by_status, by_sector_money, follow_sector, overdue_total = _commitments(
        session, in_commitments, today)

    by_funding = tuple(MoneyRow(source, n, int(amount)) for source, n, amount in session.execute(
        select(Commitment.funding_source, func.count(Commitment.id),
               func.coalesce(func.sum(Commitment.amount_idr), 0))
        .where(*in_commitments).group_by(Commitment.funding_source)))
    by_funding = tuple(sorted(by_funding, key=lambda r: (
        r.key is None, list(FundingSource).index(r.key) if r.key else 0)))

    follow_org, organisations_total, organisations_ranked = _follow_through_by_organisation(
        session, in_commitments, today)

    overdue = tuple(
        OverdueRow(cid, title, org, region, target, (today - target).days, status, pct)
        for cid, title, org, region, target, status, pct in session.execute(
            select(Commitment.id, Commitment.title, Organisation.name, Region.name,
                   Commitment.target_date, Commitment.status, Commitment.percent_complete)
            .join(Organisation, Commitment.organisation_id == Organisation.id)
            .join(Region, Commitment.region_code == Region.code)
            .where(*in_commitments, flag_condition("overdue", today))
            .order_by(Commitment.target_date, Commitment.id).limit(LIST_LIMIT)))

    pending_rows = session.execute(
        select(CommitmentUpdate.id, Commitment.id, Commitment.title, Organisation.name,
               CommitmentUpdate.reported_on, CommitmentUpdate.status,
               CommitmentUpdate.percent_complete, func.count().over())
        .join(Commitment, CommitmentUpdate.commitment_id == Commitment.id)
        .join(Organisation, Commitment.organisation_id == Organisation.id)
        .where(*in_commitments, CommitmentUpdate.verification_state.is_(None))
        .order_by(CommitmentUpdate.created_at, CommitmentUpdate.id).limit(LIST_LIMIT)).all()
    pending = tuple(PendingUpdateRow(*row[:7]) for row in pending_rows)
    pending_total = pending_rows[0][7] if pending_rows else 0

    return Dashboard(
        today=today, workshops=workshops,
        participants_by_sector=by_sector, participants_by_gender=by_gender,
        issues_by_aspect=issues_by_aspect, issues_total=issues_total, issues_agreed=issues_agreed,
        commitments_by_status=by_status, commitments_by_sector=by_sector_money,
        commitments_by_funding=by_funding, follow_through_by_sector=follow_sector,
        follow_through_by_organisation=follow_org, organisations_total=organisations_total,
        organisations_ranked=organisations_ranked, overdue=overdue, overdue_total=overdue_total,
        pending_updates=pending, pending_total=pending_total,
        missed_cadence=_missed_cadence(session, held, today),
    )


def _follow_through_by_organisation(session: Session, in_commitments: list, today: date):
    """The ORG_LIMIT organisations with the lowest follow-through among those with at least
    ORG_MIN_COUNTED counted commitments, and the exact number of organisations in all and of
    those ranked, from one statement (ORDER BY + LIMIT, the totals as window sums)."""
    counted = func.count(Commitment.id)  # batal is filtered out below
    done = _count_if(done_or_on_track(today))
    ranked = case((counted >= ORG_MIN_COUNTED, 1), else_=0)
    rows = session.execute(
        select(Organisation.id, Organisation.name, counted, done, ranked,
               func.count().over(), func.sum(ranked).over())
        .join(Organisation, Commitment.organisation_id == Organisation.id)
        .where(*in_commitments, Commitment.status != S.BATAL)
        .group_by(Organisation.id, Organisation.name)
        .order_by(ranked.desc(), (done * 1.0) / counted, counted.desc(), Organisation.name,
                  Organisation.id)
        .limit(ORG_LIMIT)).all()
    if not rows:
        return (), 0, 0
    top = tuple(FollowThroughRow(org_id, name, int(n), int(d))
                for org_id, name, n, d, is_ranked, _all, _ranked in rows if is_ranked)
    return top, int(rows[0][5]), int(rows[0][6] or 0)


def _participation(session: Session, in_view: list):
    """Registered and attended by sector and by gender, from one GROUP BY sector, gender."""
    rows = session.execute(
        select(Registration.sector, Person.gender,
               _count_if(Registration.status == RegistrationStatus.CONFIRMED),
               _count_if(Registration.attendance.in_(ATTENDED)))
        .join(Workshop, Registration.workshop_id == Workshop.id)
        .join(Person, Registration.person_id == Person.id)
        .where(*in_view).group_by(Registration.sector, Person.gender)).all()
    sectors: dict[Sector, list[int]] = {}
    genders: dict[Gender | None, list[int]] = {}
    for sector, gender, registered, attended in rows:
        for totals in (sectors.setdefault(sector, [0, 0]), genders.setdefault(gender, [0, 0])):
            totals[0] += int(registered)
            totals[1] += int(attended)
    by_sector = tuple(ParticipationRow(s, None, *sectors[s]) for s in Sector if s in sectors)
    by_gender = tuple(ParticipationRow(None, g, *genders[g])
                      for g in (*Gender, None) if g in genders)
    return by_sector, by_gender


def _issues(session: Session, in_view: list):
    """Live issues per aspect, and in all (an issue may have several aspects, or none), from one
    statement: the per-aspect groups and a total row (aspect NULL) joined by UNION ALL."""
    live = and_(*in_view, StrategicIssue.merged_into_id.is_(None))
    per_aspect = (select(IssueAspect.aspect.label("aspect"),
                         func.count(StrategicIssue.id).label("issues"),
                         _count_if(StrategicIssue.agreed).label("agreed"))
                  .join(StrategicIssue, IssueAspect.issue_id == StrategicIssue.id)
                  .join(Workshop, StrategicIssue.workshop_id == Workshop.id)
                  .where(live).group_by(IssueAspect.aspect))
    total = (select(literal(None, IssueAspect.aspect.type).label("aspect"),
                    func.count(StrategicIssue.id), _count_if(StrategicIssue.agreed))
             .join(Workshop, StrategicIssue.workshop_id == Workshop.id).where(live))
    rows = session.execute(per_aspect.union_all(total)).all()
    by_aspect = {aspect: AspectRow(aspect, int(n), int(agreed))
                 for aspect, n, agreed in rows if aspect is not None}
    issues_total, issues_agreed = next(((int(n), int(a)) for k, n, a in rows if k is None), (0, 0))
    return (tuple(by_aspect[a] for a in Aspect if a in by_aspect), issues_total, issues_agreed)


def _commitments(session: Session, in_commitments: list, today: date):
    """By status and by sector (count, rupiah), follow-through per sector and the number
    overdue, from one GROUP BY sector, status."""
    rows = session.execute(
        select(Commitment.sector, Commitment.status, func.count(Commitment.id),
               func.coalesce(func.sum(Commitment.amount_idr), 0),
               _count_if(done_or_on_track(today)), _count_if(flag_condition("overdue", today)))
        .where(*in_commitments).group_by(Commitment.sector, Commitment.status)).all()
    statuses: dict[CommitmentStatus, list[int]] = {}
    sectors: dict[Sector, list[int]] = {}
    overdue = 0
    for sector, status, n, amount, done, late in rows:
        for totals in (statuses.setdefault(status, [0, 0]), sectors.setdefault(sector, [0, 0, 0, 0])):
            totals[0] += int(n)
            totals[1] += int(amount)
        sectors[sector][2] += int(n) if status is not S.BATAL else 0
        sectors[sector][3] += int(done)
        overdue += int(late)
    by_status = tuple(MoneyRow(s, *statuses[s]) for s in CommitmentStatus if s in statuses)
    by_sector = tuple(MoneyRow(s, *sectors[s][:2]) for s in Sector if s in sectors)
    follow = tuple(FollowThroughRow(s, s.label, sectors[s][2], sectors[s][3])
                   for s in Sector if s in sectors and sectors[s][2])
    return by_status, by_sector, follow, overdue


def _missed_cadence(session: Session, held: list, today: date) -> tuple[MissedCadenceRow, ...]:
    """Mechanisms of held workshops that missed their cadence (services.outcomes.cadence_check),
    from one statement: each mechanism with its meeting dates (outer join)."""
    rows = session.execute(
        select(CoordinationMechanism.id, CoordinationMechanism.name, CoordinationMechanism.cadence,
               Workshop.id, Workshop.title, Workshop.ends_at, Region.name, Region.timezone,
               MechanismMeeting.held_on)
        .join(Workshop, CoordinationMechanism.workshop_id == Workshop.id)
        .join(Region, Workshop.region_code == Region.code)
        .outerjoin(MechanismMeeting, MechanismMeeting.mechanism_id == CoordinationMechanism.id)
        .where(*held).order_by(Region.name, Workshop.starts_at, CoordinationMechanism.id)).all()
    mechanisms: dict[int, tuple] = {}
    meetings: dict[int, list[date]] = {}
    for mid, name, cadence, wid, wtitle, ends_at, region, tz, held_on in rows:
        mechanisms.setdefault(mid, (name, cadence, wid, wtitle, ends_at, region, tz))
        meetings.setdefault(mid, [])
        if held_on is not None:
            meetings[mid].append(held_on)
    missed = []
    for mid, (name, cadence, wid, wtitle, ends_at, region, tz) in mechanisms.items():
        start = ends_at.astimezone(ZoneInfo(tz)).date()
        check = cadence_check(cadence, meetings[mid], start, today)
        if check.state in MISSED_STATES:
            missed.append(MissedCadenceRow(mid, wid, name, wtitle, region, cadence, check.state,
                                           check.last_meeting, check.idle_days,
                                           check.allowed_days, check.missed))
    return tuple(missed)


# --- Gaps -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class IssueGap:
    issue_id: int
    workshop_id: int
    title: str
    workshop_title: str
    region: str


@dataclass(frozen=True)
class AspectGap:
    aspect: Aspect
    issues: int


@dataclass(frozen=True)
class SectorGap:
    workshop_id: int
    workshop_title: str
    region: str
    missing: tuple[Sector, ...]


@dataclass(frozen=True)
class KelurahanGap:
    kelurahan_code: str
    kelurahan: str
    kabkota_code: str
    slum_area_id: int
    slum_area: str
    area_ha: object


@dataclass(frozen=True)
class Gaps:
    """Each list holds at most LIST_LIMIT rows; its `*_total` is exact."""

    issues_without_commitment: tuple[IssueGap, ...]
    aspects_without_funding: tuple[AspectGap, ...]
    absent_sectors: tuple[SectorGap, ...]
    kelurahan_without_commitment: tuple[KelurahanGap, ...]
    issues_total: int = 0
    absent_sectors_total: int = 0
    kelurahan_total: int = 0

    @property
    def total(self) -> int:
        return (self.issues_total + len(self.aspects_without_funding)
                + self.absent_sectors_total + self.kelurahan_total)


def gap_data(session: Session, user: User, filters: ReviewFilters, today: date) -> Gaps:
    """What the workshops in view agreed or know about that nobody took up."""
    in_view = _workshops_in_view(user, filters)
    in_commitments = [*filters.commitment_conditions(user), Commitment.status != S.BATAL]

    committed = exists(select(commitment_issues.c.issue_id)
                       .join(Commitment, commitment_issues.c.commitment_id == Commitment.id)
                       .where(commitment_issues.c.issue_id == StrategicIssue.id,
                              Commitment.status != S.BATAL))
    issue_rows = session.execute(
        select(StrategicIssue.id, Workshop.id, StrategicIssue.title, Workshop.title, Region.name,
               func.count().over())
        .join(Workshop, StrategicIssue.workshop_id == Workshop.id)
        .join(Region, Workshop.region_code == Region.code)
        .where(*in_view, StrategicIssue.merged_into_id.is_(None), StrategicIssue.agreed,
               ~committed)
        .order_by(Region.name, Workshop.starts_at, StrategicIssue.id).limit(LIST_LIMIT)).all()
    issues = tuple(IssueGap(*row[:5]) for row in issue_rows)

    funded = (select(Commitment.aspect)
              .where(*in_commitments, Commitment.aspect.is_not(None), Commitment.amount_idr > 0))
    aspect_counts = dict(session.execute(
        select(IssueAspect.aspect, func.count(StrategicIssue.id))
        .join(StrategicIssue, IssueAspect.issue_id == StrategicIssue.id)
        .join(Workshop, StrategicIssue.workshop_id == Workshop.id)
        .where(*in_view, StrategicIssue.merged_into_id.is_(None),
               IssueAspect.aspect.not_in(funded))
        .group_by(IssueAspect.aspect)).all())
    aspects = tuple(AspectGap(a, int(aspect_counts[a])) for a in Aspect if a in aspect_counts)

    held = _workshops_held(user, filters)
    workshops = session.execute(
        select(Workshop.id, Workshop.title, Region.name)
        .join(Region, Workshop.region_code == Region.code)
        .where(*held).order_by(Region.name, Workshop.starts_at, Workshop.id)).all()
    present: dict[int, set[Sector]] = {}
    for workshop_id, sector in session.execute(
            select(Registration.workshop_id, Registration.sector)
            .join(Workshop, Registration.workshop_id == Workshop.id)
            .where(*held, Registration.attendance.in_(ATTENDED)).distinct()):
        present.setdefault(workshop_id, set()).add(sector)
    sectors = tuple(
        SectorGap(wid, title, region, tuple(s for s in Sector if s not in present.get(wid, ())))
        for wid, title, region in workshops if len(present.get(wid, ())) < len(Sector))

    located = exists(select(Commitment.id).where(
        *in_commitments, Commitment.location_code == SlumAreaLocation.region_code))
    kelurahan_rows = session.execute(
        select(SlumAreaLocation.region_code, Region.name, SlumArea.region_code, SlumArea.id,
               SlumArea.name, SlumAreaLocation.area_ha, func.count().over())
        .join(SlumArea, SlumAreaLocation.slum_area_id == SlumArea.id)
        .join(Region, SlumAreaLocation.region_code == Region.code)
        .where(filters.region_condition(user, SlumArea.region_code), ~located)
        .order_by(SlumAreaLocation.region_code, SlumArea.id).limit(LIST_LIMIT)).all()
    kelurahan = tuple(KelurahanGap(*row[:6]) for row in kelurahan_rows)
    return Gaps(issues, aspects, sectors[:LIST_LIMIT], kelurahan,
                issues_total=issue_rows[0][5] if issue_rows else 0,
                absent_sectors_total=len(sectors),
                kelurahan_total=kelurahan_rows[0][6] if kelurahan_rows else 0)


# --- Round comparison -----------------------------------------------------------------------


@dataclass(frozen=True)
class IssueLine:
    issue_id: int
    title: str
    agreed: bool
    priority: int
    vote_rank: int | None


@dataclass(frozen=True)
class RoundSide:
    workshop_id: int
    title: str
    kind: WorkshopKind
    status: WorkshopStatus
    starts_at: object
    timezone: str
    participants: tuple[ParticipationRow, ...]
    issues: tuple[IssueLine, ...]
    commitments: tuple[MoneyRow, ...]
    follow_through: FollowThroughRow
    mean_percent: float | None

    @property
    def registered(self) -> int:
        return sum(r.registered for r in self.participants)

    @property
    def attended(self) -> int:
        return sum(r.attended for r in self.participants)

    @property
    def agreed_issues(self) -> int:
        return sum(1 for i in self.issues if i.agreed)

    @property
    def commitments_total(self) -> int:
        return sum(r.count for r in self.commitments)

    @property
    def amount_total_idr(self) -> int:
        return sum(r.amount_idr for r in self.commitments)


@dataclass(frozen=True)
class Comparison:
    region: str
    first: RoundSide
    second: RoundSide
    #: Sectors present in either round, in the enum's order (rows of the participation table).
    sectors: tuple[Sector, ...] = field(default=())
    statuses: tuple[CommitmentStatus, ...] = field(default=())


def compare_rounds(session: Session, first: Workshop, second: Workshop, today: date) -> Comparison:
    """Two workshops of the same kab/kota side by side (the route loads both within the user's
    scope). Raises DomainError for the same workshop twice or two kab/kota."""
    if first.id == second.id:
        raise DomainError(_("Choose two different workshops."))
    if first.region_code != second.region_code:
        raise DomainError(_("Only workshops of the same regency/city can be compared: "
                            "%(first)s is in %(a)s, %(second)s in %(b)s.",
                            first=first.title, a=first.region.name,
                            second=second.title, b=second.region.name))
    ids = (first.id, second.id)
    participation: dict[int, dict[Sector, tuple[int, int]]] = {i: {} for i in ids}
    for wid, sector, registered, attended in session.execute(
            select(Registration.workshop_id, Registration.sector,
                   _count_if(Registration.status == RegistrationStatus.CONFIRMED),
                   _count_if(Registration.attendance.in_(ATTENDED)))
            .where(Registration.workshop_id.in_(ids))
            .group_by(Registration.workshop_id, Registration.sector)):
        participation[wid][sector] = (int(registered), int(attended))
    issues: dict[int, list[IssueLine]] = {i: [] for i in ids}
    for wid, iid, title, agreed, priority, rank in session.execute(
            select(StrategicIssue.workshop_id, StrategicIssue.id, StrategicIssue.title,
                   StrategicIssue.agreed, StrategicIssue.priority, StrategicIssue.vote_rank)
            .where(StrategicIssue.workshop_id.in_(ids), StrategicIssue.merged_into_id.is_(None))
            .order_by(StrategicIssue.workshop_id, StrategicIssue.vote_rank.is_(None),
                      StrategicIssue.vote_rank, StrategicIssue.priority, StrategicIssue.id)):
        issues[wid].append(IssueLine(iid, title, bool(agreed), priority, rank))
    money: dict[int, dict[CommitmentStatus, tuple]] = {i: {} for i in ids}
    for wid, status, n, amount, done, pct in session.execute(
            select(Commitment.workshop_id, Commitment.status, func.count(Commitment.id),
                   func.coalesce(func.sum(Commitment.amount_idr), 0),
                   _count_if(done_or_on_track(today)),
                   func.coalesce(func.sum(Commitment.percent_complete), 0))
            .where(Commitment.workshop_id.in_(ids))
            .group_by(Commitment.workshop_id, Commitment.status)):
        money[wid][status] = (int(n), int(amount), int(done), int(pct))

    def side(workshop: Workshop) -> RoundSide:
        parts = participation[workshop.id]
        statuses = money[workshop.id]
        counted = sum(v[0] for s, v in statuses.items() if s is not S.BATAL)
        done = sum(v[2] for v in statuses.values())
        percent = sum(v[3] for s, v in statuses.items() if s is not S.BATAL)
        return RoundSide(
            workshop.id, workshop.title, workshop.kind, workshop.status, workshop.starts_at,
            workshop.region.timezone,
            tuple(ParticipationRow(s, None, *parts[s]) for s in Sector if s in parts),
            tuple(issues[workshop.id]),
            tuple(MoneyRow(s, statuses[s][0], statuses[s][1])
                  for s in CommitmentStatus if s in statuses),
            FollowThroughRow(None, "", counted, done), percent / counted if counted else None)

    a, b = side(first), side(second)
    sectors = tuple(s for s in Sector if s in participation[first.id] or s in participation[second.id])
    statuses = tuple(s for s in CommitmentStatus if s in money[first.id] or s in money[second.id])
    return Comparison(first.region.name, a, b, sectors, statuses)


def comparison_choices(session: Session, user: User) -> list[tuple[str, list[tuple[int, str]]]]:
    """Workshops a reviewer may compare (in scope, neither draft nor cancelled), grouped by
    kab/kota: [(region name, [(id, title), ...]), ...]."""
    filters = ReviewFilters()
    groups: dict[str, list[tuple[int, str]]] = {}
    for wid, title, region in session.execute(
            select(Workshop.id, Workshop.title, Region.name)
            .join(Region, Workshop.region_code == Region.code)
            .where(*_workshops_in_view(user, filters))
            .order_by(Region.name, Workshop.starts_at, Workshop.id)):
        groups.setdefault(region, []).append((wid, title))
    return list(groups.items())


# --- Charts ---------------------------------------------------------------------------------


def _percent(value: float | None) -> str:
    return "–" if value is None else f"{format_number(round(value * 100))} %"


@dataclass
class DashboardCharts:
    participants_by_sector: Chart
    participants_by_gender: Chart
    issues_by_aspect: Chart
    commitments_by_status: Chart
    amount_by_funding: Chart
    follow_through_by_sector: Chart

    def __iter__(self):
        return iter((self.participants_by_sector, self.participants_by_gender,
                     self.issues_by_aspect, self.commitments_by_status, self.amount_by_funding,
                     self.follow_through_by_sector))


def gender_label(gender: Gender | None) -> str:
    return gender.label if gender is not None else _("Not recorded")


def dashboard_charts(data: Dashboard) -> DashboardCharts:
    """The dashboard's charts (SVG), each with its numbers as a table."""
    registered, attended = _("Registered"), _("Attended")

    def participation(title: str, rows: Sequence[ParticipationRow], label) -> Chart:
        labels = [label(r) for r in rows]
        return bar_chart(
            title, labels, {registered: [r.registered for r in rows],
                            attended: [r.attended for r in rows]},
            headers=(_("Group"), registered, attended),
            rows=[(label(r), format_number(r.registered), format_number(r.attended))
                  for r in rows])

    sector_rows = data.participants_by_sector
    gender_rows = data.participants_by_gender
    aspects = data.issues_by_aspect
    funding = data.commitments_by_funding
    follow = data.follow_through_by_sector
    return DashboardCharts(
        participants_by_sector=participation(_("Participants by sector"), sector_rows,
                                             lambda r: r.sector.label),
        participants_by_gender=participation(_("Participants by gender"), gender_rows,
                                             lambda r: gender_label(r.gender)),
        issues_by_aspect=bar_chart(
            _("Strategic issues by aspect"), [r.aspect.label for r in aspects],
            {_("Issues"): [r.issues for r in aspects], _("Agreed"): [r.agreed for r in aspects]},
            horizontal=True, headers=(_("Aspect"), _("Issues"), _("Agreed")),
            rows=[(r.aspect.label, format_number(r.issues), format_number(r.agreed))
                  for r in aspects]),
        commitments_by_status=pie_chart(
            _("Commitments by status"), {r.key.label: r.count for r in data.commitments_by_status},
            headers=(_("Status"), _("Commitments"), _("Amount")),
            rows=[(r.key.label, format_number(r.count), format_rupiah(r.amount_idr))
                  for r in data.commitments_by_status]),
        amount_by_funding=bar_chart(
            _("Rupiah committed by funding source"),
            [r.key.label if r.key else _("Not stated") for r in funding],
            {_("Amount"): [r.amount_idr for r in funding]}, horizontal=True,
            value_formatter=format_rupiah,
            headers=(_("Funding source"), _("Commitments"), _("Amount")),
            rows=[(r.key.label if r.key else _("Not stated"), format_number(r.count),
                   format_rupiah(r.amount_idr)) for r in funding]),
        follow_through_by_sector=bar_chart(
            _("Follow-through by sector (done or on track)"), [r.name for r in follow],
            {_("Done or on track (%)"): [round((r.rate or 0) * 100) for r in follow]},
            horizontal=True,
            headers=(_("Sector"), _("Done or on track"), _("Counted"), _("Rate")),
            rows=[(r.name, format_number(r.done_or_on_track), format_number(r.counted),
                   _percent(r.rate)) for r in follow]),
    )


# --- Filter choices -------------------------------------------------------------------------


@dataclass(frozen=True)
class RegionChoices:
    provinces: tuple[tuple[str, str], ...]
    kabkota: tuple[tuple[str, str], ...]


def region_choices(session: Session, user: User) -> RegionChoices:
    """Provinces and kab/kota the user may pick (their scope; a province when it holds one of
    their kab/kota), as (code, name) pairs, in one statement."""
    from kotaku_collab.permissions import scope_clause, scope_codes

    codes = scope_codes(user)
    kabkota = and_(Region.level.in_(KABKOTA_LEVELS), scope_clause(user, Region.code))
    if codes is None:
        province = Region.level == RegionLevel.PROVINSI
    else:
        province = and_(Region.level == RegionLevel.PROVINSI,
                        Region.code.in_({c[:2] for c in codes} or {""}))
    rows = session.execute(select(Region.code, Region.name, Region.level)
                           .where(or_(kabkota, province)).order_by(Region.code)).all()
    return RegionChoices(
        tuple((c, n) for c, n, level in rows if level is RegionLevel.PROVINSI),
        tuple((c, n) for c, n, level in rows if level is not RegionLevel.PROVINSI))


# --- The page ---------------------------------------------------------------------------------


def dashboard_view(session: Session, user: User, filters: ReviewFilters,
                   today: date) -> tuple[Dashboard, DashboardCharts]:
    """The dashboard's figures, cached until a dashboard table changes (stats_cache; shared by
    every language and by the PDF), and its charts, drawn in the request's language (the
    route caches the rendered page, so they are drawn once per change and language)."""
    data = stats_cache.cached(session, dashboard_data, user, filters, today)
    return data, dashboard_charts(data)
