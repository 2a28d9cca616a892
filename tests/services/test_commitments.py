"""Commitment rules: ownership, fields, status transitions, flags on a fixed clock,
verification with notifications, the quick-entry table and the filtered list."""

from datetime import date, datetime, timedelta, timezone
from types import SimpleNamespace

import pytest
from flask_babel import force_locale
from sqlalchemy import func, select

from kotaku_collab.models import (Commitment, CommitmentStatus, CommitmentUpdate, FundingSource,
                                  Notification, NotificationKind, Role, Sector, Verification,
                                  VerificationDecision)
from kotaku_collab.services import DomainError
from kotaku_collab.services.commitments import (CommitmentFilters, CommitmentInput, NotAllowed,
                                                ProgressInput, allowed_statuses,
                                                commitment_flags, create_commitment,
                                                create_commitments_bulk, flag_condition,
                                                list_commitments, parse_rupiah,
                                                post_progress_update, update_commitment,
                                                verify_update)
from tests import factories

UTC = timezone.utc
S = CommitmentStatus
TODAY = date(2030, 5, 1)


@pytest.fixture(autouse=True)
def english(db):
    """Messages are asserted in English (the msgids); Indonesian is the app's default."""
    with force_locale("en"):
        yield


@pytest.fixture
def world(db):
    """Klungkung (51.05) with a workshop on 10 March 2030 (local time), two organisations and
    their users, an organiser and a reviewer; Kota Pasuruan (35.75) with its own workshop."""
    factories.make_region("51.05.03.1001")
    factories.make_region("35.75.01.1001")
    workshop = factories.make_workshop("51.05", starts_at=datetime(2030, 3, 10, 0, 30, tzinfo=UTC))
    other_workshop = factories.make_workshop("35.75",
                                             starts_at=datetime(2030, 3, 12, 1, 0, tzinfo=UTC))
    org = factories.make_organisation("Dinas PUPRPKP Klungkung", sector=Sector.PEMERINTAH)
    other_org = factories.make_organisation("PDAM Tirta Mahottama", sector=Sector.DUNIA_USAHA)
    return SimpleNamespace(
        workshop=workshop, other_workshop=other_workshop, org=org, other_org=other_org,
        person=factories.make_person("I Wayan Sukra", organisation=org, email="wayan@example.org"),
        other_person=factories.make_person("Nyoman", organisation=other_org),
        issue=factories.make_issue(workshop, "Drainase tersumbat"),
        foreign_issue=factories.make_issue(other_workshop, "Sanitasi pesisir"),
        stakeholder=factories.make_user(Role.STAKEHOLDER, organisation=org,
                                        email="pupr@example.org"),
        colleague=factories.make_user(Role.STAKEHOLDER, organisation=org,
                                      email="pupr2@example.org"),
        inactive=factories.make_user(Role.STAKEHOLDER, organisation=org, active=False,
                                     email="gone@example.org"),
        other_stakeholder=factories.make_user(Role.STAKEHOLDER, organisation=other_org,
                                              email="pdam@example.org"),
        organiser=factories.make_user(Role.ORGANISER, regions=["51.05"]),
        pasuruan_organiser=factories.make_user(Role.ORGANISER, regions=["35.75"]),
        reviewer=factories.make_user(Role.REVIEWER, regions=["51.05"]),
        pasuruan_reviewer=factories.make_user(Role.REVIEWER, regions=["35.75"]),
    )


def data(world, **overrides) -> CommitmentInput:
    values = dict(organisation_id=world.org.id, title="Normalisasi drainase 1.200 m",
                  workshop_id=world.workshop.id, committed_by_id=world.person.id,
                  issue_ids=[world.issue.id], amount_idr=750_000_000,
                  funding_source=FundingSource.APBD_KABKOTA, fiscal_year=2030,
                  target_date=date(2030, 12, 31), location_code="51.05.03.1001")
    values.update(overrides)
    return CommitmentInput(**values)


# --- Ownership and fields -------------------------------------------------------------------


def test_stakeholder_logs_a_commitment_for_their_organisation(db, world):
    c = create_commitment(db.session, world.stakeholder, data(world))
    assert c.sector is Sector.PEMERINTAH
    assert c.region_code == "51.05"
    assert [i.id for i in c.issues] == [world.issue.id]
    assert c.status is S.DIUSULKAN and c.percent_complete == 0
    assert c.created_by_id == world.stakeholder.id and c.committed_by is world.person


