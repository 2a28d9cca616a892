"""The organisation registry: normalised names, duplicates, and merges that lose nothing."""

from datetime import date

import pytest
from sqlalchemy import func, select

from kotaku_collab.models import (AgreementPoint, CoordinationMechanism, MechanismMeeting,
                                  MechanismType, Cadence, Organisation, OrganiserRole, Person,
                                  Registration, Role, Sector, User, WorkshopOrganiser)
from kotaku_collab.services import DomainError, lookups
from kotaku_collab.services.merging import count_references, referencing_columns
from kotaku_collab.services.organisations import (OrganisationInput, create_organisation,
                                                  find_by_name, merge_organisations,
                                                  normalise_name, update_organisation)
from tests import factories


@pytest.mark.parametrize("a, b", [
    ("Baperlitbang Kab. Klungkung", "BAPERLITBANG  Kab Klungkung"),
    ("Dinas PUPR-PKP Kota Pasuruan", "dinas pupr pkp kota pasuruan"),
    ("  Yayasan Cipta Karya Sejahtera ", "Yayasan Cipta Karya Sejahtera"),
    ("Universitas Udayana (UNUD)", "universitas udayana unud"),
    ("Yayasan Café Bersama", "yayasan cafe bersama"),
    ("BKM \"Sejahtera\"\tKelurahan Semarapura Kaja", "bkm sejahtera kelurahan semarapura kaja"),
])
def test_normalise_name_treats_spelling_variants_as_one(a, b):
    assert normalise_name(a) == normalise_name(b)


@pytest.mark.parametrize("a, b", [
    ("Kota Pasuruan", "Kabupaten Pasuruan"),
    ("Bappeda Provinsi Bali", "Bappeda Kabupaten Klungkung"),
])
def test_normalise_name_keeps_different_bodies_apart(a, b):
    assert normalise_name(a) != normalise_name(b)


def test_normalise_name_result():
    assert normalise_name("Baperlitbang Kab. Klungkung") == "baperlitbang kab klungkung"


def _input(name, **kwargs):
    return OrganisationInput(name=name, sector=kwargs.pop("sector", Sector.PEMERINTAH), **kwargs)


def test_create_refuses_a_duplicate_and_names_the_existing_entry(db):
    factories.make_region("51.05")
    create_organisation(db.session, _input("Baperlitbang Kab. Klungkung", region_code="51.05"))
    with pytest.raises(DomainError) as caught:
        create_organisation(db.session, _input("BAPERLITBANG  Kab Klungkung"))
    assert caught.value.field == "name"
    assert "Baperlitbang Kab. Klungkung" in caught.value.message
    assert db.session.scalar(select(func.count(Organisation.id))) == 1


def test_create_cleans_and_stores_the_normalised_name(db):
    org = create_organisation(db.session, _input("  Dinas   PUPR\tKota Pasuruan ",
                                                 short_name=" PUPR ", subtype="opd"))
    assert org.name == "Dinas PUPR Kota Pasuruan"
    assert org.normalised_name == "dinas pupr kota pasuruan"
    assert org.short_name == "PUPR"
    assert org.subtype.value == "opd"


def test_rename_to_another_entrys_name_is_refused_but_own_respelling_is_fine(db):
    first = factories.make_organisation("Bappeda Kota Pasuruan")
    second = factories.make_organisation("Dinas Perkim Kota Pasuruan")
    with pytest.raises(DomainError) as caught:
        update_organisation(db.session, second, _input("BAPPEDA Kota Pasuruan"))
    assert caught.value.field == "name" and "Bappeda Kota Pasuruan" in caught.value.message
    update_organisation(db.session, first, _input("BAPPEDA  Kota Pasuruan"))
    assert first.name == "BAPPEDA Kota Pasuruan"


def test_a_merged_entrys_name_points_to_the_organisation_kept(db):
    kept = factories.make_organisation("Baperlitbang Kabupaten Klungkung")
    old = factories.make_organisation("Baperlitbang Klungkung")
    merge_organisations(db.session, old, kept)
    with pytest.raises(DomainError) as caught:
        create_organisation(db.session, _input("baperlitbang klungkung"))
    assert "Baperlitbang Kabupaten Klungkung" in caught.value.message
    assert find_by_name(db.session, "Baperlitbang Klungkung").id == kept.id


@pytest.mark.parametrize("code", ["51.05.03", "99"])
def test_region_must_be_a_province_or_regency(db, code):
    factories.make_region("51.05.03")
    with pytest.raises(DomainError) as caught:
        create_organisation(db.session, _input("Kecamatan Klungkung", region_code=code))
    assert caught.value.field == "region_code"


def test_province_is_a_valid_region(db):
    factories.make_region("51")
    assert create_organisation(db.session, _input("Bappeda Provinsi Bali",
                                                  region_code="51")).region_code == "51"


