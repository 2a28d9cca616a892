"""Scheduling rules: times and zones, lifecycle, agenda, conflicts, rescheduling notices."""

from datetime import date, datetime, time, timedelta, timezone

import pytest
from sqlalchemy import select

from kotaku_collab.models import (Notification, NotificationKind, OrganiserRole,
                                  RegistrationStatus, SessionType, WorkshopKind, WorkshopStatus)
from kotaku_collab.services import DomainError
from kotaku_collab.services.scheduling import (TRANSITIONS, AgendaInput, WorkshopInput,
                                               add_agenda_item, create_workshop,
                                               delete_agenda_item, duplicate_workshop,
                                               find_conflicts, move_agenda_item,
                                               to_local_naive, transition, update_agenda_item,
                                               update_workshop, workshop_days)
from tests import factories

UTC = timezone.utc


def workshop_input(region_code="51.05", **overrides) -> WorkshopInput:
    values = dict(
        title="Lokakarya Kolaborasi", kind=WorkshopKind.LOKAKARYA_KOLABORASI,
        region_code=region_code, venue="Ruang rapat BPKPD",
        starts_local=datetime(2030, 10, 29, 8, 30), ends_local=datetime(2030, 10, 29, 15, 0),
        capacity=40, objectives=["Pemahaman bersama", "", "Pemetaan isu strategis"],
    )
    values.update(overrides)
    return WorkshopInput(**values)


@pytest.fixture
def regions(db):
    factories.make_region("51.05")
    factories.make_region("35.75")
    factories.make_region("51.05.03")


def test_klungkung_times_are_entered_in_wita_and_stored_in_utc(db, regions):
    workshop = create_workshop(db.session, workshop_input("51.05"))
    assert workshop.starts_at == datetime(2030, 10, 29, 0, 30, tzinfo=UTC)
    assert workshop.ends_at == datetime(2030, 10, 29, 7, 0, tzinfo=UTC)
    assert workshop.region.zone_abbreviation == "WITA"
    assert to_local_naive(workshop.starts_at, workshop.region.timezone) == datetime(2030, 10, 29, 8, 30)
    assert workshop.status is WorkshopStatus.DRAFT
    assert workshop.objectives == ["Pemahaman bersama", "Pemetaan isu strategis"]


def test_pasuruan_times_are_entered_in_wib(db, regions):
    workshop = create_workshop(db.session, workshop_input("35.75", starts_local=datetime(2030, 8, 29, 8, 0),
                                                          ends_local=datetime(2030, 8, 29, 14, 0)))
    assert workshop.starts_at == datetime(2030, 8, 29, 1, 0, tzinfo=UTC)
    assert workshop.region.zone_abbreviation == "WIB"


def test_evening_workshop_crossing_midnight_utc_round_trips(db, regions):
    # 06.00–09.30 WITA on 1 Nov is 22.00 on 31 Oct to 01.30 on 1 Nov in UTC.
    workshop = create_workshop(db.session, workshop_input(
        starts_local=datetime(2030, 11, 1, 6, 0), ends_local=datetime(2030, 11, 1, 9, 30)))
    db.session.commit()
    db.session.expire_all()
    assert workshop.starts_at == datetime(2030, 10, 31, 22, 0, tzinfo=UTC)
    assert workshop.ends_at.date() == date(2030, 11, 1)
    assert workshop_days(workshop) == [date(2030, 11, 1)]
    assert to_local_naive(workshop.ends_at, "Asia/Makassar") == datetime(2030, 11, 1, 9, 30)


