"""The reviewer dashboard, gap analysis and round comparison on a small hand-counted world
(Klungkung 51.05 with four workshops, Kota Pasuruan 35.75 with one that must never show), and
the dashboard's statement count at one and ten times the data."""

from __future__ import annotations

import io
from datetime import date, datetime, timezone
from decimal import Decimal
from types import SimpleNamespace

import pytest
from flask_babel import force_locale
from pypdf import PdfReader

from kotaku_collab.database import count_queries
from kotaku_collab.models import (Aspect, AttendanceStatus, Cadence, CommitmentStatus,
                                  CommitmentUpdate, FundingSource, Gender, IssueAspect,
                                  MechanismMeeting, RegistrationStatus, Role, Sector, SlumArea,
                                  SlumAreaLocation, VerificationDecision, WorkshopKind,
                                  WorkshopStatus)
from kotaku_collab.permissions import scope_codes
from kotaku_collab.services import DomainError
from kotaku_collab.services.review import (DASHBOARD_STATEMENTS, compare_rounds,
                                           dashboard_charts, dashboard_data, gap_data,
                                           region_choices)
from kotaku_collab.services import review
from kotaku_collab.services.review_filters import parse_review_filters
from kotaku_collab.services.review_pdf import dashboard_pdf
from tests import factories

UTC = timezone.utc
S = CommitmentStatus
TODAY = date(2030, 6, 15)
A = AttendanceStatus


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


@pytest.fixture(autouse=True)
def english(db):
    with force_locale("en"):
        yield


def _at(day: date, hour: int = 2) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=UTC)


def _register(workshop, organisation, gender=None, *, status=RegistrationStatus.CONFIRMED,
              attendance=None, **kwargs):
    person = factories.make_person(organisation=organisation, gender=gender)
    return factories.make_registration(workshop, person, status=status, attendance=attendance,
                                       **kwargs)


def _issue(workshop, title, aspects=(), **kwargs):
    issue = factories.make_issue(workshop, title, **kwargs)
    for aspect in aspects:
        factories.db.session.add(IssueAspect(issue_id=issue.id, aspect=aspect))
    factories.db.session.flush()
    return issue


