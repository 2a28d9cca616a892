"""Every download that carries participants' or organisations' data leaves an audit event:
who (actor), when, which workshop (or organisation), in what form."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest
from sqlalchemy import select

from kotaku_collab.models import AuditEvent, Role, Sector
from tests import factories


@pytest.fixture
def setting(db):
    workshop = factories.make_workshop("51.05")
    org = factories.make_organisation("BKM Semarapura Kaja", sector=Sector.MASYARAKAT)
    person = factories.make_person(organisation=org, phone="+6281234567890",
                                   email="ayu@example.org")
    factories.make_registration(workshop, person)
    factories.make_commitment(org, workshop)
    organiser = factories.make_user(Role.ORGANISER, regions=["51.05"])
    stakeholder = factories.make_user(Role.STAKEHOLDER, organisation=org)
    db.session.commit()
    return {"workshop": workshop.id, "organisation": org.id,
            "organiser": (organiser.id, organiser.session_token),
            "stakeholder": (stakeholder.id, stakeholder.session_token)}


@pytest.mark.parametrize("role, path, entity_type, workshop_scoped, marker", [
    ("organiser", "/manage/workshops/{w}/participants.csv", "Workshop", True, ("format", "csv")),
    ("organiser", "/manage/workshops/{w}/participants.xlsx", "Workshop", True,
     ("format", "xlsx")),
    ("organiser", "/manage/workshops/{w}/daftar-hadir.pdf", "Workshop", True,
     ("document", "daftar_hadir")),
    ("organiser", "/manage/workshops/{w}/commitments/sheet.xlsx", "Workshop", True,
     ("kind", "commitment_progress_sheet")),
    ("stakeholder", "/commitments/sheet.xlsx", "Organisation", False,
     ("kind", "commitment_progress_sheet")),
])
def test_each_export_is_recorded_with_actor_time_and_workshop(app, db, setting, role, path,
                                                               entity_type, workshop_scoped,
                                                               marker):
    user_id, token = setting[role]
    client = app.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = token
        session["auth_at"] = datetime.now(timezone.utc).timestamp()
    before = datetime.now(timezone.utc)
    response = client.get(path.format(w=setting["workshop"]))
    assert response.status_code == 200
    [event] = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "export")).all()
    assert event.actor_id == user_id
    assert event.occurred_at >= before.replace(microsecond=0)
    assert event.entity_type == entity_type
    if workshop_scoped:
        assert event.workshop_id == event.entity_id == setting["workshop"]
    else:
        assert event.entity_id == setting["organisation"]
    key, value = marker
    assert event.changes[key] == value
    assert "ayu@example.org" not in str(event.changes) and "81234567890" not in str(event.changes)
