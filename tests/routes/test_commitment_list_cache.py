"""The commitment list is a cached fragment (templates/fragments/commitments/list.html): a repeat
view reads only the version tokens, a change to anything it shows appears on the next view, and
viewers with another scope or organisation never get each other's list."""

import pytest

from kotaku_collab.models import (Commitment, CommitmentStatus, Organisation, Region, Role,
                                  Workshop)
from kotaku_collab.services import fragments
from kotaku_collab.services.commitments import (ProgressInput, local_today,
                                                post_progress_update)
from tests import factories


@pytest.fixture(autouse=True)
def english(client):
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    fragments.clear()
    yield
    fragments.clear()


@pytest.fixture
def two_regions(db):
    klungkung = factories.make_workshop("51.05", title="Lokakarya Klungkung")
    pasuruan = factories.make_workshop("35.75", title="Lokakarya Pasuruan")
    dinas = factories.make_organisation("Dinas Klungkung", region_code="51.05")
    pdam = factories.make_organisation("PDAM Pasuruan", region_code="35.75")
    klungkung_commitment = factories.make_commitment(dinas, klungkung, title="Komitmen Klungkung",
                                                     status=CommitmentStatus.DILAKSANAKAN)
    factories.make_commitment(pdam, pasuruan, title="Komitmen Pasuruan")
    db.session.commit()
    return {"commitment": klungkung_commitment.id, "dinas": dinas.id, "pdam": pdam.id,
            "workshop": klungkung.id}


def view(client, db, path="/commitments/"):
    db.session.commit()
    db.session.expunge_all()
    response = client.get(path)
    assert response.status_code == 200
    return response.get_data(as_text=True), int(response.headers["X-Query-Count"])


def test_a_repeat_view_reads_only_the_tokens(client, db, login_as, two_regions):
    login_as("reviewer", regions=[], is_national=True)
    first, first_statements = view(client, db)
    repeat, repeat_statements = view(client, db)
    assert repeat == first
    assert repeat_statements < first_statements


@pytest.mark.parametrize("change, shown", [
    (lambda db, ids: setattr(db.session.get(Commitment, ids["commitment"]), "title",
                             "Komitmen baru"), "Komitmen baru"),
    (lambda db, ids: setattr(db.session.get(Organisation, ids["dinas"]), "name",
                             "Dinas PUPR Klungkung"), "Dinas PUPR Klungkung"),
    (lambda db, ids: setattr(db.session.get(Workshop, ids["workshop"]), "title",
                             "Lokakarya Semarapura"), "Lokakarya Semarapura"),
    (lambda db, ids: setattr(db.session.get(Region, "51.05"), "name", "Kab. Klungkung Baru"),
     "Kab. Klungkung Baru"),
])
def test_a_change_to_what_the_list_shows_appears_on_the_next_view(client, db, login_as,
                                                                  two_regions, change, shown):
    login_as("reviewer", regions=[], is_national=True)
    before, _statements = view(client, db)
    assert shown not in before
    change(db, two_regions)
    after, _statements = view(client, db)
    assert shown in after


def test_a_new_progress_report_shows_as_awaiting_review(client, db, login_as, two_regions):
    login_as("reviewer", regions=[], is_national=True)
    before, _statements = view(client, db, "/commitments/?verification=pending")
    assert "Komitmen Klungkung" not in before
    organiser = factories.make_user(Role.ORGANISER, regions=["51.05"])
    commitment = db.session.get(Commitment, two_regions["commitment"])
    post_progress_update(db.session, organiser, commitment,
                         ProgressInput(reported_on=local_today(),
                                       status=CommitmentStatus.DILAKSANAKAN,
                                       percent_complete=60, narrative="Separuh jalan"),
                         local_today())
    after, _statements = view(client, db, "/commitments/?verification=pending")
    assert "Komitmen Klungkung" in after and "Awaiting review</span>" in after


def test_viewers_with_another_scope_do_not_share_the_list(client, db, login_as, two_regions):
    login_as("reviewer", regions=[], is_national=True)
    national, _statements = view(client, db)
    assert "Komitmen Pasuruan" in national and "Komitmen Klungkung" in national
    login_as("reviewer", regions=["51.05"])
    regional, _statements = view(client, db)
    assert "Komitmen Klungkung" in regional and "Komitmen Pasuruan" not in regional
    assert "Lokakarya Pasuruan" not in regional  # nor in the filter's choices
    login_as("stakeholder", organisation=db.session.get(Organisation, two_regions["pdam"]))
    own, _statements = view(client, db, "/commitments/mine")
    assert "Komitmen Pasuruan" in own and "Komitmen Klungkung" not in own
