"""The progress spreadsheet round trip: an organisation (or a workshop's organisers) downloads
its open commitments as XLSX, fills in progress and uploads it back.

The upload is all or nothing, like the other imports: every row is checked and every problem is
reported with its row number and column; nothing is applied unless every row is valid. The id
column is locked in the sheet and checked on upload: a row whose id names a commitment outside
the sheet's organisation or workshop (or whose title no longer matches) is refused.
"""

from __future__ import annotations

import io
import re
import warnings
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import IO

from openpyxl import Workbook, load_workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font, PatternFill, Protection
from openpyxl.utils.exceptions import InvalidFileException
from openpyxl.worksheet.datavalidation import DataValidation
from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, joinedload, selectinload

from kotaku_collab.i18n import _
from kotaku_collab.models import Commitment, CommitmentStatus, User
from kotaku_collab.permissions import can
from kotaku_collab.services import DomainError
from kotaku_collab.services.commitments import (OPEN_STATUSES, ProgressInput, check_progress,
                                                post_progress_update)
from kotaku_collab.services.exports import FORMULA_START, XLSX_MIMETYPE, neutralise

__all__ = ["COLUMNS", "XLSX_MIMETYPE", "SheetProblem", "SheetReport", "SheetScope",
           "build_progress_sheet", "import_progress_sheet", "open_commitments"]

COLUMNS = ("id", "organisation", "title", "status", "percent", "reported_on", "narrative")
EDITABLE_COLUMNS = ("status", "percent", "reported_on", "narrative")
SHEET_TITLE = "Komitmen"
MAX_SHEET_BYTES = 2 * 1024 * 1024
MAX_SHEET_ROWS = 2000
MAX_NARRATIVE = 4000
#: Which column a progress rule's field is reported under.
FIELD_COLUMNS = {"status": "status", "percent_complete": "percent", "reported_on": "reported_on"}


@dataclass
class SheetScope:
    """Whose sheet it is: one organisation's, or one workshop's (for its organisers)."""

    label: str
    organisation_id: int | None = None
    workshop_id: int | None = None

    def contains(self, commitment: Commitment) -> bool:
        if self.organisation_id is not None and commitment.organisation_id != self.organisation_id:
            return False
        if self.workshop_id is not None and commitment.workshop_id != self.workshop_id:
            return False
        return True


@dataclass
class SheetProblem:
    row: int | None
    column: str | None
    message: str

    def __str__(self) -> str:
        if self.row and self.column:
            return _("Row %(row)d, column “%(column)s”: %(message)s", row=self.row,
                     column=self.column, message=self.message)
        if self.row:
            return _("Row %(row)d: %(message)s", row=self.row, message=self.message)
        return self.message


