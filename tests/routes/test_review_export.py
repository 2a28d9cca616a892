"""The reviewer export routes: downloads, file names, scope, audit events and bad input."""

from __future__ import annotations

import csv
import io
from datetime import datetime, timezone
from zoneinfo import ZoneInfo

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from kotaku_collab.models import AuditEvent
from tests.services.test_review_export import (INJECTED_TITLE, PASURUAN, PERSONAL,  # noqa: F401
                                               review_world)

TABLES = ("workshops", "participation", "issues", "mechanisms", "commitments", "progress")


def _today() -> str:
    return datetime.now(timezone.utc).astimezone(ZoneInfo("Asia/Jakarta")).date().isoformat()


def _get(client, url):
    response = client.get(url)
    data = response.get_data()
    response.close()
    return response, data


def _sheets(data: bytes) -> dict[str, list[tuple]]:
    book = load_workbook(io.BytesIO(data), read_only=True)
    try:
        return {ws.title: [tuple(r) for r in ws.iter_rows(values_only=True)]
                for ws in book.worksheets}
    finally:
        book.close()


def _csv_rows(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def _export_events(db):
    return list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == "export")
                                   .order_by(AuditEvent.id)))


def test_reviewer_downloads_the_workbook_and_it_is_audited(client, login_as, db, review_world):
    reviewer = login_as("reviewer", regions=["51.05"])
    response, data = _get(client, "/review/export.xlsx?province=51&start=2019-01-01")
    assert response.status_code == 200
    assert response.mimetype == \
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert response.headers["Content-Disposition"] == \
        f"attachment; filename=kotaku-tinjauan-{_today()}.xlsx"
    assert response.headers["Cache-Control"] == "no-store"
    sheets = _sheets(data)
    assert list(sheets) == ["Workshops", "Participation", "Strategic issues",
                            "Coordination mechanisms", "Commitments", "Progress"]
    assert sheets["Workshops"][1][1] == "'" + INJECTED_TITLE
    everything = repr(sheets)
    for text in PERSONAL + PASURUAN:
        assert text not in everything, text
    [event] = _export_events(db)
    assert event.actor_id == reviewer.id and event.entity_type == "ReviewExport"
    assert event.changes == {
        "format": "xlsx", "filters": {"province": "51", "start": "2019-01-01"},
        "rows": {"workshops": 1, "participation": 3, "issues": 1, "mechanisms": 1,
                 "commitments": 2, "progress": 2}}


@pytest.mark.parametrize("table", TABLES)
def test_each_table_downloads_as_csv_and_is_audited(client, login_as, db, review_world, table):
    reviewer = login_as("reviewer", regions=["51.05"])
    response, data = _get(client, f"/review/export/{table}.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"].startswith(
        'attachment; filename="kotaku-tinjauan-')
    assert response.headers["Content-Disposition"].endswith(f'-{_today()}.csv"')
    assert data.startswith(b"\xef\xbb\xbf")
    rows = _csv_rows(data)
    assert len(rows) > 1
    text = data.decode("utf-8-sig")
    for needle in PERSONAL + PASURUAN:
        assert needle not in text, needle
    assert not [cell for row in rows for cell in row if cell.startswith(("=", "+", "-", "@"))]
    [event] = _export_events(db)
    assert event.actor_id == reviewer.id
    assert event.changes == {"format": "csv", "filters": {}, "table": table}


def test_commitments_csv_rows(client, login_as, db, review_world):
    login_as("reviewer", regions=["51.05"])
    _response, data = _get(client, "/review/export/commitments.csv")
    header, *rows = _csv_rows(data)
    assert header[:4] == ["ID", "Workshop code", "Regency/city", "Organisation"]
    assert [r[9] for r in rows] == ["'+62 811 3999 hubungi kami", "'@SUM(A1) beasiswa"]
    assert rows[0][13] == "150000000" and rows[0][16] == "2020-12-31"


def test_unknown_table_is_404(client, login_as, db):
    login_as("reviewer", regions=["51.05"])
    for table in ("people", "registrations", "users", "..%2Fetc"):
        response, _data = _get(client, f"/review/export/{table}.csv")
        assert response.status_code == 404, table
    assert _export_events(db) == []


