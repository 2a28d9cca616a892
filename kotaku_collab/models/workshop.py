"""Workshops (lokakarya), their organising bodies and agenda (susunan acara)."""

from __future__ import annotations

import secrets
from datetime import datetime
from typing import Optional
from zoneinfo import ZoneInfo

from sqlalchemy import JSON, CheckConstraint, Column, ForeignKey, String, Table, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from kotaku_collab.models.base import Base, LabelledEnum, UTCDateTime, enum_column, utc_now
from kotaku_collab.models.organisation import Organisation, Person
from kotaku_collab.models.region import Region

#: Unambiguous characters for public workshop codes (no 0/O, 1/I/L).
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"


def new_workshop_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(8))


class WorkshopKind(LabelledEnum):
    LOKAKARYA_KOLABORASI = "lokakarya_kolaborasi"
    SOSIALISASI = "sosialisasi"
    FGD = "fgd"
    RAPAT_KOORDINASI = "rapat_koordinasi"
    MIDTERM_REVIEW = "midterm_review"


class WorkshopStatus(LabelledEnum):
    DRAFT = "draft"
    PUBLISHED = "published"
    REGISTRATION_CLOSED = "registration_closed"
    HELD = "held"
    FINALISED = "finalised"
    REVIEWED = "reviewed"
    CANCELLED = "cancelled"


class OrganiserRole(LabelledEnum):
    PENYELENGGARA = "penyelenggara"
    FASILITATOR = "fasilitator"


class SessionType(LabelledEnum):
    PEMBUKAAN = "pembukaan"
    PAPARAN = "paparan"
    DISKUSI_KELOMPOK = "diskusi_kelompok"
    PLENO = "pleno"
    PENUTUPAN = "penutupan"
    ISTIRAHAT = "istirahat"


class WorkshopOrganiser(Base):
    """An organisation's part in running a workshop."""

    __tablename__ = "workshop_organisers"

    workshop_id: Mapped[int] = mapped_column(
        ForeignKey("workshops.id", ondelete="CASCADE"), primary_key=True
    )
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisations.id", ondelete="RESTRICT"), primary_key=True
    )
    role: Mapped[OrganiserRole] = mapped_column(enum_column(OrganiserRole, "organiser_role"))

    workshop: Mapped["Workshop"] = relationship(back_populates="organisers")
    organisation: Mapped[Organisation] = relationship()


class Workshop(Base):
    __tablename__ = "workshops"
    __table_args__ = (
        CheckConstraint("capacity >= 1", name="capacity_positive"),
        CheckConstraint("seats_taken >= 0 AND seats_taken <= capacity", name="seats_within_capacity"),
        CheckConstraint("ends_at > starts_at", name="ends_after_starts"),
        CheckConstraint(
            "registration_closes_at IS NULL OR registration_opens_at IS NULL "
            "OR registration_closes_at > registration_opens_at",
            name="registration_window_order",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Short public code used in links such as /w/<code>.
    code: Mapped[str] = mapped_column(String(16), unique=True, default=new_workshop_code)
    title: Mapped[str] = mapped_column(String(200))
    kind: Mapped[WorkshopKind] = mapped_column(enum_column(WorkshopKind, "workshop_kind"))
    #: The kabupaten/kota the workshop belongs to; its time zone is the workshop's.
    region_code: Mapped[str] = mapped_column(
        ForeignKey("regions.code", ondelete="RESTRICT"), index=True
    )
    venue: Mapped[str] = mapped_column(String(200))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    capacity: Mapped[int]
    #: Confirmed seats, kept by the registration service with an atomic conditional UPDATE.
    seats_taken: Mapped[int] = mapped_column(default=0)
    registration_opens_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    registration_closes_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    #: Objectives in order, as a list of strings.
    objectives: Mapped[list[str]] = mapped_column(JSON, default=list)
    status: Mapped[WorkshopStatus] = mapped_column(
        enum_column(WorkshopStatus, "workshop_status"), default=WorkshopStatus.DRAFT, index=True
    )
    invitation_number: Mapped[Optional[str]] = mapped_column(String(80))
    opened_by_id: Mapped[Optional[int]] = mapped_column(
        ForeignKey("people.id", ondelete="RESTRICT")
    )
    #: Position of the person who opens it, as on the day (people change posts).
    opened_by_position: Mapped[Optional[str]] = mapped_column(String(160))
    #: Optional target per sector, e.g. {"filantropi": 2}.
    sector_targets: Mapped[dict] = mapped_column(JSON, default=dict)
    cancel_reason: Mapped[Optional[str]] = mapped_column(Text)
    #: When the date or time last changed after publication (registrants were told).
    rescheduled_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    #: The earlier round this workshop follows up on.
    previous_id: Mapped[Optional[int]] = mapped_column(
        ForeignKey("workshops.id", ondelete="SET NULL")
    )
    #: Free-text note on the provenance of the data (e.g. which values are examples).
    data_note: Mapped[Optional[str]] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now, onupdate=utc_now)

    region: Mapped[Region] = relationship()
    opened_by: Mapped[Optional[Person]] = relationship()
    organisers: Mapped[list[WorkshopOrganiser]] = relationship(
        back_populates="workshop", cascade="all, delete-orphan"
    )
    agenda_items: Mapped[list["AgendaItem"]] = relationship(
        back_populates="workshop", cascade="all, delete-orphan", order_by="AgendaItem.position"
    )
    previous: Mapped[Optional["Workshop"]] = relationship(remote_side=[id])

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.region.timezone)

    @property
    def seats_left(self) -> int:
        return max(self.capacity - self.seats_taken, 0)

    @property
    def is_full(self) -> bool:
        return self.seats_taken >= self.capacity

    def __repr__(self) -> str:
        return f"<Workshop {self.id} {self.code} {self.title!r}>"


agenda_speakers = Table(
    "agenda_speakers",
    Base.metadata,
    Column("agenda_item_id", ForeignKey("agenda_items.id", ondelete="CASCADE"), primary_key=True),
    Column("person_id", ForeignKey("people.id", ondelete="RESTRICT"), primary_key=True),
)


class AgendaItem(Base):
    __tablename__ = "agenda_items"
    __table_args__ = (CheckConstraint("ends_at > starts_at", name="ends_after_starts"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    workshop_id: Mapped[int] = mapped_column(
        ForeignKey("workshops.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(default=0)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    title: Mapped[str] = mapped_column(String(200))
    session_type: Mapped[SessionType] = mapped_column(enum_column(SessionType, "session_type"))
    moderator_id: Mapped[Optional[int]] = mapped_column(ForeignKey("people.id", ondelete="RESTRICT"))

    workshop: Mapped[Workshop] = relationship(back_populates="agenda_items")
    speakers: Mapped[list[Person]] = relationship(secondary=agenda_speakers)
    moderator: Mapped[Optional[Person]] = relationship()

    def __repr__(self) -> str:
        return f"<AgendaItem {self.id} {self.title!r}>"
