"""The review dashboard's cached fragment (services/fragments.py): a repeat view is reused, a
change to any dashboard table shows on the next view, and viewers with another scope, other
export rights or other filters never get each other's HTML."""

from __future__ import annotations

import pytest

from kotaku_collab.database import count_queries
from kotaku_collab.models import Region
from kotaku_collab.services import fragments, review
from tests import factories
from tests.services.test_review import TODAY, seed_world


@pytest.fixture(autouse=True)
def fixed_today(monkeypatch):
    monkeypatch.setattr("kotaku_collab.review.routes._today", lambda: TODAY)


@pytest.fixture
def world(db, client):
    fragments.clear()
    world = seed_world()
    db.session.commit()
    client.post("/language", data={"locale": "en"})
    yield world
    fragments.clear()


@pytest.fixture
def computations(monkeypatch):
    """How many times the figures were computed (a fragment miss with a figures-cache miss)."""
    calls = []
    real = review.dashboard_data
    monkeypatch.setattr(review, "dashboard_data", lambda *a: calls.append(1) or real(*a))
    return calls


def _view(client, path="/review/") -> str:
    """The page's <main> (the layout around it holds a CSRF token that changes every second)."""
    response = client.get(path)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    return html[html.index('<main id="main"'):html.index("</main>")]


def test_a_repeat_view_reuses_the_fragment_and_loads_nothing(client, login_as, world, db,
                                                             computations):
    login_as("reviewer", regions=["51.05"])
    first = _view(client)
    with count_queries() as statements:
        again = _view(client)
    assert again == first and len(computations) == 1
    # Loading the user and their regions, and the fragment's version tokens: nothing else.
    assert statements() <= 3


@pytest.mark.parametrize("change", ["commitment", "region"])
def test_a_change_to_a_dashboard_table_shows_on_the_next_view(client, login_as, world, db,
                                                               change):
    login_as("reviewer", regions=["51.05"])
    assert 'data-testid="stat-commitments">6<' in _view(client)
    if change == "commitment":
        factories.make_commitment(world.gov, world.w1, title="Komitmen baru")
        expected = 'data-testid="stat-commitments">7<'
    else:  # the filter form's region names come from the same fragment
        db.session.get(Region, "51.05").name = "Kabupaten Klungkung (baru)"
        expected = "Kabupaten Klungkung (baru)"
    db.session.commit()
    assert expected in _view(client)


def test_other_scopes_do_not_share_the_fragment(client, login_as, world, db):
    login_as("reviewer", regions=["51.05"])
    klungkung = _view(client)
    assert "Lokakarya Pasuruan" not in klungkung
    login_as("reviewer", regions=[], is_national=True)
    national = _view(client)
    assert national != klungkung
    assert 'data-testid="stat-commitments">7<' in national  # Pasuruan's one counts too
    login_as("reviewer", regions=["51.05"])
    assert _view(client) == klungkung


def test_viewers_who_may_not_export_get_no_export_links(client, login_as, world, monkeypatch):
    from kotaku_collab import permissions

    login_as("admin")
    assert 'data-testid="dashboard-pdf"' in _view(client)
    # Same (national) scope, no export right: another fragment, without the links.
    monkeypatch.setitem(permissions.RULES, "review.export",
                        lambda user, obj: user.role.value == "admin")
    login_as("reviewer", regions=[], is_national=True)
    assert 'data-testid="dashboard-pdf"' not in _view(client)


def test_filters_and_the_form_values_are_part_of_the_key(client, login_as, world, db):
    login_as("reviewer", regions=["51.05"])
    everything = _view(client)
    narrowed = _view(client, "/review/?start=2030-05-01")
    assert narrowed != everything
    assert 'value="2030-05-01"' in narrowed and 'value="2030-05-01"' not in everything
    bad = _view(client, "/review/?start=2030-13-01")
    assert 'data-testid="filter-errors"' in bad and 'value="2030-13-01"' in bad
    assert _view(client) == everything