@dataclass
class SheetReport:
    """What an upload did, or why it did nothing (any `problems`: nothing was applied)."""

    applied: int = 0
    unchanged: int = 0
    problems: list[SheetProblem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def add(self, row: int | None, column: str | None, message: str) -> None:
        self.problems.append(SheetProblem(row, column, str(message)))


# --- Download -------------------------------------------------------------------------------


def open_commitments(session: Session, scope: SheetScope) -> list[Commitment]:
    query = (select(Commitment).options(joinedload(Commitment.organisation))
             .where(Commitment.status.in_(OPEN_STATUSES)).order_by(Commitment.id))
    if scope.organisation_id is not None:
        query = query.where(Commitment.organisation_id == scope.organisation_id)
    if scope.workshop_id is not None:
        query = query.where(Commitment.workshop_id == scope.workshop_id)
    return list(session.scalars(query))


def _put_text(cell, value: str | None) -> None:
    """Write text that no spreadsheet program evaluates (a leading formula character is quoted,
    as in every export; the upload check allows for the quote)."""
    cell.value = ILLEGAL_CHARACTERS_RE.sub("", neutralise(value)) or None


def build_progress_sheet(commitments: list[Commitment], *, today: date) -> bytes:
    """The XLSX to fill in: one row per commitment, id/organisation/title locked."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = SHEET_TITLE
    sheet.append(list(COLUMNS))
    header_fill = PatternFill("solid", fgColor="DDE7F0")
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.fill = header_fill
    for commitment in commitments:
        row = sheet.max_row + 1
        sheet.cell(row, 1, commitment.id)
        _put_text(sheet.cell(row, 2), commitment.organisation.name)
        _put_text(sheet.cell(row, 3), commitment.title)
        sheet.cell(row, 4, commitment.status.value)
        sheet.cell(row, 5, commitment.percent_complete)
        sheet.cell(row, 6).number_format = "yyyy-mm-dd"
        for column in range(4, 8):
            sheet.cell(row, column).protection = Protection(locked=False)
    last = max(sheet.max_row, 2)
    statuses = DataValidation(type="list", allow_blank=True,
                              formula1='"' + ",".join(s.value for s in CommitmentStatus) + '"')
    percent = DataValidation(type="whole", operator="between", formula1="0", formula2="100",
                             allow_blank=True)
    reported = DataValidation(type="date", operator="lessThanOrEqual",
                              formula1=f"DATE({today.year},{today.month},{today.day})",
                              allow_blank=True)
    for validation, column in ((statuses, "D"), (percent, "E"), (reported, "F")):
        validation.add(f"{column}2:{column}{last}")
        sheet.add_data_validation(validation)
    for column, width in zip("ABCDEFG", (8, 36, 48, 14, 9, 13, 60)):
        sheet.column_dimensions[column].width = width
    sheet.freeze_panes = "A2"
    # Locked id/organisation/title; the server checks them anyway (the lock has no password).
    sheet.protection.sheet = True
    sheet.protection.formatColumns = False
    sheet.protection.formatRows = False

    notes = workbook.create_sheet(_("Instructions")[:31])
    for line in (
        _("Fill in one row per commitment: status, percent (0-100), reported_on (the date of "
          "the report, e.g. 2024-05-31) and narrative (what was done)."),
        _("Status is one of: %(statuses)s.", statuses=", ".join(s.value for s in CommitmentStatus)),
        _("Rows you leave unchanged are skipped. Do not change the id, organisation or title "
          "columns, and do not add, remove or rename columns."),
        _("Upload the file on the commitments page. Nothing is saved unless every row is valid; "
          "problems are listed by row and column."),
    ):
        notes.append([line])
    notes.column_dimensions["A"].width = 120

    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


# --- Upload ---------------------------------------------------------------------------------


def _read_rows(source: bytes | IO[bytes], report: SheetReport) -> list[tuple] | None:
    data = source.read(MAX_SHEET_BYTES + 1) if hasattr(source, "read") else source
    if len(data) > MAX_SHEET_BYTES:
        report.add(None, None, _("The file is larger than %(limit)d MB.",
                                 limit=MAX_SHEET_BYTES // (1024 * 1024)))
        return None
    if not data:
        report.add(None, None, _("The file is empty."))
        return None
    try:
        # Files saved by other spreadsheet programs make openpyxl warn about features it
        # drops (styles, extensions); those do not matter for reading values.
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)
            workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
            try:
                rows = []
                for values in workbook.worksheets[0].iter_rows(values_only=True):
                    rows.append(values)
                    if len(rows) > MAX_SHEET_ROWS + 1:
                        break
            finally:
                workbook.close()
    except (InvalidFileException, zipfile.BadZipFile, KeyError, ValueError, TypeError,
            IndexError, OSError):
        report.add(None, None, _("This is not a readable .xlsx file. Download the sheet again, "
                                 "fill it in and save it as an Excel workbook (.xlsx)."))
        return None
    return rows


def _header(values: tuple, report: SheetReport) -> list[str] | None:
    cells = list(values or ())
    while cells and (cells[-1] is None or str(cells[-1]).strip() == ""):
        cells.pop()
    header = [str(v).strip().lower() if v is not None else "" for v in cells]
    missing = [c for c in COLUMNS if c not in header]
    unexpected = [h or _("(empty)") for h in header if h not in COLUMNS]
    duplicated = sorted({h for h in header if h and header.count(h) > 1})
    if missing or unexpected or duplicated:
        parts = [_("The first row must name the columns %(columns)s.",
                   columns=", ".join(COLUMNS))]
        if missing:
            parts.append(_("Missing: %(names)s.", names=", ".join(missing)))
        if unexpected:
            parts.append(_("Not expected: %(names)s.", names=", ".join(unexpected)))
        if duplicated:
            parts.append(_("Twice: %(names)s.", names=", ".join(duplicated)))
        parts.append(_("Download the sheet again rather than adding, removing or renaming "
                       "columns."))
        report.add(1, None, " ".join(parts))
        return None
    return header


def _blank(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _as_int(value) -> int | None:
    """An integer from a cell (45, 45.0, "45", "45%"), else raises ValueError."""
    if isinstance(value, bool):
        raise ValueError
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        if not value.is_integer():
            raise ValueError
        return int(value)
    text = str(value).strip().removesuffix("%").strip()
    if not re.fullmatch(r"-?\d+", text):
        raise ValueError
    return int(text)


def _as_date(value) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = str(value).strip()
    for pattern in ("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y"):
        try:
            return datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    raise ValueError


def _same_text(cell_value, expected: str) -> bool:
    text = "" if cell_value is None else str(cell_value)
    if text.startswith("'") and expected.startswith(FORMULA_START):
        text = text[1:]
    return " ".join(text.split()) == " ".join(expected.split())


@dataclass
class _Row:
    number: int
    commitment: Commitment
    progress: ProgressInput


def import_progress_sheet(session: Session, user: User, source: bytes | IO[bytes],
                          scope: SheetScope, *, today: date) -> SheetReport:
    """Check every row of an uploaded progress sheet and, only if all are valid, append one
    progress update per changed row. Flushes, never commits."""
    report = SheetReport()
    rows = _read_rows(source, report)
    if rows is None:
        return report
    if not rows:
        report.add(None, None, _("The sheet is empty: expected the header row %(columns)s.",
                                 columns=", ".join(COLUMNS)))
        return report
    header = _header(rows[0], report)
    if header is None:
        return report
    index = {name: header.index(name) for name in COLUMNS}
    records = []
    for number, values in enumerate(rows[1:], start=2):
        values = list(values or ())
        values += [None] * (len(header) - len(values))
        if all(_blank(v) for v in values):
            continue
        records.append((number, {name: values[i] for name, i in index.items()}))
    if len(records) > MAX_SHEET_ROWS:
        report.add(None, None, _("The sheet has more than %(max)d rows; split it.",
                                 max=MAX_SHEET_ROWS))
        return report

    ids: dict[int, int] = {}
    parsed = []
    for number, record in records:
        try:
            commitment_id = _as_int(record["id"])
        except ValueError:
            commitment_id = None
        if commitment_id is None or _blank(record["id"]):
            report.add(number, "id", _("“%(value)s” is not a commitment number; do not change "
                                       "the id column.", value=record["id"] or ""))
            continue
        if commitment_id in ids:
            report.add(number, "id", _("Commitment %(id)d appears twice (first in row %(row)d).",
                                       id=commitment_id, row=ids[commitment_id]))
            continue
        ids[commitment_id] = number
        parsed.append((number, commitment_id, record))

    found = {c.id: c for c in session.scalars(
        select(Commitment).options(selectinload(Commitment.updates))
        .where(Commitment.id.in_(list(ids))))} if ids else {}
    changes: list[_Row] = []
    for number, commitment_id, record in parsed:
        commitment = found.get(commitment_id)
        if (commitment is None or not scope.contains(commitment)
                or not can(user, "commitment.edit", commitment)):
            report.add(number, "id", _("Commitment %(id)d is not one of the commitments of "
                                       "%(scope)s; do not change the id column.",
                                       id=commitment_id, scope=scope.label))
            continue
        if not _same_text(record["title"], commitment.title):
            report.add(number, "title", _("The title does not match commitment %(id)d "
                                          "(“%(title)s”); do not change the id or title columns.",
                                          id=commitment_id, title=commitment.title))
            continue
        before = len(report.problems)
        row = _check_row(number, commitment, record, report, today)
        if row is not None:
            changes.append(row)
        elif len(report.problems) == before:
            report.unchanged += 1
    if not report.ok:
        report.unchanged = 0
        report.problems.sort(key=lambda p: (p.row or 0, COLUMNS.index(p.column)
                                            if p.column in COLUMNS else -1))
        return report

    try:
        with session.begin_nested():
            for row in changes:
                post_progress_update(session, user, row.commitment, row.progress, today)
    except (DomainError, SQLAlchemyError) as error:
        message = error.message if isinstance(error, DomainError) else error.__class__.__name__
        report.unchanged = 0
        report.add(None, None, _("Nothing was saved: %(reason)s", reason=message))
        return report
    report.applied = len(changes)
    return report


def _check_row(number: int, commitment: Commitment, record: dict, report: SheetReport,
               today: date) -> _Row | None:
    """The progress a row reports, None when it changes nothing (or has a problem, reported)."""
    problems_before = len(report.problems)
    status = commitment.status
    if not _blank(record["status"]):
        text = str(record["status"]).strip().lower()
        try:
            status = CommitmentStatus(text)
        except ValueError:
            report.add(number, "status", _("“%(value)s” is not a status; use one of %(statuses)s.",
                                           value=record["status"],
                                           statuses=", ".join(s.value for s in CommitmentStatus)))
    percent = None
    if not _blank(record["percent"]):
        try:
            percent = _as_int(record["percent"])
            if not 0 <= percent <= 100:
                raise ValueError
        except ValueError:
            report.add(number, "percent", _("“%(value)s” is not a percentage from 0 to 100.",
                                            value=record["percent"]))
    reported_on = today
    if not _blank(record["reported_on"]):
        try:
            reported_on = _as_date(record["reported_on"])
        except ValueError:
            report.add(number, "reported_on", _("“%(value)s” is not a date; write it as "
                                                "2024-05-31.", value=record["reported_on"]))
    narrative = None if _blank(record["narrative"]) else str(record["narrative"]).strip()
    if narrative and len(narrative) > MAX_NARRATIVE:
        report.add(number, "narrative", _("The narrative is longer than %(max)d characters.",
                                          max=MAX_NARRATIVE))
    if len(report.problems) > problems_before:
        return None
    changed = (status is not commitment.status or narrative is not None
               or (percent is not None and percent != commitment.percent_complete))
    if not changed:
        return None
    progress = ProgressInput(reported_on=reported_on, status=status, percent_complete=percent,
                             narrative=narrative)
    try:
        check_progress(commitment, progress, today)
    except DomainError as error:
        report.add(number, FIELD_COLUMNS.get(error.field or "", None), error.message)
        return None
    return _Row(number, commitment, progress)
