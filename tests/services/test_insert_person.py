"""people.insert_person: one INSERT, and the row is the session's as if flushed."""

from sqlalchemy import select

from kotaku_collab.database import count_queries
from kotaku_collab.models import Gender, Person
from kotaku_collab.services.people import insert_person
from tests import factories


def test_insert_person_writes_one_row_and_knows_it(db):
    organisation = factories.make_organisation("BKM Semarapura Kaja")
    with count_queries() as statements:
        person = insert_person(db.session, Person(
            name="Ni Luh Ayu", email="AYU@Example.org", gender=Gender.PEREMPUAN,
            organisation_id=organisation.id))
        written = statements()
        seen = (person.id, person.email, person.is_example, person.created_at, person.phone)
    assert statements() == written  # nothing is read back
    assert seen[1:3] == ("ayu@example.org", False) and seen[3] is not None and seen[4] is None
    assert db.session.get(Person, person.id) is person
    db.session.commit()
    db.session.expunge_all()
    stored = db.session.scalars(select(Person)).one()
    assert (stored.email, stored.gender, stored.organisation.name) == (
        "ayu@example.org", Gender.PEREMPUAN, "BKM Semarapura Kaja")
