"""Logging in and out: fresh sessions, no enumeration, server-side invalidation, safe redirects,
CSRF on the login form, session lifetime, cookie flags and login throttling."""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone
from urllib.parse import quote, urlsplit

import pytest

from kotaku_collab.extensions import limiter
from kotaku_collab.models import Role
from tests import factories
from tests.factories import PASSWORD

COOKIE = "kotaku_session"
FAILED = "The e-mail or password is not correct, or the account is not active."


def english_client(app):
    """A client asking for English, so assertions on msgids hold whatever catalogue exists."""
    client = app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


@pytest.fixture
def client(app, db):
    return english_client(app)


@pytest.fixture
def wayan(db):
    user = factories.make_user(Role.ORGANISER, email="wayan@example.org", name="Wayan")
    db.session.commit()
    return user


def log_in(client, email="wayan@example.org", password=PASSWORD, next_url=None):
    url = "/login" + (f"?next={quote(next_url, safe='')}" if next_url is not None else "")
    return client.post(url, data={"email": email, "password": password})


def cookie_value(client) -> str | None:
    cookie = client.get_cookie(COOKIE)
    return cookie.value if cookie else None


def replay(app, value):
    """A fresh client presenting a copied session cookie."""
    other = english_client(app)
    other.set_cookie(COOKIE, value)
    return other


def is_anonymous(client) -> bool:
    response = client.get("/home")
    return response.status_code == 302 and response.headers["Location"].startswith("/login")


# --- logging in ---------------------------------------------------------------------------


def test_login_redirects_home_with_a_new_session(app, client, wayan):
    with client.session_transaction() as session:
        session["planted"] = "by someone else"  # a session fixed before login
    before = cookie_value(client)
    response = log_in(client)
    assert response.status_code == 302
    assert response.headers["Location"] == "/home"
    after = cookie_value(client)
    assert after and after != before
    with client.session_transaction() as session:
        assert "planted" not in session
        assert session["_user_id"] == wayan.session_token
    assert client.get("/home").status_code == 200
    assert is_anonymous(replay(app, before))


def test_login_accepts_the_email_in_any_case(client, wayan):
    response = log_in(client, email="  WAYAN@Example.org ")
    assert response.status_code == 302 and response.headers["Location"] == "/home"


def _comparable(html: str, email: str) -> str:
    html = re.sub(r'name="csrf_token"[^>]*value="[^"]*"', 'name="csrf_token"', html)
    return html.replace(email, "EMAIL")


def test_wrong_password_and_unknown_email_get_the_same_page(app, wayan):
    wrong = log_in(english_client(app), password="not the password")
    unknown = log_in(english_client(app), email="nobody@example.org")
    assert wrong.status_code == unknown.status_code == 200
    wrong_html = wrong.get_data(as_text=True)
    assert FAILED in wrong_html
    assert _comparable(wrong_html, "wayan@example.org") == _comparable(
        unknown.get_data(as_text=True), "nobody@example.org")


def test_a_deactivated_account_cannot_log_in(client, db):
    factories.make_user(email="off@example.org", active=False)
    db.session.commit()
    response = log_in(client, email="off@example.org")
    assert response.status_code == 200
    assert FAILED in response.get_data(as_text=True)
    assert is_anonymous(client)


def test_a_logged_in_user_opening_login_goes_home(client, wayan):
    log_in(client)
    response = client.get("/login")
    assert response.status_code == 302 and response.headers["Location"] == "/home"


# --- logging out and invalidation ---------------------------------------------------------


def test_logout_is_post_only(client, wayan):
    log_in(client)
    assert client.get("/logout").status_code == 405
    assert client.get("/home").status_code == 200


def test_after_logout_the_old_cookie_is_anonymous(app, client, wayan):
    log_in(client)
    copied = cookie_value(client)
    response = client.post("/logout")
    assert response.status_code == 302 and response.headers["Location"] == "/login"
    assert is_anonymous(client)
    assert is_anonymous(replay(app, copied))


def test_password_change_rejects_cookies_issued_before(app, client, wayan):
    other_device = english_client(app)
    log_in(other_device)
    log_in(client)
    copied = cookie_value(client)
    new_password = "a brand new passphrase"
    response = client.post("/account/password", data={
        "current_password": PASSWORD, "password": new_password, "confirm": new_password})
    assert response.status_code == 302
    assert client.get("/home").status_code == 200  # this device stays in
    assert is_anonymous(replay(app, copied))
    assert is_anonymous(other_device)
    assert log_in(english_client(app), password=new_password).status_code == 302


