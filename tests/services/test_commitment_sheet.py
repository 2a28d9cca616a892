"""The progress spreadsheet round trip: download, fill in, upload; all or nothing."""

import io
from datetime import date, datetime, timezone

import pytest
from flask_babel import force_locale
from openpyxl import Workbook, load_workbook
from sqlalchemy import func, select

from kotaku_collab.models import CommitmentStatus, CommitmentUpdate, Role
from kotaku_collab.services.commitment_sheet import (COLUMNS, SheetScope, build_progress_sheet,
                                                     import_progress_sheet, open_commitments)
from tests import factories

S = CommitmentStatus
TODAY = date(2030, 5, 1)


@pytest.fixture(autouse=True)
def english(db):
    """Messages are asserted in English (the msgids); Indonesian is the app's default."""
    with force_locale("en"):
        yield


@pytest.fixture
def setup(db):
    workshop = factories.make_workshop("51.05",
                                       starts_at=datetime(2030, 3, 10, 1, tzinfo=timezone.utc))
    other_workshop = factories.make_workshop("51.05")
    org = factories.make_organisation("Dinas PUPRPKP")
    other = factories.make_organisation("PDAM")
    commitments = {
        "drainase": factories.make_commitment(org, workshop, title="Normalisasi drainase",
                                              status=S.DIANGGARKAN),
        "sampah": factories.make_commitment(org, workshop, title="=HYPERLINK(\"http://x\")",
                                            status=S.DILAKSANAKAN, percent_complete=40),
        "done": factories.make_commitment(org, workshop, title="Selesai", status=S.SELESAI,
                                          percent_complete=100),
        "pdam": factories.make_commitment(other, workshop, title="Sambungan rumah",
                                          status=S.DISEPAKATI),
        "elsewhere": factories.make_commitment(org, other_workshop, title="Di lokakarya lain",
                                               status=S.DISEPAKATI),
    }
    user = factories.make_user(Role.STAKEHOLDER, organisation=org)
    organiser = factories.make_user(Role.ORGANISER, regions=["51.05"])
    db.session.commit()
    return dict(workshop=workshop, org=org, other=other, c=commitments, user=user,
                organiser=organiser, scope=SheetScope(org.name, organisation_id=org.id))


def download(db, scope) -> Workbook:
    data = build_progress_sheet(open_commitments(db.session, scope), today=TODAY)
    return load_workbook(io.BytesIO(data))


def to_bytes(workbook: Workbook) -> bytes:
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def rows_by_title(sheet):
    return {sheet.cell(r, 3).value: r for r in range(2, sheet.max_row + 1)}


def update_count(db):
    return db.session.scalar(select(func.count(CommitmentUpdate.id)))


def test_the_sheet_lists_open_commitments_with_the_id_column_locked(db, setup):
    sheet = download(db, setup["scope"])["Komitmen"]
    assert [c.value for c in sheet[1]] == list(COLUMNS)
    rows = rows_by_title(sheet)
    assert set(rows) == {"Normalisasi drainase", "'=HYPERLINK(\"http://x\")", "Di lokakarya lain"}
    row = rows["Normalisasi drainase"]
    assert sheet.cell(row, 1).value == setup["c"]["drainase"].id
    assert (sheet.cell(row, 4).value, sheet.cell(row, 5).value) == ("dianggarkan", 0)
    assert sheet.protection.sheet is True
    assert sheet.cell(row, 1).protection.locked and sheet.cell(row, 3).protection.locked
    assert not sheet.cell(row, 4).protection.locked and not sheet.cell(row, 7).protection.locked
    assert "'=HYPERLINK(\"http://x\")" in rows, "a formula-like title is quoted"


def test_workshop_sheet_holds_that_workshops_commitments_of_every_organisation(db, setup):
    scope = SheetScope("Lokakarya", workshop_id=setup["workshop"].id)
    sheet = download(db, scope)["Komitmen"]
    assert set(rows_by_title(sheet)) == {"Normalisasi drainase", "'=HYPERLINK(\"http://x\")",
                                         "Sambungan rumah"}


