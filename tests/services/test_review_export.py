"""Reviewer exports: each sheet's rows on a small world, scope, formula safety, no personal
data, bounded memory and a query count that does not grow with the rows."""

from __future__ import annotations

import io
import tracemalloc
from datetime import date, datetime, timedelta, timezone

import pytest
from openpyxl import load_workbook
from sqlalchemy import insert

from kotaku_collab.database import count_queries
from kotaku_collab.models import (Aspect, AttendanceStatus, Cadence, Commitment, CommitmentStatus,
                                  CommitmentType, CommitmentUpdate, CoordinationMechanism,
                                  EvidenceFile, FundingSource, Gender, IssueAspect,
                                  MechanismMeeting, MechanismType, RegistrationStatus, Role, Scale,
                                  Sector, VerificationDecision, WorkshopKind, WorkshopStatus)
from kotaku_collab.services.exports import neutralise
from kotaku_collab.services.review_export import (TABLES, build_table, csv_chunks,
                                                  export_filename, parse_workshop, write_workbook)
from kotaku_collab.services.review_filters import parse_review_filters
from tests import factories

KLUNGKUNG = "Kabupaten Klungkung"
INJECTED_TITLE = '=HYPERLINK("http://evil.example/x","klik")'
PHONE_TITLE = "+62 811 3999 hubungi kami"
#: Strings that must never leave in a reviewer export.
PERSONAL = ("+6281111111111", "6281111111111", "budi@example.test", "+6282222222222",
            "sari@example.test", "Budi Santoso", "Sari Dewi", "Wayan Tanpa Gender",
            "pasuruan@example.test", "Rina Pasuruan", "wa.me/6281111111111")
#: Strings of Kota Pasuruan that a Klungkung reviewer must never see.
PASURUAN = ("Kota Pasuruan", "Lokakarya Kota Pasuruan", "Sampah Gadingrejo",
            "Bappelitbangda Kota Pasuruan", "Forum PKP Pasuruan", "Komitmen Pasuruan",
            "Laporan Pasuruan")