def _populate_references(db, source, target):
    """Rows pointing at source and target in every table that references organisations."""
    other = factories.make_organisation("Dinas Lama")
    other.merged_into_id = source.id  # merged into the source earlier
    shared = factories.make_workshop("51.05")
    solo = factories.make_workshop("51.05")
    db.session.add_all([
        WorkshopOrganiser(workshop=shared, organisation=source, role=OrganiserRole.PENYELENGGARA),
        WorkshopOrganiser(workshop=shared, organisation=target, role=OrganiserRole.FASILITATOR),
        WorkshopOrganiser(workshop=solo, organisation=source, role=OrganiserRole.FASILITATOR),
    ])
    for org in (source, target):
        person = factories.make_person(organisation=org)
        factories.make_registration(shared, person)
        factories.make_user(Role.STAKEHOLDER, organisation=org)
        factories.make_issue(shared, proposed_by=org)
        factories.make_commitment(org, shared)
    mechanism = CoordinationMechanism(workshop=shared, type=MechanismType.FORUM_PKP,
                                      name="Forum PKP", cadence=Cadence.BULANAN,
                                      lead_organisation=source, members=[source, target])
    meeting = MechanismMeeting(mechanism=mechanism, held_on=date(2020, 1, 15),
                               attendees=[source, target])
    point = AgreementPoint(workshop=shared, number=1, text="Bersama menangani kumuh",
                           organisations=[source, target])
    solo_point = AgreementPoint(workshop=solo, number=1, text="Berbagi data", organisations=[source])
    db.session.add_all([mechanism, meeting, point, solo_point])
    db.session.flush()
    return shared


def test_merge_repoints_every_referencing_row(db):
    source = factories.make_organisation("Dinas Perkim Klungkung")
    target = factories.make_organisation("Dinas Perumahan Kawasan Permukiman Klungkung")
    shared = _populate_references(db, source, target)
    before_source = count_references(db.session, "organisations", source.id)
    before_target = count_references(db.session, "organisations", target.id)
    covered = {key for key, n in before_source.items() if n}
    assert covered >= {
        "organisations.merged_into_id", "people.organisation_id", "users.organisation_id",
        "registrations.organisation_id", "workshop_organisers.organisation_id",
        "strategic_issues.proposed_by_id", "coordination_mechanisms.lead_organisation_id",
        "mechanism_members.organisation_id", "meeting_attendees.organisation_id",
        "agreement_organisations.organisation_id", "commitments.organisation_id"}

    report = merge_organisations(db.session, source, target)

    after_source = count_references(db.session, "organisations", source.id)
    after_target = count_references(db.session, "organisations", target.id)
    # The one "reference" left to the source is none: even its own merged_into_id points on.
    assert all(n == 0 for n in after_source.values()), after_source
    # Links both had (one workshop, one mechanism, one meeting, one agreement point) collapse
    # into one; everything else is added up.
    collapsed = {"workshop_organisers.organisation_id": 1, "mechanism_members.organisation_id": 1,
                 "meeting_attendees.organisation_id": 1,
                 "agreement_organisations.organisation_id": 1}
    for key in before_source:
        expected = before_source[key] + before_target[key] - collapsed.get(key, 0)
        if key == "organisations.merged_into_id":
            expected += 1  # the source itself now points to the target
        assert after_target[key] == expected, key
    assert report.dropped["workshop_organisers.organisation_id"] == 1
    source = db.session.get(Organisation, source.id)
    assert source.merged_into_id == target.id
    # The shared workshop keeps the stronger role of the two.
    link = db.session.scalars(select(WorkshopOrganiser).where(
        WorkshopOrganiser.workshop_id == shared.id)).one()
    assert link.organisation_id == target.id and link.role is OrganiserRole.PENYELENGGARA
    assert db.session.scalar(select(func.count(Registration.id))) == 2
    assert db.session.scalar(select(func.count(User.id)).where(
        User.organisation_id == target.id)) == 2


def test_every_reference_is_discovered_from_the_schema():
    keys = {f"{c.table.name}.{c.name}" for c in referencing_columns("organisations")}
    assert {"users.organisation_id", "people.organisation_id", "registrations.organisation_id",
            "workshop_organisers.organisation_id", "mechanism_members.organisation_id",
            "meeting_attendees.organisation_id", "agreement_organisations.organisation_id",
            "commitments.organisation_id", "strategic_issues.proposed_by_id",
            "coordination_mechanisms.lead_organisation_id"} <= keys


def test_merged_organisation_is_hidden_from_pickers_and_details_are_kept(db):
    source = factories.make_organisation("Yayasan Bali Bersih", contact="Jl. Gajah Mada 1",
                                         short_name="YBB")
    target = factories.make_organisation("Yayasan Bali Bersih Lestari", region_code=None)
    merge_organisations(db.session, source, target)
    assert [o.id for o in lookups.organisations(db.session)] == [target.id]
    target = db.session.get(Organisation, target.id)
    assert (target.contact, target.short_name, target.region_code) == ("Jl. Gajah Mada 1", "YBB",
                                                                        "51.05")


def test_merge_refuses_self_and_merged_entries(db):
    a = factories.make_organisation("A")
    b = factories.make_organisation("B")
    c = factories.make_organisation("C")
    with pytest.raises(DomainError):
        merge_organisations(db.session, a, a)
    merge_organisations(db.session, b, c)
    with pytest.raises(DomainError) as caught:
        merge_organisations(db.session, a, db.session.get(Organisation, b.id))
    assert "C" in caught.value.message and caught.value.field == "target_id"
    with pytest.raises(DomainError):
        merge_organisations(db.session, db.session.get(Organisation, b.id), a)


def test_people_of_both_organisations_end_up_in_the_target(db):
    source = factories.make_organisation("Bappeda Klungkung")
    target = factories.make_organisation("Baperlitbang Klungkung")
    factories.make_person("Ni Luh", organisation=source)
    factories.make_person("I Made", organisation=target)
    merge_organisations(db.session, source, target)
    names = set(db.session.scalars(select(Person.name).where(Person.organisation_id == target.id)))
    assert names == {"Ni Luh", "I Made"}
