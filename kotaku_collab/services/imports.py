"""Bulk import of participants from XLSX or CSV: read, check every row, then register.

Reading and checking are pure functions over bytes, so they are tested without a request. The
file is refused as a whole when it is not an .xlsx workbook or a UTF-8 .csv (the extension and
the content must agree), when it is larger than MAX_BYTES or has more than MAX_ROWS rows. Every
other problem is reported by spreadsheet row number (the header is row 1) and column, and the
route imports nothing unless every row is valid — or, when the organiser explicitly asks for it,
only the valid rows.

People are matched against the directory by e-mail, then phone (participants.person_finder),
organisations by normalised name; every row goes through register_person, so capacity and the
waiting list hold exactly as for any other registration.
"""

from __future__ import annotations

import csv
import io
import re
import warnings
import zipfile
from dataclasses import dataclass, field

from email_validator import EmailNotValidError, validate_email
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font
from openpyxl.worksheet.datavalidation import DataValidation
from sqlalchemy.orm import Session

from kotaku_collab.i18n import _
from kotaku_collab.labels import LABELS
from kotaku_collab.models import Gender, ParticipantRole, RegistrationStatus, Sector, Workshop
from kotaku_collab.services import DomainError
from kotaku_collab.services.participants import PersonInput, finder_for_input
from kotaku_collab.services.people import clean_text, normalise_phone
from kotaku_collab.services.registration import register_person

HEADER = ("name", "organisation", "sector", "position", "phone", "email", "gender", "role")
MAX_ROWS = 2000
MAX_BYTES = 2 * 1024 * 1024
#: A workbook that inflates beyond this is refused before it is parsed (zip bombs).
MAX_UNPACKED_BYTES = 50 * 1024 * 1024
#: Rows read from a workbook, empty ones included, before giving up.
MAX_PHYSICAL_ROWS = 20 * MAX_ROWS
#: Columns read from a workbook (the header has eight; more are reported as unknown).
MAX_COLUMNS = 64
LIMITS = {"name": 120, "organisation": 200, "position": 160, "email": 254}
GENDER_WORDS = {
    "l": Gender.LAKI_LAKI, "laki-laki": Gender.LAKI_LAKI, "laki laki": Gender.LAKI_LAKI,
    "pria": Gender.LAKI_LAKI, "male": Gender.LAKI_LAKI,
    "p": Gender.PEREMPUAN, "perempuan": Gender.PEREMPUAN, "wanita": Gender.PEREMPUAN,
    "female": Gender.PEREMPUAN,
}
TEMPLATE_SHEET = "Peserta"
ZIP_MAGIC = b"PK\x03\x04"


class ImportFileError(DomainError):
    """The file as a whole cannot be read (wrong kind, encoding or size)."""

    def __init__(self, message: str) -> None:
        super().__init__(message, field="file")


@dataclass
class RowError:
    #: The spreadsheet row number (the header is row 1).
    row: int
    column: str
    message: str


@dataclass
class ImportRow:
    row: int
    person: PersonInput
    role: ParticipantRole


@dataclass
class ImportCheck:
    """The outcome of checking a file: the rows that passed and every problem found."""

    rows: list[ImportRow] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    #: Data rows in the file (empty rows are not counted).
    total: int = 0

    @property
    def is_valid(self) -> bool:
        return not self.errors

    @property
    def rows_with_errors(self) -> int:
        return len({e.row for e in self.errors})


@dataclass
class ImportResult:
    confirmed: int = 0
    waitlisted: int = 0
    #: Row numbers of people who were already registered (nothing changed for them).
    already_registered: list[int] = field(default_factory=list)

    @property
    def imported(self) -> int:
        return self.confirmed + self.waitlisted


# --- Reading ------------------------------------------------------------------------------


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # a phone typed as a number: 81234567890.0 → "81234567890"
    return str(value).strip()


