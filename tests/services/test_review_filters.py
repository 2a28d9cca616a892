"""The reviewer filters: parsing never raises, bad values become messages, scope always applies."""

from __future__ import annotations

from datetime import date, datetime, timezone

import pytest
from sqlalchemy import func, select

from kotaku_collab.models import Commitment, Role, Workshop, WorkshopKind
from kotaku_collab.services.review_filters import parse_review_filters
from tests import factories


@pytest.fixture
def two_regions(db):
    """A Klungkung workshop in June 2019, a Pasuruan midterm review in March 2020."""
    klungkung = factories.make_workshop(
        "51.05", starts_at=datetime(2019, 6, 20, 1, 0, tzinfo=timezone.utc))
    pasuruan = factories.make_workshop(
        "35.75", starts_at=datetime(2020, 3, 10, 2, 0, tzinfo=timezone.utc),
        kind=WorkshopKind.MIDTERM_REVIEW)
    factories.make_commitment(workshop=klungkung)
    factories.make_commitment(workshop=pasuruan)
    factories.make_commitment(region_code="35.75")  # made outside a workshop, recorded today
    db.session.commit()
    return klungkung, pasuruan


def workshops_in_view(db, user, filters) -> set[int]:
    return set(db.session.scalars(select(Workshop.id).where(*filters.workshop_conditions(user))))


def commitments_in_view(db, user, filters) -> int:
    return db.session.scalar(select(func.count(Commitment.id))
                             .where(*filters.commitment_conditions(user)))


def test_no_arguments_means_everything_in_scope(db, two_regions):
    national = factories.make_user(Role.REVIEWER, regions=(), is_national=True)
    klungkung_reviewer = factories.make_user(Role.REVIEWER, regions=["51.05"])
    filters = parse_review_filters(db.session, national, {})
    assert filters.errors == [] and filters.as_args() == {}
    assert workshops_in_view(db, national, filters) == {w.id for w in two_regions}
    assert commitments_in_view(db, national, filters) == 3
    mine = parse_review_filters(db.session, klungkung_reviewer, {})
    assert workshops_in_view(db, klungkung_reviewer, mine) == {two_regions[0].id}
    assert commitments_in_view(db, klungkung_reviewer, mine) == 1


def test_kabkota_province_kind_and_period_narrow_the_view(db, two_regions):
    user = factories.make_user(Role.ADMIN)
    klungkung, pasuruan = two_regions
    by_city = parse_review_filters(db.session, user, {"kabkota": "35.75"})
    assert workshops_in_view(db, user, by_city) == {pasuruan.id}
    assert commitments_in_view(db, user, by_city) == 2
    by_province = parse_review_filters(db.session, user, {"province": "51"})
    assert workshops_in_view(db, user, by_province) == {klungkung.id}
    by_kind = parse_review_filters(db.session, user, {"kind": "midterm_review"})
    assert workshops_in_view(db, user, by_kind) == {pasuruan.id}
    # With a kind chosen, commitments made outside a workshop are left out.
    assert commitments_in_view(db, user, by_kind) == 1
    year_2019 = parse_review_filters(db.session, user, {"start": "2019-01-01", "end": "2019-12-31"})
    assert year_2019.start == date(2019, 1, 1) and year_2019.errors == []
    assert workshops_in_view(db, user, year_2019) == {klungkung.id}
    assert commitments_in_view(db, user, year_2019) == 1
    assert year_2019.as_args() == {"start": "2019-01-01", "end": "2019-12-31"}


def test_period_counts_the_local_date_of_the_workshop(db):
    user = factories.make_user(Role.ADMIN)
    # 23:30 WITA on 31 December 2019 is 15:30 UTC: still 2019 in Bali.
    late = factories.make_workshop("51.05", starts_at=datetime(2019, 12, 31, 15, 30,
                                                              tzinfo=timezone.utc))
    db.session.commit()
    in_2019 = parse_review_filters(db.session, user, {"start": "2019-12-31", "end": "2019-12-31"})
    assert workshops_in_view(db, user, in_2019) == {late.id}
    in_2020 = parse_review_filters(db.session, user, {"start": "2020-01-01"})
    assert workshops_in_view(db, user, in_2020) == set()


@pytest.mark.parametrize("args, message", [
    ({"kind": "pesta"}, "Unknown workshop kind: pesta"),
    ({"kabkota": "99.99"}, "Unknown regency/city: 99.99"),
    ({"kabkota": "51"}, "Unknown regency/city: 51"),
    ({"province": "51.05"}, "Unknown province: 51.05"),
    ({"start": "2019-13-01"}, "Start date is not a date (use YYYY-MM-DD): 2019-13-01"),
    ({"end": "kemarin"}, "End date is not a date (use YYYY-MM-DD): kemarin"),
    ({"start": "2020-01-01", "end": "2019-01-01"},
     "The period ends before it starts; the dates were ignored."),
    ({"province": "35", "kabkota": "51.05"},
     "The regency/city does not lie in the chosen province; the province was ignored."),
])
def test_bad_values_are_dropped_with_a_message(db, two_regions, args, message):
    user = factories.make_user(Role.ADMIN)
    filters = parse_review_filters(db.session, user, args)
    assert filters.errors == [message]
    assert not filters.out_of_scope
    assert filters.start is None and filters.end is None and filters.kind is None
    assert filters.province is None


def test_a_region_outside_the_scope_shows_nothing(db, two_regions):
    reviewer = factories.make_user(Role.REVIEWER, regions=["51.05"])
    filters = parse_review_filters(db.session, reviewer, {"kabkota": "35.75"})
    assert filters.out_of_scope
    assert filters.errors == ["Kota Pasuruan is outside your regions."]
    assert workshops_in_view(db, reviewer, filters) == set()
    assert commitments_in_view(db, reviewer, filters) == 0


def test_a_province_holding_the_scope_is_allowed_but_scope_still_applies(db, two_regions):
    reviewer = factories.make_user(Role.REVIEWER, regions=["51.05"])
    factories.make_workshop("51.71")  # Kota Denpasar: Bali, but not the reviewer's
    db.session.commit()
    filters = parse_review_filters(db.session, reviewer, {"province": "51"})
    assert filters.errors == [] and filters.province == "51"
    assert workshops_in_view(db, reviewer, filters) == {two_regions[0].id}


def test_overlong_and_odd_input_never_raises(db, two_regions):
    user = factories.make_user(Role.ADMIN)
    filters = parse_review_filters(db.session, user, {
        "kabkota": "x" * 500, "start": "\x00", "kind": "' OR 1=1 --", "province": " "})
    assert len(filters.errors) == 3
    assert all(len(e) < 120 for e in filters.errors)


def test_period_uses_each_regions_own_time_zone(db):
    user = factories.make_user(Role.ADMIN)
    # 17:30 UTC on 31 December is 00:30 WIB on 1 January in Kota Pasuruan (Jawa Timur),
    # but 01:30 WITA in Bali: both are new-year workshops.
    pasuruan = factories.make_workshop("35.75", starts_at=datetime(2019, 12, 31, 17, 30,
                                                                  tzinfo=timezone.utc))
    klungkung = factories.make_workshop("51.05", starts_at=datetime(2019, 12, 31, 16, 30,
                                                                   tzinfo=timezone.utc))
    db.session.commit()
    new_year = parse_review_filters(db.session, user, {"start": "2020-01-01", "end": "2020-01-01"})
    assert workshops_in_view(db, user, new_year) == {pasuruan.id, klungkung.id}
    old_year = parse_review_filters(db.session, user, {"end": "2019-12-31"})
    assert workshops_in_view(db, user, old_year) == set()
