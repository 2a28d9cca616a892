"""The audit mechanism: one event per change of an audited model, with actor and reason."""

from __future__ import annotations

from sqlalchemy import select

from kotaku_collab import audit
from kotaku_collab.models import AuditEvent, Organisation, Role
from kotaku_collab.services import audit_log
from tests import factories


def events(db, entity_type=None):
    query = select(AuditEvent).order_by(AuditEvent.id)
    if entity_type:
        query = query.where(AuditEvent.entity_type == entity_type)
    return list(db.session.scalars(query))


def test_creating_a_workshop_records_one_create_event_with_actor(db):
    admin = factories.make_user(Role.ADMIN)
    with audit.acting_as(admin):
        workshop = factories.make_workshop(title="Lokakarya Klungkung")
    [event] = events(db)
    assert event.action == "create"
    assert event.entity_type == "Workshop"
    assert event.entity_id == workshop.id
    assert event.workshop_id == workshop.id
    assert event.actor_id == admin.id
    assert event.changes["title"] == "Lokakarya Klungkung"
    assert event.reason is None
    assert not set(event.changes) & audit.SKIPPED_COLUMNS


def test_without_an_actor_the_event_has_none(db):
    factories.make_workshop()
    [event] = events(db)
    assert event.actor_id is None


def test_updating_the_title_records_the_change_only(db):
    organiser = factories.make_user(Role.ORGANISER)
    workshop = factories.make_workshop(title="Lama")
    with audit.acting_as(organiser):
        workshop.title = "Baru"
        db.session.flush()
    [create, update] = events(db, "Workshop")
    assert create.action == "create"
    assert update.action == "update"
    assert update.changes == {"title": ["Lama", "Baru"]}
    assert update.actor_id == organiser.id
    assert update.workshop_id == workshop.id


def test_setting_the_same_value_records_nothing(db):
    workshop = factories.make_workshop(title="Sama")
    workshop.title = "Sama"
    db.session.flush()
    assert [e.action for e in events(db)] == ["create"]


def test_deleting_records_a_delete_event_with_the_last_values(db):
    workshop = factories.make_workshop(title="Dihapus")
    workshop_id = workshop.id
    db.session.delete(workshop)
    db.session.flush()
    [create, delete] = events(db, "Workshop")
    assert delete.action == "delete"
    assert delete.entity_id == workshop_id
    assert delete.changes["title"] == "Dihapus"


def test_changes_to_related_audited_rows_carry_the_workshop_id(db):
    workshop = factories.make_workshop()
    issue = factories.make_issue(workshop, title="Drainase tersumbat")
    [event] = events(db, "StrategicIssue")
    assert event.action == "create"
    assert event.entity_id == issue.id
    assert event.workshop_id == workshop.id


def test_non_audited_models_record_nothing(db):
    org = factories.make_organisation(name="Dinas PUPR")
    org.short_name = "PUPR"
    db.session.flush()
    db.session.delete(org)
    db.session.flush()
    factories.make_user(Role.ORGANISER)
    assert events(db) == []
    assert db.session.scalar(select(Organisation).where(Organisation.name == "Dinas PUPR")) is None


def test_audit_reason_is_attached_inside_the_block_only(db):
    workshop = factories.make_workshop(title="Awal")
    with audit.audit_reason("Koreksi setelah finalisasi"):
        workshop.title = "Koreksi"
        db.session.flush()
    workshop.venue = "Aula"
    db.session.flush()
    create, amended, later = events(db)
    assert create.reason is None
    assert amended.reason == "Koreksi setelah finalisasi"
    assert amended.changes == {"title": ["Awal", "Koreksi"]}
    assert later.reason is None
    assert later.changes == {"venue": ["Ruang rapat", "Aula"]}


