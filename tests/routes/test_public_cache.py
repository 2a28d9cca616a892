"""The public workshop page's cached body (services/fragments.py): every change to what it
shows appears on the next view, and the registration state, the sign-up link and the language
each have their own copy."""

import re
from datetime import datetime, timedelta, timezone

import pytest

from kotaku_collab.models import AgendaItem, OrganiserRole, SessionType, WorkshopOrganiser
from kotaku_collab.public import routes as public_routes
from kotaku_collab.services import fragments
from tests import factories

UTC = timezone.utc
EN = {"Accept-Language": "en"}
START = datetime(2030, 10, 29, 0, 30, tzinfo=UTC)
# The CSRF token in the page chrome is signed with the current second, so two renders a second
# apart differ there and nowhere else.
CSRF_TOKEN = re.compile(r'name="csrf_token" value="[^"]*"')


@pytest.fixture(autouse=True)
def empty_cache():
    fragments.clear()
    yield
    fragments.clear()


def page(client, workshop, headers=EN) -> str:
    response = client.get(f"/w/{workshop.code}", headers=headers)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def without_csrf_token(html: str) -> str:
    return CSRF_TOKEN.sub('name="csrf_token" value=""', html)


def test_a_repeat_view_is_cheaper_and_every_change_shows_on_the_next(client, db):
    workshop = factories.make_workshop("51.05", starts_at=START, hours=6.5, capacity=3,
                                       title="Lokakarya Klungkung")
    db.session.commit()
    first = client.get(f"/w/{workshop.code}", headers=EN)
    repeat = client.get(f"/w/{workshop.code}", headers=EN)
    assert int(repeat.headers["X-Query-Count"]) < int(first.headers["X-Query-Count"])
    assert "3 of 3 seats left" in repeat.get_data(as_text=True)

    factories.make_registration(workshop)
    db.session.commit()
    assert "2 of 3 seats left" in page(client, workshop)

    speaker = factories.make_person("Dr. Wayan Narasumber")
    workshop.agenda_items.append(AgendaItem(
        starts_at=START, ends_at=START + timedelta(hours=1), title="Paparan baseline",
        session_type=SessionType.PAPARAN, speakers=[speaker]))
    db.session.commit()
    assert "Paparan baseline" in page(client, workshop)

    speaker.name = "Dr. Wayan Sudarma"
    db.session.commit()
    assert "Dr. Wayan Sudarma" in page(client, workshop)

    bappeda = factories.make_organisation("Baperlitbang Klungkung", region_code="51.05")
    workshop.organisers.append(WorkshopOrganiser(organisation=bappeda,
                                                 role=OrganiserRole.PENYELENGGARA))
    db.session.commit()
    assert "Baperlitbang Klungkung" in page(client, workshop)

    bappeda.name = "Bappeda Klungkung"
    workshop.region.name = "Kab. Klungkung"
    db.session.commit()
    html = page(client, workshop)
    assert "Bappeda Klungkung" in html and "Kab. Klungkung" in html


def test_the_registration_state_and_language_have_their_own_copies(client, db, monkeypatch):
    workshop = factories.make_workshop("51.05", starts_at=START, hours=6.5,
                                       registration_closes_at=START - timedelta(days=1))
    db.session.commit()
    open_page = page(client, workshop)
    assert "Registration is open until" in open_page
    assert "Pendaftaran" in page(client, workshop, {"Accept-Language": "id"})
    # The same data a day after registration closed: nothing was written, the state changed.
    monkeypatch.setattr(public_routes, "utc_now", lambda: START - timedelta(hours=12))
    closed_page = page(client, workshop)
    assert "Registration is closed." in closed_page
    assert f"/w/{workshop.code}/register" not in closed_page
    monkeypatch.undo()
    assert without_csrf_token(page(client, workshop)) == without_csrf_token(open_page)
