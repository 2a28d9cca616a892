"""Every route has an access rule, and every role gets what the rule says.

A new route cannot ship without an entry in ACCESS: test_every_route_has_an_access_rule fails.
The matrix then requests each route as each role, with objects of Kabupaten Klungkung (51.05),
and checks the outcome class: allowed, login required, forbidden (403) or hidden (404).
"""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest

from kotaku_collab.models import (AgendaItem, AgreementPoint, Cadence, CommitmentStatus,
                                  CommitmentUpdate, CoordinationMechanism, EvidenceFile,
                                  IndicatorKind, MechanismMeeting, MechanismType,
                                  RegionIndicator, Role, Sector, SessionType)
from tests import factories

#: Access kinds:
#:   public        anyone, no login
#:   signed_in     any signed-in role
#:   admin         administrators only
#:   organiser     administrators and organisers (no object in the URL)
#:   manage        administrators and organisers of the object's region; others who may see
#:                 the object get 403, those who may not see it get 404
#:   view          anyone signed in whose scope contains the object's region (others 404)
#:   review        administrators and reviewers
#:   stakeholder   a stakeholder, for their own organisation only
#:   commitment_create / commitment_edit   organisers (of the region) and the committing
#:                 organisation's stakeholders; reviewers read but do not edit
#:   verify        administrators and reviewers of the commitment's region
#:   api           the JSON API (/api/v1): a bearer token only, so every role with just a
#:                 session cookie gets a 401 JSON answer ("login"); tests/routes/test_api.py
#:                 checks each role's token
#:   indicator_list    administrators, organisers and reviewers (each sees their own regions)
#:   indicator_view    administrators, and organisers and reviewers whose scope holds the
#:                 kab/kota (others 404; stakeholders 403)
#:   indicator_manage  administrators and reviewers of the kab/kota; organisers of it 403
ACCESS: dict[str, str] = {
    "static": "public",
    "bootstrap.static": "public",
    "main.index": "public",
    "main.healthz": "public",
    "main.language": "public",
    "main.home": "signed_in",
    "auth.login": "public",
    "auth.logout": "signed_in",
    "auth.password": "signed_in",
    "account.tokens": "signed_in",
    "account.revoke": "signed_in",
    "api.openapi": "public",
    "api.workshops": "api",
    "api.workshop": "api",
    "api.agenda": "api",
    "api.registrations": "api",
    "api.issues": "api",
    "api.mechanisms": "api",
    "api.agreement_points": "api",
    "api.commitments": "api",
    "api.commitment": "api",
    "api.indicators": "api",
    "api.summary": "api",
    "admin.users": "admin",
    "admin.create_user": "admin",
    "admin.edit_user": "admin",
    "admin.activate_user": "admin",
    "admin.deactivate_user": "admin",
    "admin.reset_password": "admin",
    "admin.audit": "admin",
    "admin.object_history": "admin",
    "public.workshop": "public",
    "public.workshop_ics": "public",
    "public.region_feed": "public",
    "registration.register": "public",
    "registration.confirmation": "public",
    "registration.cancel": "public",
    "registration.checkin_code": "manage",
    "workshops.index": "signed_in",
    "workshops.calendar": "signed_in",
    "workshops.detail": "view",
    "workshops.create": "organiser",
    "workshops.edit": "manage",
    "workshops.duplicate": "manage",
    "workshops.change_status": "status",
    "workshops.cancel": "manage",
    "workshops.agenda": "manage",
    "workshops.agenda_edit": "manage",
    "workshops.agenda_delete": "manage",
    "workshops.agenda_move": "manage",
    "workshops.invitation": "manage",
    "participants.index": "manage",
    "participants.people_json": "manage",
    "participants.add": "manage",
    "participants.create": "manage",
    "participants.cancel": "manage",
    "participants.role": "manage",
    "participants.checkin": "manage",
    "participants.record": "manage",
    "participants.walk_in": "manage",
    "participants.daftar_hadir": "manage",
    "participants.export_csv": "manage",
    "participants.export_xlsx": "manage",
    "participants.import_participants": "manage",
    "participants.import_template_xlsx": "manage",
    "directory.organisations": "organiser",
    "directory.new_organisation": "organiser",
    "directory.edit_organisation": "organiser",
    "directory.merge_organisation": "admin",
    "directory.people": "organiser",
    "directory.lookup_people": "organiser",
    "directory.search": "organiser",
    "directory.new_person": "organiser",
    "directory.person": "organiser",
    "directory.edit_person": "organiser",
    "directory.merge_person": "admin",
    "commitments.index": "signed_in",
    "commitments.mine": "stakeholder",
    "commitments.organisation_sheet": "stakeholder",
    "commitments.organisation_sheet_upload": "stakeholder",
    "commitments.create": "commitment_create",
    "commitments.detail": "view",
    "commitments.evidence": "view",
    "commitments.edit": "commitment_edit",
    "commitments.post_update": "commitment_edit",
    "commitments.verify": "verify",
    "commitments.quick_entry": "manage",
    "commitments.workshop_sheet": "manage",
    "commitments.workshop_sheet_upload": "manage",
    "commitments.reminders": "organiser",
    "outcomes.overview": "view",
    "outcomes.carry_over_page": "view",
    "outcomes.issue": "view",
    "outcomes.mechanism": "view",
    "outcomes.ranking_page": "view",
    "outcomes.berita_acara": "view",
    "outcomes.notulen": "view",
    "outcomes.issue_new": "manage",
    "outcomes.issue_edit": "manage",
    "outcomes.issue_delete": "manage",
    "outcomes.issue_merge": "manage",
    "outcomes.vote_manage": "manage",
    "outcomes.vote_close": "manage",
    "outcomes.vote_code": "public",
    "outcomes.ballot": "public",
    "outcomes.mechanism_new": "manage",
    "outcomes.mechanism_edit": "manage",
    "outcomes.mechanism_delete": "manage",
    "outcomes.meeting_add": "manage",
    "outcomes.meeting_delete": "manage",
    "outcomes.agreements": "manage",
    "outcomes.agreement_edit": "manage",
    "outcomes.agreement_delete": "manage",
    "outcomes.agreement_move": "manage",
    "outcomes.minutes": "manage",
    "outcomes.finalise_workshop": "manage",
    "review.export_xlsx": "review",
    "review.export_csv": "review",
    "review.dashboard": "review",
    "review.dashboard_pdf": "review",
    "review.gaps": "review",
    "review.compare": "review",
    "indicators.index": "indicator_list",
    "indicators.region": "indicator_view",
    "indicators.create": "indicator_manage",
    "indicators.edit": "indicator_manage",
    "indicators.delete": "indicator_manage",
    "indicators.import_csv": "review",
    "indicators.template_csv": "review",
}

