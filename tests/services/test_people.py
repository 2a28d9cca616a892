"""The people directory: contact details, likely duplicates, search and merging people."""

from datetime import datetime, timezone

import pytest
from sqlalchemy import func, select

from kotaku_collab.models import (AgendaItem, AttendanceStatus, Ballot, IssueVote, Notification,
                                  NotificationKind, ParticipantRole, Person, Registration,
                                  RegistrationStatus, SessionType, VoteSession, Workshop)
from kotaku_collab.services import DomainError
from kotaku_collab.services.merging import count_references
from kotaku_collab.services.people import (LikelyDuplicates, PersonInput, create_person,
                                           find_by_contact, looks_like_contact, mask_phone,
                                           merge_people, normalise_email, normalise_phone,
                                           search_people, update_person)
from tests import factories


@pytest.mark.parametrize("raw, expected", [
    ("0812-3456-7890", "+6281234567890"),
    ("0812 3456 7890", "+6281234567890"),
    ("+62 812 3456 7890", "+6281234567890"),
    ("(+62) 812-3456-7890", "+6281234567890"),
    ("0361 21234", "+6236121234"),
    ("+61 412 345 678", "+61412345678"),
    ("", None),
    ("   ", None),
    (None, None),
])
def test_normalise_phone_to_e164(raw, expected):
    assert normalise_phone(raw) == expected


@pytest.mark.parametrize("raw", ["12", "0812", "telepon saya", "+62 000 000", "0812345678901234567"])
def test_impossible_phone_is_an_error_beside_the_field(raw):
    with pytest.raises(DomainError) as caught:
        normalise_phone(raw)
    assert caught.value.field == "phone"


@pytest.mark.parametrize("phone, masked", [
    ("+6281234567890", "+62812*****890"),
    ("+628123456789", "+62812****789"),
    (None, "–"),
])
def test_mask_phone_hides_the_middle(phone, masked):
    assert mask_phone(phone) == masked


def test_normalise_email_lower_cases_and_checks():
    assert normalise_email("  Budi.Santoso@Klungkungkab.GO.ID ") == "budi.santoso@klungkungkab.go.id"
    assert normalise_email("") is None


@pytest.mark.parametrize("raw", ["budi @example.org", "budi", "budi@", "@example.org",
                                 "a" * 250 + "@example.org", "budi@exa mple.test"])
def test_bad_email_is_an_error_beside_the_field(raw):
    with pytest.raises(DomainError) as caught:
        normalise_email(raw)
    assert caught.value.field == "email"


@pytest.mark.parametrize("text, expected", [
    ("budi@example.org", True), ("0812 3456 7890", True), ("+6281234", True),
    ("Budi", False), ("Dinas PUPR 2019", False), ("", False), (None, False),
])
def test_looks_like_contact(text, expected):
    assert looks_like_contact(text) is expected


def test_create_person_normalises_everything(db):
    org = factories.make_organisation("Baperlitbang Klungkung")
    person = create_person(db.session, PersonInput(
        name="  I Wayan   Wasta ", title_prefix="Ir.", title_suffix="M.T.", position="Kepala",
        nip="19650101 199003 1 005", organisation_id=org.id, gender="L",
        phone="0812-3456-7890", email="Wayan@Example.ORG"))
    assert (person.name, person.phone, person.email) == ("I Wayan Wasta", "+6281234567890",
                                                         "wayan@example.org")
    assert person.nip == "196501011990031005"
    assert person.full_name == "Ir. I Wayan Wasta, M.T."
    assert person.organisation_id == org.id and person.gender.value == "L"


@pytest.mark.parametrize("data, field", [
    ({"name": "  "}, "name"),
    ({"phone": "0812"}, "phone"),
    ({"email": "budi at example"}, "email"),
    ({"nip": "12ab"}, "nip"),
    ({"organisation_id": 999999}, "organisation_id"),
])
def test_create_person_refuses_bad_input_and_stores_nothing(db, data, field):
    values = {"name": "Budi"} | data
    with pytest.raises(DomainError) as caught:
        create_person(db.session, PersonInput(**values))
    assert caught.value.field == field
    assert db.session.scalar(select(func.count(Person.id))) == 0


@pytest.mark.parametrize("details", [
    {"email": "BUDI@example.org"},
    {"phone": "+62 812-3456-7890"},
])
def test_likely_duplicates_by_email_or_phone_are_offered(db, details):
    existing = factories.make_person("Budi Santoso", email="budi@example.org",
                                     phone="+6281234567890")
    factories.make_person("Orang Lain", email="lain@example.org", phone="+6281299999999")
    with pytest.raises(LikelyDuplicates) as caught:
        create_person(db.session, PersonInput(name="Budi S.", **details))
    assert [p.id for p in caught.value.matches] == [existing.id]
    created = create_person(db.session, PersonInput(name="Budi S.", **details),
                            allow_duplicates=True)
    assert created.id != existing.id


