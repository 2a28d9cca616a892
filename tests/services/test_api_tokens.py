"""Personal API tokens: hashed storage, expiry, revocation, inactive users, last-used writes."""

from __future__ import annotations

import hashlib
import json
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from kotaku_collab import audit
from kotaku_collab.database import count_queries
from kotaku_collab.models import ApiToken, AuditEvent, Role
from kotaku_collab.services import DomainError
from kotaku_collab.services.api_tokens import (LAST_USED_RESOLUTION, MAX_ACTIVE_TOKENS,
                                               NotAllowed, authenticate_token, create_token,
                                               revoke_token, token_state)
from tests import factories

NOW = datetime(2027, 3, 1, 2, 0, tzinfo=timezone.utc)


def test_the_secret_is_returned_once_and_only_its_sha256_is_stored(db):
    user = factories.make_user(Role.REVIEWER)
    created = create_token(db.session, user, name="  Laporan   RKPD 2027 ", now=NOW)
    token = db.session.get(ApiToken, created.token.id)
    assert created.secret.startswith("kc_") and len(created.secret) == 3 + 43
    assert token.token_hash == hashlib.sha256(created.secret.encode()).hexdigest()
    assert created.secret not in {token.token_hash, token.name}
    assert token.prefix == created.secret[:9]
    assert token.name == "Laporan RKPD 2027"
    assert token.expires_at is None and token.last_used_at is None
    assert authenticate_token(db.session, created.secret, now=NOW) == user


def test_two_tokens_never_share_a_secret(db):
    user = factories.make_user(Role.REVIEWER)
    a = create_token(db.session, user, name="a", now=NOW)
    b = create_token(db.session, user, name="b", now=NOW)
    assert a.secret != b.secret and a.token.token_hash != b.token.token_hash


def test_an_expiring_token_stops_working_at_its_expiry(db):
    user = factories.make_user(Role.REVIEWER)
    created = create_token(db.session, user, name="Sementara", expires_in_days=7, now=NOW)
    assert created.token.expires_at == NOW + timedelta(days=7)
    just_before = NOW + timedelta(days=7) - timedelta(seconds=1)
    assert authenticate_token(db.session, created.secret, now=just_before) == user
    assert authenticate_token(db.session, created.secret, now=NOW + timedelta(days=7)) is None
    assert token_state(created.token, NOW + timedelta(days=7)) == "expired"


def test_a_revoked_token_stops_working_at_once(db):
    user = factories.make_user(Role.REVIEWER)
    created = create_token(db.session, user, name="Dicabut", now=NOW)
    revoke_token(db.session, user, created.token, now=NOW + timedelta(minutes=5))
    assert created.token.revoked_at == NOW + timedelta(minutes=5)
    assert token_state(created.token, NOW) == "revoked"
    assert authenticate_token(db.session, created.secret, now=NOW + timedelta(minutes=6)) is None
    with pytest.raises(DomainError):
        revoke_token(db.session, user, created.token, now=NOW + timedelta(minutes=7))


def test_nobody_revokes_someone_elses_token(db):
    owner = factories.make_user(Role.REVIEWER)
    admin = factories.make_user(Role.ADMIN)
    created = create_token(db.session, owner, name="Milik orang lain", now=NOW)
    with pytest.raises(NotAllowed):
        revoke_token(db.session, admin, created.token, now=NOW)
    assert created.token.revoked_at is None


def test_a_deactivated_users_tokens_stop_working(db):
    user = factories.make_user(Role.REVIEWER)
    created = create_token(db.session, user, name="Nonaktif", now=NOW)
    user.active = False
    db.session.flush()
    assert authenticate_token(db.session, created.secret, now=NOW) is None


@pytest.mark.parametrize("raw", [None, "", "kc_", "kc_wrong", "Bearer kc_x", "x" * 500,
                                 "kc_\u00e9\u00e9", "kc_" + "\x00" * 10])
def test_unknown_or_malformed_secrets_authenticate_nobody(db, raw):
    user = factories.make_user(Role.REVIEWER)
    create_token(db.session, user, name="Ada", now=NOW)
    assert authenticate_token(db.session, raw, now=NOW) is None


@pytest.mark.parametrize("name, days, field", [
    ("", None, "name"), ("   ", None, "name"), ("x" * 81, None, "name"), ("a\x00b", None, "name"),
    ("a\u200bb", None, "name"),
    ("ok", 0, "expires_in_days"), ("ok", -3, "expires_in_days"), ("ok", 367, "expires_in_days"),
])
def test_bad_names_and_expiries_are_refused(db, name, days, field):
    user = factories.make_user(Role.REVIEWER)
    with pytest.raises(DomainError) as error:
        create_token(db.session, user, name=name, expires_in_days=days, now=NOW)
    assert error.value.field == field
    assert db.session.scalars(select(ApiToken)).all() == []


def test_at_most_twenty_active_tokens_per_user(db):
    user = factories.make_user(Role.REVIEWER)
    tokens = [create_token(db.session, user, name=f"t{i}", now=NOW) for i in range(MAX_ACTIVE_TOKENS)]
    with pytest.raises(DomainError):
        create_token(db.session, user, name="one too many", now=NOW)
    revoke_token(db.session, user, tokens[0].token, now=NOW)
    create_token(db.session, user, name="after revoking one", now=NOW)


def test_last_used_is_written_at_most_once_a_minute(db):
    user = factories.make_user(Role.REVIEWER)
    created = create_token(db.session, user, name="Dipakai", now=NOW)
    db.session.commit()

    def use(at):
        with count_queries() as n:
            assert authenticate_token(db.session, created.secret, now=at) == user
        db.session.commit()
        return n()

    first = use(NOW)
    assert created.token.last_used_at == NOW
    # Within the minute: the lookup only, no UPDATE.
    quiet = use(NOW + timedelta(seconds=30))
    assert quiet < first
    db.session.expire_all()
    assert db.session.get(ApiToken, created.token.id).last_used_at == NOW
    use(NOW + LAST_USED_RESOLUTION)
    db.session.expire_all()
    assert db.session.get(ApiToken, created.token.id).last_used_at == NOW + LAST_USED_RESOLUTION


def test_creation_and_revocation_are_audited_without_the_hash(db):
    user = factories.make_user(Role.REVIEWER)
    with audit.acting_as(user):
        created = create_token(db.session, user, name="Diaudit", expires_in_days=30, now=NOW)
        revoke_token(db.session, user, created.token, now=NOW)
    events = db.session.scalars(select(AuditEvent).where(AuditEvent.entity_type == "ApiToken")
                                .order_by(AuditEvent.id)).all()
    assert [(e.action, e.entity_id, e.actor_id) for e in events] == [
        ("create", created.token.id, user.id), ("revoke", created.token.id, user.id)]
    assert events[0].changes["name"] == "Diaudit"
    assert events[0].changes["prefix"] == created.secret[:9]
    stored = json.dumps([e.changes for e in events])
    assert created.token.token_hash not in stored and created.secret not in stored
    assert "token_hash" not in stored