@pytest.mark.parametrize("overrides, field", [
    ({"ends_local": datetime(2030, 10, 29, 8, 0)}, "ends_local"),
    ({"ends_local": datetime(2030, 11, 29, 8, 0)}, "ends_local"),
    ({"capacity": 0}, "capacity"),
    ({"capacity": -5}, "capacity"),
    ({"capacity": 100000}, "capacity"),
    ({"region_code": "51.05.03"}, "region_code"),
    ({"region_code": "99.99"}, "region_code"),
    ({"registration_opens_local": datetime(2030, 10, 1), "registration_closes_local": datetime(2030, 9, 1)},
     "registration_closes_local"),
    ({"registration_closes_local": datetime(2030, 10, 30)}, "registration_closes_local"),
])
def test_invalid_workshop_input_is_refused_with_the_field_named(db, regions, overrides, field):
    with pytest.raises(DomainError) as error:
        create_workshop(db.session, workshop_input(**overrides))
    assert error.value.field == field


def test_organisers_are_linked_with_their_role(db, regions):
    bappeda = factories.make_organisation("Baperlitbang")
    tim = factories.make_organisation("Tim KOTAKU")
    workshop = create_workshop(db.session, workshop_input(organisers=[
        (bappeda.id, OrganiserRole.PENYELENGGARA), (tim.id, OrganiserRole.FASILITATOR)]))
    assert {(o.organisation.name, o.role) for o in workshop.organisers} == {
        ("Baperlitbang", OrganiserRole.PENYELENGGARA), ("Tim KOTAKU", OrganiserRole.FASILITATOR)}
    update_workshop(db.session, workshop, workshop_input(organisers=[(tim.id, OrganiserRole.PENYELENGGARA)]))
    assert [(o.organisation_id, o.role) for o in workshop.organisers] == [(tim.id, OrganiserRole.PENYELENGGARA)]


# Finalising also needs complete minutes: tests/services/test_minutes.py covers that move.
LEGAL = [(a, b) for a, targets in TRANSITIONS.items() for b in targets
         if (a, b) != (WorkshopStatus.HELD, WorkshopStatus.FINALISED)]
ILLEGAL = [(a, b) for a in WorkshopStatus for b in WorkshopStatus
           if b not in TRANSITIONS[a]]


@pytest.mark.parametrize("source, target", LEGAL)
def test_every_legal_transition_succeeds(db, source, target):
    # A workshop that has started but not ended satisfies every time condition.
    now = datetime.now(UTC)
    workshop = factories.make_workshop(status=source, starts_at=now - timedelta(hours=1), hours=5)
    transition(db.session, workshop, target, reason="Banjir")
    assert workshop.status is target


@pytest.mark.parametrize("source, target", ILLEGAL)
def test_every_illegal_transition_is_refused_with_a_reason(db, source, target):
    workshop = factories.make_workshop(status=source)
    with pytest.raises(DomainError) as error:
        transition(db.session, workshop, target, reason="x")
    assert error.value.message
    assert workshop.status is source


def test_cancelling_needs_a_reason_and_tells_registrants(db):
    workshop = factories.make_workshop(status=WorkshopStatus.PUBLISHED)
    person = factories.make_person(email="peserta@example.org",
                                   organisation=factories.make_organisation())
    factories.make_registration(workshop, person)
    factories.make_registration(workshop, status=RegistrationStatus.CANCELLED)
    with pytest.raises(DomainError) as error:
        transition(db.session, workshop, WorkshopStatus.CANCELLED, reason="  ")
    assert error.value.field == "reason"
    transition(db.session, workshop, WorkshopStatus.CANCELLED, reason="Bencana banjir")
    notes = db.session.scalars(select(Notification)).all()
    assert [(n.kind, n.email) for n in notes] == [(NotificationKind.WORKSHOP_CANCELLED, "peserta@example.org")]
    assert "Bencana banjir" in notes[0].body
    assert workshop.cancel_reason == "Bencana banjir"


def test_held_workshop_cannot_be_cancelled(db):
    workshop = factories.make_workshop(status=WorkshopStatus.HELD)
    with pytest.raises(DomainError, match="held"):
        transition(db.session, workshop, WorkshopStatus.CANCELLED, reason="x")


