"""The commitment list's filter choices (bench/README.md "Fixes after the first run"): only the
workshops and organisations the scope and the chosen regency/city allow, capped, the selected
ones kept; and people found by e-mail whatever its case (stored lower-cased)."""

import re

import pytest
from sqlalchemy import select

from kotaku_collab.commitments import routes as commitment_routes
from kotaku_collab.models import Person
from kotaku_collab.services import commitments as commitment_service
from kotaku_collab.services.registration import find_or_create_by_email
from tests import factories


@pytest.fixture(autouse=True)
def english(client):
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"


def options(html: str, name: str) -> list[str]:
    select_html = re.search(rf'<select[^>]*name="{name}"[^>]*>(.*?)</select>', html, re.S).group(1)
    return re.findall(r"<option[^>]*>([^<]*)</option>", select_html)


@pytest.fixture
def two_regions(db):
    klungkung = factories.make_workshop("51.05", title="Lokakarya Klungkung")
    pasuruan = factories.make_workshop("35.75", title="Lokakarya Pasuruan")
    dinas = factories.make_organisation("Dinas Klungkung", region_code="51.05")
    pdam = factories.make_organisation("PDAM Pasuruan", region_code="35.75")
    factories.make_organisation("Tanpa Komitmen", region_code="51.05")
    factories.make_commitment(dinas, klungkung, title="Komitmen Klungkung")
    factories.make_commitment(pdam, pasuruan, title="Komitmen Pasuruan")
    db.session.commit()
    return {"dinas": dinas.id, "pdam": pdam.id}


def test_choices_follow_the_chosen_regency(client, login_as, two_regions):
    login_as("reviewer", regions=[], is_national=True)
    everything = client.get("/commitments/").get_data(as_text=True)
    assert sorted(options(everything, "workshop")) == ["All workshops", "Lokakarya Klungkung",
                                                       "Lokakarya Pasuruan"]
    # Organisations with commitments only, by name.
    assert options(everything, "organisation") == ["All organisations", "Dinas Klungkung",
                                                   "PDAM Pasuruan"]
    narrowed = client.get("/commitments/?region=35.75").get_data(as_text=True)
    assert options(narrowed, "workshop") == ["All workshops", "Lokakarya Pasuruan"]
    assert options(narrowed, "organisation") == ["All organisations", "PDAM Pasuruan"]
    assert "Komitmen Pasuruan" in narrowed and "Komitmen Klungkung" not in narrowed
    assert 'data-testid="choices-truncated"' not in narrowed


def test_a_regional_reviewer_is_offered_only_their_scope(client, login_as, two_regions):
    login_as("reviewer", regions=["51.05"])
    html = client.get(f"/commitments/?organisation={two_regions['pdam']}").get_data(as_text=True)
    assert options(html, "organisation") == ["All organisations", "Dinas Klungkung"]
    assert options(html, "workshop") == ["All workshops", "Lokakarya Klungkung"]
    # Another region's organisation is not a valid choice: the filter is ignored, not a 500.
    assert "Komitmen Pasuruan" not in html and "Komitmen Klungkung" in html
    assert "Organisation: Not a valid choice." in html


def test_choices_are_capped_and_the_selected_one_stays(client, login_as, db, monkeypatch):
    monkeypatch.setattr(commitment_service, "FILTER_CHOICES", 2)
    monkeypatch.setattr(commitment_routes, "FILTER_CHOICES", 2)
    workshop = factories.make_workshop("51.05")
    orgs = [factories.make_organisation(f"Organisasi {letter}") for letter in "ABC"]
    for org in orgs:
        factories.make_commitment(org, workshop, title=f"Komitmen {org.name}")
    db.session.commit()
    login_as("reviewer", regions=[], is_national=True)
    html = client.get("/commitments/").get_data(as_text=True)
    assert options(html, "organisation") == ["All organisations", "Organisasi A", "Organisasi B"]
    assert ("Only the first 2 workshops and organisations are listed: choose a regency/city "
            "to narrow them.") in html
    chosen = client.get(f"/commitments/?organisation={orgs[2].id}").get_data(as_text=True)
    assert options(chosen, "organisation") == ["All organisations", "Organisasi A",
                                               "Organisasi B", "Organisasi C"]
    assert re.search(rf'<option selected value="{orgs[2].id}">|<option value="{orgs[2].id}" '
                     r'selected>', chosen)
    assert "Komitmen Organisasi C" in chosen and "Komitmen Organisasi A" not in chosen


@pytest.mark.parametrize("query", ["?region=99.99", "?region=%27%3B--", "?workshop=-1",
                                   "?organisation=99999999999999999999", "?workshop=0"])
def test_bad_filter_values_are_no_500(client, login_as, two_regions, query):
    login_as("reviewer", regions=[], is_national=True)
    assert client.get("/commitments/" + query).status_code == 200


def test_people_are_found_by_email_whatever_its_case(db):
    person = factories.make_person("Wayan", email="Wayan.Sukra@Example.ORG")
    db.session.commit()
    assert person.email == "wayan.sukra@example.org"  # stored lower-cased
    found = find_or_create_by_email(name="W. Sukra", email="WAYAN.SUKRA@example.org")(db.session)
    assert found.id == person.id
    assert db.session.scalar(select(Person.email).where(Person.id == person.id)) \
        == "wayan.sukra@example.org"
