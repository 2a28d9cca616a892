"""/healthz, and how the app behaves when its database cannot be reached."""

from __future__ import annotations

import logging

import pytest

from config import TestConfig
from kotaku_collab import create_app

UNREACHABLE_POSTGRES = "postgresql+psycopg://kotaku:s3cret@127.0.0.1:1/nowhere?connect_timeout=1"


def build_app(uri: str, **overrides):
    config = TestConfig()
    config.SQLALCHEMY_DATABASE_URI = uri
    for key, value in overrides.items():
        setattr(config, key, value)
    return create_app(config)


@pytest.fixture(params=["postgresql", "sqlite"])
def unreachable_url(request, tmp_path):
    if request.param == "postgresql":
        return UNREACHABLE_POSTGRES
    return f"sqlite:///{tmp_path / 'no-such-directory' / 'kotaku.db'}"


def test_healthz_is_ok_when_the_database_answers(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "database": "ok"}


def test_healthz_answers_503_when_the_database_is_unreachable(unreachable_url):
    client = build_app(unreachable_url).test_client()
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.get_json() == {"status": "error", "database": "error"}


def test_startup_check_logs_the_masked_url_and_the_app_still_starts(caplog):
    with caplog.at_level(logging.ERROR):
        app = build_app(UNREACHABLE_POSTGRES, CHECK_DATABASE_ON_STARTUP=True)
    messages = [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]
    assert len(messages) == 1
    assert "Cannot reach the database at postgresql+psycopg://kotaku:***@127.0.0.1:1/nowhere" \
        in messages[0]
    assert "DATABASE_URL" in messages[0]
    assert "s3cret" not in caplog.text
    assert app.test_client().get("/healthz").status_code == 503


@pytest.mark.parametrize("path, logged_in", [("/", False), ("/home", True),
                                              ("/workshops/", True)])
def test_pages_answer_503_not_500_while_the_database_is_down(unreachable_url, path, logged_in,
                                                            caplog):
    client = build_app(unreachable_url, CHECK_DATABASE_ON_STARTUP=True).test_client()
    if logged_in:
        # A returning user's session cookie: loading the user is the first query.
        with client.session_transaction() as session:
            session["_user_id"] = "some-session-token"
            session["_fresh"] = True
    response = client.get(path, headers={"Accept-Language": "en"})
    assert response.status_code == 503
    html = response.get_data(as_text=True)
    assert "503 · Service unavailable" in html
    assert "The database cannot be reached right now" in html
    assert "s3cret" not in caplog.text
