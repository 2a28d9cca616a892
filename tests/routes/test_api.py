"""The JSON API v1: bearer tokens only, the user's scope and permissions, JSON errors, the
OpenAPI document (validated, and every response checked against it), fixed query counts."""

from __future__ import annotations

import functools
import re
from datetime import date, datetime, timedelta, timezone

import pytest
from jsonschema import Draft202012Validator
from openapi_spec_validator import validate as validate_spec

from kotaku_collab.api.openapi import openapi_document
from kotaku_collab.extensions import db as _db
from kotaku_collab.models import (AgendaItem, AgreementPoint, AttendanceStatus, Cadence,
                                  Commitment, CommitmentStatus, CommitmentUpdate, CoordinationMechanism,
                                  FundingSource, Gender, IndicatorKind, MechanismMeeting,
                                  MechanismType, OrganiserRole, RegionIndicator,
                                  RegistrationStatus, Role, Sector, SessionType, WorkshopKind,
                                  WorkshopOrganiser, WorkshopStatus)
from kotaku_collab.services import stats_cache
from kotaku_collab.services.api_tokens import create_token, revoke_token
from tests import factories

DOC = openapi_document()
W1_START = datetime(2019, 10, 29, 0, 30, tzinfo=timezone.utc)   # 08.30 WITA, Klungkung
W2_START = datetime(2019, 11, 5, 1, 30, tzinfo=timezone.utc)    # 08.30 WIB, Kota Pasuruan


# --- Checking responses against the document --------------------------------------------------


def _operation(path: str):
    """The OpenAPI path template and operation for a concrete /api/v1 path."""
    local = path.split("?")[0].removeprefix("/api/v1")
    for template, item in DOC["paths"].items():
        pattern = "^" + re.sub(r"\\\{\w+\\\}", "[^/]+", re.escape(template)) + "$"
        if re.match(pattern, local):
            return template, item["get"]
    return None, None


def conform(response, path: str) -> None:
    """The response is JSON, its status is documented for the path, and the body matches."""
    assert response.status_code < 500, (path, response.status_code, response.get_data(True))
    assert response.mimetype == "application/json", (path, response.mimetype)
    body = response.get_json()
    template, operation = _operation(path)
    if operation is None or response.status_code == 405:
        schema = {"$ref": "#/components/schemas/Error"}
    else:
        documented = operation["responses"].get(str(response.status_code))
        assert documented is not None, (template, response.status_code)
        schema = documented["content"]["application/json"]["schema"]
    validator = _validator(schema["$ref"])
    errors = sorted(validator.iter_errors(body), key=lambda e: list(e.path))
    assert not errors, (path, [f"{list(e.path)}: {e.message}" for e in errors[:5]])


@functools.cache
def _validator(ref: str) -> Draft202012Validator:
    return Draft202012Validator({"$ref": ref, "components": DOC["components"]},
                                format_checker=Draft202012Validator.FORMAT_CHECKER)


class Api:
    """GET through the test client with a bearer token; every answer is checked."""

    def __init__(self, client, secret: str | None):
        self.client, self.secret = client, secret

    def get(self, path: str, expect: int | None = 200, **headers):
        if self.secret is not None:
            headers.setdefault("Authorization", f"Bearer {self.secret}")
        response = self.client.get(path, headers=headers)
        conform(response, path)
        if expect is not None:
            assert response.status_code == expect, (path, response.status_code,
                                                    response.get_json())
        return response


@pytest.fixture
def api_as(client, db):
    """api_as("reviewer", regions=["51.05"]) → an Api with a fresh token of a new user."""

    def make(role, **kwargs):
        user = factories.make_user(Role(role), **kwargs)
        created = create_token(db.session, user, name="test")
        db.session.commit()
        api = Api(client, created.secret)
        api.user, api.token = user, created.token
        return api

    return make


# --- The scene: a Klungkung workshop and a Kota Pasuruan one ----------------------------------


