"""The audit trail holds no secrets and no personal contact data in clear (UU PDP 27/2022):
hashes and tokens are left out, phone numbers, e-mails and ID numbers are masked."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from kotaku_collab import audit
from kotaku_collab.models import AuditEvent, Person, User
from tests import factories


def events(db, entity_type):
    return list(db.session.scalars(select(AuditEvent).where(
        AuditEvent.entity_type == entity_type).order_by(AuditEvent.id)))


@pytest.mark.parametrize("value, masked", [
    ("+6281234567890", "+62********890"),
    ("wayan@example.org", "w***@example.org"),
    ("Hubungi 0812-3456-7890 / ayu.putri@bappeda.go.id",
     "Hubungi 08*******890 / a***@bappeda.go.id"),
    ("https://wa.me/6281234567890", "https://wa.me/62********890"),
    ("198501012010011001", "19*************001"),
    ("https://pokja.example.id", "https://pokja.example.id"),
    ("SK Bupati 050/123/HK/2019", "SK Bupati 050/123/HK/2019"),
    ("", ""), (None, None), (42, 42),
])
def test_mask_personal(value, masked):
    assert audit.mask_personal(value) == masked


def test_a_mechanism_contact_channel_is_masked_on_create_and_update(db):
    workshop = factories.make_workshop()
    mechanism = factories.make_mechanism(workshop, contact_channel="https://wa.me/6281234567890")
    mechanism.contact_channel = "https://wa.me/6289876543210"
    db.session.flush()
    create, update = events(db, "CoordinationMechanism")
    assert create.changes["contact_channel"] == "https://wa.me/62********890"
    assert update.changes == {"contact_channel": ["https://wa.me/62********890",
                                                  "https://wa.me/62********210"]}


def test_a_change_that_masks_to_the_same_hint_is_still_recorded(db):
    workshop = factories.make_workshop()
    mechanism = factories.make_mechanism(workshop, contact_channel="0812-1111-1890")
    mechanism.contact_channel = "0812-2222-2890"
    db.session.flush()
    _create, update = events(db, "CoordinationMechanism")
    assert update.changes == {"contact_channel": ["08*******890", "08*******890"]}


def test_any_audited_model_gets_the_same_rule_by_column_name(db, monkeypatch):
    """People are not audited today; if a model with phone, e-mail or NIP ever is, its values
    are masked and nothing leaks. The rule goes by column name, not by model."""
    monkeypatch.setitem(audit.AUDITED, Person, lambda o: None)
    person = factories.make_person(name="I Wayan Sudarma", phone="+6281234567890",
                                   email="wayan@example.org", nip="198501012010011001")
    person.phone = "+6285737000111"
    db.session.flush()
    create, update = events(db, "Person")
    assert create.changes["name"] == "I Wayan Sudarma"
    assert create.changes["phone"] == "+62********890"
    assert create.changes["email"] == "w***@example.org"
    assert create.changes["nip"] == "19*************001"
    assert update.changes == {"phone": ["+62********890", "+62********111"]}
    stored = json.dumps([create.changes, update.changes])
    for secret in ("81234567890", "wayan@example.org", "198501012010011001", "85737000111"):
        assert secret not in stored


def test_secrets_never_enter_the_trail(db, monkeypatch):
    monkeypatch.setitem(audit.AUDITED, User, lambda o: None)
    user = factories.make_user()
    user.rotate_session_token()
    user.password_hash = "$argon2id$v=19$changed"
    user.name = "Nama Baru"
    db.session.flush()
    stored = json.dumps([e.changes for e in events(db, "User")])
    assert "argon2id" not in stored and user.session_token not in stored
    assert not {"password_hash", "session_token"} & set().union(
        *(e.changes for e in events(db, "User")))
    workshop = factories.make_workshop()
    registration = factories.make_registration(workshop, cancel_token_hash="f" * 64)
    [created] = [e for e in events(db, "Registration") if e.entity_id == registration.id]
    assert "cancel_token_hash" not in created.changes


def test_named_events_are_minimised_too(db):
    workshop = factories.make_workshop()
    audit.record_event(db.session, "export", workshop,
                       {"rows": 3, "email": "ayu@example.org", "token_hash": "abc123",
                        "phone": "+6281234567890"})
    [event] = events(db, "Workshop")[-1:]
    assert event.changes == {"rows": 3, "email": "a***@example.org", "phone": "+62********890"}
