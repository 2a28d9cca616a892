"""Minutes (notulen) and berita acara: the structured record, finalising (which locks the
outcomes), amendments, the pages that read outcomes, and carry-over from earlier rounds."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import and_, exists, func, select
from sqlalchemy.orm import Session, joinedload, selectinload

from kotaku_collab.i18n import _
from kotaku_collab.models import (AgreementPoint, Amendment, Commitment, CommitmentStatus,
                                  Minutes, MinutesStatus, Registration, SlumArea, StrategicIssue,
                                  User, VoteSession, VoteStatus, Workshop, WorkshopOrganiser,
                                  WorkshopStatus, utc_now)
from kotaku_collab.models.commitment import commitment_issues
from kotaku_collab.services import DomainError
from kotaku_collab.services.outcomes import (MechanismView, agreement_points, is_locked,
                                             mechanism_views, outcome_change, ranked_issues,
                                             slum_areas_by_id, workshop_commitments)
from kotaku_collab.services.voting import VoteSummary, vote_session, vote_summary
from kotaku_collab.services.workshops import SectorCount, sector_counts

MAX_SIGNATORIES = 12
MAX_MINUTES_TEXT = 20000


# --- The record ---------------------------------------------------------------------------


@dataclass
class MinutesInput:
    opened_by: str | None = None
    opening_remarks: str | None = None
    presentations: str | None = None
    discussion_summary: str | None = None
    document_number: str | None = None
    #: [{"name", "position", "organisation"}]; rows without any value are dropped.
    signatories: list[dict] = field(default_factory=list)


def minutes_for(session: Session, workshop: Workshop) -> Minutes | None:
    return session.scalar(select(Minutes).where(Minutes.workshop_id == workshop.id))


def default_opened_by(workshop: Workshop) -> str | None:
    """Who opened the workshop, as scheduled, for a new record."""
    if workshop.opened_by is None:
        return None
    position = workshop.opened_by_position or workshop.opened_by.position
    name = workshop.opened_by.full_name
    return f"{name}, {position}" if position else name


def _text(value: str | None, limit: int, field_name: str) -> str | None:
    value = (value or "").strip()
    if len(value) > limit:
        raise DomainError(_("At most %(n)d characters.", n=limit), field=field_name)
    return value or None


def _signatories(rows: list[dict]) -> list[dict]:
    cleaned = []
    for row in rows or []:
        entry = {key: (str(row.get(key) or "")).strip()
                 for key in ("name", "position", "organisation")}
        if not any(entry.values()):
            continue
        if not entry["name"]:
            raise DomainError(_("Each signatory needs a name."), field="signatories")
        if (len(entry["name"]) > 120 or len(entry["position"]) > 160
                or len(entry["organisation"]) > 200):
            raise DomainError(_("A signatory's name, position or organisation is too long."),
                              field="signatories")
        cleaned.append(entry)
    if len(cleaned) > MAX_SIGNATORIES:
        raise DomainError(_("At most %(n)d signatories.", n=MAX_SIGNATORIES),
                          field="signatories")
    return cleaned


def save_minutes(session: Session, workshop: Workshop, actor: User | None, data: MinutesInput,
                 *, reason: str | None = None) -> Minutes:
    """Create or update the minutes; after finalisation only as an amendment."""
    values = {
        "opened_by": _text(data.opened_by, 200, "opened_by"),
        "opening_remarks": _text(data.opening_remarks, MAX_MINUTES_TEXT, "opening_remarks"),
        "presentations": _text(data.presentations, MAX_MINUTES_TEXT, "presentations"),
        "discussion_summary": _text(data.discussion_summary, MAX_MINUTES_TEXT,
                                    "discussion_summary"),
        "document_number": _text(data.document_number, 80, "document_number"),
        "signatories": _signatories(data.signatories),
    }
    with outcome_change(session, workshop, actor, reason, lambda: _("Minutes edited")):
        minutes = minutes_for(session, workshop)
        if minutes is None:
            minutes = Minutes(workshop_id=workshop.id, status=MinutesStatus.DRAFT)
            session.add(minutes)
        for key, value in values.items():
            setattr(minutes, key, value)
        session.flush()
    return minutes


def missing_for_finalisation(session: Session, workshop: Workshop) -> list[str]:
    """What still has to be done before the workshop can be finalised (empty when ready)."""
    return finalisation_gaps(minutes_for(session, workshop), vote_session(session, workshop))


def finalisation_gaps(minutes: Minutes | None, vote: VoteSession | None) -> list[str]:
    """What the minutes and the vote still lack for finalising, from rows already loaded
    (the outcomes page has them)."""
    missing = []
    if minutes is None:
        return [_("Write the minutes: who opened the workshop, the discussion summary and the "
                  "signatories.")]
    if not minutes.opened_by:
        missing.append(_("The minutes do not say who opened the workshop."))
    if not minutes.discussion_summary:
        missing.append(_("The minutes have no discussion summary."))
    if not minutes.signatories:
        missing.append(_("The minutes have no signatories."))
    if vote is not None and vote.status is VoteStatus.OPEN:
        missing.append(_("The vote is still open: close it first."))
    return missing


def lock_minutes(session: Session, workshop: Workshop, *, actor: User | None = None,
                 now: datetime | None = None) -> Minutes:
    """Finalise the minutes as the workshop becomes finalised (called by the lifecycle
    transition); refuses with the list of what is missing."""
    missing = missing_for_finalisation(session, workshop)
    if missing:
        raise DomainError(_("The workshop cannot be finalised yet: %(missing)s",
                            missing=" ".join(missing)))
    minutes = minutes_for(session, workshop)
    minutes.status = MinutesStatus.FINALISED
    minutes.finalised_at = now or utc_now()
    minutes.finalised_by_id = actor.id if actor is not None else None
    session.flush()
    return minutes


def finalise(session: Session, workshop: Workshop, actor: User | None, *,
             now: datetime | None = None) -> Workshop:
    """Finalise a held workshop: the minutes must be complete; outcomes lock."""
    from kotaku_collab.services.scheduling import transition

    if workshop.status is not WorkshopStatus.HELD:
        raise DomainError(_("Only a workshop that has been held can be finalised (it is "
                            "\"%(status)s\").", status=workshop.status.label))
    return transition(session, workshop, WorkshopStatus.FINALISED, now=now, actor=actor)


def amendments(session: Session, workshop: Workshop) -> list[Amendment]:
    return list(session.scalars(
        select(Amendment).where(Amendment.workshop_id == workshop.id)
        .options(joinedload(Amendment.actor)).order_by(Amendment.created_at, Amendment.id)))


# --- Carry-over from earlier rounds -------------------------------------------------------

#: How many carried-over issues and commitments the outcomes page lists; the rest are on the
#: carry-over page (a kab/kota's earlier rounds can leave hundreds of open commitments).
CARRY_OVER_SHOWN = 20


@dataclass
class CarryOver:
    """Open items of earlier rounds in the same kab/kota, for review at a follow-up."""

    workshops: list[Workshop]
    issues: list[StrategicIssue]
    mechanisms: list[MechanismView]
    commitments: list[Commitment]
    #: How many open issues and commitments there are in all (the lists may hold fewer).
    issue_total: int = 0
    commitment_total: int = 0

    @property
    def empty(self) -> bool:
        return not (self.issues or self.mechanisms or self.commitments)

    @property
    def complete(self) -> bool:
        """Whether the lists hold every open issue and commitment."""
        return (len(self.issues) == self.issue_total
                and len(self.commitments) == self.commitment_total)


CLOSED_COMMITMENT = (CommitmentStatus.SELESAI, CommitmentStatus.BATAL)


def earlier_rounds(session: Session, workshop: Workshop) -> list[Workshop]:
    """Earlier workshops of the same kab/kota, plus the one it explicitly follows up, newest
    first (cancelled ones left out)."""
    ids = set(session.scalars(select(Workshop.id).where(
        Workshop.region_code == workshop.region_code, Workshop.id != workshop.id,
        Workshop.starts_at < workshop.starts_at, Workshop.status != WorkshopStatus.CANCELLED)))
    previous, seen = workshop.previous, {workshop.id}
    while previous is not None and previous.id not in seen:
        seen.add(previous.id)
        if previous.status is not WorkshopStatus.CANCELLED:
            ids.add(previous.id)
        previous = previous.previous
    if not ids:
        return []
    return list(session.scalars(select(Workshop).where(Workshop.id.in_(ids))
                                .options(joinedload(Workshop.region))
                                .order_by(Workshop.starts_at.desc(), Workshop.id.desc())))


def _newest_round_first(statement, model):
    """Order rows of `model` as the rounds are listed: the newest workshop first."""
    return (statement.join(Workshop, Workshop.id == model.workshop_id)
            .order_by(Workshop.starts_at.desc(), Workshop.id.desc()))


def _first_rows(session: Session, statement, limit: int | None) -> tuple[list, int]:
    """The first `limit` entities of `statement` (all when None) and how many there are in
    all, in one query (a window count is taken before the LIMIT)."""
    statement = statement.add_columns(func.count().over())
    if limit is not None:
        statement = statement.limit(limit)
    rows = session.execute(statement).all()
    return [row[0] for row in rows], (rows[0][1] if rows else 0)


def carry_over(session: Session, workshop: Workshop, today: date, *,
               limit: int | None = None) -> CarryOver:
    """The previous rounds' open issues (agreed, not merged, without a finished commitment),
    their mechanisms and their commitments that are neither finished nor cancelled; at most
    `limit` issues and commitments, the newest round's first, with the totals."""
    rounds = earlier_rounds(session, workshop)
    if not rounds:
        return CarryOver([], [], [], [])
    ids = [w.id for w in rounds]
    finished = exists().where(and_(commitment_issues.c.issue_id == StrategicIssue.id,
                                   commitment_issues.c.commitment_id == Commitment.id,
                                   Commitment.status == CommitmentStatus.SELESAI))
    # Each row's workshop is one of `rounds`, already in the session: no join loading needed.
    issues, issue_total = _first_rows(session, _newest_round_first(
        select(StrategicIssue).where(StrategicIssue.workshop_id.in_(ids),
                                     StrategicIssue.merged_into_id.is_(None),
                                     StrategicIssue.agreed.is_(True), ~finished), StrategicIssue)
        .order_by(StrategicIssue.vote_rank.is_(None), StrategicIssue.vote_rank,
                  StrategicIssue.priority, StrategicIssue.id)
        .options(selectinload(StrategicIssue.aspect_links)), limit)
    commitments, commitment_total = _first_rows(session, _newest_round_first(
        select(Commitment).where(Commitment.workshop_id.in_(ids),
                                 Commitment.status.not_in(CLOSED_COMMITMENT)), Commitment)
        .order_by(Commitment.id)
        .options(joinedload(Commitment.organisation)), limit)
    order = {w.id: n for n, w in enumerate(rounds)}
    mechanisms = mechanism_views(session, rounds, today)
    mechanisms.sort(key=lambda v: (order[v.mechanism.workshop_id], v.mechanism.id))
    return CarryOver(rounds, issues, mechanisms, commitments, issue_total, commitment_total)


