"""Commitments: logging and editing them (with ownership), progress updates and their status
rules, Bappeda's verification, the overdue and at-risk flags, and the filtered lists.

Status rule (one place: `allowed_statuses`):

* the statuses run diusulkan → disepakati → dianggarkan → dilaksanakan → selesai; an update may
  keep the status or move it forward, skipping steps, but never back;
* selesai (done) only from dilaksanakan: a commitment is not done without having been under way;
* batal (cancelled) from any open status;
* selesai and batal are final: no further updates, unless Bappeda sent the update that closed it
  back (needs revision, or rejected). Then the next update starts again from the last update
  that was not sent back (or from diusulkan when there is none);
* selesai means 100 %.

The commitment's own status, percentage and last-update time are copied from its latest update.

Flags (one place: `commitment_flags`, with the same conditions in SQL in `flag_condition`):

* overdue: the target date has passed and the commitment is still open (not selesai or batal);
* at risk: open, not overdue, the target date within `AT_RISK_DAYS` days and less than
  `AT_RISK_PERCENT` % done;
* due soon: open and the target date within `DUE_SOON_DAYS` days (today included);
* stale: open and no update (or, without updates, no change since it was logged) for
  `STALE_DAYS` days.

Every function takes `today` explicitly, so tests run on a fixed clock.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta, timezone
from decimal import Decimal
from types import SimpleNamespace
from zoneinfo import ZoneInfo

from flask_babel import force_locale
from sqlalchemy import and_, desc, func, or_, select
from sqlalchemy.orm import Session, contains_eager, joinedload, selectinload

from kotaku_collab.i18n import _, format_short_date, to_local
from kotaku_collab.models import (Aspect, Commitment, CommitmentStatus, CommitmentType,
                                  CommitmentUpdate, FundingSource, NotificationKind, Organisation,
                                  Person, Region, RegionLevel, Scale, Sector, StrategicIssue, User,
                                  Verification, VerificationDecision, Workshop, utc_now)
from kotaku_collab.permissions import can, scope_clause
from kotaku_collab.services import DomainError, stats_cache

S = CommitmentStatus

#: The forward order of the statuses (batal stands outside it).
STATUS_ORDER = (S.DIUSULKAN, S.DISEPAKATI, S.DIANGGARKAN, S.DILAKSANAKAN, S.SELESAI)
FINAL_STATUSES = (S.SELESAI, S.BATAL)
OPEN_STATUSES = tuple(s for s in CommitmentStatus if s not in FINAL_STATUSES)
#: Verification decisions that send an update back to the organisation.
SENT_BACK = (VerificationDecision.NEEDS_REVISION, VerificationDecision.REJECTED)

AT_RISK_DAYS = 30
AT_RISK_PERCENT = 50
DUE_SOON_DAYS = 14
STALE_DAYS = 30

MAX_AMOUNT_IDR = 10**15
MIN_FISCAL_YEAR, MAX_FISCAL_YEAR = 2000, 2100
KELURAHAN_LEVELS = (RegionLevel.KELURAHAN, RegionLevel.DESA)
KABKOTA_LEVELS = (RegionLevel.KABUPATEN, RegionLevel.KOTA)
PAGE_SIZE = 25


class NotAllowed(DomainError):
    """The acting user may not do this (routes answer 403)."""


def local_today(tz_name: str = "Asia/Jakarta") -> date:
    """Today's date where the programme works (the default zone of the app)."""
    return datetime.now(ZoneInfo(tz_name)).date()


# --- Amounts --------------------------------------------------------------------------------

_GROUPED = re.compile(r"^\d{1,3}(\.\d{3})+$")
_PLAIN = re.compile(r"^\d+$")


def parse_rupiah(value, field_name: str = "amount_idr") -> int | None:
    """Whole rupiah from what people type: 1.250.000.000, 1250000000, Rp 1.250.000.000,
    1.250.000,00 or 1.250.000,-. Empty gives None; negative or non-numeric raise DomainError."""
    if value is None:
        return None
    if isinstance(value, bool):
        raise DomainError(_("Enter the amount in whole rupiah, for example 1.250.000.000."),
                          field=field_name)
    if isinstance(value, (int, float, Decimal)):
        if not (value.is_finite() if isinstance(value, Decimal) else math.isfinite(value)):
            raise DomainError(_("Enter the amount in whole rupiah, for example 1.250.000.000."),
                              field=field_name)
        if value < 0:
            raise DomainError(_("The amount cannot be negative."), field=field_name)
        if value != int(value):
            raise DomainError(_("Enter the amount in whole rupiah, without cents."),
                              field=field_name)
        number = int(value)
    else:
        text = re.sub(r"\s+", "", str(value))
        if not text:
            return None
        text = re.sub(r"^rp\.?", "", text, flags=re.IGNORECASE)
        if text.startswith(("-", "\u2212")):
            raise DomainError(_("The amount cannot be negative."), field=field_name)
        text = re.sub(r",(00|-)$", "", text)
        if not (_GROUPED.match(text) or _PLAIN.match(text)):
            raise DomainError(_("Enter the amount in whole rupiah, for example 1.250.000.000 "
                                "or 1250000000."), field=field_name)
        number = int(text.replace(".", ""))
    if number > MAX_AMOUNT_IDR:
        raise DomainError(_("The amount is too large; enter it in rupiah, not in cents."),
                          field=field_name)
    return number