def test_stakeholder_cannot_log_for_another_organisation(db, world):
    with pytest.raises(NotAllowed):
        create_commitment(db.session, world.stakeholder,
                          data(world, organisation_id=world.other_org.id, committed_by_id=None))
    assert db.session.scalar(select(func.count(Commitment.id))) == 0


def test_organiser_records_for_any_organisation_but_only_in_their_region(db, world):
    c = create_commitment(db.session, world.organiser,
                          data(world, organisation_id=world.other_org.id,
                               committed_by_id=world.other_person.id))
    assert c.organisation is world.other_org and c.sector is Sector.DUNIA_USAHA
    with pytest.raises(NotAllowed):
        create_commitment(db.session, world.pasuruan_organiser, data(world))


@pytest.mark.parametrize("who", ["other_stakeholder", "reviewer", "pasuruan_organiser"])
def test_only_the_owner_or_a_regional_organiser_edits(db, world, who):
    c = create_commitment(db.session, world.stakeholder, data(world))
    with pytest.raises(NotAllowed):
        update_commitment(db.session, getattr(world, who), c, data(world, title="Diubah"))
    assert c.title == "Normalisasi drainase 1.200 m"
    update_commitment(db.session, world.organiser, c, data(world, title="Diubah oleh Pokja"))
    assert c.title == "Diubah oleh Pokja"


def test_stakeholder_cannot_move_their_commitment_to_another_organisation(db, world):
    c = create_commitment(db.session, world.stakeholder, data(world))
    with pytest.raises(NotAllowed):
        update_commitment(db.session, world.stakeholder, c,
                          data(world, organisation_id=world.other_org.id, committed_by_id=None))
    assert c.organisation_id == world.org.id


@pytest.mark.parametrize("overrides, field, message", [
    ({"issue_ids": "foreign"}, "issue_ids", "another regency/city"),
    ({"issue_ids": [999999]}, "issue_ids", "does not exist"),
    ({"target_date": date(2030, 3, 9)}, "target_date", "before the workshop"),
    ({"committed_by_id": "other_person"}, "committed_by_id", "must work for"),
    ({"location_code": "35.75.01.1001"}, "location_code", "inside Kabupaten Klungkung"),
    ({"location_code": "51.05"}, "location_code", "kelurahan or desa"),
    ({"amount_idr": -1}, "amount_idr", "cannot be negative"),
    ({"fiscal_year": 1999}, "fiscal_year", "between 2000 and 2100"),
    ({"title": "   "}, "title", "title"),
    ({"workshop_id": None, "region_code": None}, "region_code", "regency/city"),
    ({"region_code": "35.75"}, "workshop_id", "was held in"),
])
def test_bad_fields_are_refused_beside_the_field(db, world, overrides, field, message):
    if overrides.get("issue_ids") == "foreign":
        overrides["issue_ids"] = [world.foreign_issue.id]
    if overrides.get("committed_by_id") == "other_person":
        overrides["committed_by_id"] = world.other_person.id
    with pytest.raises(DomainError) as error:
        create_commitment(db.session, world.organiser, data(world, **overrides))
    assert error.value.field == field
    assert message in error.value.message
    assert db.session.scalar(select(func.count(Commitment.id))) == 0


def test_target_on_the_workshop_day_and_commitments_outside_workshops_are_fine(db, world):
    on_the_day = create_commitment(db.session, world.stakeholder,
                                   data(world, target_date=date(2030, 3, 10)))
    assert on_the_day.target_date == date(2030, 3, 10)
    outside = create_commitment(db.session, world.stakeholder,
                                data(world, workshop_id=None, region_code="51.05",
                                     target_date=date(2020, 1, 1)))
    assert outside.workshop is None and outside.region_code == "51.05"


@pytest.mark.parametrize("typed, expected", [
    ("1.250.000.000", 1_250_000_000), ("1250000000", 1_250_000_000),
    ("Rp 1.250.000.000", 1_250_000_000), ("Rp1.250.000,00", 1_250_000),
    ("15.000.000,-", 15_000_000),
    (" 750 000 000 ", 750_000_000), ("", None), (None, None), (0, 0), (2.0, 2),
])
def test_rupiah_as_people_type_it(typed, expected):
    assert parse_rupiah(typed) == expected