def test_organisers_and_stakeholders_may_not_export(client, login_as, db):
    login_as("organiser", regions=["51.05"])
    for url in ("/review/export.xlsx", "/review/export/commitments.csv"):
        response, _data = _get(client, url)
        assert response.status_code == 403


def test_one_workshop_export_is_audited_on_the_workshop(client, login_as, db, review_world):
    login_as("reviewer", regions=["51.05"])
    workshop = review_world["workshop"]
    response, data = _get(client, f"/review/export.xlsx?workshop={workshop.id}")
    assert response.status_code == 200
    assert len(_sheets(data)["Commitments"]) == 2  # header + the one made at the workshop
    [event] = _export_events(db)
    assert event.entity_type == "Workshop" and event.workshop_id == workshop.id
    assert event.changes["workshop_id"] == workshop.id


@pytest.mark.parametrize("query", [
    "start=kemarin", "end=2019-13-45", "kind=pesta", "province=99", "kabkota=51",
    "start=2020-01-01&end=2019-01-01", "workshop=abc", "workshop=%00", "province=%F0%9F%98%80",
    "start=" + "9" * 500,
])
def test_bad_filter_values_still_export_everything_in_scope(client, login_as, db, review_world,
                                                            query):
    login_as("reviewer", regions=["51.05"])
    response, data = _get(client, "/review/export.xlsx?" + query)
    assert response.status_code == 200
    assert len(_sheets(data)["Commitments"]) == 3  # header + both Klungkung commitments
    response, data = _get(client, "/review/export/commitments.csv?" + query)
    assert response.status_code == 200 and len(_csv_rows(data)) == 3
    events = _export_events(db)
    assert len(events) == 2 and all(e.changes["dropped"] for e in events)


@pytest.mark.parametrize("query", ["kabkota=35.75", "province=35", "workshop={pasuruan}",
                                   "workshop=999999"])
def test_asking_for_another_region_gives_an_empty_export(client, login_as, db, review_world,
                                                         query):
    login_as("reviewer", regions=["51.05"])
    query = query.format(pasuruan=review_world["pasuruan"].id)
    response, data = _get(client, "/review/export.xlsx?" + query)
    assert response.status_code == 200
    assert all(len(rows) == 1 for rows in _sheets(data).values())  # headers only
    for table in TABLES:
        response, data = _get(client, f"/review/export/{table}.csv?" + query)
        assert response.status_code == 200 and len(_csv_rows(data)) == 1
    assert all(e.changes["out_of_scope"] for e in _export_events(db))


def test_national_admin_export_holds_both_regions(client, login_as, db, review_world):
    login_as("admin")
    _response, data = _get(client, "/review/export/workshops.csv")
    titles = [row[1] for row in _csv_rows(data)[1:]]
    assert titles == ["'" + INJECTED_TITLE, "Lokakarya Kota Pasuruan"]


def test_headers_are_indonesian_by_default(client, login_as, db, review_world):
    login_as("reviewer", regions=["51.05"])
    response = client.get("/review/export/commitments.csv", headers={"Accept-Language": "id"})
    data = response.get_data()
    response.close()
    header = _csv_rows(data)[0]
    assert header[3] == "Organisasi" and header[4] == "Sektor"
    response = client.get("/review/export.xlsx", headers={"Accept-Language": "id"})
    data = response.get_data()
    response.close()
    assert list(_sheets(data)) == ["Lokakarya", "Partisipasi", "Isu strategis",
                                   "Mekanisme koordinasi", "Komitmen", "Kemajuan"]


def test_workbook_query_count_is_the_same_on_ten_times_the_data(client, login_as, db,
                                                                 review_world):
    from tests.services.test_review_export import _bulk_commitments

    login_as("reviewer", regions=["51.05"])

    def export():
        db.session.commit()  # each request starts from the same state of the shared session
        response, data = _get(client, "/review/export.xlsx")
        return int(response.headers["X-Query-Count"]), data

    small, _data = export()
    _bulk_commitments(db, review_world["pupr"].id, 2500)
    big, data = export()
    assert big == small
    assert len(_sheets(data)["Commitments"]) == 2503
