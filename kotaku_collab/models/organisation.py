"""Organisations (one registry shared by every workshop) and the people who work in them."""

from __future__ import annotations

from datetime import datetime
from typing import Optional

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from kotaku_collab.models.base import Base, LabelledEnum, UTCDateTime, enum_column, utc_now
from kotaku_collab.models.region import Region


class Sector(LabelledEnum):
    """Stakeholder sectors (DOMAIN.md §5.1)."""

    PEMERINTAH = "pemerintah"
    DUNIA_USAHA = "dunia_usaha"
    PERGURUAN_TINGGI = "perguruan_tinggi"
    FILANTROPI = "filantropi"
    MASYARAKAT = "masyarakat"
    MEDIA = "media"
    PENDAMPING = "pendamping"


class OrganisationSubtype(LabelledEnum):
    OPD = "opd"
    INSTANSI_VERTIKAL = "instansi_vertikal"
    KEMENTERIAN = "kementerian"
    BUMN = "bumn"
    BUMD = "bumd"
    SWASTA = "swasta"
    BANK = "bank"
    PT = "pt"
    BAZNAS_LAZ = "baznas_laz"
    YAYASAN = "yayasan"
    DONOR = "donor"
    BKM = "bkm"
    LSM = "lsm"
    MEDIA = "media"
    KONSULTAN = "konsultan"
    PEMERINTAH_DESA = "pemerintah_desa"


class Gender(LabelledEnum):
    LAKI_LAKI = "L"
    PEREMPUAN = "P"


class Organisation(Base):
    __tablename__ = "organisations"
    __table_args__ = (Index("ix_organisations_normalised_name", "normalised_name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    #: Lower-case name with punctuation and repeated spaces removed, for duplicate detection.
    normalised_name: Mapped[str] = mapped_column(String(200))
    short_name: Mapped[Optional[str]] = mapped_column(String(60))
    sector: Mapped[Sector] = mapped_column(enum_column(Sector, "sector"), index=True)
    subtype: Mapped[Optional[OrganisationSubtype]] = mapped_column(
        enum_column(OrganisationSubtype, "organisation_subtype")
    )
    region_code: Mapped[Optional[str]] = mapped_column(
        ForeignKey("regions.code", ondelete="RESTRICT"), index=True
    )
    contact: Mapped[Optional[str]] = mapped_column(Text)
    #: Set when an admin merged this organisation into another; it is then hidden from pickers.
    merged_into_id: Mapped[Optional[int]] = mapped_column(
        ForeignKey("organisations.id", ondelete="RESTRICT")
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)

    region: Mapped[Optional[Region]] = relationship()
    people: Mapped[list["Person"]] = relationship(back_populates="organisation")

    @property
    def display_name(self) -> str:
        return self.short_name or self.name

    def __repr__(self) -> str:
        return f"<Organisation {self.id} {self.name!r}>"


class Person(Base):
    __tablename__ = "people"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    #: Honorifics and degrees as written, e.g. "Ir." before or "S.T., M.T." after the name.
    title_prefix: Mapped[Optional[str]] = mapped_column(String(40))
    title_suffix: Mapped[Optional[str]] = mapped_column(String(60))
    #: Jabatan (position) as it should appear on documents.
    position: Mapped[Optional[str]] = mapped_column(String(160))
    #: NIP, the civil-servant number, for signature blocks.
    nip: Mapped[Optional[str]] = mapped_column(String(30))
    organisation_id: Mapped[Optional[int]] = mapped_column(
        ForeignKey("organisations.id", ondelete="RESTRICT"), index=True
    )
    gender: Mapped[Optional[Gender]] = mapped_column(enum_column(Gender, "gender"))
    #: E.164, e.g. +6281234567890.
    phone: Mapped[Optional[str]] = mapped_column(String(20), index=True)
    email: Mapped[Optional[str]] = mapped_column(String(254), index=True)
    #: Demo rows whose details are inferred, not sourced, are flagged as examples.
    is_example: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)

    organisation: Mapped[Optional[Organisation]] = relationship(back_populates="people")

    @validates("email")
    def _lower_case_email(self, key: str, value: str | None) -> str | None:
        """Stored lower-cased: lookups are `email = :email` on ix_people_email (migration 0006)."""
        return value.lower() if value else value

    @property
    def full_name(self) -> str:
        name = " ".join(p for p in (self.title_prefix, self.name) if p)
        return f"{name}, {self.title_suffix}" if self.title_suffix else name

    def __repr__(self) -> str:
        return f"<Person {self.id} {self.name!r}>"