@pytest.fixture
def review_world(db):
    """Klungkung (51.05) with one workshop of each kind of outcome, and a Kota Pasuruan twin."""
    starts = datetime(2019, 10, 29, 0, 30, tzinfo=timezone.utc)  # 08.30 WITA
    workshop = factories.make_workshop("51.05", title=INJECTED_TITLE, starts_at=starts,
                                       status=WorkshopStatus.HELD, venue="Aula Baperlitbang")
    factories.make_region("51.05.03.1001")
    pupr = factories.make_organisation("Dinas PUPR Klungkung", sector=Sector.PEMERINTAH)
    yayasan = factories.make_organisation("Yayasan Padma Bhakti Pertiwi", sector=Sector.FILANTROPI)
    budi = factories.make_person("Budi Santoso", pupr, gender=Gender.LAKI_LAKI,
                                 phone="+6281111111111", email="budi@example.test")
    sari = factories.make_person("Sari Dewi", yayasan, gender=Gender.PEREMPUAN,
                                 phone="+6282222222222", email="sari@example.test")
    wayan = factories.make_person("Wayan Tanpa Gender", pupr)
    factories.make_registration(workshop, budi, attendance=AttendanceStatus.HADIR)
    factories.make_registration(workshop, sari)
    factories.make_registration(workshop, wayan, status=RegistrationStatus.WAITLISTED,
                                waitlist_position=1)

    issue = factories.make_issue(workshop, "Drainase tersumbat",
                                 description="Saluran tertutup sampah",
                                 location_code="51.05.03.1001", proposed_by_id=pupr.id,
                                 priority=1, vote_rank=1, vote_count=12, agreed=True)
    db.session.add_all([IssueAspect(issue_id=issue.id, aspect=Aspect.DRAINASE),
                        IssueAspect(issue_id=issue.id, aspect=Aspect.AIR_MINUM)])
    factories.make_issue(workshop, "Drainase tersumbat (duplikat)", merged_into_id=issue.id)

    mechanism = factories.make_mechanism(
        workshop, "Rapat Pokja PKP Klungkung", lead_organisation_id=pupr.id,
        description="Rapat bulanan", next_meeting_on=date(2020, 1, 7), legal_basis="SK 123/2019",
        contact_channel="wa.me/6281111111111 budi@example.test")
    mechanism.members = [pupr, yayasan]
    db.session.add_all([MechanismMeeting(mechanism_id=mechanism.id, held_on=date(2019, 11, 5)),
                        MechanismMeeting(mechanism_id=mechanism.id, held_on=date(2019, 12, 3))])

    agreed = factories.make_commitment(
        pupr, workshop, title=PHONE_TITLE, committed_by=budi, aspect=Aspect.DRAINASE,
        scale=Scale.KAWASAN, location_code="51.05.03.1001", volume=1200, unit="m",
        amount_idr=150_000_000, funding_source=FundingSource.APBD_KABKOTA, fiscal_year=2020,
        target_date=date(2020, 12, 31), document_ref="PKS 7/2019", integrated_into="RKPD 2020",
        status=CommitmentStatus.DIANGGARKAN, percent_complete=40,
        last_update_at=datetime(2020, 1, 31, 17, 0, tzinfo=timezone.utc))  # 1 Feb in WITA
    outside = factories.make_commitment(
        yayasan, None, title="@SUM(A1) beasiswa", type=CommitmentType.PENDAMPINGAN_TEKNIS,
        location_text="Banjar Lebah", is_example=True)
    reviewer_author = factories.make_user(Role.ORGANISER, name="Penulis Laporan",
                                          email="penulis@example.test")
    update = CommitmentUpdate(commitment_id=agreed.id, reported_on=date(2020, 2, 1),
                              status=CommitmentStatus.DIANGGARKAN, percent_complete=40,
                              narrative="-1 masalah: anggaran masuk APBD 2020",
                              author_id=reviewer_author.id,
                              verification_state=VerificationDecision.VERIFIED)
    first = CommitmentUpdate(commitment_id=agreed.id, reported_on=date(2019, 12, 1),
                             status=CommitmentStatus.DISEPAKATI, percent_complete=10)
    db.session.add_all([update, first])
    db.session.flush()
    db.session.add(EvidenceFile(update_id=update.id, stored_name="b" * 32 + ".pdf",
                                original_name="bukti.pdf", content_type="application/pdf",
                                size_bytes=8))

    # Kota Pasuruan: the same shapes, none of which a Klungkung reviewer may see.
    pasuruan = factories.make_workshop("35.75", title="Lokakarya Kota Pasuruan",
                                       starts_at=starts + timedelta(days=7),
                                       status=WorkshopStatus.HELD)
    bappeda = factories.make_organisation("Bappelitbangda Kota Pasuruan", region_code="35.75")
    rina = factories.make_person("Rina Pasuruan", bappeda, email="pasuruan@example.test")
    factories.make_registration(pasuruan, rina)
    factories.make_issue(pasuruan, "Sampah Gadingrejo")
    factories.make_mechanism(pasuruan, "Forum PKP Pasuruan")
    far = factories.make_commitment(bappeda, pasuruan, title="Komitmen Pasuruan")
    db.session.add(CommitmentUpdate(commitment_id=far.id, reported_on=date(2020, 1, 5),
                                    status=CommitmentStatus.DISEPAKATI, percent_complete=5,
                                    narrative="Laporan Pasuruan"))
    db.session.commit()
    return {"workshop": workshop, "pasuruan": pasuruan, "agreed": agreed, "outside": outside,
            "pupr": pupr}


def _reviewer(regions=("51.05",)):
    user = factories.make_user(Role.REVIEWER, regions=list(regions))
    factories.db.session.commit()
    return user


SHEET_TITLES = dict(zip(TABLES, ["Workshops", "Participation", "Strategic issues",
                                 "Coordination mechanisms", "Commitments", "Progress"]))


def _rows(db, user, table, args=None):
    """One sheet of the written workbook, read back: its header and data rows."""
    _counts, sheets = _workbook(db, user, args)
    header, *rows = sheets[SHEET_TITLES[table]]
    return list(header), rows


def _workbook(db, user, args=None, workshop_id=None):
    """The workbook written by write_workbook, read back: {sheet title: [row tuples]}."""
    filters = parse_review_filters(db.session, user, args or {})
    target = io.BytesIO()
    counts = write_workbook(db.session, user, filters, target, workshop_id=workshop_id)
    target.seek(0)
    book = load_workbook(target, read_only=True)
    try:
        # A streamed sheet records no dimensions, so rows come back without trailing blanks.
        sheets = {}
        for ws in book.worksheets:
            rows = [tuple(r) for r in ws.iter_rows(values_only=True)]
            width = len(rows[0])
            sheets[ws.title] = [r + (None,) * (width - len(r)) for r in rows]
    finally:
        book.close()
    return counts, sheets


