"""The organisation registry and the people directory: access, forms, privacy, merges."""

import re

import pytest
from sqlalchemy import func, select

from kotaku_collab.models import AuditEvent, Organisation, Person, Registration, Role, Sector
from tests import factories

FULL_PHONE = "+6281234567890"


@pytest.fixture
def entries(db):
    """One organisation in Klungkung with one person, committed."""
    org = factories.make_organisation("Baperlitbang Kab. Klungkung", region_code="51.05")
    person = factories.make_person("I Wayan Wasta", organisation=org, position="Kepala",
                                   phone=FULL_PHONE, email="wayan@example.org")
    other = factories.make_organisation("Dinas Perkim Klungkung", region_code="51.05")
    db.session.commit()
    return {"org": org.id, "person": person.id, "other": other.id}


def _urls(ids):
    return {
        "organisations": "/manage/organisations/",
        "new_organisation": "/manage/organisations/new",
        "edit_organisation": f"/manage/organisations/{ids['org']}/edit",
        "merge_organisation": f"/manage/organisations/{ids['org']}/merge",
        "people": "/manage/people/",
        "search": "/manage/people/search?q=wayan",
        "new_person": "/manage/people/new",
        "person": f"/manage/people/{ids['person']}",
        "edit_person": f"/manage/people/{ids['person']}/edit",
        "merge_person": f"/manage/people/{ids['person']}/merge",
    }


ADMIN_ONLY = {"merge_organisation", "merge_person"}


@pytest.mark.parametrize("page", sorted(_urls({"org": 1, "person": 1})))
@pytest.mark.parametrize("role", ["admin", "organiser", "stakeholder", "reviewer", None])
def test_permission_matrix(client, login_as, entries, page, role):
    if role is not None:
        login_as(role, regions=["51.05"])
    response = client.get(_urls(entries)[page])
    if role is None:
        assert response.status_code == 302 and "/login" in response.headers["Location"]
    elif role == "admin" or (role == "organiser" and page not in ADMIN_ONLY):
        assert response.status_code == 200
    else:
        assert response.status_code == 403


@pytest.mark.parametrize("role", ["stakeholder", "reviewer"])
def test_stakeholders_and_reviewers_cannot_post_either(client, login_as, entries, role, db):
    login_as(role, regions=["51.05"])
    organisations = db.session.scalar(select(func.count(Organisation.id)))
    assert client.post("/manage/organisations/new",
                       data={"name": "Baru", "sector": "pemerintah"}).status_code == 403
    assert client.post("/manage/people/new", data={"name": "Baru"}).status_code == 403
    assert client.post("/manage/people/lookup", data={"contact": FULL_PHONE}).status_code == 403
    assert client.post(f"/manage/people/{entries['person']}/edit",
                       data={"name": "Ganti"}).status_code == 403
    assert db.session.get(Person, entries["person"]).name == "I Wayan Wasta"
    assert db.session.scalar(select(func.count(Organisation.id))) == organisations


def test_organiser_cannot_merge(client, login_as, entries, db):
    login_as("organiser", regions=["51.05"])
    response = client.post(f"/manage/organisations/{entries['org']}/merge",
                           data={"target_id": entries["other"], "confirm": "y"})
    assert response.status_code == 403
    assert db.session.get(Organisation, entries["org"]).merged_into_id is None


def test_navigation_links_follow_permissions(client, login_as, db):
    login_as("organiser", regions=["51.05"])
    html = client.get("/home").get_data(as_text=True)
    assert 'href="/manage/organisations/"' in html and 'href="/manage/people/"' in html


def test_stakeholder_sees_no_directory_links(client, login_as, db):
    login_as("stakeholder")
    html = client.get("/home").get_data(as_text=True)
    assert "/manage/organisations/" not in html and "/manage/people/" not in html


# --- Organisations ------------------------------------------------------------------------------