# --- Flags ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class CommitmentFlags:
    overdue: bool = False
    at_risk: bool = False
    due_soon: bool = False
    stale: bool = False

    @property
    def any(self) -> bool:
        return self.overdue or self.at_risk or self.due_soon or self.stale


FLAG_NAMES = ("overdue", "at_risk", "due_soon", "stale")


def _stale_before(today: date) -> datetime:
    return datetime.combine(today - timedelta(days=STALE_DAYS), time.min, tzinfo=timezone.utc)


def commitment_flags(commitment, today: date) -> CommitmentFlags:
    """The flags of one commitment on `today` (the same rules as `flag_condition`)."""
    if commitment.status in FINAL_STATUSES:
        return CommitmentFlags()
    target = commitment.target_date
    overdue = target is not None and target < today
    at_risk = (target is not None and not overdue
               and target <= today + timedelta(days=AT_RISK_DAYS)
               and (commitment.percent_complete or 0) < AT_RISK_PERCENT)
    due_soon = target is not None and today <= target <= today + timedelta(days=DUE_SOON_DAYS)
    last = commitment.last_update_at or commitment.created_at
    stale = last is not None and last < _stale_before(today)
    return CommitmentFlags(overdue=overdue, at_risk=at_risk, due_soon=due_soon, stale=stale)


def flag_condition(name: str, today: date):
    """The SQL condition for one flag on `today` (the same rules as `commitment_flags`)."""
    is_open = Commitment.status.in_(OPEN_STATUSES)
    target = Commitment.target_date
    if name == "overdue":
        return and_(is_open, target.is_not(None), target < today)
    if name == "at_risk":
        return and_(is_open, target.is_not(None), target >= today,
                    target <= today + timedelta(days=AT_RISK_DAYS),
                    Commitment.percent_complete < AT_RISK_PERCENT)
    if name == "due_soon":
        return and_(is_open, target.is_not(None), target >= today,
                    target <= today + timedelta(days=DUE_SOON_DAYS))
    if name == "stale":
        return and_(is_open, func.coalesce(Commitment.last_update_at, Commitment.created_at)
                    < _stale_before(today))
    raise LookupError(f"no commitment flag named {name!r}")


# --- Status rules ---------------------------------------------------------------------------


def _next_statuses(current: CommitmentStatus) -> list[CommitmentStatus]:
    if current in FINAL_STATUSES:
        return []
    position = STATUS_ORDER.index(current)
    allowed = [s for s in STATUS_ORDER[position:] if s is not S.SELESAI]
    if current is S.DILAKSANAKAN:
        allowed.append(S.SELESAI)
    allowed.append(S.BATAL)
    return allowed


def latest_update(commitment: Commitment) -> CommitmentUpdate | None:
    updates = commitment.updates
    if not updates:
        return None
    return max(updates, key=lambda u: (u.created_at, u.id or 0))


def transition_base(commitment: Commitment) -> CommitmentStatus:
    """The status the next update moves from (see the module docstring)."""
    latest = latest_update(commitment)
    if latest is None or latest.verification_state not in SENT_BACK:
        return commitment.status
    accepted = [u for u in commitment.updates if u.verification_state not in SENT_BACK]
    if not accepted:
        return S.DIUSULKAN
    return max(accepted, key=lambda u: (u.created_at, u.id or 0)).status


def allowed_statuses(commitment: Commitment) -> list[CommitmentStatus]:
    """Statuses the next progress update may report (empty when the commitment is closed)."""
    return _next_statuses(transition_base(commitment))


