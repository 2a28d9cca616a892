"""Organiser-side participants: the list and its filters, the sector/gender panel, adding people,
role changes with seats, walk-ins beyond capacity and who goes on the attendance list."""

import pytest
from sqlalchemy import func, select

from kotaku_collab.models import (AttendanceStatus, Gender, Organisation, ParticipantRole, Person,
                                  Registration, RegistrationStatus, Sector)
from kotaku_collab.services import DomainError
from kotaku_collab.services.participants import (ParticipantFilters, PersonInput,
                                                 add_existing_person, add_new_person,
                                                 attendance_sheet, change_role, export_table,
                                                 list_participants, participation_panel,
                                                 person_finder, register_walk_in, search_people)
from kotaku_collab.services.registration import cancel_registration
from tests import factories


def person_in(sector: Sector, name: str | None = None, gender: Gender | None = None, **kwargs):
    org = factories.make_organisation(kwargs.pop("organisation", None), sector=sector)
    return factories.make_person(name, organisation=org, gender=gender, **kwargs)


def registered(workshop, sector=Sector.PEMERINTAH, name=None, gender=None, **kwargs):
    return factories.make_registration(workshop, person_in(sector, name, gender), **kwargs)


def count(db, model):
    return db.session.scalar(select(func.count()).select_from(model))


# --- The panel ----------------------------------------------------------------------------


def test_panel_counts_registered_and_attended_per_sector_and_gender(db):
    workshop = factories.make_workshop(capacity=4, sector_targets={"filantropi": 2,
                                                                   "pemerintah": 1})
    a = registered(workshop, Sector.PEMERINTAH, gender=Gender.LAKI_LAKI)
    b = registered(workshop, Sector.PEMERINTAH, gender=Gender.PEREMPUAN)
    c = registered(workshop, Sector.FILANTROPI, gender=Gender.PEREMPUAN)
    registered(workshop, Sector.MASYARAKAT, role=ParticipantRole.NARASUMBER)  # no seat, no gender
    late = registered(workshop, Sector.DUNIA_USAHA, gender=Gender.LAKI_LAKI,
                      status=RegistrationStatus.WAITLISTED, waitlist_position=1)
    gone = registered(workshop, Sector.PEMERINTAH, gender=Gender.LAKI_LAKI,
                      status=RegistrationStatus.CANCELLED)
    a.attendance = AttendanceStatus.HADIR
    b.attendance, b.delegate_name = AttendanceStatus.DIWAKILI, "Wakil"
    c.attendance = AttendanceStatus.IZIN
    late.attendance = AttendanceStatus.HADIR  # a walk-in beyond capacity
    gone.attendance = AttendanceStatus.HADIR  # cancelled afterwards: not counted
    db.session.flush()

    panel = participation_panel(db.session, workshop)

    rows = {r.sector: (r.registered, r.attended, r.target) for r in panel.sectors}
    assert rows == {
        Sector.PEMERINTAH: (2, 2, 1),
        Sector.FILANTROPI: (1, 0, 2),
        Sector.MASYARAKAT: (1, 0, None),
        Sector.DUNIA_USAHA: (0, 1, None),
    }
    assert [r.sector for r in panel.sectors] == [Sector.PEMERINTAH, Sector.DUNIA_USAHA,
                                                 Sector.FILANTROPI, Sector.MASYARAKAT]
    genders = {g.gender: (g.registered, g.attended) for g in panel.genders}
    assert genders == {Gender.LAKI_LAKI: (1, 2), Gender.PEREMPUAN: (2, 1), None: (1, 0)}
    assert (panel.registered, panel.attended) == (4, 3)
    assert (panel.waitlisted, panel.attended_from_waitlist, panel.cancelled) == (1, 1, 1)
    assert (panel.seats_taken, panel.capacity) == (3, 4)
    assert [(r.sector, r.short_of_target) for r in panel.targets_missed] == [(Sector.FILANTROPI, 1)]


def test_panel_shows_a_sector_target_with_no_registrations_as_missed(db):
    workshop = factories.make_workshop(sector_targets={"media": 1, "filantropi": "x",
                                                       "alien": 3})
    panel = participation_panel(db.session, workshop)
    assert [(r.sector, r.registered, r.short_of_target) for r in panel.sectors] == [
        (Sector.MEDIA, 0, 1)]
    assert panel.genders == []


# --- The list -----------------------------------------------------------------------------


