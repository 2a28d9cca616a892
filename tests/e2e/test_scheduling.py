"""An organiser schedules a workshop with its agenda, publishes it, and the public page shows it
in the region's local time (WITA for Klungkung)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from kotaku_collab.models import Role
from tests import factories

from .conftest import log_in

pytestmark = pytest.mark.e2e

TITLE = "Lokakarya Kolaborasi Kabupaten Klungkung 2030"
AGENDA = [
    ("Pembukaan oleh Bupati", "pembukaan", "08:30", "09:00"),
    ("Paparan baseline kumuh", "paparan", "09:00", "10:30"),
    ("Diskusi kelompok isu strategis", "diskusi_kelompok", "10:30", "12:00"),
]


def test_organiser_schedules_publishes_and_public_page_shows_wita(page, db):
    factories.make_user(Role.ORGANISER, email="pokja@example.test", regions=["51.05"])
    db.session.commit()
    log_in(page, "pokja@example.test", factories.PASSWORD)

    # 1. The workshop, entered in Klungkung's own time.
    page.goto("/manage/workshops/new")
    form = page.locator("main form")
    form.locator("#title").fill(TITLE)
    form.locator("#region_code").select_option("51.05")
    form.locator("#venue").fill("Wantilan Pura Gelgel")
    form.locator("#starts_local").fill("2030-10-29T08:30")
    form.locator("#ends_local").fill("2030-10-29T15:00")
    form.locator("#capacity").fill("40")
    form.locator("#objectives").fill("Pemahaman bersama\nPemetaan isu strategis")
    form.locator("#submit").click()
    page.wait_for_url(re.compile(r"/workshops/\d+$"))
    workshop_id = int(page.url.rsplit("/", 1)[1])
    expect(page.locator("main")).to_contain_text("08.30–15.00 WITA")

    # 2. Three agenda items.
    page.goto(f"/manage/workshops/{workshop_id}/agenda")
    for title, session_type, start, end in AGENDA:
        form = page.locator("main form:has(#title)")
        form.locator("#title").fill(title)
        form.locator("#session_type").select_option(session_type)
        form.locator("#start").fill(start)
        form.locator("#end").fill(end)
        form.locator("#submit").click()
        expect(page.get_by_test_id("agenda-table")).to_contain_text(title)
    expect(page.get_by_test_id("agenda-table").locator("tbody tr")).to_have_count(3)

    # 3. Publish.
    page.goto(f"/workshops/{workshop_id}")
    page.get_by_test_id("to-published").click()
    expect(page.get_by_test_id("public-link")).to_be_visible()

    # 4. The public page, in the browser, in WITA with the agenda.
    page.get_by_test_id("public-link").click()
    page.wait_for_url(re.compile(r"/w/[A-Z0-9]+$"))
    expect(page.locator("h1")).to_have_text(TITLE)
    expect(page.get_by_test_id("public-date")).to_contain_text("Selasa, 29 Oktober 2030")
    expect(page.get_by_test_id("public-time")).to_have_text("08.30–15.00 WITA")
    agenda = page.get_by_test_id("public-agenda").locator("li")
    expect(agenda).to_have_count(3)
    for index, (title, _type, start, end) in enumerate(AGENDA):
        expect(agenda.nth(index)).to_contain_text(title)
        expect(agenda.nth(index)).to_contain_text(
            f"{start.replace(':', '.')}–{end.replace(':', '.')} WITA")
    expect(page.get_by_test_id("ics-link")).to_have_attribute("href", re.compile(r"\.ics$"))