def _kind(filename: str) -> str:
    name = (filename or "").lower()
    if name.endswith(".xlsx"):
        return "xlsx"
    if name.endswith(".csv"):
        return "csv"
    raise ImportFileError(_("This is not a spreadsheet: upload an .xlsx workbook or a .csv file."))


def _read_xlsx(data: bytes) -> list[tuple[int, list[str]]]:
    not_a_workbook = ImportFileError(_("This file is not a readable .xlsx workbook."))
    if not data.startswith(ZIP_MAGIC):
        raise not_a_workbook
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            if sum(info.file_size for info in archive.infolist()) > MAX_UNPACKED_BYTES:
                raise ImportFileError(_("This workbook is too large to import."))
    except zipfile.BadZipFile:
        raise not_a_workbook from None
    try:
        with warnings.catch_warnings():
            # openpyxl warns about styles and extensions it ignores; they do not matter here.
            warnings.simplefilter("ignore")
            workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
            try:
                sheet = workbook.worksheets[0]
                cells = sheet.iter_rows(max_col=MAX_COLUMNS, values_only=True)
                rows = ((n, [_cell_text(v) for v in values])
                        for n, values in enumerate(cells, start=1))
                table = _capped(rows)
            finally:
                workbook.close()
    except ImportFileError:
        raise
    except Exception:  # any failure of the parser on an untrusted file means the same thing
        raise not_a_workbook from None
    return table


def _read_csv(data: bytes) -> list[tuple[int, list[str]]]:
    if data.startswith(ZIP_MAGIC) or b"\0" in data:
        raise ImportFileError(_("This is not a text .csv file. If it is an Excel workbook, "
                                "upload it with the .xlsx extension."))
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ImportFileError(_("This CSV file is not UTF-8. In Excel, save it as "
                                "\"CSV UTF-8 (Comma delimited)\".")) from None
    first_line = text.split("\n", 1)[0]
    # Excel in Indonesian (decimal comma) separates CSV columns with semicolons.
    delimiter = max((",", ";", "\t"), key=first_line.count)
    try:
        table = _capped((n, [v.strip() for v in values]) for n, values in enumerate(
            csv.reader(io.StringIO(text, newline=""), delimiter=delimiter), start=1))
    except csv.Error:
        raise ImportFileError(_("This CSV file cannot be read (check its quotes).")) from None
    return table


def _capped(rows) -> list[tuple[int, list[str]]]:
    """Collect (number, cells) rows, stopping as soon as there are too many."""
    table: list[tuple[int, list[str]]] = []
    data_rows = 0
    for number, values in rows:
        if number > MAX_PHYSICAL_ROWS:
            raise _too_many_rows()
        if number > 1 and any(values):
            data_rows += 1
            if data_rows > MAX_ROWS:
                raise _too_many_rows()
        table.append((number, values))
    return table


def _data_rows(table) -> int:
    return sum(1 for _number, values in table[1:] if any(values))


def _too_many_rows() -> ImportFileError:
    return ImportFileError(_("The file has more than %(max)d rows. Split it into several files.",
                             max=MAX_ROWS))