def test_round_trip_applies_the_changed_rows(db, setup):
    workbook = download(db, setup["scope"])
    sheet = workbook["Komitmen"]
    rows = rows_by_title(sheet)
    drainase = rows["Normalisasi drainase"]
    sheet.cell(drainase, 4).value = "dilaksanakan"
    sheet.cell(drainase, 5).value = 35
    sheet.cell(drainase, 6).value = datetime(2030, 4, 20)
    sheet.cell(drainase, 7).value = "Pekerjaan galian dimulai"
    formula_row = rows["'=HYPERLINK(\"http://x\")"]
    sheet.cell(formula_row, 4).value = "selesai"
    sheet.cell(formula_row, 5).value = "100%"
    report = import_progress_sheet(db.session, setup["user"], to_bytes(workbook), setup["scope"],
                                   today=TODAY)
    assert report.ok, [str(p) for p in report.problems]
    assert (report.applied, report.unchanged) == (2, 1)
    db.session.commit()
    drain = setup["c"]["drainase"]
    assert (drain.status, drain.percent_complete) == (S.DILAKSANAKAN, 35)
    assert drain.updates[0].reported_on == date(2030, 4, 20)
    assert drain.updates[0].narrative == "Pekerjaan galian dimulai"
    assert drain.updates[0].author_id == setup["user"].id
    finished = setup["c"]["sampah"]
    assert (finished.status, finished.percent_complete) == (S.SELESAI, 100)
    assert finished.updates[0].reported_on == TODAY


def test_an_edited_id_pointing_at_another_organisation_is_refused(db, setup):
    workbook = download(db, setup["scope"])
    sheet = workbook["Komitmen"]
    rows = rows_by_title(sheet)
    sheet.cell(rows["Normalisasi drainase"], 5).value = 20
    hijacked = rows["Di lokakarya lain"]
    sheet.cell(hijacked, 1).value = setup["c"]["pdam"].id
    sheet.cell(hijacked, 4).value = "batal"
    report = import_progress_sheet(db.session, setup["user"], to_bytes(workbook), setup["scope"],
                                   today=TODAY)
    assert not report.ok and report.applied == 0
    [problem] = report.problems
    assert (problem.row, problem.column) == (hijacked, "id")
    assert "not one of the commitments of Dinas PUPRPKP" in problem.message
    assert update_count(db) == 0
    assert setup["c"]["pdam"].status is S.DISEPAKATI


def test_an_id_swapped_within_the_organisation_is_caught_by_the_title(db, setup):
    workbook = download(db, setup["scope"])
    sheet = workbook["Komitmen"]
    row = rows_by_title(sheet)["Normalisasi drainase"]
    sheet.cell(row, 1).value = setup["c"]["done"].id
    sheet.cell(row, 5).value = 50
    report = import_progress_sheet(db.session, setup["user"], to_bytes(workbook), setup["scope"],
                                   today=TODAY)
    assert [(p.row, p.column) for p in report.problems] == [(row, "title")]
    assert update_count(db) == 0


def test_every_bad_row_is_reported_by_row_and_column_and_nothing_is_applied(db, setup):
    workbook = download(db, setup["scope"])
    sheet = workbook["Komitmen"]
    rows = rows_by_title(sheet)
    drainase, formula, elsewhere = (rows["Normalisasi drainase"], rows["'=HYPERLINK(\"http://x\")"],
                                    rows["Di lokakarya lain"])
    sheet.cell(drainase, 4).value = "selesai"            # a jump the rules forbid
    sheet.cell(formula, 5).value = 150                   # percent out of range
    sheet.cell(formula, 6).value = "besok"               # not a date
    sheet.cell(elsewhere, 4).value = "hampir"            # not a status
    extra = sheet.max_row + 1
    sheet.cell(extra, 1).value = "abc"                   # not an id
    report = import_progress_sheet(db.session, setup["user"], to_bytes(workbook), setup["scope"],
                                   today=TODAY)
    assert [(p.row, p.column) for p in report.problems] == sorted([
        (drainase, "status"), (formula, "percent"), (formula, "reported_on"),
        (elsewhere, "status"), (extra, "id")])
    assert "straight to" in next(p.message for p in report.problems if p.row == drainase)
    assert str(report.problems[0]).startswith(f"Row {report.problems[0].row}, column")
    assert report.applied == 0 and update_count(db) == 0


