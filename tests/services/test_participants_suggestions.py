"""The organisation names the organisers' add forms suggest: the workshop's own area first."""

from kotaku_collab.services.participants import organisation_suggestions
from tests import factories


def test_suggestions_are_the_regency_its_province_and_national_organisations(db):
    workshop = factories.make_workshop("51.05")
    factories.make_region("51")
    for name, region_code in (("Dinas PUPR Klungkung", "51.05"), ("Bappeda Bali", "51"),
                              ("Badan Amil Zakat Nasional", None), ("Dinas PU Pasuruan", "35.75")):
        factories.make_organisation(name, region_code=region_code)
    merged_into = factories.make_organisation("Yayasan Bali Hijau", region_code="51.05")
    factories.make_organisation("Yayasan Bali Hijau (lama)", region_code="51.05",
                                merged_into_id=merged_into.id)
    db.session.flush()
    assert organisation_suggestions(db.session, workshop) == [
        "Badan Amil Zakat Nasional", "Bappeda Bali", "Dinas PUPR Klungkung",
        "Yayasan Bali Hijau"]
    assert organisation_suggestions(db.session, workshop, limit=2) == [
        "Badan Amil Zakat Nasional", "Bappeda Bali"]
