"""Fuzzing every form through the test client (hypothesis).

Each form gets, field by field, a valid value, random Unicode, an overlong string, a
number-like or date-like string, control characters, or nothing at all. Whatever arrives:
  * the answer is never a 5xx;
  * a rejected request (4xx, or the form shown again with errors) changed no row in any table.
An accepted request (a redirect) may change data; the next example builds on it.
"""

from __future__ import annotations

import io
from datetime import date, datetime, timedelta, timezone

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from kotaku_collab.models import (Aspect, Base, Cadence, CommitmentStatus, CommitmentType,
                                  FundingSource, Gender, MechanismType, OrganisationSubtype,
                                  ParticipantRole, Role, Scale, Sector, SessionType,
                                  WorkshopKind)
from tests import factories
from tests.factories import PASSWORD

FUZZ = settings(max_examples=25, deadline=None, database=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture,
                                       HealthCheck.too_slow])

EDGE_CASES = ["", " ", "0", "-1", "1.5", "99999999999999999999", "1e308", "NaN", "-0",
              "2030-02-30", "2030-13-01", "0000-00-00T00:00", "2030-01-01T25:61", "25:61",
              "\x00", "a\x00b", "\u202e", "\ufeff", "😀" * 5, "١٢٣", "<script>alert(1)</script>",
              "' OR 1=1 --", "=HYPERLINK(\"http://x\")", "51.05", "99.99", "x" * 5000,
              "Rp 1.250.000.000", "1.250.000,-", "on", "y"]

#: Overlong values are repeats of a short random text: as long as needed, cheap to generate.
overlong = st.tuples(st.text(min_size=1, max_size=4), st.integers(100, 1500)).map(
    lambda pair: pair[0] * pair[1])
junk = st.one_of(st.text(max_size=40), st.sampled_from(EDGE_CASES),
                 st.from_regex(r"\A[-+0-9.,eE ]{1,25}\Z"), overlong)


def enum(e) -> st.SearchStrategy[str]:
    return st.sampled_from([m.value for m in e])


def words(max_size=40) -> st.SearchStrategy[str]:
    return st.text(st.characters(whitelist_categories=("L", "N", "Zs")), min_size=1,
                   max_size=max_size)


def form_data(valid: dict[str, st.SearchStrategy]) -> st.SearchStrategy[dict]:
    """A valid form; a valid form with one field spoilt or left out; or every field at
    random (valid, junk or missing). None means the field is not sent."""
    names = sorted(valid)
    all_valid = st.fixed_dictionaries(valid)

    @st.composite
    def one_spoilt(draw):
        data = draw(all_valid)
        data[draw(st.sampled_from(names))] = draw(st.one_of(junk, st.none()))
        return data

    anything = st.fixed_dictionaries({name: st.one_of(strategy, junk, st.none())
                                      for name, strategy in valid.items()})
    return st.one_of(all_valid, one_spoilt(), anything)


def local(days: int, hour: int) -> str:
    return (datetime(2030, 3, 4) + timedelta(days=days, hours=hour)).strftime("%Y-%m-%dT%H:%M")


@pytest.fixture
def world(db, app, tmp_path, monkeypatch):
    monkeypatch.setitem(app.config, "EVIDENCE_UPLOAD_DIR", str(tmp_path))
    factories.make_region("51.05.03.1001")
    workshop = factories.make_workshop("51.05", starts_at=datetime(2030, 3, 4, 1, tzinfo=timezone.utc),
                                       capacity=40)
    org = factories.make_organisation("BKM Semarapura Kaja", sector=Sector.MASYARAKAT)
    person = factories.make_person("Ni Luh Ayu", organisation=org)
    commitment = factories.make_commitment(org, workshop)
    issue = factories.make_issue(workshop)
    admin = factories.make_user(Role.ADMIN)
    organiser = factories.make_user(Role.ORGANISER, regions=["51.05"])
    stakeholder = factories.make_user(Role.STAKEHOLDER, organisation=org)
    ids = {"workshop_id": workshop.id, "code": workshop.code, "organisation_id": org.id,
           "person_id": person.id, "commitment_id": commitment.id, "issue_id": issue.id,
           "day": workshop.starts_at.date().isoformat(), "email": stakeholder.email}
    tokens = {"admin": admin.session_token, "organiser": organiser.session_token,
              "stakeholder": stakeholder.session_token}
    db.session.commit()
    return ids, tokens


