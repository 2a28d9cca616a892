"""A stakeholder adds a commitment linked to a strategic issue and reports progress with a PDF;
a Bappeda reviewer verifies the report."""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from kotaku_collab.models import (Commitment, CommitmentStatus, EvidenceFile, Role, Sector,
                                  VerificationDecision)
from tests import factories

from .conftest import log_in, log_out

pytestmark = pytest.mark.e2e

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << >>\n%%EOF\n"
ISSUE = "Drainase tersumbat di Semarapura Kaja"
TITLE = "Normalisasi saluran drainase 1.200 m"


def test_stakeholder_reports_progress_and_reviewer_verifies(page, db, live_app, tmp_path,
                                                            monkeypatch):
    monkeypatch.setitem(live_app.config, "EVIDENCE_UPLOAD_DIR", str(tmp_path / "uploads"))
    org = factories.make_organisation("Dinas PUPRPKP Klungkung", sector=Sector.PEMERINTAH)
    factories.make_user(Role.STAKEHOLDER, email="pupr@example.test", organisation=org)
    factories.make_user(Role.REVIEWER, email="bappeda@example.test", regions=["51.05"])
    workshop = factories.make_workshop(
        "51.05", title="Lokakarya Kolaborasi Klungkung",
        starts_at=datetime.now(timezone.utc).replace(microsecond=0) - timedelta(days=10))
    issue = factories.make_issue(workshop, ISSUE)
    ids = {"workshop": str(workshop.id), "issue": str(issue.id)}
    db.session.commit()

    # 1. The stakeholder logs the commitment from the home page, linked to the issue.
    log_in(page, "pupr@example.test", factories.PASSWORD)
    page.get_by_test_id("new-commitment").click()
    form = page.locator("main form")
    form.locator("#title").fill(TITLE)
    form.locator("#workshop_id").select_option(ids["workshop"])
    form.locator("#issue_ids").select_option([ids["issue"]])
    form.locator("#amount_idr").fill("1.250.000.000")
    form.locator("#funding_source").select_option("apbd_kabkota")
    form.locator("#fiscal_year").fill("2031")
    form.locator("#submit").click()
    page.wait_for_url(re.compile(r"/commitments/\d+$"))
    commitment_url = page.url
    expect(page.get_by_test_id("commitment-title")).to_have_text(TITLE)
    expect(page.get_by_test_id("linked-issues")).to_contain_text(ISSUE)

    # 2. Progress with a PDF as evidence.
    progress = page.get_by_test_id("progress-form")
    progress.locator("#status").select_option("dilaksanakan")
    progress.locator("#percent_complete").fill("30")
    progress.locator("#narrative").fill("Galian saluran dimulai minggu ini.")
    progress.locator("#evidence").set_input_files(
        [{"name": "berita-acara.pdf", "mimeType": "application/pdf", "buffer": PDF}])
    progress.locator("[type=submit]").click()
    expect(page.get_by_test_id("evidence-link")).to_have_text("berita-acara.pdf")
    expect(page.get_by_test_id("updates")).to_contain_text("Galian saluran dimulai")
    log_out(page)

    # 3. The reviewer opens it and verifies the report.
    log_in(page, "bappeda@example.test", factories.PASSWORD)
    page.goto(commitment_url)
    verify = page.locator("form[data-testid^=verify-form-]")
    verify.locator("select").select_option("verified")
    verify.locator("[type=submit]").click()
    # The green badge is "verified" (the text depends on the language in use).
    expect(page.get_by_test_id("verification-state")).to_have_class(re.compile(r"text-bg-success"))

    db.session.rollback()
    commitment = db.session.scalars(select(Commitment)).one()
    assert commitment.status is CommitmentStatus.DILAKSANAKAN
    assert commitment.amount_idr == 1_250_000_000
    assert [i.title for i in commitment.issues] == [ISSUE]
    [update] = commitment.updates
    assert update.verification_state is VerificationDecision.VERIFIED
    evidence = db.session.scalars(select(EvidenceFile)).one()
    assert (tmp_path / "uploads" / evidence.stored_name).read_bytes() == PDF