def _as_read_back(value):
    """A cell value as the XLSX gives it back: text quoted, dates as midnight datetimes."""
    if isinstance(value, str):
        return neutralise(value)
    if isinstance(value, date) and not isinstance(value, datetime):
        return datetime.combine(value, datetime.min.time())
    return value


def _csv(db, user, table, args=None) -> str:
    filters = parse_review_filters(db.session, user, args or {})
    data = b"".join(csv_chunks(build_table(db.session, user, filters, table), chunk_rows=1))
    assert data.startswith(b"\xef\xbb\xbf")
    return data.decode("utf-8-sig")


# --- Each sheet's rows ----------------------------------------------------------------------


def test_workshops_sheet_holds_local_times_and_counts(db, review_world):
    header, rows = _rows(db, _reviewer(), "workshops")
    assert header[:3] == ["Code", "Title", "Kind"]
    assert rows == [(review_world["workshop"].code, "'" + INJECTED_TITLE,
                     "Collaboration workshop", "Held", KLUNGKUNG, "Aula Baperlitbang",
                     datetime(2019, 10, 29, 8, 30), datetime(2019, 10, 29, 14, 30), "WITA",
                     40, 2, 2, 1, 1, 1, 1, None)]


def test_participation_sheet_counts_by_sector_gender_status_without_names(db, review_world):
    header, rows = _rows(db, _reviewer(), "participation")
    assert header == ["Workshop code", "Workshop", "Regency/city", "Sector", "Gender",
                      "Registration status", "Participants", "Attended"]
    code, title = review_world["workshop"].code, "'" + INJECTED_TITLE
    assert rows == [
        (code, title, KLUNGKUNG, "Government", "Male", "Confirmed", 1, 1),
        (code, title, KLUNGKUNG, "Government", "Not recorded", "Waiting list", 1, 0),
        (code, title, KLUNGKUNG, "Philanthropy", "Female", "Confirmed", 1, 0),
    ]


def test_issues_sheet_leaves_out_merged_duplicates(db, review_world):
    header, rows = _rows(db, _reviewer(), "issues")
    assert header[3:6] == ["Title", "Description", "Aspects"]
    assert rows == [(review_world["workshop"].code, "'" + INJECTED_TITLE, KLUNGKUNG,
                     "Drainase tersumbat", "Saluran tertutup sampah", "Drinking water; Drainage",
                     "Semarapura Kaja", "Dinas PUPR Klungkung", 1, 1, 12, "yes")]


def test_mechanisms_sheet_counts_members_and_meetings_without_contacts(db, review_world):
    header, rows = _rows(db, _reviewer(), "mechanisms")
    assert "Contact" not in " ".join(header)
    assert rows == [(review_world["workshop"].code, "'" + INJECTED_TITLE, KLUNGKUNG,
                     "Pokja PKP meeting", "Rapat Pokja PKP Klungkung", "Rapat bulanan",
                     "Dinas PUPR Klungkung", 2, "Monthly", datetime(2020, 1, 7), 2,
                     datetime(2019, 12, 3), "SK 123/2019")]


def test_commitments_sheet_rows(db, review_world):
    header, rows = _rows(db, _reviewer(), "commitments")
    assert header[0] == "ID" and header[13] == "Amount (Rp)"
    agreed, outside = review_world["agreed"], review_world["outside"]
    assert rows == [
        (agreed.id, review_world["workshop"].code, KLUNGKUNG, "Dinas PUPR Klungkung",
         "Government", "Programme / activity", "Drainage", "Area scale", "Semarapura Kaja",
         "'" + PHONE_TITLE, None, 1200, "m", 150_000_000, "Regency/city budget (APBD)", 2020,
         datetime(2020, 12, 31), "PKS 7/2019", "RKPD 2020", "Budgeted", 40, datetime(2020, 2, 1),
         "no"),
        (outside.id, None, KLUNGKUNG, "Yayasan Padma Bhakti Pertiwi", "Philanthropy",
         "Technical assistance", None, None, "Banjar Lebah", "'@SUM(A1) beasiswa", None, None,
         None, None, None, None, None, None, None, "Proposed", 0, None, "yes"),
    ]