def seed_world(suffix: str = "") -> SimpleNamespace:
    """The hand-counted world (see the expected values in the tests). `suffix` makes a copy
    with distinct names, for the 10x statement-count test."""
    db = factories.db
    for code in ("51.05.03.1001", "51.05.03.1002", "51.05.03.1003", "35.75.01.1001"):
        factories.make_region(code)
    w1 = factories.make_workshop("51.05", title=f"Lokakarya Klungkung{suffix}",
                                 starts_at=_at(date(2030, 1, 10)), status=WorkshopStatus.FINALISED)
    w2 = factories.make_workshop("51.05", title=f"Midterm Klungkung{suffix}",
                                 kind=WorkshopKind.MIDTERM_REVIEW, starts_at=_at(date(2030, 5, 10)),
                                 status=WorkshopStatus.HELD, previous_id=w1.id)
    w3 = factories.make_workshop("51.05", title=f"Sosialisasi{suffix}",
                                 kind=WorkshopKind.SOSIALISASI, starts_at=_at(date(2030, 7, 1)))
    w4 = factories.make_workshop("51.05", title=f"FGD batal{suffix}", kind=WorkshopKind.FGD,
                                 starts_at=_at(date(2030, 2, 1)), status=WorkshopStatus.CANCELLED)
    p1 = factories.make_workshop("35.75", title=f"Lokakarya Pasuruan{suffix}",
                                 starts_at=_at(date(2030, 2, 1)), status=WorkshopStatus.FINALISED)

    gov = factories.make_organisation(f"Dinas PUPRPKP{suffix}", sector=Sector.PEMERINTAH)
    biz = factories.make_organisation(f"Bank BPD{suffix}", sector=Sector.DUNIA_USAHA)
    com = factories.make_organisation(f"LKM Semarapura{suffix}", sector=Sector.MASYARAKAT)
    pgov = factories.make_organisation(f"DPRKP Pasuruan{suffix}", sector=Sector.PEMERINTAH,
                                       region_code="35.75")

    L, P = Gender.LAKI_LAKI, Gender.PEREMPUAN
    _register(w1, gov, L, attendance=A.HADIR)
    _register(w1, gov, P, attendance=A.DIWAKILI, delegate_name="Wakil")
    _register(w1, com, P, attendance=A.TIDAK_HADIR)
    _register(w1, biz, None, status=RegistrationStatus.WAITLISTED)
    _register(w2, com, L, attendance=A.HADIR)
    _register(w2, biz, P, status=RegistrationStatus.CANCELLED)
    _register(w3, gov, L)
    _register(w4, gov, L, attendance=A.HADIR)
    _register(p1, pgov, P, attendance=A.HADIR)

    i1 = _issue(w1, f"Drainase{suffix}", (Aspect.DRAINASE, Aspect.AIR_LIMBAH), agreed=True)
    i2 = _issue(w1, f"Sampah{suffix}", (Aspect.PERSAMPAHAN,), agreed=True)
    _issue(w1, f"Jalan{suffix}", (Aspect.JALAN_LINGKUNGAN,))
    _issue(w1, f"Drainase lagi{suffix}", (Aspect.DRAINASE,), agreed=True, merged_into_id=i1.id)
    i5 = _issue(w2, f"Air minum{suffix}", (Aspect.AIR_MINUM,), agreed=True)
    i6 = _issue(w2, f"Regulasi{suffix}", agreed=True)
    ip = _issue(p1, f"Pesisir{suffix}", (Aspect.DRAINASE,), agreed=True)

    def commit(org, workshop, **kwargs):
        issues = kwargs.pop("issues", [])
        c = factories.make_commitment(org, workshop, **kwargs)
        c.issues.extend(issues)
        return c

    c1 = commit(gov, w1, status=S.SELESAI, percent_complete=100, amount_idr=1_000_000_000,
                funding_source=FundingSource.APBD_KABKOTA, aspect=Aspect.DRAINASE, issues=[i1],
                target_date=date(2030, 3, 1), location_code="51.05.03.1001")
    c2 = commit(gov, w1, status=S.DILAKSANAKAN, percent_complete=60, amount_idr=500_000_000,
                funding_source=FundingSource.APBD_KABKOTA, aspect=Aspect.PERSAMPAHAN,
                issues=[i2], target_date=date(2030, 5, 1))
    c3 = commit(biz, w1, status=S.DISEPAKATI, amount_idr=200_000_000,
                funding_source=FundingSource.CSR_TJSL, aspect=Aspect.AIR_MINUM,
                target_date=date(2030, 7, 1))
    commit(biz, w2, status=S.DIANGGARKAN, percent_complete=10, aspect=Aspect.AIR_MINUM,
           target_date=date(2030, 12, 31))
    commit(com, w2, status=S.BATAL, amount_idr=300_000_000, funding_source=FundingSource.SWADAYA,
           aspect=Aspect.JALAN_LINGKUNGAN, issues=[i5], target_date=date(2030, 1, 1),
           location_code="51.05.03.1002")
    commit(com, None, region_code="51.05", amount_idr=0, funding_source=FundingSource.SWADAYA,
           created_at=_at(date(2030, 4, 1)))
    cp = commit(pgov, p1, status=S.DILAKSANAKAN, percent_complete=20, amount_idr=9_000_000_000,
                funding_source=FundingSource.APBN, aspect=Aspect.DRAINASE, issues=[ip],
                target_date=date(2030, 3, 1), location_code="35.75.01.1001")

    db.session.add_all([
        CommitmentUpdate(commitment_id=c2.id, reported_on=date(2030, 4, 1), status=S.DILAKSANAKAN,
                         percent_complete=60),
        CommitmentUpdate(commitment_id=c3.id, reported_on=date(2030, 4, 2), status=S.DISEPAKATI,
                         percent_complete=0, verification_state=VerificationDecision.VERIFIED),
        CommitmentUpdate(commitment_id=cp.id, reported_on=date(2030, 4, 3), status=S.DILAKSANAKAN,
                         percent_complete=20),
    ])
    m1 = factories.make_mechanism(w1, f"Rapat Pokja PKP{suffix}")
    m2 = factories.make_mechanism(w2, f"Forum PKP{suffix}")
    factories.make_mechanism(w1, f"Tim teknis{suffix}", cadence=Cadence.SESUAI_KEBUTUHAN)
    factories.make_mechanism(w3, f"Rapat sosialisasi{suffix}")
    factories.make_mechanism(p1, f"Pokja Pasuruan{suffix}")
    db.session.add_all([MechanismMeeting(mechanism_id=m1.id, held_on=date(2030, 2, 5)),
                        MechanismMeeting(mechanism_id=m1.id, held_on=date(2030, 3, 5)),
                        MechanismMeeting(mechanism_id=m2.id, held_on=date(2030, 6, 1))])

    area = SlumArea(region_code="51.05", name=f"Kawasan Semarapura{suffix}",
                    area_ha=Decimal("12.50"))
    area.locations = [SlumAreaLocation(region_code="51.05.03.1001", area_ha=Decimal("5.00")),
                      SlumAreaLocation(region_code="51.05.03.1002", area_ha=Decimal("4.00")),
                      SlumAreaLocation(region_code="51.05.03.1003")]
    parea = SlumArea(region_code="35.75", name=f"Kawasan Pesisir{suffix}", area_ha=Decimal("8"))
    parea.locations = [SlumAreaLocation(region_code="35.75.01.1001")]
    db.session.add_all([area, parea])
    db.session.flush()
    return SimpleNamespace(w1=w1, w2=w2, w3=w3, w4=w4, p1=p1, i5=i5, i6=i6, m1=m1, c2=c2,
                           gov=gov, biz=biz, com=com, area=area)


