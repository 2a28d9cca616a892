"""Admin pages: managing accounts and reading the audit trail."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from kotaku_collab import audit
from kotaku_collab.extensions import passwords
from kotaku_collab.models import AuditEvent, Role, User
from kotaku_collab.services.accounts import authenticate
from tests import factories
from tests.factories import PASSWORD

STRONG = "a long enough passphrase"


@pytest.fixture(autouse=True)
def english(client):
    """Assert on the English msgids whatever catalogue is built later."""
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"


def english_client(app):
    other = app.test_client()
    other.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    return other


def user_by_email(db, email):
    db.session.expire_all()
    return db.session.scalar(select(User).where(User.email == email))


def shown_password(html: str) -> str:
    match = re.search(r"shown only this once: (\S+?)\.", html)
    assert match, "no one-time password on the page"
    return match.group(1)


def new_user_form(**overrides):
    data = {"email": "putu@example.org", "name": "Ni Putu Ayu", "role": "organiser",
            "organisation_id": "", "region_codes": ["51.05"], "password": STRONG}
    data.update(overrides)
    return data


# --- access -------------------------------------------------------------------------------

ADMIN_GETS = ["/admin/users", "/admin/users/new", "/admin/users/{id}/edit", "/admin/audit",
              "/admin/audit/Workshop/1"]
ADMIN_POSTS = ["/admin/users/new", "/admin/users/{id}/edit", "/admin/users/{id}/deactivate",
               "/admin/users/{id}/activate", "/admin/users/{id}/reset-password"]


def test_anonymous_visitors_are_sent_to_login(client, db):
    target = factories.make_user()
    db.session.commit()
    for url in ADMIN_GETS:
        response = client.get(url.format(id=target.id))
        assert response.status_code == 302, url
        assert response.headers["Location"].startswith("/login"), url
    for url in ADMIN_POSTS:
        response = client.post(url.format(id=target.id))
        assert response.status_code == 302, url
        assert response.headers["Location"].startswith("/login"), url
    assert user_by_email(db, target.email).active is True


@pytest.mark.parametrize("role", ["organiser", "stakeholder", "reviewer"])
def test_other_roles_are_forbidden(client, login_as, db, role):
    target = factories.make_user(email="target@example.org")
    token = target.session_token
    db.session.commit()
    login_as(role)
    for url in ADMIN_GETS:
        assert client.get(url.format(id=target.id)).status_code == 403, url
    for url in ADMIN_POSTS:
        assert client.post(url.format(id=target.id),
                           data=new_user_form(role="admin")).status_code == 403, url
    target = user_by_email(db, "target@example.org")
    assert target.active is True
    assert target.session_token == token
    assert target.role is Role.ORGANISER
    assert user_by_email(db, "putu@example.org") is None


def test_admin_menu_links_appear_for_admins_only(client, login_as, db):
    login_as("organiser")
    html = client.get("/home").get_data(as_text=True)
    assert "/admin/users" not in html
    login_as("admin")
    html = client.get("/home").get_data(as_text=True)
    assert "/admin/users" in html and "/admin/audit" in html


# --- the user list ------------------------------------------------------------------------


def test_user_list_shows_accounts_with_role_organisation_scope_and_state(client, login_as, db):
    org = factories.make_organisation(name="Baznas Kabupaten Klungkung")
    factories.make_user(Role.STAKEHOLDER, name="Wayan Stakeholder", email="wayan@example.org",
                        organisation=org)
    factories.make_user(Role.REVIEWER, name="Gede Nasional", is_national=True, regions=[])
    factories.make_user(Role.ORGANISER, name="Made Klungkung", regions=["51.05"], active=False)
    login_as("admin", name="Admin Satu")
    response = client.get("/admin/users")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    for text in ("Wayan Stakeholder", "wayan@example.org", "Stakeholder",
                 "Baznas Kabupaten Klungkung", "Gede Nasional", "Bappeda reviewer", "National",
                 "Made Klungkung", "Kabupaten Klungkung", "Deactivated", "Never", "Admin Satu"):
        assert text in html
    assert html.count('data-testid="user-row"') == 4


def test_user_list_search_and_filters(client, login_as, db):
    factories.make_user(Role.ORGANISER, name="Ni Luh Putu", email="putu@example.org")
    factories.make_user(Role.REVIEWER, name="Gede Bappeda", email="gede@example.org")
    factories.make_user(Role.ORGANISER, name="Komang Nonaktif", active=False)
    login_as("admin", name="Admin Satu")

    def rows(query):
        html = client.get("/admin/users?" + query).get_data(as_text=True)
        return html.count('data-testid="user-row"'), html

    count, html = rows("q=PUTU@example")
    assert count == 1 and "Ni Luh Putu" in html
    count, html = rows("role=reviewer")
    assert count == 1 and "Gede Bappeda" in html
    count, html = rows("active=0")
    assert count == 1 and "Komang Nonaktif" in html
    count, html = rows("role=organiser&active=1")
    assert count == 1 and "Ni Luh Putu" in html
    count, _html = rows("role=superuser")  # not a choice: ignored, everything listed
    assert count == 4


def test_user_list_paginates(client, login_as, db):
    for i in range(27):
        factories.make_user(Role.ORGANISER, name=f"Pengguna {i:02d}")
    login_as("admin", name="Zz Admin")
    first = client.get("/admin/users").get_data(as_text=True)
    second = client.get("/admin/users?page=2").get_data(as_text=True)
    assert first.count('data-testid="user-row"') == 25
    assert second.count('data-testid="user-row"') == 3
    assert "Pengguna 00" in first and "Zz Admin" in second


def test_user_list_query_count_does_not_grow_with_users(client, login_as, db):
    login_as("admin")

    def add_users(n):
        for _ in range(n):
            factories.make_user(Role.ORGANISER, regions=["51.05", "35.75"])
            factories.make_user(Role.STAKEHOLDER)
        db.session.commit()

    add_users(1)
    few = int(client.get("/admin/users").headers["X-Query-Count"])
    add_users(8)
    many = int(client.get("/admin/users").headers["X-Query-Count"])
    assert many == few


# --- creating accounts --------------------------------------------------------------------


def test_new_account_form_offers_roles_organisations_and_scope_regions(client, login_as, db):
    factories.make_organisation(name="Dinas PUPR Klungkung")
    factories.make_region("51.05.03")  # a kecamatan: not a scope
    login_as("admin")
    html = client.get("/admin/users/new").get_data(as_text=True)
    assert "Bappeda reviewer" in html
    assert "Dinas PUPR Klungkung" in html
    assert 'value="51.05"' in html and 'value="51"' in html
    assert 'value="51.05.03"' not in html


def test_create_account_with_a_chosen_password(client, login_as, db):
    factories.make_region("51.05")
    factories.make_region("35.75")
    login_as("admin")
    response = client.post("/admin/users/new", data=new_user_form(
        email=" Putu@Example.ORG ", region_codes=["51.05", "35.75"]), follow_redirects=True)
    assert response.status_code == 200
    assert "Account created for putu@example.org." in response.get_data(as_text=True)
    user = user_by_email(db, "putu@example.org")
    assert user.name == "Ni Putu Ayu"
    assert user.role is Role.ORGANISER
    assert user.region_codes == ["35.75", "51.05"]
    assert authenticate(db.session, passwords, "putu@example.org", STRONG) is user


def test_create_account_with_a_generated_password_shows_it_once(client, login_as, db):
    login_as("admin")
    response = client.post("/admin/users/new", data=new_user_form(password="", role="reviewer",
                                                                  region_codes=[],
                                                                  is_national="y"),
                           follow_redirects=True)
    password = shown_password(response.get_data(as_text=True))
    user = user_by_email(db, "putu@example.org")
    assert user.is_national and user.role is Role.REVIEWER
    assert authenticate(db.session, passwords, "putu@example.org", password) is user
    again = client.get("/admin/users").get_data(as_text=True)
    assert password not in again


def test_create_stakeholder_with_organisation(client, login_as, db):
    org = factories.make_organisation(name="PDAM Tirta Mahottama")
    login_as("admin")
    response = client.post("/admin/users/new", data=new_user_form(
        role="stakeholder", organisation_id=str(org.id), region_codes=[]))
    assert response.status_code == 302
    user = user_by_email(db, "putu@example.org")
    assert user.organisation_id == org.id and user.regions == []


@pytest.mark.parametrize("overrides, field_id, message", [
    ({"email": "TAKEN@example.org"}, "email", "An account with this e-mail already exists."),
    ({"role": "stakeholder", "region_codes": []}, "organisation_id",
     "A stakeholder account acts for one organisation: choose it."),
    ({"region_codes": []}, "region_codes",
     "Organisers and reviewers need at least one region, or national scope."),
    ({"password": "short"}, "password", "Use at least 10 characters."),
    ({"email": "not-an-email"}, "email", "Invalid email address."),
    ({"name": ""}, "name", "This field is required."),
    ({"role": "superuser"}, "role", "Not a valid choice"),
])
def test_create_account_errors_are_shown_beside_fields_and_input_kept(
        client, login_as, db, overrides, field_id, message):
    factories.make_user(email="taken@example.org")
    login_as("admin")
    before = db.session.scalar(select(User.id).order_by(User.id.desc()))
    data = new_user_form(**{"name": "Ni Putu Ayu", **overrides})
    response = client.post("/admin/users/new", data=data)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    errors = re.search(rf'id="{field_id}-errors">(.*?)</div>\s*</div>', html, re.S)
    assert errors and message in errors.group(1)
    if field_id != "name":
        assert 'value="Ni Putu Ayu"' in html
    assert db.session.scalar(select(User.id).order_by(User.id.desc())) == before


# --- editing accounts ---------------------------------------------------------------------


def test_edit_form_is_filled_with_the_account(client, login_as, db):
    user = factories.make_user(Role.ORGANISER, name="Made Wirawan", email="made@example.org",
                               regions=["51.05"])
    db.session.commit()
    login_as("admin")
    html = client.get(f"/admin/users/{user.id}/edit").get_data(as_text=True)
    assert 'value="Made Wirawan"' in html
    assert "made@example.org" in html
    assert re.search(r'<option selected value="organiser">|<option value="organiser" selected',
                     html)
    assert re.search(r'<option selected value="51.05">|<option value="51.05" selected', html)


def test_edit_unknown_account_is_404(client, login_as, db):
    login_as("admin")
    assert client.get("/admin/users/999999/edit").status_code == 404
    assert client.post("/admin/users/999999/deactivate").status_code == 404


def test_edit_changes_role_and_ends_the_users_sessions(client, login_as, db):
    user = factories.make_user(Role.ORGANISER, email="made@example.org", regions=["51.05"])
    token = user.session_token
    db.session.commit()
    login_as("admin")
    response = client.post(f"/admin/users/{user.id}/edit", data={
        "name": "Made Reviewer", "role": "reviewer", "organisation_id": "",
        "region_codes": ["51.05"]})
    assert response.status_code == 302
    user = user_by_email(db, "made@example.org")
    assert (user.name, user.role) == ("Made Reviewer", Role.REVIEWER)
    assert user.session_token != token
    assert user.email == "made@example.org"


def test_edit_cannot_change_the_email(client, login_as, db):
    user = factories.make_user(Role.ORGANISER, email="made@example.org")
    db.session.commit()
    login_as("admin")
    client.post(f"/admin/users/{user.id}/edit", data={
        "name": "Made", "role": "organiser", "region_codes": ["51.05"],
        "email": "evil@example.org"})
    assert user_by_email(db, "made@example.org") is not None
    assert user_by_email(db, "evil@example.org") is None


def test_edit_errors_rerender_with_input_kept(client, login_as, db):
    user = factories.make_user(Role.ORGANISER, email="made@example.org")
    db.session.commit()
    login_as("admin")
    response = client.post(f"/admin/users/{user.id}/edit", data={
        "name": "Nama Baru", "role": "stakeholder", "organisation_id": ""})
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "A stakeholder account acts for one organisation" in html
    assert 'value="Nama Baru"' in html
    user = user_by_email(db, "made@example.org")
    assert user.role is Role.ORGANISER and user.name != "Nama Baru"


def test_admin_cannot_demote_themselves(client, login_as, db):
    factories.make_region("51.05")
    admin = login_as("admin")
    response = client.post(f"/admin/users/{admin.id}/edit", data={
        "name": admin.name, "role": "organiser", "region_codes": ["51.05"]})
    assert response.status_code == 200
    assert "You cannot change your own role" in response.get_data(as_text=True)
    assert user_by_email(db, admin.email).role is Role.ADMIN


# --- activation and passwords -------------------------------------------------------------


def log_in(app, email, password=PASSWORD):
    other = english_client(app)
    response = other.post("/login", data={"email": email, "password": password})
    assert response.status_code == 302 and response.headers["Location"] == "/home"
    assert other.get("/home").status_code == 200
    return other


def test_deactivation_ends_the_users_existing_session(app, client, login_as, db):
    user = factories.make_user(Role.ORGANISER, email="made@example.org")
    db.session.commit()
    made = log_in(app, "made@example.org")
    login_as("admin")
    response = client.post(f"/admin/users/{user.id}/deactivate", follow_redirects=True)
    assert response.status_code == 200
    assert "has been deactivated" in response.get_data(as_text=True)
    assert user_by_email(db, "made@example.org").active is False
    response = made.get("/home")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")
    refused = made.post("/login", data={"email": "made@example.org", "password": PASSWORD})
    assert refused.status_code == 200


def test_activation_lets_the_user_log_in_again(app, client, login_as, db):
    user = factories.make_user(Role.ORGANISER, email="made@example.org", active=False)
    db.session.commit()
    login_as("admin")
    response = client.post(f"/admin/users/{user.id}/activate", follow_redirects=True)
    assert "can log in again" in response.get_data(as_text=True)
    log_in(app, "made@example.org")


def test_admin_cannot_deactivate_themselves(client, login_as, db):
    admin = login_as("admin")
    response = client.post(f"/admin/users/{admin.id}/deactivate", follow_redirects=True)
    assert response.status_code == 200
    assert "You cannot deactivate your own account." in response.get_data(as_text=True)
    assert user_by_email(db, admin.email).active is True
    assert client.get("/admin/users").status_code == 200


def test_deactivate_and_activate_are_post_only(client, login_as, db):
    user = factories.make_user()
    db.session.commit()
    login_as("admin")
    for action in ("deactivate", "activate", "reset-password"):
        assert client.get(f"/admin/users/{user.id}/{action}").status_code == 405


def test_reset_password_shows_a_new_password_once_and_ends_sessions(app, client, login_as, db):
    user = factories.make_user(Role.ORGANISER, email="made@example.org")
    db.session.commit()
    made = log_in(app, "made@example.org")
    login_as("admin")
    response = client.post(f"/admin/users/{user.id}/reset-password", follow_redirects=True)
    password = shown_password(response.get_data(as_text=True))
    assert made.get("/home").status_code == 302
    assert password not in client.get(f"/admin/users/{user.id}/edit").get_data(as_text=True)
    log_in(app, "made@example.org", password)
    assert authenticate(db.session, passwords, "made@example.org", PASSWORD) is None


def test_reset_own_password_is_refused(client, login_as, db):
    admin = login_as("admin")
    response = client.post(f"/admin/users/{admin.id}/reset-password", follow_redirects=True)
    assert "Change your own password on the Password page." in response.get_data(as_text=True)
    assert client.get("/admin/users").status_code == 200


def test_user_actions_need_a_csrf_token_when_csrf_is_on(make_app, db):
    app = make_app(WTF_CSRF_ENABLED=True)
    factories.make_user(Role.ADMIN, email="admin@example.org")
    user_id = factories.make_user(email="made@example.org").id
    db.session.commit()  # the other app's requests need the write lock
    with app.app_context():
        admin_client = english_client(app)
        login_page = admin_client.get("/login").get_data(as_text=True)
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', login_page).group(1)
        admin_client.post("/login", data={"email": "admin@example.org", "password": PASSWORD,
                                          "csrf_token": token})
        assert admin_client.post(f"/admin/users/{user_id}/deactivate").status_code == 400
        edit = admin_client.get(f"/admin/users/{user_id}/edit").get_data(as_text=True)
        token = re.search(r'name="status-csrf_token" type="hidden" value="([^"]+)"', edit).group(1)
        response = admin_client.post(f"/admin/users/{user_id}/deactivate",
                                     data={"status-csrf_token": token})
        assert response.status_code == 302
    assert user_by_email(db, "made@example.org").active is False


# --- the audit trail ----------------------------------------------------------------------


@pytest.fixture
def trail(db):
    """Two workshops with a few changes by an organiser and by the system."""
    organiser = factories.make_user(Role.ORGANISER, name="Komang Penyelenggara")
    with audit.acting_as(organiser):
        first = factories.make_workshop(title="Lokakarya Klungkung")
        first.title = "Lokakarya Kolaborasi Klungkung"
        db.session.flush()
        factories.make_issue(first, title="Drainase tersumbat")
    second = factories.make_workshop(title="Lokakarya Pasuruan")
    with audit.audit_reason("Koreksi nomor undangan"):
        second.invitation_number = "005/123/2019"
        db.session.flush()
    db.session.commit()
    return {"organiser": organiser, "first": first, "second": second}


def audit_rows(client, query=""):
    response = client.get("/admin/audit" + query)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    return html.count('data-testid="audit-row"'), html


def test_audit_trail_lists_events_newest_first_with_changes(client, login_as, trail):
    login_as("admin")
    count, html = audit_rows(client)
    assert count == 5
    assert html.index("Koreksi nomor undangan") < html.index("Lokakarya Kolaborasi Klungkung")
    assert "Komang Penyelenggara" in html
    assert "System" in html
    assert "Lokakarya Klungkung → Lokakarya Kolaborasi Klungkung" in html
    assert "– → 005/123/2019" in html
    assert "Strategic issue" in html and "Created" in html and "Changed" in html
    assert "UTC" in html
    first = trail["first"]
    assert f'/admin/audit/Workshop/{first.id}"' in html


@pytest.mark.parametrize("query, expected", [
    ("?entity_type=StrategicIssue", 1),
    ("?entity_type=Workshop&action=update", 2),
    ("?action=create", 3),
    ("?actor=none", 2),
    ("?entity_type=Bogus", 5),  # not a choice: the filter is ignored
    ("?entity_id=abc", 5),
])
def test_audit_trail_filters(client, login_as, trail, query, expected):
    login_as("admin")
    assert audit_rows(client, query)[0] == expected


def test_audit_trail_filters_by_ids_and_actor(client, login_as, trail):
    login_as("admin")
    first, second = trail["first"], trail["second"]
    assert audit_rows(client, f"?workshop_id={first.id}")[0] == 3
    assert audit_rows(client, f"?entity_type=Workshop&entity_id={second.id}")[0] == 2
    count, html = audit_rows(client, f"?actor={trail['organiser'].id}")
    assert count == 3 and "Lokakarya Pasuruan" not in html


def test_object_history_shows_one_objects_events(client, login_as, trail):
    login_as("admin")
    first = trail["first"]
    response = client.get(f"/admin/audit/Workshop/{first.id}")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert html.count('data-testid="audit-row"') == 2
    assert "Drainase tersumbat" not in html
    assert f"/admin/audit?workshop_id={first.id}" in html
    assert f"/workshops/{first.id}" in html


def test_object_history_of_an_unknown_type_is_404(client, login_as, trail):
    login_as("admin")
    assert client.get("/admin/audit/User/1").status_code == 404
    assert client.get("/admin/audit/Bogus/1").status_code == 404


def test_audit_pages_query_count_does_not_grow_with_events(client, login_as, db):
    login_as("admin")
    workshop = factories.make_workshop()
    organisers = [factories.make_user(Role.ORGANISER) for _ in range(6)]
    organiser_ids = [o.id for o in organisers]

    def change_by(ids):
        for i, user_id in enumerate(ids):
            with audit.acting_as(db.session.get(User, user_id)):
                workshop.venue = f"Ruang {user_id}-{i}"
                db.session.flush()
        db.session.commit()
        db.session.expunge_all()  # actors must come from the page's own queries

    def counts():
        return (int(client.get("/admin/audit").headers["X-Query-Count"]),
                int(client.get(f"/admin/audit/Workshop/{workshop_id}").headers["X-Query-Count"]))

    workshop_id = workshop.id
    change_by(organiser_ids[:1])
    workshop = db.session.get(type(workshop), workshop_id)
    few = counts()
    change_by(organiser_ids[1:])
    assert len(db.session.scalars(select(AuditEvent.actor_id).distinct()).all()) == 7
    assert counts() == few


def test_workshop_page_links_to_its_history_for_admins_only(client, login_as, db):
    workshop = factories.make_workshop("51.05")
    db.session.commit()
    login_as("organiser", regions=["51.05"])
    html = client.get(f"/workshops/{workshop.id}").get_data(as_text=True)
    assert 'data-testid="workshop-history"' not in html
    login_as("admin")
    html = client.get(f"/workshops/{workshop.id}").get_data(as_text=True)
    assert f"/admin/audit/Workshop/{workshop.id}" in html
