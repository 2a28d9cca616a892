"""Each role logs in through the real form, lands on its home page, switches language and logs out."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from kotaku_collab.extensions import db as _db
from kotaku_collab.i18n import format_long_date
from kotaku_collab.models import Role, Sector, User
from tests import factories

from .conftest import foreign_hosts, log_in, log_out

pytestmark = pytest.mark.e2e

WORKSHOP_TITLE = "Lokakarya Kolaborasi Kabupaten Klungkung"
ORGANISATION_NAME = "Yayasan Bali Bersih"

#: role → (English heading, a text only that role's home page shows, whatever the language)
HOMES = {
    Role.ADMIN: ("Administration", None),
    Role.ORGANISER: ("Pokja PKP secretariat", "Kabupaten Klungkung"),
    Role.STAKEHOLDER: (ORGANISATION_NAME, ORGANISATION_NAME),
    Role.REVIEWER: ("Bappeda review", "Kabupaten Klungkung"),
}


def seed_user_and_workshop(db, role: Role) -> dict:
    """A user of `role` scoped to Klungkung and a published Klungkung workshop; committed, so
    the server thread sees them. Returns plain values (no ORM objects cross into the browser part)."""
    organisation = None
    if role is Role.STAKEHOLDER:
        organisation = factories.make_organisation(ORGANISATION_NAME, sector=Sector.MASYARAKAT)
    user = factories.make_user(role, email=f"{role.value}@example.test", regions=["51.05"],
                               organisation=organisation, name=f"Uji {role.value}")
    workshop = factories.make_workshop("51.05", title=WORKSHOP_TITLE)
    seeded = {
        "user_id": user.id,
        "email": user.email,
        "date_id": format_long_date(workshop.starts_at, workshop.region.timezone, locale="id"),
        "date_en": format_long_date(workshop.starts_at, workshop.region.timezone, locale="en"),
    }
    db.session.commit()
    return seeded


@pytest.mark.parametrize("role", list(HOMES), ids=lambda r: r.value)
def test_role_logs_in_switches_language_and_logs_out(page, db, role):
    seeded = seed_user_and_workshop(db, role)
    heading_en, own_text = HOMES[role]
    html = page.locator("html")
    heading = page.get_by_test_id("home-heading")

    log_in(page, seeded["email"], factories.PASSWORD)

    # Home page in Indonesian, the default for a browser asking for Indonesian.
    expect(html).to_have_attribute("lang", "id")
    expect(heading).to_be_visible()
    expect(page.get_by_test_id("current-user")).to_contain_text(f"Uji {role.value}")
    expect(page.get_by_role("link", name=WORKSHOP_TITLE)).to_be_visible()
    expect(page.get_by_text(seeded["date_id"])).to_be_visible()
    if own_text:
        expect(page.locator("main")).to_contain_text(own_text)
    if role is Role.ADMIN:
        expect(page.locator("main a[href='/admin/users']")).to_be_visible()
    else:
        expect(page.locator("a[href='/admin/users']")).to_have_count(0)
    expect(page.get_by_test_id("lang-id")).to_have_attribute("aria-current", "true")

    # Switch to English: the page language, the headings and Babel's dates all change.
    page.get_by_test_id("lang-en").click()
    expect(html).to_have_attribute("lang", "en")
    expect(page.get_by_test_id("lang-en")).to_have_attribute("aria-current", "true")
    expect(heading).to_have_text(heading_en)
    expect(page.get_by_text(seeded["date_en"])).to_be_visible()
    expect(page.get_by_text(seeded["date_id"])).to_have_count(0)
    expect(page.get_by_role("button", name="Log out")).to_be_visible()

    # The choice is remembered on the next page ...
    page.goto("/workshops/")
    expect(html).to_have_attribute("lang", "en")

    # ... and stored on the account: after logging out the browser's language applies again,
    # and logging back in restores English.
    log_out(page)
    expect(html).to_have_attribute("lang", "id")
    db.session.rollback()  # read the server's commits in a fresh transaction
    assert _db.session.get(User, seeded["user_id"]).locale == "en"
    db.session.rollback()

    log_in(page, seeded["email"], factories.PASSWORD)
    expect(html).to_have_attribute("lang", "en")
    expect(heading).to_have_text(heading_en)

    log_out(page)
    expect(page).to_have_url(re.compile(r"/login$"))
    page.goto("/home")
    expect(page).to_have_url(re.compile(r"/login\?next=%2Fhome$"))


PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}


@pytest.mark.parametrize("browser_context_args", [PHONE], ids=["phone"])
def test_navbar_collapses_on_a_phone_and_the_toggler_opens_it(page, db):
    organisation = factories.make_organisation("Dinas PUPR Klungkung")
    user = factories.make_user(Role.STAKEHOLDER, email="hp@example.test", organisation=organisation)
    email = user.email
    db.session.commit()

    log_in(page, email, factories.PASSWORD)
    menu = page.locator("#nav")
    toggler = page.locator("button.navbar-toggler")
    log_out_button = page.locator("form[action$='/logout'] button")

    expect(toggler).to_be_visible()
    expect(menu).to_be_hidden()
    expect(log_out_button).to_be_hidden()

    toggler.click()
    expect(menu).to_have_class(re.compile(r"(^| )show( |$)"))  # opened, not still sliding
    expect(menu).to_be_visible()
    expect(toggler).to_have_attribute("aria-expanded", "true")
    expect(log_out_button).to_be_visible()
    expect(page.get_by_test_id("lang-en")).to_be_visible()

    # Bootstrap's CSS and JS come from this server, and nothing else was fetched from elsewhere.
    assert any("/bootstrap/" in url and url.endswith(".js") for url in page.requested_urls)
    assert foreign_hosts(page.requested_urls) == set()

    toggler.click()
    expect(menu).to_be_hidden()