@pytest.mark.parametrize("typed, message", [
    ("-5", "cannot be negative"), ("-1.000", "cannot be negative"), (-3, "cannot be negative"),
    ("satu juta", "whole rupiah"), ("1,5", "whole rupiah"), ("1.25.000", "whole rupiah"),
    ("12.5", "whole rupiah"), (2.5, "without cents"), ("9" * 17, "too large"),
])
def test_rupiah_refuses_negative_and_non_numeric(typed, message):
    with pytest.raises(DomainError) as error:
        parse_rupiah(typed)
    assert message in error.value.message and error.value.field == "amount_idr"


# --- Status transitions and progress --------------------------------------------------------


def progress(status, percent=None, reported_on=date(2030, 4, 1), narrative=None):
    return ProgressInput(reported_on=reported_on, status=status, percent_complete=percent,
                         narrative=narrative)


@pytest.mark.parametrize("start, new, allowed", [
    (S.DIUSULKAN, S.DISEPAKATI, True),
    (S.DIUSULKAN, S.DILAKSANAKAN, True),
    (S.DIUSULKAN, S.DIUSULKAN, True),
    (S.DIUSULKAN, S.SELESAI, False),
    (S.DISEPAKATI, S.SELESAI, False),
    (S.DIANGGARKAN, S.SELESAI, False),
    (S.DILAKSANAKAN, S.SELESAI, True),
    (S.DIANGGARKAN, S.DISEPAKATI, False),
    (S.DILAKSANAKAN, S.DIUSULKAN, False),
    (S.DISEPAKATI, S.BATAL, True),
    (S.DILAKSANAKAN, S.BATAL, True),
    (S.SELESAI, S.DILAKSANAKAN, False),
    (S.SELESAI, S.SELESAI, False),
    (S.BATAL, S.DISEPAKATI, False),
])
def test_status_transitions(db, world, start, new, allowed):
    c = factories.make_commitment(world.org, world.workshop, status=start,
                                  percent_complete=100 if start is S.SELESAI else 10)
    assert (new in allowed_statuses(c)) is allowed
    if allowed:
        post_progress_update(db.session, world.stakeholder, c, progress(new), TODAY)
        assert c.status is new
    else:
        with pytest.raises(DomainError) as error:
            post_progress_update(db.session, world.stakeholder, c, progress(new), TODAY)
        assert error.value.field == "status"
        assert c.status is start
        assert db.session.scalar(select(func.count(CommitmentUpdate.id))) == 0


def test_a_forbidden_jump_says_why(db, world):
    c = factories.make_commitment(world.org, world.workshop, status=S.DISEPAKATI)
    with pytest.raises(DomainError) as error:
        post_progress_update(db.session, world.stakeholder, c, progress(S.SELESAI, 100), TODAY)
    assert "straight to" in error.value.message
    c.status = S.SELESAI
    with pytest.raises(DomainError) as error:
        post_progress_update(db.session, world.stakeholder, c, progress(S.DILAKSANAKAN), TODAY)
    assert "closed" in error.value.message


def test_updates_append_history_and_the_commitment_follows_the_latest(db, world):
    c = factories.make_commitment(world.org, world.workshop, status=S.DISEPAKATI)
    post_progress_update(db.session, world.stakeholder, c,
                         progress(S.DIANGGARKAN, 0, date(2030, 3, 20), "Masuk DPA"), TODAY)
    second = post_progress_update(db.session, world.colleague, c,
                                  progress(S.DILAKSANAKAN, 45, date(2030, 4, 2)), TODAY)
    third = post_progress_update(db.session, world.stakeholder, c,
                                 progress(S.SELESAI, None, date(2030, 4, 30)), TODAY)
    assert [u.status for u in c.updates] == [S.DIANGGARKAN, S.DILAKSANAKAN, S.SELESAI]
    assert third.percent_complete == 100, "selesai means 100 %"
    assert (c.status, c.percent_complete, c.last_update_at) == (S.SELESAI, 100, third.created_at)
    assert second.author_id == world.colleague.id


