"""Public workshop page, calendar files and the invitation letter route."""

from datetime import datetime, timedelta, timezone

import pytest
from icalendar import Calendar

from kotaku_collab.models import AgendaItem, SessionType, WorkshopStatus
from tests import factories

UTC = timezone.utc
EN = {"Accept-Language": "en"}


def klungkung_workshop(**kwargs):
    # Tuesday 29 October 2030, 08.30–15.00 WITA.
    return factories.make_workshop("51.05", starts_at=datetime(2030, 10, 29, 0, 30, tzinfo=UTC),
                                   hours=6.5, **kwargs)


def test_public_page_shows_local_date_and_time_in_wita_without_login(client, db):
    workshop = klungkung_workshop(title="Lokakarya Kolaborasi Klungkung", venue="Wantilan Gelgel",
                                  objectives=["Pemetaan isu strategis"])
    db.session.commit()
    response = client.get(f"/w/{workshop.code}", headers={"Accept-Language": "id"})
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Lokakarya Kolaborasi Klungkung" in html
    assert "Selasa, 29 Oktober 2030" in html
    assert "08.30–15.00 WITA" in html
    assert "Wantilan Gelgel" in html
    assert "Kabupaten Klungkung" in html
    assert "Pemetaan isu strategis" in html
    assert response.headers["Referrer-Policy"] == "same-origin"


def test_public_page_shows_wib_for_kota_pasuruan(client, db):
    workshop = factories.make_workshop("35.75", starts_at=datetime(2030, 10, 29, 1, 30, tzinfo=UTC),
                                       hours=6.5)
    db.session.commit()
    html = client.get(f"/w/{workshop.code}", headers={"Accept-Language": "id"}).get_data(as_text=True)
    assert "Selasa, 29 Oktober 2030" in html
    assert "08.30–15.00 WIB" in html


def test_public_page_shows_the_programme_but_nobodys_contact_details(client, db):
    workshop = klungkung_workshop()
    speaker = factories.make_person("Dr. Wayan Narasumber", position="Kepala Bappeda",
                                    email="speaker.private@example.test", phone="+6281200000001")
    db.session.add(AgendaItem(workshop=workshop, starts_at=workshop.starts_at,
                              ends_at=workshop.starts_at + timedelta(hours=1),
                              title="Paparan baseline kumuh", session_type=SessionType.PAPARAN,
                              speakers=[speaker]))
    registrant = factories.make_person("Ketut Peserta Rahasia", email="registrant.private@example.test",
                                       phone="+6281299999999",
                                       organisation=factories.make_organisation("BKM Gelgel"))
    factories.make_registration(workshop, registrant)
    db.session.commit()

    html = client.get(f"/w/{workshop.code}").get_data(as_text=True)
    assert "Paparan baseline kumuh" in html
    assert "09.30 WITA" in html
    assert "Dr. Wayan Narasumber" in html and "Kepala Bappeda" in html
    for private in ("speaker.private@example.test", "6281200000001", "registrant.private@example.test",
                    "6281299999999", "Ketut Peserta Rahasia"):
        assert private not in html


def test_seats_left_and_a_full_workshop_offers_the_waiting_list(client, db):
    workshop = klungkung_workshop(capacity=3)
    factories.make_registration(workshop)
    db.session.commit()
    html = client.get(f"/w/{workshop.code}", headers=EN).get_data(as_text=True)
    assert "2 of 3 seats left" in html

    factories.make_registration(workshop)
    factories.make_registration(workshop)
    db.session.commit()
    html = client.get(f"/w/{workshop.code}", headers=EN).get_data(as_text=True)
    assert "Full — waiting list" in html


def test_open_registration_links_to_the_sign_up_form(app, client, db):
    workshop = klungkung_workshop()
    db.session.commit()
    html = client.get(f"/w/{workshop.code}", headers=EN).get_data(as_text=True)
    if {"public.register", "registration.register"} & set(app.view_functions):
        assert f'href="/w/{workshop.code}/register"' in html
    else:
        assert "Online registration opens soon." in html


@pytest.mark.parametrize("overrides, message", [
    ({"registration_opens_at": datetime(2030, 10, 20, 0, 0, tzinfo=UTC)}, "Registration opens on"),
    ({"status": WorkshopStatus.REGISTRATION_CLOSED}, "Registration is closed."),
    ({"status": WorkshopStatus.HELD}, "This workshop has taken place."),
])
def test_registration_state_is_explained(client, db, overrides, message):
    workshop = klungkung_workshop(**overrides)
    db.session.commit()
    html = client.get(f"/w/{workshop.code}", headers=EN).get_data(as_text=True)
    assert message in html
    assert f"/w/{workshop.code}/register" not in html


