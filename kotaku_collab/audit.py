"""One audit mechanism for every audited model: a flush listener writes AuditEvent rows.

Call sites do nothing special. The acting user comes from `acting_as()` (set per request by
create_app and by CLI commands); an amendment reason from `audit_reason()`.
"""

from __future__ import annotations

import enum
import re
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import event, insert, inspect
from sqlalchemy.orm import ColumnProperty, Session

from kotaku_collab.models import (AgendaItem, AgreementPoint, AuditEvent, Commitment,
                                  CommitmentUpdate, CoordinationMechanism, MechanismMeeting,
                                  Minutes, RegionIndicator, Registration, StrategicIssue,
                                  Verification, VoteSession, Workshop, utc_now)

_actor_id: ContextVar[int | None] = ContextVar("audit_actor_id", default=None)
_reason: ContextVar[str | None] = ContextVar("audit_reason", default=None)

#: Audited model → how to find the workshop it belongs to.
AUDITED = {
    Workshop: lambda o: o.id,
    AgendaItem: lambda o: o.workshop_id,
    Registration: lambda o: o.workshop_id,
    StrategicIssue: lambda o: o.workshop_id,
    CoordinationMechanism: lambda o: o.workshop_id,
    MechanismMeeting: lambda o: None,
    AgreementPoint: lambda o: o.workshop_id,
    Commitment: lambda o: o.workshop_id,
    CommitmentUpdate: lambda o: None,
    Verification: lambda o: None,
    Minutes: lambda o: o.workshop_id,
    VoteSession: lambda o: o.workshop_id,
    # 100-0-100 figures feed the regional plan: who entered or changed which figure.
    RegionIndicator: lambda o: None,
}

#: Columns never copied into the trail: secrets (hashes, tokens) and derived bookkeeping.
SKIPPED_COLUMNS = {"cancel_token_hash", "password_hash", "token_hash", "session_token",
                   "updated_at", "created_at"}

#: Personal contact data and identifiers (UU PDP 27/2022, data minimisation): the trail keeps
#: that they changed and a masked hint, never the value. The trail outlives participant data,
#: so it must hold nothing that erasing a person's data would also have to reach.
PERSONAL_COLUMNS = {"phone", "email", "contact", "contact_channel", "nip", "nik"}

_EMAIL = re.compile(r"([^\s@<>()\[\],;:\"'/]+)@([^\s@<>()\[\],;:\"'/]+\.[^\s@<>()\[\],;:\"'/]+)")
#: Phone numbers and ID numbers inside any text: 7 or more digits, separators allowed.
_NUMBER = re.compile(r"\+?\d(?:[\s().-]?\d){6,}")


def _mask_number(match: re.Match) -> str:
    digits = re.sub(r"\D", "", match.group(0))
    lead = "+" if match.group(0).startswith("+") else ""
    return lead + digits[:2] + "*" * (len(digits) - 5) + digits[-3:]


def mask_personal(value):
    """+6281234567890 → +62*********890, wayan@example.org → w***@example.org, also inside
    longer text; anything that is not text is returned as it is."""
    if not isinstance(value, str) or not value:
        return value
    value = _EMAIL.sub(lambda m: m.group(1)[0] + "***@" + m.group(2), value)
    return _NUMBER.sub(_mask_number, value)


def _minimised(key: str, value):
    return mask_personal(value) if key in PERSONAL_COLUMNS else value


def set_actor(user_id: int | None):
    return _actor_id.set(user_id)


@contextmanager
def acting_as(user):
    token = _actor_id.set(user.id if user is not None else None)
    try:
        yield
    finally:
        _actor_id.reset(token)


@contextmanager
def audit_reason(reason: str):
    """Attach a reason (e.g. an amendment after finalisation) to events recorded inside."""
    token = _reason.set(reason)
    try:
        yield
    finally:
        _reason.reset(token)


def _plain(value):
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value


_COLUMN_KEYS: dict[type, list[str]] = {}


def _column_keys(obj) -> list[str]:
    """The audited columns of the object's class (worked out once per class)."""
    keys = _COLUMN_KEYS.get(type(obj))
    if keys is None:
        keys = _COLUMN_KEYS[type(obj)] = [
            p.key for p in inspect(obj).mapper.iterate_properties
            if isinstance(p, ColumnProperty) and p.key not in SKIPPED_COLUMNS]
    return keys


def _snapshot(obj) -> dict:
    return {key: _minimised(key, _plain(getattr(obj, key))) for key in _column_keys(obj)}


def _diff(obj) -> dict:
    state = inspect(obj)
    changes = {}
    for key in _column_keys(obj):
        history = state.attrs[key].history
        if history.has_changes():
            before = history.deleted[0] if history.deleted else None
            after = history.added[0] if history.added else None
            if _plain(before) != _plain(after):
                changes[key] = [_minimised(key, _plain(before)), _minimised(key, _plain(after))]
    return changes


def _row(obj, action: str, changes: dict) -> dict:
    return {
        "occurred_at": utc_now(),
        "actor_id": _actor_id.get(),
        "action": action,
        "entity_type": type(obj).__name__,
        "entity_id": getattr(obj, "id", None),
        "workshop_id": AUDITED[type(obj)](obj),
        "changes": changes,
        "reason": _reason.get(),
    }


_INSERT_EVENTS = insert(AuditEvent.__table__)


def _after_flush(session: Session, flush_context) -> None:
    rows = []
    for obj in session.new:
        if type(obj) in AUDITED:
            rows.append(_row(obj, "create", _snapshot(obj)))
    for obj in session.dirty:
        if type(obj) in AUDITED and session.is_modified(obj, include_collections=False):
            changes = _diff(obj)
            if changes:
                rows.append(_row(obj, "update", changes))
    for obj in session.deleted:
        if type(obj) in AUDITED:
            rows.append(_row(obj, "delete", _snapshot(obj)))
    if rows:
        session.connection().execute(_INSERT_EVENTS, rows)


def record_created(session: Session, obj) -> None:
    """The "create" entry for an audited object written without a flush (database.insert_row),
    the same entry the flush listener would have written."""
    session.connection().execute(_INSERT_EVENTS, [_row(obj, "create", _snapshot(obj))])


def record_event(session: Session, action: str, entity, changes: dict | None = None,
                 reason: str | None = None) -> None:
    """Record a named action that is not a plain create/update/delete (an export, an amendment)."""
    row = {
        "occurred_at": utc_now(),
        "actor_id": _actor_id.get(),
        "action": action,
        "entity_type": type(entity).__name__,
        "entity_id": getattr(entity, "id", None),
        "workshop_id": AUDITED.get(type(entity), lambda o: None)(entity),
        "changes": {key: _minimised(key, value) for key, value in _plain(changes or {}).items()
                    if key not in SKIPPED_COLUMNS},
        "reason": reason or _reason.get(),
    }
    session.execute(insert(AuditEvent.__table__), [row])


def install() -> None:
    if not event.contains(Session, "after_flush", _after_flush):
        event.listen(Session, "after_flush", _after_flush)
