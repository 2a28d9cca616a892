"""Participant import: reading XLSX/CSV, checking every row, all-or-nothing, directory matching."""

import csv
import io

import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy import func, select

from kotaku_collab.models import (Gender, Organisation, ParticipantRole, Person, Registration,
                                  RegistrationStatus, Sector)
from kotaku_collab.services.imports import (HEADER, MAX_BYTES, MAX_ROWS, ImportFileError,
                                            check_file, check_table, import_checked,
                                            import_template, read_table)
from tests import factories

GOOD = ["Ir. I Wayan Wasta, M.Si.", "Dinas PUPR Klungkung", "pemerintah", "Kabid Perkim",
        "0812-3456-7890", "Wasta@Example.org", "L", ""]


def csv_bytes(rows, header=HEADER, delimiter=",", encoding="utf-8"):
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue().encode(encoding)


def xlsx_bytes(rows, header=HEADER):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(list(header))
    for row in rows:
        sheet.append(list(row))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def row(**overrides):
    values = dict(zip(HEADER, GOOD))
    values.update(overrides)
    return [values[name] for name in HEADER]


def count(db, model):
    return db.session.scalar(select(func.count()).select_from(model))


def test_a_valid_csv_is_read_into_clean_rows(app):
    check = check_file("peserta.csv", csv_bytes([
        GOOD,
        row(name="Ni Komang Ayu", organisation="Yayasan Bali Hijau", sector="Filantropi",
            phone="", email="", gender="perempuan", role="NARASUMBER"),
        ["", "", "", "", "", "", "", ""],  # empty rows are skipped, not errors
        row(name="Kadek", sector="dunia usaha", email="kadek@example.org", phone="+62 813 1111 2222",
            gender="", role="undangan"),
    ]))
    assert check.is_valid and check.total == 3
    first, second, third = check.rows
    assert (first.row, second.row, third.row) == (2, 3, 5)
    assert first.person.phone == "+6281234567890" and first.person.email == "wasta@example.org"
    assert first.person.gender is Gender.LAKI_LAKI and first.role is ParticipantRole.PESERTA
    assert first.person.sector is Sector.PEMERINTAH and first.person.position == "Kabid Perkim"
    assert second.person.sector is Sector.FILANTROPI and second.role is ParticipantRole.NARASUMBER
    assert second.person.gender is Gender.PEREMPUAN and second.person.phone is None
    assert third.person.sector is Sector.DUNIA_USAHA and third.role is ParticipantRole.UNDANGAN


def test_a_broken_file_reports_every_bad_row_by_number_and_column(app):
    check = check_file("peserta.csv", csv_bytes([
        GOOD,                                                     # row 2: fine
        row(email="b@example.org", phone="12345"),                # row 3: bad phone
        row(email="c@example.org", sector="alien"),               # row 4: unknown sector
        row(email="d@example.org", name="   "),                   # row 5: empty name
        row(email="WASTA@example.org "),                          # row 6: duplicate of row 2
        row(email="f@example.org", role="boss", gender="X"),      # row 7: two problems
        row(email="g @example.org"),                              # row 8: bad e-mail
        row(email="h@example.org", name="A" * 121),               # row 9: too long
        row(email="i@example.org", organisation=""),              # row 10: no organisation
    ]))
    assert not check.is_valid
    assert {(e.row, e.column) for e in check.errors} == {
        (3, "phone"), (4, "sector"), (5, "name"), (6, "email"), (7, "role"), (7, "gender"),
        (8, "email"), (9, "name"), (10, "organisation")}
    duplicate = next(e for e in check.errors if e.row == 6)
    assert "2" in duplicate.message
    assert [r.row for r in check.rows] == [2]
    assert check.total == 9 and check.rows_with_errors == 8


def test_duplicate_phone_without_email_is_a_duplicate_row(app):
    check = check_file("p.csv", csv_bytes([row(email=""), row(email="", name="Other")]))
    assert [(e.row, e.column) for e in check.errors] == [(3, "phone")]


@pytest.mark.parametrize("header, missing, unknown", [
    (("nama", "organisation", "sector", "position", "phone", "email", "gender", "role"),
     {"name"}, {"nama"}),
    (HEADER[:-1], {"role"}, set()),
    (HEADER + ("notes",), set(), {"notes"}),
    (("name", "name") + HEADER[1:], set(), {"name"}),
])
def test_a_wrong_header_is_reported_on_row_1_and_no_row_is_read(app, header, missing, unknown):
    check = check_file("p.csv", csv_bytes([GOOD[:len(header)]], header=header))
    assert not check.rows and check.errors
    assert {e.row for e in check.errors} == {1}
    assert {e.column for e in check.errors} == missing | unknown


def test_a_missing_header_is_reported(app):
    check = check_table([(1, ["", ""]), (2, GOOD)])
    assert [(e.row, e.column) for e in check.errors] == [(1, "")] and not check.rows


def test_header_may_be_in_another_order_and_case(app):
    header = ("Email", "NAME", "Organisation", "Sector", "Position", "Phone", "Gender", "Role")
    values = dict(zip(HEADER, GOOD))
    check = check_file("p.csv", csv_bytes([[values[h.lower()] for h in header]], header=header))
    assert check.is_valid and check.rows[0].person.email == "wasta@example.org"


