"""Strategic issues (with merge), coordination mechanisms and their meeting log, agreement
points, and the lock that makes every change after finalisation an amendment."""

from __future__ import annotations

from datetime import date, datetime, timezone

import pytest
from sqlalchemy import func, select

from kotaku_collab.audit import acting_as
from kotaku_collab.models import (AgreementPoint, Amendment, Aspect, AttendanceStatus, AuditEvent,
                                  Ballot, Cadence, IssueVote, MechanismType, RegionLevel,
                                  Role, SlumArea, StrategicIssue, WorkshopStatus)
from kotaku_collab.models.outcome import agreement_issues
from kotaku_collab.services import DomainError
from kotaku_collab.services.outcomes import (IssueInput, MechanismInput, add_agreement_point,
                                             cadence_check, check_contact_channel,
                                             delete_agreement_point, delete_strategic_issue,
                                             issue_target, log_meeting, mechanism_views,
                                             merge_issues, move_agreement_point, ranked_issues,
                                             record_mechanism, record_strategic_issue,
                                             update_agreement_point, update_mechanism,
                                             update_strategic_issue)
from kotaku_collab.services.voting import cast_ballot, close_vote, open_vote
from tests import factories

UTC = timezone.utc


@pytest.fixture
def workshop(db):
    return factories.make_workshop("51.05", status=WorkshopStatus.HELD,
                                   starts_at=datetime(2019, 10, 29, 0, 30, tzinfo=UTC), hours=6.5)


@pytest.fixture
def organiser(db):
    return factories.make_user(Role.ORGANISER, regions=["51.05"])


def issue_input(**overrides) -> IssueInput:
    values = {"title": "Drainase Semarapura belum memadai", "aspects": ["drainase"]}
    values.update(overrides)
    return IssueInput(**values)


def kelurahan(code="51.05.03.1001"):
    return factories.make_region(code)


# --- Issues -------------------------------------------------------------------------------


def test_record_issue_with_aspects_location_slum_area_and_proposer(db, workshop, organiser):
    place = kelurahan()
    area = SlumArea(region_code="51.05", name="Kawasan Semarapura", area_ha=3.22)
    db.session.add(area)
    proposer = factories.make_organisation("Dinas PUPRPKP Kabupaten Klungkung")
    issue = record_strategic_issue(db.session, workshop, organiser, issue_input(
        aspects=["drainase", Aspect.JALAN_LINGKUNGAN, "drainase"], location_code=place.code,
        slum_area_id=area.id, proposed_by_id=proposer.id, priority=1, agreed=True,
        description="  Genangan saat hujan  "))
    db.session.commit()
    db.session.refresh(issue)
    assert issue.aspects == [Aspect.JALAN_LINGKUNGAN, Aspect.DRAINASE]
    assert issue.location_code == place.code and issue.slum_area_id == area.id
    assert issue.proposed_by_id == proposer.id and issue.priority == 1 and issue.agreed
    assert issue.description == "Genangan saat hujan"


@pytest.mark.parametrize("overrides, field", [
    ({"title": "   "}, "title"),
    ({"title": "x" * 201}, "title"),
    ({"aspects": []}, "aspects"),
    ({"aspects": ["drainase", "banjir_rob"]}, "aspects"),
    ({"priority": 4}, "priority"),
    ({"location_code": "35.75.01.1001"}, "location_code"),
    ({"location_code": "51.05.03"}, "location_code"),
    ({"proposed_by_id": 999999}, "proposed_by_id"),
    ({"slum_area_id": 999999}, "slum_area_id"),
])
def test_bad_issue_input_is_refused_beside_the_field(db, workshop, organiser, overrides, field):
    factories.make_region("35.75.01.1001")
    with pytest.raises(DomainError) as error:
        record_strategic_issue(db.session, workshop, organiser, issue_input(**overrides))
    assert error.value.field == field
    db.session.rollback()
    assert db.session.scalar(select(func.count(StrategicIssue.id))) == 0


def test_unknown_aspect_message_names_it(db, workshop, organiser):
    with pytest.raises(DomainError, match="banjir_rob"):
        record_strategic_issue(db.session, workshop, organiser,
                               issue_input(aspects=["banjir_rob"]))


def test_refused_edit_leaves_the_issue_unchanged(db, workshop, organiser):
    issue = record_strategic_issue(db.session, workshop, organiser, issue_input())
    db.session.commit()
    with pytest.raises(DomainError):
        update_strategic_issue(db.session, issue, organiser,
                               issue_input(title="Judul baru", aspects=["tidak_ada"]))
    assert issue.title == "Drainase Semarapura belum memadai"


