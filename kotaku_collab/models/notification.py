"""An outbox of messages to people: written in the same transaction as the change that causes
them, delivered later by `flask kotaku send-notifications` (so a mail server outage never loses
or blocks a registration)."""

from __future__ import annotations

from datetime import datetime
from typing import Optional

from sqlalchemy import JSON, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from kotaku_collab.models.base import Base, LabelledEnum, UTCDateTime, enum_column, utc_now
from kotaku_collab.models.organisation import Person
from kotaku_collab.models.workshop import Workshop


class NotificationKind(LabelledEnum):
    WORKSHOP_RESCHEDULED = "workshop_rescheduled"
    WORKSHOP_CANCELLED = "workshop_cancelled"
    REGISTRATION_CONFIRMED = "registration_confirmed"
    REGISTRATION_WAITLISTED = "registration_waitlisted"
    WAITLIST_PROMOTED = "waitlist_promoted"
    REGISTRATION_CANCELLED = "registration_cancelled"
    ALREADY_REGISTERED = "already_registered"
    COMMITMENT_REMINDER = "commitment_reminder"
    VERIFICATION_DECIDED = "verification_decided"


class Notification(Base):
    __tablename__ = "notifications"
    __table_args__ = (Index("ix_notifications_unsent", "sent_at", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[NotificationKind] = mapped_column(enum_column(NotificationKind, "notification_kind"))
    person_id: Mapped[Optional[int]] = mapped_column(
        ForeignKey("people.id", ondelete="SET NULL"), index=True
    )
    workshop_id: Mapped[Optional[int]] = mapped_column(
        ForeignKey("workshops.id", ondelete="SET NULL"), index=True
    )
    #: Where it goes; copied so a later edit of the person does not redirect old messages.
    email: Mapped[Optional[str]] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    #: Structured details for other channels (e.g. WhatsApp links) and for tests.
    payload: Mapped[dict] = mapped_column(JSON, default=dict)
    #: Prevents the same message being queued twice (e.g. a reminder digest per day).
    dedupe_key: Mapped[Optional[str]] = mapped_column(String(120), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)
    sent_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    error: Mapped[Optional[str]] = mapped_column(Text)

    person: Mapped[Optional[Person]] = relationship()
    workshop: Mapped[Optional[Workshop]] = relationship()

    def __repr__(self) -> str:
        return f"<Notification {self.id} {self.kind.value}>"