def test_organiser_creates_an_organisation(client, login_as, db):
    factories.make_region("51.05")
    login_as("organiser", regions=["51.05"])
    response = client.post("/manage/organisations/new", data={
        "name": "Yayasan Bali Bersih", "short_name": "YBB", "sector": "filantropi",
        "subtype": "yayasan", "region_code": "51.05", "contact": "Jl. Gajah Mada 1"})
    assert response.status_code == 302
    org = db.session.scalars(select(Organisation).where(Organisation.name == "Yayasan Bali Bersih")).one()
    assert (org.sector, org.subtype.value, org.region_code) == (Sector.FILANTROPI, "yayasan", "51.05")
    assert "Yayasan Bali Bersih" in client.get(response.headers["Location"]).get_data(as_text=True)


def _error_beside(html: str, field: str) -> str:
    match = re.search(rf'id="{field}-errors">(.*?)</div>\s*</div>', html, re.S)
    assert match, f"no error beside {field}"
    return match.group(1)


def test_duplicate_name_is_reported_beside_the_field_and_input_kept(client, login_as, entries, db):
    login_as("organiser", regions=["51.05"])
    response = client.post("/manage/organisations/new", data={
        "name": "BAPERLITBANG  Kab Klungkung", "short_name": "Baperlitbang", "sector": "pemerintah",
        "region_code": "51.05"})
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Baperlitbang Kab. Klungkung" in _error_beside(html, "name")
    assert 'value="Baperlitbang"' in html
    assert db.session.scalar(select(func.count(Organisation.id))) == 2


def test_rename_to_a_duplicate_is_refused(client, login_as, entries, db):
    login_as("organiser", regions=["51.05"])
    response = client.post(f"/manage/organisations/{entries['other']}/edit", data={
        "name": "baperlitbang kab klungkung", "sector": "pemerintah"})
    assert response.status_code == 200
    assert "Baperlitbang Kab. Klungkung" in _error_beside(response.get_data(as_text=True), "name")
    assert db.session.get(Organisation, entries["other"]).name == "Dinas Perkim Klungkung"


@pytest.mark.parametrize("overrides, field", [
    ({"name": ""}, "name"),
    ({"name": "x" * 201}, "name"),
    ({"sector": "kerajaan"}, "sector"),
    ({"region_code": "99.99"}, "region_code"),
    ({"subtype": "<script>"}, "subtype"),
])
def test_bad_organisation_input_rerenders(client, login_as, db, overrides, field):
    factories.make_region("51.05")
    login_as("organiser", regions=["51.05"])
    data = {"name": "Bank BPD Bali", "short_name": "BPD", "sector": "dunia_usaha",
            "region_code": "51.05"} | overrides
    response = client.post("/manage/organisations/new", data=data)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert _error_beside(html, field)
    assert 'value="BPD"' in html and "<script>" not in html
    assert db.session.scalar(select(func.count(Organisation.id))) == 0


def test_organisation_list_search_and_filters(client, login_as, db):
    factories.make_region("35.75")
    factories.make_organisation("Bappeda Kota Pasuruan", region_code="35.75", short_name="Bappeda")
    factories.make_organisation("Universitas Merdeka Pasuruan", sector=Sector.PERGURUAN_TINGGI,
                                region_code="35.75")
    factories.make_organisation("Baperlitbang Klungkung", region_code="51.05")
    login_as("organiser", regions=["51.05"])
    db.session.commit()

    def names(query):
        html = client.get("/manage/organisations/" + query).get_data(as_text=True)
        return set(re.findall(r'<a href="/manage/organisations/\d+/edit">([^<]+)</a>', html))

    assert names("?q=bappeda") == {"Bappeda Kota Pasuruan"}
    assert names("?q=merdeka") == {"Universitas Merdeka Pasuruan"}
    assert names("?sector=perguruan_tinggi") == {"Universitas Merdeka Pasuruan"}
    assert names("?region=35") == {"Bappeda Kota Pasuruan", "Universitas Merdeka Pasuruan"}
    assert names("?region=51.05") == {"Baperlitbang Klungkung"}
    assert names("?q=%25") == set()
    assert client.get("/manage/organisations/?page=99&sector=x").status_code == 200


def _query_count(client, url):
    response = client.get(url)
    assert response.status_code == 200
    return int(response.headers["X-Query-Count"])


