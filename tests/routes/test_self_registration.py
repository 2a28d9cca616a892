"""Public self-registration at /w/<code>/register: validation, duplicates, closing, cancel."""

import re
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import func, select

from kotaku_collab.models import (Notification, NotificationKind, Organisation, Person,
                                  Registration, RegistrationStatus, WorkshopStatus)
from tests import factories


def form(**overrides):
    data = {"name": "Ni Luh Putu Ayu", "organisation": "BKM Semarapura Kaja", "sector": "masyarakat",
            "position": "Koordinator", "phone": "0812-3456-7890", "email": "ayu@example.org",
            "gender": "P", "consent": "y"}
    data.update(overrides)
    return data


@pytest.fixture
def workshop(db):
    w = factories.make_workshop("51.05", capacity=2)
    db.session.commit()
    return w


def count(db, model):
    return db.session.scalar(select(func.count()).select_from(model))


def test_self_registration_confirms_and_shows_code_and_qr(client, workshop, db):
    response = client.post(f"/w/{workshop.code}/register", data=form())
    assert response.status_code == 302
    page = client.get(response.headers["Location"])
    html = page.get_data(as_text=True)
    registration = db.session.scalars(select(Registration)).one()
    assert registration.status is RegistrationStatus.CONFIRMED
    assert registration.person.phone == "+6281234567890"
    assert registration.consent_at is not None and registration.self_registered
    assert registration.code in html and "data:image/png;base64," in html
    assert page.headers["Referrer-Policy"] == "same-origin"
    note = db.session.scalars(select(Notification)).one()
    assert note.kind is NotificationKind.REGISTRATION_CONFIRMED and note.email == "ayu@example.org"
    assert registration.code in note.body and "/cancel/" in note.body


def test_registering_twice_is_a_friendly_message_not_a_second_seat(client, workshop, db):
    client.post(f"/w/{workshop.code}/register", data=form())
    again = client.post(f"/w/{workshop.code}/register", data=form(email="AYU@example.org "))
    assert again.status_code == 200
    assert 'data-testid="already-registered"' in again.get_data(as_text=True)
    assert count(db, Registration) == 1
    db.session.refresh(workshop)
    assert workshop.seats_taken == 1


def test_full_workshop_puts_people_on_the_waiting_list(client, workshop, db):
    for i in range(3):
        client.post(f"/w/{workshop.code}/register", data=form(email=f"p{i}@example.org"))
    statuses = db.session.scalars(select(Registration.status).order_by(Registration.id)).all()
    assert statuses == [RegistrationStatus.CONFIRMED, RegistrationStatus.CONFIRMED,
                        RegistrationStatus.WAITLISTED]


@pytest.mark.parametrize("overrides, message", [
    ({"consent": ""}, "needs your consent"),
    ({"phone": "12345"}, "not a valid phone number"),
    ({"phone": "08xx-abcd"}, "not a valid phone number"),
    ({"email": "ayu @example.org"}, "valid e-mail"),
    ({"name": "A" * 10000}, "longer than 120"),
    ({"name": ""}, "This field is required"),
    ({"sector": "alien"}, "Not a valid choice"),
    ({"gender": "X"}, "Not a valid choice"),
])
def test_bad_input_is_refused_and_nothing_is_stored(client, workshop, db, overrides, message):
    response = client.post(f"/w/{workshop.code}/register", data=form(**overrides))
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert message in html
    assert 'value="BKM Semarapura Kaja"' in html  # the rest of the input is kept
    assert (count(db, Registration), count(db, Person), count(db, Organisation)) == (0, 0, 0)


def test_script_tags_are_stored_as_text_and_escaped(client, workshop, db, login_as):
    payload = '<script>alert("x")</script>'
    client.post(f"/w/{workshop.code}/register", data=form(name=payload, organisation=payload))
    login_as("organiser", regions=["51.05"])
    html = client.get(f"/workshops/{workshop.id}").get_data(as_text=True)
    assert payload not in html and "&lt;script&gt;" in html


@pytest.mark.parametrize("status", [WorkshopStatus.CANCELLED, WorkshopStatus.REGISTRATION_CLOSED])
def test_registration_refused_when_closed_or_cancelled(client, db, status):
    w = factories.make_workshop("51.05", status=status)
    db.session.commit()
    response = client.post(f"/w/{w.code}/register", data=form())
    assert response.status_code == 200 and 'data-testid="registration-closed"' in response.get_data(as_text=True)
    assert count(db, Registration) == 0


def test_registration_refused_after_the_closing_time(client, db):
    now = datetime.now(timezone.utc)
    w = factories.make_workshop("51.05", registration_opens_at=now - timedelta(days=2),
                                registration_closes_at=now - timedelta(minutes=1))
    db.session.commit()
    client.post(f"/w/{w.code}/register", data=form())
    assert count(db, Registration) == 0


def test_draft_and_unknown_codes_are_404(client, db):
    draft = factories.make_workshop("51.05", status=WorkshopStatus.DRAFT)
    db.session.commit()
    assert client.get(f"/w/{draft.code}/register").status_code == 404
    assert client.get("/w/NOSUCHCODE/register").status_code == 404


def test_cancel_link_with_wrong_token_changes_nothing(client, workshop, db):
    client.post(f"/w/{workshop.code}/register", data=form())
    registration = db.session.scalars(select(Registration)).one()
    bad = client.post(f"/w/{workshop.code}/cancel/{registration.code}/not-the-token")
    assert bad.status_code == 200 and "not valid" in bad.get_data(as_text=True)
    db.session.refresh(registration)
    assert registration.status is RegistrationStatus.CONFIRMED
    note = db.session.scalars(select(Notification)).one()
    link = re.search(r"/w/\S+/cancel/\S+", note.body).group(0)
    good = client.post(link)
    assert good.status_code == 200
    db.session.refresh(registration)
    assert registration.status is RegistrationStatus.CANCELLED


def test_mass_assignment_fields_are_ignored(client, workshop, db):
    client.post(f"/w/{workshop.code}/register",
                data=form(status="waitlisted", seats_taken="0", role="narasumber", capacity="999"))
    registration = db.session.scalars(select(Registration)).one()
    assert registration.role.value == "peserta"
    db.session.refresh(workshop)
    assert (workshop.capacity, workshop.seats_taken) == (2, 1)


def test_qr_check_in_needs_an_organiser_of_the_region(client, workshop, db, login_as):
    client.post(f"/w/{workshop.code}/register", data=form())
    registration = db.session.scalars(select(Registration)).one()
    login_as("organiser", regions=["35.75"])
    assert client.post(f"/manage/checkin/{registration.code}").status_code == 404
    login_as("organiser", regions=["51.05"])
    assert client.get(f"/manage/checkin/{registration.code}").status_code == 200
    db.session.refresh(registration)
    assert registration.attendance is None  # a GET changes nothing
    client.post(f"/manage/checkin/{registration.code}")
    db.session.refresh(registration)
    assert registration.attendance.value == "hadir" and registration.checked_in_at is not None
