"""A person self-registers on a phone, an organiser checks them in on a phone, finds them in the
participant list (directory suggestions while typing, under the CSP) and downloads the daftar
hadir, whose text holds the person's name."""

from __future__ import annotations

import io
import re

import pytest
from flask_babel import force_locale
from playwright.sync_api import expect
from pypdf import PdfReader
from sqlalchemy import select

from kotaku_collab.models import AttendanceStatus, Registration, RegistrationStatus, Role
from tests import factories

from .conftest import foreign_hosts, log_in

pytestmark = pytest.mark.e2e

PHONE_VIEWPORT = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}
NAME = "Ni Luh Putu Sekar Ayu"
ORGANISATION = "BKM Semarapura Kaja"


@pytest.fixture
def browser_context_args():
    return PHONE_VIEWPORT


def test_self_registration_check_in_and_daftar_hadir(page, db):
    organiser = factories.make_user(Role.ORGANISER, email="pokja@example.test", regions=["51.05"])
    workshop = factories.make_workshop("51.05", title="Lokakarya Kolaborasi Klungkung",
                                       capacity=40)
    code, workshop_id, email = workshop.code, workshop.id, organiser.email
    with force_locale("id"):
        present = str(AttendanceStatus.HADIR.label)
    db.session.commit()
    csp_errors = []
    page.on("console", lambda message: csp_errors.append(message.text)
            if "Content Security Policy" in message.text else None)

    # 1. Self-registration on a phone-sized screen.
    page.goto(f"/w/{code}/register")
    form = page.get_by_test_id("registration-form")
    form.locator("#name").fill(NAME)
    form.locator("#organisation").fill(ORGANISATION)
    form.locator("#sector").select_option("masyarakat")
    form.locator("#position").fill("Koordinator BKM")
    form.locator("#phone").fill("0812 3456 7890")
    form.locator("#email").fill("sekar@example.org")
    form.locator("input[name=gender][value=P]").check()
    form.locator("#consent").check()
    form.locator("#submit").click()
    expect(page.get_by_test_id("registration-confirmed")).to_be_visible()
    registration_code = page.get_by_test_id("registration-code").inner_text().strip()
    assert re.fullmatch(r"[0-9A-F]{8}", registration_code)

    # 2. The organiser logs in on the phone and checks the person in.
    log_in(page, email, factories.PASSWORD)
    page.goto(f"/manage/workshops/{workshop_id}/checkin")
    search = page.get_by_test_id("checkin-search")
    search.locator("#q").fill("semarapura")
    search.locator("button[type=submit]").click()
    card = page.get_by_test_id(f"checkin-{registration_code}")
    expect(card).to_contain_text(NAME)
    hadir = page.get_by_test_id(f"hadir-{registration_code}")
    box = hadir.bounding_box()
    assert box is not None and box["x"] + box["width"] <= 390  # fits the phone's width
    hadir.click()
    expect(page.get_by_test_id(f"attendance-{registration_code}")).to_have_text(present)
    db.session.expire_all()
    registration = db.session.scalars(select(Registration).where(
        Registration.code == registration_code)).one()
    assert registration.attendance is AttendanceStatus.HADIR
    assert registration.status is RegistrationStatus.CONFIRMED
    db.session.rollback()

    # 3. The participant list suggests directory entries while typing (script under the CSP).
    page.goto(f"/manage/workshops/{workshop_id}/participants")
    expect(page.get_by_test_id(f"registration-{registration_code}")).to_contain_text(NAME)
    page.locator("#find").press_sequentially("Sekar", delay=30)
    expect(page.locator("#people-suggestions option")).to_have_count(1)
    expect(page.locator("#people-suggestions option")).to_have_attribute("value", NAME)

    # 4. The daftar hadir, downloaded from the workshop page.
    page.goto(f"/workshops/{workshop_id}")
    with page.expect_download() as download_info:
        page.get_by_test_id("daftar-hadir-link").click()
    download = download_info.value
    assert download.suggested_filename == f"daftar-hadir-{code}.pdf"
    with open(download.path(), "rb") as handle:
        reader = PdfReader(io.BytesIO(handle.read()))
    text = "\n".join(p.extract_text() for p in reader.pages)
    assert NAME in text and ORGANISATION in text

    assert csp_errors == []
    assert foreign_hosts(page.requested_urls) == set()