def test_progress_sheet_rows_oldest_first_without_authors(db, review_world):
    header, rows = _rows(db, _reviewer(), "progress")
    assert header == ["Commitment ID", "Commitment", "Organisation", "Regency/city",
                      "Reported on", "Status", "Percent complete", "Narrative", "Verification",
                      "Evidence files"]
    agreed = review_world["agreed"].id
    assert rows == [
        (agreed, "'" + PHONE_TITLE, "Dinas PUPR Klungkung", KLUNGKUNG, datetime(2019, 12, 1),
         "Agreed", 10, None, "Awaiting review", 0),
        (agreed, "'" + PHONE_TITLE, "Dinas PUPR Klungkung", KLUNGKUNG, datetime(2020, 2, 1),
         "Budgeted", 40, "'-1 masalah: anggaran masuk APBD 2020", "Verified", 1),
    ]


# --- The workbook and the CSVs --------------------------------------------------------------


def test_workbook_has_six_sheets_with_the_same_rows(db, review_world):
    user = _reviewer()
    counts, sheets = _workbook(db, user)
    assert list(sheets) == list(SHEET_TITLES.values())
    assert counts == {"workshops": 1, "participation": 3, "issues": 1, "mechanisms": 1,
                      "commitments": 2, "progress": 2}
    filters = parse_review_filters(db.session, user, {})
    for name, title in SHEET_TITLES.items():
        table = build_table(db.session, user, filters, name)
        assert sheets[title][0] == tuple(table.header)
        quoted = [tuple(_as_read_back(v) for v in row) for row in table.rows]
        assert sheets[title][1:] == quoted, name


def test_formula_cells_come_back_quoted_in_xlsx_and_csv(db, review_world):
    user = _reviewer()
    _counts, sheets = _workbook(db, user)
    texts = [v for rows in sheets.values() for row in rows for v in row if isinstance(v, str)]
    assert "'" + INJECTED_TITLE in texts and "'" + PHONE_TITLE in texts
    assert not [t for t in texts if t.startswith(("=", "+", "-", "@"))]
    commitments = _csv(db, user, "commitments")
    assert "'+62 811 3999 hubungi kami" in commitments
    assert "'@SUM(A1) beasiswa" in commitments
    assert '"\'=HYPERLINK(""http://evil.example/x"",""klik"")"' in _csv(db, user, "workshops")
    lines = commitments.split("\r\n")
    assert lines[1].startswith(f"{review_world['agreed'].id},{review_world['workshop'].code},")
    assert ",150000000,Regency/city budget (APBD),2020,2020-12-31," in lines[1]


def test_no_phone_email_or_person_name_in_any_export(db, review_world):
    admin = factories.make_user(Role.ADMIN)  # sees everything, Pasuruan included
    db.session.commit()
    _counts, sheets = _workbook(db, admin)
    everything = repr(sheets) + "".join(_csv(db, admin, t) for t in TABLES)
    assert "Lokakarya Kota Pasuruan" in everything  # the admin's export is national
    for text in PERSONAL:
        assert text not in everything, text


def test_klungkung_reviewer_gets_nothing_of_kota_pasuruan(db, review_world):
    user = _reviewer()
    _counts, sheets = _workbook(db, user)
    everything = repr(sheets) + "".join(_csv(db, user, t) for t in TABLES)
    for text in PASURUAN:
        assert text not in everything, text
    # Asking for Kota Pasuruan outright gives an empty export, not Klungkung's.
    counts, _sheets = _workbook(db, user, {"kabkota": "35.75"})
    assert set(counts.values()) == {0}


def test_a_commitment_at_a_workshop_outside_the_scope_does_not_name_it(db, review_world):
    # A Klungkung commitment recorded at the Pasuruan workshop: the row is Klungkung's, but
    # the workshop's code is not shown, nor counted in the workshops sheet.
    factories.make_commitment(review_world["pupr"], review_world["pasuruan"],
                              region_code="51.05", title="Komitmen lintas daerah")
    db.session.commit()
    _header, rows = _rows(db, _reviewer(), "commitments")
    crossing = [r for r in rows if r[9] == "Komitmen lintas daerah"]
    assert crossing and crossing[0][1] is None
    assert review_world["pasuruan"].code not in repr(rows)


def test_filters_narrow_every_sheet(db, review_world):
    user = _reviewer()
    counts, _sheets = _workbook(db, user, {"kind": WorkshopKind.FGD.value})
    assert set(counts.values()) == {0}
    # A period around the workshop keeps it and its commitment; the commitment made outside a
    # workshop counts by the day it was recorded (today), outside 2019.
    counts, _sheets = _workbook(db, user, {"start": "2019-10-01", "end": "2019-12-31"})
    assert counts == {"workshops": 1, "participation": 3, "issues": 1, "mechanisms": 1,
                      "commitments": 1, "progress": 2}


