"""An organiser records three strategic issues and two coordination mechanisms, runs the vote
from two phones, closes it, finalises the workshop and downloads the berita acara, whose text
lists the issues in ranked order and opens with the date in words."""

from __future__ import annotations

import io
import re
from datetime import datetime, timezone

import pytest
from playwright.sync_api import expect
from pypdf import PdfReader
from sqlalchemy import select

from kotaku_collab.models import (AttendanceStatus, Role, StrategicIssue, WorkshopStatus)
from tests import factories

from .conftest import DEFAULT_TIMEOUT_MS, log_in

pytestmark = pytest.mark.e2e

UTC = timezone.utc
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True,
         "device_scale_factor": 2}
ISSUES = [
    ("Drainase dan jalan lingkungan Semarapura", ["drainase", "jalan_lingkungan"]),
    ("Persampahan Desa Lembongan", ["persampahan"]),
    ("Akses proteksi kebakaran di gang padat Lembongan", ["proteksi_kebakaran", "bangunan_gedung"]),
]
MECHANISMS = [
    ("rapat_pokja_pkp", "Rapat Pokja PKP Kabupaten Klungkung", "triwulanan"),
    ("berbagi_data", "Kelompok data Baperlitbang dan Tim KOTAKU", "bulanan"),
]


def test_issues_vote_from_two_phones_finalise_and_berita_acara(page, browser, live_server, db):
    factories.make_user(Role.ORGANISER, email="pokja@example.test", regions=["51.05"])
    lead = factories.make_organisation("Baperlitbang Kabupaten Klungkung")
    workshop = factories.make_workshop(
        "51.05", status=WorkshopStatus.HELD, title="Lokakarya KOTAKU Kabupaten Klungkung 2019",
        venue="Ruang rapat BPKPD Kabupaten Klungkung",
        starts_at=datetime(2019, 10, 29, 0, 30, tzinfo=UTC), hours=6.5)
    voters = [factories.make_registration(
        workshop, factories.make_person(name, organisation=factories.make_organisation()),
        attendance=AttendanceStatus.HADIR, checked_in_at=datetime.now(UTC))
        for name in ("Ni Luh Putu Ayu", "I Ketut Muka")]
    workshop_id, workshop_code, lead_id = workshop.id, workshop.code, lead.id
    codes = [v.code for v in voters]
    db.session.commit()

    log_in(page, "pokja@example.test", factories.PASSWORD)

    # 1. Three strategic issues.
    page.goto(f"/workshops/{workshop_id}")
    page.get_by_test_id("manage-outcomes").click()
    page.get_by_test_id("add-issue").click()
    for index, (title, aspects) in enumerate(ISSUES):
        form = page.get_by_test_id("issue-form")
        form.locator("#title").fill(title)
        form.locator("#aspects").select_option(aspects)
        form.locator("#priority").select_option("2")
        if index < len(ISSUES) - 1:
            form.get_by_test_id("save-and-add").click()
            expect(page.locator(".alert-success")).to_be_visible()
        else:
            form.locator("#submit").click()
    issues_table = page.get_by_test_id("issues-table")
    expect(issues_table.locator("tbody tr")).to_have_count(3)

    # 2. Two coordination mechanisms.
    for kind, name, cadence in MECHANISMS:
        page.get_by_test_id("add-mechanism").click()
        form = page.get_by_test_id("mechanism-form")
        form.locator("#type").select_option(kind)
        form.locator("#name").fill(name)
        form.locator("#cadence").select_option(cadence)
        form.locator("#lead_organisation_id").select_option(str(lead_id))
        form.locator("#submit").click()
        expect(page.get_by_test_id("mechanisms-table")).to_contain_text(name)
    expect(page.get_by_test_id("mechanisms-table").locator("tbody tr")).to_have_count(2)

    # 3. Open the vote with three votes each.
    page.get_by_test_id("nav-vote").click()
    page.locator("#votes_per_participant").fill("3")
    page.get_by_test_id("open-vote-form").locator("#submit").click()
    vote_url = page.get_by_test_id("vote-url").inner_text()
    assert vote_url.endswith(f"/v/{workshop_code}")

    ids = {issue.title: issue.id for issue in db.session.scalars(
        select(StrategicIssue).where(StrategicIssue.workshop_id == workshop_id))}
    db.session.rollback()
    drainase, sampah, kebakaran = (ids[title] for title, _ in ISSUES)

    # 4. Two participants vote on their phones: kebakaran 3+1, sampah 2, drainase 0.
    ballots = [(codes[0], {kebakaran: 3}), (codes[1], {sampah: 2, kebakaran: 1})]
    for code, votes in ballots:
        phone = browser.new_context(base_url=live_server, locale="id-ID", **PHONE)
        phone.set_default_timeout(DEFAULT_TIMEOUT_MS)
        try:
            screen = phone.new_page()
            screen.goto(vote_url)
            screen.locator("#code").fill(code.lower())
            screen.get_by_test_id("code-form").locator("#submit").click()
            screen.wait_for_url(re.compile(rf"/v/{workshop_code}/{code}$"))
            expect(screen.get_by_test_id("voter")).to_be_visible()
            for issue_id, count in votes.items():
                screen.locator(f"#issue_{issue_id}").fill(str(count))
            screen.get_by_test_id("ballot-form").locator("#submit").click()
            expect(screen.get_by_test_id("ballot-done")).to_be_visible()
            # The phone layout has no horizontal scrolling.
            assert screen.evaluate("document.documentElement.scrollWidth") <= 390
        finally:
            phone.close()

    # 5. The organiser sees both ballots and closes the vote.
    page.get_by_test_id("reload").click()
    expect(page.get_by_test_id("ballot-count")).to_contain_text("2")
    page.get_by_test_id("close-vote").click()
    expect(page.get_by_test_id("close-vote")).to_have_count(0)
    titles = page.get_by_test_id("ranking-title")
    expect(titles).to_have_text([ISSUES[2][0], ISSUES[1][0], ISSUES[0][0]])

    # 6. Minutes, then finalise.
    page.get_by_test_id("nav-minutes").click()
    form = page.get_by_test_id("minutes-form")
    form.locator("#opened_by").fill("I Made Kasta, Wakil Bupati Klungkung")
    form.locator("#discussion_summary").fill("Peserta memetakan dan memprioritaskan isu strategis.")
    form.locator("#signatories-0-name").fill("I Wayan Wasta")
    form.locator("#signatories-0-position").fill("Kepala Baperlitbang")
    form.locator("#submit").click()
    expect(page.get_by_test_id("finalise")).to_be_enabled()
    page.get_by_test_id("finalise").click()
    expect(page.get_by_test_id("locked")).to_be_visible()

    # 7. Download the berita acara and read it.
    href = page.get_by_test_id("berita-acara-pdf").get_attribute("href")
    response = page.request.get(f"{href}?download=1")
    assert response.ok and response.headers["content-type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(response.body()))
    text = " ".join(" ".join(p.extract_text() for p in reader.pages).split())
    positions = [text.index(title) for title in (ISSUES[2][0], ISSUES[1][0], ISSUES[0][0])]
    assert positions == sorted(positions)
    # The date in words (the suite runs without catalogues, so the frame around it is the
    # English msgid: "… Selasa, date dua puluh sembilan month Oktober year dua ribu …").
    words = [text.index(w) for w in ("Selasa", "dua puluh sembilan", "Oktober",
                                     "dua ribu sembilan belas", "Ruang rapat BPKPD")]
    assert words == sorted(words) and words[-1] < positions[0]
    for name, _kind in ((m[1], m[0]) for m in MECHANISMS):
        assert name in text