def _client(app, token):
    client = app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    if token:
        with client.session_transaction() as session:
            session["_user_id"] = token
            session["auth_at"] = datetime.now(timezone.utc).timestamp()
    return client


def _counts(db) -> dict[str, int]:
    counts = {t.name: db.session.scalar(select(func.count()).select_from(t))
              for t in Base.metadata.sorted_tables}
    db.session.rollback()  # hold no transaction (nor SQLite lock) while the app writes
    return counts


def _rejected(response) -> bool:
    if 400 <= response.status_code < 500:
        return True
    if response.status_code == 200 and response.mimetype == "text/html":
        html = response.get_data(as_text=True)
        return "is-invalid" in html or 'class="alert alert-danger"' in html
    return False


def _post_and_check(app, db, client, url, data, *, changes_on_200=False):
    before = _counts(db)
    response = client.post(url, data={k: v for k, v in data.items() if v is not None},
                           content_type="multipart/form-data")
    assert response.status_code < 500, (url, response.status_code, data)
    if _rejected(response) and not changes_on_200:
        assert _counts(db) == before, (url, response.status_code, data)
    response.close()
    return response


# --- the forms ------------------------------------------------------------------------------

def workshop_fields(ids):
    start = st.integers(0, 3)
    return {
        "title": words(40), "kind": enum(WorkshopKind),
        "region_code": st.sampled_from(["51.05", "35.75", "51"]),
        "venue": words(40),
        "starts_local": start.map(lambda d: local(d, 9)),
        "ends_local": start.map(lambda d: local(d, 15)),
        "capacity": st.integers(0, 500).map(str),
        "registration_opens_local": st.just(local(-20, 8)),
        "registration_closes_local": st.just(local(-1, 8)),
        "objectives": words(40), "invitation_number": words(40),
        "opened_by_id": st.just(str(ids["person_id"])),
        "opened_by_position": words(40),
        "sector_targets-masyarakat": st.integers(0, 50).map(str),
        "confirm_conflicts": st.just("y"),
    }


def commitment_fields(ids):
    return {
        "organisation_id": st.just(str(ids["organisation_id"])),
        "committed_by_id": st.just(str(ids["person_id"])),
        "region_code": st.just("51.05"),
        "workshop_id": st.just(str(ids["workshop_id"])),
        "issue_ids": st.just(str(ids["issue_id"])),
        "type": enum(CommitmentType), "aspect": enum(Aspect),
        "scale": enum(Scale), "location_code": st.just("51.05.03.1001"),
        "location_text": words(40), "title": words(40),
        "description": words(40), "volume": st.decimals(0, 10**6, places=2).map(str),
        "unit": words(20), "amount_idr": st.integers(0, 10**12).map(str),
        "funding_source": enum(FundingSource),
        "fiscal_year": st.integers(2015, 2035).map(str),
        "target_date": st.dates(date(2020, 1, 1), date(2035, 1, 1)).map(str),
        "document_ref": words(40), "integrated_into": words(40),
    }


def person_fields(prefix=""):
    return {prefix + name: strategy for name, strategy in {
        "name": words(40), "organisation": words(40),
        "sector": enum(Sector), "position": words(40),
        "phone": st.from_regex(r"\A08[1-9][0-9]{8,10}\Z"),
        "email": st.emails(), "gender": enum(Gender),
    }.items()}


