"""Query budgets: the main pages not covered elsewhere run the same number of SQL statements on a
small dataset and on ten times as much.

Already covered next to their features (not repeated here): the workshop list and detail
(tests/routes/test_workshops.py), the participant list with 1 and 40 rows
(tests/routes/test_participants.py), the outcomes overview (tests/routes/test_outcomes.py), the
unfiltered commitment lists and the commitment detail (tests/routes/test_commitments.py), the
reviewer dashboard for a kab/kota reviewer (tests/routes/test_review.py) and every API list
(tests/routes/test_api.py).
"""

from datetime import datetime, timedelta, timezone

import pytest

from kotaku_collab.models import (AgendaItem, CommitmentStatus, Organisation, OrganiserRole, SessionType, Sector,
                                  Workshop, WorkshopOrganiser, WorkshopStatus)
from tests import factories

NOW = datetime.now(timezone.utc).replace(microsecond=0)


def statements(client, db, path: str, expect: int = 200) -> int:
    """The X-Query-Count of one request, made as from a fresh session."""
    db.session.commit()
    db.session.expunge_all()
    response = client.get(path)
    assert response.status_code == expect, path
    return int(response.headers["X-Query-Count"])


# --- Public pages --------------------------------------------------------------------------------


def _grow_programme(workshop, n: int) -> None:
    """n more agenda items (two speakers and a moderator each) and n more organising bodies."""
    start = workshop.starts_at + timedelta(minutes=30 * len(workshop.agenda_items))
    for i in range(n):
        item = AgendaItem(workshop=workshop, position=len(workshop.agenda_items),
                          starts_at=start + timedelta(minutes=30 * i),
                          ends_at=start + timedelta(minutes=30 * i + 25),
                          title=f"Sesi {len(workshop.agenda_items) + 1}",
                          session_type=SessionType.PAPARAN,
                          moderator=factories.make_person(), speakers=[factories.make_person(),
                                                                        factories.make_person()])
        workshop.agenda_items.append(item)
        workshop.organisers.append(WorkshopOrganiser(organisation=factories.make_organisation(),
                                                     role=OrganiserRole.FASILITATOR))


def test_public_workshop_page_statements_do_not_grow_with_the_programme(client, db):
    workshop = factories.make_workshop(starts_at=NOW + timedelta(days=20), hours=8)
    path, workshop_id = f"/w/{workshop.code}", workshop.id
    _grow_programme(workshop, 1)
    small = statements(client, db, path)
    _grow_programme(db.session.get(Workshop, workshop_id), 9)
    large = statements(client, db, path)
    assert large == small
    html = client.get(path).get_data(as_text=True)
    assert "Sesi 10" in html


def test_public_registration_form_statements_do_not_grow_with_the_registrations(client, db):
    workshop = factories.make_workshop(starts_at=NOW + timedelta(days=20), capacity=100)
    path, workshop_id = f"/w/{workshop.code}/register", workshop.id
    factories.make_registration(workshop)
    small = statements(client, db, path)
    workshop = db.session.get(Workshop, workshop_id)
    for _ in range(9):
        factories.make_registration(workshop)
    assert statements(client, db, path) == small


def test_region_calendar_feed_statements_do_not_grow_with_the_workshops(client, db):
    factories.make_workshop(starts_at=NOW + timedelta(days=5))
    small = statements(client, db, "/calendar/51.05.ics")
    for i in range(9):
        factories.make_workshop(starts_at=NOW + timedelta(days=6 + i))
    assert statements(client, db, "/calendar/51.05.ics") == small


# --- Signed-in pages ---------------------------------------------------------------------------


def _commitments(n: int, workshop, pemerintah, swasta) -> None:
    """n commitments matching the filter below, and as many that do not."""
    for i in range(n):
        factories.make_commitment(pemerintah, workshop, status=CommitmentStatus.DILAKSANAKAN,
                                  title=f"Cocok {i}")
        factories.make_commitment(swasta, workshop, status=CommitmentStatus.DILAKSANAKAN,
                                  title=f"Lain {i}")


def test_filtered_commitment_list_statements_do_not_grow(client, db, login_as):
    workshop = factories.make_workshop(status=WorkshopStatus.HELD,
                                       starts_at=NOW - timedelta(days=30))
    pemerintah = factories.make_organisation(sector=Sector.PEMERINTAH)
    swasta = factories.make_organisation(sector=Sector.DUNIA_USAHA)
    ids = (workshop.id, pemerintah.id, swasta.id)
    login_as("reviewer", regions=[], is_national=True)
    path = "/commitments/?status=dilaksanakan&sector=pemerintah&region=51.05"
    _commitments(1, workshop, pemerintah, swasta)
    small = statements(client, db, path)
    _commitments(9, db.session.get(Workshop, ids[0]), db.session.get(Organisation, ids[1]),
                 db.session.get(Organisation, ids[2]))
    assert statements(client, db, path) == small
    html = client.get(path).get_data(as_text=True)
    assert html.count("Cocok ") == 10, html[html.find("<main"):][:3000]
    assert "Lain 0" not in html


def _held_round(n: int) -> None:
    """n held workshops in Klungkung with a registration, an issue and a commitment each."""
    for i in range(n):
        workshop = factories.make_workshop(status=WorkshopStatus.HELD,
                                           starts_at=NOW - timedelta(days=40 + i))
        factories.make_registration(workshop)
        issue = factories.make_issue(workshop, agreed=True)
        factories.make_commitment(workshop=workshop, status=CommitmentStatus.DISEPAKATI).issues = [issue]
        factories.make_mechanism(workshop)


def test_national_dashboard_for_one_kabkota_statements_do_not_grow_and_repeat_views_are_cheaper(
        app, client, db, login_as):
    if "review.dashboard" not in app.view_functions:
        pytest.fail("the reviewer dashboard (review.dashboard) is missing")
    login_as("reviewer", regions=[], is_national=True)
    path = "/review/?kabkota=51.05"
    _held_round(1)
    small = statements(client, db, path)
    repeat = statements(client, db, path)
    _held_round(9)
    large = statements(client, db, path)
    assert large == small
    # Nothing changed between two views: the second reads one token query instead of the panels.
    assert repeat < small
