"""100-0-100 pages: the index and the region page (charts with their tables, constant query
counts), entering, editing and deleting a figure, the CSV import, and region scope."""

from __future__ import annotations

import io
import re
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from kotaku_collab.models import IndicatorKind, RegionIndicator, SlumArea
from tests import factories

K = IndicatorKind
PASURUAN, KLUNGKUNG = "35.75", "51.05"


def add(region_code, year, kind, value, source="Radar Bromo"):
    factories.make_region(region_code)
    row = RegionIndicator(region_code=region_code, year=year, kind=kind, value=Decimal(value),
                          source=source)
    factories.db.session.add(row)
    factories.db.session.flush()
    return row


def seed_pasuruan(db):
    add(PASURUAN, 2015, K.SLUM_BASELINE_HA, "80.87", "Radar Bromo, 10 Jan 2019")
    add(PASURUAN, 2018, K.SLUM_REDUCED_HA, "47.02", "Radar Bromo, 10 Jan 2019")
    add(PASURUAN, 2019, K.SLUM_REMAINING_HA, "27.99", "Radar Bromo, 23 Feb 2020")
    add(PASURUAN, 2019, K.WATER_ACCESS_PCT, "90.5", "BPS Susenas 2019")
    db.session.add(SlumArea(region_code=PASURUAN, name="Kawasan pesisir Ngemplakrejo",
                            area_ha=Decimal("17.00"), sk_year=2015))
    db.session.commit()


def count(db) -> int:
    return db.session.scalar(select(func.count()).select_from(RegionIndicator))


def errors_of(html: str, field: str) -> str:
    match = re.search(rf'id="{field}-errors">(.*?)</div>\s*</div>', html, re.DOTALL)
    return match.group(1) if match else ""


# --- Reading --------------------------------------------------------------------------------


def test_index_lists_the_latest_figures_with_year_and_source(client, db, login_as):
    seed_pasuruan(db)
    login_as("reviewer", regions=[PASURUAN])
    html = client.get("/review/indicators/").get_data(as_text=True)
    assert "Kota Pasuruan" in html and "/review/indicators/35.75" in html
    assert "80.87 ha" in html and "47.02 ha" in html and "27.99 ha" in html
    assert "90.5%" in html and "2019 · BPS Susenas 2019" in html
    assert "2019 · Radar Bromo, 23 Feb 2020" in html
    assert "Import figures (CSV)" in html


def _many_kabkota(db, first, last):
    for i in range(first, last + 1):
        code = f"35.{i:02d}"
        add(code, 2018, K.WATER_ACCESS_PCT, "80")
        add(code, 2019, K.WATER_ACCESS_PCT, "81")
        add(code, 2019, K.SLUM_BASELINE_HA, "12.5")
        add(code, 2019, K.SANITATION_ACCESS_PCT, "70")
    db.session.commit()


def test_index_query_count_is_the_same_for_2_and_20_kabkota(client, db, login_as):
    login_as("reviewer", regions=["35"])
    counts = []
    for first, n in ((1, 2), (3, 20)):
        _many_kabkota(db, first, n)
        response = client.get("/review/indicators/")
        assert response.status_code == 200
        assert response.get_data(as_text=True).count('data-testid="region-35.') == n
        counts.append(int(response.headers["X-Query-Count"]))
    assert counts[0] == counts[1] > 0


def test_region_page_shows_both_charts_with_their_numbers_and_the_sk_areas(client, db,
                                                                             login_as):
    seed_pasuruan(db)
    login_as("organiser", regions=[PASURUAN])
    response = client.get("/review/indicators/35.75")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert html.count('src="data:image/svg+xml;base64,') == 2
    slum = html[html.index('data-testid="slum-trend"'):html.index('data-testid="access-trend"')]
    # 2015: 80,87 − 0 recorded reduction → nothing computed; 2018: 80,87 − 47,02 = 33,85.
    assert "33.85 ha (baseline minus reduced)" in slum and "27.99 ha" in slum
    assert "Radar Bromo, 10 Jan 2019" in slum
    access = html[html.index('data-testid="access-trend"'):]
    assert "90.5%" in access and "BPS Susenas 2019" in access
    assert "Kawasan pesisir Ngemplakrejo" in html
    assert re.search(r'data-testid="slum-area-total">\s*17.00 ha', html)
    # Organisers read; they do not get the buttons to change figures.
    assert "Add a figure" not in html and "/figures/" not in html


def test_region_page_query_count_does_not_grow_with_the_figures(client, db, login_as):
    login_as("reviewer", regions=[PASURUAN])
    counts = []
    for years in (range(2010, 2012), range(2012, 2022)):
        for year in years:
            add(PASURUAN, year, K.WATER_ACCESS_PCT, "50")
            add(PASURUAN, year, K.SLUM_REMAINING_HA, "20")
            db.session.add(SlumArea(region_code=PASURUAN, name=f"Kawasan {year}",
                                    area_ha=Decimal("1.5")))
        db.session.commit()
        response = client.get("/review/indicators/35.75")
        assert response.status_code == 200
        counts.append(int(response.headers["X-Query-Count"]))
    assert counts[0] == counts[1] > 0


