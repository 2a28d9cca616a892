"""Workshop pages: lists, scheduling, lifecycle, agenda, permissions and bad input."""

from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import func, select

from kotaku_collab.models import AgendaItem, Workshop, WorkshopStatus
from tests import factories

UTC = timezone.utc


def form_data(**overrides):
    data = {
        "title": "Lokakarya Kolaborasi Klungkung", "kind": "lokakarya_kolaborasi",
        "region_code": "51.05", "venue": "Ruang rapat BPKPD", "starts_local": "2030-10-29T08:30",
        "ends_local": "2030-10-29T15:00", "capacity": "40",
        "objectives": "Pemahaman bersama\nPemetaan isu strategis",
    }
    data.update(overrides)
    return data


@pytest.fixture
def organiser(login_as, db):
    factories.make_region("35.75")
    return login_as("organiser", regions=["51.05"])


def test_organiser_creates_a_workshop_in_local_time(client, organiser, db):
    response = client.post("/manage/workshops/new", data=form_data())
    assert response.status_code == 302
    workshop = db.session.scalars(select(Workshop)).one()
    assert workshop.starts_at == datetime(2030, 10, 29, 0, 30, tzinfo=UTC)
    assert workshop.status is WorkshopStatus.DRAFT
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "08.30–15.00 WITA" in page


@pytest.mark.parametrize("overrides, message", [
    ({"ends_local": "2030-10-29T07:00"}, "end must be after"),
    ({"capacity": "0"}, "between 1 and 500"),
    ({"capacity": "-3"}, "between 1 and 500"),
    ({"capacity": "99999"}, "between 1 and 500"),
    ({"capacity": "banyak"}, "Not a valid integer"),
    ({"starts_local": "29/10/2030 8:30"}, "Not a valid datetime"),
    ({"region_code": "99.99"}, "Not a valid choice"),
    ({"region_code": "35.75"}, "Not a valid choice"),
])
def test_bad_input_rerenders_with_message_and_keeps_input(client, organiser, db, overrides, message):
    response = client.post("/manage/workshops/new", data=form_data(**overrides))
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert message in html
    assert 'value="Ruang rapat BPKPD"' in html
    assert db.session.scalar(select(func.count(Workshop.id))) == 0


def test_organiser_cannot_touch_another_regions_workshop(client, organiser, db):
    other = factories.make_workshop("35.75")
    db.session.commit()
    assert client.get(f"/workshops/{other.id}").status_code == 404
    assert client.get(f"/manage/workshops/{other.id}/edit").status_code == 404
    assert client.post(f"/manage/workshops/{other.id}/status", data={"status": "cancelled"}).status_code == 404
    assert client.post(f"/manage/workshops/{other.id}/duplicate").status_code == 404
    assert client.get(f"/manage/workshops/{other.id}/agenda").status_code == 404


def test_reviewer_can_view_but_not_edit(client, login_as, db):
    workshop = factories.make_workshop("51.05")
    db.session.commit()
    login_as("reviewer", regions=["51.05"])
    assert client.get(f"/workshops/{workshop.id}").status_code == 200
    assert client.get(f"/manage/workshops/{workshop.id}/edit").status_code == 403
    assert client.get("/manage/workshops/new").status_code == 403


def test_publish_then_illegal_transition_says_why(client, organiser, db):
    workshop = factories.make_workshop("51.05", status=WorkshopStatus.DRAFT)
    db.session.commit()
    client.post(f"/manage/workshops/{workshop.id}/status", data={"status": "published"})
    db.session.refresh(workshop)
    assert workshop.status is WorkshopStatus.PUBLISHED
    response = client.post(f"/manage/workshops/{workshop.id}/status", data={"status": "finalised"},
                           follow_redirects=True)
    assert "cannot go from" in response.get_data(as_text=True)
    db.session.refresh(workshop)
    assert workshop.status is WorkshopStatus.PUBLISHED
    assert client.post(f"/manage/workshops/{workshop.id}/status", data={"status": "nonsense"}).status_code == 400


def test_cancel_requires_a_reason(client, organiser, db):
    workshop = factories.make_workshop("51.05")
    db.session.commit()
    response = client.post(f"/manage/workshops/{workshop.id}/cancel", data={"reason": ""})
    assert response.status_code == 200 and "This field is required" in response.get_data(as_text=True)
    client.post(f"/manage/workshops/{workshop.id}/cancel", data={"reason": "Banjir"})
    db.session.refresh(workshop)
    assert workshop.status is WorkshopStatus.CANCELLED and workshop.cancel_reason == "Banjir"


