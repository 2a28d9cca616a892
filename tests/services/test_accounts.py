"""Account rules: creation, authentication, password changes, deactivation, role changes."""

from __future__ import annotations

import pytest

from kotaku_collab.extensions import passwords
from kotaku_collab.models import Role
from kotaku_collab.services import DomainError
from kotaku_collab.services.accounts import (UserFilters, authenticate, change_password,
                                             check_password_strength, create_user,
                                             generate_password, list_users, reset_password,
                                             scope_regions, set_active, update_user)
from tests import factories
from tests.factories import PASSWORD

STRONG = "a long enough passphrase"


def new_user(db, **overrides):
    data = dict(email="ketut@example.org", name="Ketut", role=Role.ORGANISER, password=STRONG,
                region_codes=["51.05"])
    data.update(overrides)
    return create_user(db.session, passwords, **data)


@pytest.fixture
def regions(db):
    for code in ("51.05", "35.75", "51.05.03"):
        factories.make_region(code)


def test_create_user_normalises_email_and_hashes_password(db, regions):
    user = new_user(db, email="  Ketut.Sudarma@Example.ORG ", name="  Ketut Sudarma ")
    assert user.id is not None
    assert user.email == "ketut.sudarma@example.org"
    assert user.name == "Ketut Sudarma"
    assert user.password_hash.startswith("$argon2id$")
    assert STRONG not in user.password_hash
    assert user.region_codes == ["51.05"]


def test_create_user_refuses_duplicate_email_whatever_the_case(db, regions):
    new_user(db, email="ketut@example.org")
    with pytest.raises(DomainError) as error:
        new_user(db, email="KETUT@Example.org")
    assert error.value.field == "email"


@pytest.mark.parametrize("password", ["short", "123456789", "ketut-is-my-password"])
def test_create_user_refuses_weak_password(db, regions, password):
    with pytest.raises(DomainError) as error:
        new_user(db, email="ketut@example.org", password=password)
    assert error.value.field == "password"


def test_stakeholder_needs_an_organisation(db, regions):
    with pytest.raises(DomainError) as error:
        new_user(db, role=Role.STAKEHOLDER, region_codes=[])
    assert error.value.field == "organisation_id"


def test_stakeholder_with_organisation_gets_no_region_scope(db, regions):
    org = factories.make_organisation()
    user = new_user(db, role=Role.STAKEHOLDER, organisation_id=org.id, region_codes=["51.05"],
                    is_national=True)
    assert user.organisation is org
    assert user.regions == []
    assert user.is_national is False


def test_unknown_organisation_is_refused(db, regions):
    with pytest.raises(DomainError) as error:
        new_user(db, role=Role.STAKEHOLDER, organisation_id=999999, region_codes=[])
    assert error.value.field == "organisation_id"


@pytest.mark.parametrize("role", [Role.ORGANISER, Role.REVIEWER])
def test_organiser_and_reviewer_need_a_region_or_national_scope(db, regions, role):
    with pytest.raises(DomainError) as error:
        new_user(db, role=role, region_codes=[])
    assert error.value.field == "region_codes"
    user = new_user(db, role=role, region_codes=[], is_national=True)
    assert user.is_national is True


def test_unknown_region_code_is_refused(db, regions):
    with pytest.raises(DomainError) as error:
        new_user(db, region_codes=["99.99"])
    assert error.value.field == "region_codes"
    assert "99.99" in error.value.message


def test_region_scope_below_regency_is_refused(db, regions):
    with pytest.raises(DomainError) as error:
        new_user(db, region_codes=["51.05.03"])  # a kecamatan
    assert error.value.field == "region_codes"


def test_scope_regions_are_provinces_and_regencies_by_code(db, regions):
    assert [r.code for r in scope_regions(db.session)] == ["35", "35.75", "51", "51.05"]


# --- authenticate -------------------------------------------------------------------------


def test_authenticate_with_the_right_password_records_the_login(db):
    user = factories.make_user(email="wayan@example.org")
    assert user.last_login_at is None
    assert authenticate(db.session, passwords, "wayan@example.org", PASSWORD) is user
    assert user.last_login_at is not None


def test_authenticate_normalises_the_email(db):
    user = factories.make_user(email="wayan@example.org")
    assert authenticate(db.session, passwords, "  Wayan@EXAMPLE.org ", PASSWORD) is user


@pytest.mark.parametrize("email, password", [
    ("wayan@example.org", "not the password"),
    ("nobody@example.org", PASSWORD),
    ("", ""),
])
def test_authenticate_refuses_wrong_password_and_unknown_email(db, email, password):
    factories.make_user(email="wayan@example.org")
    assert authenticate(db.session, passwords, email, password) is None


def test_authenticate_refuses_a_deactivated_account(db):
    user = factories.make_user(email="wayan@example.org", active=False)
    assert authenticate(db.session, passwords, "wayan@example.org", PASSWORD) is None
    assert user.last_login_at is None


# --- passwords ----------------------------------------------------------------------------


def test_change_password_needs_the_current_password(db):
    user = factories.make_user()
    token, old_hash = user.session_token, user.password_hash
    with pytest.raises(DomainError) as error:
        change_password(db.session, passwords, user, "wrong current", STRONG)
    assert error.value.field == "current_password"
    assert user.password_hash == old_hash
    assert user.session_token == token