def test_list_orders_confirmed_then_waiting_list_then_cancelled(db):
    workshop = factories.make_workshop()
    second = registered(workshop, name="Wayan", status=RegistrationStatus.WAITLISTED,
                        waitlist_position=2)
    cancelled = registered(workshop, name="Aaron", status=RegistrationStatus.CANCELLED)
    first = registered(workshop, name="Made", status=RegistrationStatus.WAITLISTED,
                       waitlist_position=1)
    confirmed = registered(workshop, name="Zulkifli")
    assert list_participants(db.session, workshop) == [confirmed, first, second, cancelled]
    check_in = list_participants(db.session, workshop, ParticipantFilters(include_cancelled=False))
    assert cancelled not in check_in


@pytest.mark.parametrize("filters, expected", [
    (ParticipantFilters(status=RegistrationStatus.WAITLISTED), {"Kadek"}),
    (ParticipantFilters(sector=Sector.FILANTROPI), {"Komang"}),
    (ParticipantFilters(role=ParticipantRole.NARASUMBER), {"Ketut"}),
    (ParticipantFilters(q="kom"), {"Komang"}),
    (ParticipantFilters(q="bazNAS"), {"Komang"}),  # organisation name
    (ParticipantFilters(q="%"), set()),  # LIKE wildcards are literal
    (ParticipantFilters(q="' OR 1=1--"), set()),
])
def test_list_filters(db, filters, expected):
    workshop = factories.make_workshop()
    registered(workshop, Sector.PEMERINTAH, "Kadek", status=RegistrationStatus.WAITLISTED,
               waitlist_position=1)
    factories.make_registration(workshop, person_in(Sector.FILANTROPI, "Komang",
                                                    organisation="BAZNAS Klungkung"))
    registered(workshop, Sector.PERGURUAN_TINGGI, "Ketut", role=ParticipantRole.NARASUMBER)
    other = factories.make_workshop()
    registered(other, Sector.FILANTROPI, "Komang Lain")
    names = {r.person.name for r in list_participants(db.session, workshop, filters)}
    assert names == expected


def test_list_finds_a_registration_by_its_code(db):
    workshop = factories.make_workshop()
    target = registered(workshop, name="Putu")
    registered(workshop, name="Gede")
    found = list_participants(db.session, workshop, ParticipantFilters(q=target.code.lower()))
    assert found == [target]


def test_search_people_matches_name_or_organisation_and_needs_two_letters(db):
    putu = person_in(Sector.MASYARAKAT, "Putu Sari", organisation="BKM Semarapura Kaja")
    person_in(Sector.PEMERINTAH, "Gede Ardana", organisation="Bappeda")
    assert search_people(db.session, "sari") == [putu]
    assert search_people(db.session, "semarapura") == [putu]
    assert search_people(db.session, "p") == []
    assert search_people(db.session, "_") == []


# --- Adding people ------------------------------------------------------------------------


def test_add_new_person_creates_person_and_organisation_in_the_workshop_region(db):
    workshop = factories.make_workshop("51.05")
    result = add_new_person(db.session, workshop, PersonInput(
        name="  Ir. Ni Made   Ayu ", organisation="Yayasan Bali Hijau", sector=Sector.FILANTROPI,
        position="Ketua", phone="0812-3456-7890", email="AYU@example.org",
        gender=Gender.PEREMPUAN), ParticipantRole.UNDANGAN)
    registration = result.registration
    assert result.created and registration.status is RegistrationStatus.CONFIRMED
    assert registration.role is ParticipantRole.UNDANGAN and registration.sector is Sector.FILANTROPI
    person = registration.person
    assert (person.name, person.phone, person.email) == ("Ir. Ni Made Ayu", "+6281234567890",
                                                         "ayu@example.org")
    assert registration.organisation.region_code == "51.05"
    assert workshop.seats_taken == 1


def test_add_new_person_reuses_the_directory_entry_and_the_organisation(db):
    workshop = factories.make_workshop()
    org = factories.make_organisation("Dinas PUPR Kabupaten Klungkung", sector=Sector.PEMERINTAH)
    known = factories.make_person("I Wayan Known", organisation=org, email="wayan@example.org")
    result = add_new_person(db.session, workshop, PersonInput(
        name="Wayan typed differently", organisation="dinas pupr  kabupaten klungkung.",
        sector=Sector.MEDIA, email="Wayan@Example.org"), ParticipantRole.PESERTA)
    assert result.registration.person == known
    assert result.registration.organisation == org
    assert result.registration.sector is Sector.PEMERINTAH  # the registry's sector wins
    assert count(db, Person) == 1 and count(db, Organisation) == 1