@pytest.mark.parametrize("change, expected", [
    (lambda s: s.cell(1, 8, "catatan"), "Not expected: catatan"),
    (lambda s: s.delete_cols(7), "Missing: narrative"),
    (lambda s: s.cell(1, 5, "persen"), "Missing: percent. Not expected: persen"),
    (lambda s: s.cell(1, 7, "status"), "Twice: status"),
])
def test_extra_missing_or_renamed_columns_are_a_clear_error(db, setup, change, expected):
    workbook = download(db, setup["scope"])
    sheet = workbook["Komitmen"]
    row = rows_by_title(sheet)["Normalisasi drainase"]
    sheet.cell(row, 5).value = 30
    change(sheet)
    report = import_progress_sheet(db.session, setup["user"], to_bytes(workbook), setup["scope"],
                                   today=TODAY)
    [problem] = report.problems
    assert problem.row == 1 and expected in problem.message
    assert "id, organisation, title, status, percent, reported_on, narrative" in problem.message
    assert update_count(db) == 0


@pytest.mark.parametrize("content, message", [
    (b"id,organisation,title\n1,x,y\n", "not a readable .xlsx"),
    (b"PK\x03\x04broken zip", "not a readable .xlsx"),
    (b"", "empty"),
])
def test_something_that_is_not_a_workbook_is_refused(db, setup, content, message):
    report = import_progress_sheet(db.session, setup["user"], content, setup["scope"], today=TODAY)
    assert message in str(report.problems[0])


def test_rows_left_alone_change_nothing(db, setup):
    workbook = download(db, setup["scope"])
    report = import_progress_sheet(db.session, setup["user"], to_bytes(workbook), setup["scope"],
                                   today=TODAY)
    assert report.ok and (report.applied, report.unchanged) == (0, 3)
    assert update_count(db) == 0


def test_organiser_updates_a_workshop_sheet_but_not_another_workshops_row(db, setup):
    scope = SheetScope("Lokakarya", workshop_id=setup["workshop"].id)
    workbook = download(db, scope)
    sheet = workbook["Komitmen"]
    row = rows_by_title(sheet)["Sambungan rumah"]
    sheet.cell(row, 4).value = "dianggarkan"
    report = import_progress_sheet(db.session, setup["organiser"], to_bytes(workbook), scope,
                                   today=TODAY)
    assert report.ok and report.applied == 1
    sheet.cell(row, 1).value = setup["c"]["elsewhere"].id
    sheet.cell(row, 3).value = "Di lokakarya lain"
    report = import_progress_sheet(db.session, setup["organiser"], to_bytes(workbook), scope,
                                   today=TODAY)
    assert [(p.row, p.column) for p in report.problems] == [(row, "id")]


def test_a_commitment_listed_twice_is_refused(db, setup):
    workbook = download(db, setup["scope"])
    sheet = workbook["Komitmen"]
    rows = rows_by_title(sheet)
    first, second = rows["Normalisasi drainase"], rows["Di lokakarya lain"]
    sheet.cell(second, 1).value = setup["c"]["drainase"].id
    sheet.cell(second, 3).value = "Normalisasi drainase"
    sheet.cell(second, 5).value = 10
    report = import_progress_sheet(db.session, setup["user"], to_bytes(workbook), setup["scope"],
                                   today=TODAY)
    [problem] = report.problems
    assert (problem.row, problem.column) == (second, "id")
    assert f"appears twice (first in row {first})" in problem.message
    assert update_count(db) == 0
