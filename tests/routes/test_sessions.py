"""Session lifetime with a shifted clock (no sleeping), and remember-me cookies.

The session cookie is signed with a timestamp (itsdangerous); Flask refuses a cookie older than
PERMANENT_SESSION_LIFETIME (the idle timeout) and re-signs it on every request
(SESSION_REFRESH_EACH_REQUEST), so activity keeps a session alive. Shifting the signer's clock
moves both the signing and the check, exactly as waiting would.
"""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from flask_login.utils import encode_cookie
from itsdangerous.timed import TimestampSigner

from kotaku_collab.models import Role
from tests import factories
from tests.factories import PASSWORD

COOKIE = "kotaku_session"
REMEMBER = "remember_token"


@pytest.fixture
def clock(monkeypatch):
    """The session signer's clock, moved forward by clock.shift(minutes=...)."""

    class Clock:
        offset = 0.0

        def shift(self, **delta):
            self.offset += timedelta(**delta).total_seconds()

    c = Clock()
    monkeypatch.setattr(TimestampSigner, "get_timestamp",
                        lambda self: int(time.time() + c.offset))
    return c


@pytest.fixture
def wayan(db):
    user = factories.make_user(Role.ORGANISER, email="wayan@example.org")
    db.session.commit()
    return user


def log_in(client):
    response = client.post("/login", data={"email": "wayan@example.org", "password": PASSWORD})
    assert response.status_code == 302 and response.headers["Location"] == "/home"
    return response


def goes_to_login(response) -> bool:
    return response.status_code == 302 and response.headers["Location"].startswith("/login")


def test_the_idle_timeout_is_sixty_minutes(app):
    assert app.config["PERMANENT_SESSION_LIFETIME"] == timedelta(minutes=60)
    assert app.config["SESSION_REFRESH_EACH_REQUEST"] is True


def test_a_session_idle_for_more_than_sixty_minutes_is_refused(client, wayan, clock):
    log_in(client)
    copied = client.get_cookie(COOKIE).value
    clock.shift(minutes=61)
    assert goes_to_login(client.get("/home"))
    # The cookie is refused by the server, not merely expired in the browser: a replayed copy
    # fails the same way.
    other = client.application.test_client()
    other.set_cookie(COOKIE, copied)
    assert goes_to_login(other.get("/home"))


def test_activity_keeps_the_session_alive_past_the_idle_limit(client, wayan, clock):
    log_in(client)
    for _step in range(3):  # 3 × 50 min = 150 min in total, never 60 min idle
        clock.shift(minutes=50)
        assert client.get("/home").status_code == 200
    clock.shift(minutes=59)
    assert client.get("/home").status_code == 200
    clock.shift(minutes=61)
    assert goes_to_login(client.get("/home"))


def test_an_old_cookie_copied_before_the_activity_still_expires(client, wayan, clock):
    """Refreshing one cookie does not extend a copy taken earlier."""
    log_in(client)
    copied = client.get_cookie(COOKIE).value
    clock.shift(minutes=40)
    assert client.get("/home").status_code == 200
    clock.shift(minutes=30)  # 70 minutes after the copy was signed, 30 after the refresh
    assert client.get("/home").status_code == 200
    other = client.application.test_client()
    other.set_cookie(COOKIE, copied)
    assert goes_to_login(other.get("/home"))


def test_login_sets_no_remember_me_cookie(client, wayan):
    response = log_in(client)
    names = [c.split("=", 1)[0] for c in response.headers.getlist("Set-Cookie")]
    assert names == [COOKIE]


def test_a_remember_me_cookie_never_signs_anyone_in(app, db, wayan):
    """There is no "remember me": a correctly signed remember cookie for the user's current
    session token still ends at the login page (it carries no login time, so the absolute
    timeout refuses it), and is cleared."""
    client = app.test_client()
    with app.test_request_context():
        client.set_cookie(REMEMBER, encode_cookie(wayan.session_token))
    response = client.get("/home")
    assert goes_to_login(response)
    assert goes_to_login(client.get("/home"))


def test_after_logout_a_remember_cookie_of_the_old_session_is_unusable(app, db, wayan):
    client = app.test_client()
    log_in(client)
    with app.test_request_context():
        remember = encode_cookie(wayan.session_token)
    client.post("/logout")
    replay = app.test_client()
    replay.set_cookie(REMEMBER, remember)
    assert goes_to_login(replay.get("/home"))


def test_deactivation_makes_session_and_remember_cookies_unusable(app, db, wayan, login_as,
                                                                   client):
    device = app.test_client()
    log_in(device)
    session_cookie = device.get_cookie(COOKIE).value
    with app.test_request_context():
        remember = encode_cookie(wayan.session_token)
    login_as("admin")
    assert client.post(f"/admin/users/{wayan.id}/deactivate").status_code == 302
    assert goes_to_login(device.get("/home"))
    for name, value in ((COOKIE, session_cookie), (REMEMBER, remember)):
        replay = app.test_client()
        replay.set_cookie(name, value)
        assert goes_to_login(replay.get("/home")), name