def test_password_change_with_wrong_current_password_changes_nothing(app, client, wayan):
    log_in(client)
    copied = cookie_value(client)
    response = client.post("/account/password", data={
        "current_password": "wrong", "password": "a brand new passphrase",
        "confirm": "a brand new passphrase"})
    assert response.status_code == 200
    assert "The current password is not correct." in response.get_data(as_text=True)
    assert replay(app, copied).get("/home").status_code == 200


# --- redirects after login ----------------------------------------------------------------


@pytest.mark.parametrize("payload", [
    "//evil.com", "////evil.com", "/\\evil.com", "https://evil.com", "javascript:alert(1)",
    "http://app@evil.com", "/\tevil.com", "%2F%2Fevil.com",
])
def test_next_never_leaves_the_site(client, wayan, payload):
    response = log_in(client, next_url=payload)
    assert response.status_code == 302
    location = urlsplit(response.headers["Location"])
    assert location.netloc in ("", "localhost")
    assert location.path == "/home"


def test_next_follows_a_same_site_path(client, wayan):
    response = log_in(client, next_url="/workshops/?when=past")
    assert response.headers["Location"] == "/workshops/?when=past"


# --- CSRF, lifetime, cookie flags ---------------------------------------------------------


def test_login_without_csrf_token_is_refused_when_csrf_is_on(make_app, wayan):
    app = make_app(WTF_CSRF_ENABLED=True)
    client = english_client(app)
    response = log_in(client)
    assert response.status_code == 400
    assert "The form has expired or was not sent from this site." in response.get_data(as_text=True)
    assert is_anonymous(client)
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'id="csrf_token" name="csrf_token" type="hidden" value="([^"]+)"',
                      page).group(1)
    response = client.post("/login", data={"email": "wayan@example.org", "password": PASSWORD,
                                            "csrf_token": token})
    assert response.status_code == 302 and response.headers["Location"] == "/home"


@pytest.mark.parametrize("hours_ago, still_in", [(11, True), (13, False)])
def test_absolute_session_lifetime(client, wayan, hours_ago, still_in):
    log_in(client)
    with client.session_transaction() as session:
        session["auth_at"] = (datetime.now(timezone.utc) - timedelta(hours=hours_ago)).timestamp()
    response = client.get("/home")
    if still_in:
        assert response.status_code == 200
    else:
        assert response.status_code == 302
        assert response.headers["Location"].startswith("/login")
        page = client.get(response.headers["Location"]).get_data(as_text=True)
        assert "Your session has expired. Please log in again." in page
        assert is_anonymous(client)


def test_session_cookie_is_httponly_and_samesite_lax(client, wayan):
    response = log_in(client)
    [cookie] = [c for c in response.headers.getlist("Set-Cookie") if c.startswith(COOKIE + "=")]
    attributes = [part.strip().lower() for part in cookie.split(";")]
    assert "httponly" in attributes
    assert "samesite=lax" in attributes


# --- throttling ---------------------------------------------------------------------------


@pytest.fixture
def limited_app(make_app):
    """An app with login throttling on. The limiter object is shared by every app, so its
    switch is put back afterwards."""
    previous = limiter.enabled
    app = make_app(RATELIMIT_ENABLED=True, LOGIN_RATE_LIMIT="3 per minute")
    yield app
    limiter.reset()
    limiter.enabled = previous


def test_the_fourth_failed_login_for_one_account_is_throttled(limited_app, wayan, db):
    factories.make_user(email="other@example.org")
    db.session.commit()
    client = english_client(limited_app)

    def attempt(n, email="wayan@example.org", password="wrong password"):
        # A different address each time: the per-account limit must hold on its own.
        return client.post("/login", data={"email": email, "password": password},
                           environ_base={"REMOTE_ADDR": f"10.0.0.{n}"})

    assert [attempt(n).status_code for n in (1, 2, 3)] == [200, 200, 200]
    assert attempt(4).status_code == 429
    assert attempt(5, email="WAYAN@example.org", password=PASSWORD).status_code == 429
    assert attempt(6, email="other@example.org").status_code == 200