def check_transition(commitment: Commitment, new: CommitmentStatus) -> None:
    base = transition_base(commitment)
    if new in _next_statuses(base):
        return
    if base in FINAL_STATUSES:
        raise DomainError(_("This commitment is closed (%(status)s): no further progress can be "
                            "reported.", status=base.label), field="status")
    if new is S.SELESAI:
        raise DomainError(_("A commitment cannot go from “%(old)s” straight to “%(new)s”: report "
                            "it as “%(between)s” first.", old=base.label, new=new.label,
                            between=S.DILAKSANAKAN.label), field="status")
    raise DomainError(_("The status cannot go back from “%(old)s” to “%(new)s”.",
                        old=base.label, new=new.label), field="status")


# --- Creating and editing -------------------------------------------------------------------


@dataclass
class CommitmentInput:
    """What a commitment form (or a quick-entry row) provides; ids as plain ints."""

    organisation_id: int | None
    title: str
    type: CommitmentType = CommitmentType.PROGRAM_KEGIATAN
    region_code: str | None = None
    workshop_id: int | None = None
    committed_by_id: int | None = None
    issue_ids: list[int] = field(default_factory=list)
    aspect: Aspect | None = None
    scale: Scale | None = None
    location_code: str | None = None
    location_text: str | None = None
    description: str | None = None
    volume: Decimal | None = None
    unit: str | None = None
    amount_idr: int | None = None
    funding_source: FundingSource | None = None
    fiscal_year: int | None = None
    target_date: date | None = None
    document_ref: str | None = None
    integrated_into: str | None = None


def workshop_local_date(workshop: Workshop) -> date:
    return to_local(workshop.starts_at, workshop.region.timezone).date()


def _resolve(session: Session, user: User, data: CommitmentInput) -> dict:
    """Check every field of `data`; returns the values to set. Raises DomainError (with the
    field it belongs to) or NotAllowed."""
    title = " ".join((data.title or "").split())
    if not title:
        raise DomainError(_("Give the commitment a title."), field="title")
    organisation = session.get(Organisation, data.organisation_id) if data.organisation_id else None
    if organisation is None or organisation.merged_into_id is not None:
        raise DomainError(_("Choose the organisation that makes the commitment."),
                          field="organisation_id")

    workshop = session.get(Workshop, data.workshop_id) if data.workshop_id else None
    if data.workshop_id and workshop is None:
        raise DomainError(_("That workshop does not exist."), field="workshop_id")
    region_code = data.region_code or (workshop.region_code if workshop else None)
    if workshop is not None and region_code != workshop.region_code:
        raise DomainError(_("The workshop was held in %(region)s; choose that regency/city or "
                            "leave the workshop empty.", region=workshop.region.name),
                          field="workshop_id")
    region = session.get(Region, region_code) if region_code else None
    if region is None or region.level not in KABKOTA_LEVELS:
        raise DomainError(_("Choose the regency/city the commitment is for."), field="region_code")

    # Who may log it is decided on the values it would have (organisation and region).
    if not can(user, "commitment.edit", SimpleNamespace(region_code=region.code,
                                                         organisation_id=organisation.id)):
        raise NotAllowed(_("You may not record commitments for this organisation or region."))

    person = session.get(Person, data.committed_by_id) if data.committed_by_id else None
    if data.committed_by_id and (person is None or person.organisation_id != organisation.id):
        raise DomainError(_("The person who committed must work for %(organisation)s.",
                            organisation=organisation.name), field="committed_by_id")

    issues = []
    if data.issue_ids:
        found = {i.id: i for i in session.scalars(
            select(StrategicIssue).options(joinedload(StrategicIssue.workshop))
            .where(StrategicIssue.id.in_(set(data.issue_ids))))}
        for issue_id in dict.fromkeys(data.issue_ids):
            issue = found.get(issue_id)
            if issue is None:
                raise DomainError(_("Strategic issue %(id)s does not exist.", id=issue_id),
                                  field="issue_ids")
            if issue.workshop.region_code != region.code:
                raise DomainError(_("The strategic issue “%(issue)s” comes from a workshop in "
                                    "another regency/city; link only issues of %(region)s.",
                                    issue=issue.title, region=region.name), field="issue_ids")
            issues.append(issue)

    location = session.get(Region, data.location_code) if data.location_code else None
    if data.location_code and (location is None or location.level not in KELURAHAN_LEVELS
                               or not location.code.startswith(region.code + ".")):
        raise DomainError(_("Choose a kelurahan or desa inside %(region)s.", region=region.name),
                          field="location_code")

    if data.amount_idr is not None and data.amount_idr < 0:
        raise DomainError(_("The amount cannot be negative."), field="amount_idr")
    if data.amount_idr is not None and data.amount_idr > MAX_AMOUNT_IDR:
        raise DomainError(_("The amount is too large; enter it in rupiah, not in cents."),
                          field="amount_idr")
    if data.volume is not None and data.volume < 0:
        raise DomainError(_("The volume cannot be negative."), field="volume")
    if data.fiscal_year is not None and not MIN_FISCAL_YEAR <= data.fiscal_year <= MAX_FISCAL_YEAR:
        raise DomainError(_("Enter a fiscal year between %(min)d and %(max)d.",
                            min=MIN_FISCAL_YEAR, max=MAX_FISCAL_YEAR), field="fiscal_year")
    if workshop is not None and data.target_date is not None:
        held_on = workshop_local_date(workshop)
        if data.target_date < held_on:
            raise DomainError(_("The target date cannot be before the workshop (%(date)s).",
                                date=format_short_date(held_on)), field="target_date")

    def text(value, limit=None):
        value = (value or "").strip()
        return (value[:limit] if limit else value) or None

    return dict(
        organisation=organisation, sector=organisation.sector, workshop=workshop,
        region_code=region.code, committed_by=person, issues=issues, type=data.type,
        aspect=data.aspect, scale=data.scale, location_code=location.code if location else None,
        location_text=text(data.location_text, 200), title=title[:200],
        description=text(data.description), volume=data.volume, unit=text(data.unit, 30),
        amount_idr=data.amount_idr, funding_source=data.funding_source,
        fiscal_year=data.fiscal_year, target_date=data.target_date,
        document_ref=text(data.document_ref, 120), integrated_into=text(data.integrated_into, 200),
    )