@pytest.fixture
def world(db):
    return seed_world()


@pytest.fixture
def reviewer(db):
    return factories.make_user(Role.REVIEWER, regions=["51.05"])


def _filters(user, **args):
    return parse_review_filters(factories.db.session, user, args)


def test_dashboard_counts_every_panel_by_hand(world, reviewer):
    data = dashboard_data(factories.db.session, reviewer, _filters(reviewer), TODAY)

    K = WorkshopKind
    assert [(r.kind, r.in_view, r.held) for r in data.workshops] == [
        (K.LOKAKARYA_KOLABORASI, 1, 1), (K.SOSIALISASI, 1, 0), (K.MIDTERM_REVIEW, 1, 1)]
    assert data.workshops_held == 2
    assert [(r.sector, r.registered, r.attended) for r in data.participants_by_sector] == [
        (Sector.PEMERINTAH, 3, 2), (Sector.DUNIA_USAHA, 0, 0), (Sector.MASYARAKAT, 2, 1)]
    assert [(r.gender, r.registered, r.attended) for r in data.participants_by_gender] == [
        (Gender.LAKI_LAKI, 3, 2), (Gender.PEREMPUAN, 2, 1), (None, 0, 0)]
    assert (data.registered, data.attended) == (5, 3)

    assert [(r.aspect, r.issues, r.agreed) for r in data.issues_by_aspect] == [
        (Aspect.JALAN_LINGKUNGAN, 1, 0), (Aspect.AIR_MINUM, 1, 1), (Aspect.DRAINASE, 1, 1),
        (Aspect.AIR_LIMBAH, 1, 1), (Aspect.PERSAMPAHAN, 1, 1)]
    assert (data.issues_total, data.issues_agreed) == (5, 4)

    assert [(r.key, r.count, r.amount_idr) for r in data.commitments_by_status] == [
        (S.DIUSULKAN, 1, 0), (S.DISEPAKATI, 1, 200_000_000), (S.DIANGGARKAN, 1, 0),
        (S.DILAKSANAKAN, 1, 500_000_000), (S.SELESAI, 1, 1_000_000_000),
        (S.BATAL, 1, 300_000_000)]
    assert (data.commitments_total, data.amount_total_idr) == (6, 2_000_000_000)
    assert [(r.key, r.count, r.amount_idr) for r in data.commitments_by_sector] == [
        (Sector.PEMERINTAH, 2, 1_500_000_000), (Sector.DUNIA_USAHA, 2, 200_000_000),
        (Sector.MASYARAKAT, 2, 300_000_000)]
    F = FundingSource
    assert [(r.key, r.count, r.amount_idr) for r in data.commitments_by_funding] == [
        (F.APBD_KABKOTA, 2, 1_500_000_000), (F.CSR_TJSL, 1, 200_000_000),
        (F.SWADAYA, 2, 300_000_000), (None, 1, 0)]

    # Done or on track: c1 (selesai), c4 (open, far target), c6 (open, no target); not c2
    # (overdue) or c3 (at risk); c5 (batal) is not counted.
    assert [(r.key, r.counted, r.done_or_on_track) for r in data.follow_through_by_sector] == [
        (Sector.PEMERINTAH, 2, 1), (Sector.DUNIA_USAHA, 2, 1), (Sector.MASYARAKAT, 1, 1)]
    assert data.follow_through.rate == pytest.approx(0.6)
    # Per organisation (counted, done): Dinas (2, 1), Bank (2, 1), LKM (1, 1): none has the
    # ORG_MIN_COUNTED = 3 commitments to be ranked (test_organisations_ranked_by_lowest_rate).
    assert data.follow_through_by_organisation == ()
    assert (data.organisations_total, data.organisations_ranked) == (3, 0)

    assert [(r.commitment_id, r.days_overdue) for r in data.overdue] == [(world.c2.id, 45)]
    assert data.overdue_total == 1
    assert [(r.commitment_id, r.reported_on) for r in data.pending_updates] == [
        (world.c2.id, date(2030, 4, 1))]
    assert data.pending_total == 1
    # Monthly Pokja met on 5 Feb and 5 Mar, then nothing for 102 days (allowed 39).
    assert [(r.mechanism_id, r.state, r.last_meeting, r.idle_days, r.missed)
            for r in data.missed_cadence] == [(world.m1.id, "overdue", date(2030, 3, 5), 102, 1)]