@pytest.fixture
def scene(db):
    bappeda = factories.make_organisation("Baperlitbang Klungkung", region_code="51.05")
    bkm = factories.make_organisation("BKM Semarapura Kaja", sector=Sector.MASYARAKAT,
                                      region_code="51.05")
    swasta = factories.make_organisation("PT Bali Lestari", sector=Sector.DUNIA_USAHA,
                                         region_code="51.05")
    w1 = factories.make_workshop("51.05", title="Lokakarya Kolaborasi Klungkung",
                                 starts_at=W1_START, hours=7, status=WorkshopStatus.FINALISED,
                                 venue="Gedung Mahottama")
    w1.organisers.append(WorkshopOrganiser(organisation=bappeda, role=OrganiserRole.PENYELENGGARA))
    speaker = factories.make_person("I Made Narasumber", organisation=bappeda,
                                    position="Kepala Bidang", phone="+6281111111111")
    ayu = factories.make_person("Ni Luh Ayu", organisation=bappeda, gender=Gender.PEREMPUAN,
                                phone="+6281234567890", email="ayu@klungkung.test")
    wayan = factories.make_person("I Wayan Bkm", organisation=bkm, gender=Gender.LAKI_LAKI,
                                  phone="+6281300000001", email="wayan@bkm.test")
    putu = factories.make_person("Putu Swasta", organisation=swasta)
    ketut = factories.make_person("Ketut Batal", organisation=bkm, gender=Gender.LAKI_LAKI)
    factories.make_registration(w1, ayu, attendance=AttendanceStatus.HADIR)
    factories.make_registration(w1, wayan)
    factories.make_registration(w1, putu, status=RegistrationStatus.WAITLISTED,
                                waitlist_position=1)
    factories.make_registration(w1, ketut, status=RegistrationStatus.CANCELLED)
    item = AgendaItem(workshop_id=w1.id, position=1, title="Paparan RP2KPKP",
                      session_type=SessionType.PAPARAN, starts_at=W1_START,
                      ends_at=W1_START + timedelta(hours=1), moderator=wayan, speakers=[speaker])
    issue = factories.make_issue(w1, "Genangan di Semarapura Kaja", priority=1, vote_rank=1,
                                 vote_count=12, agreed=True)
    merged = factories.make_issue(w1, "Drainase tersumbat")
    merged.merged_into_id = issue.id
    mechanism = factories.make_mechanism(w1, "Rapat Pokja PKP Klungkung",
                                         cadence=Cadence.TRIWULANAN, lead_organisation=bappeda,
                                         members=[bappeda, bkm], contact_channel="WA Pokja")
    point = AgreementPoint(workshop_id=w1.id, number=1, text="Rapat Pokja PKP tiap triwulan",
                           issues=[issue], organisations=[bappeda])
    c1 = factories.make_commitment(bappeda, w1, title="Normalisasi drainase",
                                   amount_idr=250_000_000, funding_source=FundingSource.APBD_KABKOTA,
                                   status=CommitmentStatus.DIANGGARKAN, percent_complete=10,
                                   target_date=date(2020, 12, 31))
    _db.session.add_all([item, point])
    _db.session.flush()
    _db.session.add_all([
        MechanismMeeting(mechanism_id=mechanism.id, held_on=date(2020, 1, 20)),
        CommitmentUpdate(commitment_id=c1.id, reported_on=date(2020, 1, 10),
                         status=CommitmentStatus.DISEPAKATI, percent_complete=0,
                         created_at=datetime(2020, 1, 10, tzinfo=timezone.utc)),
        CommitmentUpdate(commitment_id=c1.id, reported_on=date(2020, 3, 2),
                         status=CommitmentStatus.DIANGGARKAN, percent_complete=10,
                         narrative="Masuk RKPD 2021",
                         created_at=datetime(2020, 3, 2, tzinfo=timezone.utc)),
        RegionIndicator(region_code="51.05", year=2019, kind=IndicatorKind.SLUM_BASELINE_HA,
                        value=15.25, source="SK Bupati 2019"),
        RegionIndicator(region_code="51.05", year=2019, kind=IndicatorKind.WATER_ACCESS_PCT,
                        value=91.5, source="BPS Susenas 2019"),
    ])

    perkim = factories.make_organisation("DPRKP Kota Pasuruan", region_code="35.75")
    w2 = factories.make_workshop("35.75", title="Lokakarya Kolaborasi Kota Pasuruan",
                                 starts_at=W2_START, kind=WorkshopKind.LOKAKARYA_KOLABORASI)
    factories.make_registration(w2, factories.make_person("Siti Pasuruan", organisation=perkim,
                                                          phone="+6281999999999"))
    _db.session.add(AgendaItem(workshop_id=w2.id, title="Pembukaan", session_type=SessionType.PEMBUKAAN,
                               starts_at=W2_START, ends_at=W2_START + timedelta(minutes=30)))
    issue2 = factories.make_issue(w2, "Rob di pesisir")
    factories.make_mechanism(w2, "Forum PKP Kota Pasuruan", type=MechanismType.FORUM_PKP)
    _db.session.add(AgreementPoint(workshop_id=w2.id, number=1, text="Forum PKP dibentuk"))
    c2 = factories.make_commitment(perkim, w2, title="Tanggul rob", amount_idr=900_000_000)
    # The Klungkung BKM also pledged something in Kota Pasuruan (a stakeholder sees its own).
    c3 = factories.make_commitment(bkm, None, region_code="35.75", title="Pelatihan KSM")
    _db.session.add(RegionIndicator(region_code="35.75", year=2019,
                                    kind=IndicatorKind.SLUM_BASELINE_HA, value=80.87,
                                    source="SK Walikota 2015"))
    _db.session.commit()
    return {"w1": w1.id, "w2": w2.id, "c1": c1.id, "c2": c2.id, "c3": c3.id, "bkm": bkm,
            "bappeda": bappeda.id, "issue": issue.id, "issue2": issue2.id}


