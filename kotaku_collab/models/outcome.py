"""What a workshop produces: strategic issues, coordination mechanisms, agreement points."""

from __future__ import annotations

from datetime import date, datetime
from typing import Optional

from sqlalchemy import CheckConstraint, Column, ForeignKey, String, Table, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from kotaku_collab.models.base import Base, LabelledEnum, UTCDateTime, enum_column, utc_now
from kotaku_collab.models.organisation import Organisation
from kotaku_collab.models.region import Region
from kotaku_collab.models.workshop import Workshop


class Aspect(LabelledEnum):
    """The 7 physical aspects of Permen PUPR 14/2018, then the non-physical ones."""

    BANGUNAN_GEDUNG = "bangunan_gedung"
    JALAN_LINGKUNGAN = "jalan_lingkungan"
    AIR_MINUM = "air_minum"
    DRAINASE = "drainase"
    AIR_LIMBAH = "air_limbah"
    PERSAMPAHAN = "persampahan"
    PROTEKSI_KEBAKARAN = "proteksi_kebakaran"
    REGULASI = "regulasi"
    KELEMBAGAAN = "kelembagaan"
    PENDANAAN = "pendanaan"
    LAHAN = "lahan"
    PERILAKU = "perilaku"
    DATA = "data"

    @property
    def is_physical(self) -> bool:
        return list(Aspect).index(self) < 7


class IssueAspect(Base):
    __tablename__ = "issue_aspects"

    issue_id: Mapped[int] = mapped_column(
        ForeignKey("strategic_issues.id", ondelete="CASCADE"), primary_key=True
    )
    aspect: Mapped[Aspect] = mapped_column(enum_column(Aspect, "aspect"), primary_key=True)


class StrategicIssue(Base):
    __tablename__ = "strategic_issues"
    __table_args__ = (CheckConstraint("priority BETWEEN 1 AND 3", name="priority_range"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    workshop_id: Mapped[int] = mapped_column(
        ForeignKey("workshops.id", ondelete="RESTRICT"), index=True
    )
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[Optional[str]] = mapped_column(Text)
    #: Kelurahan/desa the issue is about (optional).
    location_code: Mapped[Optional[str]] = mapped_column(ForeignKey("regions.code", ondelete="RESTRICT"))
    slum_area_id: Mapped[Optional[int]] = mapped_column(
        ForeignKey("slum_areas.id", ondelete="RESTRICT")
    )
    proposed_by_id: Mapped[Optional[int]] = mapped_column(
        ForeignKey("organisations.id", ondelete="RESTRICT")
    )
    #: 1 = high, 2 = medium, 3 = low.
    priority: Mapped[int] = mapped_column(default=2)
    #: Rank from the participants' vote, once the vote is closed (1 = most votes).
    vote_rank: Mapped[Optional[int]]
    vote_count: Mapped[int] = mapped_column(default=0)
    agreed: Mapped[bool] = mapped_column(default=False)
    #: Set when merged into a duplicate; everything that pointed here now points there.
    merged_into_id: Mapped[Optional[int]] = mapped_column(
        ForeignKey("strategic_issues.id", ondelete="RESTRICT")
    )
    is_example: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)

    workshop: Mapped[Workshop] = relationship()
    location: Mapped[Optional[Region]] = relationship()
    proposed_by: Mapped[Optional[Organisation]] = relationship()
    aspect_links: Mapped[list[IssueAspect]] = relationship(cascade="all, delete-orphan")

    @property
    def aspects(self) -> list[Aspect]:
        return sorted((link.aspect for link in self.aspect_links), key=list(Aspect).index)

    def __repr__(self) -> str:
        return f"<StrategicIssue {self.id} {self.title!r}>"


class MechanismType(LabelledEnum):
    RAPAT_POKJA_PKP = "rapat_pokja_pkp"
    FORUM_PKP = "forum_pkp"
    RAPAT_KOORDINASI = "rapat_koordinasi"
    TIM_TEKNIS = "tim_teknis"
    BERBAGI_DATA = "berbagi_data"
    MOU_PKS = "mou_pks"
    LAINNYA = "lainnya"


class Cadence(LabelledEnum):
    MINGGUAN = "mingguan"
    BULANAN = "bulanan"
    DUA_BULANAN = "dua_bulanan"
    TRIWULANAN = "triwulanan"
    SEMESTERAN = "semesteran"
    TAHUNAN = "tahunan"
    SESUAI_KEBUTUHAN = "sesuai_kebutuhan"

    @property
    def days(self) -> Optional[int]:
        """Expected days between meetings, for spotting mechanisms that missed their cadence."""
        return {"mingguan": 7, "bulanan": 31, "dua_bulanan": 62, "triwulanan": 92,
                "semesteran": 183, "tahunan": 366}.get(self.value)


mechanism_members = Table(
    "mechanism_members",
    Base.metadata,
    Column("mechanism_id", ForeignKey("coordination_mechanisms.id", ondelete="CASCADE"), primary_key=True),
    Column("organisation_id", ForeignKey("organisations.id", ondelete="RESTRICT"), primary_key=True),
)


class CoordinationMechanism(Base):
    __tablename__ = "coordination_mechanisms"

    id: Mapped[int] = mapped_column(primary_key=True)
    workshop_id: Mapped[int] = mapped_column(
        ForeignKey("workshops.id", ondelete="RESTRICT"), index=True
    )
    type: Mapped[MechanismType] = mapped_column(enum_column(MechanismType, "mechanism_type"))
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[Optional[str]] = mapped_column(Text)
    lead_organisation_id: Mapped[Optional[int]] = mapped_column(
        ForeignKey("organisations.id", ondelete="RESTRICT")
    )
    cadence: Mapped[Cadence] = mapped_column(enum_column(Cadence, "cadence"))
    next_meeting_on: Mapped[Optional[date]]
    #: Legal basis, e.g. the SK number that set up the body.
    legal_basis: Mapped[Optional[str]] = mapped_column(String(120))
    contact_channel: Mapped[Optional[str]] = mapped_column(String(200))
    is_example: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)

    workshop: Mapped[Workshop] = relationship()
    lead_organisation: Mapped[Optional[Organisation]] = relationship()
    members: Mapped[list[Organisation]] = relationship(secondary=mechanism_members)
    meetings: Mapped[list["MechanismMeeting"]] = relationship(
        back_populates="mechanism", order_by="MechanismMeeting.held_on"
    )

    def __repr__(self) -> str:
        return f"<CoordinationMechanism {self.id} {self.name!r}>"


