"""The prioritisation vote: only checked-in participants, at most N votes, once; a closed vote
is final and its ranking is stored with the issues."""

from __future__ import annotations

import threading
from datetime import datetime, timezone

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from kotaku_collab.extensions import db as _db
from kotaku_collab.models import (AttendanceStatus, Ballot, IssueVote, RegistrationStatus, Role,
                                  VoteSession, VoteStatus, WorkshopStatus)
from kotaku_collab.services import DomainError
from kotaku_collab.services.outcomes import merge_issues
from kotaku_collab.services.voting import (cast_ballot, close_vote, open_vote, ranking,
                                           vote_summary)
from tests import factories

UTC = timezone.utc


@pytest.fixture
def organiser(db):
    return factories.make_user(Role.ORGANISER, regions=["51.05"])


@pytest.fixture
def workshop(db):
    return factories.make_workshop("51.05", status=WorkshopStatus.HELD,
                                   starts_at=datetime(2019, 10, 29, 0, 30, tzinfo=UTC))


@pytest.fixture
def issues(db, workshop):
    return [factories.make_issue(workshop, title=t, priority=p)
            for t, p in (("Drainase", 2), ("Persampahan Lembongan", 1), ("Akses kebakaran", 3))]


def participant(workshop, attendance=AttendanceStatus.HADIR, **kwargs):
    if attendance is AttendanceStatus.DIWAKILI:
        kwargs.setdefault("delegate_name", "Staf")
    return factories.make_registration(
        workshop, attendance=attendance,
        checked_in_at=datetime.now(UTC) if attendance in (AttendanceStatus.HADIR,
                                                          AttendanceStatus.DIWAKILI) else None,
        **kwargs)


def ballots(db) -> int:
    return db.session.scalar(select(func.count(Ballot.id)))


# --- Opening ------------------------------------------------------------------------------


def test_open_vote_with_n_votes(db, workshop, issues, organiser):
    vote = open_vote(db.session, workshop, organiser, 3)
    db.session.commit()
    assert vote.status is VoteStatus.OPEN and vote.votes_per_participant == 3
    assert vote.opened_by_id == organiser.id


@pytest.mark.parametrize("n", [0, -1, 21, "tiga", None])
def test_open_vote_needs_a_sensible_number(db, workshop, issues, organiser, n):
    with pytest.raises(DomainError) as error:
        open_vote(db.session, workshop, organiser, n)
    assert error.value.field == "votes_per_participant"


@pytest.mark.parametrize("status", [WorkshopStatus.DRAFT, WorkshopStatus.FINALISED,
                                    WorkshopStatus.CANCELLED])
def test_open_vote_only_while_the_workshop_takes_place(db, workshop, issues, organiser, status):
    workshop.status = status
    with pytest.raises(DomainError):
        open_vote(db.session, workshop, organiser, 3)


def test_open_vote_needs_issues_and_happens_once(db, workshop, organiser):
    with pytest.raises(DomainError, match="strategic issues"):
        open_vote(db.session, workshop, organiser, 3)
    factories.make_issue(workshop)
    open_vote(db.session, workshop, organiser, 3)
    with pytest.raises(DomainError, match="already"):
        open_vote(db.session, workshop, organiser, 3)


# --- Casting ------------------------------------------------------------------------------


def test_checked_in_participant_spreads_votes(db, workshop, issues, organiser):
    open_vote(db.session, workshop, organiser, 3)
    voter = participant(workshop)
    delegate = participant(workshop, AttendanceStatus.DIWAKILI)
    ballot = cast_ballot(db.session, workshop, voter.code.lower(),
                         {issues[0].id: 2, issues[1].id: 1, issues[2].id: 0})
    cast_ballot(db.session, workshop, f"  {delegate.code} ", {str(issues[2].id): "3"})
    db.session.commit()
    assert ballot.votes_used == 3 and ballot.votes_allowed == 3
    assert {(v.issue_id, v.count) for v in ballot.votes} == {(issues[0].id, 2), (issues[1].id, 1)}
    assert ballots(db) == 2


@pytest.mark.parametrize("who", ["unknown", "not_checked_in", "excused", "cancelled",
                                 "other_workshop"])
def test_only_checked_in_participants_of_this_workshop_vote(db, workshop, issues, organiser, who):
    open_vote(db.session, workshop, organiser, 3)
    if who == "unknown":
        code = "ZZZZ9999"
    elif who == "not_checked_in":
        code = participant(workshop, attendance=None).code
    elif who == "excused":
        code = participant(workshop, attendance=AttendanceStatus.IZIN).code
    elif who == "cancelled":
        code = participant(workshop, status=RegistrationStatus.CANCELLED).code
    else:
        code = participant(factories.make_workshop("51.05")).code
    with pytest.raises(DomainError) as error:
        cast_ballot(db.session, workshop, code, {issues[0].id: 1})
    assert error.value.field == "code"
    assert ballots(db) == 0


def test_no_second_ballot(db, workshop, issues, organiser):
    open_vote(db.session, workshop, organiser, 3)
    voter = participant(workshop)
    cast_ballot(db.session, workshop, voter.code, {issues[0].id: 3})
    db.session.commit()
    with pytest.raises(DomainError, match="already voted"):
        cast_ballot(db.session, workshop, voter.code, {issues[1].id: 3})
    db.session.rollback()
    assert db.session.scalar(select(func.sum(IssueVote.count))) == 3


@pytest.mark.parametrize("allocation, message", [
    ({0: 2, 1: 2}, "have 3"),
    ({0: 4}, "have 3"),
    ({}, "at least one"),
    ({0: 0, 1: 0}, "at least one"),
    ({0: -1, 1: 3}, "negative"),
    ({0: "dua"}, "whole numbers"),
])
def test_ballot_totals(db, workshop, issues, organiser, allocation, message):
    open_vote(db.session, workshop, organiser, 3)
    voter = participant(workshop)
    with pytest.raises(DomainError, match=message):
        cast_ballot(db.session, workshop, voter.code,
                    {issues[i].id: n for i, n in allocation.items()})
    assert ballots(db) == 0


