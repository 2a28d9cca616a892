"""The outcomes overview is rendered once per change (services/fragments.py): every edit shows
on the next view, viewers with other permissions never get each other's page, and the items
carried over from earlier rounds are bounded with the rest on their own page."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from kotaku_collab.models import CommitmentStatus, User, WorkshopStatus
from kotaku_collab.services import fragments
from kotaku_collab.services.minutes import CARRY_OVER_SHOWN, MinutesInput, save_minutes
from kotaku_collab.services.outcomes import IssueInput, record_strategic_issue
from tests import factories

UTC = timezone.utc


@pytest.fixture(autouse=True)
def english(client):
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"


@pytest.fixture(autouse=True)
def empty_cache():
    fragments.clear()
    yield
    fragments.clear()


@pytest.fixture
def workshop(db):
    return factories.make_workshop("51.05", status=WorkshopStatus.HELD,
                                   starts_at=datetime(2019, 10, 29, 0, 30, tzinfo=UTC),
                                   title="Lokakarya KOTAKU Klungkung 2019")


@pytest.fixture
def earlier(db, workshop):
    return factories.make_workshop("51.05", status=WorkshopStatus.FINALISED,
                                   starts_at=workshop.starts_at - timedelta(days=365),
                                   title="Lokakarya KOTAKU Klungkung 2018")


def view(client, db, workshop_id: int) -> tuple[str, int]:
    """The overview's HTML and statement count, as from a fresh request."""
    db.session.commit()
    db.session.expire_all()
    response = client.get(f"/workshops/{workshop_id}/outcomes")
    assert response.status_code == 200
    return response.get_data(as_text=True), int(response.headers["X-Query-Count"])


def test_a_repeat_view_reads_only_the_version_tokens(client, login_as, db, workshop, earlier):
    factories.make_issue(workshop, title="Drainase Semarapura")
    factories.make_commitment(workshop=earlier, title="TPS3R Lembongan")
    login_as("organiser", regions=["51.05"])
    first, first_count = view(client, db, workshop.id)
    again, again_count = view(client, db, workshop.id)
    assert "Drainase Semarapura" in again and "TPS3R Lembongan" in again
    assert again_count < first_count


def test_every_edit_shows_on_the_next_view(client, login_as, db, workshop, earlier):
    organiser = login_as("organiser", regions=["51.05"])
    running = factories.make_commitment(workshop=earlier, title="TPS3R Lembongan",
                                        status=CommitmentStatus.DIANGGARKAN)
    html, _ = view(client, db, workshop.id)
    assert "TPS3R Lembongan" in html and 'data-testid="minutes-status"' not in html

    response = client.post(f"/manage/workshops/{workshop.id}/outcomes/issues/new",
                           data={"title": "Persampahan Lembongan", "aspects": ["persampahan"],
                                 "priority": "1"})
    assert response.status_code == 302
    html, _ = view(client, db, workshop.id)
    assert "Persampahan Lembongan" in html

    save_minutes(db.session, workshop, organiser, MinutesInput(opened_by="Wakil Bupati"))
    running.status = CommitmentStatus.SELESAI
    html, _ = view(client, db, workshop.id)
    assert 'data-testid="minutes-status"' in html
    assert "TPS3R Lembongan" not in html  # finished: no longer carried over


def test_editors_and_readers_never_get_each_others_page(client, login_as, db, workshop):
    factories.make_issue(workshop, title="Drainase Semarapura")
    login_as("organiser", regions=["51.05"])
    editor, _ = view(client, db, workshop.id)
    login_as("reviewer", regions=["51.05"])
    reader, _ = view(client, db, workshop.id)
    login_as("organiser", regions=["51.05"])
    editor_again, _ = view(client, db, workshop.id)
    assert 'data-testid="add-issue"' in editor and 'data-testid="finalise-checklist"' in editor
    assert 'data-testid="add-issue"' not in reader
    assert 'data-testid="finalise-checklist"' not in reader
    assert "Drainase Semarapura" in reader
    assert 'data-testid="add-issue"' in editor_again


def test_an_amendment_shows_who_made_it_even_after_a_rename(client, login_as, db, workshop):
    organiser = login_as("organiser", regions=["51.05"], name="Ni Luh Putu")
    workshop.status = WorkshopStatus.FINALISED
    record_strategic_issue(db.session, workshop, organiser,
                           IssueInput(title="Air minum Nusa Penida", aspects=["air_minum"]),
                           reason="Ditambahkan sesuai notulen")
    html, _ = view(client, db, workshop.id)
    assert "Ditambahkan sesuai notulen" in html and "Ni Luh Putu" in html
    # Users are not versioned (logins write to them): their names are part of the key.
    db.session.get(User, organiser.id).name = "Ni Luh Putu Ayu"
    html, _ = view(client, db, workshop.id)
    assert "Ni Luh Putu Ayu" in html


def test_carry_over_shows_the_newest_round_first_and_links_to_the_rest(client, login_as, db,
                                                                       workshop, earlier):
    oldest = factories.make_workshop("51.05", status=WorkshopStatus.FINALISED,
                                     starts_at=earlier.starts_at - timedelta(days=365))
    for n in range(CARRY_OVER_SHOWN):
        factories.make_commitment(workshop=earlier, title=f"Komitmen baru {n}")
    for n in range(5):
        factories.make_commitment(workshop=oldest, title=f"Komitmen lama {n}")
    login_as("stakeholder", organisation=factories.make_organisation(region_code="51.05"))
    html, _ = view(client, db, workshop.id)
    total = CARRY_OVER_SHOWN + 5
    assert f"{CARRY_OVER_SHOWN} of {total} shown." in html
    assert "Komitmen baru 0" in html and "Komitmen lama" not in html
    link = f'href="/workshops/{workshop.id}/outcomes/carry-over"'
    assert link in html

    response = client.get(f"/workshops/{workshop.id}/outcomes/carry-over")
    assert response.status_code == 200
    full = response.get_data(as_text=True)
    assert full.count("Komitmen baru ") == CARRY_OVER_SHOWN and full.count("Komitmen lama ") == 5
    assert "shown." not in full and link not in full


def test_carry_over_page_of_a_first_round_says_there_is_nothing(client, login_as, db,
                                                                workshop):
    login_as("reviewer", regions=["51.05"])
    response = client.get(f"/workshops/{workshop.id}/outcomes/carry-over")
    assert response.status_code == 200
    assert 'data-testid="carry-over"' not in response.get_data(as_text=True)