#: name → (role, URL template, fields(ids) -> {name: strategy}, 200 may change data)
FORMS = {
    "auth.login": (None, "/login", lambda ids: {
        "email": st.one_of(st.just(ids["email"]), st.emails()), "password": st.just(PASSWORD)},
                   False),
    "workshops.create": ("organiser", "/manage/workshops/new", workshop_fields, False),
    "workshops.edit": ("organiser", "/manage/workshops/{workshop_id}/edit", workshop_fields,
                       False),
    "workshops.agenda": ("organiser", "/manage/workshops/{workshop_id}/agenda", lambda ids: {
        "title": words(40), "session_type": enum(SessionType),
        "day": st.just(ids["day"]), "start": st.sampled_from(["09:00", "13:30"]),
        "end": st.sampled_from(["10:00", "12:00", "15:00"]),
        "speaker_ids": st.just(str(ids["person_id"])),
        "moderator_id": st.just(str(ids["person_id"])),
        "confirm_conflicts": st.just("y")}, False),
    # "Already registered" is a 200 that queues a notice: the page has no error markers.
    "registration.register": (None, "/w/{code}/register", lambda ids: {
        **person_fields(), "consent": st.just("y"), "website": st.one_of(
            st.none(), st.just(""), junk)}, False),
    "participants.create": ("organiser", "/manage/workshops/{workshop_id}/participants/new",
                            lambda ids: {**person_fields("new-"),
                                         "new-role": enum(ParticipantRole)}, False),
    "participants.walk_in": ("organiser", "/manage/workshops/{workshop_id}/checkin/walk-in",
                             lambda ids: person_fields("walkin-"), False),
    "participants.add": ("organiser", "/manage/workshops/{workshop_id}/participants/add",
                         lambda ids: {"person_id": st.just(str(ids["person_id"])),
                                      "role": enum(ParticipantRole)}, False),
    "directory.new_organisation": ("organiser", "/manage/organisations/new", lambda ids: {
        "name": words(40), "short_name": words(40), "sector": enum(Sector),
        "subtype": enum(OrganisationSubtype),
        "region_code": st.sampled_from(["51.05", "51", "35.75"]),
        "contact": words(40)}, False),
    "directory.new_person": ("organiser", "/manage/people/new", lambda ids: {
        "name": words(40), "title_prefix": words(20),
        "title_suffix": words(40), "position": words(40),
        "nip": st.from_regex(r"\A[0-9]{18}\Z"),
        "organisation_id": st.just(str(ids["organisation_id"])),
        "gender": enum(Gender), "phone": st.from_regex(r"\A08[1-9][0-9]{8,10}\Z"),
        "email": st.emails(), "create_anyway": st.just("y")}, False),
    "outcomes.issue_new": ("organiser", "/manage/workshops/{workshop_id}/outcomes/issues/new",
                           lambda ids: {
        "title": words(40), "description": words(40),
        "aspects": enum(Aspect), "location_code": st.just("51.05.03.1001"),
        "proposed_by_id": st.just(str(ids["organisation_id"])),
        "priority": st.sampled_from(["1", "2", "3"]), "agreed": st.just("y")},
                           False),
    "outcomes.mechanism_new": ("organiser",
                               "/manage/workshops/{workshop_id}/outcomes/mechanisms/new",
                               lambda ids: {
        "type": enum(MechanismType), "name": words(40),
        "lead_organisation_id": st.just(str(ids["organisation_id"])),
        "member_ids": st.just(str(ids["organisation_id"])),
        "cadence": enum(Cadence),
        "next_meeting_on": st.dates(date(2030, 1, 1), date(2031, 1, 1)).map(str),
        "legal_basis": words(40),
        "contact_channel": st.sampled_from(["https://pokja.example.id", "WA 0812 3456 7890",
                                                  "javascript:alert(1)"]),
        "description": words(40)}, False),
    "outcomes.agreements": ("organiser", "/manage/workshops/{workshop_id}/outcomes/agreements",
                            lambda ids: {
        "text": words(40), "issue_ids": st.just(str(ids["issue_id"])),
        "organisation_ids": st.just(str(ids["organisation_id"]))}, False),
    "outcomes.minutes": ("organiser", "/manage/workshops/{workshop_id}/outcomes/minutes",
                         lambda ids: {
        "document_number": words(40), "opened_by": words(40),
        "opening_remarks": words(40), "presentations": words(40),
        "discussion_summary": words(40), "signatories-0-name": words(40),
        "signatories-0-position": words(40),
        "signatories-0-organisation": words(40)}, False),
    "commitments.create": ("organiser", "/commitments/new", commitment_fields, False),
    "commitments.edit": ("stakeholder", "/commitments/{commitment_id}/edit", commitment_fields,
                         False),
    "commitments.post_update": ("stakeholder", "/commitments/{commitment_id}/updates",
                                lambda ids: {
        "reported_on": st.dates(date.today() - timedelta(days=400), date.today()).map(str),
        "status": enum(CommitmentStatus),
        "percent_complete": st.integers(-5, 105).map(str),
        "narrative": words(40)}, False),
    "admin.create_user": ("admin", "/admin/users/new", lambda ids: {
        "name": words(40), "role": enum(Role),
        "organisation_id": st.just(str(ids["organisation_id"])),
        "region_codes": st.sampled_from(["51.05", "51", "35.75", "51.05.03"]),
        "is_national": st.just("y"), "email": st.emails(),
        "password": st.text(min_size=8, max_size=80)}, False),
    "directory.lookup_people": ("organiser", "/manage/people/lookup", lambda ids: {
        "contact": st.one_of(st.emails(), st.from_regex(r"\A08[0-9]{9}\Z"))}, False),
    "main.language": (None, "/language", lambda ids: {
        "locale": st.sampled_from(["id", "en"]), "next": st.just("/w/x")}, False),
}


