"""Outcome pages: who may read and write them, the phone vote, finalising and amendments, and
bad input answered with a clear message and nothing stored."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import func, select

from kotaku_collab.models import (AgreementPoint, Amendment, AttendanceStatus, Ballot,
                                  Cadence, CoordinationMechanism, MechanismType, StrategicIssue,
                                  VoteStatus, WorkshopStatus)
from kotaku_collab.services.minutes import MinutesInput, save_minutes
from kotaku_collab.services.voting import close_vote, open_vote
from tests import factories

UTC = timezone.utc


@pytest.fixture(autouse=True)
def english(client):
    """These tests read messages by their English source text (the UI defaults to Indonesian)."""
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"


@pytest.fixture
def workshop(db):
    return factories.make_workshop("51.05", status=WorkshopStatus.HELD,
                                   starts_at=datetime(2019, 10, 29, 0, 30, tzinfo=UTC), hours=6.5,
                                   title="Lokakarya KOTAKU Klungkung 2019")


def count(db, model) -> int:
    return db.session.scalar(select(func.count(model.id)))


def checked_in(workshop, **kwargs):
    return factories.make_registration(workshop, attendance=AttendanceStatus.HADIR,
                                       checked_in_at=datetime.now(UTC), **kwargs)


# --- Permissions --------------------------------------------------------------------------

READ_PAGES = ["/workshops/{w}/outcomes", "/workshops/{w}/outcomes/issues/{i}",
              "/workshops/{w}/outcomes/mechanisms/{m}", "/workshops/{w}/outcomes/ranking",
              "/workshops/{w}/outcomes/berita-acara.pdf", "/workshops/{w}/outcomes/notulen.pdf"]
WRITE_PAGES = ["/manage/workshops/{w}/outcomes/issues/new",
               "/manage/workshops/{w}/outcomes/issues/{i}/edit",
               "/manage/workshops/{w}/outcomes/issues/merge",
               "/manage/workshops/{w}/outcomes/mechanisms/new",
               "/manage/workshops/{w}/outcomes/mechanisms/{m}/edit",
               "/manage/workshops/{w}/outcomes/vote",
               "/manage/workshops/{w}/outcomes/agreements",
               "/manage/workshops/{w}/outcomes/minutes"]


def login(login_as, who):
    if who == "stakeholder":
        return login_as("stakeholder", organisation=factories.make_organisation(region_code="51.05"))
    if who == "stakeholder_elsewhere":
        return login_as("stakeholder", organisation=factories.make_organisation(region_code="35.75"))
    if who == "organiser":
        return login_as("organiser", regions=["51.05"])
    if who == "organiser_elsewhere":
        return login_as("organiser", regions=["35.75"])
    if who == "reviewer":
        return login_as("reviewer", regions=["51.05"])
    if who == "reviewer_elsewhere":
        return login_as("reviewer", regions=["35.75"])
    return login_as("admin")


@pytest.mark.parametrize("who, read, write", [
    ("stakeholder", 200, 403),
    ("reviewer", 200, 403),
    ("organiser", 200, 200),
    ("admin", 200, 200),
    ("organiser_elsewhere", 404, 404),
    ("reviewer_elsewhere", 404, 404),
    ("stakeholder_elsewhere", 404, 404),
])
def test_who_reads_and_who_writes(client, login_as, db, workshop, who, read, write):
    issue = factories.make_issue(workshop)
    mechanism = factories.make_mechanism(workshop)
    db.session.commit()
    login(login_as, who)
    ids = {"w": workshop.id, "i": issue.id, "m": mechanism.id}
    for page in READ_PAGES:
        assert client.get(page.format(**ids)).status_code == read, page
    for page in WRITE_PAGES:
        assert client.get(page.format(**ids)).status_code == write, page
    response = client.post(f"/manage/workshops/{workshop.id}/outcomes/issues/new",
                           data={"title": "Isu baru", "aspects": ["data"], "priority": "2"})
    assert response.status_code == (302 if write == 200 else write)
    assert count(db, StrategicIssue) == (2 if write == 200 else 1)


def test_anonymous_is_sent_to_log_in(client, db, workshop):
    db.session.commit()
    response = client.get(f"/workshops/{workshop.id}/outcomes")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_reviewer_cannot_post_changes(client, login_as, db, workshop):
    issue = factories.make_issue(workshop, title="Asli")
    db.session.commit()
    login_as("reviewer", regions=["51.05"])
    for url, data in (
            (f"/manage/workshops/{workshop.id}/outcomes/issues/{issue.id}/edit",
             {"title": "Diubah", "aspects": ["data"], "priority": "1"}),
            (f"/manage/workshops/{workshop.id}/outcomes/agreements", {"text": "Butir"}),
            (f"/manage/workshops/{workshop.id}/outcomes/vote", {"votes_per_participant": "3"}),
            (f"/manage/workshops/{workshop.id}/outcomes/finalise", {})):
        assert client.post(url, data=data).status_code == 403, url
    db.session.refresh(issue)
    assert issue.title == "Asli" and count(db, AgreementPoint) == 0


def test_workshop_page_links_to_the_outcomes(client, login_as, db, workshop):
    db.session.commit()
    login_as("stakeholder", organisation=factories.make_organisation(region_code="51.05"))
    html = client.get(f"/workshops/{workshop.id}").get_data(as_text=True)
    assert f'href="/workshops/{workshop.id}/outcomes"' in html
    assert "manage-outcomes" not in html
    login_as("organiser", regions=["51.05"])
    html = client.get(f"/workshops/{workshop.id}").get_data(as_text=True)
    assert 'data-testid="manage-outcomes"' in html
    assert f'href="/manage/workshops/{workshop.id}/outcomes/minutes" data-testid="to-finalised"' in html


def test_outcome_child_of_another_workshop_is_404(client, login_as, db, workshop):
    other = factories.make_workshop("51.05")
    issue = factories.make_issue(other)
    db.session.commit()
    login_as("organiser", regions=["51.05"])
    assert client.get(f"/workshops/{workshop.id}/outcomes/issues/{issue.id}").status_code == 404
    assert client.get(
        f"/manage/workshops/{workshop.id}/outcomes/issues/{issue.id}/edit").status_code == 404


# --- Issues -------------------------------------------------------------------------------


def test_record_issue_through_the_form(client, login_as, db, workshop):
    factories.make_region("51.05.03.1001")
    org = factories.make_organisation("Dinas PUPRPKP")
    db.session.commit()
    login_as("organiser", regions=["51.05"])
    response = client.post(f"/manage/workshops/{workshop.id}/outcomes/issues/new", data={
        "title": "Drainase Semarapura Kaja", "aspects": ["drainase", "jalan_lingkungan"],
        "location_code": "51.05.03.1001", "slum_area_id": "", "proposed_by_id": str(org.id),
        "priority": "1", "agreed": "y", "description": "Genangan"})
    assert response.status_code == 302
    issue = db.session.scalar(select(StrategicIssue))
    assert issue.title == "Drainase Semarapura Kaja" and issue.agreed and issue.priority == 1
    html = client.get(f"/workshops/{workshop.id}/outcomes").get_data(as_text=True)
    assert "Drainase Semarapura Kaja" in html and "Semarapura Kaja" in html


@pytest.mark.parametrize("data, expected", [
    ({"title": "", "aspects": ["drainase"], "priority": "2"}, "This field is required"),
    ({"title": "Isu", "aspects": ["banjir_rob"], "priority": "2"}, "banjir_rob"),
    ({"title": "Isu", "priority": "2"}, "Choose at least one aspect"),
    ({"title": "Isu", "aspects": ["drainase"], "priority": "9"}, "Not a valid choice"),
    ({"title": "Isu", "aspects": ["drainase"], "priority": "2",
      "location_code": "35.75.01.1001"}, "Not a valid choice"),
])
def test_bad_issue_input_keeps_the_form_and_stores_nothing(client, login_as, db, workshop,
                                                           data, expected):
    factories.make_region("35.75.01.1001")
    db.session.commit()
    login_as("organiser", regions=["51.05"])
    response = client.post(f"/manage/workshops/{workshop.id}/outcomes/issues/new", data=data)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert expected in html
    assert "invalid-feedback" in html
    assert count(db, StrategicIssue) == 0


def test_merged_issue_page_leads_to_the_one_kept(client, login_as, db, workshop):
    keep = factories.make_issue(workshop, title="Drainase")
    dup = factories.make_issue(workshop, title="Saluran tersumbat")
    db.session.commit()
    login_as("organiser", regions=["51.05"])
    response = client.post(f"/manage/workshops/{workshop.id}/outcomes/issues/merge",
                           data={"source_id": str(dup.id), "target_id": str(keep.id)})
    assert response.status_code == 302
    db.session.refresh(dup)
    assert dup.merged_into_id == keep.id
    response = client.get(f"/workshops/{workshop.id}/outcomes/issues/{dup.id}")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/outcomes/issues/{keep.id}")
    followed = client.get(f"/workshops/{workshop.id}/outcomes/issues/{dup.id}",
                          follow_redirects=True).get_data(as_text=True)
    assert "was merged into this issue" in followed and 'data-testid="merged-list"' in followed
    html = client.get(f"/workshops/{workshop.id}/outcomes").get_data(as_text=True)
    assert "Drainase" in html and "Saluran tersumbat" not in html
    same = client.post(f"/manage/workshops/{workshop.id}/outcomes/issues/merge",
                       data={"source_id": str(keep.id), "target_id": str(keep.id)})
    assert same.status_code == 200 and "Choose two different issues" in same.get_data(as_text=True)


def test_deleting_an_issue_with_links_says_merge_instead(client, login_as, db, workshop):
    issue = factories.make_issue(workshop, title="Drainase")
    factories.make_commitment(workshop=workshop).issues = [issue]
    db.session.commit()
    login_as("organiser", regions=["51.05"])
    url = f"/manage/workshops/{workshop.id}/outcomes/issues/{issue.id}/delete"
    assert client.get(url).status_code == 200
    response = client.post(url)
    assert response.status_code == 200 and "merge it" in response.get_data(as_text=True)
    assert count(db, StrategicIssue) == 1


def test_removing_an_unlinked_issue_and_a_mechanism(client, login_as, db, workshop):
    issue = factories.make_issue(workshop, title="Sementara")
    mechanism = CoordinationMechanism(workshop_id=workshop.id, type=MechanismType.LAINNYA,
                                      name="Grup sementara", cadence=Cadence.BULANAN)
    db.session.add(mechanism)
    db.session.commit()
    login_as("organiser", regions=["51.05"])
    base = f"/manage/workshops/{workshop.id}/outcomes"
    page = client.get(f"{base}/mechanisms/{mechanism.id}/delete")
    assert page.status_code == 200 and "Grup sementara" in page.get_data(as_text=True)
    assert client.post(f"{base}/issues/{issue.id}/delete").status_code == 302
    assert client.post(f"{base}/mechanisms/{mechanism.id}/delete").status_code == 302
    assert count(db, StrategicIssue) == 0 and count(db, CoordinationMechanism) == 0


# --- The vote, from a phone ---------------------------------------------------------------


def test_participant_votes_with_the_code_from_the_confirmation(client, db, workshop):
    organiser = factories.make_user()
    drainase = factories.make_issue(workshop, title="Drainase")
    sampah = factories.make_issue(workshop, title="Persampahan")
    voter = checked_in(workshop)
    open_vote(db.session, workshop, organiser, 3)
    db.session.commit()
    page = client.get(f"/v/{workshop.code.lower()}")
    assert page.status_code == 200 and 'name="code"' in page.get_data(as_text=True)
    response = client.post(f"/v/{workshop.code}", data={"code": voter.code.lower()})
    assert response.headers["Location"].endswith(f"/v/{workshop.code}/{voter.code}")
    ballot_page = client.get(f"/v/{workshop.code}/{voter.code}")
    html = ballot_page.get_data(as_text=True)
    assert voter.person.full_name in html and f'name="issue_{drainase.id}"' in html
    assert ballot_page.headers["Cache-Control"] == "no-store"
    response = client.post(f"/v/{workshop.code}/{voter.code}",
                           data={f"issue_{drainase.id}": "1", f"issue_{sampah.id}": "2"})
    assert response.status_code == 302
    html = client.get(f"/v/{workshop.code}/{voter.code}").get_data(as_text=True)
    assert 'data-testid="ballot-done"' in html and 'data-testid="ranking"' in html
    again = client.post(f"/v/{workshop.code}/{voter.code}", data={f"issue_{drainase.id}": "3"})
    assert again.status_code == 200
    assert count(db, Ballot) == 1
    assert db.session.scalar(select(Ballot)).votes_used == 3


def test_vote_over_the_allowance_is_refused(client, db, workshop):
    issue = factories.make_issue(workshop)
    voter = checked_in(workshop)
    open_vote(db.session, workshop, factories.make_user(), 3)
    db.session.commit()
    response = client.post(f"/v/{workshop.code}/{voter.code}", data={f"issue_{issue.id}": "4"})
    assert response.status_code == 200
    assert "invalid-feedback" in response.get_data(as_text=True)
    other = factories.make_issue(workshop)
    db.session.commit()
    response = client.post(f"/v/{workshop.code}/{voter.code}",
                           data={f"issue_{issue.id}": "2", f"issue_{other.id}": "2"})
    assert "You gave 4 votes but have 3." in response.get_data(as_text=True)
    assert count(db, Ballot) == 0


@pytest.mark.parametrize("who, message", [
    ("not_checked_in", "Only participants who have checked in can vote"),
    ("unknown", "This code is not a registration for this workshop"),
    ("other_workshop", "This code is not a registration for this workshop"),
])
def test_vote_from_someone_who_may_not_vote(client, db, workshop, who, message):
    issue = factories.make_issue(workshop)
    open_vote(db.session, workshop, factories.make_user(), 3)
    if who == "not_checked_in":
        code = factories.make_registration(workshop).code
    elif who == "unknown":
        code = "ABCD1234"
    else:
        code = checked_in(factories.make_workshop("51.05")).code
    db.session.commit()
    for response in (client.get(f"/v/{workshop.code}/{code}"),
                     client.post(f"/v/{workshop.code}/{code}", data={f"issue_{issue.id}": "1"})):
        assert response.status_code == 200
        assert message in response.get_data(as_text=True)
    assert count(db, Ballot) == 0


def test_vote_after_closing_is_not_stored(client, db, workshop):
    issue = factories.make_issue(workshop)
    voter = checked_in(workshop)
    organiser = factories.make_user()
    open_vote(db.session, workshop, organiser, 3)
    db.session.commit()
    form_page = client.get(f"/v/{workshop.code}/{voter.code}")
    assert 'data-testid="ballot-form"' in form_page.get_data(as_text=True)
    close_vote(db.session, workshop, organiser)
    db.session.commit()
    response = client.post(f"/v/{workshop.code}/{voter.code}", data={f"issue_{issue.id}": "1"})
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "The vote is closed" in html
    assert count(db, Ballot) == 0


def test_no_vote_page_and_draft_workshop(client, db, workshop):
    draft = factories.make_workshop("51.05", status=WorkshopStatus.DRAFT)
    db.session.commit()
    assert "no-vote" in client.get(f"/v/{workshop.code}").get_data(as_text=True)
    assert client.get(f"/v/{draft.code}").status_code == 404


def test_organiser_opens_and_closes_the_vote(client, login_as, db, workshop):
    first = factories.make_issue(workshop, title="Drainase")
    second = factories.make_issue(workshop, title="Persampahan")
    voter = checked_in(workshop)
    db.session.commit()
    login_as("organiser", regions=["51.05"])
    url = f"/manage/workshops/{workshop.id}/outcomes/vote"
    bad = client.post(url, data={"votes_per_participant": "0"})
    assert bad.status_code == 200 and "invalid-feedback" in bad.get_data(as_text=True)
    assert client.post(url, data={"votes_per_participant": "2"}).status_code == 302
    html = client.get(url).get_data(as_text=True)
    assert f"/v/{workshop.code}" in html and 'data-testid="close-vote"' in html
    client.post(f"/v/{workshop.code}/{voter.code}", data={f"issue_{second.id}": "2"})
    assert client.post(f"{url}/close").status_code == 302
    db.session.refresh(first)
    db.session.refresh(second)
    assert (second.vote_rank, second.vote_count, first.vote_rank) == (1, 2, 2)
    ranking = client.get(f"/workshops/{workshop.id}/outcomes/ranking").get_data(as_text=True)
    assert ranking.index("Persampahan") < ranking.index("Drainase")
    assert "data-auto-refresh" not in ranking  # closed: nothing changes any more


def test_open_vote_ranking_page_reloads_itself(client, login_as, db, workshop):
    factories.make_issue(workshop)
    open_vote(db.session, workshop, factories.make_user(), 3)
    db.session.commit()
    login_as("reviewer", regions=["51.05"])
    html = client.get(f"/workshops/{workshop.id}/outcomes/ranking").get_data(as_text=True)
    assert 'data-auto-refresh="15"' in html and "/static/js/auto-refresh.js" in html
    assert "<script>" not in html


# --- Mechanisms ---------------------------------------------------------------------------


def test_mechanism_form_and_contact_link_rules(client, login_as, db, workshop):
    lead = factories.make_organisation("Baperlitbang Kabupaten Klungkung")
    db.session.commit()
    login_as("organiser", regions=["51.05"])
    url = f"/manage/workshops/{workshop.id}/outcomes/mechanisms/new"
    data = {"type": "rapat_pokja_pkp", "name": "Rapat Pokja PKP", "cadence": "triwulanan",
            "lead_organisation_id": str(lead.id), "member_ids": [str(lead.id)],
            "next_meeting_on": "2020-01-15", "legal_basis": "SK 050/2019",
            "contact_channel": "javascript:alert(1)"}
    bad = client.post(url, data=data)
    assert bad.status_code == 200 and "http:// or https://" in bad.get_data(as_text=True)
    assert count(db, CoordinationMechanism) == 0
    assert client.post(url, data={**data, "contact_channel": "https://pokja.example.id"}
                       ).status_code == 302
    mechanism = db.session.scalar(select(CoordinationMechanism))
    html = client.get(f"/workshops/{workshop.id}/outcomes/mechanisms/{mechanism.id}"
                      ).get_data(as_text=True)
    assert '<a href="https://pokja.example.id"' in html
    empty = client.post(url, data={**data, "name": "", "contact_channel": ""})
    assert "This field is required" in empty.get_data(as_text=True)


def test_mechanism_whose_lead_was_merged_shows_the_target(client, login_as, db, workshop):
    target = factories.make_organisation("Baperlitbang Kabupaten Klungkung")
    old = factories.make_organisation("Bappeda Klungkung (lama)")
    mechanism = factories.make_mechanism(workshop, name="Forum PKP", lead_organisation=old)
    old.merged_into_id = target.id
    db.session.commit()
    login_as("organiser", regions=["51.05"])
    html = client.get(f"/workshops/{workshop.id}/outcomes").get_data(as_text=True)
    assert "Baperlitbang Kabupaten Klungkung" in html and "since merged" in html
    page = client.get(f"/workshops/{workshop.id}/outcomes/mechanisms/{mechanism.id}")
    assert page.status_code == 200 and "Baperlitbang Kabupaten Klungkung" in page.get_data(as_text=True)
    edit = client.get(f"/manage/workshops/{workshop.id}/outcomes/mechanisms/{mechanism.id}/edit")
    html = edit.get_data(as_text=True)
    assert edit.status_code == 200 and 'data-testid="lead-note"' in html
    assert f'<option selected value="{target.id}">' in html or \
        f'<option value="{target.id}" selected>' in html


def test_meeting_log_and_cadence_indicator(client, login_as, db, workshop):
    mechanism = factories.make_mechanism(workshop, name="Pokja bulanan")
    db.session.commit()
    login_as("organiser", regions=["51.05"])
    url = f"/manage/workshops/{workshop.id}/outcomes/mechanisms/{mechanism.id}/meetings"
    future = (datetime.now(UTC) + timedelta(days=30)).date().isoformat()
    bad = client.post(url, data={"held_on": future})
    assert bad.status_code == 200 and "once they have taken place" in bad.get_data(as_text=True)
    assert client.post(url, data={"held_on": "2019-11-26", "notes": "Rapat perdana"}
                       ).status_code == 302
    html = client.get(f"/workshops/{workshop.id}/outcomes/mechanisms/{mechanism.id}"
                      ).get_data(as_text=True)
    assert "Rapat perdana" in html
    assert 'data-state="overdue"' in html  # monthly, and nothing logged since November 2019


# --- Agreement points ---------------------------------------------------------------------


def test_agreement_points_numbered_moved_and_removed(client, login_as, db, workshop):
    db.session.commit()
    login_as("organiser", regions=["51.05"])
    url = f"/manage/workshops/{workshop.id}/outcomes/agreements"
    for text in ("Satu", "Dua", "Tiga"):
        assert client.post(url, data={"text": text}).status_code == 302
    assert client.post(url, data={"text": "  "}).status_code == 200
    points = {p.text: p for p in db.session.scalars(select(AgreementPoint))}
    client.post(f"{url}/{points['Tiga'].id}/move", data={"direction": "up"})
    client.post(f"{url}/{points['Satu'].id}/delete")
    db.session.expire_all()
    assert [(p.number, p.text) for p in db.session.scalars(
        select(AgreementPoint).order_by(AgreementPoint.number))] == [(1, "Tiga"), (2, "Dua")]


# --- Minutes, finalising and amendments ---------------------------------------------------


MINUTES = {"opened_by": "I Made Kasta, Wakil Bupati", "discussion_summary": "Isu dipetakan.",
           "signatories-0-name": "I Wayan Wasta", "signatories-0-position": "Kepala Baperlitbang",
           "signatories-0-organisation": "Baperlitbang"}


def test_finalise_through_the_minutes_page(client, login_as, db, workshop):
    factories.make_issue(workshop, title="Drainase")
    db.session.commit()
    login_as("organiser", regions=["51.05"])
    minutes_url = f"/manage/workshops/{workshop.id}/outcomes/minutes"
    page = client.get(minutes_url).get_data(as_text=True)
    assert 'data-testid="finalise" disabled' in page
    refused = client.post(f"/manage/workshops/{workshop.id}/outcomes/finalise",
                          follow_redirects=True)
    assert "cannot be finalised yet" in refused.get_data(as_text=True)
    db.session.refresh(workshop)
    assert workshop.status is WorkshopStatus.HELD
    assert client.post(minutes_url, data=MINUTES).status_code == 302
    assert client.post(f"/manage/workshops/{workshop.id}/outcomes/finalise").status_code == 302
    db.session.refresh(workshop)
    assert workshop.status is WorkshopStatus.FINALISED
    html = client.get(f"/workshops/{workshop.id}/outcomes").get_data(as_text=True)
    assert 'data-testid="locked"' in html


def test_workshop_status_button_cannot_skip_the_minutes(client, login_as, db, workshop):
    db.session.commit()
    login_as("organiser", regions=["51.05"])
    response = client.post(f"/manage/workshops/{workshop.id}/status",
                           data={"status": "finalised"}, follow_redirects=True)
    assert "cannot be finalised yet" in response.get_data(as_text=True)
    db.session.refresh(workshop)
    assert workshop.status is WorkshopStatus.HELD


def test_editing_a_finalised_workshop_needs_a_reason(client, login_as, db, workshop):
    issue = factories.make_issue(workshop, title="Drainase")
    save_minutes(db.session, workshop, None, MinutesInput(
        opened_by="Wakil Bupati", discussion_summary="Ringkas",
        signatories=[{"name": "I Wayan Wasta"}]))
    workshop.status = WorkshopStatus.FINALISED
    db.session.commit()
    login_as("organiser", regions=["51.05"])
    url = f"/manage/workshops/{workshop.id}/outcomes/issues/{issue.id}/edit"
    form = client.get(url).get_data(as_text=True)
    assert 'name="amendment_reason"' in form
    data = {"title": "Drainase dan jalan", "aspects": ["drainase"], "priority": "2"}
    refused = client.post(url, data=data)
    html = refused.get_data(as_text=True)
    assert refused.status_code == 200 and "give the reason for this amendment" in html
    assert 'id="amendment_reason-errors"' in html
    db.session.refresh(issue)
    assert issue.title == "Drainase"
    minutes = client.post(f"/manage/workshops/{workshop.id}/outcomes/minutes",
                          data={**MINUTES, "discussion_summary": "Diubah"})
    assert minutes.status_code == 200 and count(db, Amendment) == 0
    response = client.post(url, data={**data, "amendment_reason": "Judul disesuaikan notulen"})
    assert response.status_code == 302
    db.session.refresh(issue)
    assert issue.title == "Drainase dan jalan"
    amendment = db.session.scalar(select(Amendment))
    assert amendment.reason == "Judul disesuaikan notulen"
    html = client.get(f"/workshops/{workshop.id}/outcomes").get_data(as_text=True)
    assert 'data-testid="amendments-list"' in html and "Judul disesuaikan notulen" in html


def test_berita_acara_download(client, login_as, db, workshop):
    factories.make_issue(workshop, title="Persampahan Lembongan", vote_rank=1, vote_count=5)
    factories.make_issue(workshop, title="Drainase Semarapura", vote_rank=2, vote_count=3)
    db.session.commit()
    login_as("reviewer", regions=["51.05"])
    response = client.get(f"/workshops/{workshop.id}/outcomes/berita-acara.pdf?download=1")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.headers["Content-Disposition"].startswith("attachment;")
    from tests.services.test_minutes import pdf_text

    text = pdf_text(response.data)
    assert text.index("Persampahan Lembongan") < text.index("Drainase Semarapura")
    assert "dua puluh sembilan" in text and "dua ribu sembilan belas" in text


# --- Carry-over ---------------------------------------------------------------------------


def test_follow_up_page_lists_and_links_open_items_of_the_previous_round(client, login_as, db,
                                                                         workshop):
    follow_up = factories.make_workshop("51.05", starts_at=workshop.starts_at + timedelta(days=365),
                                        previous_id=workshop.id)
    factories.make_issue(workshop, title="Persampahan Lembongan", agreed=True)
    factories.make_mechanism(workshop, name="Forum PKP Klungkung")
    factories.make_commitment(workshop=workshop, title="TPS3R Lembongan")
    db.session.commit()
    login_as("stakeholder", organisation=factories.make_organisation(region_code="51.05"))
    html = client.get(f"/workshops/{follow_up.id}/outcomes").get_data(as_text=True)
    assert 'data-testid="carry-over"' in html
    for text in ("Persampahan Lembongan", "Forum PKP Klungkung", "TPS3R Lembongan"):
        assert text in html
    assert f'href="/workshops/{workshop.id}/outcomes"' in html
    earlier = client.get(f"/workshops/{workshop.id}/outcomes").get_data(as_text=True)
    assert 'data-testid="carry-over"' not in earlier


# --- Query budget -------------------------------------------------------------------------


def test_overview_query_count_does_not_grow_with_rows(client, login_as, db, workshop):
    login_as("organiser", regions=["51.05"])

    def add_rows(n):
        for _ in range(n):
            issue = factories.make_issue(workshop)
            mechanism = factories.make_mechanism(workshop,
                                                 lead_organisation=factories.make_organisation())
            mechanism.members = [factories.make_organisation()]
            factories.make_commitment(workshop=workshop).issues = [issue]
        db.session.commit()

    url = f"/workshops/{workshop.id}/outcomes"

    def measure() -> int:
        # The test client shares the test's session: start each request from a clean one.
        db.session.commit()
        db.session.expire_all()
        return int(client.get(url).headers["X-Query-Count"])

    add_rows(1)
    few = measure()
    add_rows(5)
    assert measure() == few


def test_vote_status_is_visible_on_the_overview(client, login_as, db, workshop):
    factories.make_issue(workshop)
    vote = open_vote(db.session, workshop, factories.make_user(), 3)
    db.session.commit()
    login_as("organiser", regions=["51.05"])
    html = client.get(f"/workshops/{workshop.id}/outcomes").get_data(as_text=True)
    assert vote.status is VoteStatus.OPEN
    assert "0 of 0 checked-in participants voted" in html