def test_slum_area_of_another_region_is_refused(db, workshop, organiser):
    factories.make_region("35.75")
    area = SlumArea(region_code="35.75", name="Pesisir Ngemplakrejo", area_ha=10.84)
    db.session.add(area)
    db.session.flush()
    with pytest.raises(DomainError) as error:
        record_strategic_issue(db.session, workshop, organiser, issue_input(slum_area_id=area.id))
    assert error.value.field == "slum_area_id"


def test_proposer_that_was_merged_is_recorded_as_the_merge_target(db, workshop, organiser):
    target = factories.make_organisation("Baperlitbang Kabupaten Klungkung")
    old = factories.make_organisation("Bappeda Klungkung", merged_into_id=target.id)
    issue = record_strategic_issue(db.session, workshop, organiser,
                                   issue_input(proposed_by_id=old.id))
    assert issue.proposed_by_id == target.id


def test_issue_referenced_elsewhere_cannot_be_deleted_only_merged(db, workshop, organiser):
    issue = record_strategic_issue(db.session, workshop, organiser, issue_input())
    add_agreement_point(db.session, workshop, organiser, text="Pokja menangani drainase",
                        issue_ids=[issue.id])
    with pytest.raises(DomainError, match="merge"):
        delete_strategic_issue(db.session, issue, organiser)
    lone = record_strategic_issue(db.session, workshop, organiser, issue_input(title="Salah ketik"))
    delete_strategic_issue(db.session, lone, organiser)
    assert db.session.get(StrategicIssue, lone.id) is None


# --- Merge --------------------------------------------------------------------------------


def checked_in(workshop):
    return factories.make_registration(workshop, attendance=AttendanceStatus.HADIR,
                                       checked_in_at=datetime.now(UTC))


def test_merge_repoints_commitments_agreements_and_votes_without_duplicates(db, workshop,
                                                                           organiser):
    keep = record_strategic_issue(db.session, workshop, organiser,
                                  issue_input(title="Drainase", aspects=["drainase"], priority=2))
    dup = record_strategic_issue(db.session, workshop, organiser, issue_input(
        title="Saluran tersumbat", aspects=["drainase", "persampahan"], priority=1, agreed=True))
    other = record_strategic_issue(db.session, workshop, organiser, issue_input(title="Air minum",
                                                                                aspects=["air_minum"]))
    both = factories.make_commitment(workshop=workshop)
    both.issues = [keep, dup]
    only_dup = factories.make_commitment(workshop=workshop)
    only_dup.issues = [dup]
    point = add_agreement_point(db.session, workshop, organiser, text="Normalisasi saluran",
                                issue_ids=[keep.id, dup.id])
    open_vote(db.session, workshop, organiser, 5)
    a, b = checked_in(workshop), checked_in(workshop)
    cast_ballot(db.session, workshop, a.code, {keep.id: 2, dup.id: 3})
    cast_ballot(db.session, workshop, b.code, {dup.id: 1, other.id: 4})
    db.session.commit()

    merge_issues(db.session, dup, keep, organiser)
    db.session.commit()

    assert dup.merged_into_id == keep.id
    assert both.issues == [keep] and only_dup.issues == [keep]
    assert point.issues == [keep]
    assert db.session.scalar(select(func.count()).select_from(agreement_issues)) == 1
    votes = {(v.registration_id, v.issue_id): v.count for v in db.session.scalars(select(IssueVote))}
    assert votes == {(a.id, keep.id): 5, (b.id, keep.id): 1, (b.id, other.id): 4}
    assert sum(b.votes_used for b in db.session.scalars(select(Ballot))) == 10
    assert keep.aspects == [Aspect.DRAINASE, Aspect.PERSAMPAHAN]
    assert keep.agreed and keep.priority == 1
    assert [i.id for i in ranked_issues(db.session, workshop)] == [keep.id, other.id]
    assert issue_target(db.session, dup) is keep