@pytest.mark.parametrize("name", sorted(FORMS))
def test_forms_survive_any_input_and_rejections_change_nothing(app, db, world, name):
    ids, tokens = world
    role, template, fields, changes_on_200 = FORMS[name]
    url = template.format(**ids)
    strategies = fields(ids)
    client = _client(app, tokens.get(role))

    @FUZZ
    @given(form_data(strategies))
    def fuzz(data):
        _post_and_check(app, db, client, url, data, changes_on_200=changes_on_200)

    fuzz()


# --- uploads ------------------------------------------------------------------------------

csv_row = st.lists(st.one_of(words(30), junk.map(lambda s: s[:40])), min_size=1, max_size=9)
csv_text = st.lists(csv_row, max_size=8).map(
    lambda rows: "\r\n".join(",".join('"' + c.replace('"', '""') + '"' for c in r) for r in rows))
HEADER = "name,organisation,sector,position,phone,email,gender,role\r\n"
upload_bytes = st.one_of(st.binary(max_size=3000), csv_text.map(str.encode),
                         csv_text.map(lambda t: (HEADER + t).encode("utf-8")),
                         st.just(b"PK\x03\x04" + bytes(60)))
upload_name = st.sampled_from(["peserta.csv", "peserta.xlsx", "p.txt", "", "../../x.csv"])


UPLOADS = {
    # The import report is a 200 that may import the valid rows; only "no 5xx" is asserted.
    "participants.import_participants": (
        "organiser", "/manage/workshops/{workshop_id}/participants/import", "file",
        {"valid_only": st.one_of(st.none(), st.just("y"))}, True),
    "commitments.workshop_sheet_upload": (
        "organiser", "/manage/workshops/{workshop_id}/commitments/sheet/upload", "sheet", {},
        False),
    "commitments.organisation_sheet_upload": (
        "stakeholder", "/commitments/sheet/upload", "sheet", {}, False),
    "commitments.post_update (evidence)": (
        "stakeholder", "/commitments/{commitment_id}/updates", "evidence",
        {"reported_on": st.just("2030-03-05"), "status": st.just("disepakati"),
         "percent_complete": st.just("0"), "narrative": st.just("Rapat")}, False),
}


@pytest.mark.parametrize("name", sorted(UPLOADS))
def test_uploads_of_any_bytes_never_fail_and_rejections_change_nothing(app, db, world, name):
    ids, tokens = world
    role, template, file_field, extra, changes_on_200 = UPLOADS[name]
    url = template.format(**ids)
    client = _client(app, tokens[role])

    @FUZZ
    @given(upload_bytes, upload_name, st.fixed_dictionaries(extra))
    def fuzz(content, filename, data):
        _post_and_check(app, db, client, url,
                        {**data, file_field: (io.BytesIO(content), filename)},
                        changes_on_200=changes_on_200)

    fuzz()


# --- query strings ------------------------------------------------------------------------

QUERY_NAMES = ["q", "page", "workshop", "organisation", "region", "sector", "status", "kind",
               "when", "date_from", "date_to", "role", "active", "entity_type", "entity_id",
               "workshop_id", "actor", "action", "aspect", "funding_source", "flag",
               "verification", "sort", "merged", "source", "month", "year", "start", "end",
               "province", "kabkota", "next"]


