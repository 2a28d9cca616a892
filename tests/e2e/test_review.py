"""A Bappeda reviewer filters the dashboard to Kota Pasuruan, reads the 100-0-100 trend, opens
an overdue commitment, verifies its progress update and downloads the XLSX workbook."""

from __future__ import annotations

import re
from datetime import date, datetime, timezone
from decimal import Decimal

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect
from sqlalchemy import select

from kotaku_collab.models import (CommitmentStatus, CommitmentUpdate, IndicatorKind,
                                  RegionIndicator, Role, Sector, VerificationDecision)
from tests import factories

from .conftest import log_in

pytestmark = pytest.mark.e2e

PASURUAN_TITLE = "Perluasan jaringan SR PDAM Kelurahan Gadingrejo"
KLUNGKUNG_TITLE = "Normalisasi drainase Semarapura Kaja"
SOURCE = "SK Wali Kota Pasuruan (contoh)"


@pytest.fixture
def review_world(db):
    factories.make_user(Role.REVIEWER, email="bappeda@example.test", regions=["51.05", "35.75"],
                        name="Bappeda Jawa Timur–Bali")
    pasuruan = factories.make_workshop(
        "35.75", title="Lokakarya Kolaborasi Kota Pasuruan",
        starts_at=datetime(2019, 11, 5, 1, 0, tzinfo=timezone.utc))
    klungkung = factories.make_workshop(
        "51.05", title="Lokakarya Kolaborasi Klungkung",
        starts_at=datetime(2019, 10, 29, 1, 0, tzinfo=timezone.utc))
    pdam = factories.make_organisation("PDAM Kota Pasuruan", sector=Sector.DUNIA_USAHA,
                                       region_code="35.75")
    pupr = factories.make_organisation("Dinas PUPR Klungkung", region_code="51.05")
    overdue = factories.make_commitment(pdam, pasuruan, title=PASURUAN_TITLE,
                                        target_date=date(2020, 9, 30), amount_idr=450_000_000,
                                        status=CommitmentStatus.DILAKSANAKAN,
                                        percent_complete=40)
    factories.make_commitment(pupr, klungkung, title=KLUNGKUNG_TITLE,
                              target_date=date(2020, 6, 30))
    db.session.add(CommitmentUpdate(commitment_id=overdue.id, reported_on=date(2020, 8, 1),
                                    status=CommitmentStatus.DILAKSANAKAN, percent_complete=40,
                                    narrative="Pemasangan pipa distribusi 40%."))
    for year, kind, value in ((2015, IndicatorKind.SLUM_BASELINE_HA, "80.87"),
                              (2018, IndicatorKind.SLUM_REDUCED_HA, "47.02"),
                              (2020, IndicatorKind.SLUM_REMAINING_HA, "27.99")):
        db.session.add(RegionIndicator(region_code="35.75", year=year, kind=kind,
                                       value=Decimal(value), source=SOURCE))
    db.session.commit()
    return {"commitment_id": overdue.id}


def test_reviewer_filters_reads_trend_verifies_and_exports(page, db, review_world, tmp_path):
    log_in(page, "bappeda@example.test", factories.PASSWORD)

    # 1. The dashboard from the navigation bar, then filtered to Kota Pasuruan.
    page.locator("nav a[href$='/review/']").click()
    expect(page.get_by_test_id("review-heading")).to_be_visible()
    expect(page.get_by_test_id("overdue-table")).to_contain_text(KLUNGKUNG_TITLE)
    filters = page.get_by_test_id("review-filters")
    filters.locator("#kabkota").select_option("35.75")
    filters.locator("[type=submit]").click()
    page.wait_for_url(re.compile(r"kabkota=35\.75"))
    overdue = page.get_by_test_id("overdue-table")
    expect(overdue).to_contain_text(PASURUAN_TITLE)
    expect(overdue).not_to_contain_text(KLUNGKUNG_TITLE)
    # Charts are server-side SVG images, each with its table of numbers.
    assert page.locator("img[src^='data:image/svg+xml']").count() > 0
    dashboard_url = page.url

    # 2. The 100-0-100 trend of the city: the slum figures with their source.
    page.get_by_test_id("indicators-link").click()
    slum = page.get_by_test_id("slum-trend")
    expect(slum.locator("img[src^='data:image/svg+xml']")).to_be_visible()
    for figure in ("80,87", "47,02", "27,99"):
        expect(page.get_by_test_id("figures")).to_contain_text(figure)
    expect(page.get_by_test_id("figures")).to_contain_text(SOURCE)

    # 3. Back on the dashboard: open the overdue commitment and verify its update.
    page.goto(dashboard_url)
    page.get_by_test_id("overdue-table").get_by_role("link", name=PASURUAN_TITLE).click()
    page.wait_for_url(re.compile(rf"/commitments/{review_world['commitment_id']}$"))
    verify = page.locator("form[data-testid^=verify-form-]")
    verify.locator("select").select_option("verified")
    verify.locator("[type=submit]").click()
    expect(page.get_by_test_id("verification-state")).to_have_class(re.compile(r"text-bg-success"))
    db.session.rollback()
    update = db.session.scalars(select(CommitmentUpdate)).one()
    assert update.verification_state is VerificationDecision.VERIFIED

    # 4. The workbook of what is in view: Kota Pasuruan only.
    page.goto(dashboard_url)
    with page.expect_download() as download_info:
        page.get_by_test_id("export-xlsx").click()
    download = download_info.value
    assert download.suggested_filename.endswith(".xlsx")
    path = tmp_path / download.suggested_filename
    download.save_as(path)
    workbook = load_workbook(path, read_only=True)
    cells = {str(cell) for sheet in workbook.worksheets
             for row in sheet.iter_rows(values_only=True) for cell in row if cell is not None}
    workbook.close()
    assert PASURUAN_TITLE in cells
    assert KLUNGKUNG_TITLE not in cells
