"""The API token pages under /account/tokens: list, create (secret shown once), revoke."""

from __future__ import annotations

import hashlib
import re

import pytest
from sqlalchemy import select

from kotaku_collab.models import ApiToken, Role
from kotaku_collab.services.api_tokens import create_token
from tests import factories

SECRET = re.compile(r'value="(kc_[A-Za-z0-9_-]{43})"')


@pytest.mark.parametrize("role", ["admin", "organiser", "reviewer", "stakeholder"])
def test_every_role_can_open_the_tokens_page_from_the_navbar(client, login_as, role):
    login_as(role)
    home = client.get("/home").get_data(as_text=True)
    assert 'href="/account/tokens"' in home
    page = client.get("/account/tokens")
    assert page.status_code == 200
    assert "/api/v1/openapi.json" in page.get_data(as_text=True)


def test_creating_a_token_shows_the_secret_once_and_stores_its_hash(client, login_as, db):
    user = login_as("reviewer", regions=["51.05"])
    response = client.post("/account/tokens", data={"name": "Laporan RKPD", "expires_in_days": "30"})
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    [secret] = SECRET.findall(html)
    token = db.session.scalar(select(ApiToken).where(ApiToken.user_id == user.id))
    assert token.name == "Laporan RKPD"
    assert token.token_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert (token.expires_at - token.created_at).days == 30
    # The list shows the prefix only; the secret never appears again.
    again = client.get("/account/tokens").get_data(as_text=True)
    assert secret not in again and token.prefix in again
    # And it opens the API.
    api = client.get("/api/v1/summary", headers={"Authorization": f"Bearer {secret}"})
    assert api.status_code == 200


@pytest.mark.parametrize("data", [{"name": ""}, {"name": "x" * 81}, {"name": "nul\x00byte"},
                                  {"name": "ok", "expires_in_days": "0"},
                                  {"name": "ok", "expires_in_days": "400"},
                                  {"name": "ok", "expires_in_days": "abc"}])
def test_bad_input_creates_nothing_and_shows_the_form_again(client, login_as, db, data):
    login_as("organiser")
    response = client.post("/account/tokens", data=data)
    assert response.status_code == 200
    assert "invalid-feedback" in response.get_data(as_text=True)
    assert not SECRET.search(response.get_data(as_text=True))
    assert db.session.scalars(select(ApiToken)).all() == []


def test_revoking_a_token_stops_it_at_once(client, login_as, db):
    user = login_as("reviewer", regions=["51.05"])
    created = create_token(db.session, user, name="Skrip")
    db.session.commit()
    bearer = {"Authorization": f"Bearer {created.secret}"}
    assert client.get("/api/v1/workshops", headers=bearer).status_code == 200
    response = client.post(f"/account/tokens/{created.token.id}/revoke", follow_redirects=True)
    assert response.status_code == 200
    assert "Skrip" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(ApiToken, created.token.id).revoked_at is not None
    assert client.get("/api/v1/workshops", headers=bearer).status_code == 401


def test_another_users_token_cannot_be_revoked_or_seen(client, login_as, db):
    owner = factories.make_user(Role.REVIEWER)
    created = create_token(db.session, owner, name="Punya orang lain")
    db.session.commit()
    login_as("admin")
    assert "Punya orang lain" not in client.get("/account/tokens").get_data(as_text=True)
    assert client.post(f"/account/tokens/{created.token.id}/revoke").status_code == 404
    assert client.post("/account/tokens/999999/revoke").status_code == 404
    db.session.expire_all()
    assert db.session.get(ApiToken, created.token.id).revoked_at is None


def test_the_pages_need_a_login(client, db):
    assert "/login" in client.get("/account/tokens").headers["Location"]
    assert "/login" in client.post("/account/tokens/1/revoke").headers["Location"]


@pytest.fixture
def csrf_client(make_app, db):
    return make_app(WTF_CSRF_ENABLED=True).test_client()


def test_create_and_revoke_need_the_csrf_token(csrf_client, db):
    from datetime import datetime, timezone

    user = factories.make_user(Role.REVIEWER)
    created = create_token(db.session, user, name="Tetap")
    # Read before committing: reading after it would open a write transaction on this
    # connection (outside a request SQLite begins IMMEDIATE) and lock the app out.
    session_token, token_id = user.session_token, created.token.id
    db.session.commit()
    with csrf_client.session_transaction() as session:
        session["_user_id"] = session_token
        session["auth_at"] = datetime.now(timezone.utc).timestamp()
    assert csrf_client.post("/account/tokens", data={"name": "Tanpa CSRF"}).status_code == 400
    assert csrf_client.post(f"/account/tokens/{token_id}/revoke").status_code == 400
    page = csrf_client.get("/account/tokens").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page) or \
        re.search(r'name="csrf_token" value="([^"]+)"', page)
    response = csrf_client.post(f"/account/tokens/{token_id}/revoke",
                                data={"csrf_token": token.group(1)})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(ApiToken, token_id).revoked_at is not None
    assert [t.id for t in db.session.scalars(select(ApiToken))] == [token_id]