@pytest.mark.parametrize("update, field", [
    (progress(S.DILAKSANAKAN, 101), "percent_complete"),
    (progress(S.DILAKSANAKAN, -1), "percent_complete"),
    (progress(S.DILAKSANAKAN, 50, TODAY + timedelta(days=1)), "reported_on"),
    (progress(S.DILAKSANAKAN, 50, date(2030, 3, 1)), "reported_on"),
])
def test_bad_progress_is_refused(db, world, update, field):
    c = factories.make_commitment(world.org, world.workshop, status=S.DIANGGARKAN)
    post_progress_update(db.session, world.stakeholder, c, progress(S.DIANGGARKAN, 0,
                                                                     date(2030, 3, 15)), TODAY)
    with pytest.raises(DomainError) as error:
        post_progress_update(db.session, world.stakeholder, c, update, TODAY)
    assert error.value.field == field
    assert len(c.updates) == 1


def test_completed_means_one_hundred_percent(db, world):
    c = factories.make_commitment(world.org, world.workshop, status=S.DILAKSANAKAN)
    with pytest.raises(DomainError) as error:
        post_progress_update(db.session, world.stakeholder, c, progress(S.SELESAI, 80), TODAY)
    assert error.value.field == "percent_complete"


@pytest.mark.parametrize("who", ["other_stakeholder", "reviewer", "pasuruan_organiser"])
def test_only_owner_or_organiser_reports_progress(db, world, who):
    c = factories.make_commitment(world.org, world.workshop)
    with pytest.raises(NotAllowed):
        post_progress_update(db.session, getattr(world, who), c, progress(S.DISEPAKATI), TODAY)
    post_progress_update(db.session, world.organiser, c, progress(S.DISEPAKATI), TODAY)
    assert c.status is S.DISEPAKATI


def test_a_sent_back_completion_can_be_corrected(db, world):
    c = factories.make_commitment(world.org, world.workshop, status=S.DILAKSANAKAN)
    post_progress_update(db.session, world.stakeholder, c, progress(S.DILAKSANAKAN, 60), TODAY)
    done = post_progress_update(db.session, world.stakeholder, c, progress(S.SELESAI), TODAY)
    assert allowed_statuses(c) == []
    verify_update(db.session, world.reviewer, done, VerificationDecision.REJECTED,
                  "Belum ada berita acara serah terima.")
    assert allowed_statuses(c) == [S.DILAKSANAKAN, S.SELESAI, S.BATAL]
    post_progress_update(db.session, world.stakeholder, c, progress(S.DILAKSANAKAN, 90), TODAY)
    assert (c.status, c.percent_complete) == (S.DILAKSANAKAN, 90)


# --- Flags on a fixed clock -----------------------------------------------------------------


FLAG_CASES = [
    # status, target, percent, last update (days before TODAY), expected flags
    (S.DILAKSANAKAN, TODAY - timedelta(days=1), 90, 1, {"overdue"}),
    (S.DILAKSANAKAN, TODAY, 40, 1, {"at_risk", "due_soon"}),
    (S.DISEPAKATI, TODAY + timedelta(days=14), 0, 1, {"at_risk", "due_soon"}),
    (S.DISEPAKATI, TODAY + timedelta(days=15), 0, 1, {"at_risk"}),
    (S.DILAKSANAKAN, TODAY + timedelta(days=30), 49, 1, {"at_risk"}),
    (S.DILAKSANAKAN, TODAY + timedelta(days=30), 50, 1, set()),
    (S.DILAKSANAKAN, TODAY + timedelta(days=31), 0, 1, set()),
    (S.DILAKSANAKAN, TODAY + timedelta(days=200), 10, 30, set()),
    (S.DILAKSANAKAN, TODAY + timedelta(days=200), 10, 31, {"stale"}),
    (S.DIANGGARKAN, TODAY - timedelta(days=60), 0, 45, {"overdue", "stale"}),
    (S.SELESAI, TODAY - timedelta(days=60), 100, 90, set()),
    (S.BATAL, TODAY - timedelta(days=1), 0, 90, set()),
    (S.DISEPAKATI, None, 0, 2, set()),
]


@pytest.mark.parametrize("status, target, percent, days_ago, expected", FLAG_CASES)
def test_flags_on_a_fixed_clock(status, target, percent, days_ago, expected):
    c = SimpleNamespace(status=status, target_date=target, percent_complete=percent,
                        last_update_at=datetime.combine(TODAY, datetime.min.time(), UTC)
                        - timedelta(days=days_ago) + timedelta(hours=3),
                        created_at=datetime(2029, 1, 1, tzinfo=UTC))
    flags = commitment_flags(c, TODAY)
    assert {n for n in ("overdue", "at_risk", "due_soon", "stale") if getattr(flags, n)} == expected


