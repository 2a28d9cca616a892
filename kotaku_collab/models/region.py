"""Administrative regions, keyed by their Kemendagri code (PP.KK.CC.VVVV)."""

from __future__ import annotations

from typing import Optional

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from kotaku_collab.models.base import Base, LabelledEnum, enum_column

#: Province code → IANA time zone (Keppres 41/1987: WIB +7, WITA +8, WIT +9).
PROVINCE_TIMEZONES = {
    **{c: "Asia/Jakarta" for c in ("11", "12", "13", "14", "15", "16", "17", "18", "19", "21",
                                  "31", "32", "33", "34", "35", "36", "61", "62")},
    **{c: "Asia/Makassar" for c in ("51", "52", "53", "63", "64", "65",
                                   "71", "72", "73", "74", "75", "76")},
    **{c: "Asia/Jayapura" for c in ("81", "82", "91", "92", "93", "94", "95", "96", "97")},
}

#: IANA zone → the abbreviation used in official Indonesian letters.
ZONE_ABBREVIATIONS = {"Asia/Jakarta": "WIB", "Asia/Pontianak": "WIB",
                      "Asia/Makassar": "WITA", "Asia/Jayapura": "WIT"}


class RegionLevel(LabelledEnum):
    PROVINSI = "provinsi"
    KABUPATEN = "kabupaten"
    KOTA = "kota"
    KECAMATAN = "kecamatan"
    KELURAHAN = "kelurahan"
    DESA = "desa"

    @property
    def is_kabkota(self) -> bool:
        return self in (RegionLevel.KABUPATEN, RegionLevel.KOTA)


class Region(Base):
    __tablename__ = "regions"

    #: Kemendagri code, dotted: "51", "51.05", "51.05.03", "51.05.03.1001".
    code: Mapped[str] = mapped_column(String(13), primary_key=True)
    #: BPS code (undotted), which may diverge from Kemendagri below kab/kota level.
    bps_code: Mapped[Optional[str]] = mapped_column(String(10))
    name: Mapped[str] = mapped_column(String(120))
    level: Mapped[RegionLevel] = mapped_column(enum_column(RegionLevel, "region_level"))
    parent_code: Mapped[Optional[str]] = mapped_column(
        ForeignKey("regions.code", ondelete="RESTRICT"), index=True
    )
    #: IANA time zone; set on provinces and copied down to every region below on creation.
    timezone: Mapped[str] = mapped_column(String(40))

    parent: Mapped[Optional["Region"]] = relationship(remote_side=[code], back_populates="children")
    children: Mapped[list["Region"]] = relationship(back_populates="parent")

    @property
    def zone_abbreviation(self) -> str:
        return ZONE_ABBREVIATIONS.get(self.timezone, self.timezone)

    @property
    def province_code(self) -> str:
        return self.code[:2]

    @property
    def kabkota_code(self) -> Optional[str]:
        return self.code[:5] if len(self.code) >= 5 else None

    def contains(self, code: str) -> bool:
        """True if `code` is this region or lies inside it."""
        return code == self.code or code.startswith(self.code + ".")

    def __repr__(self) -> str:
        return f"<Region {self.code} {self.name}>"
