"""The audit trail: who changed what, when, with before/after values."""

from __future__ import annotations

from datetime import datetime
from typing import Optional

from sqlalchemy import JSON, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from kotaku_collab.models.base import Base, UTCDateTime, utc_now
from kotaku_collab.models.user import User


class AuditEvent(Base):
    __tablename__ = "audit_events"
    __table_args__ = (Index("ix_audit_events_entity", "entity_type", "entity_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)
    actor_id: Mapped[Optional[int]] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    #: create, update, delete, or a named action such as export or amend.
    action: Mapped[str] = mapped_column(String(30))
    entity_type: Mapped[str] = mapped_column(String(60))
    entity_id: Mapped[Optional[int]]
    #: The workshop the entity belongs to, for per-workshop history.
    workshop_id: Mapped[Optional[int]] = mapped_column(index=True)
    #: {"field": [before, after]} for updates; {"field": value} for creates and deletes.
    changes: Mapped[dict] = mapped_column(JSON, default=dict)
    reason: Mapped[Optional[str]] = mapped_column(Text)

    actor: Mapped[Optional[User]] = relationship()

    def __repr__(self) -> str:
        return f"<AuditEvent {self.action} {self.entity_type}#{self.entity_id}>"