# --- Pages and documents ------------------------------------------------------------------


@dataclass
class OutcomesRecord:
    """Everything the outcome pages and the documents show for one workshop."""

    workshop: Workshop
    issues: list[StrategicIssue]
    slum_areas: dict[int, SlumArea]
    mechanisms: list[MechanismView]
    agreements: list[AgreementPoint]
    commitments: list[Commitment]
    sectors: list[SectorCount]
    minutes: Minutes | None
    amendments: list[Amendment]
    vote: VoteSummary
    locked: bool

    @property
    def attendance_total(self) -> int:
        return sum(s.attended for s in self.sectors)

    @property
    def registered_total(self) -> int:
        return sum(s.registered for s in self.sectors)


def outcomes_record(session: Session, workshop: Workshop, today: date) -> OutcomesRecord:
    """Load a workshop's outcomes in a fixed number of queries."""
    workshop = session.scalar(
        select(Workshop).where(Workshop.id == workshop.id).options(
            joinedload(Workshop.region), joinedload(Workshop.opened_by),
            selectinload(Workshop.organisers).joinedload(WorkshopOrganiser.organisation)))
    issues = ranked_issues(session, workshop)
    registrations = list(session.scalars(
        select(Registration).where(Registration.workshop_id == workshop.id)))
    return OutcomesRecord(
        workshop=workshop,
        issues=issues,
        slum_areas=slum_areas_by_id(session, issues),
        mechanisms=mechanism_views(session, [workshop], today),
        agreements=agreement_points(session, workshop),
        commitments=workshop_commitments(session, workshop),
        sectors=sector_counts(registrations),
        minutes=minutes_for(session, workshop),
        amendments=amendments(session, workshop),
        vote=vote_summary(session, workshop),
        locked=is_locked(workshop),
    )