def test_record_event_stores_a_named_action(db):
    admin = factories.make_user(Role.ADMIN)
    workshop = factories.make_workshop()
    with audit.acting_as(admin):
        audit.record_event(db.session, "export", workshop, {"rows": 40}, reason="laporan")
    event = events(db)[-1]
    assert (event.action, event.entity_type, event.entity_id) == ("export", "Workshop", workshop.id)
    assert event.workshop_id == workshop.id
    assert event.actor_id == admin.id
    assert event.changes == {"rows": 40}
    assert event.reason == "laporan"


def test_acting_as_restores_the_previous_actor(db):
    first, second = factories.make_user(Role.ADMIN), factories.make_user(Role.ORGANISER)
    with audit.acting_as(first):
        with audit.acting_as(second):
            factories.make_workshop()
        factories.make_workshop()
    factories.make_workshop()
    assert [e.actor_id for e in events(db)] == [second.id, first.id, None]


# --- reading the trail (services.audit_log) -----------------------------------------------


def test_list_events_is_newest_first_and_filters(db):
    admin = factories.make_user(Role.ADMIN)
    with audit.acting_as(admin):
        a = factories.make_workshop(title="A")
    b = factories.make_workshop(title="B")
    b.title = "B2"
    db.session.flush()
    factories.make_issue(b)

    def listed(**kwargs):
        items = audit_log.list_events(db.session, audit_log.AuditFilters(**kwargs)).items
        return [(e.entity_type, e.entity_id, e.action) for e in items]

    assert listed()[0][0] == "StrategicIssue"
    assert listed(entity_type="Workshop", entity_id=b.id) == [
        ("Workshop", b.id, "update"), ("Workshop", b.id, "create")]
    assert [x[0] for x in listed(workshop_id=b.id)] == ["StrategicIssue", "Workshop", "Workshop"]
    assert listed(actor_id=admin.id) == [("Workshop", a.id, "create")]
    assert len(listed(without_actor=True)) == 3
    assert listed(action="update") == [("Workshop", b.id, "update")]


def test_entries_show_updates_as_pairs_and_creates_as_values(db):
    workshop = factories.make_workshop(title="Lama", objectives=["Satu", "Dua"])
    workshop.title = "Baru"
    db.session.flush()
    update, create = audit_log.entries(
        audit_log.object_history(db.session, "Workshop", workshop.id).items)
    assert update.paired and update.action_label == str(audit_log.ACTION_LABELS["update"])
    assert [(r.field, r.before, r.after) for r in update.rows] == [("title", "Lama", "Baru")]
    assert not create.paired
    assert create.entity_label == str(audit_log.ENTITY_LABELS["Workshop"])
    rows = {r.field: r.after for r in create.rows}
    assert rows["objectives"] == '["Satu", "Dua"]'
    assert rows["invitation_number"] == "–"


def test_unknown_entity_types_are_not_known(db):
    assert audit_log.is_known_entity_type(db.session, "Workshop")
    assert not audit_log.is_known_entity_type(db.session, "User")


def test_a_100_0_100_figure_is_audited_with_its_change(db):
    from decimal import Decimal

    from kotaku_collab.models import IndicatorKind, RegionIndicator

    reviewer = factories.make_user(Role.REVIEWER, regions=["35.75"])
    factories.make_region("35.75")
    audit.set_actor(reviewer.id)
    try:
        figure = RegionIndicator(region_code="35.75", year=2018, kind=IndicatorKind.SLUM_REDUCED_HA,
                                 value=Decimal("47.02"), source="SK Wali Kota Pasuruan")
        db.session.add(figure)
        db.session.flush()
        figure.value = Decimal("47.20")
        db.session.flush()
    finally:
        audit.set_actor(None)
    created, changed = events(db)
    assert (created.entity_type, created.action, created.actor_id) == (
        "RegionIndicator", "create", reviewer.id)
    assert changed.action == "update"
    assert set(changed.changes) == {"value"}
    assert audit_log.entity_label("RegionIndicator") == "100-0-100 figure"
    assert audit_log.action_label("export") == "Exported"
