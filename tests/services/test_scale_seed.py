"""The national-scale synthetic seed at a tiny scale: counts, invariants, the CLI's guards."""

import pytest
from sqlalchemy import and_, func, select

from kotaku_collab.extensions import passwords
from kotaku_collab.models import (ApiToken, Commitment, CommitmentUpdate, Region, RegionLevel,
                                  Registration, RegistrationStatus, Role, User, Workshop,
                                  WorkshopStatus)
from kotaku_collab.services import DomainError
from kotaku_collab.services.registration import self_registration_state
from kotaku_collab.services.scale_seed import (BENCH_PARTICIPANTS, BENCH_PASSWORD, ScalePlan,
                                               seed_scale)

SCALE = 0.005


@pytest.fixture
def seeded(db):
    report = seed_scale(db.session, passwords, scale=SCALE, seed=7)
    db.session.commit()
    return report


def count(db, model, *where) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def test_plan_scales_every_count():
    assert ScalePlan.for_scale(1.0) == ScalePlan(kabkota=270, workshops=3000, registrations=120_000,
                                                 commitments=200_000, commitment_updates=400_000)
    # 0.005 × 3,000 = 15 workshops, 600 registrations, 1,000 commitments, 2,000 updates.
    assert ScalePlan.for_scale(SCALE) == ScalePlan(kabkota=2, workshops=15, registrations=600,
                                                   commitments=1000, commitment_updates=2000)
    with pytest.raises(DomainError):
        ScalePlan.for_scale(0)


def test_counts_match_the_plan(db, seeded):
    assert count(db, Region, Region.level.in_([RegionLevel.KABUPATEN, RegionLevel.KOTA])) == 2
    assert count(db, Region, Region.level == RegionLevel.KECAMATAN) == 6
    assert count(db, Region, Region.level == RegionLevel.KELURAHAN) == 24
    assert count(db, Workshop) == 15
    assert count(db, Registration) == 600
    assert count(db, Commitment) == 1000
    assert count(db, CommitmentUpdate) == 2000
    assert seeded.counts["registrations"] == 600
    assert seeded.counts["commitment_updates"] == 2000


def test_seats_taken_equals_confirmed_seat_taking_registrations(db, seeded):
    confirmed = (select(Registration.workshop_id, func.count().label("n"))
                 .where(Registration.status == RegistrationStatus.CONFIRMED,
                        Registration.role.in_(["peserta", "undangan"]))
                 .group_by(Registration.workshop_id).subquery())
    rows = db.session.execute(
        select(Workshop.id, Workshop.seats_taken, Workshop.capacity, func.coalesce(confirmed.c.n, 0))
        .outerjoin(confirmed, confirmed.c.workshop_id == Workshop.id)).all()
    assert len(rows) == 15
    for workshop_id, seats_taken, capacity, n in rows:
        assert seats_taken == n, workshop_id
        assert 0 <= seats_taken <= capacity
    # Some workshops are full with a waiting list numbered 1, 2, ...
    waitlisted = db.session.execute(
        select(Registration.workshop_id, Registration.waitlist_position)
        .where(Registration.status == RegistrationStatus.WAITLISTED)
        .order_by(Registration.workshop_id, Registration.waitlist_position)).all()
    assert waitlisted
    by_workshop: dict[int, list[int]] = {}
    for workshop_id, position in waitlisted:
        by_workshop.setdefault(workshop_id, []).append(position)
    for positions in by_workshop.values():
        assert positions == list(range(1, len(positions) + 1))


def test_commitments_carry_their_latest_update(db, seeded):
    latest = (select(CommitmentUpdate.commitment_id, func.max(CommitmentUpdate.created_at).label("at"))
              .group_by(CommitmentUpdate.commitment_id).subquery())
    rows = db.session.execute(
        select(Commitment.status, Commitment.percent_complete, Commitment.last_update_at,
               CommitmentUpdate.status, CommitmentUpdate.percent_complete, CommitmentUpdate.created_at)
        .join(latest, latest.c.commitment_id == Commitment.id)
        .join(CommitmentUpdate, and_(CommitmentUpdate.commitment_id == Commitment.id,
                                     CommitmentUpdate.created_at == latest.c.at))).all()
    assert rows
    for c_status, c_percent, c_at, u_status, u_percent, u_at in rows:
        assert (c_status, c_percent, c_at) == (u_status, u_percent, u_at)
    without = db.session.scalars(select(Commitment).where(~Commitment.updates.any())).all()
    assert all(c.status.value == "diusulkan" and c.percent_complete == 0
               and c.last_update_at is None for c in without)


def test_bench_handles_point_at_usable_rows(db, seeded):
    bench = db.session.get(Workshop, seeded.bench_workshop_id)
    assert bench.status is WorkshopStatus.HELD
    assert count(db, Registration, Registration.workshop_id == bench.id) == BENCH_PARTICIPANTS
    assert bench.region_code == seeded.bench_kabkota
    for code in seeded.open_workshop_codes:
        workshop = db.session.scalar(select(Workshop).where(Workshop.code == code))
        assert self_registration_state(workshop) is None
        assert workshop.seats_left > 1000
    users = {u.email: u for u in db.session.scalars(select(User))}
    assert {l.email for l in seeded.logins} == set(users)
    for user in users.values():
        assert passwords.verify(user.password_hash, BENCH_PASSWORD)
    assert users["reviewer@bench.example"].region_codes == [seeded.bench_kabkota]
    assert users["national@bench.example"].is_national
    assert users["stakeholder@bench.example"].role is Role.STAKEHOLDER
    assert count(db, ApiToken) == len(seeded.api_tokens) == 2


def test_same_seed_gives_the_same_rows(db):
    # Plan-level determinism without a second database: the rows of one run are fixed by the seed.
    seed_scale(db.session, passwords, scale=SCALE, seed=7)
    titles = db.session.scalars(select(Commitment.title).order_by(Commitment.id).limit(20)).all()
    codes = db.session.scalars(select(Workshop.code).order_by(Workshop.id)).all()
    assert codes[0] == "SAAAAAAAB" and len(set(codes)) == 15
    db.session.rollback()
    seed_scale(db.session, passwords, scale=SCALE, seed=7)
    assert db.session.scalars(select(Commitment.title).order_by(Commitment.id).limit(20)).all() == titles


def test_refuses_a_database_that_already_has_data(db, seeded):
    with pytest.raises(DomainError, match="empty database"):
        seed_scale(db.session, passwords, scale=SCALE)


def test_cli_refuses_where_demo_data_is_disabled_unless_forced(make_app, db, tmp_path):
    app = make_app(ALLOW_DEMO_DATA=False)
    report = tmp_path / "report.json"
    # The `db` fixture has pushed the test app's context; the CLI must run in this app's.
    with app.app_context():
        try:
            runner = app.test_cli_runner()
            refused = runner.invoke(args=["kotaku", "seed-scale", "--scale", str(SCALE)])
            empty_after_refusal = count(db, Workshop) == 0
            result = runner.invoke(args=["kotaku", "seed-scale", "--scale", str(SCALE),
                                         "--force", "--report", str(report)])
        finally:
            for engine in db.engines.values():
                engine.dispose()
    assert refused.exit_code != 0
    assert "ALLOW_DEMO_DATA is false" in refused.output
    assert empty_after_refusal
    assert result.exit_code == 0, result.output
    assert "600 registrations" in result.output
    assert '"bench_workshop_id": 1' in report.read_text()
