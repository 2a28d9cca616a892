"""Personal API tokens: created and revoked by their owner, stored only as a SHA-256 hash.

The secret ("kc_" + 43 URL-safe characters, 256 random bits) is returned once by
`create_token` and never stored. A plain SHA-256 is enough for a random 256-bit secret (a slow
password hash protects guessable secrets; this one cannot be guessed) and lets a request find
its token with one indexed lookup.

The audit listener (audit.py) covers workshop data only, so creation and revocation are
recorded here with `record_event`, naming the token by name and prefix: the hash never goes
into the trail.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import or_, select, update
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, joinedload, selectinload
from sqlalchemy.orm.attributes import set_committed_value

from kotaku_collab.audit import record_event
from kotaku_collab.i18n import _
from kotaku_collab.models import ApiToken, User, utc_now
from kotaku_collab.permissions import can
from kotaku_collab.services import DomainError

SECRET_PREFIX = "kc_"
#: Characters of the secret kept for the list ("kc_" and the next 6), enough to tell tokens apart.
PREFIX_LENGTH = 9
MAX_NAME_LENGTH = 80
MAX_EXPIRY_DAYS = 366
#: Active (not revoked, not expired) tokens one user may hold at once.
MAX_ACTIVE_TOKENS = 20
#: last_used_at is written at most this often, so reading the API is not a write per request.
LAST_USED_RESOLUTION = timedelta(minutes=1)
#: Longer strings are not tokens: refuse them before hashing.
MAX_SECRET_LENGTH = 200


class NotAllowed(DomainError):
    """The acting user may not do this (routes answer 403 or 404)."""


@dataclass
class CreatedToken:
    """A new token and its secret, which exists only in this object and the page showing it."""

    token: ApiToken
    secret: str


def hash_secret(secret: str) -> str:
    """The stored form of a secret: hex SHA-256."""
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def token_state(token: ApiToken, now: datetime | None = None) -> str:
    """"active", "expired" or "revoked"."""
    now = now or utc_now()
    if token.revoked_at is not None:
        return "revoked"
    if token.expires_at is not None and token.expires_at <= now:
        return "expired"
    return "active"


def user_tokens(session: Session, user: User) -> list[ApiToken]:
    """The user's tokens, newest first (revoked and expired ones too, for the record)."""
    return list(session.scalars(
        select(ApiToken).where(ApiToken.user_id == user.id)
        .order_by(ApiToken.created_at.desc(), ApiToken.id.desc())))


def _clean_name(name: str | None) -> str:
    name = " ".join((name or "").split())
    if not name:
        raise DomainError(_("Give the token a name, e.g. what it is for."), field="name")
    if not name.isprintable():
        raise DomainError(_("The name may not contain control characters."), field="name")
    if len(name) > MAX_NAME_LENGTH:
        raise DomainError(_("The name can be at most %(n)d characters long.", n=MAX_NAME_LENGTH),
                          field="name")
    return name


def create_token(session: Session, user: User, *, name: str | None,
                 expires_in_days: int | None = None, now: datetime | None = None) -> CreatedToken:
    """Make a token for `user`; the returned secret is shown once and never stored."""
    if not can(user, "api_token.manage"):
        raise NotAllowed(_("You may not create API tokens."))
    now = now or utc_now()
    name = _clean_name(name)
    if expires_in_days is not None and not 1 <= expires_in_days <= MAX_EXPIRY_DAYS:
        raise DomainError(_("A token expires after 1 to %(n)d days, or never.", n=MAX_EXPIRY_DAYS),
                          field="expires_in_days")
    active = sum(1 for t in user_tokens(session, user) if token_state(t, now) == "active")
    if active >= MAX_ACTIVE_TOKENS:
        raise DomainError(_("You already have %(n)d active tokens; revoke one you no longer use.",
                            n=MAX_ACTIVE_TOKENS))
    secret = SECRET_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(user_id=user.id, name=name, token_hash=hash_secret(secret),
                     prefix=secret[:PREFIX_LENGTH], created_at=now,
                     expires_at=now + timedelta(days=expires_in_days) if expires_in_days else None)
    session.add(token)
    session.flush()
    record_event(session, "create", token, _audit_fields(token))
    return CreatedToken(token=token, secret=secret)


def revoke_token(session: Session, user: User, token: ApiToken, *,
                 now: datetime | None = None) -> None:
    """Revoke one of the user's own tokens; it stops working at once."""
    if not can(user, "api_token.manage", token):
        raise NotAllowed(_("This is not your token."))
    if token.revoked_at is not None:
        raise DomainError(_("This token was already revoked."))
    token.revoked_at = now or utc_now()
    session.flush()
    record_event(session, "revoke", token, _audit_fields(token))


def _audit_fields(token: ApiToken) -> dict:
    """What the trail keeps of a token: never its hash."""
    return {"user_id": token.user_id, "name": token.name, "prefix": token.prefix,
            "expires_at": token.expires_at, "revoked_at": token.revoked_at}


def authenticate_token(session: Session, raw: str | None, *,
                       now: datetime | None = None) -> User | None:
    """The active user a bearer secret belongs to, or None (unknown, revoked or expired token,
    inactive user). Marks the token used, at most once per `LAST_USED_RESOLUTION`."""
    if not raw or len(raw) > MAX_SECRET_LENGTH or not raw.isascii():
        return None
    now = now or utc_now()
    token = session.scalar(
        select(ApiToken).where(ApiToken.token_hash == hash_secret(raw))
        .options(joinedload(ApiToken.user).joinedload(User.organisation),
                 joinedload(ApiToken.user).selectinload(User.regions)))
    if token is None or token_state(token, now) != "active" or not token.user.active:
        return None
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_RESOLUTION:
        _mark_used(session, token, now)
    return token.user


def _mark_used(session: Session, token: ApiToken, now: datetime) -> None:
    """Record the use with a conditional UPDATE (two requests in the same minute write once),
    inside a savepoint: when the database is busy the bookkeeping is skipped, not the request."""
    try:
        with session.begin_nested():
            session.execute(
                update(ApiToken).where(ApiToken.id == token.id, or_(
                    ApiToken.last_used_at.is_(None),
                    ApiToken.last_used_at <= now - LAST_USED_RESOLUTION))
                .values(last_used_at=now).execution_options(synchronize_session=False))
    except OperationalError:
        return
    set_committed_value(token, "last_used_at", now)