def test_issue_of_another_workshop_or_merged_away_is_not_on_the_ballot(db, workshop, issues,
                                                                       organiser):
    open_vote(db.session, workshop, organiser, 3)
    foreign = factories.make_issue(factories.make_workshop("51.05"))
    merge_issues(db.session, issues[2], issues[0], organiser)
    voter = participant(workshop)
    for issue in (foreign, issues[2]):
        with pytest.raises(DomainError, match="not on this ballot"):
            cast_ballot(db.session, workshop, voter.code, {issue.id: 1})
    assert ballots(db) == 0


def test_no_vote_open(db, workshop, issues):
    with pytest.raises(DomainError, match="no vote"):
        cast_ballot(db.session, workshop, participant(workshop).code, {issues[0].id: 1})


# --- The database makes double votes impossible -------------------------------------------


def test_database_allows_one_ballot_per_registration(db, workshop, issues, organiser):
    vote = open_vote(db.session, workshop, organiser, 3)
    voter = participant(workshop)
    cast_ballot(db.session, workshop, voter.code, {issues[0].id: 1})
    db.session.commit()
    db.session.add(Ballot(vote_session_id=vote.id, registration_id=voter.id, votes_allowed=3,
                          votes_used=1))
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()


def test_database_allows_one_row_per_issue_and_participant(db, workshop, issues, organiser):
    open_vote(db.session, workshop, organiser, 3)
    voter = participant(workshop)
    ballot = cast_ballot(db.session, workshop, voter.code, {issues[0].id: 1})
    db.session.commit()
    db.session.add(IssueVote(ballot_id=ballot.id, issue_id=issues[0].id,
                             registration_id=voter.id, count=1))
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()


def test_database_refuses_a_ballot_over_its_allowance(db, workshop, issues, organiser):
    vote = open_vote(db.session, workshop, organiser, 3)
    voter = participant(workshop)
    db.session.commit()
    db.session.add(Ballot(vote_session_id=vote.id, registration_id=voter.id, votes_allowed=3,
                          votes_used=4))
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()


def test_simultaneous_submissions_by_one_participant_store_one_ballot(app, db, workshop, issues,
                                                                     organiser):
    """Eight submissions of the same code released at once: one ballot of at most N votes."""
    open_vote(db.session, workshop, organiser, 3)
    voter = participant(workshop)
    workshop_id, code = workshop.id, voter.code
    issue_ids = [i.id for i in issues]
    db.session.commit()  # and hold no transaction (SQLite's write lock) while the threads run
    barrier = threading.Barrier(8)
    outcomes: list[str] = []

    def submit(n: int) -> None:
        from kotaku_collab.models import Workshop

        with app.app_context():
            session = _db.session
            try:
                barrier.wait()
                cast_ballot(session, session.get(Workshop, workshop_id), code,
                            {issue_ids[n % 3]: 3})
                session.commit()
                outcomes.append("stored")
            except DomainError as error:
                session.rollback()
                outcomes.append(error.message)
            finally:
                _db.session.remove()

    threads = [threading.Thread(target=submit, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert outcomes.count("stored") == 1
    assert all("already voted" in o for o in outcomes if o != "stored")
    db.session.expire_all()
    assert ballots(db) == 1
    assert db.session.scalar(select(func.sum(IssueVote.count))) == 3


# --- Closing and ranking ------------------------------------------------------------------


def test_close_stores_ranking_with_ties_sharing_a_rank(db, workshop, issues, organiser):
    open_vote(db.session, workshop, organiser, 4)
    drainase, sampah, kebakaran = issues
    cast_ballot(db.session, workshop, participant(workshop).code, {drainase.id: 2, sampah.id: 2})
    cast_ballot(db.session, workshop, participant(workshop).code, {drainase.id: 1, sampah.id: 1,
                                                                   kebakaran.id: 2})
    live = ranking(db.session, workshop)
    assert [(r.issue.title, r.votes, r.rank) for r in live] == [
        ("Persampahan Lembongan", 3, 1), ("Drainase", 3, 1), ("Akses kebakaran", 2, 3)]
    assert drainase.vote_rank is None  # nothing stored while open
    ordered = close_vote(db.session, workshop, organiser)
    db.session.commit()
    assert [i.title for i in ordered] == ["Persampahan Lembongan", "Drainase", "Akses kebakaran"]
    assert (sampah.vote_rank, drainase.vote_rank, kebakaran.vote_rank) == (1, 1, 3)
    assert (sampah.vote_count, drainase.vote_count, kebakaran.vote_count) == (3, 3, 2)
    summary = vote_summary(db.session, workshop)
    assert summary.ballots == 2 and summary.checked_in == 2
    assert summary.vote.status is VoteStatus.CLOSED and summary.vote.closed_by_id == organiser.id


def test_closed_vote_is_final(db, workshop, issues, organiser):
    open_vote(db.session, workshop, organiser, 3)
    close_vote(db.session, workshop, organiser)
    db.session.commit()
    with pytest.raises(DomainError, match="closed"):
        cast_ballot(db.session, workshop, participant(workshop).code, {issues[0].id: 1})
    db.session.rollback()
    with pytest.raises(DomainError, match="already closed"):
        close_vote(db.session, workshop, organiser)
    with pytest.raises(DomainError, match="final"):
        open_vote(db.session, workshop, organiser, 3)
    assert ballots(db) == 0
    assert db.session.scalar(select(func.count(VoteSession.id))) == 1