@pytest.mark.parametrize("data, field", [
    (dict(name="Ayu", organisation="Organisasi Baru"), "sector"),
    (dict(name="Ayu", organisation="   "), "organisation"),
    (dict(name="  ", organisation="Bappeda", sector=Sector.PEMERINTAH), "name"),
    (dict(name="Ayu", organisation="Bappeda", sector=Sector.PEMERINTAH, phone="12345"), "phone"),
])
def test_add_new_person_refuses_bad_input_and_stores_nothing(db, data, field):
    workshop = factories.make_workshop()
    with pytest.raises(DomainError) as error:
        add_new_person(db.session, workshop, PersonInput(**data), ParticipantRole.PESERTA)
    assert error.value.field == field
    assert count(db, Registration) == 0 and count(db, Person) == 0


def test_add_existing_person_and_twice_is_not_a_second_registration(db):
    workshop = factories.make_workshop(capacity=1)
    person = person_in(Sector.MEDIA, "Jurnalis")
    first = add_existing_person(db.session, workshop, person.id, ParticipantRole.PESERTA)
    again = add_existing_person(db.session, workshop, person.id, ParticipantRole.PESERTA)
    assert first.created and not again.created
    assert again.registration == first.registration and workshop.seats_taken == 1
    nobody = factories.make_person("Tanpa Organisasi")
    with pytest.raises(DomainError):
        add_existing_person(db.session, workshop, nobody.id, ParticipantRole.PESERTA)


def test_person_finder_matches_phone_unless_both_have_different_emails(db):
    org = factories.make_organisation()
    known = factories.make_person("Known", organisation=org, phone="+6281234567890",
                                  email="known@example.org")
    no_email = factories.make_person("No e-mail", organisation=org, phone="+6281311112222")
    find = lambda **kw: person_finder(name="New", position=None, organisation=org, gender=None,
                                      **kw)(db.session)
    assert find(email=None, phone="+6281234567890") == known
    assert find(email="someone.else@example.org", phone="+6281311112222") == no_email
    stranger = find(email="other@example.org", phone="+6281234567890")
    assert stranger not in (known, no_email) and stranger.email == "other@example.org"



def test_person_finder_matches_the_email_whatever_its_case(db):
    org = factories.make_organisation()
    known = factories.make_person("Known", organisation=org, email="Ani.Wulandari@Example.org")
    assert known.email == "ani.wulandari@example.org"  # stored lower-cased
    found = person_finder(name="Ani", position=None, organisation=org, gender=None,
                          email=" ANI.wulandari@example.ORG", phone=None)(db.session)
    assert found == known

# --- Roles --------------------------------------------------------------------------------


def test_changing_a_participant_to_speaker_frees_the_seat_for_the_waiting_list(db):
    workshop = factories.make_workshop(capacity=1)
    seated = registered(workshop)
    waiting = registered(workshop, status=RegistrationStatus.WAITLISTED, waitlist_position=1)
    db.session.flush()
    change_role(db.session, seated, ParticipantRole.NARASUMBER)
    assert seated.status is RegistrationStatus.CONFIRMED and seated.role is ParticipantRole.NARASUMBER
    assert waiting.status is RegistrationStatus.CONFIRMED and waiting.waitlist_position is None
    assert workshop.seats_taken == 1


def test_changing_a_speaker_to_participant_needs_a_free_seat(db):
    workshop = factories.make_workshop(capacity=1)
    registered(workshop)
    speaker = registered(workshop, role=ParticipantRole.NARASUMBER)
    db.session.flush()
    with pytest.raises(DomainError) as error:
        change_role(db.session, speaker, ParticipantRole.PESERTA)
    assert error.value.field == "role"
    db.session.refresh(speaker)
    assert speaker.role is ParticipantRole.NARASUMBER
    assert workshop.seats_taken == 1


def test_a_waiting_participant_made_committee_is_confirmed_without_a_seat(db):
    workshop = factories.make_workshop(capacity=1)
    registered(workshop)
    waiting = registered(workshop, status=RegistrationStatus.WAITLISTED, waitlist_position=1)
    db.session.flush()
    change_role(db.session, waiting, ParticipantRole.PANITIA)
    assert waiting.status is RegistrationStatus.CONFIRMED and waiting.waitlist_position is None
    assert workshop.seats_taken == 1
    with pytest.raises(DomainError):  # a guest needs a seat, and none is free
        change_role(db.session, waiting, ParticipantRole.UNDANGAN)