meeting_attendees = Table(
    "meeting_attendees",
    Base.metadata,
    Column("meeting_id", ForeignKey("mechanism_meetings.id", ondelete="CASCADE"), primary_key=True),
    Column("organisation_id", ForeignKey("organisations.id", ondelete="RESTRICT"), primary_key=True),
)


class MechanismMeeting(Base):
    """A later meeting of a mechanism, so a reviewer can see whether it met at its cadence."""

    __tablename__ = "mechanism_meetings"

    id: Mapped[int] = mapped_column(primary_key=True)
    mechanism_id: Mapped[int] = mapped_column(
        ForeignKey("coordination_mechanisms.id", ondelete="RESTRICT"), index=True
    )
    held_on: Mapped[date]
    notes: Mapped[Optional[str]] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)

    mechanism: Mapped[CoordinationMechanism] = relationship(back_populates="meetings")
    attendees: Mapped[list[Organisation]] = relationship(secondary=meeting_attendees)


agreement_issues = Table(
    "agreement_issues",
    Base.metadata,
    Column("agreement_point_id", ForeignKey("agreement_points.id", ondelete="CASCADE"), primary_key=True),
    Column("issue_id", ForeignKey("strategic_issues.id", ondelete="RESTRICT"), primary_key=True),
)

agreement_organisations = Table(
    "agreement_organisations",
    Base.metadata,
    Column("agreement_point_id", ForeignKey("agreement_points.id", ondelete="CASCADE"), primary_key=True),
    Column("organisation_id", ForeignKey("organisations.id", ondelete="RESTRICT"), primary_key=True),
)


class AgreementPoint(Base):
    """A numbered statement agreed in the plenary (kesepakatan)."""

    __tablename__ = "agreement_points"
    __table_args__ = (
        UniqueConstraint("workshop_id", "number"),
        CheckConstraint("number >= 1", name="number_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    workshop_id: Mapped[int] = mapped_column(ForeignKey("workshops.id", ondelete="RESTRICT"))
    number: Mapped[int]
    text: Mapped[str] = mapped_column(Text)
    is_example: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)

    workshop: Mapped[Workshop] = relationship()
    issues: Mapped[list[StrategicIssue]] = relationship(secondary=agreement_issues)
    organisations: Mapped[list[Organisation]] = relationship(secondary=agreement_organisations)

    def __repr__(self) -> str:
        return f"<AgreementPoint {self.id} #{self.number}>"
