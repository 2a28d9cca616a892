"""The month calendar of workshops in a user's scope."""

from __future__ import annotations

import calendar as _calendar
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from kotaku_collab.models import User, Workshop
from kotaku_collab.permissions import scope_clause
from kotaku_collab.services.scheduling import to_local_naive


@dataclass
class CalendarDay:
    day: date
    in_month: bool
    workshops: list[Workshop] = field(default_factory=list)


@dataclass
class MonthGrid:
    first: date
    weeks: list[list[CalendarDay]]

    @property
    def previous(self) -> date:
        return (self.first - timedelta(days=1)).replace(day=1)

    @property
    def next(self) -> date:
        return (self.first + timedelta(days=32)).replace(day=1)


def month_grid(session: Session, user: User, first: date) -> MonthGrid:
    """Weeks (Monday first) covering the month, each day with the workshops held that local day."""
    weeks_dates = _calendar.Calendar(firstweekday=0).monthdatescalendar(first.year, first.month)
    start, end = weeks_dates[0][0], weeks_dates[-1][-1] + timedelta(days=1)
    # Widen by a day each side: local dates can differ from UTC dates by up to nine hours.
    workshops = session.scalars(
        select(Workshop).options(joinedload(Workshop.region))
        .where(scope_clause(user, Workshop.region_code),
               Workshop.starts_at < datetime.combine(end, time.min, tzinfo=timezone.utc) + timedelta(days=1),
               Workshop.ends_at >= datetime.combine(start, time.min, tzinfo=timezone.utc) - timedelta(days=1))
        .order_by(Workshop.starts_at))
    by_day: dict[date, list[Workshop]] = {}
    for workshop in workshops:
        tz = workshop.region.timezone
        day = to_local_naive(workshop.starts_at, tz).date()
        last = to_local_naive(workshop.ends_at - timedelta(seconds=1), tz).date()
        while day <= last:
            by_day.setdefault(day, []).append(workshop)
            day += timedelta(days=1)
    weeks = [[CalendarDay(d, d.month == first.month, by_day.get(d, [])) for d in week]
             for week in weeks_dates]
    return MonthGrid(first=first, weeks=weeks)