def create_commitment(session: Session, user: User, data: CommitmentInput, *,
                      status: CommitmentStatus = S.DIUSULKAN) -> Commitment:
    """Log a commitment for an organisation: its own stakeholder, or an organiser of the region."""
    if status not in (S.DIUSULKAN, S.DISEPAKATI):
        raise DomainError(_("A new commitment is either proposed or agreed."), field="status")
    values = _resolve(session, user, data)
    commitment = Commitment(status=status, percent_complete=0, created_by_id=user.id, **values)
    session.add(commitment)
    session.flush()
    return commitment


def update_commitment(session: Session, user: User, commitment: Commitment,
                      data: CommitmentInput) -> Commitment:
    """Edit what was committed (not its progress: that goes through progress updates)."""
    if not can(user, "commitment.edit", commitment):
        raise NotAllowed(_("You may not edit this commitment."))
    values = _resolve(session, user, data)
    for key, value in values.items():
        setattr(commitment, key, value)
    session.flush()
    return commitment


def create_commitments_bulk(session: Session, user: User, workshop: Workshop,
                            rows: list[tuple[int, CommitmentInput]]
                            ) -> list[tuple[int, DomainError]]:
    """The organisers' quick-entry table: every row (index, data) is checked; if any fails,
    nothing is kept and the errors are returned by row index. Commitments agreed in the
    workshop start as disepakati."""
    if not can(user, "commitment.quick_entry", workshop):
        raise NotAllowed(_("You may not record commitments for this workshop."))
    errors: list[tuple[int, DomainError]] = []
    savepoint = session.begin_nested()
    for index, data in rows:
        data.workshop_id = workshop.id
        data.region_code = workshop.region_code
        try:
            create_commitment(session, user, data, status=S.DISEPAKATI)
        except DomainError as error:
            errors.append((index, error))
    if errors:
        savepoint.rollback()
    else:
        savepoint.commit()
    return errors


# --- Progress -------------------------------------------------------------------------------


@dataclass
class ProgressInput:
    reported_on: date
    status: CommitmentStatus
    percent_complete: int | None = None
    narrative: str | None = None


def check_progress(commitment: Commitment, data: ProgressInput, today: date) -> int:
    """Check an update against the rules; returns the percentage to record."""
    check_transition(commitment, data.status)
    percent = data.percent_complete
    if percent is None:
        percent = 100 if data.status is S.SELESAI else commitment.percent_complete
    if not 0 <= percent <= 100:
        raise DomainError(_("The percentage must be between 0 and 100."), field="percent_complete")
    if data.status is S.SELESAI and percent != 100:
        raise DomainError(_("A completed commitment is done in full: set the percentage to 100 or "
                            "choose another status."), field="percent_complete")
    if data.reported_on is None:
        raise DomainError(_("Give the date of this report."), field="reported_on")
    if data.reported_on > today:
        raise DomainError(_("The report date cannot be in the future."), field="reported_on")
    latest = latest_update(commitment)
    if latest is not None and data.reported_on < latest.reported_on:
        raise DomainError(_("The report date cannot be before the previous report (%(date)s).",
                            date=format_short_date(latest.reported_on)), field="reported_on")
    return percent


