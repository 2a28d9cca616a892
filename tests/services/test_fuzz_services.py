"""Property-based fuzzing (hypothesis) of the pure functions behind the forms: whatever people
type or upload, each either returns a value of the promised shape or raises DomainError with a
message, never anything else; and what it returns is stable when fed back in."""

from __future__ import annotations

import io
import re
import string
from decimal import Decimal

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from kotaku_collab.audit import mask_personal
from kotaku_collab.models import RegionLevel
from kotaku_collab.services import DomainError
from kotaku_collab.services.accounts import check_password_strength
from kotaku_collab.services.commitments import MAX_AMOUNT_IDR, parse_rupiah
from kotaku_collab.services.evidence import check_evidence
from kotaku_collab.services.exports import FORMULA_START, safe_rows, write_csv, write_xlsx
from kotaku_collab.services.imports import MAX_ROWS, ImportCheck, check_file
from kotaku_collab.services.organisations import normalise_name
from kotaku_collab.services.outcomes import check_contact_channel
from kotaku_collab.services.people import clean_text, normalise_email, normalise_phone
from kotaku_collab.services.regions import level_from_code, parent_code

FUZZ = settings(max_examples=40, deadline=None, database=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture])

#: Text people type, and what a hostile client posts: any Unicode, control characters included.
any_text = st.text(max_size=300)
number_like = st.from_regex(r"\A[\s+Rp.,\-−0-9]{0,30}\Z")
digits = st.from_regex(r"\A[0-9]{1,20}\Z")
texty = st.one_of(any_text, number_like, digits,
                  st.sampled_from(["", " ", "0", "-1", "1e9", "NaN", "Infinity", "٣٤٥",
                                   "１２３", "1.250.000,-", "Rp.", "\x00", "\u202e12"]))


def _domain_error_or(fn, *args, **kwargs):
    """fn's result, or None when it raised DomainError with a message."""
    try:
        return fn(*args, **kwargs)
    except DomainError as error:
        assert error.message
        return None


# --- Amounts ------------------------------------------------------------------------------


@FUZZ
@given(texty)
@example("1.250.000.000")
@example("9" * 400)
def test_parse_rupiah_gives_whole_rupiah_in_range_or_a_message(app, raw):
    with app.test_request_context():
        value = _domain_error_or(parse_rupiah, raw)
    assert value is None or (isinstance(value, int) and 0 <= value <= MAX_AMOUNT_IDR)


@FUZZ
@given(st.integers(min_value=0, max_value=MAX_AMOUNT_IDR))
def test_parse_rupiah_reads_every_way_of_writing_an_amount(app, amount):
    grouped = f"{amount:,}".replace(",", ".")
    with app.test_request_context():
        for written in (str(amount), grouped, f"Rp {grouped}", f"Rp.{grouped},00",
                        f" {grouped},- "):
            assert parse_rupiah(written) == amount, written
        assert parse_rupiah(amount) == amount


@FUZZ
@given(st.one_of(st.floats(allow_nan=True, allow_infinity=True), st.integers(), st.booleans(),
                 st.decimals(allow_nan=True, allow_infinity=True)))
@example(float("inf"))  # spreadsheet cells arrive as floats: this was an OverflowError
@example(float("nan"))
@example(Decimal("sNaN"))
def test_parse_rupiah_on_numbers_never_crashes(app, raw):
    with app.test_request_context():
        value = _domain_error_or(parse_rupiah, raw)
    assert value is None or 0 <= value <= MAX_AMOUNT_IDR


# --- Phones, e-mails, text ----------------------------------------------------------------


@FUZZ
@given(texty)
@example("0812-3456-7890")
@example("+62 812 3456 7890 ext. 12345678901234567890")
def test_normalise_phone_gives_e164_that_fits_its_column_or_a_message(app, raw):
    with app.test_request_context():
        phone = _domain_error_or(normalise_phone, raw)
        if phone is None:
            return
        assert re.fullmatch(r"\+[1-9][0-9]{6,14}", phone), phone
        assert len(phone) <= 20  # people.phone is String(20)
        assert normalise_phone(phone) == phone