def endpoints(workshop_id: int, commitment_id: int, region: str) -> list[str]:
    w = f"/api/v1/workshops/{workshop_id}"
    return ["/api/v1/workshops", w, f"{w}/agenda", f"{w}/registrations", f"{w}/issues",
            f"{w}/mechanisms", f"{w}/agreement-points", "/api/v1/commitments",
            f"/api/v1/commitments/{commitment_id}", f"/api/v1/regions/{region}/indicators",
            "/api/v1/summary"]


def ids(response) -> list:
    return ids_of(response.get_json())


# --- The document ------------------------------------------------------------------------------


def test_the_openapi_document_is_valid_and_public(client, db):
    validate_spec(DOC)
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200 and response.mimetype == "application/json"
    served = response.get_json()
    validate_spec(served)
    assert served["openapi"].startswith("3.1")
    assert set(served["paths"]) == {
        "/workshops", "/workshops/{workshop_id}", "/workshops/{workshop_id}/agenda",
        "/workshops/{workshop_id}/registrations", "/workshops/{workshop_id}/issues",
        "/workshops/{workshop_id}/mechanisms", "/workshops/{workshop_id}/agreement-points",
        "/commitments", "/commitments/{commitment_id}", "/regions/{code}/indicators",
        "/summary", "/openapi.json"}


def test_every_api_route_is_in_the_document(app):
    documented = {"/api/v1" + re.sub(r"\{(\w+)\}", r"<\1>", p) for p in DOC["paths"]}
    routes = {re.sub(r"<(?:\w+:)?(\w+)>", r"<\1>", r.rule) for r in app.url_map.iter_rules()
              if r.endpoint.startswith("api.")}
    assert routes == documented


# --- Each endpoint, as an administrator ---------------------------------------------------------


def test_every_endpoint_answers_an_admin_with_what_the_schema_says(api_as, scene):
    api = api_as("admin")
    for path in endpoints(scene["w1"], scene["c1"], "51.05"):
        api.get(path)


def test_workshops_list_and_detail(api_as, scene):
    api = api_as("reviewer", regions=["51.05"])
    body = api.get("/api/v1/workshops").get_json()
    assert [w["title"] for w in body["data"]] == ["Lokakarya Kolaborasi Klungkung"]
    [w] = body["data"]
    assert w["region"] == {"code": "51.05", "name": "Kabupaten Klungkung", "level": "kabupaten"}
    assert w["starts_at"] == "2019-10-29T00:30:00+00:00"
    assert w["timezone"] == "Asia/Makassar" and w["status"] == "finalised"
    assert w["seats_taken"] == 2
    assert body["meta"] == {"page": 1, "per_page": 50, "total": 1}
    assert body["links"]["next"] is None and body["links"]["prev"] is None
    detail = api.get(f"/api/v1/workshops/{scene['w1']}").get_json()
    assert detail["organisers"] == [{"organisation": {
        "id": scene["bappeda"], "name": "Baperlitbang Klungkung", "short_name": None,
        "sector": "pemerintah"}, "role": "penyelenggara"}]
    assert detail["objectives"] == ["Pemahaman bersama"]


def test_agenda_names_speakers_and_moderator_without_contacts(api_as, scene):
    api = api_as("stakeholder", organisation=scene["bkm"])
    [item] = api.get(f"/api/v1/workshops/{scene['w1']}/agenda").get_json()["data"]
    assert item["title"] == "Paparan RP2KPKP" and item["session_type"] == "paparan"
    assert item["speakers"] == [{"name": "I Made Narasumber", "position": "Kepala Bidang"}]
    assert item["moderator"] == {"name": "I Wayan Bkm", "position": None}
    assert "+62811" not in api.get(f"/api/v1/workshops/{scene['w1']}/agenda").get_data(True)


def test_outcomes_of_a_workshop(api_as, scene):
    api = api_as("reviewer", regions=["51.05"])
    w = f"/api/v1/workshops/{scene['w1']}"
    [issue] = api.get(f"{w}/issues").get_json()["data"]  # the merged one is left out
    assert (issue["id"], issue["vote_rank"], issue["agreed"]) == (scene["issue"], 1, True)
    [mechanism] = api.get(f"{w}/mechanisms").get_json()["data"]
    assert mechanism["cadence"] == "triwulanan" and mechanism["meetings"] == [{"held_on": "2020-01-20"}]
    assert sorted(m["name"] for m in mechanism["members"]) == ["BKM Semarapura Kaja",
                                                               "Baperlitbang Klungkung"]
    [point] = api.get(f"{w}/agreement-points").get_json()["data"]
    assert point["number"] == 1 and point["issue_ids"] == [scene["issue"]]