def test_role_of_a_cancelled_registration_cannot_change(db):
    workshop = factories.make_workshop()
    registration = registered(workshop)
    db.session.flush()
    cancel_registration(db.session, registration)
    with pytest.raises(DomainError):
        change_role(db.session, registration, ParticipantRole.MODERATOR)


# --- Walk-ins -----------------------------------------------------------------------------


def test_walk_in_takes_a_free_seat_and_is_present(db):
    workshop = factories.make_workshop(capacity=2)
    result = register_walk_in(db.session, workshop, PersonInput(
        name="Datang Langsung", organisation="Kelurahan Semarapura Kaja",
        sector=Sector.PEMERINTAH))
    registration = result.registration
    assert registration.status is RegistrationStatus.CONFIRMED
    assert registration.role is ParticipantRole.PESERTA
    assert registration.attendance is AttendanceStatus.HADIR and registration.checked_in_at
    assert workshop.seats_taken == 1


def test_walk_in_beyond_capacity_is_waitlisted_but_present_and_capacity_holds(db):
    workshop = factories.make_workshop(capacity=1)
    registered(workshop)
    db.session.flush()
    result = register_walk_in(db.session, workshop, PersonInput(
        name="Terlambat", organisation="BKM Kangin", sector=Sector.MASYARAKAT))
    registration = result.registration
    assert registration.status is RegistrationStatus.WAITLISTED
    assert registration.attendance is AttendanceStatus.HADIR
    assert workshop.seats_taken == workshop.capacity == 1
    panel = participation_panel(db.session, workshop)
    assert (panel.attended, panel.attended_from_waitlist) == (1, 1)


def test_walk_in_of_someone_already_registered_only_marks_them_present(db):
    workshop = factories.make_workshop()
    org = factories.make_organisation("Bappeda Klungkung")
    person = factories.make_person("Sudah Daftar", organisation=org, email="sudah@example.org")
    existing = factories.make_registration(workshop, person)
    result = register_walk_in(db.session, workshop, PersonInput(
        name="Sudah Daftar", organisation="Bappeda Klungkung", email="sudah@example.org"))
    assert not result.created and result.registration == existing
    assert existing.attendance is AttendanceStatus.HADIR
    assert count(db, Registration) == 1 and workshop.seats_taken == 1


# --- Attendance list and export rows ------------------------------------------------------


def test_attendance_sheet_groups_confirmed_and_attending_walk_ins_by_sector(db):
    workshop = factories.make_workshop()
    b = registered(workshop, Sector.MASYARAKAT, "Bagus")
    a = registered(workshop, Sector.MASYARAKAT, "anak Agung")
    gov = registered(workshop, Sector.PEMERINTAH, "Gede")
    walk_in = registered(workshop, Sector.MEDIA, "Walk-in", status=RegistrationStatus.WAITLISTED,
                         waitlist_position=1, attendance=AttendanceStatus.HADIR)
    registered(workshop, Sector.MEDIA, "Waiting", status=RegistrationStatus.WAITLISTED,
               waitlist_position=2)
    registered(workshop, Sector.PEMERINTAH, "Cancelled", status=RegistrationStatus.CANCELLED)
    sheet = attendance_sheet(db.session, workshop)
    assert sheet == [(Sector.PEMERINTAH, [gov]), (Sector.MASYARAKAT, [a, b]),
                     (Sector.MEDIA, [walk_in])]


def test_export_rows_leave_out_contact_details_without_permission(db):
    workshop = factories.make_workshop()
    registration = factories.make_registration(workshop, person_in(
        Sector.MEDIA, "Jurnalis", phone="+6281234567890", email="j@example.org",
        position="Redaktur"))
    header, rows = export_table([registration], include_personal=True)
    assert header == ("code", "name", "organisation", "sector", "position", "role", "status",
                      "attendance", "phone", "email")
    assert rows == [[registration.code, "Jurnalis", registration.organisation.name, "media",
                     "Redaktur", "peserta", "confirmed", "", "+6281234567890", "j@example.org"]]
    header, rows = export_table([registration], include_personal=False)
    assert "phone" not in header and "email" not in header
    assert "+6281234567890" not in rows[0] and len(rows[0]) == len(header)
