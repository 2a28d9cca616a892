"""The commitment list's totals by funding source are computed once per data change for every
page and sort of the same filters and scope (services/commitments.py `_cached_totals`)."""

from datetime import date

import pytest

from kotaku_collab.models import Commitment, FundingSource, Role
from kotaku_collab.services import commitments, stats_cache
from kotaku_collab.services.commitments import CommitmentFilters, list_commitments
from tests import factories

TODAY = date(2030, 5, 1)


@pytest.fixture(autouse=True)
def fresh_cache():
    stats_cache.clear()
    yield
    stats_cache.clear()


@pytest.fixture
def computed(monkeypatch):
    """How often the totals were computed."""
    calls = []
    real = commitments.funding_totals

    def counting(*args):
        calls.append(args)
        return real(*args)

    monkeypatch.setattr(commitments, "funding_totals", counting)
    return calls


@pytest.fixture
def klungkung(db):
    workshop = factories.make_workshop("51.05")
    pasuruan = factories.make_workshop("35.75")
    organisation = factories.make_organisation("Dinas PUPR")
    made = [factories.make_commitment(organisation, workshop, title=f"K{i}", amount_idr=10,
                                      funding_source=FundingSource.APBD_KABKOTA)
            for i in range(3)]
    factories.make_commitment(organisation, pasuruan, title="P", amount_idr=1000,
                              funding_source=FundingSource.APBD_KABKOTA)
    db.session.commit()
    return made[0].id


def test_pages_and_sorts_share_the_totals_until_a_commitment_changes(db, klungkung, computed):
    national = factories.make_user(Role.REVIEWER, regions=[], is_national=True)
    db.session.commit()
    first = list_commitments(db.session, national, None, today=TODAY, per_page=2)
    second = list_commitments(db.session, national, None, today=TODAY, per_page=2, page=2)
    by_amount = list_commitments(db.session, national, CommitmentFilters(sort="amount"),
                                 today=TODAY, per_page=2)
    assert len(computed) == 1
    assert first.totals == second.totals == by_amount.totals
    assert [(t.funding_source, t.amount_idr, t.count) for t in first.totals] == [
        (FundingSource.APBD_KABKOTA, 1030, 4)]
    assert {c.title for c in first.pagination.items + second.pagination.items} >= {"K0", "K1"}

    db.session.get(Commitment, klungkung).funding_source = FundingSource.CSR_TJSL
    db.session.commit()
    changed = list_commitments(db.session, national, None, today=TODAY, per_page=2)
    assert len(computed) == 2
    assert [(t.funding_source, t.amount_idr, t.count) for t in changed.totals] == [
        (FundingSource.APBD_KABKOTA, 1020, 3), (FundingSource.CSR_TJSL, 10, 1)]


def test_another_scope_or_filter_has_its_own_totals(db, klungkung, computed):
    national = factories.make_user(Role.REVIEWER, regions=[], is_national=True)
    regional = factories.make_user(Role.REVIEWER, regions=["51.05"])
    db.session.commit()
    everywhere = list_commitments(db.session, national, None, today=TODAY)
    in_klungkung = list_commitments(db.session, regional, None, today=TODAY)
    overdue = list_commitments(db.session, national, CommitmentFilters(flag="overdue"),
                               today=TODAY)
    assert len(computed) == 3
    assert (everywhere.total_idr, in_klungkung.total_idr, overdue.total_idr) == (1030, 30, 0)