def sync_from_latest(commitment: Commitment) -> None:
    """Copy status, percentage and time from the latest update onto the commitment."""
    latest = latest_update(commitment)
    if latest is not None:
        commitment.status = latest.status
        commitment.percent_complete = latest.percent_complete
        commitment.last_update_at = latest.created_at


def post_progress_update(session: Session, user: User, commitment: Commitment,
                         data: ProgressInput, today: date) -> CommitmentUpdate:
    """Append a progress update (the history is never edited) and move the commitment along."""
    if not can(user, "commitment.edit", commitment):
        raise NotAllowed(_("You may not report progress on this commitment."))
    if commitment.id is not None:
        # Two reports at once must not both pass the status rule: re-read the commitment under
        # a row lock (PostgreSQL; SQLite's write transactions are serial already).
        session.flush()
        session.refresh(commitment, with_for_update=True)
    percent = check_progress(commitment, data, today)
    narrative = (data.narrative or "").strip() or None
    update = CommitmentUpdate(commitment=commitment, reported_on=data.reported_on,
                              status=data.status, percent_complete=percent, narrative=narrative,
                              author_id=user.id, created_at=utc_now())
    session.add(update)
    sync_from_latest(commitment)
    session.flush()
    return update


# --- Verification ---------------------------------------------------------------------------


def verify_update(session: Session, reviewer: User, update: CommitmentUpdate,
                  decision: VerificationDecision, comment: str | None, *,
                  commitment_url: str | None = None) -> Verification:
    """Record Bappeda's decision on an update and tell the organisation's users by e-mail.

    A comment is required unless the update is verified. A later decision replaces the state
    (the earlier ones stay in the history)."""
    from kotaku_collab.services.notifications import MESSAGE_LOCALE, queue_notification

    commitment = update.commitment
    if not can(reviewer, "commitment.verify", commitment):
        raise NotAllowed(_("You may not verify progress on this commitment."))
    comment = (comment or "").strip() or None
    if decision is not VerificationDecision.VERIFIED and not comment:
        raise DomainError(_("Say what has to change (a comment is required unless you verify "
                            "the update)."), field="comment")
    verification = Verification(update=update, reviewer_id=reviewer.id, decision=decision,
                                comment=comment, created_at=utc_now())
    session.add(verification)
    update.verification_state = decision
    session.flush()

    recipients = session.scalars(
        select(User).where(User.organisation_id == commitment.organisation_id,
                           User.active.is_(True)).order_by(User.id))
    with force_locale(MESSAGE_LOCALE):
        subject = _("Progress report %(decision)s: %(title)s", decision=decision.label.lower(),
                    title=commitment.title)[:200]
        lines = [
            _("Bappeda has reviewed the progress report of %(date)s on the commitment “%(title)s”.",
              date=format_short_date(update.reported_on), title=commitment.title),
            _("Decision: %(decision)s", decision=decision.label),
        ]
        if comment:
            lines.append(_("Comment: %(comment)s", comment=comment))
        if decision is not VerificationDecision.VERIFIED:
            lines.append(_("Please send a corrected progress report."))
        if commitment_url:
            lines.append(commitment_url)
        body = "\n\n".join(lines)
    for user in recipients:
        queue_notification(session, NotificationKind.VERIFICATION_DECIDED, subject=subject,
                           body=body, email=user.email, workshop=commitment.workshop,
                           payload={"commitment_id": commitment.id, "update_id": update.id,
                                    "decision": decision.value},
                           dedupe_key=f"verification:{verification.id}:{user.id}")
    session.flush()
    return verification


# --- Reading --------------------------------------------------------------------------------


@dataclass
class CommitmentFilters:
    q: str | None = None
    region_code: str | None = None
    workshop_id: int | None = None
    organisation_id: int | None = None
    sector: Sector | None = None
    aspect: Aspect | None = None
    status: CommitmentStatus | None = None
    funding_source: FundingSource | None = None
    #: One of FLAG_NAMES.
    flag: str | None = None
    #: "pending" (latest update not yet reviewed) or a VerificationDecision value.
    verification: str | None = None
    sort: str = "target"


#: Empty dates and amounts last. NULLS LAST rather than an `IS NULL` sort key, so an index on
#: the column serves the order (SQLite and PostgreSQL alike) and a page stops after its rows.
SORTS = {
    "target": lambda: (Commitment.target_date.asc().nulls_last(), Commitment.id),
    "-target": lambda: (Commitment.target_date.desc().nulls_last(), desc(Commitment.id)),
    "amount": lambda: (Commitment.amount_idr.desc().nulls_last(), Commitment.id),
    "organisation": lambda: (Organisation.name, Commitment.id),
    "status": lambda: (Commitment.status, Commitment.id),
    "updated": lambda: (Commitment.last_update_at.desc().nulls_last(), desc(Commitment.id)),
    "percent": lambda: (Commitment.percent_complete, Commitment.id),
}