def test_cannot_mark_held_before_start_or_publish_after_end(db):
    future = factories.make_workshop(status=WorkshopStatus.PUBLISHED)
    with pytest.raises(DomainError):
        transition(db.session, future, WorkshopStatus.HELD)
    past = factories.make_workshop(status=WorkshopStatus.DRAFT,
                                   starts_at=datetime(2019, 10, 29, 0, 30, tzinfo=UTC))
    with pytest.raises(DomainError):
        transition(db.session, past, WorkshopStatus.PUBLISHED)


def test_date_change_of_published_workshop_is_flagged_to_registrants(db, regions):
    workshop = create_workshop(db.session, workshop_input())
    transition(db.session, workshop, WorkshopStatus.PUBLISHED)
    factories.make_registration(workshop, factories.make_person(
        email="a@example.org", organisation=factories.make_organisation()))
    update_workshop(db.session, workshop, workshop_input(title="Judul baru"))
    assert workshop.rescheduled_at is None  # the title changed, not the date
    update_workshop(db.session, workshop, workshop_input(
        starts_local=datetime(2030, 11, 5, 8, 30), ends_local=datetime(2030, 11, 5, 15, 0)))
    assert workshop.rescheduled_at is not None
    note = db.session.scalars(select(Notification)).one()
    assert note.kind is NotificationKind.WORKSHOP_RESCHEDULED
    assert "5 November 2030" in note.body and "WITA" in note.body


def test_date_change_of_draft_is_not_announced(db, regions):
    workshop = create_workshop(db.session, workshop_input())
    update_workshop(db.session, workshop, workshop_input(starts_local=datetime(2030, 11, 5, 8, 30),
                                                         ends_local=datetime(2030, 11, 5, 15, 0)))
    assert workshop.rescheduled_at is None
    assert db.session.scalars(select(Notification)).all() == []


def test_capacity_cannot_drop_below_confirmed_seats(db, regions):
    workshop = create_workshop(db.session, workshop_input(capacity=3))
    for _ in range(3):
        factories.make_registration(workshop)
    with pytest.raises(DomainError) as error:
        update_workshop(db.session, workshop, workshop_input(capacity=2))
    assert error.value.field == "capacity"


def agenda(title, start, end, **kwargs):
    return AgendaInput(title=title, session_type=kwargs.pop("session_type", SessionType.PAPARAN),
                       day=date(2030, 10, 29), start=time(*start), end=time(*end), **kwargs)


def test_agenda_items_must_fit_the_window_and_not_overlap(db, regions):
    workshop = create_workshop(db.session, workshop_input())
    add_agenda_item(db.session, workshop, agenda("Pembukaan", (8, 30), (9, 0),
                                                 session_type=SessionType.PEMBUKAAN))
    add_agenda_item(db.session, workshop, agenda("Paparan", (9, 0), (10, 0)))
    with pytest.raises(DomainError, match="Pembukaan"):
        add_agenda_item(db.session, workshop, agenda("Tumpang", (8, 45), (9, 15)))
    with pytest.raises(DomainError) as error:
        add_agenda_item(db.session, workshop, agenda("Terlalu pagi", (7, 0), (8, 0)))
    assert error.value.field == "start"
    with pytest.raises(DomainError) as error:
        add_agenda_item(db.session, workshop, agenda("Terbalik", (11, 0), (10, 0)))
    assert error.value.field == "end"
    assert [i.title for i in workshop.agenda_items] == ["Pembukaan", "Paparan"]


def test_reordering_swaps_slots_and_keeps_durations(db, regions):
    workshop = create_workshop(db.session, workshop_input())
    opening = add_agenda_item(db.session, workshop, agenda("Pembukaan", (8, 30), (9, 0)))
    talk = add_agenda_item(db.session, workshop, agenda("Paparan", (9, 0), (10, 0)))
    move_agenda_item(db.session, talk, -1)
    tz = "Asia/Makassar"
    assert [i.title for i in sorted(workshop.agenda_items, key=lambda i: i.position)] == ["Paparan", "Pembukaan"]
    assert to_local_naive(talk.starts_at, tz).time() == time(8, 30)
    assert to_local_naive(talk.ends_at, tz).time() == time(9, 30)
    assert to_local_naive(opening.starts_at, tz).time() == time(9, 30)
    assert to_local_naive(opening.ends_at, tz).time() == time(10, 0)
    with pytest.raises(DomainError):
        move_agenda_item(db.session, talk, -1)