def test_bad_filter_values_are_dropped_not_raised(db, review_world):
    user = _reviewer()
    filters = parse_review_filters(db.session, user, {"start": "kemarin", "kind": "pesta",
                                                      "province": "99"})
    assert len(filters.errors) == 3
    target = io.BytesIO()
    assert write_workbook(db.session, user, filters, target)["commitments"] == 2


def test_one_workshop_narrowing(db, review_world):
    user = _reviewer()
    filters = parse_review_filters(db.session, user, {})
    workshop = parse_workshop(db.session, user, filters, str(review_world["workshop"].id))
    assert workshop is review_world["workshop"] and not filters.errors
    counts, _sheets = _workbook(db, user, workshop_id=workshop.id)
    assert counts["commitments"] == 1 and counts["workshops"] == 1

    for raw in ("abc", "٣", "9" * 40, "-1"):
        filters = parse_review_filters(db.session, user, {})
        assert parse_workshop(db.session, user, filters, raw) is None
        assert filters.errors and not filters.out_of_scope
    # Another region's workshop (or an unknown id) empties the export.
    for raw in (str(review_world["pasuruan"].id), "999999"):
        filters = parse_review_filters(db.session, user, {})
        assert parse_workshop(db.session, user, filters, raw) is None
        assert filters.out_of_scope
        target = io.BytesIO()
        assert set(write_workbook(db.session, user, filters, target).values()) == {0}


def test_control_characters_do_not_break_the_workbook(db, review_world):
    review_world["agreed"].description = "baris\x01satu\x0bdua\x1f"
    db.session.commit()
    _counts, sheets = _workbook(db, _reviewer())
    assert sheets["Commitments"][1][10] == "barissatudua"


def test_export_filename():
    assert export_filename(date(2026, 12, 2)) == "kotaku-tinjauan-2026-12-02.xlsx"
    assert export_filename(date(2026, 12, 2), "commitments") == \
        "kotaku-tinjauan-komitmen-2026-12-02.csv"


# --- Scale: queries and memory --------------------------------------------------------------


def _bulk_commitments(db, organisation_id: int, n: int, start: int = 0) -> None:
    """n commitments in one executemany INSERT (no ORM objects)."""
    now = datetime.now(timezone.utc)
    db.session.execute(insert(Commitment), [
        {"organisation_id": organisation_id, "sector": Sector.PEMERINTAH, "region_code": "51.05",
         "type": CommitmentType.ANGGARAN, "title": f"Komitmen massal {start + i} " + "x" * 60,
         "description": "Uraian kegiatan " * 8, "amount_idr": 1_000_000 + i,
         "status": CommitmentStatus.DISEPAKATI, "percent_complete": i % 101,
         "funding_source": FundingSource.APBD_KABKOTA, "created_at": now}
        for i in range(n)])
    db.session.commit()


def test_query_count_does_not_grow_with_the_rows(db, review_world):
    user = _reviewer()

    def queries() -> int:
        filters = parse_review_filters(db.session, user, {"province": "51"})
        with count_queries() as n:
            write_workbook(db.session, user, filters, io.BytesIO())
        return n()

    small = queries()
    _bulk_commitments(db, review_world["pupr"].id, 5000)  # more than two yield_per batches
    assert queries() == small
    assert small <= len(TABLES) + 2


@pytest.mark.slow
def test_twenty_thousand_commitments_export_in_bounded_memory(db, review_world, tmp_path):
    user = _reviewer()
    _bulk_commitments(db, review_world["pupr"].id, 20_000)
    filters = parse_review_filters(db.session, user, {})
    db.session.expire_all()
    tracemalloc.start()
    try:
        with (tmp_path / "tinjauan.xlsx").open("wb") as target:
            counts = write_workbook(db.session, user, filters, target)
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert counts["commitments"] == 20_002
    print(f"peak {peak / 2**20:.1f} MiB")
    assert peak < 60 * 1024 * 1024, f"peak {peak / 2**20:.1f} MiB"
    book = load_workbook(tmp_path / "tinjauan.xlsx", read_only=True)
    try:
        assert sum(1 for _row in book["Commitments"].iter_rows(values_only=True)) == 20_003
    finally:
        book.close()