def test_change_password_checks_strength(db):
    user = factories.make_user()
    with pytest.raises(DomainError) as error:
        change_password(db.session, passwords, user, PASSWORD, "short")
    assert error.value.field == "password"


def test_change_password_rotates_the_session_token(db):
    user = factories.make_user(email="wayan@example.org")
    token = user.session_token
    change_password(db.session, passwords, user, PASSWORD, STRONG)
    assert user.session_token != token
    assert authenticate(db.session, passwords, "wayan@example.org", STRONG) is user
    assert authenticate(db.session, passwords, "wayan@example.org", PASSWORD) is None


def test_generated_passwords_are_strong_and_different():
    generated = {generate_password("a@example.org") for _ in range(20)}
    assert len(generated) == 20
    for password in generated:
        check_password_strength(password, "a@example.org")
        assert "a" not in password.lower()


def test_reset_password_sets_a_new_password_and_ends_sessions(db):
    admin = factories.make_user(Role.ADMIN)
    user = factories.make_user(email="wayan@example.org")
    token = user.session_token
    password = reset_password(db.session, passwords, admin, user)
    assert user.session_token != token
    assert authenticate(db.session, passwords, "wayan@example.org", password) is user
    assert authenticate(db.session, passwords, "wayan@example.org", PASSWORD) is None


def test_reset_password_of_oneself_is_refused(db):
    admin = factories.make_user(Role.ADMIN)
    token = admin.session_token
    with pytest.raises(DomainError):
        reset_password(db.session, passwords, admin, admin)
    assert admin.session_token == token


# --- set_active ---------------------------------------------------------------------------


def test_deactivation_rotates_token_and_blocks_login(db):
    admin = factories.make_user(Role.ADMIN)
    user = factories.make_user(email="wayan@example.org")
    token = user.session_token
    set_active(db.session, admin, user, False)
    assert user.active is False
    assert user.session_token != token
    assert authenticate(db.session, passwords, "wayan@example.org", PASSWORD) is None
    set_active(db.session, admin, user, True)
    assert authenticate(db.session, passwords, "wayan@example.org", PASSWORD) is user


def test_an_admin_cannot_deactivate_themselves(db):
    admin = factories.make_user(Role.ADMIN)
    token = admin.session_token
    with pytest.raises(DomainError):
        set_active(db.session, admin, admin, False)
    assert admin.active is True
    assert admin.session_token == token


# --- update_user --------------------------------------------------------------------------


def edit(db, user, **overrides):
    data = dict(name=user.name, role=user.role, organisation_id=user.organisation_id,
                region_codes=user.region_codes, is_national=user.is_national)
    data.update(overrides)
    return update_user(db.session, user, **data)


def test_update_user_rotates_token_on_role_change(db):
    user = factories.make_user(Role.ORGANISER, regions=["51.05"])
    token = user.session_token
    edit(db, user, role=Role.REVIEWER)
    assert user.role is Role.REVIEWER
    assert user.session_token != token


@pytest.mark.parametrize("change", [
    {"region_codes": ["35.75"]},
    {"region_codes": [], "is_national": True},
])
def test_update_user_rotates_token_on_scope_change(db, change):
    factories.make_region("35.75")
    user = factories.make_user(Role.ORGANISER, regions=["51.05"])
    token = user.session_token
    edit(db, user, **change)
    assert user.session_token != token


def test_update_user_keeps_token_when_only_the_name_changes(db):
    user = factories.make_user(Role.ORGANISER, regions=["51.05"])
    token = user.session_token
    edit(db, user, name="  Made Wirawan ")
    assert user.name == "Made Wirawan"
    assert user.session_token == token


def test_update_user_applies_the_same_role_rules(db):
    user = factories.make_user(Role.ORGANISER, regions=["51.05"])
    with pytest.raises(DomainError) as error:
        edit(db, user, role=Role.STAKEHOLDER)
    assert error.value.field == "organisation_id"
    assert user.role is Role.ORGANISER


def test_an_admin_cannot_change_their_own_role(db):
    admin = factories.make_user(Role.ADMIN)
    with pytest.raises(DomainError) as error:
        update_user(db.session, admin, name=admin.name, role=Role.ORGANISER, organisation_id=None,
                    region_codes=["51.05"], is_national=False, actor=admin)
    assert error.value.field == "role"
    assert admin.role is Role.ADMIN


# --- list_users ---------------------------------------------------------------------------


def test_list_users_filters_by_text_role_and_state(db):
    factories.make_user(Role.ORGANISER, name="Ni Luh Putu", email="putu@example.org")
    factories.make_user(Role.REVIEWER, name="Gede Bappeda", email="gede@bappeda.example.org")
    factories.make_user(Role.ORGANISER, name="Komang", email="komang@example.org", active=False)

    def names(**kwargs):
        return [u.name for u in list_users(db.session, UserFilters(**kwargs)).items]

    assert names() == ["Gede Bappeda", "Komang", "Ni Luh Putu"]
    assert names(q="PUTU") == ["Ni Luh Putu"]
    assert names(q="bappeda.example") == ["Gede Bappeda"]
    assert names(q="%") == []  # LIKE wildcards are searched for literally
    assert names(role=Role.ORGANISER) == ["Komang", "Ni Luh Putu"]
    assert names(active=False) == ["Komang"]
    assert names(role=Role.ORGANISER, active=True) == ["Ni Luh Putu"]
