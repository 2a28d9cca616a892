"""A person's place in a workshop: role, seat, attendance."""

from __future__ import annotations

import secrets
from datetime import datetime
from typing import Optional

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from kotaku_collab.models.base import Base, LabelledEnum, UTCDateTime, enum_column, utc_now
from kotaku_collab.models.organisation import Organisation, Person, Sector
from kotaku_collab.models.workshop import Workshop


def new_registration_code() -> str:
    return secrets.token_hex(4).upper()


class ParticipantRole(LabelledEnum):
    PESERTA = "peserta"
    NARASUMBER = "narasumber"
    MODERATOR = "moderator"
    PANITIA = "panitia"
    PEMBUKA = "pembuka"
    UNDANGAN = "undangan"

    @property
    def takes_seat(self) -> bool:
        """Only participants and invitees count against capacity."""
        return self in (ParticipantRole.PESERTA, ParticipantRole.UNDANGAN)


class RegistrationStatus(LabelledEnum):
    CONFIRMED = "confirmed"
    WAITLISTED = "waitlisted"
    CANCELLED = "cancelled"


class AttendanceStatus(LabelledEnum):
    HADIR = "hadir"
    IZIN = "izin"
    TIDAK_HADIR = "tidak_hadir"
    DIWAKILI = "diwakili"


class Registration(Base):
    __tablename__ = "registrations"
    __table_args__ = (
        UniqueConstraint("workshop_id", "person_id"),
        Index("ix_registrations_workshop_status", "workshop_id", "status"),
        # The next place on a workshop's waiting list, and the first person waiting.
        Index("ix_registrations_workshop_waitlist", "workshop_id", "waitlist_position"),
        CheckConstraint(
            "attendance <> 'diwakili' OR delegate_name IS NOT NULL", name="delegate_named"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    workshop_id: Mapped[int] = mapped_column(ForeignKey("workshops.id", ondelete="RESTRICT"))
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="RESTRICT"), index=True)
    #: The organisation and sector as they were when the person registered.
    organisation_id: Mapped[Optional[int]] = mapped_column(
        ForeignKey("organisations.id", ondelete="RESTRICT"), index=True
    )
    sector: Mapped[Sector] = mapped_column(enum_column(Sector, "sector"))
    role: Mapped[ParticipantRole] = mapped_column(
        enum_column(ParticipantRole, "participant_role"), default=ParticipantRole.PESERTA
    )
    status: Mapped[RegistrationStatus] = mapped_column(
        enum_column(RegistrationStatus, "registration_status"), default=RegistrationStatus.CONFIRMED
    )
    #: Order on the waiting list (lower goes first); empty unless waitlisted.
    waitlist_position: Mapped[Optional[int]]
    #: Code printed on the confirmation and in the QR.
    code: Mapped[str] = mapped_column(String(16), unique=True, default=new_registration_code)
    #: Hash of the secret in the self-service cancel link.
    cancel_token_hash: Mapped[Optional[str]] = mapped_column(String(128))
    attendance: Mapped[Optional[AttendanceStatus]] = mapped_column(
        enum_column(AttendanceStatus, "attendance_status")
    )
    delegate_name: Mapped[Optional[str]] = mapped_column(String(120))
    checked_in_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    #: When the person consented to processing of their personal data (UU PDP 27/2022).
    consent_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    self_registered: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)

    workshop: Mapped[Workshop] = relationship()
    person: Mapped[Person] = relationship()
    organisation: Mapped[Optional[Organisation]] = relationship()

    def __repr__(self) -> str:
        return f"<Registration {self.id} w={self.workshop_id} p={self.person_id} {self.status.value}>"
