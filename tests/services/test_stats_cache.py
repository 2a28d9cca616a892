"""Cached aggregates: reused while nothing changed, recomputed after any write to a table read."""

from datetime import date

import pytest
from sqlalchemy import delete, event, func, insert, select, update

from kotaku_collab.database import count_queries
from kotaku_collab.models import (AgreementPoint, Commitment, CommitmentStatus, CommitmentUpdate,
                                  DataVersion, IssueAspect, MechanismMeeting, Notification,
                                  NotificationKind, Organisation, Person, Registration,
                                  RegistrationStatus, Role, StrategicIssue, Verification,
                                  VerificationDecision, Workshop, utc_now)
from kotaku_collab.models.commitment import commitment_issues
from kotaku_collab.services import stats_cache
from kotaku_collab.services.registration import take_seat
from tests import factories

TODAY = date(2026, 12, 1)


@pytest.fixture
def world(db):
    workshop = factories.make_workshop()
    organisation = factories.make_organisation()
    person = factories.make_person(organisation=organisation)
    factories.make_registration(workshop, person)
    issue = factories.make_issue(workshop)
    mechanism = factories.make_mechanism(workshop)
    commitment = factories.make_commitment(organisation, workshop)
    update_ = CommitmentUpdate(commitment=commitment, reported_on=TODAY,
                               status=CommitmentStatus.DISEPAKATI, percent_complete=10)
    db.session.add(update_)
    db.session.commit()
    stats_cache.clear()
    return {"workshop": workshop, "organisation": organisation, "person": person,
            "issue": issue, "mechanism": mechanism, "commitment": commitment, "update": update_}


class Counter:
    """A stand-in aggregate that counts its computations and returns the commitment count."""

    def __init__(self):
        self.calls = 0

    def __call__(self, session, user, day):
        self.calls += 1
        return session.scalar(select(func.count()).select_from(Commitment))


def test_a_second_view_costs_one_query_and_no_computation(db, world):
    compute = Counter()
    user = factories.make_user(Role.REVIEWER, regions=["51.05"])
    db.session.commit()
    assert stats_cache.cached(db.session, compute, user, TODAY) == 1
    with count_queries() as n:
        assert stats_cache.cached(db.session, compute, user, TODAY) == 1
    assert n() == 1
    assert compute.calls == 1


def test_the_key_holds_the_users_scope_and_the_day(db, world):
    compute = Counter()
    klungkung = factories.make_user(Role.REVIEWER, regions=["51.05"])
    national = factories.make_user(Role.REVIEWER, is_national=True)
    db.session.commit()
    stats_cache.cached(db.session, compute, klungkung, TODAY)
    stats_cache.cached(db.session, compute, national, TODAY)
    stats_cache.cached(db.session, compute, klungkung, date(2026, 12, 2))
    stats_cache.cached(db.session, compute, klungkung, TODAY)
    assert compute.calls == 3


def _insert_commitment(db, w):
    factories.make_commitment(w["organisation"], w["workshop"])


WRITES = {
    "commitments: ORM insert": _insert_commitment,
    "commitments: ORM update": lambda db, w: setattr(w["commitment"], "percent_complete", 50),
    "commitment_updates: ORM insert": lambda db, w: db.session.add(CommitmentUpdate(
        commitment=w["commitment"], reported_on=TODAY, status=CommitmentStatus.DIANGGARKAN,
        percent_complete=40)),
    "commitment_issues: link": lambda db, w: w["commitment"].issues.append(w["issue"]),
    "verifications: insert": lambda db, w: db.session.add(Verification(
        update=w["update"], decision=VerificationDecision.VERIFIED)),
    "registrations: bulk update": lambda db, w: db.session.execute(
        update(Registration).values(status=RegistrationStatus.CANCELLED)),
    "workshops: atomic seat UPDATE": lambda db, w: take_seat(db.session, w["workshop"]),
    "strategic_issues: ORM update": lambda db, w: setattr(w["issue"], "agreed", True),
    "issue_aspects: insert": lambda db, w: db.session.execute(
        insert(IssueAspect), [{"issue_id": w["issue"].id, "aspect": "drainase"}]),
    "coordination_mechanisms: ORM update": lambda db, w: setattr(w["mechanism"], "name", "Forum"),
    "mechanism_meetings: insert": lambda db, w: db.session.add(
        MechanismMeeting(mechanism=w["mechanism"], held_on=TODAY)),
    "agreement_points: insert": lambda db, w: db.session.add(
        AgreementPoint(workshop=w["workshop"], number=1, text="Sepakat")),
    "organisations: ORM update": lambda db, w: setattr(w["organisation"], "name", "Dinas Baru"),
    "people: Core update": lambda db, w: db.session.execute(
        update(Person).where(Person.id == w["person"].id).values(gender="P")),
    "commitment_updates: delete": lambda db, w: db.session.execute(
        delete(CommitmentUpdate).where(CommitmentUpdate.id == w["update"].id)),
}


