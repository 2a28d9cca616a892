"""The prioritisation vote on a workshop's strategic issues.

The organiser opens one vote per workshop with N votes per participant. Every checked-in
participant (attendance hadir or diwakili) identifies themselves with their registration code
and spreads up to N votes over the issues, several on one issue if they like, once: a ballot is
final. Closing the vote is final too; it stores each issue's vote count and rank.

Ranking: most votes first. Equal counts share a rank (competition ranking: 1, 2, 2, 4); within
a shared rank, lists show the more urgent priority first, then the order issues were recorded.

Double votes are impossible in the database: a registration has at most one ballot (unique
key), a ballot has at most one row per issue, and the ballot's total is checked against its
allowance (CHECK votes_used <= votes_allowed). Two simultaneous submissions by the same person
therefore store one ballot; the other is told they already voted.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from kotaku_collab.i18n import _
from kotaku_collab.models import (AttendanceStatus, Ballot, IssueVote, Registration,
                                  RegistrationStatus, StrategicIssue, User, VoteSession,
                                  VoteStatus, Workshop, WorkshopStatus, utc_now)
from kotaku_collab.services import DomainError
from kotaku_collab.services.outcomes import assign_ranks, live_issues

MAX_VOTES = 20
#: Workshop statuses in which a vote can be opened (it happens during the workshop).
VOTING_STATUSES = (WorkshopStatus.PUBLISHED, WorkshopStatus.REGISTRATION_CLOSED,
                   WorkshopStatus.HELD)
CHECKED_IN = (AttendanceStatus.HADIR, AttendanceStatus.DIWAKILI)


def vote_session(session: Session, workshop: Workshop) -> VoteSession | None:
    return session.scalar(select(VoteSession).where(VoteSession.workshop_id == workshop.id))


def _locked_session(session: Session, workshop: Workshop) -> VoteSession | None:
    """The vote session row, locked until the transaction ends (PostgreSQL), re-read."""
    return session.scalar(select(VoteSession).where(VoteSession.workshop_id == workshop.id)
                          .with_for_update().execution_options(populate_existing=True))


def open_vote(session: Session, workshop: Workshop, actor: User | None,
              votes_per_participant: int, *, now=None) -> VoteSession:
    """Open the workshop's vote with N votes for every checked-in participant."""
    if workshop.status not in VOTING_STATUSES:
        raise DomainError(_("A vote can be held only while the workshop takes place (not in "
                            "status \"%(status)s\").", status=workshop.status.label))
    if vote_session(session, workshop) is not None:
        raise DomainError(_("This workshop already has a vote; a closed vote is final."))
    try:
        n = int(votes_per_participant)
    except (TypeError, ValueError):
        n = 0
    if not 1 <= n <= MAX_VOTES:
        raise DomainError(_("Give each participant between 1 and %(n)d votes.", n=MAX_VOTES),
                          field="votes_per_participant")
    if not live_issues(session, workshop):
        raise DomainError(_("Record the strategic issues before opening the vote."))
    vote = VoteSession(workshop_id=workshop.id, votes_per_participant=n, status=VoteStatus.OPEN,
                       opened_at=now or utc_now(),
                       opened_by_id=actor.id if actor is not None else None)
    session.add(vote)
    session.flush()
    return vote


def find_voter(session: Session, workshop: Workshop, code: str | None, *,
               lock: bool = False) -> Registration:
    """The checked-in registration with this code, or a message saying why not."""
    code = (code or "").strip().upper()
    query = select(Registration).where(Registration.workshop_id == workshop.id,
                                       Registration.code == code)
    if lock:
        query = query.with_for_update()
    registration = session.scalar(query) if code else None
    if registration is None or registration.status is RegistrationStatus.CANCELLED:
        raise DomainError(_("This code is not a registration for this workshop. Check the code "
                            "on your confirmation."), field="code")
    if registration.attendance not in CHECKED_IN:
        raise DomainError(_("Only participants who have checked in can vote. Please check in "
                            "at the committee desk first."), field="code")
    return registration


def existing_ballot(session: Session, registration: Registration) -> Ballot | None:
    return session.scalar(select(Ballot).where(Ballot.registration_id == registration.id))