def test_merge_after_the_vote_closed_adds_counts_and_reranks(db, workshop, organiser):
    first = record_strategic_issue(db.session, workshop, organiser, issue_input(title="A"))
    second = record_strategic_issue(db.session, workshop, organiser, issue_input(title="B"))
    third = record_strategic_issue(db.session, workshop, organiser, issue_input(title="C"))
    open_vote(db.session, workshop, organiser, 5)
    cast_ballot(db.session, workshop, checked_in(workshop).code, {first.id: 5})
    cast_ballot(db.session, workshop, checked_in(workshop).code, {second.id: 3, third.id: 2})
    close_vote(db.session, workshop, organiser)
    assert (first.vote_rank, second.vote_rank, third.vote_rank) == (1, 2, 3)
    merge_issues(db.session, third, second, organiser)
    assert second.vote_count == 5 and third.vote_count == 0 and third.vote_rank is None
    assert first.vote_rank == 1 and second.vote_rank == 1  # a tie shares the rank


@pytest.mark.parametrize("case", ["same", "already_merged", "other_workshop"])
def test_merge_refuses_nonsense(db, workshop, organiser, case):
    one = record_strategic_issue(db.session, workshop, organiser, issue_input(title="Satu"))
    two = record_strategic_issue(db.session, workshop, organiser, issue_input(title="Dua"))
    if case == "same":
        source, target = one, one
    elif case == "already_merged":
        merge_issues(db.session, two, one, organiser)
        source = two
        target = record_strategic_issue(db.session, workshop, organiser, issue_input(title="Tiga"))
    else:
        source, target = one, factories.make_issue(factories.make_workshop("51.05"))
    with pytest.raises(DomainError) as error:
        merge_issues(db.session, source, target, organiser)
    assert error.value.field == "target_id"


# --- Mechanisms and their meetings --------------------------------------------------------


def mechanism_input(**overrides) -> MechanismInput:
    values = {"type": "rapat_pokja_pkp", "name": "Rapat Pokja PKP triwulanan",
              "cadence": "triwulanan"}
    values.update(overrides)
    return MechanismInput(**values)


def test_record_mechanism_with_members_and_legal_basis(db, workshop, organiser):
    lead = factories.make_organisation("Baperlitbang Kabupaten Klungkung")
    member = factories.make_organisation("Dinas PUPRPKP")
    mechanism = record_mechanism(db.session, workshop, organiser, mechanism_input(
        lead_organisation_id=lead.id, member_ids=[member.id, lead.id, member.id],
        legal_basis="SK Bupati 050/123/HK/2019", contact_channel="https://pokja.example.id",
        next_meeting_on=date(2020, 1, 15)))
    db.session.commit()
    assert mechanism.type is MechanismType.RAPAT_POKJA_PKP
    assert mechanism.cadence is Cadence.TRIWULANAN
    assert mechanism.lead_organisation is lead
    assert {o.id for o in mechanism.members} == {lead.id, member.id}
    assert mechanism.legal_basis == "SK Bupati 050/123/HK/2019"


@pytest.mark.parametrize("value, ok", [
    ("WA grup Pokja 0812 3456 7890", True),
    ("https://pokja.klungkungkab.go.id", True),
    ("Telp: 0366 21000", True),
    ("javascript:alert(1)", False),
    ("JavaScript:alert(1)", False),
    ("data:text/html;base64,PHNjcmlwdD4=", False),
    ("ftp://files.example.id", False),
])
def test_contact_channel_links_must_be_http(value, ok, app):
    with app.test_request_context():
        if ok:
            assert check_contact_channel(value) == value
        else:
            with pytest.raises(DomainError) as error:
                check_contact_channel(value)
            assert error.value.field == "contact_channel"


@pytest.mark.parametrize("overrides, field", [
    ({"name": ""}, "name"),
    ({"type": "arisan"}, "type"),
    ({"cadence": "kadang"}, "cadence"),
    ({"lead_organisation_id": 424242}, "lead_organisation_id"),
])
def test_bad_mechanism_input(db, workshop, organiser, overrides, field):
    with pytest.raises(DomainError) as error:
        record_mechanism(db.session, workshop, organiser, mechanism_input(**overrides))
    assert error.value.field == field


def test_mechanism_whose_lead_was_merged_shows_and_saves_the_target(db, workshop, organiser):
    target = factories.make_organisation("Baperlitbang Kabupaten Klungkung")
    old = factories.make_organisation("Bappeda Kab. Klungkung")
    mechanism = factories.make_mechanism(workshop, lead_organisation=old)
    old.merged_into_id = target.id
    db.session.commit()
    view = mechanism_views(db.session, [workshop], date(2019, 11, 1))[0]
    assert view.lead is target and view.lead_merged_from is old
    update_mechanism(db.session, mechanism, organiser, mechanism_input(
        name=mechanism.name, lead_organisation_id=old.id))
    assert mechanism.lead_organisation_id == target.id