ROLES = ["anonymous", "admin", "organiser", "organiser_elsewhere", "stakeholder", "reviewer"]


def test_every_route_has_an_access_rule(app):
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    missing = sorted(endpoints - ACCESS.keys())
    assert not missing, f"routes without an access rule in ACCESS: {missing}"
    stale = sorted(ACCESS.keys() - endpoints)
    assert not stale, f"ACCESS lists routes that no longer exist: {stale}"


@pytest.fixture
def world(db, app, tmp_path, monkeypatch):
    """Objects of Klungkung (51.05) that URLs point at."""
    workshop = factories.make_workshop("51.05")
    factories.make_region("35.75")
    org = factories.make_organisation("BKM Semarapura Kaja", sector=Sector.MASYARAKAT)
    person = factories.make_person(organisation=org)
    registration = factories.make_registration(workshop, person)
    issue = factories.make_issue(workshop, "Drainase Semarapura")
    commitment = factories.make_commitment(org, workshop)
    item = AgendaItem(workshop_id=workshop.id, title="Pembukaan",
                      session_type=SessionType.PEMBUKAAN, starts_at=workshop.starts_at,
                      ends_at=workshop.starts_at + timedelta(minutes=30))
    mechanism = CoordinationMechanism(workshop_id=workshop.id, type=MechanismType.RAPAT_POKJA_PKP,
                                      name="Rapat Pokja PKP", cadence=Cadence.TRIWULANAN)
    point = AgreementPoint(workshop_id=workshop.id, number=1, text="Rapat triwulanan")
    update = CommitmentUpdate(commitment_id=commitment.id, reported_on=date(2030, 1, 10),
                              status=CommitmentStatus.DISEPAKATI, percent_complete=0)
    db.session.add_all([item, mechanism, point, update])
    db.session.flush()
    meeting = MechanismMeeting(mechanism_id=mechanism.id, held_on=date(2030, 1, 15))
    stored = "a" * 32 + ".pdf"
    evidence = EvidenceFile(update_id=update.id, stored_name=stored, original_name="bukti.pdf",
                            content_type="application/pdf", size_bytes=8)
    indicator = RegionIndicator(region_code="51.05", year=2019, kind=IndicatorKind.WATER_ACCESS_PCT,
                                value=80, source="BPS Susenas 2019")
    db.session.add_all([meeting, evidence, indicator])
    target_user = factories.make_user(Role.STAKEHOLDER, organisation=org)
    db.session.commit()
    monkeypatch.setitem(app.config, "EVIDENCE_UPLOAD_DIR", str(tmp_path))
    (tmp_path / stored).write_bytes(b"%PDF-1.4")
    return {
        "workshop_id": workshop.id, "code": workshop.code, "item_id": item.id,
        "registration_id": registration.id, "registration_code": registration.code,
        "user_id": target_user.id, "region_code": "51.05", "entity_type": "Workshop",
        "entity_id": workshop.id, "token": "not-a-token", "organisation_id": org.id,
        "person_id": person.id, "issue_id": issue.id, "mechanism_id": mechanism.id,
        "meeting_id": meeting.id, "point_id": point.id, "commitment_id": commitment.id,
        "update_id": update.id, "evidence_id": evidence.id, "organisation": org,
        "table": "commitments",
        "indicator_id": indicator.id,
    }