def test_sql_flags_agree_with_python_flags(db, world):
    made = []
    for status, target, percent, days_ago, expected in FLAG_CASES:
        c = factories.make_commitment(
            world.org, world.workshop, status=status, target_date=target,
            percent_complete=percent,
            last_update_at=datetime.combine(TODAY, datetime.min.time(), UTC)
            - timedelta(days=days_ago) + timedelta(hours=3))
        made.append((c.id, expected))
    never_updated = factories.make_commitment(world.org, world.workshop,
                                              created_at=datetime(2030, 1, 1, tzinfo=UTC))
    made.append((never_updated.id, {"stale"}))
    db.session.commit()
    for name in ("overdue", "at_risk", "due_soon", "stale"):
        in_sql = set(db.session.scalars(select(Commitment.id).where(flag_condition(name, TODAY))))
        assert in_sql == {i for i, expected in made if name in expected}, name
    for commitment_id, expected in made:
        flags = commitment_flags(db.session.get(Commitment, commitment_id), TODAY)
        assert {n for n in ("overdue", "at_risk", "due_soon", "stale") if getattr(flags, n)} \
            == expected


# --- Verification ---------------------------------------------------------------------------


def test_reviewer_verifies_and_the_organisation_is_notified(db, world):
    c = factories.make_commitment(world.org, world.workshop, title="Drainase Semarapura",
                                  status=S.DILAKSANAKAN)
    update = post_progress_update(db.session, world.stakeholder, c, progress(S.DILAKSANAKAN, 60),
                                  TODAY)
    verification = verify_update(db.session, world.reviewer, update,
                                 VerificationDecision.NEEDS_REVISION, "Lampirkan foto 0-50-100 %.",
                                 commitment_url="http://kotaku.test/commitments/1")
    assert update.verification_state is VerificationDecision.NEEDS_REVISION
    assert verification.reviewer_id == world.reviewer.id
    notes = db.session.scalars(select(Notification).order_by(Notification.email)).all()
    assert [n.email for n in notes] == ["pupr2@example.org", "pupr@example.org"]
    assert all(n.kind is NotificationKind.VERIFICATION_DECIDED for n in notes)
    assert "Drainase Semarapura" in notes[0].subject
    assert "Lampirkan foto" in notes[0].body and "http://kotaku.test/commitments/1" in notes[0].body
    verify_update(db.session, world.reviewer, update, VerificationDecision.VERIFIED, None)
    assert update.verification_state is VerificationDecision.VERIFIED
    assert db.session.scalar(select(func.count(Verification.id))) == 2
    assert db.session.scalar(select(func.count(Notification.id))) == 4


@pytest.mark.parametrize("decision", [VerificationDecision.NEEDS_REVISION,
                                      VerificationDecision.REJECTED])
def test_sending_back_needs_a_comment(db, world, decision):
    c = factories.make_commitment(world.org, world.workshop)
    update = post_progress_update(db.session, world.stakeholder, c, progress(S.DISEPAKATI), TODAY)
    with pytest.raises(DomainError) as error:
        verify_update(db.session, world.reviewer, update, decision, "  ")
    assert error.value.field == "comment"
    assert update.verification_state is None


@pytest.mark.parametrize("who", ["stakeholder", "organiser", "pasuruan_reviewer"])
def test_only_reviewers_of_the_region_verify(db, world, who):
    c = factories.make_commitment(world.org, world.workshop)
    update = post_progress_update(db.session, world.stakeholder, c, progress(S.DISEPAKATI), TODAY)
    with pytest.raises(NotAllowed):
        verify_update(db.session, getattr(world, who), update, VerificationDecision.VERIFIED, None)
    assert update.verification_state is None


# --- Quick entry ----------------------------------------------------------------------------