def _latest_state_subquery():
    return (select(CommitmentUpdate.verification_state)
            .where(CommitmentUpdate.commitment_id == Commitment.id)
            .order_by(desc(CommitmentUpdate.created_at), desc(CommitmentUpdate.id))
            .limit(1).correlate(Commitment).scalar_subquery())


def _conditions(user: User, f: CommitmentFilters, today: date) -> list:
    conditions = [scope_clause(user, Commitment.region_code)]
    if f.q:
        conditions.append(func.lower(Commitment.title).like(f"%{f.q.lower()}%"))
    if f.region_code:
        conditions.append(Commitment.region_code == f.region_code)
    if f.workshop_id:
        conditions.append(Commitment.workshop_id == f.workshop_id)
    if f.organisation_id:
        conditions.append(Commitment.organisation_id == f.organisation_id)
    if f.sector is not None:
        conditions.append(Commitment.sector == f.sector)
    if f.aspect is not None:
        conditions.append(Commitment.aspect == f.aspect)
    if f.status is not None:
        conditions.append(Commitment.status == f.status)
    if f.funding_source is not None:
        conditions.append(Commitment.funding_source == f.funding_source)
    if f.flag in FLAG_NAMES:
        conditions.append(flag_condition(f.flag, today))
    if f.verification == "pending":
        conditions.append(and_(Commitment.last_update_at.is_not(None),
                               _latest_state_subquery().is_(None)))
    elif f.verification in {d.value for d in VerificationDecision}:
        conditions.append(_latest_state_subquery() == VerificationDecision(f.verification))
    return conditions


@dataclass(frozen=True)
class FundingTotal:
    funding_source: FundingSource | None
    amount_idr: int
    count: int