def test_organisations_ranked_by_lowest_rate(world, reviewer, db, monkeypatch):
    # Koperasi: three open commitments past their target (1 May): counted 3, done 0.
    coop = factories.make_organisation("Koperasi Warga", sector=Sector.MASYARAKAT)
    for _n in range(3):
        factories.make_commitment(coop, world.w1, status=S.DILAKSANAKAN,
                                  target_date=date(2030, 5, 1))
    rows = lambda data: [(r.name, r.counted, r.done_or_on_track)  # noqa: E731
                         for r in data.follow_through_by_organisation]
    data = dashboard_data(db.session, reviewer, _filters(reviewer), TODAY)
    assert rows(data) == [("Koperasi Warga", 3, 0)]
    assert (data.organisations_total, data.organisations_ranked) == (4, 1)
    # The PDF says which organisations its table holds, as the page does.
    printed = " ".join(pdf_text(dashboard_pdf(data, [])).split())
    assert ("The 20 organisations with the lowest follow-through among the 1 with at least 3 "
            "counted commitments (of 4 organisations with commitments)") in printed
    # With a minimum of 1 and room for 3: 0 % first; then 50 % (Bank BPD before Dinas PUPRPKP
    # by name, both 2 counted); LKM (100 %) and the fourth place are left out.
    monkeypatch.setattr(review, "ORG_MIN_COUNTED", 1)
    monkeypatch.setattr(review, "ORG_LIMIT", 3)
    data = dashboard_data(db.session, reviewer, _filters(reviewer), TODAY)
    assert rows(data) == [("Koperasi Warga", 3, 0), ("Bank BPD", 2, 1), ("Dinas PUPRPKP", 2, 1)]
    assert (data.organisations_total, data.organisations_ranked) == (4, 4)


