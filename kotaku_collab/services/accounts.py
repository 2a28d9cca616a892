"""Accounts: authentication, creation, password changes, deactivation and the admin's user list."""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session, joinedload, selectinload

from kotaku_collab.i18n import _
from kotaku_collab.models import Organisation, Region, RegionLevel, Role, User, utc_now
from kotaku_collab.passwords import PasswordHashing
from kotaku_collab.services import DomainError

MIN_PASSWORD_LENGTH = 10
#: Length of generated passwords (about 94 bits from the alphabet below).
GENERATED_PASSWORD_LENGTH = 16
#: Letters and digits that cannot be mistaken for one another when read aloud or copied by hand.
PASSWORD_ALPHABET = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"
#: A user's region scope is whole provinces or kabupaten/kota, never smaller units.
SCOPE_LEVELS = (RegionLevel.PROVINSI, RegionLevel.KABUPATEN, RegionLevel.KOTA)
PAGE_SIZE = 25


def normalise_email(email: str) -> str:
    return (email or "").strip().lower()


def authenticate(session: Session, hasher: PasswordHashing, email: str, password: str) -> User | None:
    """The active user with this e-mail and password, else None.

    Unknown e-mails and deactivated accounts cost a hash too, so response time does not reveal
    which accounts exist.
    """
    user = session.scalar(select(User).where(User.email == normalise_email(email)))
    ok = hasher.verify(user.password_hash if user else None, password)
    if not ok or user is None or not user.active:
        return None
    if hasher.needs_rehash(user.password_hash):
        user.password_hash = hasher.hash(password)
    user.last_login_at = utc_now()
    return user


def check_password_strength(password: str, email: str = "") -> None:
    if len(password or "") < MIN_PASSWORD_LENGTH:
        raise DomainError(_("Use at least %(n)d characters.", n=MIN_PASSWORD_LENGTH), field="password")
    if email and normalise_email(email).split("@")[0] in password.lower():
        raise DomainError(_("The password must not contain your e-mail name."), field="password")


def _validate_role_fields(session: Session, role: Role, organisation_id: int | None,
                          region_codes: list[str], is_national: bool):
    organisation = session.get(Organisation, organisation_id) if organisation_id else None
    if organisation_id and organisation is None:
        raise DomainError(_("Unknown organisation."), field="organisation_id")
    if role is Role.STAKEHOLDER and organisation is None:
        raise DomainError(_("A stakeholder account acts for one organisation: choose it."),
                          field="organisation_id")
    regions = []
    for code in region_codes:
        region = session.get(Region, code)
        if region is None:
            raise DomainError(_("Unknown region code: %(code)s", code=code), field="region_codes")
        if region.level not in SCOPE_LEVELS:
            raise DomainError(_("A region scope is a province or a regency/city, not %(name)s.",
                                name=region.name), field="region_codes")
        regions.append(region)
    if role in (Role.ORGANISER, Role.REVIEWER) and not regions and not is_national:
        raise DomainError(_("Organisers and reviewers need at least one region, or national scope."),
                          field="region_codes")
    if role in (Role.ADMIN, Role.STAKEHOLDER):
        regions, is_national = [], False
    return organisation, regions, is_national


def create_user(session: Session, hasher: PasswordHashing, *, email: str, name: str, role: Role,
                password: str, organisation_id: int | None = None,
                region_codes: list[str] | tuple = (), is_national: bool = False,
                locale: str | None = None) -> User:
    email = normalise_email(email)
    if session.scalar(select(User.id).where(User.email == email)) is not None:
        raise DomainError(_("An account with this e-mail already exists."), field="email")
    check_password_strength(password, email)
    organisation, regions, is_national = _validate_role_fields(
        session, role, organisation_id, list(region_codes), is_national)
    user = User(email=email, name=name.strip(), role=role, password_hash=hasher.hash(password),
                organisation=organisation, regions=regions, is_national=is_national, locale=locale)
    session.add(user)
    session.flush()
    return user


def update_user(session: Session, user: User, *, name: str, role: Role,
                organisation_id: int | None, region_codes: list[str], is_national: bool,
                actor: User | None = None) -> User:
    """Change name, role and scope. With `actor`, an admin cannot take away their own role."""
    if actor is not None and actor.id == user.id and role != user.role:
        raise DomainError(_("You cannot change your own role; ask another administrator."),
                          field="role")
    organisation, regions, is_national = _validate_role_fields(
        session, role, organisation_id, region_codes, is_national)
    if (role != user.role or set(r.code for r in regions) != set(user.region_codes)
            or is_national != user.is_national
            or (organisation.id if organisation else None) != user.organisation_id):
        # A change of powers ends the sessions issued under the old ones.
        user.rotate_session_token()
    user.name = name.strip()
    user.role = role
    user.organisation = organisation
    user.regions = regions
    user.is_national = is_national
    session.flush()
    return user


def change_password(session: Session, hasher: PasswordHashing, user: User, current: str,
                    new: str) -> None:
    if not hasher.verify(user.password_hash, current):
        raise DomainError(_("The current password is not correct."), field="current_password")
    check_password_strength(new, user.email)
    user.password_hash = hasher.hash(new)
    user.rotate_session_token()
    session.flush()


def set_active(session: Session, actor: User, user: User, active: bool) -> None:
    if user.id == actor.id and not active:
        raise DomainError(_("You cannot deactivate your own account."))
    user.active = active
    user.rotate_session_token()
    session.flush()


def end_sessions(session: Session, user: User) -> None:
    """Make every cookie issued to this user unusable (logout)."""
    user.rotate_session_token()
    session.flush()


def generate_password(email: str = "") -> str:
    """A random password that passes check_password_strength, for an admin to hand over once."""
    while True:
        password = "".join(secrets.choice(PASSWORD_ALPHABET)
                           for _i in range(GENERATED_PASSWORD_LENGTH))
        try:
            check_password_strength(password, email)
        except DomainError:
            continue
        return password


def reset_password(session: Session, hasher: PasswordHashing, actor: User, user: User) -> str:
    """Give `user` a new random password (returned, to show once) and end their sessions."""
    if user.id == actor.id:
        raise DomainError(_("Change your own password on the Password page."))
    password = generate_password(user.email)
    user.password_hash = hasher.hash(password)
    user.rotate_session_token()
    session.flush()
    return password


def scope_regions(session: Session) -> list[Region]:
    """Regions that can make up a user's scope: provinces and kabupaten/kota, by code."""
    return list(session.scalars(
        select(Region).where(Region.level.in_(SCOPE_LEVELS)).order_by(Region.code)))


@dataclass
class UserFilters:
    #: Part of the name or e-mail address.
    q: str | None = None
    role: Role | None = None
    #: True: active accounts only; False: deactivated only; None: both.
    active: bool | None = None


def list_users(session: Session, filters: UserFilters | None = None, *, page: int = 1,
               per_page: int = PAGE_SIZE):
    """Accounts by name, filtered, as a pagination; organisation and regions are loaded with
    them so the page's query count does not grow with its rows."""
    from kotaku_collab.extensions import db

    f = filters or UserFilters()
    query = (select(User).options(joinedload(User.organisation), selectinload(User.regions))
             .order_by(func.lower(User.name), User.id))
    if f.q:
        term = f.q.strip().lower()
        query = query.where(or_(func.lower(User.name).contains(term, autoescape=True),
                                User.email.contains(term, autoescape=True)))
    if f.role is not None:
        query = query.where(User.role == f.role)
    if f.active is not None:
        query = query.where(User.active.is_(f.active))
    return db.paginate(query, page=page, per_page=per_page, error_out=False)