def cast_ballot(session: Session, workshop: Workshop, code: str,
                allocations: dict[int, int], *, now=None) -> Ballot:
    """Store one participant's votes: {issue id: votes}, at most N in total, once."""
    vote = _locked_session(session, workshop)
    if vote is None:
        raise DomainError(_("There is no vote open for this workshop."))
    if vote.status is not VoteStatus.OPEN:
        raise DomainError(_("The vote is closed; your votes were not recorded."))
    registration = find_voter(session, workshop, code, lock=True)
    if existing_ballot(session, registration) is not None:
        raise DomainError(_("You have already voted; each participant votes once."))
    issues = {i.id: i for i in live_issues(session, workshop)}
    counts: dict[int, int] = {}
    for issue_id, count in (allocations or {}).items():
        try:
            issue_id, count = int(issue_id), int(count or 0)
        except (TypeError, ValueError):
            raise DomainError(_("Votes must be whole numbers.")) from None
        if count < 0:
            raise DomainError(_("Votes cannot be negative."))
        if count == 0:
            continue
        if issue_id not in issues:
            raise DomainError(_("That issue is not on this ballot any more; reload the page."))
        counts[issue_id] = counts.get(issue_id, 0) + count
    total = sum(counts.values())
    if total == 0:
        raise DomainError(_("Give at least one vote."))
    if total > vote.votes_per_participant:
        raise DomainError(_("You gave %(used)d votes but have %(n)d.", used=total,
                            n=vote.votes_per_participant))
    ballot = Ballot(vote_session_id=vote.id, registration_id=registration.id,
                    votes_allowed=vote.votes_per_participant, votes_used=total,
                    cast_at=now or utc_now())
    ballot.votes = [IssueVote(issue_id=i, registration_id=registration.id, count=c)
                    for i, c in counts.items()]
    try:
        with session.begin_nested():
            session.add(ballot)
            session.flush()
    except IntegrityError:
        raise DomainError(_("You have already voted; each participant votes once.")) from None
    return ballot


@dataclass
class RankedIssue:
    issue: StrategicIssue
    votes: int
    rank: int


@dataclass
class VoteSummary:
    vote: VoteSession | None
    ranking: list[RankedIssue]
    ballots: int
    checked_in: int


def _tally(session: Session, workshop: Workshop) -> dict[int, int]:
    return dict(session.execute(
        select(IssueVote.issue_id, func.sum(IssueVote.count))
        .join(StrategicIssue, StrategicIssue.id == IssueVote.issue_id)
        .where(StrategicIssue.workshop_id == workshop.id)
        .group_by(IssueVote.issue_id)).all())


def ranking(session: Session, workshop: Workshop) -> list[RankedIssue]:
    """The ranking: stored once the vote is closed, counted live while it is open."""
    vote = vote_session(session, workshop)
    issues = live_issues(session, workshop)
    if vote is None:
        return []
    if vote.status is VoteStatus.OPEN:
        tally = _tally(session, workshop)
        ordered = sorted(issues, key=lambda i: (-tally.get(i.id, 0), i.priority, i.id))
        result, previous, rank = [], None, 0
        for position, issue in enumerate(ordered, start=1):
            votes = tally.get(issue.id, 0)
            if votes != previous:
                rank, previous = position, votes
            result.append(RankedIssue(issue, votes, rank))
        return result
    ordered = sorted(issues, key=lambda i: (i.vote_rank or len(issues) + 1, i.priority, i.id))
    return [RankedIssue(i, i.vote_count or 0, i.vote_rank or 0) for i in ordered]


def vote_summary(session: Session, workshop: Workshop) -> VoteSummary:
    vote = vote_session(session, workshop)
    ballots = 0
    if vote is not None:
        ballots = session.scalar(select(func.count(Ballot.id))
                                 .where(Ballot.vote_session_id == vote.id)) or 0
    checked_in = session.scalar(select(func.count(Registration.id)).where(
        Registration.workshop_id == workshop.id,
        Registration.status != RegistrationStatus.CANCELLED,
        Registration.attendance.in_(CHECKED_IN))) or 0
    return VoteSummary(vote, ranking(session, workshop), ballots, checked_in)


def close_vote(session: Session, workshop: Workshop, actor: User | None, *,
               now=None) -> list[StrategicIssue]:
    """Close the vote (final) and store each issue's vote count and rank."""
    vote = _locked_session(session, workshop)
    if vote is None:
        raise DomainError(_("There is no vote open for this workshop."))
    if vote.status is not VoteStatus.OPEN:
        raise DomainError(_("The vote is already closed; a closed vote is final."))
    vote.status = VoteStatus.CLOSED
    vote.closed_at = now or utc_now()
    vote.closed_by_id = actor.id if actor is not None else None
    tally = _tally(session, workshop)
    issues = live_issues(session, workshop)
    for issue in issues:
        issue.vote_count = tally.get(issue.id, 0)
    ordered = assign_ranks(issues)
    session.flush()
    return ordered