def test_a_region_page_for_a_kecamatan_or_an_unknown_code_is_404(client, db, login_as):
    factories.make_region("35.75.01")
    login_as("admin")
    assert client.get("/review/indicators/35.75.01").status_code == 404
    assert client.get("/review/indicators/99.99").status_code == 404


# --- Scope ----------------------------------------------------------------------------------


def test_a_klungkung_reviewer_can_neither_see_nor_edit_kota_pasuruan(client, db, login_as):
    seed_pasuruan(db)
    figure_id = db.session.scalar(select(RegionIndicator.id))
    login_as("reviewer", regions=[KLUNGKUNG])
    assert "Kota Pasuruan" not in client.get("/review/indicators/").get_data(as_text=True)
    for url in ("/review/indicators/35.75", "/review/indicators/35.75/new",
                f"/review/indicators/figures/{figure_id}/edit",
                f"/review/indicators/figures/{figure_id}/delete"):
        assert client.get(url).status_code == 404, url
    data = {"year": "2019", "kind": "sanitation_access_pct", "value": "50", "source": "BPS"}
    assert client.post("/review/indicators/35.75/new", data=data).status_code == 404
    assert client.post(f"/review/indicators/figures/{figure_id}/delete").status_code == 404
    response = client.post("/review/indicators/import", data={"file": (io.BytesIO(
        b"kode_wilayah,tahun,indikator,nilai,sumber\n35.75,2019,sanitasi,50,BPS\n"),
        "angka.csv")}, content_type="multipart/form-data")
    assert "outside your regions" in response.get_data(as_text=True)
    assert count(db) == 4


def test_organisers_of_the_region_read_but_may_not_change(client, db, login_as):
    seed_pasuruan(db)
    figure_id = db.session.scalar(select(RegionIndicator.id))
    login_as("organiser", regions=[PASURUAN])
    assert client.get("/review/indicators/35.75/new").status_code == 403
    assert client.get(f"/review/indicators/figures/{figure_id}/edit").status_code == 403
    assert client.get("/review/indicators/import").status_code == 403


# --- Entering, editing, deleting ------------------------------------------------------------


def test_a_reviewer_enters_a_figure_typed_the_indonesian_way(client, db, login_as):
    factories.make_region(PASURUAN)
    login_as("reviewer", regions=[PASURUAN])
    assert client.get("/review/indicators/35.75/new?kind=water_access_pct").status_code == 200
    response = client.post("/review/indicators/35.75/new", data={
        "year": "2019", "kind": "slum_baseline_ha", "value": "1.234,5",
        "source": "SK Walikota Pasuruan", "note": ""})
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/review/indicators/35.75")
    row = db.session.scalar(select(RegionIndicator))
    assert (row.year, row.kind, row.value, row.source) == (
        2019, K.SLUM_BASELINE_HA, Decimal("1234.50"), "SK Walikota Pasuruan")


@pytest.mark.parametrize("changes, field, message", [
    ({"value": "abc"}, "value", "Indonesian way"),
    ({"value": "80,875"}, "value", "two decimals"),
    ({"value": ""}, "value", "Enter the value"),
    ({"value": "100,5", "kind": "water_access_pct"}, "value", "between 0 and 100"),
    ({"value": "-3"}, "value", "negative"),
    ({"year": "1999"}, "year", "between 2000 and"),
    ({"year": "dua ribu"}, "year", ""),
    ({"source": ""}, "source", "source of the figure"),
    ({"value": "90"}, "value", "would exceed the baseline"),
])
def test_an_invalid_figure_rerenders_with_the_message_beside_the_field(client, db, login_as,
                                                                       changes, field,
                                                                       message):
    add(PASURUAN, 2015, K.SLUM_BASELINE_HA, "80.87")
    db.session.commit()
    login_as("reviewer", regions=[PASURUAN])
    data = {"year": "2019", "kind": "slum_reduced_ha", "value": "47,02",
            "source": "Radar Bromo, 23 Feb 2020", "note": "Catatan tetap"}
    data.update(changes)
    response = client.post("/review/indicators/35.75/new", data=data)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert message in errors_of(html, field)
    # The other input is kept.
    assert "Catatan tetap" in html
    if field != "source":
        assert 'value="Radar Bromo, 23 Feb 2020"' in html
    assert count(db) == 1


def test_editing_and_deleting_a_figure(client, db, login_as):
    row = add(PASURUAN, 2019, K.WATER_ACCESS_PCT, "90.5", "BPS 2019")
    db.session.commit()
    login_as("admin")
    html = client.get(f"/review/indicators/figures/{row.id}/edit").get_data(as_text=True)
    assert 'value="90,50"' in html and 'value="BPS 2019"' in html
    response = client.post(f"/review/indicators/figures/{row.id}/edit", data={
        "year": "2019", "kind": "water_access_pct", "value": "91,25", "source": "BPS 2020"})
    assert response.status_code == 302
    db.session.expire_all()
    assert (row.value, row.source) == (Decimal("91.25"), "BPS 2020")
    assert "Delete this figure" in client.get(
        f"/review/indicators/figures/{row.id}/delete").get_data(as_text=True)
    response = client.post(f"/review/indicators/figures/{row.id}/delete")
    assert response.status_code == 302 and count(db) == 0
    assert client.get(f"/review/indicators/figures/{row.id}/edit").status_code == 404