def test_meeting_log_refuses_future_and_duplicate_dates(db, workshop):
    mechanism = factories.make_mechanism(workshop)
    member = factories.make_organisation()
    log_meeting(db.session, mechanism, held_on=date(2019, 11, 20), attendee_ids=[member.id],
                notes="Rapat perdana", today=date(2019, 12, 1))
    with pytest.raises(DomainError) as error:
        log_meeting(db.session, mechanism, held_on=date(2019, 11, 20), attendee_ids=[],
                    notes=None, today=date(2019, 12, 1))
    assert error.value.field == "held_on"
    with pytest.raises(DomainError):
        log_meeting(db.session, mechanism, held_on=date(2019, 12, 2), attendee_ids=[],
                    notes=None, today=date(2019, 12, 1))
    assert [m.attendees for m in mechanism.meetings] == [[member]]


START = date(2019, 10, 29)


@pytest.mark.parametrize("cadence, meetings, today, state, missed", [
    (Cadence.BULANAN, [date(2019, 11, 28), date(2019, 12, 30), date(2020, 2, 3)],
     date(2020, 2, 20), "on_track", 0),
    (Cadence.BULANAN, [date(2019, 11, 28), date(2020, 2, 3)], date(2020, 2, 20), "irregular", 1),
    (Cadence.BULANAN, [date(2019, 11, 28)], date(2020, 2, 20), "overdue", 1),
    (Cadence.BULANAN, [], date(2019, 11, 20), "on_track", 0),
    (Cadence.BULANAN, [], date(2020, 1, 20), "overdue", 1),
    (Cadence.TRIWULANAN, [date(2020, 1, 20), date(2020, 5, 1)], date(2020, 6, 1), "on_track", 0),
    (Cadence.SESUAI_KEBUTUHAN, [date(2020, 6, 1)], date(2021, 6, 1), "no_cadence", 0),
    (Cadence.BULANAN, [], date(2019, 10, 1), "not_started", 0),
])
def test_cadence_check(cadence, meetings, today, state, missed):
    check = cadence_check(cadence, meetings, START, today)
    assert check.state == state
    assert check.missed == missed


def test_cadence_check_reports_gaps_and_idle_days():
    check = cadence_check(Cadence.BULANAN, [date(2019, 11, 28), date(2020, 2, 3)], START,
                          date(2020, 2, 13))
    assert check.gaps == [30, 67]
    assert check.idle_days == 10 and check.allowed_days == 39
    assert check.met_cadence is False


def test_mechanism_view_uses_the_workshop_day_as_start(db, workshop):
    mechanism = factories.make_mechanism(workshop, cadence=Cadence.BULANAN)
    log_meeting(db.session, mechanism, held_on=date(2019, 11, 26), attendee_ids=[], notes=None,
                today=date(2019, 12, 1))
    view = mechanism_views(db.session, [workshop], date(2019, 12, 1))[0]
    assert view.check.gaps == [28] and view.check.state == "on_track"


# --- Agreement points ---------------------------------------------------------------------


def numbers(db, workshop):
    return [(p.number, p.text) for p in db.session.scalars(
        select(AgreementPoint).where(AgreementPoint.workshop_id == workshop.id)
        .order_by(AgreementPoint.number))]


def test_agreement_points_are_numbered_renumbered_and_reordered(db, workshop, organiser):
    for text in ("Satu", "Dua", "Tiga", "Empat"):
        add_agreement_point(db.session, workshop, organiser, text=text)
    assert numbers(db, workshop) == [(1, "Satu"), (2, "Dua"), (3, "Tiga"), (4, "Empat")]
    second = db.session.scalar(select(AgreementPoint).where(AgreementPoint.text == "Dua"))
    delete_agreement_point(db.session, second, organiser)
    assert numbers(db, workshop) == [(1, "Satu"), (2, "Tiga"), (3, "Empat")]
    last = db.session.scalar(select(AgreementPoint).where(AgreementPoint.text == "Empat"))
    move_agreement_point(db.session, last, organiser, -1)
    assert numbers(db, workshop) == [(1, "Satu"), (2, "Empat"), (3, "Tiga")]
    first = db.session.scalar(select(AgreementPoint).where(AgreementPoint.text == "Satu"))
    with pytest.raises(DomainError):
        move_agreement_point(db.session, first, organiser, -1)
    add_agreement_point(db.session, workshop, organiser, text="Lima")
    db.session.commit()
    assert numbers(db, workshop)[-1] == (4, "Lima")