def test_commitments_come_with_their_updates_oldest_first(api_as, scene):
    api = api_as("reviewer", regions=["51.05"])
    body = api.get("/api/v1/commitments").get_json()
    assert ids(api.get("/api/v1/commitments")) == [scene["c1"]]
    [c] = body["data"]
    assert c["amount_idr"] == 250_000_000 and c["funding_source"] == "apbd_kabkota"
    assert [(u["status"], u["percent_complete"]) for u in c["updates"]] == [
        ("disepakati", 0), ("dianggarkan", 10)]
    one = api.get(f"/api/v1/commitments/{scene['c1']}").get_json()
    assert one == c
    assert one["workshop"] == {"id": scene["w1"], "title": "Lokakarya Kolaborasi Klungkung"}


def test_region_indicators(api_as, scene):
    api = api_as("reviewer", regions=["51.05"])
    body = api.get("/api/v1/regions/51.05/indicators").get_json()
    assert [(i["kind"], i["value"]) for i in body["data"]] == [("slum_baseline_ha", 15.25),
                                                             ("water_access_pct", 91.5)]
    assert body["region"]["code"] == "51.05"
    only = api.get("/api/v1/regions/51.05/indicators?kind=water_access_pct&year=2019").get_json()
    assert [i["value"] for i in only["data"]] == [91.5]
    assert api.get("/api/v1/regions/51.05/indicators?year=2020").get_json()["data"] == []


def test_summary_counts_what_the_user_may_see(api_as, scene):
    body = api_as("reviewer", regions=["51.05"]).get("/api/v1/summary").get_json()
    assert body["workshops"]["total"] == 1
    assert body["workshops"]["by_status"]["finalised"] == 1
    assert body["workshops"]["by_status"]["published"] == 0
    assert body["participants"] == {"confirmed": 2, "attended": 1}
    assert body["outcomes"] == {"issues": 1, "mechanisms": 1, "agreement_points": 1}
    assert body["commitments"]["total"] == 1
    assert body["commitments"]["amount_idr"] == 250_000_000
    assert body["commitments"]["by_status"]["dianggarkan"] == 1
    national = api_as("reviewer", regions=[], is_national=True).get("/api/v1/summary").get_json()
    assert national["workshops"]["total"] == 2
    assert national["commitments"]["amount_idr"] == 250_000_000 + 900_000_000
    assert national["outcomes"]["issues"] == 2


def test_summary_and_lists_take_the_review_filters(api_as, scene):
    api = api_as("reviewer", regions=[], is_national=True)
    assert ids(api.get("/api/v1/workshops?kabkota=35.75")) == [scene["w2"]]
    assert ids(api.get("/api/v1/workshops?province=51")) == [scene["w1"]]
    assert ids(api.get("/api/v1/workshops?start=2019-11-01&end=2019-11-30")) == [scene["w2"]]
    assert ids(api.get("/api/v1/workshops?kind=fgd")) == []
    assert ids(api.get("/api/v1/workshops?status=finalised")) == [scene["w1"]]
    assert ids(api.get(f"/api/v1/workshops?organisation={scene['bappeda']}")) == [scene["w1"]]
    assert ids(api.get("/api/v1/commitments?kabkota=35.75")) == [scene["c2"], scene["c3"]]
    assert ids(api.get(f"/api/v1/commitments?workshop={scene['w2']}")) == [scene["c2"]]
    assert ids(api.get(f"/api/v1/commitments?organisation={scene['bappeda']}")) == [scene["c1"]]
    assert ids(api.get("/api/v1/commitments?status=dianggarkan")) == [scene["c1"]]
    body = api.get("/api/v1/summary?kabkota=35.75").get_json()
    assert body["filters"] == {"kabkota": "35.75"}
    assert body["workshops"]["total"] == 1 and body["commitments"]["total"] == 2


def test_pagination_links_and_a_page_past_the_end(api_as, scene):
    api = api_as("admin")
    first = api.get("/api/v1/workshops?per_page=1").get_json()
    assert first["meta"] == {"page": 1, "per_page": 1, "total": 2}
    assert first["links"]["prev"] is None
    assert "page=2" in first["links"]["next"] and "per_page=1" in first["links"]["next"]
    second = api.get(first["links"]["next"].replace("http://localhost", "")).get_json()
    assert second["links"]["next"] is None and "page=1" in second["links"]["prev"]
    assert ids(api.get("/api/v1/workshops?per_page=1")) + [w["id"] for w in second["data"]] == [
        scene["w2"], scene["w1"]]  # newest first
    past = api.get("/api/v1/workshops?page=99").get_json()
    assert past["data"] == [] and past["meta"]["total"] == 2 and past["links"]["next"] is None
    assert api.get("/api/v1/workshops?per_page=200").get_json()["meta"]["per_page"] == 200