def test_organisation_list_query_count_is_constant(client, login_as, db):
    login_as("organiser", regions=["51.05"])
    first = factories.make_organisation("Organisasi Awal")
    factories.make_person(organisation=first)
    db.session.commit()
    one = _query_count(client, "/manage/organisations/?merged=y")
    for i in range(19):
        org = factories.make_organisation(f"Organisasi {i}", region_code="51.05" if i % 2 else None)
        factories.make_person(organisation=org)
        if i % 3 == 0:
            org.merged_into_id = first.id
    db.session.commit()
    assert _query_count(client, "/manage/organisations/?merged=y") == one


def test_admin_merges_organisations_and_the_merged_one_is_hidden(client, login_as, entries, db):
    workshop = factories.make_workshop("51.05")
    factories.make_registration(workshop, db.session.get(Person, entries["person"]))
    db.session.commit()
    login_as("admin")
    page = client.get(f"/manage/organisations/{entries['org']}/merge").get_data(as_text=True)
    assert "Dinas Perkim Klungkung" in page and "Registrations" in page
    unconfirmed = client.post(f"/manage/organisations/{entries['org']}/merge",
                              data={"target_id": entries["other"]})
    assert unconfirmed.status_code == 200
    assert "Tick the box" in unconfirmed.get_data(as_text=True)
    response = client.post(f"/manage/organisations/{entries['org']}/merge",
                           data={"target_id": entries["other"], "confirm": "y"})
    assert response.status_code == 302
    assert db.session.get(Organisation, entries["org"]).merged_into_id == entries["other"]
    assert db.session.get(Person, entries["person"]).organisation_id == entries["other"]
    assert db.session.scalars(select(Registration.organisation_id)).one() == entries["other"]
    assert "has been merged into" in client.get(response.headers["Location"]).get_data(as_text=True)
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "merge")).one()
    assert (event.entity_type, event.entity_id) == ("Organisation", entries["org"])
    assert event.changes["moved"]["people.organisation_id"] == 1
    assert client.get("/admin/audit").status_code == 200
    listing = client.get("/manage/organisations/").get_data(as_text=True)
    assert "Baperlitbang Kab. Klungkung" not in listing
    with_merged = client.get("/manage/organisations/?merged=y").get_data(as_text=True)
    assert "Baperlitbang Kab. Klungkung" in with_merged and "Merged into" in with_merged


def test_merge_without_a_target_or_into_itself_says_why(client, login_as, entries, db):
    login_as("admin")
    url = f"/manage/organisations/{entries['org']}/merge"
    assert "Choose the entry to keep" in client.post(url, data={"confirm": "y"}).get_data(as_text=True)
    assert "Choose the entry to keep" in client.post(
        url, data={"confirm": "y", "target_id": "999999"}).get_data(as_text=True)
    itself = client.post(url, data={"confirm": "y", "target_id": entries["org"]})
    assert itself.status_code == 200 and "Choose another organisation" in itself.get_data(as_text=True)
    assert db.session.get(Organisation, entries["org"]).merged_into_id is None


# --- People --------------------------------------------------------------------------------------


def test_people_list_masks_phone_numbers(client, login_as, entries):
    login_as("admin")
    html = client.get("/manage/people/").get_data(as_text=True)
    assert "I Wayan Wasta" in html
    assert FULL_PHONE not in html and "081234567890" not in html and "wayan@example.org" not in html
    assert "+62812*****890" in html


def test_people_list_query_count_is_constant(client, login_as, db):
    login_as("organiser", regions=["51.05"])
    factories.make_person(organisation=factories.make_organisation(), phone=FULL_PHONE)
    db.session.commit()
    one = _query_count(client, "/manage/people/")
    for _ in range(19):
        factories.make_person(organisation=factories.make_organisation(), phone=FULL_PHONE)
    db.session.commit()
    assert _query_count(client, "/manage/people/") == one
    assert _query_count(client, "/manage/people/?q=peserta") == _query_count(client, "/manage/people/?q=x")


def test_people_search_by_name_or_organisation(client, login_as, entries, db):
    factories.make_person("Siti Aminah", organisation=factories.make_organisation("Bank BPD Bali"))
    db.session.commit()
    login_as("organiser", regions=["51.05"])
    assert "Siti Aminah" not in client.get("/manage/people/?q=wayan").get_data(as_text=True)
    by_org = client.get("/manage/people/?q=bpd").get_data(as_text=True)
    assert "Siti Aminah" in by_org and "I Wayan Wasta" not in by_org
    by_id = client.get(f"/manage/people/?organisation={entries['org']}").get_data(as_text=True)
    assert "I Wayan Wasta" in by_id and "Siti Aminah" not in by_id