@dataclass
class Page:
    """One page of a list (the total comes from the totals query, so no extra count)."""

    items: list
    page: int
    per_page: int
    total: int

    @property
    def pages(self) -> int:
        return -(-self.total // self.per_page) if self.total else 0

    def iter_pages(self):
        """Page numbers to link, None for a gap: the first two, the last two, those near here."""
        last = 0
        for number in range(1, self.pages + 1):
            if number <= 2 or number > self.pages - 2 or self.page - 3 < number < self.page + 5:
                if last + 1 != number:
                    yield None
                yield number
                last = number


@dataclass
class CommitmentList:
    pagination: Page
    flags: dict[int, CommitmentFlags]
    #: commitment id → the latest update's verification state ("pending" when not reviewed,
    #: None without updates).
    verification: dict[int, object]
    totals: list[FundingTotal]
    total_idr: int
    count: int


def _list_conditions(user: User, f: CommitmentFilters, today: date,
                     own_organisation_id: int | None) -> list:
    conditions = _conditions(user, f, today)
    if own_organisation_id is not None:
        conditions[0] = Commitment.organisation_id == own_organisation_id
    return conditions


#: What the totals read (the verification filter reads the updates).
TOTALS_TABLES = ("commitments", "commitment_updates")


def funding_totals(session: Session, user: User, f: CommitmentFilters, today: date | None,
                   own_organisation_id: int | None) -> list[FundingTotal]:
    """Totals by funding source of every commitment the filters match, largest first."""
    totals = [FundingTotal(source, int(amount or 0), count) for source, amount, count in
              session.execute(select(Commitment.funding_source, func.sum(Commitment.amount_idr),
                                     func.count(Commitment.id))
                              .where(*_list_conditions(user, f, today, own_organisation_id))
                              .group_by(Commitment.funding_source))]
    return sorted(totals, key=lambda t: (t.funding_source is None, -t.amount_idr))


def _cached_totals(session: Session, user: User, f: CommitmentFilters, today: date,
                   own_organisation_id: int | None) -> list[FundingTotal]:
    """The totals, computed once per data change for every page and sort of the same filters:
    over a national scope they read up to every commitment (and with ?verification= the latest
    update of each), which a reviewer paging through or re-sorting the list should not repeat."""
    return stats_cache.cached(session, funding_totals, user, replace(f, sort="target"),
                              today if f.flag else None, own_organisation_id,
                              tables=TOTALS_TABLES)


def list_commitments(session: Session, user: User, filters: CommitmentFilters | None, *,
                     today: date, page: int = 1, per_page: int = PAGE_SIZE,
                     own_organisation_id: int | None = None) -> CommitmentList:
    """Commitments in the user's scope (or, with `own_organisation_id`, all of that
    organisation's, wherever they are), filtered, sorted and paginated, with flags, the latest
    verification state and the totals by funding source: a fixed number of queries."""
    f = filters or CommitmentFilters()
    conditions = _list_conditions(user, f, today, own_organisation_id)
    page = max(page, 1)
    order = SORTS.get(f.sort, SORTS["target"])()
    # The page's ids first (on an index alone when the filters allow: ix_commitments_filtered),
    # then just those rows with their organisation, workshop and region, in one statement.
    page_ids = select(Commitment.id).where(*conditions)
    if f.sort == "organisation":
        page_ids = page_ids.join(Organisation, Commitment.organisation_id == Organisation.id)
    page_ids = page_ids.order_by(*order).limit(per_page).offset((page - 1) * per_page)
    items = list(session.scalars(
        select(Commitment).join(Organisation, Commitment.organisation_id == Organisation.id)
        .options(contains_eager(Commitment.organisation), joinedload(Commitment.workshop),
                 joinedload(Commitment.region))
        .where(Commitment.id.in_(page_ids.scalar_subquery())).order_by(*order)))
    ids = [c.id for c in items]
    verification: dict[int, object] = {}
    if ids:
        rows = session.execute(select(Commitment.id, Commitment.last_update_at,
                                      _latest_state_subquery()).where(Commitment.id.in_(ids)))
        for commitment_id, last_update_at, state in rows:
            verification[commitment_id] = state or ("pending" if last_update_at else None)
    totals = _cached_totals(session, user, f, today, own_organisation_id)
    count = sum(t.count for t in totals)
    return CommitmentList(
        pagination=Page(items=items, page=page, per_page=per_page, total=count),
        flags={c.id: commitment_flags(c, today) for c in items},
        verification=verification, totals=totals,
        total_idr=sum(t.amount_idr for t in totals), count=count)


@dataclass
class CommitmentPage:
    commitment: Commitment
    updates: list[CommitmentUpdate]
    flags: CommitmentFlags
    allowed_statuses: list[CommitmentStatus]


def commitment_page(session: Session, commitment_id: int, today: date) -> CommitmentPage | None:
    """Everything the commitment page shows, newest update first, in a fixed number of queries."""
    commitment = session.scalar(
        select(Commitment).where(Commitment.id == commitment_id).options(
            joinedload(Commitment.organisation), joinedload(Commitment.workshop),
            joinedload(Commitment.region), joinedload(Commitment.location),
            joinedload(Commitment.committed_by),
            selectinload(Commitment.issues).joinedload(StrategicIssue.workshop),
            selectinload(Commitment.updates).selectinload(CommitmentUpdate.evidence),
            selectinload(Commitment.updates).joinedload(CommitmentUpdate.author),
            selectinload(Commitment.updates).selectinload(CommitmentUpdate.verifications)
            .joinedload(Verification.reviewer),
        ).execution_options(populate_existing=True))
    if commitment is None:
        return None
    updates = sorted(commitment.updates, key=lambda u: (u.created_at, u.id), reverse=True)
    return CommitmentPage(commitment=commitment, updates=updates,
                          flags=commitment_flags(commitment, today),
                          allowed_statuses=allowed_statuses(commitment))


# --- Choices for forms and filters -----------------------------------------------------------


@dataclass
class CommitmentChoices:
    organisations: list[Organisation]
    people: list[Person]
    regions: list[Region]
    workshops: list[Workshop]
    issues: list[StrategicIssue]
    locations: list[Region]


MAX_CHOICES = 1000


def commitment_choices(session: Session, user: User) -> CommitmentChoices:
    """What the commitment form offers this user: a stakeholder only their organisation and its
    people; everyone the regions, workshops, issues and kelurahan in their scope."""
    from kotaku_collab.services import lookups

    if can(user, "commitment.record_for_others"):
        organisations = lookups.organisations(session)
        people = lookups.people(session)
    else:
        organisations = [user.organisation] if user.organisation else []
        people = list(session.scalars(select(Person).where(
            Person.organisation_id == user.organisation_id).order_by(Person.name)))
    workshops = list(session.scalars(
        select(Workshop).options(joinedload(Workshop.region))
        .where(scope_clause(user, Workshop.region_code))
        .order_by(Workshop.starts_at.desc()).limit(MAX_CHOICES)))
    issues = list(session.scalars(
        select(StrategicIssue).join(Workshop, StrategicIssue.workshop_id == Workshop.id)
        .options(contains_eager(StrategicIssue.workshop))
        .where(scope_clause(user, Workshop.region_code), StrategicIssue.merged_into_id.is_(None))
        .order_by(Workshop.starts_at.desc(), StrategicIssue.id).limit(MAX_CHOICES)))
    locations = list(session.scalars(
        select(Region).where(Region.level.in_(KELURAHAN_LEVELS), scope_clause(user, Region.code))
        .order_by(Region.code).limit(MAX_CHOICES * 3)))
    return CommitmentChoices(organisations=organisations, people=people,
                             regions=lookups.kabkota_in_scope(session, user), workshops=workshops,
                             issues=issues, locations=locations)


@dataclass
class FilterChoices:
    #: (code, name) of the regencies/cities in scope, by name.
    regions: list[tuple[str, str]]
    #: (id, title) and (id, name) pairs, at most FILTER_CHOICES each (plus the one selected).
    workshops: list[tuple[int, str]]
    organisations: list[tuple[int, str]]
    #: True when there were more than FILTER_CHOICES: choose a regency/city to narrow them.
    truncated: bool = False


#: The list filter's workshop and organisation options per view (every view renders them).
FILTER_CHOICES = 100


def _in_region(column, code: str):
    return or_(column == code, column.like(code + ".%"))


def filter_choices(session: Session, user: User, *, region_code: str | None = None,
                   workshop_id: int | None = None,
                   organisation_id: int | None = None) -> FilterChoices:
    """The list filters' options: only what is in the user's scope and, when a regency/city in
    scope is chosen, in it; at most FILTER_CHOICES workshops and organisations (the newest
    workshops, organisations by name), always including the selected ones if in scope."""
    # Two columns rather than ~500 Region objects at national scale.
    regions = [tuple(row) for row in session.execute(
        select(Region.code, Region.name)
        .where(Region.level.in_(KABKOTA_LEVELS), scope_clause(user, Region.code))
        .order_by(Region.name))]
    workshop_where = [scope_clause(user, Workshop.region_code)]
    if region_code and region_code in {code for code, _name in regions}:
        workshop_where.append(_in_region(Workshop.region_code, region_code))
        # As the list filter (Commitment.region_code is a kab/kota): ix_commitments_region_status.
        with_commitments = Organisation.id.in_(
            select(Commitment.organisation_id).where(Commitment.region_code == region_code,
                                                     scope_clause(user, Commitment.region_code)))
    else:
        # One index probe per organisation (ix_commitments_organisation_id) until the cap.
        with_commitments = select(Commitment.id).where(
            Commitment.organisation_id == Organisation.id,
            scope_clause(user, Commitment.region_code)).exists()
    workshops = list(session.execute(
        select(Workshop.id, Workshop.title).where(*workshop_where)
        .order_by(Workshop.starts_at.desc(), Workshop.id.desc()).limit(FILTER_CHOICES + 1)))
    organisations = list(session.execute(
        select(Organisation.id, Organisation.name).where(with_commitments)
        # Alphabetical whatever the case and accents, from ix_organisations_normalised_name:
        # the scan stops at the cap instead of sorting every organisation by name.
        .order_by(Organisation.normalised_name, Organisation.id).limit(FILTER_CHOICES + 1)))
    truncated = len(workshops) > FILTER_CHOICES or len(organisations) > FILTER_CHOICES
    workshops = [(i, t) for i, t in workshops[:FILTER_CHOICES]]
    organisations = [(i, n) for i, n in organisations[:FILTER_CHOICES]]
    # The selected ones stay choosable (and so valid) even beyond the cap or another region.
    if workshop_id and workshop_id not in {i for i, _t in workshops}:
        workshops += [tuple(row) for row in session.execute(
            select(Workshop.id, Workshop.title).where(
                Workshop.id == workshop_id, scope_clause(user, Workshop.region_code)))]
    if organisation_id and organisation_id not in {i for i, _n in organisations}:
        organisations += [tuple(row) for row in session.execute(
            select(Organisation.id, Organisation.name).where(
                Organisation.id == organisation_id,
                select(Commitment.id).where(Commitment.organisation_id == Organisation.id,
                                            scope_clause(user, Commitment.region_code)).exists()))]
    return FilterChoices(regions=regions, workshops=workshops, organisations=organisations,
                         truncated=truncated)


def workshop_commitments(session: Session, workshop: Workshop) -> list[Commitment]:
    return list(session.scalars(
        select(Commitment).options(joinedload(Commitment.organisation))
        .where(Commitment.workshop_id == workshop.id).order_by(Commitment.id)))