def test_no_duplicates_offered_without_contact_details(db):
    factories.make_person("Budi")
    assert create_person(db.session, PersonInput(name="Budi")).name == "Budi"


def test_update_without_contact_leaves_phone_and_email(db):
    person = factories.make_person("Budi", phone="+6281234567890", email="budi@example.org")
    update_person(db.session, person, PersonInput(name="Budi Santoso", phone=None, email=None),
                  update_contact=False)
    assert (person.name, person.phone, person.email) == ("Budi Santoso", "+6281234567890",
                                                         "budi@example.org")
    update_person(db.session, person, PersonInput(name="Budi Santoso", phone="", email=""))
    assert (person.phone, person.email) == (None, None)


def test_search_returns_names_without_contact_details(db):
    org = factories.make_organisation("Dinas Perkim Kota Pasuruan", short_name="Perkim")
    factories.make_person("Siti Aminah", organisation=org, position="Kabid",
                          phone="+6281234567890", email="siti@example.org")
    factories.make_person("Ahmad", organisation=org)
    factories.make_person("Wayan")
    assert [r["name"] for r in search_people(db.session, "siti")] == ["Siti Aminah"]
    results = search_people(db.session, "perkim")
    assert {r["name"] for r in results} == {"Siti Aminah", "Ahmad"}
    assert set(results[0]) == {"id", "name", "organisation", "position"}
    assert results[0]["organisation"] == "Perkim"
    assert search_people(db.session, "s") == []
    assert search_people(db.session, "siti@example.org") == []
    assert search_people(db.session, "0812345678") == []
    assert search_people(db.session, "%") == []


def test_search_returns_at_most_twenty(db):
    for i in range(25):
        factories.make_person(f"Peserta Uji {i:02d}")
    assert len(search_people(db.session, "uji")) == 20


def test_find_by_contact_normalises_the_value(db):
    person = factories.make_person("Budi", email="budi@example.org", phone="+6281234567890")
    assert find_by_contact(db.session, "0812 3456 7890") == [person]
    assert find_by_contact(db.session, "BUDI@example.org") == [person]
    with pytest.raises(DomainError) as caught:
        find_by_contact(db.session, "0812")
    assert caught.value.field == "contact"


# --- Merging ----------------------------------------------------------------------------------


def _populate_references(db, person):
    workshop = factories.make_workshop("51.05", opened_by=person)
    factories.make_registration(workshop, person)
    item = AgendaItem(workshop=workshop, title="Paparan", session_type=SessionType.PAPARAN,
                      starts_at=workshop.starts_at, ends_at=workshop.ends_at, moderator=person,
                      speakers=[person])
    db.session.add(item)
    factories.make_commitment(workshop=workshop, committed_by_id=person.id)
    db.session.add(Notification(kind=NotificationKind.REGISTRATION_CONFIRMED, person=person,
                                subject="Terdaftar", body="Terdaftar"))
    db.session.flush()
    return workshop, item


def test_merge_people_repoints_every_referencing_row(db):
    source = factories.make_person("Budi", email="budi@example.org", position="Staf")
    target = factories.make_person("Budi Santoso", phone="+6281234567890")
    _, source_item = _populate_references(db, source)
    _populate_references(db, target)
    target_item_speakers = AgendaItem(workshop=source_item.workshop, title="Diskusi",
                                      session_type=SessionType.DISKUSI_KELOMPOK,
                                      starts_at=source_item.starts_at, ends_at=source_item.ends_at,
                                      speakers=[source, target])
    db.session.add(target_item_speakers)
    db.session.flush()
    before_source = count_references(db.session, "people", source.id)
    before_target = count_references(db.session, "people", target.id)
    assert all(before_source[k] for k in (
        "registrations.person_id", "agenda_speakers.person_id", "agenda_items.moderator_id",
        "workshops.opened_by_id", "commitments.committed_by_id", "notifications.person_id"))
    source_id = source.id

    merge_people(db.session, source, target)

    assert db.session.get(Person, source_id) is None
    after_source = count_references(db.session, "people", source_id)
    after_target = count_references(db.session, "people", target.id)
    assert all(n == 0 for n in after_source.values())
    for key in before_source:
        dropped = 1 if key == "agenda_speakers.person_id" else 0  # both spoke in "Diskusi"
        assert after_target[key] == before_source[key] + before_target[key] - dropped, key
    target = db.session.get(Person, target.id)
    # Details the kept entry lacked come from the merged one; its own stay.
    assert (target.name, target.email, target.phone, target.position) == (
        "Budi Santoso", "budi@example.org", "+6281234567890", "Staf")