def test_contact_details_are_not_searched_through_the_url(client, login_as, entries):
    login_as("organiser", regions=["51.05"])
    response = client.get("/manage/people/?q=0812-3456-7890")
    assert response.status_code == 302 and "0812" not in response.headers["Location"]
    html = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "so they do not end up in web addresses" in html and "0812" not in html
    assert client.get("/manage/people/?q=wayan@example.org").status_code == 302
    # The POST form finds the person, whatever the number's spelling.
    found = client.post("/manage/people/lookup", data={"contact": "0812 3456 7890"})
    assert found.status_code == 200 and "I Wayan Wasta" in found.get_data(as_text=True)
    assert FULL_PHONE not in found.get_data(as_text=True)
    by_email = client.post("/manage/people/lookup", data={"contact": "WAYAN@example.org"})
    assert "I Wayan Wasta" in by_email.get_data(as_text=True)
    bad = client.post("/manage/people/lookup", data={"contact": "0812"})
    assert bad.status_code == 200 and "not a valid phone number" in bad.get_data(as_text=True)


def test_search_endpoint_returns_names_only(client, login_as, entries, db):
    for i in range(25):
        factories.make_person(f"Wayan Peserta {i}")
    db.session.commit()
    login_as("organiser", regions=["51.05"])
    results = client.get("/manage/people/search?q=wayan").get_json()
    assert len(results) == 20
    wasta = next(r for r in results if r["name"] == "I Wayan Wasta")
    assert wasta == {"id": entries["person"], "name": "I Wayan Wasta",
                     "organisation": "Baperlitbang Kab. Klungkung", "position": "Kepala"}
    assert client.get("/manage/people/search?q=w").get_json() == []
    assert client.get("/manage/people/search").get_json() == []
    body = client.get("/manage/people/search?q=wayan").get_data(as_text=True)
    assert FULL_PHONE not in body and "example.org" not in body


@pytest.mark.parametrize("role, kwargs, visible", [
    ("admin", {}, True),
    ("organiser", {"regions": ["51.05"]}, True),
    ("organiser", {"regions": ["51"]}, True),
    ("organiser", {"regions": ["35.75"]}, False),
])
def test_full_contact_details_only_for_organisers_of_the_region(client, login_as, entries,
                                                                  role, kwargs, visible):
    login_as(role, **kwargs)
    html = client.get(f"/manage/people/{entries['person']}").get_data(as_text=True)
    assert (FULL_PHONE in html) is visible
    assert ("wayan@example.org" in html) is visible
    assert "I Wayan Wasta" in html and "Kepala" in html
    if not visible:
        assert "+62812*****890" in html


def test_person_without_a_regional_organisation_is_for_national_organisers(client, login_as, db):
    person = factories.make_person("Konsultan Nasional", phone=FULL_PHONE)
    db.session.commit()
    login_as("organiser", regions=["51.05"])
    assert FULL_PHONE not in client.get(f"/manage/people/{person.id}").get_data(as_text=True)
    login_as("organiser", regions=[], is_national=True)
    assert FULL_PHONE in client.get(f"/manage/people/{person.id}").get_data(as_text=True)


def test_out_of_scope_organiser_can_edit_but_not_see_or_change_contact(client, login_as, entries, db):
    login_as("organiser", regions=["35.75"])
    page = client.get(f"/manage/people/{entries['person']}/edit").get_data(as_text=True)
    assert FULL_PHONE not in page and "wayan@example.org" not in page and 'name="phone"' not in page
    response = client.post(f"/manage/people/{entries['person']}/edit", data={
        "name": "I Wayan Wasta", "position": "Kepala Badan", "organisation_id": entries["org"],
        "phone": "0813-0000-0000", "email": "lain@example.org"})
    assert response.status_code == 302
    person = db.session.get(Person, entries["person"])
    assert (person.position, person.phone, person.email) == ("Kepala Badan", FULL_PHONE,
                                                             "wayan@example.org")


