"""Rate limits with Flask-Limiter: public self-registration per address and link, and login
throttling on the shared Redis storage that several gunicorn workers use in production.

The test config switches rate limiting off (the capacity race in tests/test_concurrency.py posts
200 registrations from one address); these tests build apps with it on.
"""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import func, select

from kotaku_collab.extensions import limiter
from kotaku_collab.models import Person, Registration, Role
from tests import factories
from tests.conftest import skip_or_fail
from tests.factories import PASSWORD

REDIS_URL = "redis://127.0.0.1:6379/0"
TOO_MANY = "Too many attempts in a short time. Please wait a few minutes and try again."


@pytest.fixture
def restore_limiter(make_app):
    """The limiter object is shared by every app: put its switch and storage back afterwards."""
    previous = limiter.enabled
    yield
    limiter.reset()
    make_app(RATELIMIT_ENABLED=True)  # back to in-memory storage
    limiter.enabled = previous


def form(email: str) -> dict:
    return {"name": "Ni Luh Putu Ayu", "organisation": "BKM Semarapura Kaja",
            "sector": "masyarakat", "phone": "0812-3456-7890", "email": email, "gender": "P",
            "consent": "y"}


def count(db, model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_the_registration_limit_has_a_config_key(app):
    assert app.config["SELF_REGISTRATION_RATE_LIMIT"] == "20 per minute; 200 per hour"
    assert app.config["RATELIMIT_ENABLED"] is False  # tests and the race test run unthrottled


def test_self_registration_is_limited_per_address_and_link(make_app, db, restore_limiter):
    app = make_app(RATELIMIT_ENABLED=True, SELF_REGISTRATION_RATE_LIMIT="3 per minute")
    # Codes read before the commit: reading after it would open a transaction in this
    # session that holds SQLite's lock while the app's requests wait for it.
    first = factories.make_workshop("51.05", capacity=40).code
    second = factories.make_workshop("51.05", capacity=40).code
    db.session.commit()
    client = app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"

    def post(workshop, n, address="203.0.113.7"):
        return client.post(f"/w/{workshop}/register", data=form(f"p{n}@example.org"),
                           environ_base={"REMOTE_ADDR": address})

    assert [post(first, n).status_code for n in (1, 2, 3)] == [302, 302, 302]
    refused = post(first, 4)
    assert refused.status_code == 429
    page = refused.get_data(as_text=True)
    assert "Too many attempts" in page and TOO_MANY in page
    assert "Traceback" not in page
    assert count(db, Registration) == 3
    assert db.session.scalar(select(func.count()).select_from(Person).where(
        Person.email == "p4@example.org")) == 0
    db.session.rollback()
    # The same address on another workshop's link, and another address on this link, go on.
    assert post(second, 5).status_code == 302
    assert post(first, 6, address="203.0.113.8").status_code == 302
    # Reading the form is never limited.
    assert client.get(f"/w/{first}/register",
                      environ_base={"REMOTE_ADDR": "203.0.113.7"}).status_code == 200


def test_self_registration_429_is_in_indonesian_by_default(make_app, db, restore_limiter):
    app = make_app(RATELIMIT_ENABLED=True, SELF_REGISTRATION_RATE_LIMIT="1 per minute",
                   BABEL_DEFAULT_LOCALE="id")
    code = factories.make_workshop("51.05").code
    db.session.commit()
    client = app.test_client()
    assert client.post(f"/w/{code}/register", data=form("a@example.org")).status_code == 302
    refused = client.post(f"/w/{code}/register", data=form("b@example.org"))
    assert refused.status_code == 429
    assert TOO_MANY not in refused.get_data(as_text=True)  # translated, not the msgid


@pytest.fixture
def redis_client():
    import redis

    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1)
    try:
        client.ping()
    except redis.exceptions.RedisError as error:
        client.close()
        skip_or_fail(f"Redis at {REDIS_URL} is not reachable ({error.__class__.__name__})")
    yield client
    client.close()


def test_login_throttling_counts_in_redis(make_app, db, redis_client, restore_limiter):
    """With RATELIMIT_STORAGE_URI pointing at Redis, the counters live there (shared by every
    worker), and the per-account limit holds across addresses."""
    prefix = f"kotaku-test-{uuid.uuid4().hex}"
    app = make_app(RATELIMIT_ENABLED=True, LOGIN_RATE_LIMIT="3 per minute",
                   RATELIMIT_STORAGE_URI=REDIS_URL, RATELIMIT_KEY_PREFIX=prefix)
    try:
        assert limiter._storage.__class__.__name__ == "RedisStorage"
        factories.make_user(Role.ORGANISER, email="wayan@example.org")
        db.session.commit()
        client = app.test_client()

        def attempt(n, password="wrong password"):
            return client.post("/login", data={"email": "wayan@example.org",
                                               "password": password},
                               environ_base={"REMOTE_ADDR": f"10.0.1.{n}"})

        assert [attempt(n).status_code for n in (1, 2, 3)] == [200, 200, 200]
        assert attempt(4).status_code == 429
        assert attempt(5, password=PASSWORD).status_code == 429
        keys = [k.decode() for k in redis_client.scan_iter(f"*{prefix}*")]
        assert any("login:wayan@example.org" in k for k in keys), keys
    finally:
        for key in redis_client.scan_iter(f"*{prefix}*"):
            redis_client.delete(key)
        limiter._key_prefix = ""
