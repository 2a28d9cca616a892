"""Object-level authorisation (IDOR/BOLA) for the two neighbours the access matrix leaves out:
a stakeholder of another organisation in the same kabupaten, and a reviewer of another
kabupaten. Every route with an object id in its URL is tried, GET and POST, with Klungkung
objects of the matrix's world; a refused POST must leave every table as it was.
"""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from kotaku_collab.models import Base, Sector
from tests import factories
from tests.routes.test_access_matrix import ACCESS, _expected, _login_with, _outcome, _url
from tests.routes.test_access_matrix import world  # noqa: F401  (the fixture)

#: Access kinds where a user outside the object's organisation or region is refused.
REFUSED_FOR_OTHER_STAKEHOLDER = {"manage", "commitment_edit", "verify", "status", "admin",
                                 "organiser", "review"}

#: Access kinds decided by role alone (the object is never loaded for a refused role).
ROLE_ONLY = {"admin", "organiser", "review", "stakeholder"}

#: A plausible form, so a route that validated before authorising would show it.
FORM = {"title": "Diambil alih", "status": "selesai", "percent_complete": "100",
        "narrative": "bukan milik saya", "reported_on": "2030-02-01", "decision": "verified",
        "comment": "x", "name": "x", "text": "x", "capacity": "1", "role": "narasumber"}


#: URL arguments that name no database object.
NOT_OBJECTS = {"table"}


def _object_endpoints():
    from config import TestConfig
    from kotaku_collab import create_app

    app = create_app(TestConfig())
    return sorted(r.endpoint for r in app.url_map.iter_rules()
                  # <table> names an export table, not an object: those routes answer each
                  # user with their own scope (tests/routes/test_review_export.py).
                  if (r.arguments - NOT_OBJECTS) and r.endpoint not in ("static", "bootstrap.static")
                  and ACCESS.get(r.endpoint) != "public")


def _row_counts(db) -> dict[str, int]:
    return {t.name: db.session.scalar(select(func.count()).select_from(t))
            for t in Base.metadata.sorted_tables}


def _as(app, login_as, who, world):
    client = app.test_client()
    login = _login_with(client, login_as)
    if who == "stakeholder_other":
        neighbour = factories.make_organisation("LPM Semarapura Klod", sector=Sector.MASYARAKAT)
        login("stakeholder", organisation=neighbour)
    else:
        login("reviewer", regions=["35.75"])
    return client


@pytest.mark.parametrize("who", ["stakeholder_other", "reviewer_elsewhere"])
@pytest.mark.parametrize("endpoint", _object_endpoints())
def test_neighbours_cannot_reach_objects_that_are_not_theirs(app, db, login_as, world, endpoint,
                                                            who):
    rule = next(r for r in app.url_map.iter_rules() if r.endpoint == endpoint)
    kind = ACCESS[endpoint]
    url = _url(rule, world)
    client = _as(app, login_as, who, world)
    if kind == "api":
        expected = {"login"}  # cookies never open the API; tokens: tests/routes/test_api.py
    elif kind in ROLE_ONLY:
        # Decided by the role alone, before any object is read.
        allowed = _expected(kind, "stakeholder" if who == "stakeholder_other" else "reviewer")
        expected = {"forbidden", "hidden"} if allowed == "forbidden" else {allowed}
    elif who == "reviewer_elsewhere":
        expected = {"hidden"}  # nothing of another kabupaten is even confirmed to exist
    elif kind in REFUSED_FOR_OTHER_STAKEHOLDER:
        expected = {"forbidden", "hidden"}
    else:
        expected = {_expected(kind, "stakeholder")}
    methods = rule.methods - {"HEAD", "OPTIONS"}
    if "GET" in methods:
        response = client.get(url)
        response.close()  # first: a streamed body left open would leak into the next test
        assert _outcome(response) in expected, (who, "GET", url, response.status_code)
    if "POST" in methods and expected != {"allowed"}:
        db.session.commit()
        before = _row_counts(db)
        db.session.rollback()
        response = client.post(url, data=FORM)
        response.close()
        assert _outcome(response) in expected, (who, "POST", url, response.status_code)
        assert _row_counts(db) == before, (who, "POST", url)
        db.session.rollback()


def test_a_stakeholder_cannot_edit_or_report_on_another_organisations_commitment(
        app, db, login_as, world):
    """Spelled out for the case the issue names: the edit page, the edit POST and a progress
    update on a neighbour's commitment are refused, and the commitment is unchanged."""
    from kotaku_collab.models import Commitment, CommitmentUpdate

    client = _as(app, login_as, "stakeholder_other", world)
    commitment_id = world["commitment_id"]
    title = db.session.get(Commitment, commitment_id).title
    updates = db.session.scalar(select(func.count()).select_from(CommitmentUpdate))
    db.session.rollback()
    assert client.get(f"/commitments/{commitment_id}/edit").status_code in (403, 404)
    assert client.post(f"/commitments/{commitment_id}/edit", data=FORM).status_code in (403, 404)
    assert client.post(f"/commitments/{commitment_id}/updates",
                       data=FORM).status_code in (403, 404)
    db.session.expire_all()
    assert db.session.get(Commitment, commitment_id).title == title
    assert db.session.scalar(select(func.count()).select_from(CommitmentUpdate)) == updates


def test_a_stakeholder_sees_only_their_own_organisation_on_mine(app, db, login_as, world):
    client = _as(app, login_as, "stakeholder_other", world)
    page = client.get("/commitments/mine")
    assert page.status_code == 200
    from kotaku_collab.models import Commitment

    title = db.session.get(Commitment, world["commitment_id"]).title
    assert title not in page.get_data(as_text=True)
    sheet = client.get("/commitments/sheet.xlsx")
    assert sheet.status_code == 200
    from io import BytesIO

    from openpyxl import load_workbook

    cells = [str(c.value) for row in load_workbook(BytesIO(sheet.data)).active.iter_rows()
             for c in row if c.value is not None]
    assert title not in cells