def test_agenda_add_outside_window_keeps_input(client, organiser, db):
    workshop = factories.make_workshop("51.05", starts_at=datetime(2030, 10, 29, 0, 30, tzinfo=UTC), hours=6.5)
    db.session.commit()
    url = f"/manage/workshops/{workshop.id}/agenda"
    ok = client.post(url, data={"title": "Pembukaan", "session_type": "pembukaan", "day": "2030-10-29",
                                "start": "08:30", "end": "09:00"})
    assert ok.status_code == 302
    bad = client.post(url, data={"title": "Diskusi malam", "session_type": "pleno", "day": "2030-10-29",
                                 "start": "19:00", "end": "20:00"})
    html = bad.get_data(as_text=True)
    assert bad.status_code == 200 and "inside the workshop" in html and 'value="Diskusi malam"' in html
    assert db.session.scalar(select(func.count(AgendaItem.id))) == 1


def test_venue_conflict_needs_explicit_confirmation(client, organiser, db):
    factories.make_workshop("51.05", venue="Ruang rapat BPKPD", title="Rapat Pokja",
                            starts_at=datetime(2030, 10, 29, 1, 0, tzinfo=UTC))
    db.session.commit()
    first = client.post("/manage/workshops/new", data=form_data())
    assert first.status_code == 200 and "Rapat Pokja" in first.get_data(as_text=True)
    assert db.session.scalar(select(func.count(Workshop.id))) == 1
    second = client.post("/manage/workshops/new", data=form_data(confirm_conflicts="y"))
    assert second.status_code == 302
    assert db.session.scalar(select(func.count(Workshop.id))) == 2


def test_list_filters_and_pagination(client, organiser, db):
    now = datetime.now(UTC)
    for i in range(25):
        factories.make_workshop("51.05", title=f"Lokakarya {i:02d}", starts_at=now + timedelta(days=i + 1))
    factories.make_workshop("51.05", title="Sosialisasi lama", starts_at=now - timedelta(days=30))
    db.session.commit()
    first = client.get("/workshops/").get_data(as_text=True)
    assert "Lokakarya 00" in first and "Lokakarya 24" not in first and "Sosialisasi lama" not in first
    assert "Lokakarya 24" in client.get("/workshops/?page=2").get_data(as_text=True)
    past = client.get("/workshops/?when=past").get_data(as_text=True)
    assert "Sosialisasi lama" in past and "Lokakarya 00" not in past
    found = client.get("/workshops/?when=all&q=sosialisasi").get_data(as_text=True)
    assert "Sosialisasi lama" in found and "Lokakarya 01" not in found
    assert client.get("/workshops/?date_from=kemarin").status_code == 200
    assert client.get("/workshops/?page=999").status_code == 200


def test_list_query_count_does_not_grow_with_rows(client, organiser, db):
    factories.make_workshop("51.05")
    db.session.commit()
    one = int(client.get("/workshops/").headers["X-Query-Count"])
    for _ in range(15):
        factories.make_workshop("51.05")
    db.session.commit()
    many = int(client.get("/workshops/").headers["X-Query-Count"])
    assert one == many


def test_month_calendar_shows_workshop_on_its_local_day(client, organiser, db):
    # 06.00 WITA on 1 Nov is 22.00 UTC on 31 Oct: the calendar must show it on 1 Nov.
    factories.make_workshop("51.05", title="Pagi buta", starts_at=datetime(2030, 10, 31, 22, 0, tzinfo=UTC))
    db.session.commit()
    html = client.get("/workshops/calendar?month=2030-11").get_data(as_text=True)
    assert "Pagi buta" in html and "06.00 WITA" in html
    assert client.get("/workshops/calendar?month=2030-13").status_code == 200


def test_detail_page_query_count_is_constant(client, organiser, db):
    workshop = factories.make_workshop("51.05")
    factories.make_registration(workshop)
    db.session.commit()
    one = int(client.get(f"/workshops/{workshop.id}").headers["X-Query-Count"])
    for _ in range(30):
        factories.make_registration(workshop)
    db.session.commit()
    many = int(client.get(f"/workshops/{workshop.id}").headers["X-Query-Count"])
    assert one == many


def test_detail_page_masks_phone_numbers_and_hides_emails(client, organiser, db):
    workshop = factories.make_workshop("51.05")
    person = factories.make_person("Ni Made Ayu", phone="+6281234567890", email="ayu@example.org",
                                   organisation=factories.make_organisation())
    factories.make_registration(workshop, person)
    db.session.commit()
    html = client.get(f"/workshops/{workshop.id}").get_data(as_text=True)
    assert "Ni Made Ayu" in html
    assert "+6281234567890" not in html and "ayu@example.org" not in html
    assert "+62812" in html and "890" in html