def test_agreement_point_links_issues_of_the_workshop_only(db, workshop, organiser):
    mine = record_strategic_issue(db.session, workshop, organiser, issue_input())
    foreign = factories.make_issue(factories.make_workshop("51.05"))
    org = factories.make_organisation("PDAM Tirta Mahottama")
    point = add_agreement_point(db.session, workshop, organiser, text="PDAM menambah sambungan",
                                issue_ids=[mine.id], organisation_ids=[org.id])
    assert point.issues == [mine] and point.organisations == [org]
    with pytest.raises(DomainError) as error:
        update_agreement_point(db.session, point, organiser, text="x", issue_ids=[foreign.id])
    assert error.value.field == "issue_ids"
    with pytest.raises(DomainError) as error:
        add_agreement_point(db.session, workshop, organiser, text="   ")
    assert error.value.field == "text"


# --- Locking after finalisation -----------------------------------------------------------


def finalised(workshop):
    workshop.status = WorkshopStatus.FINALISED
    return workshop


def test_editing_a_finalised_workshop_needs_an_amendment_reason(db, workshop, organiser):
    issue = record_strategic_issue(db.session, workshop, organiser, issue_input())
    db.session.commit()
    finalised(workshop)
    db.session.commit()
    for attempt in (
        lambda: update_strategic_issue(db.session, issue, organiser, issue_input(title="Baru")),
        lambda: record_strategic_issue(db.session, workshop, organiser, issue_input()),
        lambda: add_agreement_point(db.session, workshop, organiser, text="Tambahan"),
        lambda: record_mechanism(db.session, workshop, organiser, mechanism_input()),
        lambda: update_strategic_issue(db.session, issue, organiser, issue_input(title="Baru"),
                                       reason="typo"),
    ):
        with pytest.raises(DomainError) as error:
            attempt()
        assert error.value.field == "amendment_reason"
        db.session.rollback()
    assert db.session.get(StrategicIssue, issue.id).title == "Drainase Semarapura belum memadai"
    assert db.session.scalar(select(func.count(Amendment.id))) == 0


def test_amendment_with_a_reason_changes_records_and_audits(db, workshop, organiser):
    issue = record_strategic_issue(db.session, workshop, organiser, issue_input())
    finalised(workshop)
    db.session.commit()
    reason = "Judul dikoreksi sesuai notulen rapat pleno"
    with acting_as(organiser):
        update_strategic_issue(db.session, issue, organiser,
                               issue_input(title="Drainase dan jalan lingkungan Semarapura"),
                               reason=reason)
    db.session.commit()
    assert issue.title == "Drainase dan jalan lingkungan Semarapura"
    amendment = db.session.scalar(select(Amendment))
    assert amendment.reason == reason and amendment.actor_id == organiser.id
    assert "Drainase Semarapura belum memadai" in amendment.summary
    update = db.session.scalar(select(AuditEvent).where(
        AuditEvent.entity_type == "StrategicIssue", AuditEvent.action == "update"))
    assert update.reason == reason and update.actor_id == organiser.id
    assert update.changes["title"] == ["Drainase Semarapura belum memadai",
                                       "Drainase dan jalan lingkungan Semarapura"]
    amend = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "amend"))
    assert amend.reason == reason and amend.workshop_id == workshop.id


def test_meetings_are_logged_after_finalisation_without_an_amendment(db, workshop):
    mechanism = factories.make_mechanism(workshop)
    finalised(workshop)
    log_meeting(db.session, mechanism, held_on=date(2019, 11, 28), attendee_ids=[], notes=None,
                today=date(2019, 12, 1))
    assert len(mechanism.meetings) == 1
    assert db.session.scalar(select(func.count(Amendment.id))) == 0


def test_cancelled_workshop_outcomes_cannot_change(db, organiser):
    cancelled = factories.make_workshop("51.05", status=WorkshopStatus.CANCELLED)
    with pytest.raises(DomainError, match="cancelled"):
        record_strategic_issue(db.session, cancelled, organiser, issue_input(), reason="x" * 20)


def test_location_picker_offers_kelurahan_and_desa_of_the_region_only(db, workshop):
    from kotaku_collab.services.outcomes import location_choices

    kelurahan("51.05.03.1001")
    desa = kelurahan("51.05.03.2003")
    factories.make_region("35.75.01.1001")
    codes = [r.code for r in location_choices(db.session, workshop)]
    assert set(codes) == {"51.05.03.1001", "51.05.03.2003"}
    assert desa.level is RegionLevel.DESA