def test_cancelled_workshop_shows_the_reason(client, db):
    workshop = klungkung_workshop(status=WorkshopStatus.CANCELLED,
                                  cancel_reason="Bertepatan dengan Hari Raya Galungan")
    db.session.commit()
    response = client.get(f"/w/{workshop.code}", headers=EN)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "This workshop has been cancelled." in html
    assert "Bertepatan dengan Hari Raya Galungan" in html
    assert "/register" not in html


def test_drafts_and_unknown_codes_are_not_found(client, db):
    draft = klungkung_workshop(status=WorkshopStatus.DRAFT)
    db.session.commit()
    assert client.get(f"/w/{draft.code}").status_code == 404
    assert client.get(f"/w/{draft.code}.ics").status_code == 404
    assert client.get("/w/NOSUCH99").status_code == 404
    assert client.get("/w/NOSUCH99.ics").status_code == 404
    assert client.get("/w/" + "A" * 300).status_code == 404


def test_code_is_case_insensitive(client, db):
    workshop = klungkung_workshop()
    db.session.commit()
    assert client.get(f"/w/{workshop.code.lower()}").status_code == 200


def test_ics_download_parses_back_in_the_regions_zone(client, db):
    workshop = klungkung_workshop(title="Lokakarya Kolaborasi Klungkung")
    db.session.commit()
    response = client.get(f"/w/{workshop.code}.ics")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
    assert response.headers["Content-Disposition"] == f'attachment; filename="{workshop.code}.ics"'
    assert response.headers["Referrer-Policy"] == "same-origin"
    event = Calendar.from_ical(response.data).walk("VEVENT")[0]
    assert event.decoded("DTSTART") == datetime(2030, 10, 29, 0, 30, tzinfo=UTC)
    assert event["DTSTART"].params["TZID"] == "Asia/Makassar"
    assert str(event["URL"]) == f"http://localhost/w/{workshop.code}"


def test_region_feed_lists_only_that_regions_public_workshops(client, db):
    klungkung = klungkung_workshop(title="Klungkung published")
    factories.make_workshop("51.05", title="Klungkung draft", status=WorkshopStatus.DRAFT)
    factories.make_workshop("35.75", title="Pasuruan published")
    db.session.commit()
    response = client.get("/calendar/51.05.ics")
    assert response.status_code == 200
    assert response.mimetype == "text/calendar"
    events = Calendar.from_ical(response.data).walk("VEVENT")
    assert [str(e["UID"]) for e in events] == [f"{klungkung.code}@kotaku-collab"]


@pytest.mark.parametrize("code", ["99.99", "51", "51.05.03"])
def test_region_feed_is_not_found_for_unknown_or_non_kabkota_regions(client, db, code):
    factories.make_region("51.05.03")
    db.session.commit()
    assert client.get(f"/calendar/{code}.ics").status_code == 404


# --- The invitation letter ----------------------------------------------------------------


def test_organiser_downloads_the_invitation_pdf(client, login_as, db):
    workshop = klungkung_workshop(venue="Ruang Rapat Bappeda", invitation_number="005/77/2030")
    db.session.commit()
    login_as("organiser", regions=["51.05"])
    page = client.get(f"/workshops/{workshop.id}").get_data(as_text=True)
    assert f"/manage/workshops/{workshop.id}/invitation.pdf" in page
    assert f"/w/{workshop.code}.ics" in page

    response = client.get(f"/manage/workshops/{workshop.id}/invitation.pdf")
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert response.data.startswith(b"%PDF")
    assert response.headers["Content-Disposition"] == \
        f'inline; filename="undangan-{workshop.code}.pdf"'
    assert response.headers["Cache-Control"] == "no-store"


def test_invitation_pdf_is_hidden_from_other_regions_and_stakeholders(client, login_as, db):
    workshop = klungkung_workshop()
    db.session.commit()
    url = f"/manage/workshops/{workshop.id}/invitation.pdf"

    assert client.get(url).status_code == 302  # anonymous: to the login page

    login_as("organiser", regions=["35.75"])
    assert client.get(url).status_code == 404
    assert client.get(f"/manage/workshops/{workshop.id + 1000}/invitation.pdf").status_code == 404

    login_as("stakeholder", organisation=factories.make_organisation(region_code="51.05"))
    assert client.get(url).status_code in (403, 404)

    login_as("reviewer", regions=["51.05"])
    assert client.get(url).status_code == 403