@pytest.mark.parametrize("role", ["admin", "organiser", "stakeholder"])
def test_list_pages_survive_any_query_string(app, db, world, role):
    """Filters, search boxes and page numbers of every page without ids in its path (plus
    the workshop's own pages) never answer 5xx, whatever the query string holds."""
    ids, tokens = world
    client = _client(app, tokens[role])
    urls = sorted({rule.rule.replace("<int:workshop_id>", str(ids["workshop_id"]))
                   for rule in app.url_map.iter_rules()
                   if "GET" in rule.methods and rule.endpoint not in ("static", "bootstrap.static")
                   and set(rule.arguments) <= {"workshop_id"}})

    @FUZZ
    @given(st.sampled_from(urls), st.dictionaries(st.sampled_from(QUERY_NAMES),
                                                  st.one_of(junk, st.integers().map(str)),
                                                  max_size=6))
    def fuzz(url, query):
        response = client.get(url, query_string=query)
        assert response.status_code < 500, (url, query, response.status_code)
        response.close()
        db.session.rollback()

    fuzz()


# --- what the fuzzing found ---------------------------------------------------------------

HUGE = "9" * 25


@pytest.mark.parametrize("path, status", [
    (f"/workshops/{HUGE}", 404), (f"/commitments/{HUGE}", 404),
    (f"/manage/people/{HUGE}", 404), (f"/admin/audit/Workshop/{HUGE}", 404),
    (f"/workshops/?page={HUGE}", 200), (f"/admin/users?page={HUGE}", 200),
    (f"/manage/organisations/?page={HUGE}", 200), (f"/commitments/?page={HUGE}", 200),
    (f"/admin/audit?entity_id={HUGE}&workshop_id={HUGE}", 200),
    (f"/manage/people/?organisation={HUGE}", 200), (f"/manage/people/?organisation=-{HUGE}", 200),
    (f"/commitments/new?workshop={HUGE}", 200),
])
def test_numbers_beyond_the_database_integers_are_not_a_server_error(app, db, world, path,
                                                                     status):
    """These were OverflowErrors (500) on SQLite and out-of-range errors on PostgreSQL."""
    _ids, tokens = world
    response = _client(app, tokens["admin"]).get(path)
    assert response.status_code == status


def test_adding_a_person_with_an_impossible_id_is_a_form_error(app, db, world):
    ids, tokens = world
    before = _counts(db)
    response = _client(app, tokens["organiser"]).post(
        f"/manage/workshops/{ids['workshop_id']}/participants/add",
        data={"person_id": HUGE, "role": "peserta"})
    assert response.status_code == 200 and _rejected(response)
    assert _counts(db) == before


@pytest.mark.parametrize("name", sorted(FORMS))
def test_a_nul_byte_in_any_field_never_reaches_the_database(app, db, world, name):
    """PostgreSQL cannot hold NUL in text: a login with "a\x00b" as e-mail was a DataError
    (500) there. In forms and query strings NUL becomes SUB (U+001A) before views read it."""
    ids, tokens = world
    role, template, fields, _changes_on_200 = FORMS[name]
    client = _client(app, tokens.get(role))
    url = template.format(**ids)
    for field_name in fields(ids):
        response = client.post(url, data={field_name: "a\x00b"})
        assert response.status_code < 500, (name, field_name, response.status_code)
        assert "a\x00b" not in response.get_data(as_text=True)
        response.close()
        db.session.rollback()


@pytest.mark.parametrize("path, status", [
    ("/workshops/?q=a%00b", 200), ("/manage/people/search?q=%00", 200),
    ("/commitments/?q=%00&organisation=%00", 200), ("/w/AB%00CD/register", 404),
    ("/workshops/1%00", 404)])
def test_a_nul_byte_in_the_url_is_no_server_error(app, db, world, path, status):
    _ids, tokens = world
    assert _client(app, tokens["admin"]).get(path).status_code == status


@pytest.mark.parametrize("name, field_name", [
    ("workshops.create", "capacity"), ("workshops.edit", "sector_targets-masyarakat"),
    ("participants.add", "person_id"), ("commitments.create", "fiscal_year"),
    ("commitments.post_update", "percent_complete")])
def test_a_number_with_hundreds_of_digits_is_a_form_error(app, db, world, name, field_name):
    """WTForms' NumberRange made such numbers a float: an OverflowError (500) until integer
    fields were clamped (kotaku_collab.forms.clamp_integer)."""
    ids, tokens = world
    role, template, _fields, _changes_on_200 = FORMS[name]
    before = _counts(db)
    response = _client(app, tokens.get(role)).post(template.format(**ids),
                                                    data={field_name: "9" * 1500})
    assert response.status_code == 200 and _rejected(response)
    assert _counts(db) == before
