"""Spreadsheet exports (CSV and XLSX) that a spreadsheet program cannot turn into formulas.

A cell whose text starts with = + - @, a tab, a carriage return or NUL is a formula (or becomes
one) in Excel, LibreOffice and Google Sheets: such cells get a leading single quote, which shows
the text as typed and runs nothing (OWASP "CSV injection"; stripping would change the data).

Phone numbers are the exception that the quote would spoil: they are stored as E.164
(+6281234567890) and must keep their "+" and every digit. A value that is a valid E.164 number
holds nothing but "+" and digits, so it cannot carry a formula and is written as it is: in XLSX
as a text cell with the text number format "@" (so no program turns it into 6.28E+12), in CSV
verbatim. Anything else found in a phone column is quoted like any other cell.
"""

from __future__ import annotations

import csv
import io
import re
from typing import Iterable, Sequence

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

#: Leading characters that make a spreadsheet program read text as a formula.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\0")
E164 = re.compile(r"\+[1-9][0-9]{6,14}")
TEXT_FORMAT = "@"
XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_MIMETYPE = "text/csv"


def neutralise(value: object) -> str:
    """`value` as text that no spreadsheet evaluates: a leading formula character is quoted."""
    if value is None:
        return ""
    text = str(value)
    return "'" + text if text.startswith(FORMULA_START) else text


def phone_cell(value: object) -> str:
    """A phone column's cell: a valid E.164 number as it is, anything else neutralised."""
    text = "" if value is None else str(value)
    return text if E164.fullmatch(text) else neutralise(text)


def safe_rows(header: Sequence[str], rows: Iterable[Sequence[object]],
              phone_columns: Iterable[str] = ()) -> list[list[str]]:
    """The header and rows as neutralised text, phone columns kept as E.164."""
    phones = {header.index(name) for name in phone_columns}
    table = [[neutralise(h) for h in header]]
    for row in rows:
        table.append([phone_cell(v) if i in phones else neutralise(v) for i, v in enumerate(row)])
    return table


def write_csv(header: Sequence[str], rows: Iterable[Sequence[object]],
              phone_columns: Iterable[str] = ()) -> bytes:
    """RFC 4180 CSV (CRLF, minimal quoting) in UTF-8 with a byte-order mark, which Excel needs
    to read non-ASCII names correctly."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerows(safe_rows(header, rows, phone_columns))
    return buffer.getvalue().encode("utf-8-sig")


def write_xlsx(header: Sequence[str], rows: Iterable[Sequence[object]],
               phone_columns: Iterable[str] = (), sheet_title: str = "Sheet1") -> bytes:
    """One sheet, every cell a text cell; phone columns formatted as text ("@")."""
    table = safe_rows(header, rows, phone_columns)
    phones = {header.index(name) + 1 for name in phone_columns}
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = sheet_title[:31]
    for r, values in enumerate(table, start=1):
        for c, value in enumerate(values, start=1):
            if value == "":
                continue  # no cell at all, rather than an empty string
            cell = sheet.cell(row=r, column=c)
            # Control characters (other than tab and newlines) are not allowed in XLSX XML.
            cell.value = ILLEGAL_CHARACTERS_RE.sub("", value)
            # openpyxl reads a leading "=" as a formula; neutralise() removed those, and the
            # type is pinned to text all the same.
            cell.data_type = "s"
            if c in phones:
                cell.number_format = TEXT_FORMAT
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for c, name in enumerate(header, start=1):
        width = max((len(row[c - 1]) for row in table), default=len(name))
        sheet.column_dimensions[get_column_letter(c)].width = min(max(width + 2, 8), 60)
    sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