@pytest.mark.parametrize("filename, data", [
    ("peserta.pdf", b"%PDF-1.7 ..."),
    ("peserta.xls", b"\xd0\xcf\x11\xe0 an old Excel file"),
    ("peserta", b"name,organisation"),
    ("peserta.xlsx", b"name,organisation,sector\r\n"),      # text named .xlsx
    ("peserta.xlsx", b"PK\x03\x04 not really a zip"),
    ("peserta.csv", xlsx_bytes([GOOD])),                     # a workbook named .csv
    ("peserta.csv", "nama,organisasi\r\nJosé,Dinas".encode("latin-1")),  # not UTF-8
    ("peserta.csv", b""),
])
def test_files_that_are_not_spreadsheets_are_refused(app, filename, data):
    with pytest.raises(ImportFileError) as error:
        check_file(filename, data)
    assert error.value.field == "file"


def test_a_zip_that_is_not_a_workbook_is_refused(app):
    buffer = io.BytesIO()
    import zipfile
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("hello.txt", "hi")
    with pytest.raises(ImportFileError):
        check_file("peserta.xlsx", buffer.getvalue())


def test_too_many_rows_and_too_large_files_are_refused(app):
    rows = [row(email=f"p{i}@example.org", phone="") for i in range(MAX_ROWS + 1)]
    with pytest.raises(ImportFileError, match=str(MAX_ROWS)):
        check_file("p.csv", csv_bytes(rows))
    with pytest.raises(ImportFileError, match=str(MAX_ROWS)):
        check_file("p.xlsx", xlsx_bytes(rows))
    with pytest.raises(ImportFileError, match="MB"):
        check_file("p.csv", csv_bytes([GOOD]) + b" " * MAX_BYTES)


def test_semicolon_csv_from_indonesian_excel_and_bom_are_read(app):
    data = b"\xef\xbb\xbf" + csv_bytes([GOOD], delimiter=";")
    check = check_file("p.csv", data)
    assert check.is_valid and check.rows[0].person.name == GOOD[0]


def test_xlsx_numbers_are_read_as_text(app):
    check = check_file("p.xlsx", xlsx_bytes([row(phone=81234567890)]))
    assert check.is_valid and check.rows[0].person.phone == "+6281234567890"


def test_read_table_keeps_spreadsheet_row_numbers(app):
    table = read_table("p.xlsx", xlsx_bytes([GOOD, [None] * 8, GOOD]))
    assert [number for number, _values in table] == [1, 2, 3, 4]


def test_the_template_has_the_exact_header_and_can_be_filled_in(app):
    workbook = load_workbook(io.BytesIO(import_template()))
    sheet = workbook.worksheets[0]
    assert tuple(c.value for c in sheet[1]) == HEADER
    assert sheet.column_dimensions["E"].number_format == "@"
    for values in (GOOD, row(email="x@example.org", phone="")):
        sheet.append(values)
    buffer = io.BytesIO()
    workbook.save(buffer)
    check = check_file("template-filled.xlsx", buffer.getvalue())
    assert check.is_valid and len(check.rows) == 2


# --- Importing ----------------------------------------------------------------------------


def test_nothing_is_imported_from_a_file_with_errors_unless_valid_only(db):
    workshop = factories.make_workshop()
    check = check_file("p.csv", csv_bytes([GOOD, row(email="b@example.org", sector="alien")]))
    assert import_checked(db.session, workshop, check) is None
    assert count(db, Registration) == count(db, Person) == count(db, Organisation) == 0
    result = import_checked(db.session, workshop, check, valid_only=True)
    assert result.confirmed == 1 and result.imported == 1
    assert db.session.scalars(select(Person.email)).all() == ["wasta@example.org"]


def test_import_matches_the_directory_and_respects_capacity(db):
    workshop = factories.make_workshop("51.05", capacity=2)
    pupr = factories.make_organisation("Dinas PUPR Klungkung", sector=Sector.PEMERINTAH)
    by_email = factories.make_person("Wasta (directory)", organisation=pupr,
                                     email="wasta@example.org")
    by_phone = factories.make_person("Ayu (directory)", organisation=pupr,
                                     phone="+6281311112222")
    already = factories.make_person("Sudah", organisation=pupr, email="sudah@example.org")
    factories.make_registration(workshop, already, role=ParticipantRole.PANITIA)
    check = check_file("p.csv", csv_bytes([
        GOOD,                                                                  # by e-mail
        row(name="Ayu", email="", phone="0813-1111-2222"),                     # by phone
        row(name="Sudah", email="sudah@example.org", phone=""),                # registered
        row(name="Baru", email="baru@example.org", phone="",
            organisation="dinas pupr  KLUNGKUNG"),                             # waitlisted
        row(name="Narasumber", email="nara@example.org", phone="", role="narasumber",
            organisation="Universitas Udayana", sector="perguruan_tinggi"),   # no seat needed
    ]))
    assert check.is_valid
    result = import_checked(db.session, workshop, check)
    assert (result.confirmed, result.waitlisted, result.already_registered) == (3, 1, [4])
    people = {r.person.name: r for r in db.session.scalars(select(Registration))}
    assert people["Wasta (directory)"].person == by_email
    assert people["Ayu (directory)"].person == by_phone
    assert people["Baru"].status is RegistrationStatus.WAITLISTED
    assert people["Baru"].organisation == pupr
    assert people["Narasumber"].status is RegistrationStatus.CONFIRMED
    assert people["Narasumber"].organisation.region_code == "51.05"
    assert workshop.seats_taken == workshop.capacity == 2
    assert count(db, Organisation) == 2 and count(db, Person) == 5