@pytest.mark.parametrize("write", WRITES.values(), ids=WRITES.keys())
def test_any_write_to_a_table_read_recomputes(db, world, write):
    compute = Counter()
    user = factories.make_user(Role.REVIEWER, is_national=True)
    db.session.commit()
    stats_cache.cached(db.session, compute, user, TODAY)
    stats_cache.cached(db.session, compute, user, TODAY)
    assert compute.calls == 1
    write(db, world)
    db.session.commit()
    stats_cache.cached(db.session, compute, user, TODAY)
    assert compute.calls == 2
    stats_cache.cached(db.session, compute, user, TODAY)
    assert compute.calls == 2


def test_a_new_commitment_shows_in_the_next_result(db, world):
    user = factories.make_user(Role.REVIEWER, is_national=True)
    db.session.commit()
    compute = Counter()
    assert stats_cache.cached(db.session, compute, user, TODAY) == 1
    factories.make_commitment(world["organisation"], world["workshop"])
    db.session.commit()
    assert stats_cache.cached(db.session, compute, user, TODAY) == 2


def test_a_rolled_back_write_keeps_the_cache_and_is_never_cached(db, world):
    user = factories.make_user(Role.REVIEWER, is_national=True)
    db.session.commit()
    compute = Counter()
    before = db.session.scalars(select(DataVersion.version)
                                .where(DataVersion.table_name == "commitments")).one()
    assert stats_cache.cached(db.session, compute, user, TODAY) == 1
    factories.make_commitment(world["organisation"], world["workshop"])
    # Inside the writing transaction the result includes the uncommitted row, but is not stored.
    assert stats_cache.cached(db.session, compute, user, TODAY) == 2
    db.session.rollback()
    assert db.session.scalars(select(DataVersion.version)
                              .where(DataVersion.table_name == "commitments")).one() == before
    assert stats_cache.cached(db.session, compute, user, TODAY) == 1
    assert compute.calls == 2
    # A later committed write gets a token never used before: no stale hit.
    factories.make_commitment(world["organisation"], world["workshop"])
    db.session.commit()
    assert stats_cache.cached(db.session, compute, user, TODAY) == 2


def test_writes_to_bookkeeping_tables_do_not_invalidate(db, world):
    user = factories.make_user(Role.REVIEWER, is_national=True)
    db.session.commit()
    compute = Counter()
    stats_cache.cached(db.session, compute, user, TODAY)
    db.session.add(Notification(kind=list(NotificationKind)[0], subject="s", body="b",
                                created_at=utc_now()))
    user.last_login_at = utc_now()
    db.session.commit()
    stats_cache.cached(db.session, compute, user, TODAY)
    assert compute.calls == 1


def test_one_token_write_per_table_per_transaction(db, world):
    statements = []

    def record(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        db.session.execute(update(Workshop.__table__).values(venue="Aula"))
        db.session.execute(update(Workshop.__table__).values(venue="Aula 2"))
        db.session.execute(update(Organisation.__table__).values(short_name="X"))
        db.session.commit()
        db.session.execute(update(Workshop.__table__).values(venue="Aula 3"))
        db.session.commit()
    finally:
        event.remove(db.engine, "before_cursor_execute", record)
    # The first write to each table in a transaction replaces its token, once.
    assert sum(s.startswith("INSERT INTO data_versions") for s in statements) == 3


def test_bulk_insert_bumps_once(db, world):
    before = db.session.scalars(select(DataVersion.version)
                                .where(DataVersion.table_name == "commitment_issues")).all()
    issue = factories.make_issue(world["workshop"])
    db.session.execute(insert(commitment_issues), [
        {"commitment_id": world["commitment"].id, "issue_id": world["issue"].id},
        {"commitment_id": world["commitment"].id, "issue_id": issue.id}])
    db.session.commit()
    after = db.session.scalars(select(DataVersion.version)
                               .where(DataVersion.table_name == "commitment_issues")).all()
    assert len(after) == 1 and after != before
