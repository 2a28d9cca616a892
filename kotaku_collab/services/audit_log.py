"""Reading the audit trail: a filtered list, one object's history, and rows for display.

Writing happens in kotaku_collab.audit (a flush listener); this module only reads.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from sqlalchemy import exists, select
from sqlalchemy.orm import Session, joinedload

from kotaku_collab import audit
from kotaku_collab.i18n import _, _l
from kotaku_collab.models import AuditEvent, User

PAGE_SIZE = 50
#: Longer values are cut in the table (the full value stays in the database).
MAX_VALUE_LENGTH = 300

#: Names of the audited models, as stored in AuditEvent.entity_type.
AUDITED_TYPES = tuple(sorted(model.__name__ for model in audit.AUDITED))

ENTITY_LABELS = {
    "Workshop": _l("Workshop"),
    "AgendaItem": _l("Agenda item"),
    "Registration": _l("Registration"),
    "StrategicIssue": _l("Strategic issue"),
    "CoordinationMechanism": _l("Coordination mechanism"),
    "MechanismMeeting": _l("Mechanism meeting"),
    "AgreementPoint": _l("Agreement point"),
    "Commitment": _l("Commitment"),
    "CommitmentUpdate": _l("Commitment progress update"),
    "Verification": _l("Verification"),
    "Minutes": _l("Minutes"),
    "VoteSession": _l("Vote"),
    "RegionIndicator": _l("100-0-100 figure"),
    "ApiToken": _l("API token"),
    "ReviewExport": _l("Review export"),
}

ACTION_LABELS = {
    "create": _l("Created"),
    "update": _l("Changed"),
    "delete": _l("Deleted"),
    "revoke": _l("Revoked"),
    "export": _l("Exported"),
    "import": _l("Imported"),
    "merge": _l("Merged"),
    "amend": _l("Amended"),
}

#: The actor filter's value for events recorded with no user (CLI commands, background jobs).
NO_ACTOR = "none"


def entity_label(entity_type: str) -> str:
    label = ENTITY_LABELS.get(entity_type)
    return str(label) if label is not None else entity_type


def action_label(action: str) -> str:
    label = ACTION_LABELS.get(action)
    return str(label) if label is not None else action


@dataclass
class AuditFilters:
    entity_type: str | None = None
    entity_id: int | None = None
    workshop_id: int | None = None
    actor_id: int | None = None
    #: Only events recorded with no acting user.
    without_actor: bool = False
    action: str | None = None


@dataclass
class ChangeRow:
    field: str
    #: Display text; `before` is None for creates, deletes and named actions (one value only).
    before: str | None
    after: str


@dataclass
class AuditEntry:
    event: AuditEvent
    rows: list[ChangeRow]
    #: True when the rows are before → after pairs (updates).
    paired: bool
    action_label: str
    entity_label: str


def _events_query():
    return (select(AuditEvent).options(joinedload(AuditEvent.actor))
            .order_by(AuditEvent.occurred_at.desc(), AuditEvent.id.desc()))


def list_events(session: Session, filters: AuditFilters | None = None, *, page: int = 1,
                per_page: int = PAGE_SIZE):
    """Events newest first, filtered, as a pagination (actors loaded in the same query)."""
    from kotaku_collab.extensions import db

    f = filters or AuditFilters()
    query = _events_query()
    if f.entity_type:
        query = query.where(AuditEvent.entity_type == f.entity_type)
    if f.entity_id is not None:
        query = query.where(AuditEvent.entity_id == f.entity_id)
    if f.workshop_id is not None:
        query = query.where(AuditEvent.workshop_id == f.workshop_id)
    if f.without_actor:
        query = query.where(AuditEvent.actor_id.is_(None))
    elif f.actor_id is not None:
        query = query.where(AuditEvent.actor_id == f.actor_id)
    if f.action:
        query = query.where(AuditEvent.action == f.action)
    return db.paginate(query, page=page, per_page=per_page, error_out=False)


def is_known_entity_type(session: Session, entity_type: str) -> bool:
    """An audited model's name, or a type some named event was recorded for."""
    if entity_type in AUDITED_TYPES:
        return True
    return bool(session.scalar(select(exists().where(AuditEvent.entity_type == entity_type))))


def object_history(session: Session, entity_type: str, entity_id: int, *, page: int = 1,
                   per_page: int = PAGE_SIZE):
    """Everything recorded about one object, newest first, as a pagination."""
    return list_events(session, AuditFilters(entity_type=entity_type, entity_id=entity_id),
                       page=page, per_page=per_page)


def entity_types(session: Session) -> list[str]:
    """Audited model names plus any other type found in the trail, sorted."""
    stored = session.scalars(select(AuditEvent.entity_type).distinct())
    return sorted(set(AUDITED_TYPES) | set(stored))


def actions(session: Session) -> list[str]:
    """create, update, delete, then the named actions found in the trail."""
    basic = list(ACTION_LABELS)
    stored = session.scalars(select(AuditEvent.action).distinct().order_by(AuditEvent.action))
    return basic + [a for a in stored if a not in basic]


def actors(session: Session) -> list[User]:
    """Users who appear in the trail, by name."""
    acted = select(AuditEvent.actor_id).where(AuditEvent.actor_id.is_not(None)).distinct()
    return list(session.scalars(select(User).where(User.id.in_(acted))
                                .order_by(User.name, User.id)))


def display_value(value) -> str:
    """A stored (JSON) value as short text for the table."""
    if value is None or value == "":
        return "–"
    if value is True:
        return _("yes")
    if value is False:
        return _("no")
    if isinstance(value, (list, dict)):
        text = json.dumps(value, ensure_ascii=False, sort_keys=True)
    else:
        text = str(value)
    return text if len(text) <= MAX_VALUE_LENGTH else text[:MAX_VALUE_LENGTH - 1] + "…"


def entry(event: AuditEvent) -> AuditEntry:
    """An event with its changes as display rows: before → after for updates, else one value."""
    changes = event.changes or {}
    paired = event.action == "update" and all(
        isinstance(v, list) and len(v) == 2 for v in changes.values())
    rows = []
    for field_name in sorted(changes):
        value = changes[field_name]
        if paired:
            rows.append(ChangeRow(field_name, display_value(value[0]), display_value(value[1])))
        else:
            rows.append(ChangeRow(field_name, None, display_value(value)))
    return AuditEntry(event=event, rows=rows, paired=paired,
                      action_label=action_label(event.action),
                      entity_label=entity_label(event.entity_type))


def entries(events) -> list[AuditEntry]:
    return [entry(e) for e in events]