def test_deleting_a_baseline_a_reduction_needs_shows_why_not(client, db, login_as):
    add(PASURUAN, 2010, K.SLUM_BASELINE_HA, "20")
    baseline = add(PASURUAN, 2015, K.SLUM_BASELINE_HA, "80.87")
    add(PASURUAN, 2018, K.SLUM_REDUCED_HA, "47.02")
    db.session.commit()
    login_as("admin")
    response = client.post(f"/review/indicators/figures/{baseline.id}/delete")
    assert response.status_code == 200
    assert "would exceed the baseline" in response.get_data(as_text=True)
    assert count(db) == 3


# --- Import ---------------------------------------------------------------------------------


def upload(client, data: bytes, name="angka.csv"):
    return client.post("/review/indicators/import", data={"file": (io.BytesIO(data), name)},
                       content_type="multipart/form-data")


def test_import_page_and_template(client, db, login_as):
    login_as("reviewer", regions=[PASURUAN])
    html = client.get("/review/indicators/import").get_data(as_text=True)
    assert "slum_reduced_ha" in html and "/review/indicators/template.csv" in html
    response = client.get("/review/indicators/template.csv")
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    assert response.get_data().decode("utf-8-sig").startswith(
        "kode_wilayah,tahun,indikator,nilai,sumber,catatan")


def test_a_good_import_saves_and_redirects(client, db, login_as):
    factories.make_region(PASURUAN)
    db.session.commit()
    login_as("reviewer", regions=[PASURUAN])
    response = upload(client, b'kode_wilayah,tahun,indikator,nilai,sumber,catatan\n'
                              b'35.75,2015,slum_baseline_ha,"80,87","Radar Bromo, 10 Jan 2019",\n'
                              b'35.75,2019,slum_remaining_ha,"27,99","Radar Bromo, 23 Feb 2020",\n')
    assert response.status_code == 302
    assert count(db) == 2
    html = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "2 figures read: 2 new, 0 updated, 0 unchanged." in html


def test_a_bad_import_lists_every_problem_and_saves_nothing(client, db, login_as):
    factories.make_region(PASURUAN)
    db.session.commit()
    login_as("admin")
    response = upload(client, b'kode_wilayah,tahun,indikator,nilai,sumber\n'
                              b'35.75,2019,water,"72,5",BPS\n'
                              b'35.75,2019,air,70,BPS\n'
                              b'35.75,2019,sanitasi,x,\n')
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Nothing was imported: 3 problems in the file." in html
    table = html[html.index('data-testid="import-problems"'):]
    for line, column in ((3, "indikator"), (4, "nilai"), (4, "sumber")):
        assert re.search(rf"<td>{line}</td><td>{column}</td>", table), (line, column)
    assert count(db) == 0


@pytest.mark.parametrize("data", [b"", b"\xff\xfe\x00\x00garbage", b"\x89PNG\r\n\x1a\n",
                                  b"a,b\n1,2\n", "tahun;nilai\n".encode("utf-16"),
                                  b"kode_wilayah,tahun,indikator,nilai,sumber\n\"35.75,2019"])
def test_a_malformed_file_never_gives_500(client, db, login_as, data):
    login_as("admin")
    response = upload(client, data)
    assert response.status_code == 200
    assert 'data-testid="import-problems"' in response.get_data(as_text=True) \
        or "Choose a CSV file" in response.get_data(as_text=True)


def test_an_import_without_a_file_asks_for_one(client, db, login_as):
    login_as("admin")
    response = client.post("/review/indicators/import", data={},
                           content_type="multipart/form-data")
    assert response.status_code == 200
    assert "Choose a CSV file" in response.get_data(as_text=True)


def test_in_indonesian_the_figures_read_80_87_ha_and_90_5_percent(client, db, login_as):
    seed_pasuruan(db)
    login_as("reviewer", regions=[PASURUAN])
    with client.session_transaction() as session:
        session["locale"] = "id"
    html = client.get("/review/indicators/35.75").get_data(as_text=True)
    assert "80,87 ha" in html and "27,99 ha" in html and "90,5%" in html
    assert "33,85 ha (baseline dikurangi tertangani)" in html
    assert "Pemantauan 100-0-100" in html and 'data-testid="nav-indicators"' in html
    baseline_id = db.session.scalar(select(RegionIndicator.id).where(
        RegionIndicator.kind == K.SLUM_BASELINE_HA))
    edit = client.get(f"/review/indicators/figures/{baseline_id}/edit")
    assert 'value="80,87"' in edit.get_data(as_text=True)
