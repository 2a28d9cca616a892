"""The filters every reviewer view shares (dashboard, gaps, exports, API summary).

A reviewer narrows the view by province, kab/kota, period and workshop kind; the user's own
region scope (permissions.scope_clause) always applies on top. Parsing never raises: an unknown
value, a region outside the scope or a period that ends before it starts gives a message a
person can act on, and that filter is dropped (or, for a region outside the scope, the view
is empty), so a bad link shows a clear note instead of a 500.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from typing import Mapping

from sqlalchemy import and_, false, func, or_, select, true
from sqlalchemy.orm import Session

from kotaku_collab.i18n import _
from kotaku_collab.models import (PROVINCE_TIMEZONES, Commitment, Region, RegionLevel, User,
                                  Workshop, WorkshopKind)
from kotaku_collab.permissions import in_scope, scope_clause

KABKOTA = (RegionLevel.KABUPATEN, RegionLevel.KOTA)
#: Indonesia's three zones have fixed offsets (no daylight saving): WIB +7, WITA +8, WIT +9.
ZONE_OFFSETS = {"Asia/Jakarta": 7, "Asia/Makassar": 8, "Asia/Jayapura": 9}
#: Province codes per UTC offset; provinces not listed keep WIB.
PROVINCES_BY_OFFSET: dict[int, list[str]] = {}
for _code, _zone in sorted(PROVINCE_TIMEZONES.items()):
    PROVINCES_BY_OFFSET.setdefault(ZONE_OFFSETS[_zone], []).append(_code)


@dataclass
class ReviewFilters:
    """What a reviewer chose; empty fields mean "all"."""

    province: str | None = None
    kabkota: str | None = None
    start: date | None = None
    end: date | None = None
    kind: WorkshopKind | None = None
    #: Messages about values that were dropped (shown above the results).
    errors: list[str] = field(default_factory=list)
    #: True when a region outside the user's scope was asked for: the view shows nothing.
    out_of_scope: bool = False

    @property
    def region_code(self) -> str | None:
        """The narrowest region chosen (kab/kota over province)."""
        return self.kabkota or self.province

    def as_args(self) -> dict[str, str]:
        """The filters as query-string arguments (for links and export URLs)."""
        args = {"province": self.province, "kabkota": self.kabkota,
                "start": self.start.isoformat() if self.start else None,
                "end": self.end.isoformat() if self.end else None,
                "kind": self.kind.value if self.kind else None}
        return {k: v for k, v in args.items() if v}

    # -- SQL conditions ------------------------------------------------------------------------

    def region_condition(self, user: User, column):
        """`column` (a region code) inside the user's scope and the chosen region."""
        if self.out_of_scope:
            return false()
        chosen = self.region_code
        narrowed = true() if not chosen else or_(column == chosen, column.like(chosen + ".%"))
        return and_(scope_clause(user, column), narrowed)

    def period_condition(self, column, region_column):
        """`column` (an aware UTC datetime) inside the chosen period of local dates, each row
        judged in the time zone of its region (`region_column`, a region code): a workshop at
        23:30 WITA on 31 December is in December, although it is 15:30 UTC."""
        if not (self.start or self.end):
            return true()
        province = func.substr(region_column, 1, 2)
        listed = [code for codes in PROVINCES_BY_OFFSET.values() for code in codes]
        per_zone = []
        for hours, provinces in PROVINCES_BY_OFFSET.items():
            zone = timezone(timedelta(hours=hours))
            in_zone = province.in_(provinces)
            if hours == 7:
                in_zone = or_(in_zone, province.not_in(listed))
            bounds = []
            if self.start:
                bounds.append(column >= datetime.combine(self.start, time(), zone))
            if self.end:
                bounds.append(column < datetime.combine(self.end + timedelta(days=1), time(), zone))
            per_zone.append(and_(in_zone, *bounds))
        return or_(*per_zone)

    def workshop_conditions(self, user: User) -> list:
        """Conditions on Workshop for the workshops in view."""
        conditions = [self.region_condition(user, Workshop.region_code),
                      self.period_condition(Workshop.starts_at, Workshop.region_code)]
        if self.kind:
            conditions.append(Workshop.kind == self.kind)
        return conditions

    def commitment_conditions(self, user: User) -> list:
        """Conditions on Commitment: its kab/kota in view and, when a period or kind is chosen,
        made at a workshop in view (a commitment made outside a workshop counts by the day it
        was recorded, and is left out when a workshop kind is chosen)."""
        conditions = [self.region_condition(user, Commitment.region_code)]
        if self.kind or self.start or self.end:
            in_view = select(Workshop.id).where(*self.workshop_conditions(user))
            at_workshop = Commitment.workshop_id.in_(in_view)
            if self.kind:
                conditions.append(at_workshop)
            else:
                conditions.append(or_(at_workshop, and_(
                    Commitment.workshop_id.is_(None),
                    self.period_condition(Commitment.created_at, Commitment.region_code))))
        return conditions


def _parse_date(raw: str, label: str, errors: list[str]) -> date | None:
    try:
        return date.fromisoformat(raw)
    except ValueError:
        errors.append(_("%(field)s is not a date (use YYYY-MM-DD): %(value)s",
                        field=label, value=raw[:40]))
        return None


def parse_review_filters(session: Session, user: User, args: Mapping[str, str]) -> ReviewFilters:
    """Read the filters from query-string arguments (`request.args` or any mapping)."""
    filters = ReviewFilters()
    errors = filters.errors

    def arg(name: str) -> str:
        return (args.get(name) or "").strip()

    kind = arg("kind")
    if kind:
        try:
            filters.kind = WorkshopKind(kind)
        except ValueError:
            errors.append(_("Unknown workshop kind: %(value)s", value=kind[:40]))

    for name, level_ok in (("province", lambda r: r.level is RegionLevel.PROVINSI),
                           ("kabkota", lambda r: r.level in KABKOTA)):
        code = arg(name)
        if not code:
            continue
        region = session.get(Region, code[:13])
        if region is None or not level_ok(region):
            errors.append(_("Unknown province: %(value)s", value=code[:40]) if name == "province"
                          else _("Unknown regency/city: %(value)s", value=code[:40]))
            continue
        if not in_scope(user, region.code) and not _scope_lies_inside(user, region.code):
            errors.append(_("%(name)s is outside your regions.", name=region.name))
            filters.out_of_scope = True
            continue
        setattr(filters, name, region.code)

    if filters.province and filters.kabkota and not filters.kabkota.startswith(filters.province + "."):
        errors.append(_("The regency/city does not lie in the chosen province; "
                        "the province was ignored."))
        filters.province = None

    start, end = arg("start"), arg("end")
    filters.start = _parse_date(start, _("Start date"), errors) if start else None
    filters.end = _parse_date(end, _("End date"), errors) if end else None
    if filters.start and filters.end and filters.end < filters.start:
        errors.append(_("The period ends before it starts; the dates were ignored."))
        filters.start = filters.end = None
    return filters


def _scope_lies_inside(user: User, code: str) -> bool:
    """True when a chosen province holds one of the user's kab/kota (a Klungkung reviewer may
    pick Bali: the scope still limits the view to Klungkung)."""
    from kotaku_collab.permissions import scope_codes

    codes = scope_codes(user)
    return codes is None or any(c.startswith(code + ".") for c in codes)