def test_organiser_creates_a_person_with_normalised_contact(client, login_as, entries, db):
    login_as("organiser", regions=["51.05"])
    response = client.post("/manage/people/new", data={
        "name": "Ni Luh Putu", "title_suffix": "S.T.", "position": "Kabid",
        "organisation_id": entries["org"], "gender": "P", "phone": "0813 1111 2222",
        "email": "NiLuh@Example.org"})
    assert response.status_code == 302
    person = db.session.scalars(select(Person).where(Person.name == "Ni Luh Putu")).one()
    assert (person.phone, person.email, person.gender.value) == ("+6281311112222",
                                                                 "niluh@example.org", "P")
    assert response.headers["Location"].endswith(f"/manage/people/{person.id}")


@pytest.mark.parametrize("overrides, field, message", [
    ({"phone": "0812"}, "phone", "not a valid phone number"),
    ({"phone": "bukan nomor"}, "phone", "not a valid phone number"),
    ({"email": "ni luh@example.org"}, "email", "valid e-mail"),
    ({"email": "a" * 250 + "@example.org"}, "email", "254"),
    ({"name": ""}, "name", "required"),
    ({"name": "N" * 10000}, "name", "120"),
    ({"nip": "19650101-abc"}, "nip", "digits only"),
    ({"organisation_id": "999999"}, "organisation_id", "Not a valid choice"),
])
def test_bad_person_input_is_shown_beside_the_field(client, login_as, entries, db,
                                                    overrides, field, message):
    login_as("organiser", regions=["51.05"])
    data = {"name": "Ni Luh Putu", "position": "Kabid <b>Tata Ruang</b>",
            "phone": "0813 1111 2222", "email": "niluh@example.org"} | overrides
    response = client.post("/manage/people/new", data=data)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert message in _error_beside(html, field)
    assert 'value="Kabid &lt;b&gt;Tata Ruang&lt;/b&gt;"' in html
    assert db.session.scalar(select(func.count(Person.id))) == 1


def test_likely_duplicate_is_offered_then_created_anyway(client, login_as, entries, db):
    login_as("organiser", regions=["51.05"])
    data = {"name": "Wayan Wasta", "phone": "0812-3456-7890"}
    offered = client.post("/manage/people/new", data=data)
    assert offered.status_code == 200
    html = offered.get_data(as_text=True)
    assert f'href="/manage/people/{entries["person"]}"' in html
    assert 'name="create_anyway"' in html and 'value="Wayan Wasta"' in html
    assert db.session.scalar(select(func.count(Person.id))) == 1
    created = client.post("/manage/people/new", data=data | {"create_anyway": "y"})
    assert created.status_code == 302
    assert db.session.scalar(select(func.count(Person.id))) == 2


def test_admin_merges_people(client, login_as, entries, db):
    duplicate = factories.make_person("Wayan Wasta", email="wayan@example.org")
    workshop = factories.make_workshop("51.05")
    factories.make_registration(workshop, duplicate)
    factories.make_registration(workshop, db.session.get(Person, entries["person"]),
                                status=factories.RegistrationStatus.CANCELLED)
    db.session.commit()
    login_as("admin")
    page = client.get(f"/manage/people/{duplicate.id}/merge").get_data(as_text=True)
    assert "I Wayan Wasta" in page  # offered as a likely duplicate (same e-mail)
    response = client.post(f"/manage/people/{duplicate.id}/merge",
                           data={"target_id": entries["person"], "confirm": "y"})
    assert response.status_code == 302
    assert db.session.get(Person, duplicate.id) is None
    registration = db.session.scalars(select(Registration)).one()
    assert registration.person_id == entries["person"]
    assert registration.status is factories.RegistrationStatus.CONFIRMED


def test_missing_people_and_organisations_are_404(client, login_as, db):
    login_as("admin")
    for url in ("/manage/people/999999", "/manage/people/999999/edit",
                "/manage/people/999999/merge", "/manage/organisations/999999/edit",
                "/manage/organisations/999999/merge"):
        assert client.get(url).status_code == 404, url


def test_stakeholder_user_role_is_blocked_from_json_too(client, login_as, entries):
    login_as(Role.STAKEHOLDER)
    assert client.get("/manage/people/search?q=wayan").status_code == 403