def _url(rule, world) -> str:
    def value(match):
        name = match.group(2)
        return str(world.get(name, "1"))

    url = re.sub(r"<(?:(\w+):)?(\w+)>", value, rule.rule)
    return url


def _login_with(client, login_as):
    """login_as is bound to the fixture's client; log this client in the same way."""

    def login(role, **kwargs):
        from datetime import datetime, timezone

        user = factories.make_user(Role(role), **kwargs)
        factories.db.session.commit()
        with client.session_transaction() as session:
            session["_user_id"] = user.session_token
            session["auth_at"] = datetime.now(timezone.utc).timestamp()
        return user

    return login


def _login(client, login_as, role, world):
    if role == "anonymous":
        return
    if role == "organiser_elsewhere":
        login_as("organiser", regions=["35.75"])
    elif role == "stakeholder":
        login_as("stakeholder", organisation=world["organisation"])
    else:
        login_as(role, regions=["51.05"])


def _expected(kind: str, role: str) -> str:
    if kind == "api":
        return "login"  # a session cookie never opens the API: 401 without a bearer token
    if kind == "public":
        return "allowed"
    if role == "anonymous":
        return "login"
    table = {
        "signed_in": {},
        "admin": {r: "forbidden" for r in ROLES if r != "admin"},
        "organiser": {"stakeholder": "forbidden", "reviewer": "forbidden"},
        "manage": {"organiser_elsewhere": "hidden", "stakeholder": "forbidden",
                   "reviewer": "forbidden"},
        "view": {"organiser_elsewhere": "hidden"},
        "review": {"organiser": "forbidden", "organiser_elsewhere": "forbidden",
                   "stakeholder": "forbidden"},
        "stakeholder": {"admin": "forbidden", "organiser": "forbidden",
                        "organiser_elsewhere": "forbidden", "reviewer": "forbidden"},
        "commitment_create": {"reviewer": "forbidden"},
        "commitment_edit": {"organiser_elsewhere": "hidden", "reviewer": "forbidden"},
        # Organisers move a workshop along; reviewers may only mark it as reviewed.
        "status": {"organiser_elsewhere": "hidden", "stakeholder": "forbidden"},
        "verify": {"organiser": "forbidden", "organiser_elsewhere": "hidden",
                   "stakeholder": "forbidden"},
        # 100-0-100 figures: organisers and reviewers of the region read them; reviewers of
        # the region and administrators change them.
        "indicator_list": {"stakeholder": "forbidden"},
        "indicator_view": {"organiser_elsewhere": "hidden", "stakeholder": "forbidden"},
        "indicator_manage": {"organiser": "forbidden", "organiser_elsewhere": "hidden",
                             "stakeholder": "forbidden"},
    }[kind]
    return table.get(role, "allowed")


def _outcome(response) -> str:
    if response.status_code in (301, 302, 303) and "/login" in response.headers.get("Location", ""):
        return "login"
    if response.status_code == 401:
        return "login"
    if response.status_code == 403:
        return "forbidden"
    if response.status_code == 404:
        return "hidden"
    assert response.status_code < 500, response.status_code
    return "allowed"


def _endpoints():
    from config import TestConfig
    from kotaku_collab import create_app

    app = create_app(TestConfig())
    return sorted(r.endpoint for r in app.url_map.iter_rules()
                  if r.endpoint not in ("static", "bootstrap.static"))


@pytest.mark.parametrize("endpoint", _endpoints())
def test_each_role_gets_what_the_access_rule_says(app, login_as, world, endpoint):
    rule = next(r for r in app.url_map.iter_rules() if r.endpoint == endpoint)
    kind = ACCESS[endpoint]
    methods = rule.methods - {"HEAD", "OPTIONS"}
    url = _url(rule, world)
    for role in ROLES:
        expected = _expected(kind, role)
        if "GET" not in methods and expected == "allowed":
            continue  # a state-changing POST by an allowed role: the feature's own tests
        client = app.test_client()
        _login(client, _login_with(client, login_as), role, world)
        response = client.get(url) if "GET" in methods else client.post(url, data={})
        outcome = _outcome(response)
        response.close()
        where = (role, url, response.status_code)
        if kind == "public":
            assert outcome in ("allowed", "hidden"), where
        elif expected == "forbidden":
            assert outcome in ("forbidden", "hidden"), where
        else:
            # "hidden": objects outside one's scope must not be confirmed to exist.
            assert outcome == expected, where
