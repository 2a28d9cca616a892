"""Carry-over from earlier rounds, bounded: the newest round's open items first, with totals."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

from kotaku_collab.models import CommitmentStatus, WorkshopStatus
from kotaku_collab.services.minutes import carry_over
from tests import factories

TODAY = date(2019, 11, 5)


def test_a_bounded_carry_over_keeps_the_newest_rounds_items_and_counts_them_all(db):
    workshop = factories.make_workshop("51.05", status=WorkshopStatus.HELD,
                                       starts_at=datetime(2019, 10, 29, 0, 30,
                                                          tzinfo=timezone.utc))
    older = factories.make_workshop("51.05", status=WorkshopStatus.FINALISED,
                                    starts_at=workshop.starts_at - timedelta(days=700))
    newer = factories.make_workshop("51.05", status=WorkshopStatus.FINALISED,
                                    starts_at=workshop.starts_at - timedelta(days=350))
    old_issue = factories.make_issue(older, title="Isu lama", agreed=True)
    urgent = factories.make_issue(newer, title="Isu mendesak", agreed=True, priority=1)
    ranked = factories.make_issue(newer, title="Isu terpilih", agreed=True, vote_rank=1,
                                  vote_count=9)
    old = [factories.make_commitment(workshop=older, title=f"Lama {n}") for n in range(2)]
    new = [factories.make_commitment(workshop=newer, title=f"Baru {n}") for n in range(2)]
    factories.make_commitment(workshop=newer, title="Selesai", status=CommitmentStatus.SELESAI)
    db.session.commit()

    bounded = carry_over(db.session, workshop, TODAY, limit=3)
    assert bounded.issues == [ranked, urgent, old_issue] and bounded.issue_total == 3
    assert bounded.commitments == [*new, old[0]] and bounded.commitment_total == 4
    assert not bounded.complete

    full = carry_over(db.session, workshop, TODAY)
    assert full.commitments == [*new, *old] and full.complete
    assert full.workshops == [newer, older]