def read_table(filename: str, data: bytes) -> list[tuple[int, list[str]]]:
    """(row number, cell texts) for every row of the file's first sheet, header included."""
    kind = _kind(filename)
    if len(data) > MAX_BYTES:
        raise ImportFileError(_("The file is larger than %(mb)d MB.", mb=MAX_BYTES // 2**20))
    if not data:
        raise ImportFileError(_("The file is empty."))
    return _read_xlsx(data) if kind == "xlsx" else _read_csv(data)


# --- Checking -----------------------------------------------------------------------------


def _words(value: str) -> str:
    return re.sub(r"[\s_-]+", " ", value.strip().lower())


def _enum_lookup(enum_cls) -> dict[str, object]:
    """Codes ("dunia_usaha", "dunia usaha") and displayed labels, case-insensitive."""
    lookup = {}
    for member in enum_cls:
        lookup[_words(member.value)] = member
        lookup[_words(str(LABELS[member]))] = member
    return lookup


def _header_errors(header: list[str]) -> tuple[dict[str, int], list[RowError]]:
    names = [_words(h).replace(" ", "_") if h else "" for h in header]
    while names and not names[-1]:
        names.pop()
    positions: dict[str, int] = {}
    errors = []
    for index, name in enumerate(names):
        column = header[index] or f"#{index + 1}"
        if name == "e_mail":
            name = "email"
        if name not in HEADER:
            errors.append(RowError(1, column, _("Unknown column. The header must be: %(header)s.",
                                                header=", ".join(HEADER))))
        elif name in positions:
            errors.append(RowError(1, column, _("This column appears twice.")))
        else:
            positions[name] = index
    for name in HEADER:
        if name not in positions:
            errors.append(RowError(1, name, _("This column is missing. The header must be: "
                                              "%(header)s.", header=", ".join(HEADER))))
    return positions, errors


def check_table(table: list[tuple[int, list[str]]]) -> ImportCheck:
    """Check the header and every row; collect every problem rather than stop at the first."""
    check = ImportCheck()
    if not table or not any(table[0][1]):
        check.errors.append(RowError(1, "", _("The first row must be the header: %(header)s.",
                                              header=", ".join(HEADER))))
        return check
    positions, header_errors = _header_errors(table[0][1])
    check.errors.extend(header_errors)
    if header_errors:
        check.total = _data_rows(table)
        return check
    sectors, roles = _enum_lookup(Sector), _enum_lookup(ParticipantRole)
    seen_emails: dict[str, int] = {}
    seen_phones: dict[str, int] = {}
    for number, values in table[1:]:
        if not any(values):
            continue
        check.total += 1
        cells = {name: values[i] if i < len(values) else "" for name, i in positions.items()}
        errors: list[RowError] = []

        def problem(column: str, message: str) -> None:
            errors.append(RowError(number, column, message))

        texts = {}
        for column in ("name", "organisation", "position"):
            text = clean_text(cells[column], 10 * LIMITS[column]) or ""
            if len(text) > LIMITS[column]:
                problem(column, _("At most %(max)d characters.", max=LIMITS[column]))
            texts[column] = text
        if not texts["name"]:
            problem("name", _("The name is empty."))
        if not texts["organisation"]:
            problem("organisation", _("The organisation is empty."))
        sector = sectors.get(_words(cells["sector"]))
        if sector is None:
            problem("sector", _("Unknown sector \"%(value)s\". Use one of: %(choices)s.",
                                value=cells["sector"][:40],
                                choices=", ".join(s.value for s in Sector)))
        phone = None
        try:
            phone = normalise_phone(cells["phone"])
        except DomainError as error:
            problem("phone", error.message)
        email = None
        if cells["email"]:
            try:
                email = validate_email(cells["email"],
                                       check_deliverability=False).normalized.lower()
            except EmailNotValidError:
                problem("email", _("This is not a valid e-mail address."))
            else:
                if len(email) > LIMITS["email"]:
                    problem("email", _("At most %(max)d characters.", max=LIMITS["email"]))
        gender = None
        if cells["gender"]:
            gender = GENDER_WORDS.get(_words(cells["gender"]).replace(" ", "-")) \
                or GENDER_WORDS.get(_words(cells["gender"]))
            if gender is None:
                problem("gender", _("Unknown gender \"%(value)s\". Use L or P.",
                                    value=cells["gender"][:20]))
        role = ParticipantRole.PESERTA
        if cells["role"]:
            role = roles.get(_words(cells["role"]))
            if role is None:
                problem("role", _("Unknown role \"%(value)s\". Use one of: %(choices)s.",
                                  value=cells["role"][:40],
                                  choices=", ".join(r.value for r in ParticipantRole)))
        if email and email in seen_emails:
            problem("email", _("Duplicate of row %(row)d (same e-mail).", row=seen_emails[email]))
        elif phone and not email and phone in seen_phones:
            problem("phone", _("Duplicate of row %(row)d (same phone, no e-mail).",
                               row=seen_phones[phone]))
        if email:
            seen_emails.setdefault(email, number)
        elif phone:
            seen_phones.setdefault(phone, number)
        if errors:
            check.errors.extend(errors)
            continue
        check.rows.append(ImportRow(number, PersonInput(
            name=texts["name"], organisation=texts["organisation"], sector=sector,
            position=texts["position"] or None, phone=phone, email=email, gender=gender), role))
    return check


def check_file(filename: str, data: bytes) -> ImportCheck:
    """Read and check an uploaded file (raises ImportFileError when it cannot be read)."""
    return check_table(read_table(filename, data))


# --- Importing ----------------------------------------------------------------------------


def import_rows(session: Session, workshop: Workshop, rows: list[ImportRow]) -> ImportResult:
    """Register every checked row (flushes; the route commits once, or rolls back on error)."""
    result = ImportResult()
    for row in rows:
        finder, organisation = finder_for_input(session, workshop, row.person)
        outcome = register_person(session, workshop.id, finder, role=row.role,
                                  organisation=organisation)
        if not outcome.created:
            result.already_registered.append(row.row)
        elif outcome.registration.status is RegistrationStatus.WAITLISTED:
            result.waitlisted += 1
        else:
            result.confirmed += 1
    return result


def import_checked(session: Session, workshop: Workshop, check: ImportCheck, *,
                   valid_only: bool = False) -> ImportResult | None:
    """All or nothing: import when every row is valid, or the valid rows when the organiser
    asked for exactly that; None (nothing imported) otherwise."""
    if not check.rows or not (check.is_valid or valid_only):
        return None
    return import_rows(session, workshop, check.rows)


def import_template() -> bytes:
    """An empty workbook with the exact header, text-formatted phones and pick lists, plus a
    sheet listing the accepted values."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = TEMPLATE_SHEET
    sheet.append(list(HEADER))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    widths = {"A": 32, "B": 36, "C": 18, "D": 28, "E": 18, "F": 30, "G": 8, "H": 12}
    for letter, width in widths.items():
        sheet.column_dimensions[letter].width = width
    # Phone numbers as text, so Excel keeps a leading 0 or +62.
    sheet.column_dimensions["E"].number_format = "@"
    last = MAX_ROWS + 1
    for column, members in (("C", Sector), ("G", Gender), ("H", ParticipantRole)):
        validation = DataValidation(type="list", allow_blank=True,
                                    formula1='"' + ",".join(m.value for m in members) + '"')
        validation.add(f"{column}2:{column}{last}")
        sheet.add_data_validation(validation)
    sheet.freeze_panes = "A2"
    help_sheet = workbook.create_sheet(_("Help")[:31])
    help_sheet.append([_("Column"), _("Accepted values")])
    help_sheet.append(["name", _("Required. Full name with titles, at most 120 characters.")])
    help_sheet.append(["organisation",
                       _("Required. Matched with the organisation registry by name.")])
    help_sheet.append(["sector", ", ".join(s.value for s in Sector)])
    help_sheet.append(["position", _("Optional.")])
    help_sheet.append(["phone", _("Optional. For example 0812 3456 7890.")])
    help_sheet.append(["email", _("Optional. People already in the directory are matched by "
                                  "e-mail, then by phone.")])
    help_sheet.append(["gender", _("Optional. L or P.")])
    help_sheet.append(["role", ", ".join(r.value for r in ParticipantRole)
                       + " " + _("(empty means peserta)")])
    help_sheet.column_dimensions["A"].width = 14
    help_sheet.column_dimensions["B"].width = 90
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