def test_quick_entry_saves_all_rows_or_none(db, world):
    good = CommitmentInput(organisation_id=world.org.id, title="Drainase", amount_idr=10)
    bad = CommitmentInput(organisation_id=world.other_org.id, title="Air minum", fiscal_year=1990)
    errors = create_commitments_bulk(db.session, world.organiser, world.workshop,
                                     [(0, good), (3, bad)])
    assert [(i, e.field) for i, e in errors] == [(3, "fiscal_year")]
    assert db.session.scalar(select(func.count(Commitment.id))) == 0
    ok = create_commitments_bulk(db.session, world.organiser, world.workshop, [
        (0, CommitmentInput(organisation_id=world.org.id, title="Drainase")),
        (1, CommitmentInput(organisation_id=world.other_org.id, title="Air minum"))])
    assert ok == []
    made = db.session.scalars(select(Commitment).order_by(Commitment.id)).all()
    assert [(c.title, c.status, c.workshop_id) for c in made] == [
        ("Drainase", S.DISEPAKATI, world.workshop.id),
        ("Air minum", S.DISEPAKATI, world.workshop.id)]
    with pytest.raises(NotAllowed):
        create_commitments_bulk(db.session, world.pasuruan_organiser, world.workshop, [(0, good)])


# --- Lists ----------------------------------------------------------------------------------


def test_list_in_scope_with_filters_and_totals(app, db, world):
    factories.make_commitment(world.org, world.workshop, title="A", amount_idr=100,
                              funding_source=FundingSource.APBD_KABKOTA,
                              target_date=TODAY - timedelta(days=3), status=S.DILAKSANAKAN)
    factories.make_commitment(world.other_org, world.workshop, title="B", amount_idr=250,
                              funding_source=FundingSource.APBD_KABKOTA,
                              target_date=TODAY + timedelta(days=90))
    factories.make_commitment(world.other_org, world.workshop, title="C", amount_idr=7,
                              funding_source=FundingSource.CSR_TJSL)
    factories.make_commitment(world.org, world.other_workshop, title="Pasuruan", amount_idr=999)
    db.session.commit()

    result = list_commitments(db.session, world.reviewer, None, today=TODAY)
    assert {c.title for c in result.pagination.items} == {"A", "B", "C"}
    assert [(t.funding_source, t.amount_idr, t.count) for t in result.totals] == [
        (FundingSource.APBD_KABKOTA, 350, 2), (FundingSource.CSR_TJSL, 7, 1)]
    assert result.total_idr == 357

    overdue = list_commitments(db.session, world.reviewer, CommitmentFilters(flag="overdue"),
                               today=TODAY)
    assert [c.title for c in overdue.pagination.items] == ["A"]
    assert overdue.flags[overdue.pagination.items[0].id].overdue
    by_source = list_commitments(db.session, world.reviewer, CommitmentFilters(
        funding_source=FundingSource.CSR_TJSL, sort="amount"), today=TODAY)
    assert [c.title for c in by_source.pagination.items] == ["C"]
    sorted_by_amount = list_commitments(db.session, world.reviewer,
                                        CommitmentFilters(sort="amount"), today=TODAY)
    assert [c.title for c in sorted_by_amount.pagination.items] == ["B", "A", "C"]

    mine = list_commitments(db.session, world.stakeholder, None, today=TODAY,
                            own_organisation_id=world.org.id)
    assert {c.title for c in mine.pagination.items} == {"A", "Pasuruan"}


def test_list_shows_and_filters_verification_state(app, db, world):
    reviewed = factories.make_commitment(world.org, world.workshop, title="Reviewed")
    waiting = factories.make_commitment(world.org, world.workshop, title="Waiting")
    factories.make_commitment(world.org, world.workshop, title="Silent")
    update = post_progress_update(db.session, world.stakeholder, reviewed, progress(S.DISEPAKATI),
                                  TODAY)
    post_progress_update(db.session, world.stakeholder, waiting, progress(S.DISEPAKATI), TODAY)
    verify_update(db.session, world.reviewer, update, VerificationDecision.VERIFIED, None)
    db.session.commit()
    result = list_commitments(db.session, world.reviewer, None, today=TODAY)
    states = {c.title: result.verification[c.id] for c in result.pagination.items}
    assert states == {"Reviewed": VerificationDecision.VERIFIED, "Waiting": "pending",
                      "Silent": None}
    pending = list_commitments(db.session, world.reviewer,
                               CommitmentFilters(verification="pending"), today=TODAY)
    assert [c.title for c in pending.pagination.items] == ["Waiting"]