# --- Authentication ----------------------------------------------------------------------------


def _all_paths(scene):
    return endpoints(scene["w1"], scene["c1"], "51.05")


@pytest.mark.parametrize("header", [None, "", "Bearer", "Bearer ", "Basic dXNlcjpwYXNz",
                                    "Bearer kc_not-a-real-token", "Token kc_x"])
def test_without_a_valid_token_every_endpoint_answers_401_json(client, scene, header):
    for path in _all_paths(scene):
        headers = {} if header is None else {"Authorization": header}
        response = Api(client, None).get(path, expect=401, **headers)
        assert response.get_json()["error"]["code"] == "unauthorized"
        assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_a_session_cookie_alone_does_not_open_the_api(client, login_as, scene):
    login_as("admin")
    assert client.get("/home").status_code == 200  # the cookie works on the web pages
    for path in _all_paths(scene):
        Api(client, None).get(path, expect=401)


def test_the_api_ignores_an_expired_session_cookie(client, api_as, login_as, scene):
    """An old cookie neither sends a token's request to the login page nor is logged out."""
    api = api_as("reviewer", regions=["51.05"])
    login_as("admin")
    with client.session_transaction() as session:
        session["auth_at"] = 0  # far past the absolute lifetime
    response = api.get("/api/v1/workshops")
    assert ids(response) == [scene["w1"]]  # the token's user, not the admin of the cookie
    with client.session_transaction() as session:
        assert session["auth_at"] == 0


def test_a_revoked_token_answers_401(api_as, scene, db):
    api = api_as("reviewer", regions=["51.05"])
    api.get("/api/v1/workshops")
    revoke_token(db.session, api.user, api.token)
    db.session.commit()
    assert api.get("/api/v1/workshops", expect=401).get_json()["error"]["code"] == "unauthorized"


def test_an_expired_token_answers_401(api_as, scene, db):
    api = api_as("reviewer", regions=["51.05"])
    api.token.expires_at = datetime.now(timezone.utc) - timedelta(seconds=1)
    db.session.commit()
    api.get("/api/v1/workshops", expect=401)


def test_a_deactivated_users_token_answers_401(api_as, scene, db):
    api = api_as("reviewer", regions=["51.05"])
    api.user.active = False
    db.session.commit()
    api.get("/api/v1/summary", expect=401)


def test_a_request_marks_the_token_used(api_as, scene, db):
    api = api_as("reviewer", regions=["51.05"])
    assert api.token.last_used_at is None
    api.get("/api/v1/summary")
    db.session.expire_all()
    assert api.token.last_used_at is not None


def test_api_answers_are_never_cached(api_as, scene):
    response = api_as("admin").get("/api/v1/workshops")
    assert response.headers["Cache-Control"] == "no-store"
    assert "Authorization" in response.headers["Vary"]


# --- Scope and permissions ----------------------------------------------------------------------


def test_a_klungkung_reviewer_sees_nothing_of_kota_pasuruan(api_as, scene):
    api = api_as("reviewer", regions=["51.05"])
    assert ids(api.get("/api/v1/workshops")) == [scene["w1"]]
    assert ids(api.get("/api/v1/workshops?kabkota=35.75")) == []
    assert ids(api.get("/api/v1/workshops?province=35")) == []
    assert scene["c2"] not in ids(api.get("/api/v1/commitments"))
    assert scene["c3"] not in ids(api.get("/api/v1/commitments"))
    assert ids(api.get("/api/v1/commitments?kabkota=35.75")) == []
    for path in endpoints(scene["w2"], scene["c2"], "35.75")[1:7] + [
            f"/api/v1/commitments/{scene['c2']}", f"/api/v1/commitments/{scene['c3']}",
            "/api/v1/regions/35.75/indicators", "/api/v1/regions/35/indicators"]:
        body = api.get(path, expect=404).get_json()
        assert body["error"]["code"] == "not_found"
    summary = api.get("/api/v1/summary?kabkota=35.75").get_json()
    assert summary["workshops"]["total"] == 0 and summary["commitments"]["total"] == 0


def test_an_organiser_elsewhere_gets_404_for_klungkung(api_as, scene):
    api = api_as("organiser", regions=["35.75"])
    assert ids(api.get("/api/v1/workshops")) == [scene["w2"]]
    for path in endpoints(scene["w1"], scene["c1"], "51.05")[1:7]:
        api.get(path, expect=404)