def test_filters_narrow_the_dashboard(world, reviewer):
    session = factories.db.session
    midterm = dashboard_data(session, reviewer, _filters(reviewer, kind="midterm_review"), TODAY)
    assert [(r.kind, r.held) for r in midterm.workshops] == [(WorkshopKind.MIDTERM_REVIEW, 1)]
    assert midterm.registered == 1 and midterm.issues_total == 2
    # Only commitments made at the midterm (c4, c5); c6 (no workshop) is left out with a kind.
    assert midterm.commitments_total == 2
    period = dashboard_data(session, reviewer, _filters(reviewer, start="2030-03-01",
                                                        end="2030-06-30"), TODAY)
    # The midterm (10 May) and c6, recorded on 1 April without a workshop.
    assert period.workshops_held == 1 and period.commitments_total == 3


def test_national_reviewer_sees_both_regions_and_klungkung_reviewer_only_its_own(world, db):
    national = factories.make_user(Role.REVIEWER, regions=[], is_national=True)
    data = dashboard_data(db.session, national, _filters(national), TODAY)
    assert data.workshops_held == 3 and data.commitments_total == 7
    assert data.overdue_total == 2 and data.pending_total == 2
    pasuruan = dashboard_data(db.session, national, _filters(national, kabkota="35.75"), TODAY)
    assert pasuruan.commitments_total == 1 and pasuruan.amount_total_idr == 9_000_000_000


@pytest.mark.parametrize("args", [{"kabkota": "35.75"}, {"province": "35"}])
def test_region_outside_scope_gives_an_empty_view_with_a_message(world, reviewer, args):
    filters = _filters(reviewer, **args)
    assert filters.errors
    data = dashboard_data(factories.db.session, reviewer, filters, TODAY)
    assert data.empty and not data.overdue and not data.pending_updates
    gaps = gap_data(factories.db.session, reviewer, filters, TODAY)
    assert gaps.total == 0


@pytest.mark.parametrize("args", [{"kind": "nope"}, {"kabkota": "99.99"},
                                  {"start": "2030-06-01", "end": "2030-01-01"},
                                  {"start": "not-a-date"}])
def test_bad_filters_are_dropped_with_a_message(world, reviewer, args):
    filters = _filters(reviewer, **args)
    assert filters.errors
    data = dashboard_data(factories.db.session, reviewer, filters, TODAY)
    assert data.commitments_total == 6


def test_gaps_by_hand(world, reviewer):
    gaps = gap_data(factories.db.session, reviewer, _filters(reviewer), TODAY)
    # i5's only commitment was cancelled; i6 has none. i3 was never agreed.
    assert [g.issue_id for g in gaps.issues_without_commitment] == [world.i5.id, world.i6.id]
    # Funded: drainase (c1), persampahan (c2), air minum (c3). Jalan's only money was
    # cancelled; air limbah has none.
    assert [(g.aspect, g.issues) for g in gaps.aspects_without_funding] == [
        (Aspect.JALAN_LINGKUNGAN, 1), (Aspect.AIR_LIMBAH, 1)]
    everyone_but = lambda s: tuple(x for x in Sector if x is not s)  # noqa: E731
    assert [(g.workshop_id, g.missing) for g in gaps.absent_sectors] == [
        (world.w1.id, everyone_but(Sector.PEMERINTAH)),
        (world.w2.id, everyone_but(Sector.MASYARAKAT))]
    # 1001 has c1; 1002 only the cancelled c5; 1003 nothing.
    assert [(g.kelurahan_code, g.area_ha) for g in gaps.kelurahan_without_commitment] == [
        ("51.05.03.1002", Decimal("4.00")), ("51.05.03.1003", None)]
    assert (gaps.issues_total, gaps.absent_sectors_total, gaps.kelurahan_total) == (2, 2, 2)
    assert gaps.total == 2 + 2 + 2 + 2


