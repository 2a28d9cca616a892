"""Regions: level and time zone from the Kemendagri code, creating them in order, CSV import."""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from typing import IO

from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from kotaku_collab.i18n import _
from kotaku_collab.models import PROVINCE_TIMEZONES, Region, RegionLevel
from kotaku_collab.services import DomainError
from kotaku_collab.services.import_report import ImportReport

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


# --- CSV import -------------------------------------------------------------------------------

#: The whole Kemendagri list (about 91,000 desa/kelurahan) is a few MiB; anything far larger is
#: not a region list.
MAX_IMPORT_BYTES = 16 * 1024 * 1024
MAX_NAME_LENGTH = 120
BPS_CODE_PATTERN = re.compile(r"^\d{2,10}$")
REQUIRED_COLUMNS = ("code", "name")
OPTIONAL_COLUMNS = ("bps_code",)
#: Existing regions are looked up this many codes at a time (keeps IN lists portable).
_LOOKUP_CHUNK = 500


@dataclass
class _Row:
    line: int
    code: str
    name: str
    bps_code: str | None
    #: Set when the line itself is malformed (wrong number of columns).
    problem: str | None = None


def import_regions(session: Session, source: str | bytes | IO) -> ImportReport:
    """Create or rename regions from a `code,name[,bps_code]` CSV, all or nothing.

    Every bad row is reported with its line number; if there is any, nothing is written. Parents
    may come anywhere in the file or already be in the database. Flushes, never commits.
    """
    report = ImportReport()
    text = _read_text(source, report)
    if text is None:
        return report
    rows = _parse_rows(text, report)
    if rows is None:
        return report
    existing = _load_existing(session, {r.code for r in rows}
                              | {parent_code(r.code) for r in rows if parent_code(r.code)})
    _check_rows(rows, existing, report)
    if not report.ok:
        return report
    try:
        with session.begin_nested():
            _apply_rows(session, rows, existing, report)
    except (DomainError, SQLAlchemyError) as error:
        # The savepoint is rolled back: a half import never lands.
        message = error.message if isinstance(error, DomainError) else error.__class__.__name__
        report.created = report.updated = report.unchanged = 0
        report.add(None, _("The import was rolled back: %(reason)s", reason=message))
    return report