def test_merge_keeps_the_better_registration_for_a_shared_workshop(db):
    workshop = factories.make_workshop("51.05", capacity=10)
    source = factories.make_person("Budi")
    target = factories.make_person("Budi Santoso")
    kept = factories.make_registration(workshop, source, status=RegistrationStatus.CONFIRMED,
                                       attendance=AttendanceStatus.HADIR,
                                       checked_in_at=datetime.now(timezone.utc))
    factories.make_registration(workshop, target, status=RegistrationStatus.WAITLISTED,
                                waitlist_position=1)
    seats = workshop.seats_taken
    merge_people(db.session, source, target)
    registration = db.session.scalars(select(Registration)).one()
    assert registration.id == kept.id and registration.person_id == target.id
    assert registration.status is RegistrationStatus.CONFIRMED
    assert registration.attendance is AttendanceStatus.HADIR
    assert db.session.get(Workshop, workshop.id).seats_taken == seats


def test_merge_frees_the_second_seat_and_promotes_the_waiting_list(db):
    workshop = factories.make_workshop("51.05", capacity=2)
    source = factories.make_person("Budi")
    target = factories.make_person("Budi Santoso")
    factories.make_registration(workshop, source)
    factories.make_registration(workshop, target)
    waiting = factories.make_registration(workshop, status=RegistrationStatus.WAITLISTED,
                                          waitlist_position=1)
    assert workshop.seats_taken == 2
    merge_people(db.session, source, target)
    registrations = db.session.scalars(select(Registration).order_by(Registration.id)).all()
    assert [(r.person_id, r.status) for r in registrations] == [
        (target.id, RegistrationStatus.CONFIRMED), (waiting.person_id, RegistrationStatus.CONFIRMED)]
    assert db.session.get(Workshop, workshop.id).seats_taken == 2
    assert db.session.scalar(select(func.count(Notification.id)).where(
        Notification.kind == NotificationKind.WAITLIST_PROMOTED)) == 1


def test_merge_frees_a_seat_when_the_kept_registration_takes_none(db):
    workshop = factories.make_workshop("51.05", capacity=5)
    source = factories.make_person("Budi")
    target = factories.make_person("Budi Santoso")
    factories.make_registration(workshop, source)  # peserta, holds a seat
    kept = factories.make_registration(workshop, target, role=ParticipantRole.NARASUMBER)
    assert workshop.seats_taken == 1
    merge_people(db.session, source, target)
    assert db.session.scalars(select(Registration.id)).all() == [kept.id]
    assert db.session.get(Workshop, workshop.id).seats_taken == 0


def test_merge_keeps_waitlisted_over_cancelled(db):
    workshop = factories.make_workshop("51.05")
    source = factories.make_person("Budi")
    target = factories.make_person("Budi Santoso")
    factories.make_registration(workshop, target, status=RegistrationStatus.CANCELLED)
    waiting = factories.make_registration(workshop, source, status=RegistrationStatus.WAITLISTED,
                                          waitlist_position=3)
    merge_people(db.session, source, target)
    registration = db.session.scalars(select(Registration)).one()
    assert registration.id == waiting.id and registration.person_id == target.id


def test_ballot_of_the_dropped_registration_moves_to_the_kept_one(db):
    workshop = factories.make_workshop("51.05")
    issue = factories.make_issue(workshop)
    source = factories.make_person("Budi")
    target = factories.make_person("Budi Santoso")
    factories.make_registration(workshop, source, status=RegistrationStatus.CANCELLED)
    kept = factories.make_registration(workshop, target)
    dropped = db.session.scalars(select(Registration).where(Registration.person_id == source.id)).one()
    vote = VoteSession(workshop_id=workshop.id, votes_per_participant=3)
    db.session.add(vote)
    db.session.flush()
    ballot = Ballot(vote_session_id=vote.id, registration_id=dropped.id, votes_allowed=3,
                    votes_used=1, votes=[IssueVote(issue_id=issue.id, registration_id=dropped.id,
                                                   count=1)])
    db.session.add(ballot)
    db.session.flush()
    merge_people(db.session, source, target)
    assert db.session.scalars(select(Ballot.registration_id)).all() == [kept.id]
    assert db.session.scalars(select(IssueVote.registration_id)).all() == [kept.id]


def test_merge_into_self_is_refused(db):
    person = factories.make_person("Budi")
    with pytest.raises(DomainError) as caught:
        merge_people(db.session, person, person)
    assert caught.value.field == "target_id"