def test_gap_lists_are_bounded_with_exact_totals(world, reviewer, monkeypatch):
    monkeypatch.setattr(review, "LIST_LIMIT", 1)
    gaps = gap_data(factories.db.session, reviewer, _filters(reviewer), TODAY)
    assert [g.issue_id for g in gaps.issues_without_commitment] == [world.i5.id]
    assert [g.workshop_id for g in gaps.absent_sectors] == [world.w1.id]
    assert [g.kelurahan_code for g in gaps.kelurahan_without_commitment] == ["51.05.03.1002"]
    assert (gaps.issues_total, gaps.absent_sectors_total, gaps.kelurahan_total) == (2, 2, 2)
    assert gaps.total == 8


def test_round_comparison_by_hand(world):
    result = compare_rounds(factories.db.session, world.w1, world.w2, TODAY)
    a, b = result.first, result.second
    assert [(r.sector, r.registered, r.attended) for r in a.participants] == [
        (Sector.PEMERINTAH, 2, 2), (Sector.DUNIA_USAHA, 0, 0), (Sector.MASYARAKAT, 1, 0)]
    assert (a.registered, a.attended, b.registered, b.attended) == (3, 2, 1, 1)
    assert (len(a.issues), a.agreed_issues, len(b.issues), b.agreed_issues) == (3, 2, 2, 2)
    assert (a.commitments_total, a.amount_total_idr) == (3, 1_700_000_000)
    assert (b.commitments_total, b.amount_total_idr) == (2, 300_000_000)
    assert a.follow_through.rate == pytest.approx(1 / 3)
    assert b.follow_through.rate == 1.0
    assert a.mean_percent == pytest.approx(160 / 3) and b.mean_percent == 10
    assert result.sectors == (Sector.PEMERINTAH, Sector.DUNIA_USAHA, Sector.MASYARAKAT)


def test_comparison_refuses_other_regions_and_the_same_workshop(world):
    with pytest.raises(DomainError, match="same regency/city"):
        compare_rounds(factories.db.session, world.w1, world.p1, TODAY)
    with pytest.raises(DomainError, match="two different"):
        compare_rounds(factories.db.session, world.w1, world.w1, TODAY)


def test_dashboard_statements_do_not_grow_with_the_data(db, reviewer):
    seed_world()
    national = factories.make_user(Role.REVIEWER, regions=[], is_national=True)
    counts = []
    for copies, extra in ((1, 0), (10, 9)):
        for n in range(extra):
            seed_world(f" copy {n}")
        for user in (reviewer, national):
            db.session.expire_all()  # nothing cached from seeding
            filters = _filters(user, start="2030-01-01")
            scope_codes(user)  # load the user and their regions before counting
            with count_queries() as statements:
                data = dashboard_data(db.session, user, filters, TODAY)
            counts.append(statements())
        assert data.commitments_total == 7 * copies
    assert counts == [DASHBOARD_STATEMENTS] * 4


def test_charts_and_pdf_render_without_personal_data(world, reviewer, db):
    factories.make_person("Ketut", organisation=world.gov, phone="+6281234567890",
                          email="ketut@example.org")
    data = dashboard_data(db.session, reviewer, _filters(reviewer), TODAY)
    charts = list(dashboard_charts(data))
    assert len(charts) == 6 and all(c.svg.startswith(b"<?xml") for c in charts)
    assert charts[0].rows[0] == ("Government", "3", "2")
    pdf = dashboard_pdf(data, ["Regency/city: Kabupaten Klungkung"])
    text = pdf_text(pdf)
    assert "Regency/city: Kabupaten Klungkung" in text
    assert "Rp2,000,000,000" in text and "Dinas PUPRPKP" in text and "60 %" in text
    assert "Rapat Pokja PKP" in text  # the mechanism that missed its cadence
    assert "6281234567890" not in text and "example.org" not in text and "Ketut" not in text


def test_region_choices_follow_the_scope(world, reviewer):
    choices = region_choices(factories.db.session, reviewer)
    assert [c for c, _ in choices.provinces] == ["51"]
    assert [c for c, _ in choices.kabkota] == ["51.05"]
