"""Slum areas fixed by SK decree and the 100-0-100 figures per kab/kota and year."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Optional

from sqlalchemy import CheckConstraint, ForeignKey, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from kotaku_collab.models.base import Base, LabelledEnum, UTCDateTime, enum_column, utc_now
from kotaku_collab.models.region import Region


class SlumLevel(LabelledEnum):
    TIDAK_KUMUH = "tidak_kumuh"
    RINGAN = "ringan"
    SEDANG = "sedang"
    BERAT = "berat"


class SlumArea(Base):
    """A kawasan kumuh listed in the regent's or mayor's SK."""

    __tablename__ = "slum_areas"
    __table_args__ = (CheckConstraint("area_ha >= 0", name="area_not_negative"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    region_code: Mapped[str] = mapped_column(
        ForeignKey("regions.code", ondelete="RESTRICT"), index=True
    )
    name: Mapped[str] = mapped_column(String(200))
    sk_number: Mapped[Optional[str]] = mapped_column(String(80))
    sk_date: Mapped[Optional[date]]
    sk_year: Mapped[Optional[int]]
    area_ha: Mapped[Decimal] = mapped_column(Numeric(10, 2))
    level: Mapped[Optional[SlumLevel]] = mapped_column(enum_column(SlumLevel, "slum_level"))
    score: Mapped[Optional[int]]
    #: pesisir, tepi sungai, dataran rendah, …
    typology: Mapped[Optional[str]] = mapped_column(String(60))
    sub_units: Mapped[Optional[str]] = mapped_column(Text)
    is_example: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)

    region: Mapped[Region] = relationship()
    locations: Mapped[list["SlumAreaLocation"]] = relationship(
        back_populates="slum_area", cascade="all, delete-orphan"
    )


class SlumAreaLocation(Base):
    """The part of a slum area that lies in one kelurahan/desa."""

    __tablename__ = "slum_area_locations"
    __table_args__ = (CheckConstraint("area_ha IS NULL OR area_ha >= 0", name="area_not_negative"),)

    slum_area_id: Mapped[int] = mapped_column(
        ForeignKey("slum_areas.id", ondelete="CASCADE"), primary_key=True
    )
    region_code: Mapped[str] = mapped_column(
        ForeignKey("regions.code", ondelete="RESTRICT"), primary_key=True
    )
    area_ha: Mapped[Optional[Decimal]] = mapped_column(Numeric(10, 2))

    slum_area: Mapped[SlumArea] = relationship(back_populates="locations")
    region: Mapped[Region] = relationship()


class IndicatorKind(LabelledEnum):
    SLUM_BASELINE_HA = "slum_baseline_ha"
    SLUM_REDUCED_HA = "slum_reduced_ha"
    SLUM_REMAINING_HA = "slum_remaining_ha"
    WATER_ACCESS_PCT = "water_access_pct"
    SANITATION_ACCESS_PCT = "sanitation_access_pct"


class RegionIndicator(Base):
    """One 100-0-100 figure for a kab/kota and year, with where it came from."""

    __tablename__ = "region_indicators"
    __table_args__ = (
        UniqueConstraint("region_code", "year", "kind"),
        CheckConstraint("value >= 0", name="value_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    region_code: Mapped[str] = mapped_column(
        ForeignKey("regions.code", ondelete="RESTRICT"), index=True
    )
    year: Mapped[int]
    kind: Mapped[IndicatorKind] = mapped_column(enum_column(IndicatorKind, "indicator_kind"))
    value: Mapped[Decimal] = mapped_column(Numeric(12, 2))
    source: Mapped[str] = mapped_column(String(300))
    note: Mapped[Optional[str]] = mapped_column(Text)
    is_example: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)

    region: Mapped[Region] = relationship()