def test_a_stakeholder_sees_its_own_organisations_commitments_anywhere(api_as, scene):
    api = api_as("stakeholder", organisation=scene["bkm"])
    assert ids(api.get("/api/v1/commitments")) == [scene["c1"], scene["c3"]]
    api.get(f"/api/v1/commitments/{scene['c3']}")
    api.get(f"/api/v1/commitments/{scene['c2']}", expect=404)


def test_another_organisations_stakeholder_does_not_see_its_commitments_elsewhere(api_as,
                                                                                   scene):
    neighbour = factories.make_organisation("LPM Semarapura Klod", sector=Sector.MASYARAKAT,
                                            region_code="51.05")
    api = api_as("stakeholder", organisation=neighbour)
    assert ids(api.get("/api/v1/commitments")) == [scene["c1"]]  # Klungkung's, in its scope
    api.get(f"/api/v1/commitments/{scene['c3']}", expect=404)


def test_indicators_are_forbidden_to_stakeholders_and_unknown_regions_are_404(api_as, scene):
    api = api_as("stakeholder", organisation=scene["bkm"])
    assert api.get("/api/v1/regions/51.05/indicators", expect=403).get_json()["error"][
        "code"] == "forbidden"
    api_as("admin").get("/api/v1/regions/99.99/indicators", expect=404)
    api_as("admin").get("/api/v1/regions/" + "9" * 40 + "/indicators", expect=404)


PERSONAL = {"name", "position", "organisation", "phone", "email"}


@pytest.mark.parametrize("role, kwargs", [("reviewer", {"regions": ["51.05"]}),
                                          ("reviewer", {"regions": [], "is_national": True}),
                                          ("stakeholder", {})])
def test_reviewers_and_stakeholders_get_counts_without_personal_fields(api_as, scene, role,
                                                                       kwargs):
    if role == "stakeholder":
        kwargs = {"organisation": scene["bkm"]}
    response = api_as(role, **kwargs).get(f"/api/v1/workshops/{scene['w1']}/registrations")
    body = response.get_json()
    assert body["personal_data"] is False
    assert len(body["data"]) == 4
    for row in body["data"]:
        assert not PERSONAL & set(row), row
    text = response.get_data(as_text=True)
    for secret in ("+6281234567890", "ayu@klungkung.test", "Ni Luh Ayu", "wayan@bkm.test"):
        assert secret not in text
    aggregates = body["aggregates"]
    by_sector = {r["sector"]: (r["registered"], r["attended"]) for r in aggregates["by_sector"]}
    assert by_sector["pemerintah"] == (1, 1)
    assert by_sector["masyarakat"] == (1, 0)      # the cancelled one does not count
    assert by_sector["dunia_usaha"] == (0, 0)     # waitlisted: no place yet
    by_gender = {r["gender"]: (r["registered"], r["attended"]) for r in aggregates["by_gender"]}
    assert by_gender == {"L": (1, 0), "P": (1, 1), None: (0, 0)}
    assert aggregates["by_status"] == {"confirmed": 2, "waitlisted": 1, "cancelled": 1}


@pytest.mark.parametrize("role, kwargs", [("organiser", {"regions": ["51.05"]}), ("admin", {})])
def test_the_regions_organiser_and_admins_get_personal_fields(api_as, scene, role, kwargs):
    body = api_as(role, **kwargs).get(f"/api/v1/workshops/{scene['w1']}/registrations").get_json()
    assert body["personal_data"] is True
    ayu = next(r for r in body["data"] if r.get("name") == "Ni Luh Ayu")
    assert ayu["phone"] == "+6281234567890" and ayu["email"] == "ayu@klungkung.test"
    assert ayu["organisation"]["name"] == "Baperlitbang Klungkung"
    assert ayu["attendance"] == "hadir" and ayu["gender"] == "P"


def test_registrations_filter_by_status(api_as, scene):
    api = api_as("admin")
    body = api.get(f"/api/v1/workshops/{scene['w1']}/registrations?status=waitlisted").get_json()
    assert [r["name"] for r in body["data"]] == ["Putu Swasta"]
    assert body["aggregates"]["by_status"]["confirmed"] == 2  # counts stay whole


# --- Bad input ---------------------------------------------------------------------------------


BAD_QUERIES = [
    "status=bogus", "kind=seminar", "start=2019-13-01", "start=29-10-2019", "end=yesterday",
    "start=2020-01-02&end=2020-01-01", "page=abc", "page=0", "page=-1", "page=1.5",
    "per_page=0", "per_page=201", "per_page=x", "province=99", "province=51.05",
    "kabkota=51", "kabkota=nope", "province=35&kabkota=51.05", "organisation=abc",
    "organisation=0", "page=99999999999999999999",
]