@FUZZ
@given(st.from_regex(r"\A(0|\+62|62)8[1-9][0-9]{7,10}\Z"))
def test_indonesian_mobile_numbers_are_accepted_in_every_spelling(app, raw):
    with app.test_request_context():
        phone = _domain_error_or(normalise_phone, raw)
        if phone is not None:
            spaced = " ".join(raw[i:i + 4] for i in range(0, len(raw), 4))
            assert normalise_phone(spaced) == phone


@FUZZ
@given(st.one_of(any_text, st.emails(), st.from_regex(r"\A[^@]{0,70}@[^@]{0,70}\Z")))
@example("AYU@Example.ORG ")
@example("a" * 250 + "@x.id")
def test_normalise_email_gives_a_short_lower_case_address_or_a_message(app, raw):
    with app.test_request_context():
        email = _domain_error_or(normalise_email, raw)
    if email is not None:
        assert email == email.lower() and len(email) <= 254 and "@" in email
        assert not any(c.isspace() for c in email)


@FUZZ
@given(any_text, st.integers(min_value=1, max_value=200))
def test_clean_text_trims_drops_control_characters_and_is_stable(raw, limit):
    cleaned = clean_text(raw, limit)
    if cleaned is None:
        return
    assert len(cleaned) <= limit
    assert cleaned == cleaned.strip()
    assert not any(ord(c) < 32 or ord(c) == 127 for c in cleaned)
    assert clean_text(cleaned, limit) == cleaned


@FUZZ
@given(any_text)
@example("Dinas PUPR  Kab. Klungkung")
@example("ǰ")  # casefold() decomposes this one: folding must still be stable
@example("ﬃ Ⅻ ẞ")
def test_normalise_name_is_stable(name):
    once = normalise_name(name)
    assert normalise_name(once) == once
    assert once == once.strip() and "  " not in once


@FUZZ
@given(any_text)
@example("javascript:alert(1)")
@example(" JaVaScRiPt:alert(1)")
@example("data:text/html,<script>")
def test_contact_channel_never_keeps_a_non_web_link(app, raw):
    with app.test_request_context():
        value = _domain_error_or(check_contact_channel, raw)
    if value is not None:
        assert len(value) <= 200
        scheme = re.match(r"\s*([a-z][a-z0-9+.\-]*):(?!\s)", value, re.IGNORECASE)
        assert scheme is None or scheme.group(1).lower() in ("http", "https"), value


@FUZZ
@given(any_text, st.one_of(st.just(""), st.emails()))
def test_password_strength_check_only_ever_says_no_politely(app, password, email):
    with app.test_request_context():
        _domain_error_or(check_password_strength, password, email)


# --- Region codes -------------------------------------------------------------------------


@FUZZ
@given(st.one_of(any_text, st.from_regex(r"\A[0-9.]{1,14}\Z")))
def test_level_from_code_gives_a_level_or_a_message(app, code):
    with app.test_request_context():
        level = _domain_error_or(level_from_code, code)
    assert level is None or isinstance(level, RegionLevel)


@FUZZ
@given(st.from_regex(r"\A[0-9]{2}(\.[0-9]{2}(\.[0-9]{2}(\.[12][0-9]{3})?)?)?\Z"))
def test_every_well_formed_code_has_a_level_above_its_parent(app, code):
    order = [RegionLevel.PROVINSI, (RegionLevel.KABUPATEN, RegionLevel.KOTA),
             RegionLevel.KECAMATAN, (RegionLevel.KELURAHAN, RegionLevel.DESA)]
    with app.test_request_context():
        level = level_from_code(code)
        depth = code.count(".")
        assert level in (order[depth] if isinstance(order[depth], tuple) else (order[depth],))
        parent = parent_code(code)
        assert (parent is None) == (depth == 0)
        if parent:
            level_from_code(parent)


# --- Uploads ------------------------------------------------------------------------------

