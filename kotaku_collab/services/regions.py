"""Regions: level and time zone from the Kemendagri code, and creating them in order."""

from __future__ import annotations

import re

from sqlalchemy.orm import Session

from kotaku_collab.i18n import _
from kotaku_collab.models import PROVINCE_TIMEZONES, Region, RegionLevel
from kotaku_collab.services import DomainError

#: PP, PP.KK, PP.KK.CC, PP.KK.CC.VVVV (Kemendagri dotted codes).
CODE_PATTERN = re.compile(r"^\d{2}(\.\d{2}(\.\d{2}(\.\d{4})?)?)?$")


def level_from_code(code: str) -> RegionLevel:
    """Infer the level from the code's shape.

    Kab/kota codes 01–69 are kabupaten and 71–99 are kota (35.14 Kabupaten Pasuruan,
    35.75 Kota Pasuruan); village codes 1xxx are kelurahan and 2xxx are desa.
    """
    if not CODE_PATTERN.match(code or ""):
        raise DomainError(_("'%(code)s' is not a Kemendagri region code (e.g. 51.05.03.1001).",
                            code=code), field="code")
    parts = code.split(".")
    if len(parts) == 1:
        return RegionLevel.PROVINSI
    if len(parts) == 2:
        return RegionLevel.KOTA if int(parts[1]) >= 71 else RegionLevel.KABUPATEN
    if len(parts) == 3:
        return RegionLevel.KECAMATAN
    if parts[3][0] == "1":
        return RegionLevel.KELURAHAN
    if parts[3][0] == "2":
        return RegionLevel.DESA
    raise DomainError(_("'%(code)s': village codes start with 1 (kelurahan) or 2 (desa).",
                        code=code), field="code")


def parent_code(code: str) -> str | None:
    return code.rsplit(".", 1)[0] if "." in code else None


def bps_code_for(code: str) -> str | None:
    """BPS uses the same digits undotted down to kab/kota; below that they may diverge."""
    return code.replace(".", "") if len(code) <= 5 else None


def upsert_region(session: Session, code: str, name: str, bps_code: str | None = None) -> Region:
    """Create the region (its parent must exist, or be a province) or update its name."""
    level = level_from_code(code)
    region = session.get(Region, code)
    if region is not None:
        region.name = name
        if bps_code:
            region.bps_code = bps_code
        return region
    parent = None
    if parent_code(code):
        parent = session.get(Region, parent_code(code))
        if parent is None:
            raise DomainError(_("The parent region %(parent)s of %(code)s does not exist.",
                                parent=parent_code(code), code=code), field="code")
        timezone = parent.timezone
    else:
        if code not in PROVINCE_TIMEZONES:
            raise DomainError(_("Unknown province code: %(code)s", code=code), field="code")
        timezone = PROVINCE_TIMEZONES[code]
    region = Region(code=code, name=name, level=level, parent=parent, timezone=timezone,
                    bps_code=bps_code or bps_code_for(code))
    session.add(region)
    session.flush()
    return region