def test_editing_and_deleting_agenda_items(db, regions):
    workshop = create_workshop(db.session, workshop_input())
    speaker = factories.make_person("I Wayan Wasta")
    item = add_agenda_item(db.session, workshop, agenda("Paparan", (9, 0), (10, 0), speaker_ids=[speaker.id]))
    update_agenda_item(db.session, item, agenda("Paparan Baperlitbang", (9, 0), (10, 30),
                                                speaker_ids=[speaker.id]))
    assert item.title == "Paparan Baperlitbang" and item.speakers == [speaker]
    delete_agenda_item(db.session, item)
    assert workshop.agenda_items == []


def test_moving_the_workshop_moves_its_agenda(db, regions):
    workshop = create_workshop(db.session, workshop_input())
    item = add_agenda_item(db.session, workshop, agenda("Paparan", (9, 0), (10, 0)))
    update_workshop(db.session, workshop, workshop_input(starts_local=datetime(2030, 10, 30, 8, 30),
                                                         ends_local=datetime(2030, 10, 30, 15, 0)))
    assert to_local_naive(item.starts_at, "Asia/Makassar") == datetime(2030, 10, 30, 9, 0)


def test_venue_double_booking_is_a_conflict(db, regions):
    existing = create_workshop(db.session, workshop_input(title="Rapat lain"))
    conflicts = find_conflicts(db.session, venue="ruang rapat bpkpd",
                               starts_at=existing.starts_at + timedelta(hours=1),
                               ends_at=existing.ends_at + timedelta(hours=1))
    assert [(c.kind, c.workshop.id) for c in conflicts] == [("venue", existing.id)]
    assert find_conflicts(db.session, venue="ruang rapat bpkpd", starts_at=existing.ends_at,
                          ends_at=existing.ends_at + timedelta(hours=2)) == []
    assert find_conflicts(db.session, venue="ruang rapat bpkpd", starts_at=existing.starts_at,
                          ends_at=existing.ends_at, exclude_workshop_id=existing.id) == []


def test_speaker_in_two_workshops_at_once_is_a_conflict(db, regions):
    speaker = factories.make_person("Ary Susanta Riman")
    first = create_workshop(db.session, workshop_input(venue="Aula A"))
    add_agenda_item(db.session, first, agenda("Paparan", (9, 0), (10, 0), speaker_ids=[speaker.id]))
    conflicts = find_conflicts(db.session, venue="Aula B", starts_at=first.starts_at,
                               ends_at=first.ends_at, person_ids=[speaker.id])
    assert [c.kind for c in conflicts] == ["speaker"]
    assert "Ary Susanta Riman" in conflicts[0].message
    transition(db.session, first, WorkshopStatus.CANCELLED, reason="Ditunda")
    assert find_conflicts(db.session, venue="Aula B", starts_at=first.starts_at,
                          ends_at=first.ends_at, person_ids=[speaker.id]) == []


def test_duplicate_creates_a_follow_up_draft_with_the_agenda(db, regions):
    workshop = create_workshop(db.session, workshop_input())
    add_agenda_item(db.session, workshop, agenda("Paparan", (9, 0), (10, 0)))
    transition(db.session, workshop, WorkshopStatus.PUBLISHED)
    copy = duplicate_workshop(db.session, workshop)
    assert copy.previous_id == workshop.id
    assert copy.status is WorkshopStatus.DRAFT and copy.seats_taken == 0
    assert copy.code != workshop.code
    assert copy.starts_at == workshop.starts_at + timedelta(weeks=12)
    assert [i.title for i in copy.agenda_items] == ["Paparan"]
