"""The participant list's cached fragments (services/fragments.py): a repeat view loads nothing,
every registration, check-in or other change shows on the next view, viewers with other
permissions get their own HTML, and the shared HTML holds nobody's CSRF token."""

from __future__ import annotations

import re
from datetime import datetime, timezone

import pytest

from kotaku_collab.database import count_queries
from kotaku_collab.models import Gender, Role
from kotaku_collab.participants import routes
from kotaku_collab.permissions import RULES
from kotaku_collab.services import fragments
from tests import factories

PHONE = "+6281234567890"
TOKEN = re.compile(r'name="(?:new-)?csrf_token" value="([^"]*)"')


@pytest.fixture(autouse=True)
def english(client):
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"


@pytest.fixture(autouse=True)
def empty_cache():
    fragments.clear()
    yield
    fragments.clear()


@pytest.fixture
def workshop(db):
    w = factories.make_workshop("51.05", capacity=5, title="Lokakarya Klungkung")
    db.session.commit()
    return w


@pytest.fixture
def registration(db, workshop):
    organisation = factories.make_organisation("Dinas PUPR Klungkung")
    person = factories.make_person("Gede Dinas", organisation=organisation, phone=PHONE,
                                   gender=Gender.LAKI_LAKI)
    registration = factories.make_registration(workshop, person)
    db.session.commit()
    return registration


@pytest.fixture
def loads(monkeypatch):
    """How many times the registrations were loaded (a list fragment miss)."""
    calls = []
    real = routes.list_participants
    monkeypatch.setattr(routes, "list_participants",
                        lambda *a, **k: calls.append(1) or real(*a, **k))
    return calls


def url(workshop, path="/participants"):
    return f"/manage/workshops/{workshop.id}{path}"


def view(client, workshop, query="") -> str:
    response = client.get(url(workshop) + query)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def row(html: str, registration) -> str:
    return html.split(f'<tr id="r-{registration.id}"')[1].split("</tr>")[0]


def test_a_repeat_view_reuses_the_list_and_loads_nothing(client, login_as, db, registration,
                                                         loads):
    login_as("organiser", regions=["51.05"])
    first = view(client, registration.workshop)
    with count_queries() as statements:
        again = view(client, registration.workshop)
    assert again == first and len(loads) == 1
    # The user and their regions, the workshop, the version tokens: nothing else.
    assert statements() <= 4
    assert "Gede Dinas" in again and 'data-testid="new-person-form"' in again
    assert '<option value="Dinas PUPR Klungkung">' in again  # the suggestions


def _check_in(client, db, registration):
    client.post(url(registration.workshop, f"/checkin/{registration.id}"),
                data={"attendance": "hadir"})
    return "Present", lambda html: row(html, registration)


def _register(client, db, registration):
    factories.make_registration(registration.workshop, factories.make_person(
        "Komang Baru", organisation=factories.make_organisation()))
    return "Komang Baru", lambda html: html


def _cancel(client, db, registration):
    client.post(url(registration.workshop, f"/participants/{registration.id}/cancel"))
    return "Cancelled", lambda html: row(html, registration)


def _change_role(client, db, registration):
    client.post(url(registration.workshop, f"/participants/{registration.id}/role"),
                data={"role": "moderator"})
    return '<option value="moderator" selected>', lambda html: row(html, registration)


def _rename_person(client, db, registration):
    registration.person.name = "Gede Diganti"
    return "Gede Diganti", lambda html: row(html, registration)


def _rename_organisation(client, db, registration):
    registration.organisation.name = "Dinas PUPR (baru)"
    return "Dinas PUPR (baru)", lambda html: row(html, registration)


def _change_capacity(client, db, registration):
    registration.workshop.capacity = 9
    return 'data-testid="seats">1 / 9<', lambda html: html


def _new_organisation(client, db, registration):
    factories.make_organisation("Yayasan Bali Hijau", region_code="51.05")
    return '<option value="Yayasan Bali Hijau">', lambda html: html


@pytest.mark.parametrize("change", [_check_in, _register, _cancel, _change_role, _rename_person,
                                    _rename_organisation, _change_capacity, _new_organisation],
                         ids=lambda change: change.__name__.strip("_"))
def test_a_change_shows_on_the_next_view(client, login_as, db, registration, change):
    login_as("organiser", regions=["51.05"])
    view(client, registration.workshop)
    expected, part = change(client, db, registration)
    db.session.commit()
    assert expected in part(view(client, registration.workshop))


def test_filters_and_the_directory_search_are_part_of_the_key(client, login_as, db,
                                                              registration, loads):
    login_as("organiser", regions=["51.05"])
    assert "Gede Dinas" not in view(client, registration.workshop, "?q=nobody").split(
        'data-testid="participants-table"')[1]
    assert 'data-testid="search-results"' in view(client, registration.workshop, "?find=gede")
    assert 'data-testid="search-results"' not in view(client, registration.workshop)
    assert len(loads) == 3


def test_viewers_with_other_permissions_get_their_own_list(client, login_as, db, registration,
                                                           monkeypatch):
    """Phone numbers (masked) only for viewers allowed to see personal data."""
    monkeypatch.setitem(RULES, "participant.view_personal",
                        lambda user, obj: user.role is Role.ORGANISER)
    login_as("organiser", regions=["51.05"])
    assert "+62812*" in view(client, registration.workshop)
    login_as("admin")
    assert "+62812*" not in view(client, registration.workshop)
    login_as("organiser", regions=["51.05"])
    assert "+62812*" in view(client, registration.workshop)


def _signed_in(app, user):
    client = app.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = user.session_token
        session["auth_at"] = datetime.now(timezone.utc).timestamp()
    return client


def test_the_shared_list_holds_no_token_and_each_viewer_posts_with_their_own(make_app, db,
                                                                           registration):
    csrf_app = make_app(WTF_CSRF_ENABLED=True)
    wayan = factories.make_user("organiser", regions=["51.05"])
    ayu = factories.make_user("organiser", regions=["51.05"])
    db.session.commit()
    tokens = {}
    for name, user in (("wayan", wayan), ("ayu", ayu)):
        client = _signed_in(csrf_app, user)
        html = view(client, registration.workshop)
        found = set(TOKEN.findall(row(html, registration) + html.split('id="add"')[1]))
        assert len(found) == 1 and routes.CSRF_SLOT not in found
        tokens[name] = (client, found.pop())
    cached = "".join(fragments._entries.values())
    assert routes.CSRF_SLOT in cached
    assert tokens["wayan"][1] not in cached and tokens["ayu"][1] not in cached
    wayan_client, wayan_token = tokens["wayan"]
    role_url = url(registration.workshop, f"/participants/{registration.id}/role")
    refused = wayan_client.post(role_url, data={"role": "moderator",
                                                "csrf_token": tokens["ayu"][1]})
    assert refused.status_code == 400
    accepted = wayan_client.post(role_url, data={"role": "moderator", "csrf_token": wayan_token})
    assert accepted.status_code == 302