@pytest.mark.parametrize("query", BAD_QUERIES)
def test_bad_filter_values_answer_400_json(api_as, scene, query):
    api = api_as("admin")
    for path in ("/api/v1/workshops", "/api/v1/commitments"):
        body = api.get(f"{path}?{query}", expect=400).get_json()
        assert body["error"]["code"] == "bad_request" and body["error"]["message"]


@pytest.mark.parametrize("path", ["/api/v1/regions/51.05/indicators?kind=water",
                                  "/api/v1/regions/51.05/indicators?year=20x9",
                                  "/api/v1/regions/51.05/indicators?year=99999",
                                  "/api/v1/summary?end=2019-02-30",
                                  "/api/v1/summary?kind=FGD"])
def test_bad_values_of_other_endpoints_answer_400(api_as, scene, path):
    api_as("admin").get(path, expect=400)


NASTY = ["", "%00", "'; DROP TABLE workshops;--", "%F0%9F%92%A9", "9" * 300, "-1", "1e309",
         "%ZZ"]


def test_nasty_values_never_give_a_server_error(api_as, scene):
    """Each query parameter the document lists, on its endpoint, with values no form sends."""
    api = api_as("reviewer", regions=["51.05"])
    for path in _all_paths(scene):
        _template, operation = _operation(path)
        for param in (p["name"] for p in operation["parameters"] if p["in"] == "query"):
            for value in NASTY:
                response = api.get(f"{path}?{param}={value}", expect=None)
                assert response.status_code in (200, 400), (path, param, value)
    for value in ("0", "-5", "99999999999999999999", "abc", "%00"):
        api.get(f"/api/v1/workshops/{value}", expect=404)
        api.get(f"/api/v1/commitments/{value}/", expect=404)
        api.get(f"/api/v1/regions/{value}/indicators", expect=404)


def test_unknown_paths_and_other_methods_answer_json(client, api_as, scene, make_app):
    api = api_as("admin")
    body = api.get("/api/v1/no-such-thing", expect=404).get_json()
    assert body["error"]["code"] == "not_found"
    response = client.post("/api/v1/workshops", headers={"Authorization": f"Bearer {api.secret}"})
    assert response.status_code == 405 and response.get_json()["error"]["code"] == \
        "method_not_allowed"
    # With CSRF on, as in production, a POST is still a JSON 405, not the HTML CSRF page.
    csrf_client = make_app(WTF_CSRF_ENABLED=True).test_client()
    for method in (csrf_client.post, csrf_client.delete, csrf_client.put):
        response = method("/api/v1/workshops", headers={"Authorization": f"Bearer {api.secret}"})
        assert response.status_code == 405 and response.mimetype == "application/json"


# --- Query counts ------------------------------------------------------------------------------


def _grow(db, workshop, n: int, offset: int) -> None:
    """n more of everything the list endpoints show, in Klungkung."""
    for i in range(offset, offset + n):
        org = factories.make_organisation(f"Org {i}", region_code="51.05")
        person = factories.make_person(f"Peserta {i}", organisation=org, gender=Gender.PEREMPUAN,
                                       phone=f"+628123456{i:04d}")
        factories.make_registration(workshop, person)
        speaker = factories.make_person(f"Narasumber {i}", organisation=org)
        db.session.add(AgendaItem(workshop_id=workshop.id, position=i, title=f"Sesi {i}",
                                  session_type=SessionType.DISKUSI_KELOMPOK, moderator=person,
                                  speakers=[speaker],
                                  starts_at=W1_START + timedelta(minutes=10 * i),
                                  ends_at=W1_START + timedelta(minutes=10 * i + 5)))
        issue = factories.make_issue(workshop, f"Isu {i}", proposed_by=org, location_code="51.05")
        mechanism = factories.make_mechanism(workshop, f"Mekanisme {i}", lead_organisation=org,
                                             members=[org])
        db.session.add(MechanismMeeting(mechanism_id=mechanism.id, held_on=date(2020, 1, 1 + i % 28)))
        db.session.add(AgreementPoint(workshop_id=workshop.id, number=i + 1, text=f"Kesepakatan {i}",
                                      issues=[issue], organisations=[org]))
        commitment = factories.make_commitment(org, workshop, title=f"Komitmen {i}",
                                               location_code="51.05")
        db.session.add(CommitmentUpdate(commitment_id=commitment.id, reported_on=date(2020, 2, 1),
                                        status=CommitmentStatus.DISEPAKATI, percent_complete=5))
        db.session.add(RegionIndicator(region_code="51.05", year=2000 + i,
                                       kind=IndicatorKind.SANITATION_ACCESS_PCT, value=50 + i,
                                       source="BPS"))
        other = factories.make_workshop("51.05", title=f"Rapat {i}",
                                        starts_at=W1_START + timedelta(days=i + 1))
        other.organisers.append(WorkshopOrganiser(organisation=org,
                                                  role=OrganiserRole.FASILITATOR))
    db.session.commit()