csv_cell = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=40)
csv_text = st.lists(st.lists(csv_cell, min_size=1, max_size=9), min_size=0, max_size=12).map(
    lambda rows: "\r\n".join(",".join('"' + c.replace('"', '""') + '"' for c in row)
                             for row in rows))
HEADER = "name,organisation,sector,position,phone,email,gender,role"


@FUZZ
@given(st.one_of(st.binary(max_size=2000), csv_text.map(str.encode),
                 csv_text.map(lambda t: (HEADER + "\r\n" + t).encode("utf-8-sig")),
                 csv_text.map(lambda t: (HEADER + "\n" + t).encode("cp1252", "replace")),
                 st.just(b"PK\x03\x04" + b"\x00" * 40)),
       st.sampled_from(["peserta.csv", "peserta.xlsx", "peserta.CSV", "peserta.txt", "", "x"]))
def test_participant_import_reads_any_file_or_says_why_not(app, data, filename):
    with app.test_request_context():
        check = _domain_error_or(check_file, filename, data)
    if check is not None:
        assert isinstance(check, ImportCheck)
        assert len(check.rows) <= MAX_ROWS
        for row in check.rows:
            assert row.person.name and row.person.organisation


@FUZZ
@given(st.binary(max_size=3000), st.one_of(st.none(), any_text))
@example(b"%PDF-1.4 rest", "../../etc/passwd.pdf")
@example(b"\x89PNG\r\n\x1a\n", "<script>.png")
def test_evidence_check_accepts_only_sniffed_kinds_with_safe_names(app, data, filename):
    with app.test_request_context():
        upload = _domain_error_or(check_evidence, filename, io.BytesIO(data), max_bytes=2048)
    if upload is not None:
        assert upload.content_type in ("application/pdf", "image/jpeg", "image/png")
        assert "/" not in upload.original_name and "\\" not in upload.original_name
        assert len(upload.original_name) <= 200


@FUZZ
@given(st.binary(max_size=3000))
@example(b"PK\x03\x04" + b"\x00" * 100)
def test_progress_sheet_upload_of_any_bytes_is_a_report_not_a_crash(app, db, data):
    from datetime import date

    from kotaku_collab.models import Role
    from kotaku_collab.services.commitment_sheet import SheetScope, import_progress_sheet
    from tests import factories

    user = factories.make_user(Role.ADMIN)
    with app.test_request_context():
        report = import_progress_sheet(db.session, user, data, SheetScope(label="x"),
                                       today=date(2030, 1, 1))
    assert report.applied == 0
    db.session.rollback()


# --- Exports and masking -------------------------------------------------------------------


@FUZZ
@given(st.lists(st.lists(st.one_of(any_text, st.integers(), st.none()), min_size=2,
                         max_size=2), max_size=10))
@example([["Ayu\x01\x1a", "+6281234567890"], ["=1+1", "0812\x0b"]])
def test_exported_cells_never_start_a_formula(rows):
    table = safe_rows(["name", "phone"], rows, phone_columns=["phone"])
    for row in table:
        for i, cell in enumerate(row):
            if i == 1 and re.fullmatch(r"\+[1-9][0-9]{6,14}", cell):
                continue
            assert not cell.startswith(FORMULA_START), cell
    write_csv(["name", "phone"], rows, phone_columns=["phone"]).decode("utf-8-sig")
    # Control characters were an IllegalCharacterError (a 500 on the XLSX export).
    write_xlsx(["name", "phone"], rows, phone_columns=["phone"])


@FUZZ
@given(st.from_regex(r"\A\+?[0-9]{7,15}\Z"), st.text(alphabet=string.ascii_letters + " ",
                                                     max_size=20))
def test_masked_audit_values_never_hold_a_whole_number(number, words):
    """At most the first two and last three digits of a number survive masking."""
    masked = mask_personal(f"{words} {number} {words}")
    assert not re.search(r"\d{4,}", masked), masked
    assert len(re.findall(r"\d", masked)) == 5