def _read_text(source: str | bytes | IO, report: ImportReport) -> str | None:
    """Decode the source as UTF-8 (a BOM is dropped); None after reporting why it cannot be."""
    data = source.read(MAX_IMPORT_BYTES + 1) if hasattr(source, "read") else source
    if len(data) > MAX_IMPORT_BYTES:
        report.add(None, _("The file is larger than %(limit)d MiB; split it into several files.",
                           limit=MAX_IMPORT_BYTES // (1024 * 1024)))
        return None
    if isinstance(data, bytes):
        try:
            data = data.decode("utf-8-sig")
        except UnicodeDecodeError as error:
            line = data[:error.start].count(b"\n") + 1
            report.add(line, _("The file is not UTF-8 text. Save it as 'CSV UTF-8' and try again."))
            return None
    data = data.removeprefix("\ufeff")
    if "\x00" in data:
        report.add(None, _("This is not a CSV text file (it contains binary data)."))
        return None
    if not data.strip():
        report.add(None, _("The file is empty: expected a header line 'code,name' and one "
                           "region per line."))
        return None
    return data


def _parse_rows(text: str, report: ImportReport) -> list[_Row] | None:
    """Check the header and the shape of every row; None when the header is unusable."""
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        header = next(reader)
        columns = [c.strip().lower() for c in header]
        expected = ",".join(REQUIRED_COLUMNS)
        unknown = [c for c in columns if c not in REQUIRED_COLUMNS + OPTIONAL_COLUMNS]
        if (unknown or len(set(columns)) != len(columns)
                or any(c not in columns for c in REQUIRED_COLUMNS)):
            report.add(1, _("The header must be '%(expected)s' (optionally with a 'bps_code' "
                            "column); found '%(found)s'.", expected=expected,
                            found=",".join(header)))
            return None
        rows = []
        line = reader.line_num + 1
        for record in reader:
            start, line = line, reader.line_num + 1
            if not any(cell.strip() for cell in record):
                continue
            values = dict(zip(columns, record))
            row = _Row(line=start, code=values.get("code", "").strip(),
                       name=" ".join(values.get("name", "").split()),
                       bps_code=values.get("bps_code", "").strip() or None)
            if len(record) != len(columns):
                row.problem = _("Expected %(expected)d columns, found %(found)d (put names "
                                "that contain a comma in double quotes).",
                                expected=len(columns), found=len(record))
            rows.append(row)
    except csv.Error as error:
        report.add(reader.line_num or 1, _("This is not a readable CSV file: %(reason)s",
                                           reason=str(error)))
        return None
    return rows


def _check_rows(rows: list[_Row], existing: dict[str, Region], report: ImportReport) -> None:
    """Report every row that cannot be imported: shape, names, duplicates, missing parents."""
    first_line: dict[str, int] = {}
    valid_codes: set[str] = set()
    for row in rows:
        problem = row.problem or _row_problem(row)
        if row.code in first_line:
            problem = problem or _("Region %(code)s appears twice (first on line %(first)d).",
                                   code=row.code, first=first_line[row.code])
        else:
            first_line[row.code] = row.line
        if problem:
            report.add(row.line, problem)
        else:
            valid_codes.add(row.code)
    for row in rows:
        parent = parent_code(row.code)
        if row.code not in valid_codes or parent is None:
            continue
        # A parent that is in the file but itself bad has its own error already.
        if parent not in first_line and parent not in existing:
            report.add(row.line, _("The parent region %(parent)s of %(code)s is neither in the "
                                   "file nor in the database.", parent=parent, code=row.code))
    report.problems.sort(key=lambda p: p.line or 0)


def _row_problem(row: _Row) -> str | None:
    if not CODE_PATTERN.match(row.code) or any(set(part) == {"0"} for part in row.code.split(".")):
        return _("'%(code)s' is not a Kemendagri region code (e.g. 35, 35.75, 35.75.01, "
                 "35.75.01.1001).", code=row.code)
    try:
        level_from_code(row.code)
    except DomainError as error:
        return error.message
    if row.code[:2] not in PROVINCE_TIMEZONES:
        return _("Unknown province code %(province)s in %(code)s.",
                 province=row.code[:2], code=row.code)
    if not row.name:
        return _("The name of %(code)s is empty.", code=row.code)
    if len(row.name) > MAX_NAME_LENGTH:
        return _("The name of %(code)s is longer than %(max)d characters.",
                 code=row.code, max=MAX_NAME_LENGTH)
    if row.bps_code is not None and not BPS_CODE_PATTERN.match(row.bps_code):
        return _("The BPS code of %(code)s must be 2 to 10 digits.", code=row.code)
    return None


def _load_existing(session: Session, codes: set[str]) -> dict[str, Region]:
    ordered = sorted(codes)
    found: dict[str, Region] = {}
    for start in range(0, len(ordered), _LOOKUP_CHUNK):
        chunk = ordered[start:start + _LOOKUP_CHUNK]
        query = select(Region).where(Region.code.in_(chunk))
        found.update((region.code, region) for region in session.scalars(query))
    return found


def _apply_rows(session: Session, rows: list[_Row], existing: dict[str, Region],
                report: ImportReport) -> None:
    """Parents before children (shorter codes first), one flush at the end."""
    regions = dict(existing)
    for row in sorted(rows, key=lambda r: (len(r.code), r.code)):
        region = regions.get(row.code)
        if region is not None:
            changed = region.name != row.name or bool(row.bps_code
                                                      and region.bps_code != row.bps_code)
            region.name = row.name
            if row.bps_code:
                region.bps_code = row.bps_code
            if changed:
                report.updated += 1
            else:
                report.unchanged += 1
            continue
        parent = regions.get(parent_code(row.code)) if parent_code(row.code) else None
        region = Region(code=row.code, name=row.name, level=level_from_code(row.code),
                        parent_code=parent.code if parent else None,
                        timezone=parent.timezone if parent else PROVINCE_TIMEZONES[row.code],
                        bps_code=row.bps_code or bps_code_for(row.code))
        session.add(region)
        regions[row.code] = region
        report.created += 1
    session.flush()