def test_query_counts_do_not_grow_with_rows(api_as, db):
    workshop = factories.make_workshop("51.05", starts_at=W1_START)
    db.session.commit()
    paths = endpoints(workshop.id, 0, "51.05")
    paths.remove("/api/v1/commitments/0")
    paths.append("/api/v1/commitments?per_page=200")
    apis = {"admin": api_as("admin"), "organiser": api_as("organiser", regions=["51.05"]),
            "reviewer": api_as("reviewer", regions=["51.05"]),
            "stakeholder": api_as("stakeholder", organisation=factories.make_organisation(
                "BKM Tetangga", sector=Sector.MASYARAKAT, region_code="51.05"))}

    def counts():
        result = {}
        for name, api in apis.items():
            for path in paths:
                # A stakeholder's /indicators is a 403, counted all the same.
                response = api.get(path, expect=None if name == "stakeholder" else 200)
                result[(name, path)] = int(response.headers["X-Query-Count"])
        return result

    _grow(db, workshop, 1, 0)
    counts()  # every token is now marked used for the next minute
    stats_cache.clear()  # the commitment list is cached: compare first views
    small = counts()
    _grow(db, workshop, 9, 1)
    stats_cache.clear()
    large = counts()
    assert large == small
    assert len(apis["admin"].get(paths[3]).get_json()["data"]) == 10
    assert small[("admin", "/api/v1/workshops")] <= 6


# --- The cached commitment list ------------------------------------------------------------------


def test_a_repeat_commitment_page_is_cheaper_and_every_change_shows_on_the_next(api_as, scene,
                                                                                 db):
    api = api_as("reviewer", regions=["51.05"])
    first = api.get("/api/v1/commitments")
    repeat = api.get("/api/v1/commitments")
    assert repeat.get_data() == first.get_data()
    assert int(repeat.headers["X-Query-Count"]) < int(first.headers["X-Query-Count"])
    c1 = db.session.get(Commitment, scene["c1"])
    changes = {
        "commitment": lambda: setattr(c1, "title", "Normalisasi drainase tahap 2"),
        "update": lambda: db.session.add(CommitmentUpdate(
            commitment_id=c1.id, reported_on=date(2020, 6, 1), percent_complete=40,
            status=CommitmentStatus.DILAKSANAKAN,
            created_at=datetime(2020, 6, 1, tzinfo=timezone.utc))),
        "organisation": lambda: setattr(c1.organisation, "short_name", "Baperlitbang"),
        "workshop": lambda: setattr(c1.workshop, "title", "Lokakarya Klungkung II"),
        "region": lambda: setattr(c1.region, "name", "Kab. Klungkung"),
        "new commitment": lambda: factories.make_commitment(c1.organisation, None,
                                                            title="Sumur resapan"),
    }
    for name, change in changes.items():
        change()
        db.session.commit()
        c1 = db.session.get(Commitment, scene["c1"])
        body = api.get("/api/v1/commitments").get_json()
        [shown] = [c for c in body["data"] if c["id"] == c1.id]
        assert shown == api.get(f"/api/v1/commitments/{c1.id}").get_json(), name
    assert shown["title"] == "Normalisasi drainase tahap 2"
    assert [u["percent_complete"] for u in shown["updates"]] == [0, 10, 40]
    assert shown["organisation"]["short_name"] == "Baperlitbang"
    assert shown["workshop"]["title"] == "Lokakarya Klungkung II"
    assert shown["region"]["name"] == "Kab. Klungkung"
    assert body["meta"]["total"] == 2 and len(body["data"]) == 2


def test_cached_commitment_pages_are_not_shared_between_scopes(api_as, scene):
    viewers = {
        (scene["c1"],): api_as("reviewer", regions=["51.05"]),
        (scene["c2"], scene["c3"]): api_as("organiser", regions=["35.75"]),
        (scene["c1"], scene["c2"], scene["c3"]): api_as("reviewer", regions=[],
                                                        is_national=True),
        (scene["c1"], scene["c3"]): api_as("stakeholder", organisation=scene["bkm"]),
    }
    for _ in range(2):
        for expected, api in viewers.items():
            body = api.get("/api/v1/commitments").get_json()
            assert tuple(ids_of(body)) == expected and body["meta"]["total"] == len(expected)
    # The same URL with other filters, pages or links is its own answer.
    national = viewers[(scene["c1"], scene["c2"], scene["c3"])]
    assert ids(national.get("/api/v1/commitments?kabkota=35.75")) == [scene["c2"], scene["c3"]]
    second = national.get("/api/v1/commitments?per_page=1&page=2").get_json()
    assert ids_of(second) == [scene["c2"]] and second["links"]["prev"].endswith("page=1")


def ids_of(body: dict) -> list:
    return [row["id"] for row in body["data"]]
